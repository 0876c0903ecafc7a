package app

import (
	"net/http"
	"testing"
	"time"
)

// A business type that asks for no status reports: its submits carry no
// report request (the simulator then sends none), the message ends "sent"
// once the operator took it — not "unknown" when no report comes — and it
// is charged on submission.
func TestBusinessTypeWithoutReportsEndsSent(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{ReportWait: 2 * time.Second})
	admin := func(method, path, body string) (int, map[string]any) {
		return call(t, sb, method, path, body, sb.AdminToken)
	}
	if st, m := admin("POST", "/api/v1/admin/business-types",
		`{"code":"bulk","name":"群发通知","priority":2,"fee":0.05,"charge_on":"delivered","report_required":false}`); st != http.StatusBadRequest {
		t.Fatalf("no reports yet charged on delivery: %d %v (nothing could ever be charged)", st, m)
	}
	if st, m := admin("POST", "/api/v1/admin/business-types",
		`{"code":"bulk","name":"群发通知","priority":2,"fee":0.05,"charge_on":"submitted","report_required":false}`); st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, m)
	}
	bal, _ := money(t, sb)
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"今日邮件已全部投递。","business":"bulk"}`))
	m := waitState(t, sb, id, "sent", 15*time.Second)
	if m["operator_code"] != nil && m["operator_code"] != "NOREPORT" {
		t.Fatalf("sent message: %v", m)
	}
	b, r := money(t, sb)
	if bal-b != 50 || r != 0 {
		t.Fatalf("balance %d → %d (reserved %d); want 0.050 yuan charged", bal, b, r)
	}
	// Past the report wait it is still sent: no report was coming.
	time.Sleep(3 * time.Second)
	_, m = call(t, sb, "GET", "/api/v1/messages/"+id+"?trace=1", "", sb.APIKey)
	if m["state"] != "sent" {
		t.Fatalf("after the report wait: %v", m)
	}
	// The ordinary type still asks for and gets its report.
	id = firstID(t, send(t, sb, `{"to":["13800138000"],"content":"您的邮件已到达。"}`))
	waitState(t, sb, id, "delivered", 15*time.Second)
}
