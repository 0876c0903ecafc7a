package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"hongyan/internal/app"
)

// loginToken logs in through the admin API (the CLI itself is given tokens).
func loginToken(t *testing.T, sb *app.Sandbox, user, pw string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	resp, err := http.Post("http://"+sb.Addr()+"/api/v1/admin/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 200 || m.Token == "" {
		t.Fatalf("login %s: HTTP %d", user, resp.StatusCode)
	}
	return m.Token
}

func mustContainAll(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

var shownPassword = regexp.MustCompile(`password: (\S+) \(shown once\)`)

func TestAdminOrgUserAccountKeyAuditCommands(t *testing.T) {
	sb := adminSandbox(t)
	if err := sb.SeedProvince(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Organisations.
	out := mustAdmin(t, "org", "add", "GD-DG", "东莞市分公司", "--parent", app.DemoProvince)
	mustContainAll(t, "org add", out, "organisation GD-DG 东莞市分公司 added", "city below GD")
	if _, err := admin(t, "org", "add", "GD-X", "x", "--parent", app.DemoCounty); err == nil || !strings.Contains(err.Error(), "invalid_parent") {
		t.Fatalf("a county's child: %v", err)
	}
	out = mustAdmin(t, "org", "list")
	mustContainAll(t, "org list", out, "CODE", "GD-DG", "city", "广州市分公司", "GD-GZ-CH")
	out = mustAdmin(t, "org", "list", "--tree")
	mustContainAll(t, "org list --tree", out, "GD 省公司 (province", "\n  GD-GZ 广州市分公司 (city", "\n    GD-GZ-CH 从化区分公司 (county")

	// Users: a made password is shown once and works; passwd, disable, enable.
	out = mustAdmin(t, "user", "add", "dg-admin", "--role", "org_admin", "--org", "GD-DG")
	m := shownPassword.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "user dg-admin added") || !strings.Contains(out, "org_admin, GD-DG") {
		t.Fatalf("user add printed %q", out)
	}
	loginToken(t, sb, "dg-admin", m[1])
	mustContainAll(t, "user list", mustAdmin(t, "user", "list", "--org", "GD-DG"), "dg-admin", "org_admin", "enabled")
	out = mustAdmin(t, "user", "passwd", "dg-admin", "--password", "a-new-password")
	mustContainAll(t, "user passwd", out, "password of dg-admin reset")
	loginToken(t, sb, "dg-admin", "a-new-password")
	mustAdmin(t, "user", "disable", "dg-admin")
	mustContainAll(t, "user list after disable", mustAdmin(t, "user", "list", "--role", "org_admin"), "dg-admin", "disabled")
	mustAdmin(t, "user", "enable", "dg-admin")
	out = mustAdmin(t, "user", "passwd", "dg-admin")
	if m := shownPassword.FindStringSubmatch(out); m == nil {
		t.Fatalf("user passwd without --password printed %q", out)
	} else {
		loginToken(t, sb, "dg-admin", m[1])
	}

	// Accounts and keys.
	out = mustAdmin(t, "account", "add", "dg-post", "--org", "GD-DG", "--balance", "50", "--credit", "10")
	mustContainAll(t, "account add", out, "account dg-post added", "unit, GD-DG", "balance 50.000 yuan", "push secret:")
	out = mustAdmin(t, "account", "key", "add", "dg-post")
	key := regexp.MustCompile(`hy_\S+`).FindString(out)
	if key == "" || !strings.Contains(out, "shown once") {
		t.Fatalf("key add printed %q", out)
	}
	if a := sb.Core.AccountByKey(key); a == nil || a.Name != "dg-post" {
		t.Fatal("the new key does not authenticate its account")
	}
	mustContainAll(t, "key list", mustAdmin(t, "key", "list", "dg-post"), key[:8], "live")
	mustContainAll(t, "key revoke", mustAdmin(t, "key", "revoke", "dg-post", key[:8]), "revoked key "+key[:8])
	mustContainAll(t, "key list after revoke", mustAdmin(t, "account", "key", "list", "dg-post"), "revoked")
	if sb.Core.AccountByKey(key) != nil {
		t.Fatal("a revoked key still authenticates")
	}

	// The audit log, as a table and as JSON.
	out = mustAdmin(t, "audit", "--object", "account")
	mustContainAll(t, "audit", out, "ACTION", "create", "account:", "dg-post")
	out = mustAdmin(t, "--json", "audit", "--user", "admin", "--limit", "5")
	if !strings.HasPrefix(strings.TrimSpace(out), `{"audit":[`) {
		t.Fatalf("audit --json printed %q", out)
	}

	// A city's administrator: their subtree only, refused elsewhere with the server's words.
	gz := app.DemoUser{}
	for _, u := range sb.Users {
		if u.Username == "gz-admin" {
			gz = u
		}
	}
	t.Setenv("HONGYAN_TOKEN", loginToken(t, sb, gz.Username, gz.Password))
	if _, err := admin(t, "org", "add", "GD-DG-1", "x", "--parent", "GD-DG"); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("city administrator adds below another city: %v", err)
	}
	out = mustAdmin(t, "account", "list")
	if strings.Contains(out, "dg-post") || !strings.Contains(out, app.DemoPartner) {
		t.Fatalf("city administrator's account list:\n%s", out)
	}
	if _, err := admin(t, "key", "add", "dg-post"); err == nil || !strings.Contains(err.Error(), "dg-post") {
		t.Fatalf("a key for an account out of scope: %v", err)
	}
	if _, err := admin(t, "user", "disable", "dg-admin"); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Fatalf("disable a user out of scope: %v", err)
	}
}

func TestAdminOrgCommandMistakes(t *testing.T) {
	adminSandbox(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"org", "add", "X"}, "usage"},
		{[]string{"user", "add", "x"}, "usage"},
		{[]string{"user", "add", "x", "--role", "king", "--org", "NOPE"}, "invalid"},
		{[]string{"user", "disable"}, "usage"},
		{[]string{"user", "passwd", "ghost"}, "no user"},
		{[]string{"account", "add"}, "usage"},
		{[]string{"account", "key"}, "usage"},
		{[]string{"account", "key", "frob", "x"}, "unknown command"},
		{[]string{"key", "revoke", "demo"}, "usage"},
		{[]string{"key", "list", "nobody"}, "nobody"},
		{[]string{"audit", "--limit", "x"}, "invalid value"},
	} {
		if _, err := admin(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hongyan admin %v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
