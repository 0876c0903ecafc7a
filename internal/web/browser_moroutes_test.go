package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// MO routes in a real browser: the platform administrator adds a route
// for a service code and keyword, sees it listed, removes it after the
// confirmation, and then opens the refusals list.
func TestBrowserMORouteAddRemove(t *testing.T) {
	b := newChrome(t, 90*time.Second)
	asked := b.acceptDialogs()
	base := "http://" + sb.Addr()
	b.login(base, sb.AdminUser, sb.AdminPassword)
	code := fmt.Sprintf("10658%06d", worldSeq.Add(1))
	b.run("add a route",
		chromedp.Navigate(base+"/admin/mo-routes"),
		chromedp.WaitVisible(chromedp.CSS(`#mo-add`)),
		chromedp.SendKeys(chromedp.CSS(`#mo-code`), code),
		chromedp.SendKeys(chromedp.CSS(`#mo-keyword`), "CX"),
		chromedp.SetValue(chromedp.CSS(`#mo-account`), sb.Account.Name),
		chromedp.Click(chromedp.CSS(`#mo-add button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .flash`)),
	)
	row := b.eval(`(Array.from(document.querySelectorAll('#mo-routes tr')).find(tr => tr.textContent.includes('` + code + `')) || {textContent: ''}).textContent`)
	if !strings.Contains(row, "CX") {
		t.Fatalf("the new route is not listed with its keyword: %q", row)
	}
	b.shot("admin-mo-routes-1366x768.png")
	// Take the add's notice away, so the one waited for is the removal's.
	b.eval(`document.querySelectorAll('main .flash').forEach(e => e.remove()); ""`)
	b.eval(`Array.from(document.querySelectorAll('#mo-routes tr')).find(tr => tr.textContent.includes('` + code + `')).querySelector('button[type="submit"]').click(); ""`)
	b.run("the page after removing", chromedp.WaitVisible(chromedp.CSS(`main .flash`)))
	select {
	case <-asked:
	default:
		t.Error("removing asked for no confirmation")
	}
	if s := b.text("#mo-routes"); strings.Contains(s, code) {
		t.Fatalf("the removed route is still listed: %q", s)
	}
	b.run("the refusals list", chromedp.Navigate(base+"/admin/refusals"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if s := b.text("main h1"); !strings.Contains(s, "拒绝记录") {
		t.Fatalf("refusals page titled %q", s)
	}
}
