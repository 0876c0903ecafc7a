package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hongyan/internal/app"
	"hongyan/internal/biz/settle"
	"hongyan/internal/core"
	"hongyan/internal/store"
)

// statsCLISandbox is adminSandbox with agreed operator costs and a share.
func statsCLISandbox(t *testing.T) *app.Sandbox {
	t.Helper()
	ctx := context.Background()
	sb, err := app.NewSandbox(ctx, app.SandboxOptions{DataDir: t.TempDir(), SQLiteSync: "normal",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	twenty := 20.0
	sb.Config.Settlement = settle.Config{OperatorCosts: map[string]float64{"cmcc": 0.03},
		Shares: []settle.ShareRule{{Account: app.SandboxAccount, Percent: &twenty}}}
	if err := sb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Stop(sctx)
	})
	t.Setenv("HONGYAN_SERVER", sb.Addr())
	t.Setenv("HONGYAN_TOKEN", sb.AdminToken)
	return sb
}

func TestAdminStatsSettlementReconcile(t *testing.T) {
	sb := statsCLISandbox(t)
	ctx := context.Background()
	res, err := sb.Core.Accept(ctx, &core.SendRequest{AccountID: sb.Account.ID, To: []string{"13800138001", "13800138002"}, Content: "您的包裹已到达"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for _, m := range res.Messages {
		for {
			got, err := sb.Store.GetMessage(ctx, 0, m.ID)
			if err == nil && got.State == store.Delivered {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("message %d not delivered: %+v %v", m.ID, got, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	today := time.Now().In(store.Shanghai).Format("2006-01-02")
	rng := []string{"--from", today, "--to", today}

	out := mustAdmin(t, append([]string{"stats", "--group-by", "day,operator"}, rng...)...)
	if !strings.Contains(out, "DAY") || !strings.Contains(out, today) || !strings.Contains(out, "cmcc") || !strings.Contains(out, "100.0%") ||
		!strings.Contains(out, "0.100") || !strings.Contains(out, "total") {
		t.Fatalf("stats printed:\n%s", out)
	}
	out = mustAdmin(t, append([]string{"stats", "--group-by", "state", "--csv"}, rng...)...)
	if !strings.HasPrefix(out, "state,messages,segments,fees\n") || !strings.Contains(out, "delivered,2,2,0.100") {
		t.Fatalf("stats --csv printed:\n%s", out)
	}
	out = mustAdmin(t, append([]string{"settlement"}, rng...)...)
	for _, want := range []string{"OPERATOR", "cmcc", "0.03", "0.060", "demo", "20%", "0.020", "margin 0.040"} {
		if !strings.Contains(out, want) {
			t.Fatalf("settlement lacks %q:\n%s", want, out)
		}
	}
	out = mustAdmin(t, append([]string{"settlement", "--csv"}, rng...)...)
	if !strings.HasPrefix(out, "section,party,") || !strings.Contains(out, "total,revenue") {
		t.Fatalf("settlement --csv printed:\n%s", out)
	}

	dir := t.TempDir()
	good := filepath.Join(dir, "cmcc.csv")
	os.WriteFile(good, []byte("date,operator,gateway,segments\n"+today+",cmcc,cmcc-cmpp-1,2\n"), 0o600)
	out = mustAdmin(t, append([]string{"reconcile", good, "--operator", "cmcc"}, rng...)...)
	if !strings.Contains(out, "the bill agrees (2 segments)") {
		t.Fatalf("reconcile printed:\n%s", out)
	}
	off := filepath.Join(dir, "off.csv")
	os.WriteFile(off, []byte("date,gateway,segments\n"+today+",cmcc-cmpp-1,3\n"), 0o600)
	out, err = admin(t, append([]string{"reconcile", off, "--operator", "cmcc"}, rng...)...)
	if !errors.Is(err, errDisagree) || !strings.Contains(out, "we sent 2 segments, billed 3") || !strings.Contains(out, today+"  cmcc-cmpp-1  2     3       1") {
		t.Fatalf("reconcile of a bill that differs: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("date,gateway,segments\n"+today+",cmcc-cmpp-1,3\n"+today+",cmcc-cmpp-1,many\n"), 0o600)
	if _, err := admin(t, append([]string{"reconcile", bad, "--operator", "cmcc"}, rng...)...); err == nil || !strings.Contains(err.Error(), "bad.csv: bill line 3: segments") {
		t.Fatalf("reconcile of a malformed bill: %v", err)
	}

	// Mistakes: a clear error each.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stats", "--from", "2026-02-30"}, "invalid_date"},
		{[]string{"stats", "--group-by", "colour"}, "invalid_group_by"},
		{[]string{"stats", "extra"}, "usage"},
		{[]string{"settlement", "--period", "never"}, "invalid_period"},
		{[]string{"reconcile", good}, "usage"},
		{[]string{"reconcile", good, "--operator", "tele"}, "invalid_operator"},
		{[]string{"reconcile", filepath.Join(dir, "missing.csv"), "--operator", "cmcc"}, "no such file"},
	} {
		if _, err := admin(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hongyan admin %s: %v, want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}
