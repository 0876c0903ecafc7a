package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// Enterprise customers in a real browser: a city administrator records a
// company linked to a county unit's account and opens its page, which
// shows the company's details and its traffic report.
func TestBrowserEnterpriseCustomer(t *testing.T) {
	b := newChrome(t, 90*time.Second)
	w := newWorld(t)
	name, pw := userIn(t, store.RoleOrgAdmin, w.city, nil)
	base := "http://" + sb.Addr()
	b.login(base, name, pw)
	company := fmt.Sprintf("鸿运物流%d", w.n)
	b.run("add an enterprise customer",
		chromedp.Navigate(base+"/enterprises"),
		chromedp.WaitVisible(chromedp.CSS(`#ent-form`)),
		chromedp.SendKeys(chromedp.CSS(`#e-name`), company),
		chromedp.SendKeys(chromedp.CSS(`#e-contact`), "张经理"),
		chromedp.SetValue(chromedp.CSS(`#e-accounts`), strconv.FormatInt(w.unit.ID, 10)),
		chromedp.Click(chromedp.CSS(`#ent-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ent-report`)),
	)
	if s := b.text("main h1"); !strings.Contains(s, company) {
		t.Fatalf("the customer's page is titled %q", s)
	}
	if s := b.text("#ent-facts"); !strings.Contains(s, "张经理") {
		t.Fatalf("the customer's details: %q", s)
	}
	if s := b.text("#ent-accounts"); !strings.Contains(s, w.unit.Name) {
		t.Fatalf("linked accounts %q, want %s", s, w.unit.Name)
	}
	b.fitsWidth("enterprise page at 1366×768")
	b.shot("enterprise-1366x768.png")
	b.run("find it in the list",
		chromedp.Navigate(base+"/enterprises?q="+company),
		chromedp.WaitVisible(chromedp.CSS(`#enterprises`)),
	)
	if s := b.text("#enterprises"); !strings.Contains(s, company) {
		t.Fatalf("search for %s: %q", company, s)
	}
}
