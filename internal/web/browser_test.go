package web_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A real browser against the platform's own listener: the login page's
// form, the landing page, the gateway page with one row per gateway and its
// self-refresh, at 1366×768 and on a phone-sized screen. In CI a missing
// browser fails the test (.ci/run installs chromium); locally it skips.
func TestBrowserLoginAndGateways(t *testing.T) {
	b := newChrome(t, 90*time.Second)
	bctx, shot, fitsWidth, text := b.ctx, b.shot, b.fitsWidth, b.text

	base := "http://" + sb.Addr()
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
	); err != nil {
		t.Fatalf("login page: %v", err)
	}
	if s := text(".login-form"); !strings.Contains(s, "登录") || !strings.Contains(s, "用户名") {
		t.Fatalf("login form text %q lacks 登录 / 用户名", s)
	}
	shot("login-1366x768.png")

	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), sb.AdminUser),
		chromedp.SendKeys(chromedp.CSS(`#password`), sb.AdminPassword),
		chromedp.Click(chromedp.CSS(`.login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
	); err != nil {
		t.Fatalf("log in with the form: %v", err)
	}
	if s := text(".cards"); !strings.Contains(s, "发送") || !strings.Contains(s, "报表") || !strings.Contains(s, "网关") {
		t.Fatalf("landing page cards %q lack 发送 / 报表 / 网关", s)
	}
	fitsWidth("landing page at 1366×768")

	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`.menu a[href="/gateways"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#gateways tbody tr`)),
	); err != nil {
		t.Fatalf("open 网关: %v", err)
	}
	names, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("#gateways tbody tr td.name"), td => td.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, g := range sb.Pool.Statuses() {
		want = append(want, g.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("gateway rows %v, want %v", names, want)
	}
	if s := text("#gateways"); !strings.Contains(s, "中国移动") || !strings.Contains(s, "正常") {
		t.Errorf("gateway table lacks 中国移动 / 正常: %q", s)
	}
	fitsWidth("gateway page at 1366×768")
	shot("gateways-1366x768.png")

	// The page refreshes itself from the JSON endpoint (every 5 s) and
	// keeps one row per gateway.
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](
		`document.getElementById("gateways").hasAttribute("data-updated")`,
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("the gateway page did not refresh itself: %v", err)
	}
	if n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#gateways tbody tr").length`)); err != nil || n != len(want) {
		t.Fatalf("after a refresh: %d rows (err %v), want %d", n, err, len(want))
	}

	// A phone: rows become cards, nothing scrolls sideways.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#gateways tbody tr`))); err != nil {
		t.Fatal(err)
	}
	fitsWidth("gateway page on a phone")
	shot("gateways-phone.png")
	t.Logf("screenshots in %s", b.shots)
}
