package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"hongyan/internal/app"
	"hongyan/internal/core"
	"hongyan/internal/store"
)

func TestAdminSignatureAndTemplateCommands(t *testing.T) {
	sb := adminSandbox(t)
	ctx := context.Background()
	out := mustAdmin(t, "signature", "add", "中国邮政", "--account", app.SandboxAccount, "--default")
	if !strings.Contains(out, "【中国邮政】 registered for account demo: pending") {
		t.Fatalf("signature add printed %q", out)
	}
	sigs, err := sb.Store.Signatures(ctx)
	if err != nil || len(sigs) != 1 || !sigs[0].Default || sigs[0].State != store.ReviewPending {
		t.Fatalf("stored %+v %v", sigs, err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	sig := id(sigs[0].ID)
	mustAdmin(t, "signature", "add", "【邮政EMS】", "--account", id(sb.Account.ID)) // by id
	out = mustAdmin(t, "signature", "list", "--state", "pending")
	for _, w := range []string{"【中国邮政】", "【邮政EMS】", "account demo", "yes", "pending"} {
		if !strings.Contains(out, w) {
			t.Fatalf("signature list lacks %q:\n%s", w, out)
		}
	}
	out = mustAdmin(t, "signature", "approve", sig)
	if !strings.Contains(out, "signature "+sig+" 【中国邮政】 of account demo: approved") {
		t.Fatalf("approve printed %q", out)
	}
	all, err := sb.Store.Signatures(ctx)
	if err != nil || len(all) != 2 || all[1].Text != "【邮政EMS】" || all[1].AccountID != sb.Account.ID {
		t.Fatalf("stored %+v %v", all, err)
	}
	ems := id(all[1].ID)
	out = mustAdmin(t, "signature", "reject", ems, "--reason", "与单位名称不符")
	if !strings.Contains(out, "rejected") {
		t.Fatalf("reject printed %q", out)
	}
	out = mustAdmin(t, "signature", "default", ems)
	if !strings.Contains(out, "is now the default of account demo") {
		t.Fatalf("default printed %q", out)
	}

	// Templates, and a business type that uses them.
	out = mustAdmin(t, "template", "add", "parcel", "--business", "notice", "--text", "{name}，您的包裹已到。", "--account", app.SandboxAccount)
	if !strings.Contains(out, "parcel registered for account demo (notice, variables {name}): pending") {
		t.Fatalf("template add printed %q", out)
	}
	tps, _ := sb.Store.Templates(ctx)
	tpl := id(tps[0].ID)
	mustAdmin(t, "template", "approve", tpl)
	out = mustAdmin(t, "template", "list", "--business", "notice")
	if !strings.Contains(out, "parcel") || !strings.Contains(out, "approved") || !strings.Contains(out, "{name}，您的包裹已到。") {
		t.Fatalf("template list:\n%s", out)
	}
	out = mustAdmin(t, "business", "update", "notice", "--template-required=true", "--signature", "prefix", "--unsubscribe-text", "回T退订")
	if !strings.Contains(out, "templates only, signature prefix, appends 回T退订") {
		t.Fatalf("business update printed %q", out)
	}
	r, err := sb.Core.Accept(ctx, &core.SendRequest{AccountID: sb.Account.ID, To: []string{"13800138000"}, Template: "parcel",
		Variables: map[string]string{"name": "张三"}})
	if err != nil || r.Messages[0].Content != "【中国邮政】张三，您的包裹已到。回T退订" {
		t.Fatalf("accept with the CLI's settings: %+v %v", r, err)
	}
	mustAdmin(t, "template", "reject", tpl, "--reason", "内容需修改")
	mustAdmin(t, "template", "remove", tpl)
	mustAdmin(t, "signature", "remove", ems)
	if tps, _ := sb.Store.Templates(ctx); len(tps) != 0 {
		t.Fatalf("templates left %+v", tps)
	}
	out = mustAdmin(t, "audit", "--object", "template")
	for _, w := range []string{"create", "approve", "reject", "delete"} {
		if !strings.Contains(out, w) {
			t.Fatalf("audit lacks %q:\n%s", w, out)
		}
	}
}

func TestAdminSignatureAndTemplateMistakes(t *testing.T) {
	adminSandbox(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"signature", "add"}, "usage"},
		{[]string{"signature", "add", "【邮】", "--account", "demo"}, "invalid_signature"},
		{[]string{"signature", "add", "中国邮政"}, "invalid_request"}, // the platform administrator names the owner
		{[]string{"signature", "add", "中国邮政", "--account", "demo", "--org", "1"}, "not both"},
		{[]string{"signature", "approve"}, "usage"},
		{[]string{"signature", "reject", "1"}, "usage"},
		{[]string{"signature", "approve", "99"}, "not_found"},
		{[]string{"signature", "list", "--state", "maybe"}, "invalid_parameter"},
		{[]string{"signature", "fly"}, "unknown command"},
		{[]string{"template", "add", "x"}, "usage"},
		{[]string{"template", "add", "x", "--business", "notice", "--text", "{a", "--account", "demo"}, "invalid_template"},
		{[]string{"template", "add", "x", "--business", "none", "--text", "您好", "--account", "demo"}, "unknown_business"},
		{[]string{"template", "remove", "99"}, "not_found"},
		{[]string{"business", "update", "notice", "--signature", "middle"}, "invalid_business_type"},
	} {
		if _, err := admin(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hongyan admin %v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}
