package web_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"hongyan/internal/store"
)

// One customer record edited in place: its form shows the record with its
// other details one a row; a phone another record has is refused next to
// the field, an invalid age and a detail without a name too, each keeping
// what was typed; a detail is removed and another added; out of scope is
// 404, an auditor 403, CSRF required.
func TestCustomerEdit(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	ctx := context.Background()
	a := &store.Customer{OrgID: w.county.ID, Phone: admNumber(), Name: "张三", Occupation: "教师", Age: 35, Income: "5000-10000",
		Fields: map[string]string{"爱好": "书法", "车": "无"}, Source: "form"}
	b := &store.Customer{OrgID: w.county.ID, Phone: admNumber(), Name: "李四", Source: "form"}
	if _, err := sb.Store.SaveCustomers(ctx, []*store.Customer{a, b}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/customers/%d/edit", a.ID)
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	mustContain(t, "customers page", op.get("/customers").Body, `href="`+path+`"`)
	p := op.get(path)
	wantStatus(t, "edit form", p, http.StatusOK)
	mustContain(t, "edit form", p.Body, `value="`+a.Phone+`"`, `value="张三"`, `value="35"`, `value="爱好"`, `value="书法"`, `name="fdel" value="1"`)

	// fkey/fval rows as the form has them: 爱好, 车, then empty rows.
	post := func(csrf string, kv ...string) page {
		t.Helper()
		v := form(csrf, "phone", a.Phone, "name", "张三丰", "occupation", "教授", "age", "36", "income", "")
		for i := 0; i+1 < len(kv); i += 2 {
			v[kv[i]] = append(v[kv[i]], kv[i+1])
		}
		return op.post(path, v)
	}
	rows := []string{"fkey", "爱好", "fval", "书法", "fkey", "车", "fval", "无", "fkey", "", "fval", ""}

	// The other record's phone: refused, said next to the field, typed values kept.
	v := form(op.csrf(), "phone", b.Phone, "name", "张三丰", "occupation", "教授", "age", "36")
	p = op.post(path, v)
	wantStatus(t, "a taken phone", p, http.StatusConflict)
	mustContain(t, "a taken phone", p.Body, `id="e-phone-error"`, "手机号 "+b.Phone+" 已有另一位客户的资料", `value="张三丰"`, `value="教授"`)
	p = post(op.csrf(), append([]string{}, "fkey", "爱好", "fval", "书法", "fkey", "", "fval", "孤零零")...)
	wantStatus(t, "a detail without a name", p, http.StatusBadRequest)
	mustContain(t, "a detail without a name", p.Body, `id="e-fields-error"`, "其他信息的每一项都需要名称", `value="孤零零"`)
	v = form(op.csrf(), "phone", "12", "age", "300", "name", "王")
	p = op.post(path, v)
	wantStatus(t, "bad phone and age", p, http.StatusBadRequest)
	mustContain(t, "bad phone and age", p.Body, "请填写有效的手机号", "年龄应为 1 到 120", `value="12"`, `value="300"`)
	wantStatus(t, "without CSRF", post("wrong", rows...), http.StatusForbidden)
	if got, _ := sb.Store.GetCustomer(ctx, a.ID); got.Name != "张三" || got.Phone != a.Phone {
		t.Fatalf("a refused edit changed the record: %+v", got)
	}

	// 车 removed (its box ticked), 单位 added in an empty row; 爱好 kept.
	newPhone := admNumber()
	v = form(op.csrf(), "phone", newPhone, "name", "张三丰", "occupation", "教授", "age", "36", "income", "",
		"fkey", "爱好", "fval", "书法", "fkey", "车", "fval", "无", "fdel", "1", "fkey", "单位", "fval", "邮政", "fkey", "", "fval", "")
	p = op.post(path, v)
	wantStatus(t, "edit", p, http.StatusSeeOther)
	if loc := p.location(); !strings.HasPrefix(loc, "/customers?q="+url.QueryEscape(newPhone)) {
		t.Fatalf("edit leads to %q", loc)
	}
	got, err := sb.Store.GetCustomer(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != newPhone || got.Name != "张三丰" || got.Occupation != "教授" || got.Age != 36 || got.Income != "" || got.Source != "form" ||
		!maps.Equal(got.Fields, map[string]string{"爱好": "书法", "单位": "邮政"}) || got.OrgID != w.county.ID {
		t.Fatalf("edited record: %+v", got)
	}
	mustContain(t, "after the edit", op.get(p.location()).Body, "张三丰", "单位=邮政", "客户资料已保存")

	// Out of scope: another city's administrator; the city above may.
	other, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city2, nil)
	wantStatus(t, "other city's form", other.get(path), http.StatusNotFound)
	wantStatus(t, "other city's edit", other.post(path, form(other.csrf(), "phone", newPhone, "name", "x")), http.StatusNotFound)
	cityAdm, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	wantStatus(t, "the city's form", cityAdm.get(path), http.StatusOK)
	aud, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	wantStatus(t, "auditor", aud.get(path), http.StatusForbidden)
	mustNotContain(t, "auditor's list", aud.get("/customers").Body, `/edit"`)
}

var nextPageRE = regexp.MustCompile(`id="cust-next" href="([^"]+)"`)

// A search's statistics count what it finds, not the page nor the whole
// scope; an occupation clicked narrows the search; the search pages
// through its records 200 at a time, newest first, each once.
func TestCustomerSearchStatsAndPaging(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	ctx := context.Background()
	tag := fmt.Sprintf("批%d", w.n)
	var cs []*store.Customer
	for i := range 230 {
		occ := "教师"
		if i%10 == 0 {
			occ = "医生"
		}
		cs = append(cs, &store.Customer{OrgID: w.city.ID, Phone: admNumber(), Name: fmt.Sprintf("%s-%03d", tag, i), Occupation: occ, Age: 20 + i%40, Source: "import"})
	}
	cs = append(cs, &store.Customer{OrgID: w.city.ID, Phone: admNumber(), Name: "别人", Occupation: "教师", Source: "form"})
	if _, err := sb.Store.SaveCustomers(ctx, cs); err != nil {
		t.Fatal(err)
	}
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	p := city.get("/customers")
	mustContain(t, "whole scope", p.Body, "共 231 位客户", "教师</a>: 208", "医生</a>: 23")
	p = city.get("/customers?q=" + url.QueryEscape(tag))
	mustContain(t, "search", p.Body, "找到 230 位客户", "教师</a>: 207", "医生</a>: 23", `id="cust-next"`)
	mustNotContain(t, "search", p.Body, ">别人<")
	mustContain(t, "search", p.Body, `id="cust-all"`)
	seen := map[string]bool{}
	count := func(body string) int {
		n := 0
		for _, c := range cs {
			if strings.Contains(body, ">"+c.Name+"<") {
				if seen[c.Name] {
					t.Errorf("%s listed twice", c.Name)
				}
				seen[c.Name] = true
				n++
			}
		}
		return n
	}
	if n := count(p.Body); n != 200 || !seen[fmt.Sprintf("%s-%03d", tag, 229)] {
		t.Fatalf("first page lists %d of the search (the newest first?)", n)
	}
	m := nextPageRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no next page")
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	if !strings.Contains(next, "q=") || !strings.Contains(next, "before=") {
		t.Fatalf("next page %q loses the search", next)
	}
	p = city.get(next)
	mustContain(t, "second page", p.Body, "找到 230 位客户", `id="cust-pages"`, "第一页")
	mustNotContain(t, "second page", p.Body, `id="cust-next"`)
	if n := count(p.Body); n != 30 || !seen[fmt.Sprintf("%s-%03d", tag, 0)] {
		t.Fatalf("second page lists %d", n)
	}
	// An occupation of the statistics narrows the search.
	p = city.get("/customers?occ=" + url.QueryEscape("医生") + "&q=" + url.QueryEscape(tag))
	mustContain(t, "occupation", p.Body, "找到 23 位客户", "医生</a>: 23", `name="occ" value="医生"`)
	mustNotContain(t, "occupation", p.Body, "教师</a>", ">"+tag+"-001<")
	if !strings.Contains(p.Body, ">"+tag+"-010<") {
		t.Error("a doctor of the search is not listed")
	}
	// Another city's search finds none of them.
	other, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city2, nil)
	mustContain(t, "other city", other.get("/customers?q="+url.QueryEscape(tag)).Body, "找到 0 位客户")
}
