package main

import (
	"strings"
	"testing"

	"hongyan/internal/app"
)

// The number library, customers and enterprise customers from the command
// line, as a client of the admin API.
func TestAdminLibraryCommands(t *testing.T) {
	adminSandbox(t)
	out := mustAdmin(t, "library", "add", "重点客户", "--note", "网点推荐")
	if !strings.Contains(out, `category "重点客户" added`) {
		t.Fatalf("library add printed %q", out)
	}
	id := strings.TrimSuffix(out[strings.LastIndex(out, "id ")+3:], ")\n")
	if out := mustAdmin(t, "library", "list"); !strings.Contains(out, "重点客户") || !strings.Contains(out, "网点推荐") {
		t.Fatalf("library list:\n%s", out)
	}
	if out := mustAdmin(t, "library", "numbers", "--category", id); !strings.Contains(out, "NUMBER") {
		t.Fatalf("library numbers:\n%s", out)
	}
	mustAdmin(t, "library", "remove", id)
	if out := mustAdmin(t, "library", "list"); strings.Contains(out, "重点客户") {
		t.Fatalf("removed category still listed:\n%s", out)
	}

	out = mustAdmin(t, "customer", "add", "13800138123", "--name", "王芳", "--occupation", "教师", "--age", "41")
	if !strings.Contains(out, "customer 13800138123 saved") {
		t.Fatalf("customer add printed %q", out)
	}
	if out := mustAdmin(t, "customer", "list", "--q", "王芳"); !strings.Contains(out, "13800138123") || !strings.Contains(out, "教师") {
		t.Fatalf("customer list:\n%s", out)
	}
	if _, err := admin(t, "customer", "add", "12"); err == nil {
		t.Fatal("a customer with a bad phone was accepted")
	}

	out = mustAdmin(t, "enterprise", "add", "广州物流有限公司", "--contact", "陈经理", "--accounts", app.SandboxAccount)
	if !strings.Contains(out, `enterprise "广州物流有限公司" added`) {
		t.Fatalf("enterprise add printed %q", out)
	}
	if out := mustAdmin(t, "enterprise", "list"); !strings.Contains(out, "广州物流有限公司") || !strings.Contains(out, "陈经理") {
		t.Fatalf("enterprise list:\n%s", out)
	}
	if _, err := admin(t, "enterprise", "add", "x", "--accounts", "nobody"); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Fatalf("an unknown account: %v", err)
	}
	if _, err := admin(t, "library", "frobnicate"); err == nil {
		t.Fatal("an unknown library command was accepted")
	}
}
