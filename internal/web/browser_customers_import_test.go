package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// A customer file imported from /customers in a real browser: the form
// leads at once to the import's page, whose bar and counts move without
// a reload until the import has ended; the page then shows the report
// and the invalid row, and the records are there.
func TestBrowserCustomerImport(t *testing.T) {
	b := newChrome(t, 2*time.Minute)
	w := newWorld(t)
	name, pw := userIn(t, store.RoleOrgAdmin, w.city, nil)
	base := "http://" + sb.Addr()
	b.login(base, name, pw)
	n := 50_000
	if raceOn {
		n = 10_000 // saved some ten times slower
	}
	occ := fmt.Sprintf("职业%d", w.n)
	data := customersFile(n, occ)
	file := filepath.Join(t.TempDir(), "客户.csv")
	if err := os.WriteFile(file, []byte(data+"not-a-phone,某人,,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run("upload a large customer file",
		chromedp.Navigate(base+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`#cust-import input[type="file"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#cust-import input[type="file"]`), []string{file}),
		chromedp.Click(chromedp.CSS(`#cust-import button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lib-job`)),
	)
	b.shot("customers-import-1366x768.png")
	b.watchImport(n, 90*time.Second)
	if s := b.text("#lib-report"); !strings.Contains(s, fmt.Sprintf("%d 行，新增 %d，更新 0，无效 1", n+1, n)) {
		t.Fatalf("import report %q", s)
	}
	if s := b.text("#lib-invalid"); !strings.Contains(s, "not-a-phone") || !strings.Contains(s, strconv.Itoa(n+2)) {
		t.Fatalf("invalid rows %q", s)
	}
	if got := b.eval(`document.getElementById("problems-csv").getAttribute("href")`); !strings.HasSuffix(got, "/problems.csv") {
		t.Fatalf("problems link %q", got)
	}
	b.fitsWidth("customer import page at 1366×768")
	b.shot("customers-import-done-1366x768.png")
	if got := customerCount(t, store.CustomerQuery{OrgIDs: []int64{w.city.ID}, Occupation: occ}); got != int64(n) {
		t.Fatalf("the store holds %d records, want %d", got, n)
	}
	b.run("see the customers", chromedp.Click(chromedp.CSS(`.actions a.primary`)), chromedp.WaitVisible(chromedp.CSS(`#cust-stats`)))
	if s := b.text("#cust-stats"); !strings.Contains(s, fmt.Sprintf("共 %d 位客户", n)) {
		t.Fatalf("customers page after the import: %q", s)
	}
}
