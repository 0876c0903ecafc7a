package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// The subscription page in a real browser: the platform administrator
// subscribes a number by hand, pushes a text to the service's
// subscribers after the confirmation, sees the result with the batch's
// link, and follows it to the batch's live progress, which reaches
// delivered without a reload.
func TestBrowserSubscriptionsPush(t *testing.T) {
	base := "http://" + sb.Addr()
	setup := newBrowserAt(t, base)
	setup.mustLogin(sb.AdminUser, sb.AdminPassword)
	w := newWorld(t)
	bt := newSubService(t, setup, setup.csrf(), w.unit)
	ctx := context.Background()
	if err := sb.Store.SetGrants(ctx, store.GrantAccount, w.unit.ID, []string{bt}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	num := admNumber()

	b := newChrome(t, 90*time.Second)
	asked := b.acceptDialogs()
	b.login(base, sb.AdminUser, sb.AdminPassword)
	b.run("subscribe a number by hand",
		chromedp.Navigate(base+"/admin/subscriptions?business="+bt),
		chromedp.WaitVisible(chromedp.CSS(`#sub-add`)),
		chromedp.SetValue(chromedp.CSS(`#sa-business`), bt),
		chromedp.SendKeys(chromedp.CSS(`#sa-number`), num),
		chromedp.Click(chromedp.CSS(`#sub-add button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .flash`)),
	)
	if s := b.text("#subscribers"); !strings.Contains(s, num) || !strings.Contains(s, "在订") {
		t.Fatalf("the subscribed number is not listed as active: %q", s)
	}
	// The push form counts the service's active subscribers: the one
	// subscribed here (the service is this test's own).
	opt := b.eval(`document.querySelector('#sp-business option[value="` + bt + `"]').textContent`)
	m := regexp.MustCompile(`(\d+) 个在订`).FindStringSubmatch(opt)
	if m == nil || m[1] != "1" {
		t.Fatalf("the push form's service says %q, want 1 active subscriber", opt)
	}
	active := m[1]
	b.run("push to the subscribers",
		chromedp.SetValue(chromedp.CSS(`#sp-business`), bt),
		chromedp.SendKeys(chromedp.CSS(`#sp-content`), "浏览器推送测试"),
		chromedp.Click(chromedp.CSS(`#sub-push button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#push-result`)),
	)
	select {
	case q := <-asked:
		if !strings.Contains(q, "全部在订用户") {
			t.Errorf("the push asked %q", q)
		}
	default:
		t.Error("the push asked for no confirmation")
	}
	if s := b.text("#push-result"); !strings.Contains(s, "提交 "+active+" 条，共 1 批") {
		t.Fatalf("push result: %q", s)
	}
	b.shot("admin-subscriptions-push-1366x768.png")
	b.run("the batch's progress",
		chromedp.Click(chromedp.CSS(`#push-result a.push-batch`)),
		chromedp.WaitVisible(chromedp.CSS(`#b-final`)),
	)
	b.poll("the batch reaches its final state without a reload", `document.querySelector('#b-final').value == `+active, 30*time.Second)
	msgs, err := sb.Store.MessagesTo(ctx, w.unit.ID, num, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Content == "" || !strings.Contains(msgs[0].Content, "浏览器推送测试") {
		t.Fatalf("the pushed message: %+v %v", msgs, err)
	}
}

// The API keys page in a real browser: the platform administrator filters
// by account, revokes a key after the confirmation, and sees it revoked.
func TestBrowserKeysRevoke(t *testing.T) {
	base := "http://" + sb.Addr()
	w := newWorld(t)
	prefix := addKey(t, w.unit)
	b := newChrome(t, 90*time.Second)
	asked := b.acceptDialogs()
	b.login(base, sb.AdminUser, sb.AdminPassword)
	b.run("the keys page",
		chromedp.Navigate(base+"/admin/keys"),
		chromedp.WaitVisible(chromedp.CSS(`#keys`)),
		chromedp.SetValue(chromedp.CSS(`select[name="account"]`), strconv.FormatInt(w.unit.ID, 10)),
	)
	b.eval(`document.body.dataset.unfiltered = "1"; ""`) // gone once the filtered page is there
	b.run("filter by account",
		chromedp.Click(chromedp.CSS(`.adm-filter button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`body[data-unfiltered]`)),
		chromedp.WaitVisible(chromedp.CSS(`#keys tr[data-prefix="`+prefix+`"]`)),
	)
	if n := b.eval(`String(document.querySelectorAll('#keys tbody tr[data-prefix]').length)`); n != "1" {
		t.Fatalf("keys of one account: %s rows", n)
	}
	b.shot("admin-keys-1366x768.png")
	b.run("revoke",
		chromedp.Click(chromedp.CSS(`#keys tr[data-prefix="`+prefix+`"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .flash`)),
	)
	select {
	case q := <-asked:
		if !strings.Contains(q, prefix) {
			t.Errorf("the revoke asked %q", q)
		}
	default:
		t.Error("revoking asked for no confirmation")
	}
	if s := b.text(`#keys tr[data-prefix="` + prefix + `"]`); !strings.Contains(s, "已吊销") {
		t.Fatalf("the key's row after revoking: %q", s)
	}
	ks, err := sb.Store.APIKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.Prefix == prefix && k.AccountID == w.unit.ID && !k.Revoked {
			t.Fatal("the key is not revoked in the store")
		}
	}
}
