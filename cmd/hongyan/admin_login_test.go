package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hongyan/internal/app"
)

// withStdin makes the admin CLI read r as its standard input.
func withStdin(t *testing.T, r string) {
	t.Helper()
	old := adminStdin
	adminStdin = strings.NewReader(r)
	t.Cleanup(func() { adminStdin = old })
}

// Logging in with a password keeps a token for the next commands; logging
// out revokes it on the server and forgets it.
func TestAdminLoginLogout(t *testing.T) {
	sb := adminSandbox(t)
	dir := t.TempDir()
	t.Setenv("HONGYAN_CONFIG_DIR", dir)
	t.Setenv("HONGYAN_TOKEN", "")
	saved := filepath.Join(dir, "token.json")

	if _, err := admin(t, "account", "list"); err == nil || !strings.Contains(err.Error(), "hongyan admin login") {
		t.Fatalf("without a token: %v", err)
	}
	withStdin(t, "wrong-password\n")
	if _, err := admin(t, "login", "--user", "admin"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := os.Stat(saved); !os.IsNotExist(err) {
		t.Fatalf("a failed login saved something: %v", err)
	}

	withStdin(t, sb.AdminPassword+"\n")
	out := mustAdmin(t, "login", "--user", "admin")
	if !strings.Contains(out, "logged in as admin (platform_admin)") || !strings.Contains(out, saved) {
		t.Fatalf("login printed %q", out)
	}
	fi, err := os.Stat(saved)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved login: %v, mode %v; want 0600", err, fi.Mode())
	}
	if out := mustAdmin(t, "whoami"); !strings.Contains(out, "admin (platform_admin)") {
		t.Fatalf("whoami printed %q", out)
	}
	if out := mustAdmin(t, "account", "list"); !strings.Contains(out, app.SandboxAccount) {
		t.Fatalf("account list with the saved login:\n%s", out)
	}
	// The saved token is not used against another server.
	if _, err := admin(t, "--server", "http://127.0.0.1:1", "whoami"); err == nil || !strings.Contains(err.Error(), "no administrator token") {
		t.Fatalf("another server: %v", err)
	}

	// The username asked for on stdin; --print gives the token instead of saving it.
	withStdin(t, "admin\n"+sb.AdminPassword+"\n")
	tok := strings.TrimSpace(mustAdmin(t, "login", "--print"))
	if !strings.HasPrefix(tok, "hya_") {
		t.Fatalf("login --print printed %q", tok)
	}

	out = mustAdmin(t, "logout")
	if !strings.Contains(out, "logged out (1 token(s) revoked)") {
		t.Fatalf("logout printed %q", out)
	}
	if _, err := os.Stat(saved); !os.IsNotExist(err) {
		t.Fatalf("logout kept the saved login: %v", err)
	}
	if _, err := admin(t, "whoami"); err == nil {
		t.Fatal("whoami after logout worked")
	}
	// The printed token is still good until its owner signs out everywhere.
	if out := mustAdmin(t, "--token", tok, "whoami"); !strings.Contains(out, "admin") {
		t.Fatalf("the printed token: %q", out)
	}
	if out := mustAdmin(t, "--token", tok, "logout", "--all"); !strings.Contains(out, "logged out") {
		t.Fatalf("logout --all printed %q", out)
	}
	for _, tk := range []string{tok, sb.AdminToken} {
		if _, err := admin(t, "--token", tk, "whoami"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
			t.Fatalf("a token after logout --all: %v", err)
		}
	}
}
