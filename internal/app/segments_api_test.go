package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// sendTo sends one message to number and returns its id and operator.
func sendTo(t *testing.T, sb *Sandbox, number string) (string, string) {
	t.Helper()
	m := send(t, sb, `{"to":["`+number+`"],"content":"号段测试"}`)
	msg := m["messages"].([]any)[0].(map[string]any)
	op, _ := msg["operator"].(string)
	return msg["id"].(string), op
}

// deleteStatus does a DELETE with no answer body expected on success.
func deleteStatus(t *testing.T, sb *Sandbox, path, tok string) int {
	t.Helper()
	req, _ := http.NewRequest("DELETE", "http://"+sb.Addr()+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A prefix moved to another operator, and a ported number, route the very
// next message to that operator's gateway, without a restart; removing the
// edit routes as the file says again. Refusals change nothing; every
// change is in the audit log.
func TestSegmentEditsRouteLive(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	admin := tok["admin"]
	cucc, ctcc := countSubmits(sb.SimFor("cucc")), countSubmits(sb.SimFor("ctcc"))

	if _, op := sendTo(t, sb, "13900139000"); op != "cmcc" {
		t.Fatalf("13900139000 before any edit: operator %q, want cmcc", op)
	}
	st, m := call(t, sb, "PUT", "/api/v1/admin/segments/prefixes/1390", `{"operator":"cucc"}`, admin)
	if st != 200 || m["operator"] != "cucc" || m["file_operator"] != "" || m["edited"] != true || m["changed"] != true {
		t.Fatalf("set prefix 1390: %d %v", st, m)
	}
	id, op := sendTo(t, sb, "13900139001")
	if op != "cucc" {
		t.Fatalf("13900139001 after 1390 → cucc: operator %q", op)
	}
	waitState(t, sb, id, "delivered", 10*time.Second)
	if cucc.get("13900139001") == 0 {
		t.Fatal("the Unicom simulator never received the message to 13900139001")
	}
	if _, op := sendTo(t, sb, "13910139001"); op != "cmcc" {
		t.Fatalf("13910139001 (outside 1390): operator %q, want cmcc", op)
	}

	// A ported number beats its prefix.
	st, m = call(t, sb, "PUT", "/api/v1/admin/segments/ported/+86 139-0013-9555", `{"operator":"ctcc"}`, admin)
	if st != 200 || m["number"] != "13900139555" || m["operator"] != "ctcc" {
		t.Fatalf("port 13900139555: %d %v", st, m)
	}
	id, op = sendTo(t, sb, "13900139555")
	if op != "ctcc" {
		t.Fatalf("ported 13900139555: operator %q, want ctcc", op)
	}
	waitState(t, sb, id, "delivered", 10*time.Second)
	if ctcc.get("13900139555") == 0 {
		t.Fatal("the Telecom simulator never received the ported number's message")
	}

	// Lists: the edits, and the whole table with them.
	st, m = call(t, sb, "GET", "/api/v1/admin/segments/prefixes", "", tok["auditor"])
	ps := list(m, "prefixes")
	if st != 200 || len(ps) != 1 || ps[0]["prefix"] != "1390" || ps[0]["operator"] != "cucc" || ps[0]["updated_by"] != sb.AdminUser {
		t.Fatalf("edits as the auditor: %d %v", st, m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/segments/prefixes?all=1", "", admin)
	all := list(m, "prefixes")
	if len(all) < 60 || !strings.Contains(strings.Join(field(all, "prefix"), ","), "1390") {
		t.Fatalf("whole table: %d prefixes", len(all))
	}
	if st, m := call(t, sb, "GET", "/api/v1/admin/segments/prefixes/139", "", admin); st != 200 || m["operator"] != "cmcc" || m["edited"] != false {
		t.Fatalf("GET prefix 139: %d %v", st, m)
	}

	// Refusals.
	audit0 := len(list(mustAudit(t, sb, admin, "segment_prefix"), "audit"))
	for _, tc := range []struct {
		what, tok, method, path, body string
		status                        int
		code                          string
	}{
		{"a two-digit prefix", admin, "PUT", "/api/v1/admin/segments/prefixes/13", `{"operator":"cucc"}`, 400, "invalid_prefix"},
		{"a nine-digit prefix", admin, "PUT", "/api/v1/admin/segments/prefixes/139001390", `{"operator":"cucc"}`, 400, "invalid_prefix"},
		{"a prefix with letters", admin, "PUT", "/api/v1/admin/segments/prefixes/13a0", `{"operator":"cucc"}`, 400, "invalid_prefix"},
		{"an unknown operator", admin, "PUT", "/api/v1/admin/segments/prefixes/1391", `{"operator":"mobile"}`, 400, "invalid_operator"},
		{"no operator", admin, "PUT", "/api/v1/admin/segments/prefixes/1391", `{}`, 400, "invalid_operator"},
		{"a bad number", admin, "PUT", "/api/v1/admin/segments/ported/12345", `{"operator":"cucc"}`, 400, "invalid_number"},
		{"the auditor writing", tok["auditor"], "PUT", "/api/v1/admin/segments/prefixes/1391", `{"operator":"cucc"}`, 403, "forbidden"},
		{"an org admin writing", tok["gz-admin"], "PUT", "/api/v1/admin/segments/ported/13900139556", `{"operator":"cucc"}`, 403, "forbidden"},
		{"an org admin reading", tok["gz-admin"], "GET", "/api/v1/admin/segments/prefixes", "", 403, "forbidden"},
		{"a prefix not in the table", admin, "GET", "/api/v1/admin/segments/prefixes/1999", "", 404, "not_found"},
	} {
		st, m := call(t, sb, tc.method, tc.path, tc.body, tc.tok)
		want(t, tc.what, answer(st, m), tc.status, tc.code)
	}
	if st := deleteStatus(t, sb, "/api/v1/admin/segments/prefixes/1999", admin); st != 404 {
		t.Fatalf("removing a prefix not in the table: %d, want 404", st)
	}
	if n := len(list(mustAudit(t, sb, admin, "segment_prefix"), "audit")); n != audit0 {
		t.Fatalf("refusals wrote %d audit entries", n-audit0)
	}

	// Removing a file prefix takes it out: 1349 (satellite) falls back to 134.
	if st := deleteStatus(t, sb, "/api/v1/admin/segments/prefixes/1349", admin); st != 204 {
		t.Fatalf("remove prefix 1349: %d", st)
	}
	if _, op := sendTo(t, sb, "13490000001"); op != "cmcc" {
		t.Fatalf("13490000001 after 1349 removed: operator %q, want cmcc (134)", op)
	}
	// Dropping the edit of 1390 routes it as the file says.
	if st := deleteStatus(t, sb, "/api/v1/admin/segments/prefixes/1390", admin); st != 204 {
		t.Fatalf("remove prefix 1390: %d", st)
	}
	if _, op := sendTo(t, sb, "13900139002"); op != "cmcc" {
		t.Fatalf("13900139002 after the edit was removed: operator %q, want cmcc", op)
	}
	// Setting 1349 back to the file's operator drops its edit.
	if st, m := call(t, sb, "PUT", "/api/v1/admin/segments/prefixes/1349", `{"operator":"ctcc"}`, admin); st != 200 || m["edited"] != false {
		t.Fatalf("1349 back to ctcc: %d %v", st, m)
	}
	if _, m := call(t, sb, "GET", "/api/v1/admin/segments/prefixes", "", admin); len(list(m, "prefixes")) != 0 {
		t.Fatalf("edits left: %v", m)
	}

	es := list(mustAudit(t, sb, admin, "segment_prefix"), "audit")
	var acts []string
	for _, e := range es {
		acts = append(acts, e["action"].(string)+" "+e["object_id"].(string)+" by "+e["username"].(string))
	}
	wantActs := strings.ReplaceAll("create 1349 by A; delete 1390 by A; delete 1349 by A; create 1390 by A", "A", sb.AdminUser)
	if got := strings.Join(acts, "; "); got != wantActs {
		t.Fatalf("audit of prefixes, newest first: %s", got)
	}
	if pe := list(mustAudit(t, sb, admin, "ported_number"), "audit"); len(pe) != 1 || pe[0]["object_id"] != "13900139555" {
		t.Fatalf("audit of ported numbers: %v", pe)
	}
}

// A change made on another node (straight into the shared database) is
// picked up by this node's poll, without a restart.
func TestSegmentEditsFromAnotherNode(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	if _, op := sendTo(t, sb, "13300133000"); op != "ctcc" {
		t.Fatalf("13300133000: operator %q, want ctcc", op)
	}
	if err := sb.Store.SetSegmentEdit(context.Background(), &store.SegmentEdit{Kind: store.SegPorted, Key: "13300133000", Operator: "cmcc", UpdatedBy: "node2"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the other node's edit", func() bool {
		return sb.Core.Segments().Operator("13300133000") == "cmcc"
	})
	if _, op := sendTo(t, sb, "13300133000"); op != "cmcc" {
		t.Fatalf("13300133000 after the other node ported it: operator %q", op)
	}
}

func mustAudit(t *testing.T, sb *Sandbox, tok, object string) map[string]any {
	t.Helper()
	st, m := call(t, sb, "GET", "/api/v1/admin/audit?object="+object, "", tok)
	if st != 200 {
		t.Fatalf("audit: %d %v", st, m)
	}
	return m
}
