package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// The admin API of enterprise customers, customers and the number
// library: scoped like the console (the county does not see the city's;
// a path outside the scope is 404; an account outside it is refused),
// auditors read, partners are refused, every change audited.
func TestLibraryAdminAPI(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	ctx := context.Background()
	accs, err := sb.Store.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var partner *store.Account
	for _, a := range accs {
		if a.Name == DemoPartner {
			partner = a
		}
	}
	if partner == nil {
		t.Fatal("no partner account")
	}
	city, county := tok["gz-admin"], tok["ch-operator"]

	// Enterprises.
	st, m := call(t, sb, "POST", "/api/v1/admin/enterprises",
		fmt.Sprintf(`{"name":"鸿运物流","contact":"张经理","phone":"020-1234","accounts":["%d"]}`, partner.ID), city)
	if st != http.StatusCreated || m["org"] != DemoCity || m["name"] != "鸿运物流" || len(m["accounts"].([]any)) != 1 {
		t.Fatalf("create: %d %v", st, m)
	}
	eid, _ := m["id"].(string)
	want(t, "same name", answer(call(t, sb, "POST", "/api/v1/admin/enterprises", `{"name":"鸿运物流"}`, city)), 409, "duplicate")
	want(t, "province's account", answer(call(t, sb, "POST", "/api/v1/admin/enterprises",
		fmt.Sprintf(`{"name":"x","accounts":[%d]}`, sb.Account.ID), city)), 403, "forbidden")
	want(t, "no name", answer(call(t, sb, "POST", "/api/v1/admin/enterprises", `{}`, city)), 400, "invalid_enterprise")
	_, m = call(t, sb, "GET", "/api/v1/admin/enterprises", "", county)
	if es := list(m, "enterprises"); len(es) != 0 {
		t.Fatalf("county sees the city's enterprises: %v", es)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/enterprises?q=张", "", tok["auditor"])
	if es := list(m, "enterprises"); len(es) != 1 || es[0]["id"] != eid {
		t.Fatalf("auditor's list: %v", m)
	}
	want(t, "partner", answer(call(t, sb, "GET", "/api/v1/admin/enterprises", "", tok["partner"])), 403, "forbidden")
	if st := del(t, sb, "/api/v1/admin/enterprises/"+eid, county); st != http.StatusNotFound {
		t.Fatalf("county deleting the city's: %d", st)
	}
	if st := del(t, sb, "/api/v1/admin/enterprises/"+eid, city); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	au, err := sb.Store.Audit(ctx, store.AuditQuery{Object: "enterprise", ObjectID: eid})
	if err != nil || len(au) != 2 || au[0].Username != "gz-admin" {
		t.Fatalf("audit: %v %v", au, err)
	}

	// Customers.
	st, m = call(t, sb, "POST", "/api/v1/admin/customers", `{"phone":"13800138000","name":"张三","age":35,"fields":{"车":"有"}}`, county)
	if st != http.StatusCreated || m["org"] != DemoCounty {
		t.Fatalf("customer: %d %v", st, m)
	}
	cid, _ := m["id"].(string)
	if st, _ = call(t, sb, "POST", "/api/v1/admin/customers", `{"phone":"13800138000","occupation":"教师"}`, county); st != http.StatusOK {
		t.Fatalf("customer update: %d", st)
	}
	want(t, "bad phone", answer(call(t, sb, "POST", "/api/v1/admin/customers", `{"phone":"12"}`, county)), 400, "invalid_customer")
	_, m = call(t, sb, "GET", "/api/v1/admin/customers?q=教师", "", city) // the city sees the county's
	if cs := list(m, "customers"); len(cs) != 1 || cs[0]["name"] != "张三" {
		t.Fatalf("city's customers: %v", m)
	}
	st, m = call(t, sb, "POST", "/api/v1/admin/customers", `{"phone":"13800138001"}`, city)
	if st != http.StatusCreated {
		t.Fatalf("city's customer: %d %v", st, m)
	}
	if st := del(t, sb, "/api/v1/admin/customers/"+m["id"].(string), county); st != http.StatusNotFound {
		t.Fatalf("county deleting the city's customer: %d", st)
	}
	if st := del(t, sb, "/api/v1/admin/customers/"+cid, city); st != http.StatusNoContent {
		t.Fatalf("customer delete: %d", st)
	}

	// The library.
	st, m = call(t, sb, "POST", "/api/v1/admin/library/categories", `{"name":"VIP","note":"高价值"}`, city)
	if st != http.StatusCreated {
		t.Fatalf("category: %d %v", st, m)
	}
	catID, _ := m["id"].(string)
	if _, err := sb.Store.AddNumbers(ctx, []store.NumberEntry{{CategoryID: mustInt(t, catID), Number: "13900139000", Province: "广东", City: "广州"}}); err != nil {
		t.Fatal(err)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/library/numbers?city=广州", "", tok["auditor"])
	if ns := list(m, "numbers"); len(ns) != 1 || ns[0]["number"] != "13900139000" {
		t.Fatalf("auditor's search: %v", m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/library/categories", "", county)
	if cs := list(m, "categories"); len(cs) != 0 {
		t.Fatalf("county sees the city's category: %v", cs)
	}
	want(t, "county searching the city's category", answer(call(t, sb, "GET", "/api/v1/admin/library/numbers?category="+catID, "", county)), 404, "not_found")
	if st := del(t, sb, "/api/v1/admin/library/categories/"+catID, county); st != http.StatusNotFound {
		t.Fatalf("county deleting: %d", st)
	}
	if st := del(t, sb, "/api/v1/admin/library/categories/"+catID, city); st != http.StatusNoContent {
		t.Fatalf("category delete: %d", st)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rawCall sends body with its own content type and decodes the JSON answer.
func rawCall(t *testing.T, sb *Sandbox, method, path, contentType string, body []byte, key string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+sb.Addr()+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// multipartFile is a form with the field "file".
func multipartFile(t *testing.T, name string, data []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// auditCount counts the audit rows of an object.
func auditCount(t *testing.T, sb *Sandbox, object, objectID, action string) int {
	t.Helper()
	au, err := sb.Store.Audit(context.Background(), store.AuditQuery{Object: object, ObjectID: objectID})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range au {
		if e.Action == action {
			n++
		}
	}
	return n
}

func categoryNumbers(t *testing.T, sb *Sandbox, catID string) []string {
	t.Helper()
	es, err := sb.Store.SearchNumbers(context.Background(), store.NumberQuery{CategoryIDs: []int64{mustInt(t, catID)}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Number)
	}
	return out
}

// Editing the library through the admin API: rename, grants, numbers by
// JSON and by file, removal, numbers from traffic — each within the
// console's scope (the county cannot touch the platform's or the city's
// category, even one granted to it; partners and auditors are refused),
// bad input changing nothing, every change audited.
func TestLibraryAdminEdits(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	city, county, admin := tok["gz-admin"], tok["ch-operator"], tok["admin"]
	_, m := call(t, sb, "POST", "/api/v1/admin/library/categories", `{"name":"VIP","note":"高价值"}`, city)
	cat, _ := m["id"].(string)
	_, m = call(t, sb, "POST", "/api/v1/admin/library/categories", `{"name":"其他"}`, city)
	other, _ := m["id"].(string)
	_, m = call(t, sb, "POST", "/api/v1/admin/library/categories", `{"name":"全省"}`, admin)
	prov, _ := m["id"].(string)
	base := "/api/v1/admin/library/categories/"

	// Rename.
	st, m := call(t, sb, "PATCH", base+cat, `{"name":"VIP客户"}`, city)
	if st != http.StatusOK || m["name"] != "VIP客户" || m["note"] != "高价值" {
		t.Fatalf("rename: %d %v", st, m)
	}
	want(t, "taken name", answer(call(t, sb, "PATCH", base+cat, `{"name":"其他"}`, city)), 409, "duplicate")
	want(t, "empty name", answer(call(t, sb, "PATCH", base+cat, `{"name":" "}`, city)), 400, "invalid_category")
	want(t, "county renaming the city's", answer(call(t, sb, "PATCH", base+cat, `{"name":"x"}`, county)), 404, "not_found")
	want(t, "county renaming the platform's", answer(call(t, sb, "PATCH", base+prov, `{"name":"x"}`, county)), 404, "not_found")
	want(t, "auditor renaming", answer(call(t, sb, "PATCH", base+cat, `{"name":"x"}`, tok["auditor"])), 403, "forbidden")
	want(t, "partner renaming", answer(call(t, sb, "PATCH", base+cat, `{"name":"x"}`, tok["partner"])), 403, "forbidden")
	if c, _ := sb.Store.NumberCategory(context.Background(), mustInt(t, cat)); c.Name != "VIP客户" {
		t.Fatalf("refused renames changed the name: %q", c.Name)
	}
	if n := auditCount(t, sb, "number_category", cat, "update"); n != 1 {
		t.Fatalf("%d update audit rows, want 1", n)
	}

	// Grants.
	want(t, "unknown org", answer(call(t, sb, "PUT", base+cat+"/grants", `{"orgs":["GD-GZ-CH","NOPE"]}`, city)), 400, "invalid_org")
	_, m = call(t, sb, "GET", base+cat+"/grants", "", city)
	if o := m["orgs"].([]any); len(o) != 0 {
		t.Fatalf("a refused grant was stored: %v", m)
	}
	st, m = call(t, sb, "PUT", base+cat+"/grants", `{"orgs":["gd-gz-ch"]}`, city)
	if st != http.StatusOK || toJSON(m["orgs"]) != `["GD-GZ-CH"]` {
		t.Fatalf("grant: %d %v", st, m)
	}
	if _, m = call(t, sb, "GET", base+cat+"/grants", "", county); toJSON(m["orgs"]) != `["GD-GZ-CH"]` {
		t.Fatalf("the county reads its grant: %v", m)
	}
	want(t, "county granting the granted", answer(call(t, sb, "PUT", base+cat+"/grants", `{"orgs":[]}`, county)), 403, "forbidden")
	want(t, "county renaming the granted", answer(call(t, sb, "PATCH", base+cat, `{"name":"x"}`, county)), 403, "forbidden")
	want(t, "county adding to the granted", answer(call(t, sb, "POST", base+cat+"/numbers", `{"numbers":[{"number":"13800138000"}]}`, county)), 403, "forbidden")
	want(t, "county deleting the granted", answer(call(t, sb, "DELETE", base+cat, "", county)), 403, "forbidden")
	want(t, "grants out of scope", answer(call(t, sb, "GET", base+other+"/grants", "", county)), 404, "not_found")
	if n := auditCount(t, sb, "number_category", cat, "grant"); n != 1 {
		t.Fatalf("%d grant audit rows, want 1", n)
	}

	// Numbers by JSON: one bad number refuses the whole request.
	st, m = call(t, sb, "POST", base+cat+"/numbers",
		`{"numbers":[{"number":"13800138000","province":"广东","city":"广州","tags":["gold"]},{"number":"12"},{"number":"abc"}]}`, city)
	if st != http.StatusBadRequest || errCode(m) != "invalid_numbers" || m["invalid_count"] != 2.0 {
		t.Fatalf("bad numbers: %d %v", st, m)
	}
	if bad := list(m, "invalid"); len(bad) != 2 || bad[0]["line"] != 2.0 || bad[0]["value"] != "12" || bad[0]["reason"] == "" || bad[1]["value"] != "abc" {
		t.Fatalf("invalid list: %v", m["invalid"])
	}
	if ns := categoryNumbers(t, sb, cat); len(ns) != 0 {
		t.Fatalf("a refused request stored %v", ns)
	}
	st, m = call(t, sb, "POST", base+cat+"/numbers",
		`{"numbers":[{"number":"13800138000","province":"广东","city":"广州","tags":["gold"]},{"number":"+86 139-0013-9000"}]}`, city)
	if st != http.StatusOK || m["added"] != 2.0 || m["updated"] != 0.0 {
		t.Fatalf("numbers: %d %v", st, m)
	}
	st, m = call(t, sb, "POST", base+cat+"/numbers", `{"numbers":[{"number":"13800138000","city":"深圳"}]}`, city)
	if st != http.StatusOK || m["added"] != 0.0 || m["updated"] != 1.0 {
		t.Fatalf("again: %d %v", st, m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/library/numbers?city=深圳&category="+cat, "", city)
	if ns := list(m, "numbers"); len(ns) != 1 || ns[0]["number"] != "13800138000" {
		t.Fatalf("updated number: %v", m)
	}
	big := `{"numbers":[` + strings.Repeat(`{"number":"13800138000"},`, 10000) + `{"number":"13800138000"}]}`
	want(t, "10,001 numbers", answer(call(t, sb, "POST", base+cat+"/numbers", big, city)), 400, "invalid_numbers")

	// Numbers by file: a header, a bad row listed, the others stored; GBK read.
	csvFile := "号码,省,市,标签\n13700137000,广东,佛山,a|b\nnot-a-number,,,\n13600136000,广东,广州,\n"
	st, m = rawCall(t, sb, "POST", base+cat+"/numbers", "text/csv", []byte(csvFile), city)
	if st != http.StatusOK || m["added"] != 2.0 || m["invalid_count"] != 1.0 {
		t.Fatalf("CSV: %d %v", st, m)
	}
	if bad := list(m, "invalid"); len(bad) != 1 || bad[0]["line"] != 3.0 || bad[0]["value"] != "not-a-number" {
		t.Fatalf("CSV invalid: %v", m["invalid"])
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/library/numbers?tag=b&category="+cat, "", city)
	if ns := list(m, "numbers"); len(ns) != 1 || ns[0]["city"] != "佛山" {
		t.Fatalf("CSV tags: %v", m)
	}
	ct, body := multipartFile(t, "n.txt", []byte("13500135000\t广东\n13500135001\n"))
	if st, m = rawCall(t, sb, "POST", base+cat+"/numbers", ct, body, city); st != http.StatusOK || m["added"] != 2.0 {
		t.Fatalf("TXT upload: %d %v", st, m)
	}
	// A later part of a big file (?line=: the number of its first line), starting with the header again.
	st, m = rawCall(t, sb, "POST", base+cat+"/numbers?line=10000", "text/csv", []byte("号码\n13500135002\nabc\n"), city)
	if bad := list(m, "invalid"); st != http.StatusOK || m["added"] != 1.0 || len(bad) != 1 || bad[0]["line"] != 10002.0 || bad[0]["value"] != "abc" {
		t.Fatalf("a later part: %d %v", st, m)
	}
	before := categoryNumbers(t, sb, cat)
	st, m = rawCall(t, sb, "POST", base+cat+"/numbers", "text/csv", []byte("x,y\nbad\n12\n"), city)
	if st != http.StatusBadRequest || errCode(m) != "invalid_numbers" || m["invalid_count"] != 2.0 {
		t.Fatalf("a file of bad numbers: %d %v", st, m)
	}
	ct, body = multipartFile(t, "n.xlsx", []byte("PK\x03\x04rest"))
	want(t, "xlsx", answer(rawCall(t, sb, "POST", base+cat+"/numbers", ct, body, city)), 415, "unsupported_file")
	want(t, "empty file", answer(rawCall(t, sb, "POST", base+cat+"/numbers", "text/csv", []byte("\n"), city)), 400, "empty_file")
	if after := categoryNumbers(t, sb, cat); !slices.Equal(before, after) {
		t.Fatalf("refused files changed the numbers: %v → %v", before, after)
	}
	if n := auditCount(t, sb, "number_category", cat, "add_numbers"); n != 5 {
		t.Fatalf("%d add_numbers audit rows, want 5", n)
	}

	// Remove one number.
	if st := del(t, sb, base+cat+"/numbers/13500135000", county); st != http.StatusForbidden {
		t.Fatalf("county removing from the granted: %d", st)
	}
	if st := del(t, sb, base+cat+"/numbers/13500135000", city); st != http.StatusNoContent {
		t.Fatalf("remove: %d", st)
	}
	if st := del(t, sb, base+cat+"/numbers/13500135000", city); st != http.StatusNotFound {
		t.Fatalf("remove twice: %d", st)
	}
	if slices.Contains(categoryNumbers(t, sb, cat), "13500135000") {
		t.Fatal("removed number still there")
	}

	// From traffic: the province's account is outside the city's scope.
	id := firstID(t, send(t, sb, `{"to":["13300133000"],"content":"您的邮件已到达。"}`))
	waitState(t, sb, id, "delivered", 20*time.Second)
	today := time.Now().In(store.Shanghai).Format(time.DateOnly)
	tr := fmt.Sprintf(`{"from":"%s","until":"%s","delivered":true,"tags":["活跃"]}`, today, today)
	if st, m = call(t, sb, "POST", base+cat+"/traffic", tr, city); st != http.StatusOK || m["added"] != 0.0 {
		t.Fatalf("the city's traffic: %d %v", st, m)
	}
	want(t, "an account out of scope", answer(call(t, sb, "POST", base+cat+"/traffic",
		fmt.Sprintf(`{"from":"%s","until":"%s","delivered":true,"accounts":["%d"]}`, today, today, sb.Account.ID), city)), 403, "forbidden")
	want(t, "no source", answer(call(t, sb, "POST", base+prov+"/traffic", fmt.Sprintf(`{"from":"%s","until":"%s"}`, today, today), admin)), 400, "invalid_source")
	want(t, "bad period", answer(call(t, sb, "POST", base+prov+"/traffic", `{"from":"2026-11-02","until":"2026-11-01","delivered":true}`, admin)), 400, "invalid_range")
	if st, m = call(t, sb, "POST", base+prov+"/traffic", tr, admin); st != http.StatusOK || m["added"] != 1.0 {
		t.Fatalf("the platform's traffic: %d %v", st, m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/library/numbers?tag=活跃&category="+prov, "", admin)
	if ns := list(m, "numbers"); len(ns) != 1 || ns[0]["number"] != "13300133000" {
		t.Fatalf("traffic numbers: %v", m)
	}
	if n := auditCount(t, sb, "number_category", prov, "add_traffic"); n != 1 {
		t.Fatalf("%d add_traffic audit rows, want 1", n)
	}
}

// Customers through the admin API: one record, its edit in place (a phone
// taken is 409), imports by JSON (all or nothing) and by file, the
// statistics of the scope, and survey keywords — scoped and audited.
func TestCustomerAdminEdits(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	city, county := tok["gz-admin"], tok["ch-operator"]
	_, m := call(t, sb, "POST", "/api/v1/admin/customers", `{"phone":"13800138000","name":"张三","age":35,"fields":{"车":"有"}}`, county)
	cid, _ := m["id"].(string)
	_, m = call(t, sb, "POST", "/api/v1/admin/customers", `{"phone":"13800138001","name":"李四"}`, county)
	other, _ := m["id"].(string)
	_, m = call(t, sb, "POST", "/api/v1/admin/customers", `{"phone":"13800138002"}`, city)
	cityOne, _ := m["id"].(string)
	path := "/api/v1/admin/customers/"

	if st, m := call(t, sb, "GET", path+cid, "", city); st != http.StatusOK || m["name"] != "张三" || m["org"] != DemoCounty {
		t.Fatalf("get: %d %v", st, m)
	}
	want(t, "county reading the city's", answer(call(t, sb, "GET", path+cityOne, "", county)), 404, "not_found")
	want(t, "partner reading", answer(call(t, sb, "GET", path+cid, "", tok["partner"])), 403, "forbidden")

	st, m := call(t, sb, "PATCH", path+cid, `{"phone":"13900139000","occupation":"教师","age":36,"fields":{"房":"有"}}`, city)
	if st != http.StatusOK || m["phone"] != "13900139000" || m["name"] != "张三" || m["occupation"] != "教师" || m["age"] != 36.0 ||
		toJSON(m["fields"]) != `{"房":"有"}` || m["id"] != cid {
		t.Fatalf("patch: %d %v", st, m)
	}
	want(t, "phone taken", answer(call(t, sb, "PATCH", path+cid, `{"phone":"13800138001"}`, city)), 409, "duplicate")
	want(t, "bad age", answer(call(t, sb, "PATCH", path+cid, `{"age":200}`, city)), 400, "invalid_customer")
	want(t, "bad phone", answer(call(t, sb, "PATCH", path+cid, `{"phone":"12"}`, city)), 400, "invalid_customer")
	want(t, "county editing the city's", answer(call(t, sb, "PATCH", path+cityOne, `{"name":"x"}`, county)), 404, "not_found")
	want(t, "auditor editing", answer(call(t, sb, "PATCH", path+cid, `{"name":"x"}`, tok["auditor"])), 403, "forbidden")
	if c, _ := sb.Store.GetCustomer(context.Background(), mustInt(t, cid)); c.Phone != "13900139000" || c.Age != 36 {
		t.Fatalf("refused edits changed the record: %+v", c)
	}
	if n := auditCount(t, sb, "customer", cid, "update"); n != 1 {
		t.Fatalf("%d update audit rows, want 1", n)
	}
	_ = other

	// Import by JSON: one bad record refuses them all.
	count := func() int {
		cs, err := sb.Store.Customers(context.Background(), store.CustomerQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	n0 := count()
	st, m = call(t, sb, "POST", path+"import", `[{"phone":"13700137000","name":"王五"},{"phone":"1"},{"phone":"13700137001","age":300}]`, county)
	if bad := list(m, "invalid"); st != http.StatusBadRequest || errCode(m) != "invalid_customers" || len(bad) != 2 || bad[0]["line"] != 2.0 || bad[1]["line"] != 3.0 {
		t.Fatalf("bad import: %d %v", st, m)
	}
	if count() != n0 {
		t.Fatal("a refused import stored records")
	}
	st, m = call(t, sb, "POST", path+"import", `[{"phone":"13700137000","name":"王五","occupation":"司机","fields":{"x":"1"}},{"phone":"13800138001","occupation":"医生"}]`, county)
	if st != http.StatusOK || m["added"] != 1.0 || m["updated"] != 1.0 {
		t.Fatalf("import: %d %v", st, m)
	}
	if c, _ := sb.Store.GetCustomer(context.Background(), mustInt(t, other)); c.Name != "李四" || c.Occupation != "医生" {
		t.Fatalf("an imported update: %+v", c)
	}
	// By file: the header names the custom fields; a bad row is listed.
	csvFile := "手机,姓名,职业,年龄,收入,车型\n13600136000,赵六,教师,41,5000-10000,SUV\n13600136001,钱七,,abc,,\n"
	st, m = rawCall(t, sb, "POST", path+"import", "text/csv", []byte(csvFile), county)
	if bad := list(m, "invalid"); st != http.StatusOK || m["added"] != 1.0 || len(bad) != 1 || bad[0]["line"] != 3.0 {
		t.Fatalf("CSV import: %d %v", st, m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/customers?q=赵六", "", county)
	if cs := list(m, "customers"); len(cs) != 1 || toJSON(cs[0]["fields"]) != `{"车型":"SUV"}` || cs[0]["org"] != DemoCounty || cs[0]["age"] != 41.0 {
		t.Fatalf("imported record: %v", m)
	}
	if n := auditCount(t, sb, "customer", "", "import"); n != 2 {
		t.Fatalf("%d import audit rows, want 2", n)
	}

	// Statistics of the scope: the county's four, the city's five.
	_, m = call(t, sb, "GET", path+"stats", "", county)
	if occ, _ := m["by_occupation"].(map[string]any); m["total"] != 4.0 || len(occ) != 3 || occ["教师"] != 2.0 || occ["医生"] != 1.0 || occ["司机"] != 1.0 {
		t.Fatalf("county's stats: %v", m)
	}
	if _, m = call(t, sb, "GET", path+"stats", "", tok["auditor"]); m["total"] != 5.0 {
		t.Fatalf("auditor's stats: %v", m)
	}
	if bands, _ := m["by_age"].(map[string]any); bands["30-39"] != 1.0 || bands["40-49"] != 1.0 {
		t.Fatalf("age bands: %v", m["by_age"])
	}

	// Survey keywords.
	st, m = call(t, sb, "POST", "/api/v1/admin/surveys", `{"keyword":"ｄｃ 登记","reply":"谢谢"}`, county)
	if st != http.StatusCreated || m["keyword"] != "DC" || m["org"] != DemoCounty {
		t.Fatalf("survey: %d %v", st, m)
	}
	sid, _ := m["id"].(string)
	want(t, "same keyword", answer(call(t, sb, "POST", "/api/v1/admin/surveys", `{"keyword":"DC"}`, county)), 409, "duplicate")
	want(t, "no keyword", answer(call(t, sb, "POST", "/api/v1/admin/surveys", `{"keyword":"  "}`, county)), 400, "invalid_survey")
	want(t, "auditor adding", answer(call(t, sb, "POST", "/api/v1/admin/surveys", `{"keyword":"X"}`, tok["auditor"])), 403, "forbidden")
	if _, m = call(t, sb, "GET", "/api/v1/admin/surveys", "", city); len(list(m, "surveys")) != 1 {
		t.Fatalf("the city sees the county's survey: %v", m)
	}
	call(t, sb, "POST", "/api/v1/admin/surveys", `{"keyword":"GZ"}`, city)
	if _, m = call(t, sb, "GET", "/api/v1/admin/surveys", "", county); toJSON(field(list(m, "surveys"), "keyword")) != `["DC"]` {
		t.Fatalf("the county sees only its own: %v", m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/surveys", "", city)
	gz := list(m, "surveys")[1]["id"].(string)
	if st := del(t, sb, "/api/v1/admin/surveys/"+gz, county); st != http.StatusNotFound {
		t.Fatalf("county deleting the city's survey: %d", st)
	}
	if st := del(t, sb, "/api/v1/admin/surveys/"+sid, city); st != http.StatusNoContent {
		t.Fatalf("survey delete: %d", st)
	}
	if n := auditCount(t, sb, "survey", sid, "create") + auditCount(t, sb, "survey", sid, "delete"); n != 2 {
		t.Fatalf("%d survey audit rows, want 2", n)
	}
}

// libConsole is a browser logged in to the console.
func libConsole(t *testing.T, sb *Sandbox, user, pw string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	base := "http://" + sb.Addr()
	resp, err := c.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no csrf field")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "username": {user}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c
}

// Enterprise customers through the admin API: the edit of one (fields and
// accounts, in scope) and its report — the same figures as the console's
// customer page exports.
func TestEnterpriseAdminEditAndReport(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	city, county, admin := tok["gz-admin"], tok["ch-operator"], tok["admin"]
	partner, err := sb.Store.AccountByName(context.Background(), DemoPartner)
	if err != nil {
		t.Fatal(err)
	}
	_, m := call(t, sb, "POST", "/api/v1/admin/enterprises", `{"name":"鸿运物流","contact":"张经理"}`, city)
	eid, _ := m["id"].(string)
	call(t, sb, "POST", "/api/v1/admin/enterprises", `{"name":"顺丰"}`, city)
	path := "/api/v1/admin/enterprises/" + eid
	st, m := call(t, sb, "PATCH", path, fmt.Sprintf(`{"contact":"李经理","address":"广州","accounts":["%d"]}`, partner.ID), city)
	if st != http.StatusOK || m["name"] != "鸿运物流" || m["contact"] != "李经理" || m["address"] != "广州" || toJSON(m["accounts"]) != fmt.Sprintf(`["%d"]`, partner.ID) {
		t.Fatalf("patch: %d %v", st, m)
	}
	want(t, "an account out of scope", answer(call(t, sb, "PATCH", path, fmt.Sprintf(`{"accounts":["%d"]}`, sb.Account.ID), city)), 403, "forbidden")
	want(t, "a name taken", answer(call(t, sb, "PATCH", path, `{"name":"顺丰"}`, city)), 409, "duplicate")
	want(t, "no name", answer(call(t, sb, "PATCH", path, `{"name":""}`, city)), 400, "invalid_enterprise")
	want(t, "county editing the city's", answer(call(t, sb, "PATCH", path, `{"note":"x"}`, county)), 404, "not_found")
	want(t, "partner editing", answer(call(t, sb, "PATCH", path, `{"note":"x"}`, tok["partner"])), 403, "forbidden")
	if e, _ := sb.Store.Enterprise(context.Background(), mustInt(t, eid)); e.Name != "鸿运物流" || !slices.Equal(e.AccountIDs, []int64{partner.ID}) || e.Note != "" {
		t.Fatalf("refused edits changed it: %+v", e)
	}
	if n := auditCount(t, sb, "enterprise", eid, "update"); n != 1 {
		t.Fatalf("%d update audit rows, want 1", n)
	}
	want(t, "county's report", answer(call(t, sb, "GET", path+"/report", "", county)), 404, "not_found")
	want(t, "partner's report", answer(call(t, sb, "GET", path+"/report", "", tok["partner"])), 403, "forbidden")
	want(t, "bad period", answer(call(t, sb, "GET", path+"/report?from=2026-11-02&until=2026-11-01", "", city)), 400, "invalid_range")

	// The province's customer on the sandbox account, with some traffic.
	_, m = call(t, sb, "POST", "/api/v1/admin/enterprises", fmt.Sprintf(`{"name":"省邮政","accounts":["%d"]}`, sb.Account.ID), admin)
	pid, _ := m["id"].(string)
	ids := []string{}
	for _, to := range []string{"13300133001", "13300133002", "13300133003"} {
		ids = append(ids, firstID(t, send(t, sb, `{"to":["`+to+`"],"content":"您的邮件已到达。"}`)))
	}
	for _, id := range ids {
		waitState(t, sb, id, "delivered", 20*time.Second)
	}
	today := time.Now().In(store.Shanghai).Format(time.DateOnly)
	var rep map[string]any
	waitFor(t, 10*time.Second, "the counters", func() bool {
		_, rep = call(t, sb, "GET", "/api/v1/admin/enterprises/"+pid+"/report?from="+today+"&until="+today, "", admin)
		tot, _ := rep["total"].(map[string]any)
		return tot["delivered"] == 3.0
	})
	if rep["grain"] != "hour" || rep["from"] != today || rep["until"] != today || toJSON(rep["accounts"]) != fmt.Sprintf(`["%d"]`, sb.Account.ID) {
		t.Fatalf("report: %v", rep)
	}
	if tot := rep["total"].(map[string]any); tot["accepted"] != 3.0 || tot["success_rate"] != 1.0 {
		t.Fatalf("total: %v", tot)
	}
	if ba := list(rep, "by_account"); len(ba) != 1 || ba[0]["delivered"] != 3.0 || ba[0]["account"] != sb.Account.Name {
		t.Fatalf("by account: %v", rep["by_account"])
	}
	// The console's export of the same period: the same rows, figure for figure.
	c := libConsole(t, sb, sb.AdminUser, sb.AdminPassword)
	resp, err := c.Get("http://" + sb.Addr() + "/enterprises/" + pid + "/export?format=csv&period=custom&from=" + today + "&to=" + today)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("console export: %d %v %.200s", resp.StatusCode, err, body)
	}
	rows := list(rep, "rows")
	if len(recs)-1 != len(rows) || len(rows) == 0 {
		t.Fatalf("console has %d rows, the API %d", len(recs)-1, len(rows))
	}
	for i, r := range rows {
		got := []string{figure(r["bucket"]), figure(r["accepted"]), figure(r["submitted"]), figure(r["segments"]), figure(r["delivered"]), figure(r["failed"]), figure(r["blocked"])}
		c := recs[i+1]
		if fee, _ := strconv.ParseFloat(c[8], 64); !slices.Equal(got, c[:7]) || fee != r["fees"] {
			t.Fatalf("row %d: API %v %v, console %v", i, got, r["fees"], c)
		}
	}
	// This month by default, per day.
	if _, m = call(t, sb, "GET", "/api/v1/admin/enterprises/"+pid+"/report", "", admin); m["grain"] != "day" || m["total"].(map[string]any)["delivered"] != 3.0 {
		t.Fatalf("this month: %v", m)
	}
}

func figure(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
