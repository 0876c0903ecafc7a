package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"hongyan/internal/store"
)

// libUpload posts a file (field "file") with the CSRF field to path.
func (b *browser) libUpload(path, name, data string) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", b.csrf())
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(data))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// The number library: a city administrator creates a category, imports a
// file with an invalid row, searches by region and tag, grants it to
// another city (whose operator then finds it); a county operator does not
// see the city's category unless granted; CSRF is required.
func TestLibraryScopeImportAndGrant(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	ctx := context.Background()
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	name := fmt.Sprintf("VIP-%d", w.n)
	p := city.post("/library", form(city.csrf(), "name", name))
	wantStatus(t, "create", p, http.StatusSeeOther)
	if p = city.post("/library", form(city.csrf(), "name", name)); p.Status != http.StatusConflict || !strings.Contains(p.Body, "同名") {
		t.Fatalf("duplicate name: %d", p.Status)
	}
	if p = city.post("/library", form("wrong", "name", "x")); p.Status != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", p.Status)
	}
	cats, err := sb.Store.NumberCategories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cat *store.NumberCategory
	for _, c := range cats {
		if c.Name == name && c.OrgID == w.city.ID {
			cat = c
		}
	}
	if cat == nil {
		t.Fatal("category not stored")
	}
	n1, n2 := admNumber(), admNumber()
	file := "号码,省份,城市,标签\n" + n1 + ",广东,广州,gold|new\n" + n2 + ",广东,深圳,gold\nabc,广东,广州,\n"
	path, _ := city.libImport(cat.ID, "号码.csv", file)
	mustContain(t, "import report", city.get(path).Body, "3 行，新增 2，更新 0，无效 1", `<td data-label="号码">abc</td>`)
	p = city.get(fmt.Sprintf("/library?search=1&category=%d&city=%s&tag=gold", cat.ID, "广州"))
	mustContain(t, "search", p.Body, n1)
	mustNotContain(t, "search", p.Body, n2)

	// The county below sees the city's category? No: scope goes down, not up.
	county, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	mustNotContain(t, "county's library", county.get("/library").Body, name)
	if p = county.libUpload(fmt.Sprintf("/library/%d/import", cat.ID), "x.csv", n1+"\n"); p.Status != http.StatusNotFound {
		t.Fatalf("county importing into the city's category: %d", p.Status)
	}
	// Granted to the other city: its operator finds the numbers, may not change the category.
	p = city.post(fmt.Sprintf("/library/%d/grants", cat.ID), form(city.csrf(), "orgs", w.city2.Code))
	wantStatus(t, "grant", p, http.StatusSeeOther)
	other, _ := loggedIn(t, srv, store.RoleOperator, w.city2, nil)
	mustContain(t, "granted search", other.get("/library?search=1&tag=gold").Body, n1, n2)
	if p = other.post(fmt.Sprintf("/library/%d/delete", cat.ID), form(other.csrf())); p.Status != http.StatusNotFound {
		t.Fatalf("grantee deleting: %d", p.Status)
	}
	// An auditor reads, does not write.
	aud, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	if p = aud.post("/library", form(aud.csrf(), "name", "x")); p.Status != http.StatusForbidden {
		t.Fatalf("auditor creating: %d", p.Status)
	}
	// A partner has no library.
	partner, _ := loggedIn(t, srv, store.RolePartner, nil, w.partner)
	if p = partner.get("/library"); p.Status != http.StatusForbidden {
		t.Fatalf("partner: %d", p.Status)
	}
}

// Customers: added, searched, counted, imported with an invalid row,
// scoped, deleted; a survey keyword configured.
func TestCustomers(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	phone := admNumber()
	p := op.post("/customers", form(op.csrf(), "phone", phone, "name", "张三", "occupation", "教师", "age", "35", "income", "5000-10000", "fields", "爱好=书法"))
	wantStatus(t, "add", p, http.StatusSeeOther)
	p = op.post("/customers", form(op.csrf(), "phone", "12", "age", "300"))
	wantStatus(t, "bad add", p, http.StatusBadRequest)
	mustContain(t, "bad add", p.Body, "请填写有效的手机号", "年龄应为 1 到 120")
	p = op.get("/customers?q=" + phone)
	mustContain(t, "search", p.Body, "张三", "教师", "爱好=书法", "找到 1 位客户")
	p2 := admNumber()
	imp := op.custImport("客户.csv", "手机号,姓名,职业,年龄,收入,车\n"+p2+",李四,医生,52,,有\nxyz,王五,,,\n") // customers_import_test.go
	mustContain(t, "import", op.get(imp+"/progress").Body, "2 行，新增 1，更新 0，无效 1", `class="num">3</td><td data-label="内容">xyz</td>`)
	mustContain(t, "stats", op.get("/customers").Body, "共 2 位客户", "教师</a>: 1", "50-59: 1")
	// Another city sees none of them.
	other, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city2, nil)
	mustNotContain(t, "other city", other.get("/customers").Body, phone)
	cs, err := sb.Store.Customers(context.Background(), store.CustomerQuery{Text: phone})
	if err != nil || len(cs) != 1 {
		t.Fatalf("stored: %v %v", cs, err)
	}
	if p = other.post(fmt.Sprintf("/customers/%d/delete", cs[0].ID), form(other.csrf())); p.Status != http.StatusNotFound {
		t.Fatalf("other city deleting: %d", p.Status)
	}
	wantStatus(t, "delete", op.post(fmt.Sprintf("/customers/%d/delete", cs[0].ID), form(op.csrf())), http.StatusSeeOther)
	mustNotContain(t, "deleted", op.get("/customers").Body, phone)
	kw := fmt.Sprintf("DC%d", w.n)
	wantStatus(t, "survey", op.post("/customers/surveys", form(op.csrf(), "keyword", kw)), http.StatusSeeOther)
	mustContain(t, "survey listed", op.get("/customers").Body, kw)
	wantStatus(t, "survey twice", op.post("/customers/surveys", form(op.csrf(), "keyword", kw)), http.StatusConflict)
}
