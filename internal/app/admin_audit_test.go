package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// The login lockout is in the store: the API and the console count the
// same failures, an unknown name locks like a real one, the lock survives
// a restart on the same data, and a password reset lifts it.
func TestLoginLockoutSharedAndPersisted(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := NewSandbox(ctx, SandboxOptions{DataDir: dir, SQLiteSync: "normal", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = first.Stop(ctx)
		}
	}()
	st, m := call(t, first, "POST", "/api/v1/admin/users", `{"username":"clerk","role":"auditor","password":"right-password"}`, first.AdminToken)
	if st != 201 {
		t.Fatalf("create user: %d %v", st, m)
	}
	loginAs := func(sb *Sandbox, name, pw string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, "POST", "/api/v1/admin/login", `{"username":"`+name+`","password":"`+pw+`"}`, "")
	}
	// Three failures through the API, two through the console: five lock the name.
	for i := range 3 {
		want(t, "wrong password "+string(rune('1'+i)), answer(loginAs(first, "clerk", "wrong")), 401, "unauthorized")
	}
	for range 2 {
		if st := consoleLogin(t, first, "clerk", "wrong"); st != http.StatusUnauthorized {
			t.Fatalf("console wrong password: %d", st)
		}
	}
	st, m = loginAs(first, "clerk", "right-password")
	want(t, "right password while locked", answer(st, m), http.StatusTooManyRequests, "locked")
	if st := consoleLogin(t, first, "clerk", "right-password"); st != http.StatusTooManyRequests {
		t.Fatalf("console while the API's failures lock the name: %d, want 429", st)
	}
	// A name nobody has locks the same way: the lock tells nothing.
	for range 5 {
		loginAs(first, "nobody-here", "wrong")
	}
	want(t, "unknown name after 5 failures", answer(loginAs(first, "nobody-here", "wrong")), http.StatusTooManyRequests, "locked")
	// Malformed logins are refused without counting.
	want(t, "login without JSON", answer(call(t, first, "POST", "/api/v1/admin/login", `{`, "")), 400, "invalid_json")
	want(t, "login without password", answer(loginAs(first, "admin", "")), 401, "unauthorized")

	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stopped = true
	second := testSandbox(t, SandboxOptions{DataDir: dir})
	want(t, "locked after a restart", answer(loginAs(second, "clerk", "right-password")), http.StatusTooManyRequests, "locked")
	req, _ := http.NewRequest("POST", "http://"+second.Addr()+"/api/v1/admin/login", strings.NewReader(`{"username":"clerk","password":"right-password"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on a locked login")
	}
	// An administrator's password reset lifts the lock.
	_, us := call(t, second, "GET", "/api/v1/admin/users?username=clerk", "", second.AdminToken)
	id := list(us, "users")[0]["id"].(string)
	if st, m := call(t, second, "PATCH", "/api/v1/admin/users/"+id, `{"password":"another-password"}`, second.AdminToken); st != 200 {
		t.Fatalf("reset: %d %v", st, m)
	}
	login(t, second, "clerk", "another-password")
	if st := consoleLogin(t, second, "clerk", "another-password"); st != http.StatusSeeOther {
		t.Fatalf("console after the reset: %d", st)
	}
}

// Every administrative change writes who, what, which object, before and
// after; the log is scoped, filterable and cannot be changed.
func TestAuditTrail(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	adm := sb.AdminToken
	gz := tok["gz-admin"]
	do := func(tk, method, path, body string, status int) map[string]any {
		t.Helper()
		if method == "DELETE" {
			if st := del(t, sb, path, tk); st != status {
				t.Fatalf("%s %s: %d, want %d", method, path, st, status)
			}
			return nil
		}
		st, m := call(t, sb, method, path, body, tk)
		if st != status {
			t.Fatalf("%s %s: %d %v, want %d", method, path, st, m, status)
		}
		return m
	}
	org := do(adm, "POST", "/api/v1/admin/orgs", `{"code":"GD-ST","name":"汕头市分公司","parent":"GD"}`, 201)
	do(adm, "PATCH", "/api/v1/admin/orgs/"+org["id"].(string), `{"name":"汕头"}`, 200)
	usr := do(gz, "POST", "/api/v1/admin/users", `{"username":"aud-op","role":"operator","org":"GD-GZ"}`, 201)
	do(gz, "PATCH", "/api/v1/admin/users/"+usr["id"].(string), `{"disabled":true}`, 200)
	acc := do(gz, "POST", "/api/v1/admin/accounts", `{"name":"aud-acct","org":"GD-GZ","balance":10}`, 201)
	aid := acc["id"].(string)
	do(gz, "PATCH", "/api/v1/admin/accounts/"+aid, `{"credit_limit":5}`, 200)
	key := do(gz, "POST", "/api/v1/admin/accounts/"+aid+"/keys", "", 201)
	do(gz, "DELETE", "/api/v1/admin/accounts/"+aid+"/keys/"+key["prefix"].(string), "", 204)
	do(gz, "POST", "/api/v1/admin/accounts/"+aid+"/recharge", `{"amount":3,"note":"n"}`, 200)
	do(adm, "POST", "/api/v1/admin/blacklist", `{"number":"13700137001"}`, 201)
	do(adm, "DELETE", "/api/v1/admin/blacklist/13700137001", "", 204)
	w := do(adm, "POST", "/api/v1/admin/filter-words", `{"word":"审计词"}`, 201)
	do(adm, "DELETE", "/api/v1/admin/filter-words/"+w["id"].(string), "", 204)
	rt := do(adm, "POST", "/api/v1/admin/mo-routes", `{"service_code":"1065800055","account":"demo"}`, 201)
	do(adm, "DELETE", "/api/v1/admin/mo-routes/"+rt["id"].(string), "", 204)
	// Refused changes leave no entry.
	do(gz, "POST", "/api/v1/admin/orgs", `{"code":"GD-X","name":"x","parent":"GD-FS"}`, 403)
	do(adm, "POST", "/api/v1/admin/orgs", `{"code":"GD-ST","name":"again","parent":"GD"}`, 409)

	_, m := call(t, sb, "GET", "/api/v1/admin/audit?limit=1000", "", adm)
	es := list(m, "audit")
	var got []string
	for i := len(es) - 1; i >= 0; i-- { // oldest first
		got = append(got, es[i]["username"].(string)+" "+es[i]["action"].(string)+" "+es[i]["object"].(string))
	}
	wantSeq := []string{
		"admin create org", "admin update org", "gz-admin create user", "gz-admin update user",
		"gz-admin create account", "gz-admin update account", "gz-admin create api_key", "gz-admin revoke api_key",
		"gz-admin recharge account", "admin create blacklist", "admin delete blacklist", "admin create filter_word",
		"admin delete filter_word", "admin create mo_route", "admin delete mo_route",
	}
	if !slices.Equal(got, wantSeq) {
		t.Fatalf("audit log:\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(wantSeq, "\n"))
	}
	byKey := map[string]map[string]any{}
	for _, e := range es {
		byKey[e["action"].(string)+" "+e["object"].(string)] = e
	}
	if e := byKey["update org"]; e["object_id"] != org["id"] || e["before"].(map[string]any)["name"] != "汕头市分公司" || e["after"].(map[string]any)["name"] != "汕头" {
		t.Fatalf("org update entry = %v", e)
	}
	if e := byKey["create account"]; e["object_id"] != aid || e["before"] != nil || e["after"].(map[string]any)["name"] != "aud-acct" {
		t.Fatalf("account create entry = %v", e)
	}
	if e := byKey["update user"]; e["before"].(map[string]any)["disabled"] != false || e["after"].(map[string]any)["disabled"] != true {
		t.Fatalf("user update entry = %v", e)
	}
	for _, e := range es {
		if s := e["after"]; s != nil && (strings.Contains(toJSON(s), key["key"].(string)) || strings.Contains(toJSON(s), "argon2")) {
			t.Fatalf("a secret in the audit log: %v", e)
		}
		if _, err := time.Parse(time.RFC3339Nano, e["at"].(string)); err != nil {
			t.Fatalf("entry time %v", e["at"])
		}
	}

	// Filters.
	_, m = call(t, sb, "GET", "/api/v1/admin/audit?object=account:"+aid, "", adm)
	if n := len(list(m, "audit")); n != 3 { // create, update, recharge
		t.Fatalf("object=account:%s: %d entries", aid, n)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/audit?user=gz-admin&object=api_key", "", adm)
	if n := len(list(m, "audit")); n != 2 {
		t.Fatalf("user=gz-admin&object=api_key: %d entries", n)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/audit?limit=2", "", adm)
	if n := len(list(m, "audit")); n != 2 {
		t.Fatalf("limit=2: %d entries", n)
	}
	// Scope: the city's administrator sees their subtree's entries only;
	// the auditor everything; an operator nothing.
	_, m = call(t, sb, "GET", "/api/v1/admin/audit?limit=1000", "", gz)
	for _, e := range list(m, "audit") {
		if e["username"] != "gz-admin" {
			t.Fatalf("city administrator sees %v", e)
		}
	}
	if n := len(list(m, "audit")); n != 7 {
		t.Fatalf("city administrator sees %d entries, want their 7", n)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/audit?limit=1000", "", tok["auditor"])
	if n := len(list(m, "audit")); n != len(es) {
		t.Fatalf("auditor sees %d of %d entries", n, len(es))
	}
	want(t, "operator reads the audit log", answer(call(t, sb, "GET", "/api/v1/admin/audit", "", tok["ch-operator"])), 403, "forbidden")
	want(t, "object_id without object", answer(call(t, sb, "GET", "/api/v1/admin/audit?object_id=1", "", adm)), 400, "invalid_parameter")
	// Immutable: no endpoint changes or deletes entries.
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		req, _ := http.NewRequest(method, "http://"+sb.Addr()+"/api/v1/admin/audit", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+adm)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("%s /api/v1/admin/audit answered %d", method, resp.StatusCode)
		}
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/audit?limit=1000", "", adm)
	if len(list(m, "audit")) != len(es) {
		t.Fatal("the audit log changed")
	}
}
