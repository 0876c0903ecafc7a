package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"hongyan/internal/biz/settle"
	"hongyan/internal/core"
	"hongyan/internal/store"
)

// statsSandbox is testSandbox with a settlement configuration, set before
// the platform starts serving.
func statsSandbox(t *testing.T, cfg settle.Config) *Sandbox {
	t.Helper()
	ctx := context.Background()
	sb, err := NewSandbox(ctx, SandboxOptions{DataDir: t.TempDir(), SQLiteSync: "normal",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Check(func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	sb.Config.Settlement = cfg
	if err := sb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Stop(sctx)
	})
	waitFor(t, 10*time.Second, "gateways up", func() bool {
		for _, g := range sb.Pool.All() {
			if !g.Healthy() {
				return false
			}
		}
		return true
	})
	return sb
}

// raw does a request and returns the status and body.
func raw(t *testing.T, sb *Sandbox, method, path, body, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+sb.Addr()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func num(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		var n int64
		fmt.Sscan(x, &n)
		return n
	}
	return -1
}

func pct(v float64) *float64 { return &v }

// The counters follow the messages through the whole platform: accepted,
// blacklisted, sent and delivered on two operators, fees as charged; the
// reports, the settlement and the reconciliation read them; bad input is
// refused with a clear error.
func TestStatsSettlementAndReconciliation(t *testing.T) {
	ctx := context.Background()
	sb := statsSandbox(t, settle.Config{
		OperatorCosts: map[string]float64{"cmcc": 0.03, "cucc": 0.025},
		Shares:        []settle.ShareRule{{Account: SandboxAccount, Percent: pct(20)}, {Org: "ST", PerSegment: pct(0.01)}},
	})
	org := &store.Org{Level: store.LevelProvince, Code: "ST", Name: "统计省"}
	if err := sb.Store.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	acc := *sb.Account
	acc.OrgID = org.ID
	if err := sb.Store.UpdateAccount(ctx, &acc); err != nil {
		t.Fatal(err)
	}
	admin := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, method, path, body, sb.AdminToken)
	}
	if st, m := admin("POST", "/api/v1/admin/blacklist", `{"number":"13800138099"}`); st != http.StatusCreated {
		t.Fatalf("blacklist: %d %v", st, m)
	}
	bal0, _ := money(t, sb)
	long := strings.Repeat("邮政包裹已到达，请凭取件码领取。", 6) // two segments
	var ids []string
	for _, body := range []string{
		`{"to":["13800138001","13800138099"],"content":"您的包裹已到达"}`, // one blacklisted
		`{"to":["13800138002"],"content":"` + long + `"}`,
		`{"to":["18600186001","18600186002"],"content":"您的包裹已到达"}`,
	} {
		for _, m := range send(t, sb, body)["messages"].([]any) {
			if m := m.(map[string]any); m["state"] != "blacklisted" {
				ids = append(ids, m["id"].(string))
			}
		}
	}
	for _, id := range ids {
		waitState(t, sb, id, "delivered", 15*time.Second)
	}
	bal1, _ := money(t, sb)
	charged := bal0 - bal1 // 50 li a segment, 5 segments delivered
	if charged != 250 {
		t.Fatalf("charged %d li for 5 delivered segments at 0.05", charged)
	}
	today := time.Now().In(store.Shanghai).Format("2006-01-02")
	yesterday := time.Now().In(store.Shanghai).AddDate(0, 0, -1).Format("2006-01-02")
	rng := "from=" + yesterday + "&to=" + today

	// By state: the totals and rows agree with what happened.
	st, rep := admin("GET", "/api/v1/admin/stats?"+rng+"&group_by=state", "")
	if st != http.StatusOK {
		t.Fatalf("stats: %d %v", st, rep)
	}
	tot := rep["totals"].(map[string]any)
	for k, want := range map[string]int64{"accepted": 5, "accepted_segments": 6, "blacklisted": 1, "submitted": 4, "submitted_segments": 5,
		"delivered": 4, "delivered_segments": 5, "undelivered": 0} {
		if got := num(tot[k]); got != want {
			t.Errorf("totals[%s] = %d, want %d (%v)", k, got, want, tot)
		}
	}
	if tot["fees"] != 0.25 {
		t.Fatalf("fees %v, charged %d li", tot["fees"], charged)
	}
	rows := rep["rows"].([]any)
	if len(rows) != 4 || rows[0].(map[string]any)["state"] != "accepted" || num(rows[2].(map[string]any)["messages"]) != 4 {
		t.Fatalf("rows by state: %v", rows)
	}

	// By day and operator, as CSV.
	code, body := raw(t, sb, "GET", "/api/v1/admin/stats?"+rng+"&group_by=day,operator&format=csv", "", sb.AdminToken)
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != http.StatusOK || err != nil || len(recs) != 3 {
		t.Fatalf("CSV: %d %v\n%s", code, err, body)
	}
	head := recs[0]
	col := func(name string) int { return slices.Index(head, name) }
	if head[0] != "day" || head[1] != "operator" || col("delivered") < 0 || head[len(head)-1] != "fees" {
		t.Fatalf("CSV header %v", head)
	}
	for _, r := range recs[1:] {
		want := map[string][2]string{"cmcc": {"2", "0.150"}, "cucc": {"2", "0.100"}}[r[1]]
		if r[0] != today || r[col("delivered")] != want[0] || r[col("fees")] != want[1] {
			t.Fatalf("CSV row %v (header %v)", r, head)
		}
	}

	// The account's own report.
	st, own := call(t, sb, "GET", "/api/v1/stats?"+rng+"&group_by=business", "", sb.APIKey)
	if st != http.StatusOK || len(own["rows"].([]any)) != 1 || num(own["totals"].(map[string]any)["delivered"]) != 4 {
		t.Fatalf("own stats: %d %v", st, own)
	}
	if st, m := call(t, sb, "GET", "/api/v1/stats?"+rng+"&account=nobody", "", sb.APIKey); st != http.StatusBadRequest || errCode(m) != "invalid_account" {
		t.Fatalf("another account: %d %v", st, m)
	}

	// Bad input: a clear error, nothing else.
	for _, tc := range []struct{ q, code string }{
		{"from=2026-13-01", "invalid_date"},
		{"from=2026-11-05T10:30", "invalid_date"},
		{"from=2026-11-05&to=2026-11-01", "invalid_range"},
		{"period=2026-11&from=2026-11-01", "invalid_range"},
		{"period=soon", "invalid_period"},
		{"group_by=week", "invalid_group_by"},
		{"group_by=day,month", "invalid_group_by"},
		{"group_by=business,business", "invalid_group_by"},
		{"format=xml", "invalid_format"},
		{"period=2026&group_by=hour", "invalid_range"},
		{"org=NOPE", "invalid_org"},
	} {
		if st, m := admin("GET", "/api/v1/admin/stats?"+tc.q, ""); st != http.StatusBadRequest || errCode(m) != tc.code {
			t.Errorf("stats?%s: %d %v, want 400 %s", tc.q, st, m, tc.code)
		}
	}

	// Settlement: operators at their agreed costs, the account's 20 %, the
	// organisation's 0.01 a segment.
	st, stm := admin("GET", "/api/v1/admin/settlement?"+rng, "")
	if st != http.StatusOK {
		t.Fatalf("settlement: %d %v", st, stm)
	}
	ops := stm["operators"].([]any)
	cm, cu := ops[0].(map[string]any), ops[1].(map[string]any)
	if cm["operator"] != "cmcc" || num(cm["segments"]) != 3 || cm["cost"] != 0.09 || cu["operator"] != "cucc" || num(cu["segments"]) != 2 || cu["cost"] != 0.05 {
		t.Fatalf("operators %v", ops)
	}
	if gws := cm["gateways"].([]any); len(gws) != 1 || gws[0].(map[string]any)["gateway"] != "cmcc-cmpp-1" {
		t.Fatalf("cmcc gateways %v", gws)
	}
	accs := stm["accounts"].([]any)
	a0 := accs[0].(map[string]any)
	if len(accs) != 1 || a0["account"] != SandboxAccount || a0["revenue"] != 0.25 || a0["share"] != 0.05 || a0["rule"] != "20%" || a0["org"] != "ST" {
		t.Fatalf("accounts %v", accs)
	}
	o0 := stm["orgs"].([]any)[0].(map[string]any)
	if o0["org"] != "ST" || o0["share"] != 0.05 || o0["level"] != "province" {
		t.Fatalf("orgs %v", stm["orgs"])
	}
	if tt := stm["totals"].(map[string]any); tt["revenue"] != 0.25 || tt["operator_cost"] != 0.14 || tt["margin"] != 0.11 {
		t.Fatalf("totals %v", tt)
	}
	code, body = raw(t, sb, "GET", "/api/v1/admin/settlement?"+rng+"&format=csv", "", sb.AdminToken)
	if code != http.StatusOK || !strings.Contains(body, "operator,cmcc,,,,,2,3,,,0.030/segment,0.090") || !strings.Contains(body, "account,demo,,unit,ST,5,4,5,4,0.250,20%,0.050") ||
		!strings.Contains(body, "total,margin,,,,,,,,,,0.110") {
		t.Fatalf("settlement CSV: %d\n%s", code, body)
	}
	if st, m := admin("GET", "/api/v1/admin/settlement?period=2026-1", ""); st != http.StatusBadRequest || errCode(m) != "invalid_period" {
		t.Fatalf("bad period: %d %v", st, m)
	}

	// Reconciliation with cmcc's bill: per-day totals, one gateway off by one.
	rec := func(q, bill string) (int, map[string]any) {
		t.Helper()
		code, body := raw(t, sb, "POST", "/api/v1/admin/settlement/reconcile?"+q, bill, sb.AdminToken)
		m := map[string]any{}
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("reconcile answered %d %s", code, body)
		}
		return code, m
	}
	q := "operator=cmcc&" + rng
	st, rc := rec(q, "date,operator,gateway,segments\n"+today+",cmcc,cmcc-cmpp-1,3\n")
	if st != http.StatusOK || rc["agree"] != true || num(rc["ours_segments"]) != 3 {
		t.Fatalf("matching bill: %d %v", st, rc)
	}
	st, rc = rec(q, "date,operator,gateway,segments\n"+today+",cmcc,cmcc-cmpp-1,4\n"+yesterday+",cmcc,cmcc-cmpp-1,7\n")
	days, _ := rc["days"].([]any)
	if st != http.StatusOK || rc["agree"] != false || len(days) != 2 || num(days[1].(map[string]any)["difference"]) != 1 || num(days[0].(map[string]any)["ours"]) != 0 {
		t.Fatalf("differing bill: %d %v", st, rc)
	}
	// Per message: all of cmcc's but one, and one we never sent.
	var opIDs []string
	for _, id := range ids {
		m, err := sb.Store.GetMessage(ctx, 0, num(id))
		if err != nil {
			t.Fatal(err)
		}
		if m.Operator != "cmcc" {
			continue
		}
		segs, err := sb.Store.Segments(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range segs {
			opIDs = append(opIDs, s.OpMsgID)
		}
	}
	if len(opIDs) != 3 {
		t.Fatalf("cmcc operator ids %v", opIDs)
	}
	st, rc = rec(q, "op_msg_id,gateway\n"+strings.Join(opIDs[1:], ",cmcc-cmpp-1\n")+",cmcc-cmpp-1\nNOSUCHID,cmcc-cmpp-1\n")
	if st != http.StatusOK || num(rc["billed_unknown_count"]) != 1 || num(rc["sent_not_billed_count"]) != 1 ||
		rc["sent_not_billed"].([]any)[0].(map[string]any)["op_msg_id"] != opIDs[0] || num(rc["billed_unknown"].([]any)[0].(map[string]any)["line"]) != 4 {
		t.Fatalf("per-message bill: %d %v", st, rc)
	}
	// A malformed bill names its line; nothing is changed.
	for _, tc := range []struct{ q, bill, code, msg string }{
		{q, "date,gateway,segments\n" + today + ",cmcc-cmpp-1,4\n" + today + ",cmcc-cmpp-1,four\n", "invalid_bill", "line 3"},
		{q, "date,segments\n2020-01-01,4\n", "invalid_bill", "line 2"},
		{q, "", "invalid_bill", "empty"},
		{q, "what,ever\n1,2\n", "invalid_bill", "line 1"},
		{"operator=chinamobile&" + rng, "date,segments\n", "invalid_operator", "chinamobile"},
		{"operator=cmcc&from=nonsense", "date,segments\n", "invalid_date", "nonsense"},
	} {
		st, m := rec(tc.q, tc.bill)
		if st != http.StatusBadRequest || errCode(m) != tc.code || !strings.Contains(m["error"].(map[string]any)["message"].(string), tc.msg) {
			t.Errorf("bill %q: %d %v, want 400 %s naming %q", tc.bill, st, m, tc.code, tc.msg)
		}
	}
	if b, _ := money(t, sb); b != bal1 {
		t.Fatalf("reports changed the balance: %d → %d", bal1, b)
	}

	// Scope: an organisation administrator elsewhere sees none of it, and
	// settlement is the province's.
	other := &store.Org{Level: store.LevelCity, Code: "OTHER", Name: "别处"}
	if err := sb.Store.CreateOrg(ctx, other); err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "elsewhere", Role: store.RoleOrgAdmin, OrgID: other.ID}
	if err := sb.Store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok := core.NewSecret("hya_", 24)
	if err := sb.Store.CreateUserToken(ctx, &store.UserToken{Hash: core.HashKey(tok), Prefix: tok[:8], UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	if st, m := call(t, sb, "GET", "/api/v1/admin/stats?"+rng, "", tok); st != http.StatusOK || len(m["rows"].([]any)) != 0 {
		t.Fatalf("out-of-scope stats: %d %v", st, m)
	}
	if st, m := call(t, sb, "GET", "/api/v1/admin/settlement?"+rng, "", tok); st != http.StatusForbidden {
		t.Fatalf("org admin settlement: %d %v", st, m)
	}
	if st, _ := call(t, sb, "GET", "/api/v1/admin/stats?"+url.Values{"period": {"2026-11"}}.Encode(), "", "nope"); st != http.StatusUnauthorized {
		t.Fatalf("no token: %d", st)
	}
}
