package app

import (
	"context"
	"fmt"
	"net/http"
	"testing"

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
