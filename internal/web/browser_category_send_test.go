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

// The number library in a real browser, as a unit's user: a category
// sent to from its row (the batch reaches 已送达 on a page that did not
// reload), a search by province sent to (only the matching numbers, the
// batch's total says so), and a large file imported with the progress bar
// and counts moving without a reload until the report.
func TestBrowserLibrarySends(t *testing.T) {
	b := newChrome(t, 3*time.Minute)
	w := newBookWorld(t)
	name, pw := userIn(t, store.RoleOrgAdmin, w.city, nil)
	base := "http://" + sb.Addr()
	cat := newCategory(t, w.city, fmt.Sprintf("浏览器分类%d", w.n))
	gd1, gd2, hn := admNumber(), admNumber(), admNumber()
	libEntries(t, cat, [3]string{gd1, "广东", "广州"}, [3]string{gd2, "广东", "深圳"}, [3]string{hn, "湖南", "长沙"})
	b.login(base, name, pw)

	waitDelivered := func(what string, n int) {
		t.Helper()
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
			t.Fatal(err)
		}
		b.poll(what, fmt.Sprintf(`(function () {
			var d = document.querySelector('#b-counts [data-key="delivered"] dd');
			return d !== null && d.textContent === "%d" && window.notReloaded === true;
		})()`, n), 60*time.Second)
		if got := b.eval(`String(document.getElementById('b-final').max)`); got != strconv.Itoa(n) {
			t.Fatalf("%s: the batch has %s numbers, want %d", what, got, n)
		}
	}

	row := `#lib-categories tr[data-category="` + cat.Name + `"] `
	b.run("send to the category from its row",
		chromedp.Navigate(base+"/library"),
		chromedp.WaitVisible(chromedp.CSS(row+`a.lib-send`)),
		chromedp.Click(chromedp.CSS(row+`a.lib-send`)),
		chromedp.WaitVisible(chromedp.CSS(`#send-form`)),
		chromedp.SendKeys(chromedp.CSS(`#content`), "号码库分类浏览器测试"),
	)
	if s := b.text(".page-head"); !strings.Contains(s, cat.Name) || !strings.Contains(s, "3") {
		t.Fatalf("send form head %q", s)
	}
	b.fitsWidth("category send form at 1366×768")
	b.shot("library-send-1366x768.png")
	b.run("send", chromedp.Click(chromedp.CSS(`#send-button`)), chromedp.WaitVisible(chromedp.CSS(`#batch`)))
	waitDelivered("the category's batch reaches 已送达", 3)

	// A search by province: only its two numbers.
	b.run("search by province and send to the result",
		chromedp.Navigate(base+"/library?search=1&category="+strconv.FormatInt(cat.ID, 10)+"&province=广东"),
		chromedp.WaitVisible(chromedp.CSS(`#lib-search-send`)),
	)
	if s := b.text("#lib-found"); !strings.Contains(s, "共找到 2 个号码") {
		t.Fatalf("search result %q", s)
	}
	b.run("open the search's send form",
		chromedp.Click(chromedp.CSS(`#lib-search-send`)),
		chromedp.WaitVisible(chromedp.CSS(`#send-form`)),
		chromedp.SendKeys(chromedp.CSS(`#content`), "{city}的客户您好"),
	)
	if s := b.text(".page-head"); !strings.Contains(s, "省份 广东") || !strings.Contains(s, "共 2 个") {
		t.Fatalf("search send form head %q", s)
	}
	b.run("send to the search", chromedp.Click(chromedp.CSS(`#send-button`)), chromedp.WaitVisible(chromedp.CSS(`#batch`)))
	waitDelivered("the search's batch reaches 已送达", 2)
	b.shot("library-search-batch-1366x768.png")

	// A large file: the bar and the counts move on a page that does not
	// reload until the import has ended (samples kept across the reload).
	n := 100_000
	if raceOn {
		n = 30_000 // stored some ten times slower
	}
	data, _ := numbersFile(n, "广东", "广州")
	file := filepath.Join(t.TempDir(), "大文件.csv")
	if err := os.WriteFile(file, []byte("号码,省份,城市,标签\n"+data+"not-a-number,,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run("upload a large file into the category",
		chromedp.Navigate(base+"/library"),
		chromedp.WaitVisible(chromedp.CSS(row+`input[type="file"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(row+`input[type="file"]`), []string{file}),
		chromedp.Click(chromedp.CSS(row+`.lib-import button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lib-job`)),
	)
	b.shot("library-import-1366x768.png")
	b.watchImport(n, 2*time.Minute)
	if s := b.text("#lib-report"); !strings.Contains(s, fmt.Sprintf("%d 行，新增 %d，更新 0，无效 1", n+1, n)) {
		t.Fatalf("import report %q", s)
	}
	if s := b.text("#lib-invalid"); !strings.Contains(s, "not-a-number") || !strings.Contains(s, strconv.Itoa(n+2)) {
		t.Fatalf("invalid rows %q", s)
	}
	b.fitsWidth("library import page at 1366×768")
	b.shot("library-import-done-1366x768.png")
	if got := categoryCount(t, cat.ID); got != int64(n+3) {
		t.Fatalf("category holds %d numbers, want %d", got, n+3)
	}
}
