package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hongyan/internal/app"
)

// adminSandbox starts a platform and points the admin CLI at it.
func adminSandbox(t *testing.T) *app.Sandbox {
	t.Helper()
	ctx := context.Background()
	sb, err := app.NewSandbox(ctx, app.SandboxOptions{DataDir: t.TempDir(), SQLiteSync: "normal",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Stop(sctx)
	})
	t.Setenv("HONGYAN_SERVER", sb.Addr()) // no scheme: the CLI adds http://
	t.Setenv("HONGYAN_TOKEN", sb.AdminToken)
	return sb
}

// admin runs `hongyan admin args…` and returns what it printed.
func admin(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	old := adminOut
	adminOut = &out
	defer func() { adminOut = old }()
	err := runAdmin(context.Background(), args)
	return out.String(), err
}

func mustAdmin(t *testing.T, args ...string) string {
	t.Helper()
	out, err := admin(t, args...)
	if err != nil {
		t.Fatalf("hongyan admin %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func TestAdminCommands(t *testing.T) {
	sb := adminSandbox(t)
	out := mustAdmin(t, "blacklist", "add", "13700137000", "+8613700137001", "--reason", "complaint")
	if !strings.Contains(out, "blacklisted 2 number(s) for every business type (2 new)") {
		t.Fatalf("blacklist add printed %q", out)
	}
	mustAdmin(t, "blacklist", "add", "--business", "marketing", "13900139000")
	out = mustAdmin(t, "blacklist", "list")
	for _, want := range []string{"13700137001", "complaint", "13900139000", "marketing"} {
		if !strings.Contains(out, want) {
			t.Fatalf("blacklist list lacks %q:\n%s", want, out)
		}
	}
	if !sb.Core.Blocked("13700137001", "notice") || !sb.Core.Blocked("13900139000", "marketing") || sb.Core.Blocked("13900139000", "notice") {
		t.Fatal("the platform's blacklist does not match what the CLI added")
	}
	mustAdmin(t, "blacklist", "remove", "13900139000", "--business", "marketing")
	if sb.Core.Blocked("13900139000", "marketing") {
		t.Fatal("blacklist remove did not lift the entry")
	}
	if _, err := admin(t, "blacklist", "remove", "13900139000", "--business", "marketing"); err == nil || !strings.Contains(err.Error(), "not_found") {
		t.Fatalf("removing twice: %v", err)
	}

	// Import: header, comment, CSV and blank lines; a bad number names its line.
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("手机号,备注\n13600136000,投诉\n\n# a comment\n13600136001\n"), 0o600)
	out = mustAdmin(t, "blacklist", "import", good, "--business", "notice")
	if !strings.Contains(out, "imported 2 number(s) for business type notice (2 new)") || !sb.Core.Blocked("13600136001", "notice") {
		t.Fatalf("import printed %q", out)
	}
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("13600136002\n13600136003\nnot-a-number\n"), 0o600)
	if _, err := admin(t, "blacklist", "import", bad); err == nil || !strings.Contains(err.Error(), "bad.txt line 3") {
		t.Fatalf("bad import: %v", err)
	}

	out = mustAdmin(t, "keyword", "add", "违禁词测试", "赌博")
	if !strings.Contains(out, `"赌博" added`) {
		t.Fatalf("keyword add printed %q", out)
	}
	if _, err := admin(t, "keyword", "add", "赌博"); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("duplicate keyword: %v", err)
	}
	out = mustAdmin(t, "keyword", "list")
	if !strings.Contains(out, "违禁词测试") || !strings.Contains(out, "reject") {
		t.Fatalf("keyword list:\n%s", out)
	}

	out = mustAdmin(t, "account", "list")
	if !strings.Contains(out, app.SandboxAccount) {
		t.Fatalf("account list:\n%s", out)
	}
	out = mustAdmin(t, "account", "recharge", app.SandboxAccount, "250.5", "--note", "转账 0042")
	if !strings.Contains(out, "balance now 1000250.500 yuan") {
		t.Fatalf("recharge printed %q", out)
	}
	out = mustAdmin(t, "account", "ledger", app.SandboxAccount)
	if !strings.Contains(out, "recharge") || !strings.Contains(out, "转账 0042") || !strings.Contains(out, "admin") {
		t.Fatalf("ledger:\n%s", out)
	}
	if _, err := admin(t, "account", "recharge", "nobody", "1"); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Fatalf("recharge of an unknown account: %v", err)
	}

	mustAdmin(t, "mo-route", "add", "--service-code", "1065800077", "--keyword", "cx", "--account", app.SandboxAccount, "--business", "notice")
	out = mustAdmin(t, "mo-route", "list")
	if !strings.Contains(out, "1065800077") || !strings.Contains(out, "CX") {
		t.Fatalf("mo-route list:\n%s", out)
	}

	// Refused sends show up under refusals.
	if _, err := sb.Core.Store().Refusals(context.Background(), 0, 1); err != nil {
		t.Fatal(err)
	}
	out = mustAdmin(t, "--json", "refusals")
	if !strings.HasPrefix(strings.TrimSpace(out), `{"refusals":`) {
		t.Fatalf("refusals --json printed %q", out)
	}
}

func TestAdminCommandMistakes(t *testing.T) {
	adminSandbox(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"blacklist", "add"}, "usage"},
		{[]string{"blacklist", "add", "12345"}, "invalid_number"},
		{[]string{"keyword", "add", "中奖", "--action", "delete"}, "invalid_action"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"account", "recharge", "x"}, "usage"},
		{[]string{"--token", "wrong", "keyword", "list"}, "unauthorized"},
	} {
		if _, err := admin(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hongyan admin %v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	t.Setenv("HONGYAN_TOKEN", "")
	if _, err := admin(t, "keyword", "list"); err == nil || !strings.Contains(err.Error(), "HONGYAN_TOKEN") {
		t.Fatalf("no token: %v", err)
	}
}
