package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpage "github.com/chromedp/cdproto/page"
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
	exe := findChromium()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; CI must install it (.ci/run: apt-get install chromium)")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	p := newProvince(t)
	name, pw := newScopedUser(t, store.RoleOrgAdmin, p.prov, nil)
	ids := []int64{p.accP.ID, p.accC.ID, p.accK.ID, p.partner.ID}
	want := storeFigures(t, ids, "", func(store.StatRow) string { return "all" })["all"]

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	shots := t.TempDir()
	if d := os.Getenv("HONGYAN_SCREENSHOTS"); d != "" {
		shots = d
	}
	shot := func(name string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if !strings.HasPrefix(string(png), "\x89PNG") || len(png) < 5000 {
			t.Fatalf("screenshot %s: %d bytes, not a real PNG", name, len(png))
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fitsWidth := func(what string) {
		t.Helper()
		ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s scrolls sideways", what)
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	// Confirm every dialog (the revoke button asks first).
	dialogs := chromedp.Events(bctx, cdpage.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(bctx, cdpage.HandleJavaScriptDialog, cdpage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

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
	t.Logf("screenshots in %s", shots)
}
