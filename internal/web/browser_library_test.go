package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// The number library and customer records in a real browser: a city
// administrator creates a category, imports a file with an invalid row
// and reads the report, finds the imported number by tag, then records a
// customer and finds it by name.
func TestBrowserLibraryImportAndCustomerSearch(t *testing.T) {
	b := newChrome(t, 90*time.Second)
	w := newWorld(t)
	name, pw := userIn(t, store.RoleOrgAdmin, w.city, nil)
	base := "http://" + sb.Addr()
	b.login(base, name, pw)
	cat := fmt.Sprintf("重点客户%d", w.n)
	b.run("create a category",
		chromedp.Navigate(base+"/library"),
		chromedp.WaitVisible(chromedp.CSS(`#lib-add`)),
		chromedp.SendKeys(chromedp.CSS(`#lib-name`), cat),
		chromedp.Click(chromedp.CSS(`#lib-add button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lib-categories tr[data-category="`+cat+`"]`)),
	)
	good := admNumber()
	file := filepath.Join(t.TempDir(), "号码.csv")
	if err := os.WriteFile(file, []byte("号码,省份,城市,标签\n"+good+",广东,广州,vip\nnot-a-number,广东,广州,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	row := `#lib-categories tr[data-category="` + cat + `"] `
	b.run("import a file with an invalid row",
		chromedp.SetUploadFiles(chromedp.CSS(row+`input[type="file"]`), []string{file}),
		chromedp.Click(chromedp.CSS(row+`.lib-import button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lib-report`)),
	)
	if s := b.text("#lib-report"); !strings.Contains(s, "新增 1") || !strings.Contains(s, "无效 1") || !strings.Contains(s, "not-a-number") {
		t.Fatalf("import report %q", s)
	}
	b.run("search by tag",
		chromedp.Navigate(base+"/library?search=1&tag=vip&prefix="+good[:7]),
		chromedp.WaitVisible(chromedp.CSS(`#lib-numbers`)),
	)
	if s := b.text("#lib-numbers"); !strings.Contains(s, good) {
		t.Fatalf("the imported number is not found by its tag: %q", s)
	}
	b.fitsWidth("number library at 1366×768")
	b.shot("library-1366x768.png")

	person := fmt.Sprintf("李明%d", w.n)
	phone := admNumber()
	b.run("record a customer",
		chromedp.Navigate(base+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`#cust-add`)),
		chromedp.SendKeys(chromedp.CSS(`#c-phone`), phone),
		chromedp.SendKeys(chromedp.CSS(`#c-name`), person),
		chromedp.SendKeys(chromedp.CSS(`#c-occ`), "教师"),
		chromedp.Click(chromedp.CSS(`#cust-add button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .flash`)), // the page the form leads to
	)
	b.run("search the customer by name",
		chromedp.Navigate(base+"/customers?q="+person),
		chromedp.WaitVisible(chromedp.CSS(`#customers`)),
	)
	if s := b.text("#customers"); !strings.Contains(s, phone) || !strings.Contains(s, "教师") {
		t.Fatalf("customer search for %s: %q", person, s)
	}
	b.shot("customers-1366x768.png")
}
