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

var custJobLoc = regexp.MustCompile(`^(/customers/import/[A-Za-z0-9_-]+)/progress$`)

// custStartImport uploads a customer file and returns its job's base
// path (its page is base/progress; status, problems.csv and cancel hang
// under it too).
func (b *browser) custStartImport(name, data string) string {
	b.t.Helper()
	p := b.libUpload("/customers/import", name, data)
	m := custJobLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		b.t.Fatalf("customer import: %d %q, want 303 to its page; body: %.600s", p.Status, p.location(), p.Body)
	}
	return m[1]
}

// custWaitJob polls a customer import until it is no longer running.
func (b *browser) custWaitJob(base string, within time.Duration) libJobJSON {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		j := b.libJob(base) // base/status
		if j.Phase != "running" {
			return j
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("import %s still running after %s: %+v", base, within, j)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// custImport imports a customer file, waits for its end and returns its base path.
func (b *browser) custImport(name, data string) string {
	b.t.Helper()
	base := b.custStartImport(name, data)
	b.custWaitJob(base, time.Minute)
	return base
}

// customersFile is n rows of fresh phones, their occupation occ.
func customersFile(n int, occ string) string {
	var b strings.Builder
	b.WriteString("手机号,姓名,职业,年龄,收入\n")
	for i := range n {
		fmt.Fprintf(&b, "%s,客户%d,%s,%d,5000-10000\n", admNumber(), i, occ, 20+i%50)
	}
	return b.String()
}

func customerCount(t *testing.T, q store.CustomerQuery) int64 {
	t.Helper()
	st, err := sb.Store.CustomerStatsOf(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return st.Total
}

// A customer file is read and saved in the background: the upload answers
// at once with the job's page, whose status counts rows, new, updated and
// invalid rows exactly; the records go to the importer's organisation
// with the header's further columns as details; the report lists the
// invalid rows (line, value, reason) and gives them as CSV; the job is its
// user's only, and only /customers' editors import.
func TestCustomerImportInBackground(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	ctx := context.Background()
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	p1, p2, p3 := admNumber(), admNumber(), admNumber()
	if _, err := sb.Store.SaveCustomers(ctx, []*store.Customer{{OrgID: w.county.ID, Phone: p2, Name: "旧名", Occupation: "律师", Source: "form"}}); err != nil {
		t.Fatal(err)
	}
	file := "手机号,姓名,职业,年龄,收入,车\n" + // line 1
		p1 + ",李四,医生,52,,有\n" + // 2: new
		p2 + ",,教师,,20000+,\n" + // 3: updated, its name kept
		"xyz,王五,,,\n" + // 4: invalid phone
		p3 + ",赵六,,300,\n" + // 5: invalid age
		"\n" + // 6: empty, skipped
		p1 + ",李四,医生,53,,无\n" // 7: repeated: updated
	base := op.custStartImport("客户.csv", file)
	j := op.custWaitJob(base, time.Minute)
	if j.Phase != "done" || j.Rows != 5 || j.Added != 1 || j.Updated != 2 || j.Invalid != 2 || j.Percent != 100 || j.Stored != 3 {
		t.Fatalf("import status %+v", j)
	}
	p := op.get(base + "/progress")
	wantStatus(t, "import page", p, http.StatusOK)
	mustContain(t, "import report", p.Body, `id="lib-report"`, "文件 客户.csv：5 行，新增 1，更新 2，无效 2。", `id="lib-invalid"`,
		"新增客户", "已有客户（更新）", "无效行", "未导入的行", `<td data-label="行号" class="num">4</td><td data-label="内容">xyz</td>`, "不是有效的手机号码",
		`<td data-label="行号" class="num">5</td><td data-label="内容">300</td>`, "年龄应为 1 到 120", `href="/customers"`)
	mustNotContain(t, "finished import", p.Body, `id="lib-cancel"`)
	cs, err := sb.Store.Customers(ctx, store.CustomerQuery{Text: p1})
	if err != nil || len(cs) != 1 || cs[0].OrgID != w.county.ID || cs[0].Age != 53 || cs[0].Fields["车"] != "无" || cs[0].Source != "import" {
		t.Fatalf("imported record: %+v %v", cs, err)
	}
	if cs, _ = sb.Store.Customers(ctx, store.CustomerQuery{Text: p2}); len(cs) != 1 || cs[0].Name != "旧名" || cs[0].Occupation != "教师" || cs[0].Income != "20000+" {
		t.Fatalf("updated record: %+v", cs)
	}
	if n := customerCount(t, store.CustomerQuery{Text: p3}); n != 0 {
		t.Fatalf("the row of a bad age was stored (%d)", n)
	}
	mustContain(t, "customers page", op.get("/customers").Body, "共 2 位客户", "医生</a>: 1")
	// The invalid rows as CSV: line, value, reason.
	p = op.get(base + "/problems.csv")
	wantStatus(t, "problems.csv", p, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][1] != "内容" || recs[1][0] != "4" || recs[1][1] != "xyz" || recs[1][2] != "不是有效的手机号码" ||
		recs[2][0] != "5" || recs[2][1] != "300" || recs[2][2] != "年龄应为 1 到 120。" {
		t.Fatalf("problems.csv = %q %v", recs, err)
	}
	// Another user of the same county does not see the job; a library
	// import's URL does not reach it either.
	other, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	for _, path := range []string{base + "/progress", base + "/status", base + "/problems.csv"} {
		wantStatus(t, "another user's "+path, other.get(path), http.StatusNotFound)
	}
	wantStatus(t, "another user's cancel", other.post(base+"/cancel", form(other.csrf())), http.StatusNotFound)
	// An auditor and a partner may not import; another city sees none of the records.
	aud, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	wantStatus(t, "auditor import", aud.libUpload("/customers/import", "x.csv", admNumber()+"\n"), http.StatusForbidden)
	wantStatus(t, "auditor reading the job", aud.get(base+"/progress"), http.StatusForbidden)
	partner, _ := loggedIn(t, srv, store.RolePartner, nil, w.partner)
	wantStatus(t, "partner import", partner.libUpload("/customers/import", "x.csv", admNumber()+"\n"), http.StatusForbidden)
	city2, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city2, nil)
	mustNotContain(t, "other city", city2.get("/customers").Body, p1, p2)
	// A broken file is refused at once, on the customers page.
	p = op.libUpload("/customers/import", "a.xls", "\xD0\xCF\x11\xE0rest")
	wantStatus(t, "old xls", p, http.StatusBadRequest)
	mustContain(t, "old xls", p.Body, "xls", `id="cust-import"`)
	// A header only: the job says there is nothing in it.
	j = op.custWaitJob(op.custStartImport("empty.csv", "手机号,姓名\n"), time.Minute)
	if j.Phase != "failed" {
		t.Fatalf("header-only file: %+v", j)
	}
}

// A user runs at most three customer imports at once (a number import is
// another kind and may still start); cancelling one stops it after the
// chunk being written: what was stored stays, and the page says how many
// — exactly what the store holds of that file.
func TestCustomerImportCancelAndLimit(t *testing.T) {
	n := 50_000
	if raceOn {
		n = 15_000
	}
	srv := adminConsole(t)
	w := newWorld(t)
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	var bases []string
	for i := range 3 {
		bases = append(bases, city.custStartImport("big.csv", customersFile(n, fmt.Sprintf("批次%d", i))))
	}
	p := city.libUpload("/customers/import", "x.csv", admNumber()+"\n")
	wantStatus(t, "a fourth import at once", p, http.StatusTooManyRequests)
	mustContain(t, "a fourth import at once", p.Body, "您已有 3 个客户导入正在进行")
	cat := newCategory(t, w.city, fmt.Sprintf("另一种-%d", w.n))
	city.libWaitJob(city.libStartImport(cat.ID, "x.csv", admNumber()+"\n"), time.Minute)

	// Cancel the first once it has stored something.
	deadline := time.Now().Add(60 * time.Second)
	for city.libJob(bases[0]).Stored == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first import stores nothing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	wantStatus(t, "cancel", city.post(bases[0]+"/cancel", form(city.csrf())), http.StatusSeeOther)
	j := city.custWaitJob(bases[0], 30*time.Second)
	if j.Phase != "cancelled" || j.Stored == 0 || j.Stored >= n || j.Stored != j.Added || j.Stored%1000 != 0 {
		t.Fatalf("cancelled import: %+v", j)
	}
	if got := customerCount(t, store.CustomerQuery{OrgIDs: []int64{w.city.ID}, Occupation: "批次0"}); got != int64(j.Stored) {
		t.Fatalf("the store holds %d records of the file, the page says %d were stored", got, j.Stored)
	}
	p = city.get(bases[0] + "/progress")
	mustContain(t, "cancelled page", p.Body, `id="lib-cancelled"`, "导入已取消：已保存 "+strconv.Itoa(j.Stored)+" 位客户的资料")
	mustNotContain(t, "cancelled page", p.Body, `id="lib-cancel"`)
	// With one cancelled, a new import may start.
	extra := city.custStartImport("x.csv", admNumber()+",新客户\n")
	for _, b := range append(bases[1:], extra) {
		wantStatus(t, "cancel", city.post(b+"/cancel", form(city.csrf())), http.StatusSeeOther)
		city.custWaitJob(b, 30*time.Second)
	}
}

// The status is JSON the page's script reads: counts and the sentence.
func TestCustomerImportStatusJSON(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	op, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	base := op.custStartImport("c.txt", admNumber()+"\t张三\n")
	op.custWaitJob(base, time.Minute)
	p := op.get(base+"/status", "Accept", "application/json", "X-Console-Refresh", "1")
	var m map[string]any
	if err := json.Unmarshal([]byte(p.Body), &m); err != nil || m["phase"] != "done" || m["added"] != 1.0 || m["text"] != "已读 100%：1 行，新增 1，更新 0，无效 0" {
		t.Fatalf("status %s (%v)", p.Body, err)
	}
}
