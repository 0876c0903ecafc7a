package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// A real browser on the reports and account pages: an organisation
// administrator of a province with fresh traffic logs in, opens 报表 and
// sees the chart drawn and the figures the store counted, drills into a
// business type, switches to English, looks at it on a phone, then creates
// an API key on the account page (shown once, working at once) and revokes
// it (after a confirmation). With HONGYAN_SCREENSHOTS=DIR the screenshots
// stay there.
func TestBrowserReportsAndAccount(t *testing.T) {
	b := newChrome(t, 120*time.Second)
	p := newProvince(t)
	name, pw := newScopedUser(t, store.RoleOrgAdmin, p.prov, nil)
	ids := []int64{p.accP.ID, p.accC.ID, p.accK.ID, p.partner.ID}
	want := storeFigures(t, ids, "", func(store.StatRow) string { return "all" })["all"]

	bctx, shot, fitsWidth, eval := b.ctx, b.shot, b.fitsWidth, b.eval
	b.acceptDialogs() // the revoke button asks first

	base := "http://" + sb.Addr()
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), pw),
		chromedp.Click(chromedp.CSS(`.login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
		chromedp.Click(chromedp.CSS(`.menu a[href="/reports"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#panel-traffic svg.chart.wide`)),
	); err != nil {
		t.Fatalf("log in and open 报表: %v", err)
	}
	if h := eval(`document.querySelector("h1").textContent`); h != "报表" {
		t.Errorf("heading %q, want 报表", h)
	}
	// The chart is drawn: a line per series, a hover target per hour so far.
	if n := eval(`String(document.querySelectorAll("#panel-traffic svg.chart.wide .series path.line").length)`); n != "3" {
		t.Errorf("%s lines in the traffic chart, want 3", n)
	}
	if n, _ := strconv.Atoi(eval(`String(document.querySelectorAll("#panel-traffic svg.chart.wide .hit").length)`)); n < 1 || n > 24 {
		t.Errorf("%d hover targets in the hourly chart", n)
	}
	if n := eval(`String(document.querySelectorAll("#panel-operator .hbars li").length)`); n == "0" {
		t.Error("no bars in the operator chart")
	}
	// The figures are the store's.
	for key, v := range map[string]int64{"accepted": want.accepted, "delivered": want.delivered, "submitted": want.submitted} {
		got := eval(`document.querySelector('.kpi[data-key="` + key + `"] strong').getAttribute("data-value")`)
		if got != strconv.FormatInt(v, 10) {
			t.Errorf("%s on the dashboard = %s, the store counts %d", key, got, v)
		}
	}
	if want.accepted != 9 {
		t.Errorf("the store counts %d accepted, the test sent 9", want.accepted)
	}
	fitsWidth("dashboard at 1366×768")
	shot("reports-1366x768.png")

	// Drill into the first business type: the breadcrumb says so.
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`#panel-business a.hbar-label`)),
		chromedp.WaitVisible(chromedp.CSS(`.crumbs li:nth-child(2)`)),
	); err != nil {
		t.Fatalf("drill down: %v", err)
	}
	if c := eval(`document.querySelector(".crumbs").textContent`); !strings.Contains(c, "业务：") {
		t.Errorf("breadcrumb %q lacks the business type", c)
	}
	// English.
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`.topbar .langs a[href*="lang=en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#panel-traffic svg.chart.wide`)),
	); err != nil {
		t.Fatalf("switch to English: %v", err)
	}
	if h := eval(`document.querySelector("h1").textContent`); h != "Reports" {
		t.Errorf("heading after the switch %q, want Reports", h)
	}
	if c := eval(`document.querySelector(".crumbs").textContent`); !strings.Contains(c, "Business type:") {
		t.Errorf("English breadcrumb %q", c)
	}
	// Back to every business type, then a phone.
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`.crumbs li:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#panel-traffic svg.chart.wide`)),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#panel-traffic svg.chart.small`)),
	); err != nil {
		t.Fatal(err)
	}
	fitsWidth("dashboard on a phone")
	if v := eval(`getComputedStyle(document.querySelector("#panel-traffic svg.chart.wide")).display`); v != "none" {
		t.Errorf("on a phone the wide chart shows (display %s)", v)
	}
	shot("reports-phone.png")

	// The account page: create a key, see it once, revoke it.
	acct := base + "/account?id=" + strconv.FormatInt(p.accC.ID, 10)
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(acct),
		chromedp.WaitVisible(chromedp.CSS(`#key-create button`)),
		chromedp.Click(chromedp.CSS(`#key-create button`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-key-value`)),
	); err != nil {
		t.Fatalf("create a key: %v", err)
	}
	key := eval(`document.getElementById("new-key-value").textContent`)
	if !strings.HasPrefix(key, "hy_") {
		t.Fatalf("new key %q", key)
	}
	if a := sb.Core.AccountByKey(key); a == nil || a.ID != p.accC.ID {
		t.Fatalf("the key shown does not authenticate the account: %v", a)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[data-copy]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](
		`["Copied", "Copy it by hand"].includes(document.querySelector("button[data-copy]").textContent)`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the copy button did not answer: %v", err)
	}
	fitsWidth("account page at 1366×768")
	shot("account-1366x768.png")

	sel := `li[data-prefix="` + key[:8] + `"]`
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(sel+` button.danger`)),
		chromedp.WaitVisible(chromedp.CSS(sel+`.revoked`)),
	); err != nil {
		t.Fatalf("revoke the key: %v", err)
	}
	if a := sb.Core.AccountByKey(key); a != nil {
		t.Fatal("the revoked key still authenticates")
	}
	if s := eval(`document.querySelector(".flash").textContent`); !strings.Contains(s, "revoked") {
		t.Errorf("after revoking the page says %q", s)
	}
	if strings.Contains(eval(`document.body.innerHTML`), key) {
		t.Error("the key is still on the page after leaving it")
	}
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#keys`))); err != nil {
		t.Fatal(err)
	}
	fitsWidth("account page on a phone")
	shot("account-phone.png")
	t.Logf("screenshots in %s", b.shots)
}
