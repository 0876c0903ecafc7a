package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// provinceSandbox is a sandbox with the demo's province, and an admin-API
// token per role: "platform_admin" (the demo's admin) and one for each
// seeded user, by username.
func provinceSandbox(t *testing.T, o SandboxOptions) (*Sandbox, map[string]string) {
	t.Helper()
	sb := testSandbox(t, o)
	if err := sb.SeedProvince(context.Background()); err != nil {
		t.Fatal(err)
	}
	toks := map[string]string{"admin": sb.AdminToken}
	for _, u := range sb.Users {
		toks[u.Username] = login(t, sb, u.Username, u.Password)
	}
	return sb, toks
}

// login gets an admin-API token with a username and password.
func login(t *testing.T, sb *Sandbox, user, pw string) string {
	t.Helper()
	st, m := call(t, sb, "POST", "/api/v1/admin/login", `{"username":"`+user+`","password":"`+pw+`"}`, "")
	tok, _ := m["token"].(string)
	if st != http.StatusOK || tok == "" {
		t.Fatalf("login %s: %d %v", user, st, m)
	}
	return tok
}

// want checks an answer's status and, for an error, its code.
func want(t *testing.T, what string, r reply, status int, code string) {
	t.Helper()
	if r.st != status || errCode(r.m) != code {
		t.Fatalf("%s: %d %v, want %d %q", what, r.st, r.m, status, code)
	}
}

// list returns a JSON answer's array field as maps.
func list(m map[string]any, field string) []map[string]any {
	var out []map[string]any
	xs, _ := m[field].([]any)
	for _, x := range xs {
		if mm, ok := x.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

// field collects one field of every element.
func field(ms []map[string]any, name string) []string {
	var out []string
	for _, m := range ms {
		s, _ := m[name].(string)
		out = append(out, s)
	}
	return out
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// consoleLogin posts the console's login form as a browser would and
// returns the status (303 = logged in).
func consoleLogin(t *testing.T, sb *Sandbox, user, pw string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + sb.Addr()
	resp, err := c.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatal("console login page has no csrf field")
	}
	form := url.Values{"csrf": {m[1]}, "username": {user}, "password": {pw}}
	resp, err = c.Post(base+"/login", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// toJSON renders v for searching.
func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
