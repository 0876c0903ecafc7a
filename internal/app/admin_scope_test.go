package app

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// orgIDs maps organisation codes to ids, as the platform administrator sees them.
func orgIDs(t *testing.T, sb *Sandbox) map[string]string {
	t.Helper()
	_, m := call(t, sb, "GET", "/api/v1/admin/orgs", "", sb.AdminToken)
	out := map[string]string{}
	for _, o := range list(m, "orgs") {
		out[o["code"].(string)] = o["id"].(string)
	}
	return out
}

// snapshot of what the admin API shows, to prove a refusal changed nothing.
func adminState(t *testing.T, sb *Sandbox) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/api/v1/admin/orgs", "/api/v1/admin/users", "/api/v1/admin/accounts", "/api/v1/admin/audit?limit=1000"} {
		_, m := call(t, sb, "GET", p, "", sb.AdminToken)
		fmt.Fprintf(&b, "%v\n", m)
	}
	return b.String()
}

// Organisations: three levels, codes unique, each administrator within
// their own subtree; every refusal has its code and changes nothing.
func TestOrganisationsTreeAndScope(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	ids := orgIDs(t, sb)
	if len(ids) != 6 {
		t.Fatalf("demo organisations: %v", ids)
	}
	gz := tok["gz-admin"]

	// Each sees their subtree: the province everything, the city its counties.
	_, m := call(t, sb, "GET", "/api/v1/admin/orgs", "", gz)
	if got := field(list(m, "orgs"), "code"); !slices.Equal(got, []string{"GD-GZ", "GD-GZ-CH", "GD-GZ-ZC"}) {
		t.Fatalf("city administrator sees %v", got)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/orgs?view=tree", "", sb.AdminToken)
	tree := list(m, "tree")
	if len(tree) != 1 || tree[0]["code"] != "GD" || len(list(tree[0], "children")) != 2 ||
		len(list(list(tree[0], "children")[0], "children")) != 2 {
		t.Fatalf("tree = %v", m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/orgs?view=tree", "", tok["ch-operator"])
	if tr := list(m, "tree"); len(tr) != 1 || tr[0]["code"] != "GD-GZ-CH" || tr[0]["level"] != "county" {
		t.Fatalf("county operator's tree = %v", m)
	}

	// Refusals, each with its code, none changing anything.
	before := adminState(t, sb)
	for _, tc := range []struct {
		what, tok, method, path, body string
		status                        int
		code                          string
	}{
		{"county below the province", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"X1","name":"x","parent":"GD","level":"county"}`, 400, "invalid_parent"},
		{"city below a city", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"X2","name":"x","parent":"GD-GZ","level":"city"}`, 400, "invalid_parent"},
		{"below a county", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"X3","name":"x","parent":"GD-GZ-CH"}`, 400, "invalid_parent"},
		{"unknown parent", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"X4","name":"x","parent":"NOPE"}`, 400, "invalid_parent"},
		{"taken code", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"GD-FS","name":"x","parent":"GD"}`, 409, "duplicate"},
		{"bad code", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"a b","name":"x","parent":"GD"}`, 400, "invalid_org"},
		{"no name", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"X5","parent":"GD"}`, 400, "invalid_org"},
		{"bad level", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":"X6","name":"x","level":"town"}`, 400, "invalid_org"},
		{"bad json", sb.AdminToken, "POST", "/api/v1/admin/orgs", `{"code":`, 400, "invalid_json"},
		{"city admin: a county of another city", gz, "POST", "/api/v1/admin/orgs", `{"code":"X7","name":"x","parent":"GD-FS"}`, 403, "forbidden"},
		{"city admin: a city", gz, "POST", "/api/v1/admin/orgs", `{"code":"X8","name":"x","parent":"GD","level":"city"}`, 403, "forbidden"},
		{"city admin: a province", gz, "POST", "/api/v1/admin/orgs", `{"code":"X9","name":"x"}`, 403, "forbidden"},
		{"city admin: a parent that does not exist", gz, "POST", "/api/v1/admin/orgs", `{"code":"X10","name":"x","parent_id":"9999"}`, 403, "forbidden"},
		{"operator: any", tok["ch-operator"], "POST", "/api/v1/admin/orgs", `{"code":"X11","name":"x","parent":"GD-GZ-CH"}`, 403, "forbidden"},
		{"city admin: rename another city", gz, "PATCH", "/api/v1/admin/orgs/" + ids["GD-FS"], `{"name":"x"}`, 404, "not_found"},
		{"city admin: an id that does not exist", gz, "PATCH", "/api/v1/admin/orgs/9999", `{"name":"x"}`, 404, "not_found"},
		{"city admin: move a county to another city", gz, "PATCH", "/api/v1/admin/orgs/" + ids["GD-GZ-ZC"], `{"parent":"GD-FS"}`, 403, "forbidden"},
		{"level change", sb.AdminToken, "PATCH", "/api/v1/admin/orgs/" + ids["GD-GZ-ZC"], `{"level":"city"}`, 400, "invalid_org"},
		{"move a county below the province", sb.AdminToken, "PATCH", "/api/v1/admin/orgs/" + ids["GD-GZ-ZC"], `{"parent":"GD"}`, 400, "invalid_parent"},
		{"recode onto a taken code", sb.AdminToken, "PATCH", "/api/v1/admin/orgs/" + ids["GD-GZ-ZC"], `{"code":"GD-FS"}`, 409, "duplicate"},
		{"partner: list", tok["partner"], "GET", "/api/v1/admin/orgs", "", 403, "forbidden"},
	} {
		st, m := call(t, sb, tc.method, tc.path, tc.body, tc.tok)
		want(t, tc.what, answer(st, m), tc.status, tc.code)
		if msg, _ := m["error"].(map[string]any)["message"].(string); msg == "" {
			t.Errorf("%s: no message", tc.what)
		}
	}
	if after := adminState(t, sb); after != before {
		t.Fatalf("refusals changed something:\nbefore %s\nafter  %s", before, after)
	}

	// What is allowed: a city administrator adds and renames a county of
	// theirs; the platform administrator moves a county to another city.
	st, m := call(t, sb, "POST", "/api/v1/admin/orgs", `{"code":"GD-GZ-HD","name":"花都区分公司","parent":"GD-GZ"}`, gz)
	if st != http.StatusCreated || m["level"] != "county" || m["parent_id"] != ids["GD-GZ"] {
		t.Fatalf("city administrator adds a county: %d %v", st, m)
	}
	if st, m := call(t, sb, "PATCH", "/api/v1/admin/orgs/"+m["id"].(string), `{"name":"花都区"}`, gz); st != 200 || m["name"] != "花都区" {
		t.Fatalf("rename: %d %v", st, m)
	}
	if st, m := call(t, sb, "PATCH", "/api/v1/admin/orgs/"+ids["GD-GZ-ZC"], `{"parent":"GD-FS"}`, sb.AdminToken); st != 200 || m["parent_id"] != ids["GD-FS"] {
		t.Fatalf("move a county: %d %v", st, m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/orgs", "", gz)
	if got := field(list(m, "orgs"), "code"); !slices.Equal(got, []string{"GD-GZ", "GD-GZ-CH", "GD-GZ-HD"}) {
		t.Fatalf("after the move the city sees %v", got)
	}
	if st, m := call(t, sb, "POST", "/api/v1/admin/orgs", `{"code":"HB","name":"另一省"}`, sb.AdminToken); st != 201 || m["level"] != "province" {
		t.Fatalf("platform administrator adds a province: %d %v", st, m)
	}
}

// Users: an organisation's administrator manages users within their
// subtree, never a platform administrator nor themselves; a disabled user's
// token stops working; a reset password works and ends old sessions.
func TestUsersRolesAndScope(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	gz := tok["gz-admin"]
	ids := orgIDs(t, sb)
	userID := func(name string) string {
		t.Helper()
		_, m := call(t, sb, "GET", "/api/v1/admin/users?username="+name, "", sb.AdminToken)
		us := list(m, "users")
		if len(us) != 1 {
			t.Fatalf("user %s: %v", name, m)
		}
		return us[0]["id"].(string)
	}

	st, m := call(t, sb, "POST", "/api/v1/admin/users", `{"username":"ch-op2","role":"operator","org":"GD-GZ-CH"}`, gz)
	pw, _ := m["password"].(string)
	if st != http.StatusCreated || len(pw) < 8 || m["org"] != "GD-GZ-CH" || m["org_id"] != ids["GD-GZ-CH"] {
		t.Fatalf("city administrator adds an operator: %d %v", st, m)
	}
	if _, ok := m["password_hash"]; ok {
		t.Fatal("a password hash was shown")
	}
	op2 := login(t, sb, "ch-op2", pw)
	if st, m := call(t, sb, "POST", "/api/v1/admin/users", `{"username":"p2","role":"partner","account":"`+DemoPartner+`","password":"partner-pass-1"}`, gz); st != 201 || m["org"] != "GD-GZ" || m["password"] != nil {
		t.Fatalf("partner user of a partner account in scope: %d %v", st, m)
	}

	before := adminState(t, sb)
	for _, tc := range []struct {
		what, tok, method, path, body string
		status                        int
		code                          string
	}{
		{"make a platform administrator", gz, "POST", "/api/v1/admin/users", `{"username":"x1","role":"platform_admin"}`, 403, "forbidden"},
		{"a user of another city", gz, "POST", "/api/v1/admin/users", `{"username":"x2","role":"operator","org":"GD-FS"}`, 403, "forbidden"},
		{"a user above", gz, "POST", "/api/v1/admin/users", `{"username":"x3","role":"auditor","org":"GD"}`, 403, "forbidden"},
		{"a platform-level auditor", gz, "POST", "/api/v1/admin/users", `{"username":"x4","role":"auditor"}`, 403, "forbidden"},
		{"a partner user of an account out of scope", gz, "POST", "/api/v1/admin/users", `{"username":"x5","role":"partner","account":"demo"}`, 403, "forbidden"},
		{"a partner user of a unit", sb.AdminToken, "POST", "/api/v1/admin/users", `{"username":"x6","role":"partner","account":"demo"}`, 400, "invalid_user"},
		{"an operator without organisation", sb.AdminToken, "POST", "/api/v1/admin/users", `{"username":"x7","role":"operator"}`, 400, "invalid_user"},
		{"a role that does not exist", sb.AdminToken, "POST", "/api/v1/admin/users", `{"username":"x8","role":"king","org":"GD"}`, 400, "invalid_role"},
		{"no role", sb.AdminToken, "POST", "/api/v1/admin/users", `{"username":"x9"}`, 400, "invalid_role"},
		{"a short password", sb.AdminToken, "POST", "/api/v1/admin/users", `{"username":"x10","role":"auditor","password":"short"}`, 400, "invalid_password"},
		{"a username with a space", sb.AdminToken, "POST", "/api/v1/admin/users", `{"username":"a b","role":"auditor"}`, 400, "invalid_user"},
		{"a taken username", sb.AdminToken, "POST", "/api/v1/admin/users", `{"username":"auditor","role":"auditor"}`, 409, "duplicate"},
		{"change a user out of scope", gz, "PATCH", "/api/v1/admin/users/" + userID("auditor"), `{"disabled":true}`, 404, "not_found"},
		{"change the platform administrator", gz, "PATCH", "/api/v1/admin/users/" + userID("admin"), `{"disabled":true}`, 404, "not_found"},
		{"change oneself", gz, "PATCH", "/api/v1/admin/users/" + userID("gz-admin"), `{"role":"operator"}`, 403, "forbidden"},
		{"move a user out of scope", gz, "PATCH", "/api/v1/admin/users/" + userID("ch-op2"), `{"org":"GD-FS"}`, 403, "forbidden"},
		{"promote to platform administrator", gz, "PATCH", "/api/v1/admin/users/" + userID("ch-op2"), `{"role":"platform_admin"}`, 403, "forbidden"},
		{"operator: add a user", tok["ch-operator"], "POST", "/api/v1/admin/users", `{"username":"x11","role":"operator","org":"GD-GZ-CH"}`, 403, "forbidden"},
		{"operator: list users", tok["ch-operator"], "GET", "/api/v1/admin/users", "", 403, "forbidden"},
		{"auditor: add a user", tok["auditor"], "POST", "/api/v1/admin/users", `{"username":"x12","role":"auditor","org":"GD"}`, 403, "forbidden"},
		{"partner: change a user", tok["partner"], "PATCH", "/api/v1/admin/users/" + userID("ch-op2"), `{"disabled":true}`, 403, "forbidden"},
		{"a user id that does not exist", sb.AdminToken, "PATCH", "/api/v1/admin/users/99999", `{"disabled":true}`, 404, "not_found"},
	} {
		st, m := call(t, sb, tc.method, tc.path, tc.body, tc.tok)
		want(t, tc.what, answer(st, m), tc.status, tc.code)
	}
	if after := adminState(t, sb); after != before {
		t.Fatalf("refusals changed something:\nbefore %s\nafter  %s", before, after)
	}

	// Who sees whom.
	_, m = call(t, sb, "GET", "/api/v1/admin/users", "", gz)
	if got := field(list(m, "users"), "username"); !slices.Equal(got, []string{"gz-admin", "ch-operator", "partner", "ch-op2", "p2"}) {
		t.Fatalf("city administrator sees users %v", got)
	}
	// The province's auditor reads the province's users (not the platform's administrator).
	_, m = call(t, sb, "GET", "/api/v1/admin/users", "", tok["auditor"])
	if got := field(list(m, "users"), "username"); len(got) != 6 || slices.Contains(got, "admin") {
		t.Fatalf("the province's auditor sees %v", got)
	}
	_, me := call(t, sb, "GET", "/api/v1/admin/me", "", tok["partner"])
	if me["role"] != "partner" || me["account_id"] == nil {
		t.Fatalf("partner's me = %v", me)
	}

	// Disable: the token stops at once; enable again.
	id2 := userID("ch-op2")
	if st, m := call(t, sb, "PATCH", "/api/v1/admin/users/"+id2, `{"disabled":true}`, gz); st != 200 || m["disabled"] != true {
		t.Fatalf("disable: %d %v", st, m)
	}
	want(t, "a disabled user's token", answer(call(t, sb, "GET", "/api/v1/admin/me", "", op2)), 401, "unauthorized")
	want(t, "a disabled user's login", answer(call(t, sb, "POST", "/api/v1/admin/login", `{"username":"ch-op2","password":"`+pw+`"}`, "")), 401, "unauthorized")
	call(t, sb, "PATCH", "/api/v1/admin/users/"+id2, `{"disabled":false}`, gz)
	// Reset: a new password is made, the old one and the old token stop.
	op2 = login(t, sb, "ch-op2", pw)
	st, m = call(t, sb, "PATCH", "/api/v1/admin/users/"+id2, `{"reset_password":true}`, gz)
	npw, _ := m["password"].(string)
	if st != 200 || npw == "" || npw == pw {
		t.Fatalf("reset: %d %v", st, m)
	}
	want(t, "token after a reset", answer(call(t, sb, "GET", "/api/v1/admin/me", "", op2)), 401, "unauthorized")
	want(t, "old password after a reset", answer(call(t, sb, "POST", "/api/v1/admin/login", `{"username":"ch-op2","password":"`+pw+`"}`, "")), 401, "unauthorized")
	op2 = login(t, sb, "ch-op2", npw)

	// Own password: the old one is proven; other sessions end, this one stays.
	other := login(t, sb, "ch-op2", npw)
	want(t, "wrong old password", answer(call(t, sb, "POST", "/api/v1/admin/me/password", `{"old_password":"nope-nope","new_password":"brand-new-pass"}`, op2)), 403, "wrong_password")
	want(t, "weak new password", answer(call(t, sb, "POST", "/api/v1/admin/me/password", `{"old_password":"`+npw+`","new_password":"123"}`, op2)), 400, "invalid_password")
	if st, m := call(t, sb, "POST", "/api/v1/admin/me/password", `{"old_password":"`+npw+`","new_password":"brand-new-pass"}`, op2); st != 200 {
		t.Fatalf("change own password: %d %v", st, m)
	}
	if st, _ := call(t, sb, "GET", "/api/v1/admin/me", "", op2); st != 200 {
		t.Fatal("the token that changed the password stopped")
	}
	want(t, "another session after a password change", answer(call(t, sb, "GET", "/api/v1/admin/me", "", other)), 401, "unauthorized")
	login(t, sb, "ch-op2", "brand-new-pass")
	// The console takes the same credentials.
	if st := consoleLogin(t, sb, "ch-op2", "brand-new-pass"); st != http.StatusSeeOther {
		t.Fatalf("console login with the changed password: %d", st)
	}
}

// reply is an answer's status and JSON, to pass a call's two results on.
type reply struct {
	st int
	m  map[string]any
}

func answer(st int, m map[string]any) reply { return reply{st, m} }

// Accounts (A2, A8): created, changed, recharged and given keys within
// scope; keys work and stop at once; lists are filtered.
func TestAccountsKeysRechargeScoped(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	gz := tok["gz-admin"]
	st, acc := call(t, sb, "POST", "/api/v1/admin/accounts",
		`{"name":"ch-post","org":"GD-GZ-CH","kind":"unit","balance":100,"credit_limit":50,"callback_url":"https://ch.example/mo"}`, gz)
	if st != 201 || acc["balance"] != 100.0 || acc["credit_limit"] != 50.0 || acc["org"] != "GD-GZ-CH" || acc["secret"] == "" {
		t.Fatalf("create account: %d %v", st, acc)
	}
	aid := acc["id"].(string)
	demo := strconv.FormatInt(sb.Account.ID, 10)

	before := adminState(t, sb)
	for _, tc := range []struct {
		what, tok, method, path, body string
		status                        int
		code                          string
	}{
		{"an account in another city", gz, "POST", "/api/v1/admin/accounts", `{"name":"x1","org":"GD-FS"}`, 403, "forbidden"},
		{"an account without organisation", gz, "POST", "/api/v1/admin/accounts", `{"name":"x2"}`, 400, "invalid_account"},
		{"a service code", gz, "POST", "/api/v1/admin/accounts", `{"name":"x3","org":"GD-GZ","service_code":"10659999"}`, 403, "forbidden"},
		{"a taken name", gz, "POST", "/api/v1/admin/accounts", `{"name":"ch-post","org":"GD-GZ"}`, 409, "duplicate"},
		{"a bad kind", gz, "POST", "/api/v1/admin/accounts", `{"name":"x4","org":"GD-GZ","kind":"vip"}`, 400, "invalid_account"},
		{"a negative balance", gz, "POST", "/api/v1/admin/accounts", `{"name":"x5","org":"GD-GZ","balance":-1}`, 400, "invalid_amount"},
		{"a taken service code", sb.AdminToken, "POST", "/api/v1/admin/accounts", `{"name":"x6","org":"GD","service_code":"10658000"}`, 409, "duplicate"},
		{"a bad receive URL", sb.AdminToken, "POST", "/api/v1/admin/accounts", `{"name":"x7","callback_url":"ftp://x"}`, 400, "invalid_account"},
		{"change an account out of scope", gz, "PATCH", "/api/v1/admin/accounts/" + demo, `{"credit_limit":1}`, 404, "not_found"},
		{"move an account out of scope", gz, "PATCH", "/api/v1/admin/accounts/" + aid, `{"org":"GD"}`, 403, "forbidden"},
		{"set a balance by patch", gz, "PATCH", "/api/v1/admin/accounts/" + aid, `{"balance":1000}`, 400, "invalid_account"},
		{"recharge out of scope", gz, "POST", "/api/v1/admin/accounts/" + demo + "/recharge", `{"amount":10}`, 404, "not_found"},
		{"ledger out of scope", gz, "GET", "/api/v1/admin/accounts/" + demo + "/ledger", "", 404, "not_found"},
		{"keys out of scope", gz, "POST", "/api/v1/admin/accounts/" + demo + "/keys", "", 404, "not_found"},
		{"refusals out of scope", gz, "GET", "/api/v1/admin/refusals?account_id=" + demo, "", 404, "not_found"},
		{"operator recharges", tok["ch-operator"], "POST", "/api/v1/admin/accounts/" + aid + "/recharge", `{"amount":10}`, 403, "forbidden"},
		{"auditor recharges", tok["auditor"], "POST", "/api/v1/admin/accounts/" + aid + "/recharge", `{"amount":10}`, 403, "forbidden"},
		{"partner recharges itself", tok["partner"], "POST", "/api/v1/admin/accounts/" + aid + "/recharge", `{"amount":10}`, 403, "forbidden"},
		{"partner reads another's ledger", tok["partner"], "GET", "/api/v1/admin/accounts/" + aid + "/ledger", "", 404, "not_found"},
		{"revoke a key that does not exist", gz, "DELETE", "/api/v1/admin/accounts/" + aid + "/keys/hy_nope0", "", 404, "not_found"},
	} {
		var st int
		var m map[string]any
		if tc.method == "DELETE" {
			st = del(t, sb, tc.path, tc.tok)
			m = map[string]any{"error": map[string]any{"code": "not_found"}}
		} else {
			st, m = call(t, sb, tc.method, tc.path, tc.body, tc.tok)
		}
		want(t, tc.what, answer(st, m), tc.status, tc.code)
	}
	if after := adminState(t, sb); after != before {
		t.Fatalf("refusals changed something:\nbefore %s\nafter  %s", before, after)
	}

	// Lists are scoped: the city sees its accounts, the partner its own, the
	// province's auditor everything.
	seen := func(tk string) []string {
		_, m := call(t, sb, "GET", "/api/v1/admin/accounts", "", tk)
		return field(list(m, "accounts"), "name")
	}
	if got := seen(gz); !slices.Equal(got, []string{DemoPartner, "ch-post"}) {
		t.Fatalf("city administrator sees %v", got)
	}
	if got := seen(tok["partner"]); !slices.Equal(got, []string{DemoPartner}) {
		t.Fatalf("partner sees %v", got)
	}
	if got := seen(tok["auditor"]); len(got) != 3 {
		t.Fatalf("auditor sees %v", got)
	}
	if got := seen(tok["ch-operator"]); !slices.Equal(got, []string{"ch-post"}) {
		t.Fatalf("county operator sees %v", got)
	}

	// A8: the city recharges its county's account; the ledger shows who.
	if st, m := call(t, sb, "POST", "/api/v1/admin/accounts/"+aid+"/recharge", `{"amount":25.5,"note":"转账"}`, gz); st != 200 || m["balance"] != 125.5 {
		t.Fatalf("recharge within scope: %d %v", st, m)
	}
	_, m := call(t, sb, "GET", "/api/v1/admin/accounts/"+aid+"/ledger", "", tok["ch-operator"])
	if es := list(m, "ledger"); len(es) != 2 || es[0]["actor"] != "gz-admin" || es[1]["kind"] != "open" {
		t.Fatalf("ledger = %v", m)
	}
	if st, m := call(t, sb, "PATCH", "/api/v1/admin/accounts/"+aid, `{"credit_limit":80,"org":"GD-GZ"}`, gz); st != 200 || m["credit_limit"] != 80.0 || m["org"] != "GD-GZ" {
		t.Fatalf("patch: %d %v", st, m)
	}
	if st, m := call(t, sb, "PATCH", "/api/v1/admin/accounts/"+aid, `{"service_code":"10658123"}`, sb.AdminToken); st != 200 || m["service_code"] != "10658123" {
		t.Fatalf("platform administrator assigns a service code: %d %v", st, m)
	}

	// Keys: shown once, listed by prefix, work at once, stop at once.
	st, k := call(t, sb, "POST", "/api/v1/admin/accounts/"+aid+"/keys", "", gz)
	key, _ := k["key"].(string)
	if st != 201 || !strings.HasPrefix(key, "hy_") || k["prefix"] != key[:8] {
		t.Fatalf("new key: %d %v", st, k)
	}
	if st, a := call(t, sb, "GET", "/api/v1/account", "", key); st != 200 || a["name"] != "ch-post" {
		t.Fatalf("the new key: %d %v", st, a)
	}
	// A unit of the demo province may use the province's business types at once.
	if st, m := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"县局通知","business":"notice"}`, key); st != 201 {
		t.Fatalf("send with the new key: %d %v", st, m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/accounts/"+aid+"/keys", "", tok["auditor"])
	if ks := list(m, "keys"); len(ks) != 1 || ks[0]["prefix"] != key[:8] || ks[0]["key"] != nil || ks[0]["revoked"] != false {
		t.Fatalf("key list = %v", m)
	}
	if st := del(t, sb, "/api/v1/admin/accounts/"+aid+"/keys/"+key[:8], tok["ch-operator"]); st != 403 {
		t.Fatalf("operator revokes a key: %d", st)
	}
	if st := del(t, sb, "/api/v1/admin/accounts/"+aid+"/keys/"+key[:8], gz); st != 204 {
		t.Fatalf("revoke: %d", st)
	}
	want(t, "a revoked key", answer(call(t, sb, "GET", "/api/v1/account", "", key)), 401, "unauthorized")
	if st := del(t, sb, "/api/v1/admin/accounts/"+aid+"/keys/"+key[:8], gz); st != 404 {
		t.Fatalf("revoke twice: %d", st)
	}

	// Refusals are scoped too: the city sees none of the province account's.
	call(t, sb, "POST", "/api/v1/admin/blacklist", `{"number":"13700137000"}`, sb.AdminToken)
	call(t, sb, "POST", "/api/v1/messages", `{"to":["13700137000"],"content":"x"}`, sb.APIKey)
	_, m = call(t, sb, "GET", "/api/v1/admin/refusals", "", sb.AdminToken)
	if len(list(m, "refusals")) != 1 {
		t.Fatalf("platform refusals = %v", m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/refusals", "", gz)
	if rs := list(m, "refusals"); len(rs) != 0 {
		t.Fatalf("city sees refusals of the province's account: %v", rs)
	}
}

// Every admin endpoint refuses (403 forbidden, before doing anything) the
// roles its row in the role table does not list.
func TestRoleTableRefusals(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	byRole := map[string]string{"platform_admin": tok["admin"], "org_admin": tok["gz-admin"], "operator": tok["ch-operator"],
		"auditor": tok["auditor"], "partner": tok["partner"]}
	before := adminState(t, sb)
	n := 0
	for pattern, roles := range sb.API.AdminRoles() {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{id}", "1", "{prefix}", "hy_xxxxx", "{number}", "13800138000", "{code}", "verify").Replace(path)
		for role, tk := range byRole {
			if slices.Contains(roles, role) {
				continue
			}
			var st int
			if method == "DELETE" {
				st = del(t, sb, path, tk)
			} else {
				var m map[string]any
				st, m = call(t, sb, method, path, `{}`, tk)
				if errCode(m) != "forbidden" {
					t.Errorf("%s as %s: code %q", pattern, role, errCode(m))
				}
			}
			if st != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", pattern, role, st)
			}
			n++
		}
	}
	if n < 30 {
		t.Fatalf("only %d refusals checked", n)
	}
	if after := adminState(t, sb); after != before {
		t.Fatal("role refusals changed something")
	}
	// Without a token, or with a sending key: 401.
	want(t, "no token", answer(call(t, sb, "GET", "/api/v1/admin/orgs", "", "")), 401, "unauthorized")
	want(t, "an API key", answer(call(t, sb, "GET", "/api/v1/admin/orgs", "", sb.APIKey)), 401, "unauthorized")
}
