package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// Role scoping in a real browser: a county operator logs in with the
// page's own form, finds no province menus, and typing a province page's
// address by hand gets the refusal page (in Chinese, then in English after
// the language switch) rather than the page.
func TestBrowserCountyOperatorRefusedProvincePages(t *testing.T) {
	b := newChrome(t, 90*time.Second)
	w := newWorld(t)
	name, pw := userIn(t, store.RoleOperator, w.county, nil)
	base := "http://" + sb.Addr()
	b.login(base, name, pw)
	menu := b.eval(`Array.from(document.querySelectorAll('.menu a')).map(a => a.getAttribute('href')).join(' ')`)
	for _, province := range []string{"/settlement", "/gateways", "/admin/business-types", "/admin/words", "/admin/segments"} {
		if strings.Contains(" "+menu+" ", " "+province+" ") {
			t.Errorf("a county operator's menu offers %s: %s", province, menu)
		}
	}
	if !strings.Contains(menu, "/send") {
		t.Errorf("a county operator's menu lacks /send: %s", menu)
	}
	for _, province := range []string{"/settlement", "/gateways", "/admin/business-types"} {
		b.run("open "+province+" by hand", chromedp.Navigate(base+province), chromedp.WaitVisible(chromedp.CSS(`main`)))
		if s := b.text("main"); !strings.Contains(s, "您的角色无权打开此页面") {
			t.Errorf("%s as a county operator shows %q, want the refusal", province, s)
		}
	}
	b.shot("refused-county-operator.png")
	b.run("switch to English", chromedp.Navigate(base+"/gateways?lang=en"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if s := b.text("main"); !strings.Contains(s, "Your role may not open this page") {
		t.Errorf("the refusal in English: %q", s)
	}
	if lang := b.eval(`document.documentElement.lang`); !strings.HasPrefix(lang, "en") {
		t.Errorf("page language %q after the switch", lang)
	}
}
