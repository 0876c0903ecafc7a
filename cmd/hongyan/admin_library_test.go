package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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

// The edits from the command line: rename, grant, a numbers file bigger
// than one request (sent in parts, the invalid line named by its number in
// the file), one number's removal, traffic; a customer shown, edited,
// imported and counted; survey keywords; an enterprise edited and its
// report.
func TestAdminLibraryEditCommands(t *testing.T) {
	sb := adminSandbox(t)
	ctx := context.Background()
	if err := sb.SeedProvince(ctx); err != nil {
		t.Fatal(err)
	}
	out := mustAdmin(t, "library", "add", "网点客户")
	id := strings.TrimSuffix(out[strings.LastIndex(out, "id ")+3:], ")\n")
	if out := mustAdmin(t, "library", "rename", id, "重点网点客户", "--note", "2026"); !strings.Contains(out, `"重点网点客户" (2026)`) {
		t.Fatalf("rename printed %q", out)
	}
	if out := mustAdmin(t, "library", "grant", id, "GD-GZ,GD-FS"); !strings.Contains(out, "granted to GD-GZ, GD-FS") {
		t.Fatalf("grant printed %q", out)
	}
	if out := mustAdmin(t, "library", "grant", id); !strings.Contains(out, "GD-GZ, GD-FS") {
		t.Fatalf("grant list printed %q", out)
	}
	if _, err := admin(t, "library", "grant", id, "NOPE"); err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Fatalf("an unknown organisation: %v", err)
	}
	if out := mustAdmin(t, "library", "grant", id, "--none"); !strings.Contains(out, "no organisation") {
		t.Fatalf("grant --none printed %q", out)
	}

	// 10,002 lines: a header, 10,000 numbers, a bad one on the last line.
	var b strings.Builder
	b.WriteString("号码,省,市,标签\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "1380%07d,广东,广州,vip\n", i)
	}
	b.WriteString("1380abc,广东,广州,\n")
	file := filepath.Join(t.TempDir(), "numbers.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out = mustAdmin(t, "library", "numbers", "import", id, file)
	if !strings.Contains(out, "line 10002: \"1380abc\"") || !strings.Contains(out, "10000 added, 0 updated, 1 invalid") {
		t.Fatalf("numbers import printed %q", out)
	}
	c, err := sb.Store.NumberCategory(ctx, mustID(t, id))
	if err != nil || c.Count != 10_000 {
		t.Fatalf("category after the import: %+v %v", c, err)
	}
	mustAdmin(t, "library", "number", "remove", id, "13800000007")
	if _, err := admin(t, "library", "number", "remove", id, "13800000007"); err == nil {
		t.Fatal("removing a number twice succeeded")
	}
	if c, _ = sb.Store.NumberCategory(ctx, mustID(t, id)); c.Count != 9_999 {
		t.Fatalf("count after a removal: %d", c.Count)
	}
	today := time.Now().Format(time.DateOnly)
	if out := mustAdmin(t, "library", "traffic", id, "--from", today, "--delivered", "--tags", "active"); !strings.Contains(out, "0 number(s) added") {
		t.Fatalf("traffic printed %q", out)
	}
	if _, err := admin(t, "library", "traffic", id, "--from", today); err == nil || !strings.Contains(err.Error(), "invalid_source") {
		t.Fatalf("traffic without a source: %v", err)
	}

	// Customers.
	out = mustAdmin(t, "customer", "add", "13800138123", "--name", "王芳")
	cid := strings.TrimSuffix(out[strings.LastIndex(out, "id ")+3:], ")\n")
	mustAdmin(t, "customer", "edit", cid, "--occupation", "教师", "--age", "41", "--field", "车=有")
	if out := mustAdmin(t, "customer", "show", cid); !strings.Contains(out, "教师") || !strings.Contains(out, "王芳") || !strings.Contains(out, "field 车") {
		t.Fatalf("customer show:\n%s", out)
	}
	mustAdmin(t, "customer", "add", "13800138124")
	if _, err := admin(t, "customer", "edit", cid, "--phone", "13800138124"); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("a phone taken: %v", err)
	}
	cfile := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(cfile, []byte("手机,姓名,职业,年龄,收入,网点\n13900139001,李雷,教师,30,,从化\n13900139002,韩梅梅,医生,abc,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustAdmin(t, "customer", "import", cfile); !strings.Contains(out, "1 added, 0 updated, 1 invalid") || !strings.Contains(out, "line 3") {
		t.Fatalf("customer import printed %q", out)
	}
	if out := mustAdmin(t, "customer", "stats"); !strings.Contains(out, "3 record(s)") || !regexp.MustCompile(`occupation\s+教师\s+2`).MatchString(out) {
		t.Fatalf("customer stats:\n%s", out)
	}

	// Survey keywords.
	out = mustAdmin(t, "survey", "add", "dc", "--reply", "谢谢")
	sid := strings.TrimSuffix(out[strings.LastIndex(out, "id ")+3:], ")\n")
	if out := mustAdmin(t, "survey", "list"); !strings.Contains(out, "DC") || !strings.Contains(out, "谢谢") {
		t.Fatalf("survey list:\n%s", out)
	}
	mustAdmin(t, "survey", "remove", sid)
	if out := mustAdmin(t, "survey", "list"); strings.Contains(out, "DC") {
		t.Fatalf("removed survey listed:\n%s", out)
	}

	// Enterprises.
	out = mustAdmin(t, "enterprise", "add", "广州物流有限公司")
	eid := strings.TrimSuffix(out[strings.LastIndex(out, "id ")+3:], ")\n")
	mustAdmin(t, "enterprise", "edit", eid, "--contact", "陈经理", "--accounts", app.SandboxAccount)
	if e, err := sb.Store.Enterprise(ctx, mustID(t, eid)); err != nil || e.Contact != "陈经理" || len(e.AccountIDs) != 1 || e.AccountIDs[0] != sb.Account.ID {
		t.Fatalf("edited enterprise: %+v %v", e, err)
	}
	if out := mustAdmin(t, "enterprise", "report", eid, "--from", today); !strings.Contains(out, "HOUR") || !strings.Contains(out, "TOTAL") {
		t.Fatalf("enterprise report:\n%s", out)
	}
	if out := mustAdmin(t, "enterprise", "report", eid, "--by-account"); !strings.Contains(out, app.SandboxAccount) {
		t.Fatalf("enterprise report by account:\n%s", out)
	}
	out = mustAdmin(t, "--json", "enterprise", "report", eid)
	var rep struct{ Grain string }
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Grain != "day" {
		t.Fatalf("--json report: %v %q", err, out)
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return n
}
