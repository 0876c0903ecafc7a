package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// A real browser through the administration pages: the platform
// administrator logs in, adds a review word on 敏感词 and sees it listed,
// a business system sends a text with it (held), and the administrator
// approves it in 内容审核 after the confirmation — the message is then
// delivered. At 1366×768 and on a phone nothing scrolls sideways. With
// HONGYAN_SCREENSHOTS=DIR it keeps admin-*.png there.
func TestBrowserAdminWordsAndReview(t *testing.T) {
	b := newChrome(t, 120*time.Second)
	run, eval, shot, fitsWidth := b.run, b.eval, b.shot, b.fitsWidth
	asked := b.acceptDialogs() // the approve button asks first

	w := newWorld(t) // organisations and accounts to show
	userIn(t, store.RoleOrgAdmin, w.city, nil)
	userIn(t, store.RoleOperator, w.county, nil)
	word := fmt.Sprintf("抽奖%d", worldSeq.Add(1))
	t.Cleanup(func() {
		ws, _ := sb.Store.FilterWords(context.Background())
		for _, fw := range ws {
			if fw.Word == word {
				_ = sb.Core.FilterWordRemove(context.Background(), fw.ID)
			}
		}
	})
	base := "http://" + sb.Addr()
	run("log in and open 敏感词",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), sb.AdminUser),
		chromedp.SendKeys(chromedp.CSS(`#password`), sb.AdminPassword),
		chromedp.Click(chromedp.CSS(`.login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
		chromedp.Click(chromedp.CSS(`.menu a[href="/admin/words"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#words-add`)),
	)
	if g := eval(`document.querySelector(".menu .menu-group").textContent`); g != "管理" {
		t.Errorf("menu group %q, want 管理", g)
	}
	run("add a review word",
		chromedp.SendKeys(chromedp.CSS(`#w-words`), word),
		chromedp.SetValue(chromedp.CSS(`#w-action`), "review"),
		chromedp.Click(chromedp.CSS(`#words-add button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#words tr[data-word="`+word+`"]`)),
	)
	if s := eval(`document.querySelector('#words tr[data-word="` + word + `"]').textContent`); !strings.Contains(s, "人工审核") {
		t.Errorf("the word's row %q lacks 人工审核", s)
	}
	if f := eval(`document.querySelector("main .flash").textContent`); !strings.Contains(f, "敏感词已添加") {
		t.Errorf("flash %q", f)
	}
	fitsWidth("敏感词 at 1366×768")
	shot("admin-words-1366x768.png")

	// A business system sends a text with the word: it is held.
	m := apiSend(t, admNumber(), "您已获得"+word+"资格，回复领取")
	if m["held"] != true {
		t.Fatalf("not held: %v", m)
	}
	batch := m["batch_id"].(string)
	msgID, _ := strconv.ParseInt(m["messages"].([]any)[0].(map[string]any)["id"].(string), 10, 64)
	hold := `#holds article[data-batch="` + batch + `"]`
	run("open 内容审核",
		chromedp.Click(chromedp.CSS(`.menu a[href="/admin/review"]`)),
		chromedp.WaitVisible(chromedp.CSS(hold)),
	)
	if mk := eval(`document.querySelector('` + hold + ` .adm-content mark').textContent`); mk != word {
		t.Errorf("marked %q in the held text, want %q", mk, word)
	}
	fitsWidth("内容审核 at 1366×768")
	shot("admin-review-1366x768.png")
	run("approve",
		chromedp.Click(chromedp.CSS(hold+` form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`main .flash`)),
	)
	select {
	case q := <-asked:
		if !strings.Contains(q, "1 条短信将立即发送") {
			t.Errorf("the confirmation asked %q", q)
		}
	case <-time.After(5 * time.Second):
		t.Error("approving asked nothing")
	}
	if f := eval(`document.querySelector("main .flash").textContent`); !strings.Contains(f, "已通过审核") {
		t.Errorf("after approving: %q", f)
	}
	if n := eval(`String(document.querySelectorAll('` + hold + `').length)`); n != "0" {
		t.Error("the approved request is still waiting")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		msg, err := sb.Store.GetMessage(context.Background(), 0, msgID)
		if err == nil && msg.State == store.Delivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the approved message was not delivered: %+v %v", msg, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// On a phone: the decided list and the word list fit the screen.
	run("phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/admin/review?state=decided"),
		chromedp.WaitVisible(chromedp.CSS(hold)),
	)
	fitsWidth("内容审核 on a phone")
	shot("admin-review-phone.png")
	run("phone words", chromedp.Navigate(base+"/admin/words"), chromedp.WaitVisible(chromedp.CSS(`#words`)))
	fitsWidth("敏感词 on a phone")
	for _, path := range []string{"/admin/orgs", "/admin/users", "/admin/accounts", "/admin/business-types/notice", "/admin/blacklist",
		"/admin/segments", "/admin/audit", "/admin/signatures"} {
		run("phone "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		fitsWidth(path + " on a phone")
	}
	run("desktop", chromedp.EmulateViewport(1366, 768))
	for _, pg := range []struct{ path, shot string }{{"/admin/orgs", "orgs"}, {"/admin/users", "users"}, {"/admin/accounts", "accounts"},
		{fmt.Sprintf("/admin/accounts/%d", w.unit.ID), "account"}, {"/admin/business-types", "business-types"},
		{"/admin/business-types/notice", "business-type"}, {"/admin/blacklist", "blacklist"}, {"/admin/segments?number=13800138000", "segments"},
		{"/admin/audit", "audit"}, {"/admin/signatures", "signatures"}} {
		run("desktop "+pg.path, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		fitsWidth(pg.path + " at 1366×768")
		shot("admin-" + pg.shot + "-1366x768.png")
	}
	t.Logf("screenshots in %s", b.shots)
}
