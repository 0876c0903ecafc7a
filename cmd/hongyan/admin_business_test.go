package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"hongyan/internal/app"
	"hongyan/internal/store"
)

func TestAdminBusinessCommands(t *testing.T) {
	sb := adminSandbox(t)
	ctx := context.Background()
	out := mustAdmin(t, "business", "add", "survey", "--name", "满意度调查", "--fee", "0.03", "--priority", "2",
		"--service-code", "106580009", "--keywords", "dc,满意", "--send-hours", "08:00-21:00", "--retry-interval", "30s")
	if !strings.Contains(out, "business type survey added: enabled, per_message, fee 0.030 yuan/segment charged on delivered, sends 08:00-21:00") {
		t.Fatalf("business add printed %q", out)
	}
	bt, err := sb.Core.BusinessType(ctx, "survey")
	if err != nil {
		t.Fatal(err)
	}
	if bt.FeePerSegment != 30 || bt.Priority != 2 || bt.SendFrom != 480 || bt.SendUntil != 1260 || strings.Join(bt.MOKeywords, ",") != "DC,满意" ||
		bt.RetryInterval.String() != "30s" || bt.MaxRetries != 3 || !bt.ReportRequired {
		t.Fatalf("stored %+v", bt)
	}
	if _, err := admin(t, "business", "add", "survey"); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("adding twice: %v", err)
	}
	out = mustAdmin(t, "business", "update", "survey", "--charge-mode", "free", "--send-hours", "")
	if !strings.Contains(out, "survey updated: enabled, free") || strings.Contains(out, "sends") {
		t.Fatalf("business update printed %q", out)
	}
	out = mustAdmin(t, "business", "disable", "survey")
	if !strings.Contains(out, "survey disabled: disabled") {
		t.Fatalf("business disable printed %q", out)
	}
	if bt, _ := sb.Core.BusinessType(ctx, "survey"); bt.Enabled || bt.FeePerSegment != 30 || bt.Priority != 2 {
		t.Fatalf("after disable: %+v (other settings must stay)", bt)
	}
	mustAdmin(t, "business", "enable", "survey")
	out = mustAdmin(t, "business", "list")
	for _, want := range []string{"survey", "满意度调查", "free", "106580009", "DC,满意", "marketing", "Asia/Shanghai"} {
		if !strings.Contains(out, want) {
			t.Fatalf("business list lacks %q:\n%s", want, out)
		}
	}

	// Grants: the sandbox account has every type; take it away and give one back.
	out = mustAdmin(t, "grant", "list", "--account", app.SandboxAccount)
	if !strings.Contains(out, "account demo: granted every business type; may use every business type") {
		t.Fatalf("grant list printed %q", out)
	}
	out = mustAdmin(t, "grant", "set", "--account", app.SandboxAccount, "notice", "verify")
	if !strings.Contains(out, "granted notice, verify") {
		t.Fatalf("grant set printed %q", out)
	}
	out = mustAdmin(t, "grant", "list")
	if !strings.Contains(out, "account") || !strings.Contains(out, "verify") {
		t.Fatalf("grant list (all):\n%s", out)
	}
	prov := &store.Org{Level: store.LevelProvince, Code: "GT", Name: "测试"}
	if err := sb.Store.CreateOrg(ctx, prov); err != nil {
		t.Fatal(err)
	}
	org := strconv.FormatInt(prov.ID, 10)
	out = mustAdmin(t, "grant", "set", "--org", org, "marketing")
	if !strings.Contains(out, "organisation "+org+": granted marketing") {
		t.Fatalf("grant set --org printed %q", out)
	}
	mustAdmin(t, "grant", "set", "--account", app.SandboxAccount, "*")

	// Limits: shown, set one at a time (the others kept), cleared.
	out = mustAdmin(t, "account", "limits", app.SandboxAccount)
	if !strings.Contains(out, "account demo: no limit, no limit (0 today), from any address") {
		t.Fatalf("limits printed %q", out)
	}
	mustAdmin(t, "account", "limits", app.SandboxAccount, "--tps", "50", "--ip-allow", "10.0.0.0/8, 127.0.0.1")
	out = mustAdmin(t, "account", "limits", app.SandboxAccount, "--daily-quota", "10000")
	if !strings.Contains(out, "50 messages/s, 10000 messages/day (0 today), from 10.0.0.0/8, 127.0.0.1") {
		t.Fatalf("limits printed %q", out)
	}
	l := sb.Core.AccountLimits(sb.Account.ID)
	if l.TPS != 50 || l.DailyQuota != 10000 || len(l.IPAllow) != 2 {
		t.Fatalf("stored limits %+v", l)
	}
	out = mustAdmin(t, "account", "limits", app.SandboxAccount, "--tps", "0", "--ip-allow", "")
	if !strings.Contains(out, "no limit, 10000 messages/day (0 today), from any address") {
		t.Fatalf("limits printed %q", out)
	}
}

func TestAdminBusinessCommandMistakes(t *testing.T) {
	adminSandbox(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"business", "add"}, "usage"},
		{[]string{"business", "add", "x", "--send-hours", "8-21"}, "invalid_business_type"},
		{[]string{"business", "add", "x", "--charge-mode", "weekly"}, "invalid_business_type"},
		{[]string{"business", "update", "notice"}, "at least one setting"},
		{[]string{"business", "update", "nothing", "--fee", "1"}, "not_found"},
		{[]string{"business", "disable"}, "usage"},
		{[]string{"grant", "set", "notice"}, "usage"},
		{[]string{"grant", "set", "--account", "demo"}, "usage"},
		{[]string{"grant", "set", "--account", "demo", "--none", "notice"}, "usage"},
		{[]string{"grant", "set", "--account", "demo", "nothing"}, "unknown_business"},
		{[]string{"grant", "set", "--org", "1", "--account", "demo", "notice"}, "not both"},
		{[]string{"grant", "list", "--account", "nobody"}, "nobody"},
		{[]string{"account", "limits"}, "usage"},
		{[]string{"account", "limits", "demo", "--tps", "-3"}, "invalid_limits"},
		{[]string{"account", "limits", "demo", "--ip-allow", "nowhere"}, "invalid_limits"},
	} {
		if _, err := admin(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hongyan admin %v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
