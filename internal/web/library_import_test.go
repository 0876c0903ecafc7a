package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// libJobJSON is what a library import's page polls.
type libJobJSON struct {
	Phase   string `json:"phase"`
	Percent int    `json:"percent"`
	Rows    int    `json:"rows"`
	Added   int    `json:"added"`
	Updated int    `json:"updated"`
	Invalid int    `json:"invalid"`
	Stored  int    `json:"stored"`
	Text    string `json:"text"`
}

var libJobLoc = regexp.MustCompile(`^/library/(\d+)/import/([A-Za-z0-9_-]+)$`)

// libStartImport uploads a file into a category and returns its job's page path.
func (b *browser) libStartImport(catID int64, name, data string) string {
	b.t.Helper()
	p := b.libUpload(fmt.Sprintf("/library/%d/import", catID), name, data)
	if p.Status != http.StatusSeeOther || !libJobLoc.MatchString(p.location()) {
		b.t.Fatalf("library import: %d %q, want 303 to its page; body: %.600s", p.Status, p.location(), p.Body)
	}
	return p.location()
}

func (b *browser) libJob(path string) libJobJSON {
	b.t.Helper()
	p := b.get(path+"/status", "Accept", "application/json", "X-Console-Refresh", "1")
	if p.Status != http.StatusOK {
		b.t.Fatalf("import status %s: %d %s", path, p.Status, p.Body)
	}
	var j libJobJSON
	if err := json.Unmarshal([]byte(p.Body), &j); err != nil {
		b.t.Fatalf("import status %s: %v: %s", path, err, p.Body)
	}
	return j
}

// libWaitJob polls an import until it is no longer running.
func (b *browser) libWaitJob(path string, within time.Duration) libJobJSON {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		j := b.libJob(path)
		if j.Phase != "running" {
			return j
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("import %s still running after %s: %+v", path, within, j)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// libImport imports a file and waits for its end.
func (b *browser) libImport(catID int64, name, data string) (string, libJobJSON) {
	b.t.Helper()
	path := b.libStartImport(catID, name, data)
	return path, b.libWaitJob(path, time.Minute)
}

func newCategory(t *testing.T, org *store.Org, name string) *store.NumberCategory {
	t.Helper()
	c := &store.NumberCategory{OrgID: org.ID, Name: name, CreatedBy: "test", CreatedAt: time.Now()}
	if err := sb.Store.CreateNumberCategory(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func categoryCount(t *testing.T, id int64) int64 {
	t.Helper()
	c, err := sb.Store.NumberCategory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Count
}

// numbersFile is n fresh numbers, one a line with a region, and the numbers.
func numbersFile(n int, province, city string) (string, []string) {
	var b strings.Builder
	nums := make([]string, n)
	for i := range nums {
		nums[i] = admNumber()
		b.WriteString(nums[i] + "," + province + "," + city + ",bulk\n")
	}
	return b.String(), nums
}

// A library file is read and stored in the background: the upload answers
// at once with the job's page, whose status counts rows, new, updated and
// invalid rows; the report lists the invalid rows (line, value, reason)
// and gives them as CSV; the job is its user's only; the stored numbers
// carry region, tags and operator.
func TestLibraryImportInBackground(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	ctx := context.Background()
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	cat := newCategory(t, w.city, fmt.Sprintf("后台导入-%d", w.n))
	n1, n2, n3 := admNumber(), admNumber(), admNumber()
	if _, err := sb.Store.AddNumbers(ctx, []store.NumberEntry{{CategoryID: cat.ID, Number: n3, Province: "湖南"}}); err != nil {
		t.Fatal(err)
	}
	file := "号码,省份,城市,标签\n" + n1 + ",广东,广州,gold|new\nabc,广东,广州,\n" + n2 + ",广东,深圳,\n" + n3 + ",广东,佛山,gold\n\n12345,,,\n"
	path, j := city.libImport(cat.ID, "号码.csv", file)
	if j.Phase != "done" || j.Rows != 5 || j.Added != 2 || j.Updated != 1 || j.Invalid != 2 || j.Percent != 100 || j.Stored != 3 {
		t.Fatalf("import status %+v", j)
	}
	p := city.get(path)
	wantStatus(t, "import page", p, http.StatusOK)
	mustContain(t, "import report", p.Body, `id="lib-report"`, "5 行，新增 2，更新 1，无效 2", `id="lib-invalid"`,
		"<td data-label=\"行号\" class=\"num\">3</td><td data-label=\"号码\">abc</td>", "不是有效的手机号码", ">7</td>", "12345")
	mustNotContain(t, "finished import", p.Body, `id="lib-cancel"`)
	if got := categoryCount(t, cat.ID); got != 3 {
		t.Fatalf("category has %d numbers, want 3", got)
	}
	es, err := sb.Store.SearchNumbers(ctx, store.NumberQuery{CategoryIDs: []int64{cat.ID}, City: "广州", Tag: "new"})
	if err != nil || len(es) != 1 || es[0].Number != n1 || es[0].Operator == "" {
		t.Fatalf("stored entry: %+v %v", es, err)
	}
	if es, _ = sb.Store.SearchNumbers(ctx, store.NumberQuery{CategoryIDs: []int64{cat.ID}, Prefix: n3}); len(es) != 1 || es[0].City != "佛山" {
		t.Fatalf("updated entry: %+v", es)
	}
	// The invalid rows as CSV: line, value, reason.
	p = city.get(path + "/problems.csv")
	wantStatus(t, "problems.csv", p, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][0] != "3" || recs[1][1] != "abc" || recs[2][0] != "7" || recs[2][2] != "不是有效的手机号码" {
		t.Fatalf("problems.csv = %q %v", recs, err)
	}
	// Another user of the same city does not see the job; the county below
	// may not import into the city's category; an auditor may not import.
	other, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	wantStatus(t, "another user's import", other.get(path), http.StatusNotFound)
	wantStatus(t, "another user's cancel", other.post(path+"/cancel", form(other.csrf())), http.StatusNotFound)
	county, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	if p = county.libUpload(fmt.Sprintf("/library/%d/import", cat.ID), "x.csv", n1+"\n"); p.Status != http.StatusNotFound {
		t.Fatalf("county importing into the city's category: %d", p.Status)
	}
	aud, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	wantStatus(t, "auditor import", aud.libUpload(fmt.Sprintf("/library/%d/import", cat.ID), "x.csv", n1+"\n"), http.StatusForbidden)
	// A broken file is refused at once, on the library page.
	p = city.libUpload(fmt.Sprintf("/library/%d/import", cat.ID), "a.xls", "\xD0\xCF\x11\xE0rest")
	wantStatus(t, "old xls", p, http.StatusBadRequest)
	mustContain(t, "old xls", p.Body, "xls")
	// A file with a header only: the job says there is nothing in it.
	_, j = city.libImport(cat.ID, "empty.csv", "号码,省份\n")
	if j.Phase != "failed" {
		t.Fatalf("header-only file: %+v", j)
	}
}

// A user runs at most three imports at once; cancelling one stops it
// after the chunk being written: what was stored stays, and the page says
// how much — exactly what the category holds.
func TestLibraryImportCancelAndLimit(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	var cats []*store.NumberCategory
	var paths []string
	for i := range 3 {
		c := newCategory(t, w.city, fmt.Sprintf("大文件-%d-%d", w.n, i))
		data, _ := numbersFile(150_000, "广东", "广州")
		cats = append(cats, c)
		paths = append(paths, city.libStartImport(c.ID, "big.csv", data))
	}
	extra := newCategory(t, w.city, fmt.Sprintf("第四个-%d", w.n))
	p := city.libUpload(fmt.Sprintf("/library/%d/import", extra.ID), "x.csv", admNumber()+"\n")
	wantStatus(t, "a fourth import at once", p, http.StatusTooManyRequests)
	mustContain(t, "a fourth import at once", p.Body, "3 个号码导入正在进行")

	// Cancel the first once it has stored something.
	deadline := time.Now().Add(30 * time.Second)
	for city.libJob(paths[0]).Stored == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first import stores nothing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	wantStatus(t, "cancel", city.post(paths[0]+"/cancel", form(city.csrf())), http.StatusSeeOther)
	j := city.libWaitJob(paths[0], 30*time.Second)
	if j.Phase != "cancelled" || j.Stored == 0 || j.Stored >= 150_000 || j.Stored != j.Added {
		t.Fatalf("cancelled import: %+v", j)
	}
	if got := categoryCount(t, cats[0].ID); got != int64(j.Stored) {
		t.Fatalf("the category holds %d numbers, the page says %d were stored", got, j.Stored)
	}
	p = city.get(paths[0])
	mustContain(t, "cancelled page", p.Body, `id="lib-cancelled"`, "导入已取消：已保存 "+strconv.Itoa(j.Stored)+" 个号码")
	// With one cancelled, a new import may start; the others are cancelled too.
	wantStatus(t, "an import after a cancel", city.libUpload(fmt.Sprintf("/library/%d/import", extra.ID), "x.csv", admNumber()+"\n"), http.StatusSeeOther)
	wantStatus(t, "cancel", city.post(paths[2]+"/cancel", form(city.csrf())), http.StatusSeeOther)
	city.libWaitJob(paths[2], 30*time.Second)
	// Deleting a category stops its import first: no number of it is left behind.
	wantStatus(t, "delete during an import", city.post(fmt.Sprintf("/library/%d/delete", cats[1].ID), form(city.csrf())), http.StatusSeeOther)
	if n, err := sb.Store.CountNumbers(context.Background(), store.NumberQuery{CategoryIDs: []int64{cats[1].ID}}); err != nil || n != 0 {
		t.Fatalf("the deleted category's import left %d numbers (%v)", n, err)
	}
}

// A file of a million numbers is read and stored a chunk at a time, its
// progress moving as it goes (some 35 s on SQLite; 20,000 numbers under
// the race detector; skipped with -short).
func TestLibraryImportMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("a million numbers")
	}
	n := 1_000_000
	if raceOn {
		n = 20_000
	}
	srv := adminConsole(t)
	w := newWorld(t)
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	cat := newCategory(t, w.city, fmt.Sprintf("百万-%d", w.n))
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "1860%07d,广东,广州\n", i)
	}
	start := time.Now()
	path := city.libStartImport(cat.ID, "million.txt", b.String())
	var seen []int
	deadline := time.Now().Add(10 * time.Minute)
	for {
		j := city.libJob(path)
		if j.Phase != "running" {
			if j.Phase != "done" || j.Rows != n || j.Added+j.Updated != n || j.Invalid != 0 {
				t.Fatalf("million import: %+v", j)
			}
			break
		}
		if len(seen) == 0 || seen[len(seen)-1] != j.Percent {
			seen = append(seen, j.Percent)
		}
		if time.Now().After(deadline) {
			t.Fatalf("million import still running: %+v", j)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(seen) < 3 {
		t.Errorf("the progress moved through %v only", seen)
	}
	if got := categoryCount(t, cat.ID); got != int64(n) {
		t.Fatalf("category holds %d", got)
	}
	t.Logf("%d numbers imported in %s (progress seen %v)", n, time.Since(start).Round(time.Second), seen)
}
