package app

import (
	"net/http"
	"testing"
	"time"
)

// The benchmarks' baseline (`hongyan bench --bare`) really is without the
// business rules' costs: a delivered message takes no money and counts in
// no statistic, where the ordinary sandbox charges and counts it.
func TestBareSandboxChargesAndCountsNothing(t *testing.T) {
	for _, bare := range []bool{false, true} {
		sb := testSandbox(t, SandboxOptions{Bare: bare})
		_, before := call(t, sb, "GET", "/api/v1/account", "", sb.APIKey)
		id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"基准测试"}`))
		waitState(t, sb, id, "delivered", 15*time.Second)
		_, after := call(t, sb, "GET", "/api/v1/account", "", sb.APIKey)
		day := time.Now().In(sb.Core.TimeZone()).Format("2006-01-02")
		st, stats := call(t, sb, "GET", "/api/v1/stats?from="+day+"&to="+day, "", sb.APIKey)
		if st != http.StatusOK {
			t.Fatalf("bare=%v: stats %d %v", bare, st, stats)
		}
		delivered := num(stats["totals"].(map[string]any)["delivered"])
		charged := before["balance"] != after["balance"]
		if bare && (charged || delivered != 0) {
			t.Fatalf("bare sandbox: balance %v → %v, %d delivered counted; want no charge, no count", before["balance"], after["balance"], delivered)
		}
		if !bare && (!charged || delivered != 1) {
			t.Fatalf("ordinary sandbox: balance %v → %v, %d delivered counted; want a charge and 1", before["balance"], after["balance"], delivered)
		}
	}
}
