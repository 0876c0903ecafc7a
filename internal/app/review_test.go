package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

// The rest of the content filter end to end: the review queue (held
// requests, approved through the simulators or rejected with their money
// back), its roles and scope, a restart while held, and frequency limits.

// submitsTo counts what the operator simulators received for number.
func submitsTo(mu *sync.Mutex, seen map[string]int, number string) int {
	mu.Lock()
	defer mu.Unlock()
	return seen[number]
}

// watchSubmits records every submit the sandbox's simulators receive.
func watchSubmits(sb *Sandbox) (*sync.Mutex, map[string]int) {
	mu := &sync.Mutex{}
	seen := map[string]int{}
	for _, s := range sb.Sims {
		s.OnSubmit(func(dest string, _ []byte) {
			mu.Lock()
			seen[normalize(dest)]++
			mu.Unlock()
		})
	}
	return mu, seen
}

// countedStates sums the sandbox account's statistics counters of the
// last hours per state.
func countedStates(t *testing.T, sb *Sandbox) map[store.State]int64 {
	t.Helper()
	now := time.Now()
	rows, err := sb.Store.Stats(context.Background(), store.StatsQuery{From: store.HourStart(now).Add(-2 * time.Hour),
		To: store.HourStart(now).Add(2 * time.Hour), Accounts: []int64{sb.Account.ID}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[store.State]int64{}
	for _, r := range rows {
		out[r.State] += r.Messages
	}
	return out
}

func TestReviewQueueEndToEnd(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	aud := tok["auditor"]
	mu, seen := watchSubmits(sb)
	if st, m := call(t, sb, "POST", "/api/v1/admin/filter-words", `{"word":"中奖","action":"review"}`, sb.AdminToken); st != http.StatusCreated || m["action"] != "review" {
		t.Fatalf("add a review word: %d %v", st, m)
	}
	bal0, res0 := money(t, sb)
	counted0 := countedStates(t, sb)

	// Held: 202, stored, reserved, not sent.
	st, m := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000","13800138001"],"content":"恭喜您中奖了"}`, sb.APIKey)
	if st != http.StatusAccepted || m["held"] != true || !strings.Contains(m["notice"].(string), `"中奖"`) {
		t.Fatalf("held send: %d %v", st, m)
	}
	batch := m["batch_id"].(string)
	msgs := list(m, "messages")
	if len(msgs) != 2 || msgs[0]["state"] != "held" {
		t.Fatalf("held messages %v", msgs)
	}
	id := msgs[0]["id"].(string)
	if _, res := money(t, sb); res != res0+100 {
		t.Fatalf("reserved %d, want %d", res, res0+100)
	}
	time.Sleep(300 * time.Millisecond)
	if n := submitsTo(mu, seen, "13800138000"); n != 0 {
		t.Fatalf("a held message reached the operator %d time(s)", n)
	}
	if _, mm := call(t, sb, "GET", "/api/v1/messages/"+id, "", sb.APIKey); mm["state"] != "held" {
		t.Fatalf("held message %v", mm)
	}

	// The queue: the auditor and the platform administrator see it; others may not look.
	_, q := call(t, sb, "GET", "/api/v1/admin/review", "", aud)
	hs := list(q, "holds")
	if len(hs) != 1 || hs[0]["batch_id"] != batch || hs[0]["numbers"] != float64(2) || hs[0]["account"] != SandboxAccount ||
		hs[0]["content"] != "恭喜您中奖了" || toJSON(hs[0]["words"]) != `["中奖"]` || hs[0]["src"] != SandboxServiceCode || hs[0]["state"] != "waiting" {
		t.Fatalf("queue %v", q)
	}
	want(t, "org_admin lists the queue", answer(call(t, sb, "GET", "/api/v1/admin/review", "", tok["gz-admin"])), 403, "forbidden")
	want(t, "partner approves", answer(call(t, sb, "POST", "/api/v1/admin/review/"+batch+"/approve", "", tok["partner"])), 403, "forbidden")
	_, one := call(t, sb, "GET", "/api/v1/admin/review/"+batch, "", sb.AdminToken)
	if ms := list(one, "messages"); len(ms) != 2 || ms[1]["to"] != "13800138001" || ms[1]["state"] != "held" {
		t.Fatalf("one held request %v", one)
	}
	// An auditor of a city reaches only the city's accounts: the province's request is not there.
	if st, m := call(t, sb, "POST", "/api/v1/admin/users", `{"username":"gz-auditor","role":"auditor","org":"GD-GZ","password":"gz-auditor-pw-1"}`, sb.AdminToken); st != http.StatusCreated {
		t.Fatalf("create a city auditor: %d %v", st, m)
	}
	gzAud := login(t, sb, "gz-auditor", "gz-auditor-pw-1")
	if _, q := call(t, sb, "GET", "/api/v1/admin/review", "", gzAud); len(list(q, "holds")) != 0 {
		t.Fatalf("a city auditor sees the province's held request: %v", q)
	}
	want(t, "city auditor approves the province's", answer(call(t, sb, "POST", "/api/v1/admin/review/"+batch+"/approve", "", gzAud)), 404, "not_found")

	// Approved: sent and delivered through the simulator, on the timeline, audited.
	st, m = call(t, sb, "POST", "/api/v1/admin/review/"+batch+"/approve", "", aud)
	if st != http.StatusOK || m["state"] != "approved" || m["decided_by"] != "auditor" || m["messages"] != float64(2) {
		t.Fatalf("approve: %d %v", st, m)
	}
	for _, x := range msgs {
		waitState(t, sb, x["id"].(string), "delivered", 15*time.Second)
	}
	if n := submitsTo(mu, seen, "13800138000"); n != 1 {
		t.Fatalf("the approved message reached the operator %d time(s)", n)
	}
	_, tr := call(t, sb, "GET", "/api/v1/messages/"+id+"?trace=1", "", sb.APIKey)
	if !strings.Contains(toJSON(tr["timeline"]), `"detail":"approved by auditor","kind":"review"`) {
		t.Fatalf("timeline %v", tr["timeline"])
	}
	st, m = call(t, sb, "POST", "/api/v1/admin/review/"+batch+"/reject", `{"reason":"late"}`, sb.AdminToken)
	if st != http.StatusConflict || errCode(m) != "already_decided" || m["hold"].(map[string]any)["decided_by"] != "auditor" {
		t.Fatalf("a second decision: %d %v", st, m)
	}
	_, au := call(t, sb, "GET", "/api/v1/admin/audit?object=hold:"+batch, "", sb.AdminToken)
	if es := list(au, "audit"); len(es) != 1 || es[0]["action"] != "approve" || es[0]["username"] != "auditor" {
		t.Fatalf("audit of the decision %v", au)
	}

	// Rejected: a reason is required; then filtered, money back exactly, counted, recorded.
	_, m = call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138002"],"content":"中奖通知"}`, sb.APIKey)
	b2 := m["batch_id"].(string)
	id2 := firstID(t, m)
	want(t, "reject without a reason", answer(call(t, sb, "POST", "/api/v1/admin/review/"+b2+"/reject", `{}`, aud)), 400, "invalid_reason")
	if st, m := call(t, sb, "POST", "/api/v1/admin/review/"+b2+"/reject", `{"reason":"抽奖类内容不予发送"}`, aud); st != http.StatusOK || m["state"] != "rejected" {
		t.Fatalf("reject: %d %v", st, m)
	}
	_, mm := call(t, sb, "GET", "/api/v1/messages/"+id2, "", sb.APIKey)
	if mm["state"] != "filtered" || mm["operator_code"] != "REVIEW_REJECTED" || mm["charged"] != float64(0) {
		t.Fatalf("rejected message %v", mm)
	}
	// Only the two delivered notices are charged (0.05 yuan each); nothing stays reserved.
	waitFor(t, 10*time.Second, "the delivered ones charged", func() bool { _, r := money(t, sb); return r == res0 })
	if bal, _ := money(t, sb); bal != bal0-100 {
		t.Fatalf("balance %d → %d, want %d", bal0, bal, bal0-100)
	}
	c := countedStates(t, sb)
	if c[store.Accepted]-counted0[store.Accepted] != 3 || c[store.Filtered]-counted0[store.Filtered] != 1 || c[store.Delivered]-counted0[store.Delivered] != 2 {
		t.Fatalf("counters %v (before %v)", c, counted0)
	}
	_, rf := call(t, sb, "GET", "/api/v1/admin/refusals?account_id="+strconv.FormatInt(sb.Account.ID, 10), "", sb.AdminToken)
	if !strings.Contains(toJSON(rf), `"kind":"review_rejected"`) || !strings.Contains(toJSON(rf), "抽奖类内容不予发送") {
		t.Fatalf("refusals %v", rf)
	}
	if n := submitsTo(mu, seen, "13800138002"); n != 0 {
		t.Fatalf("a rejected message reached the operator %d time(s)", n)
	}
	_, q = call(t, sb, "GET", "/api/v1/admin/review?state=decided", "", aud)
	if hs := list(q, "holds"); len(hs) != 2 || hs[0]["state"] != "rejected" || hs[0]["reason"] != "抽奖类内容不予发送" {
		t.Fatalf("decided %v", q)
	}
	if _, q := call(t, sb, "GET", "/api/v1/admin/review", "", aud); len(list(q, "holds")) != 0 {
		t.Fatalf("still waiting %v", q)
	}
	want(t, "bad state", answer(call(t, sb, "GET", "/api/v1/admin/review?state=maybe", "", aud)), 400, "invalid_parameter")
	want(t, "no such hold", answer(call(t, sb, "POST", "/api/v1/admin/review/123/approve", "", aud)), 404, "not_found")
}

// Held messages survive a restart unsent, and go when approved afterwards.
func TestReviewHeldAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := NewSandbox(ctx, SandboxOptions{DataDir: dir, SQLiteSync: "normal", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "gateways up", func() bool { return first.Pool.Get("cmcc-cmpp-1").Healthy() })
	call(t, first, "POST", "/api/v1/admin/filter-words", `{"word":"免费领","action":"review"}`, first.AdminToken)
	st, m := call(t, first, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"免费领取礼品"}`, first.APIKey)
	if st != http.StatusAccepted {
		t.Fatalf("held send: %d %v", st, m)
	}
	batch, id := m["batch_id"].(string), firstID(t, m)
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	second := testSandbox(t, SandboxOptions{DataDir: dir})
	mu, seen := watchSubmits(second)
	time.Sleep(300 * time.Millisecond)
	if _, m := call(t, second, "GET", "/api/v1/messages/"+id, "", second.APIKey); m["state"] != "held" || submitsTo(mu, seen, "13800138000") != 0 {
		t.Fatalf("after a restart: %v, %d submits", m, submitsTo(mu, seen, "13800138000"))
	}
	if st, m := call(t, second, "POST", "/api/v1/admin/review/"+batch+"/approve", "", second.AdminToken); st != http.StatusOK {
		t.Fatalf("approve after a restart: %d %v", st, m)
	}
	waitState(t, second, id, "delivered", 15*time.Second)
}

func TestFrequencyLimitEndToEnd(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	for body, code := range map[string]string{
		`{"freq_limit":3}`:                          "invalid_business_type",
		`{"freq_limit":-1,"freq_window":"1h"}`:      "invalid_business_type",
		`{"freq_limit":1,"freq_window":"1000h"}`:    "invalid_business_type",
		`{"freq_limit":1,"freq_window":"forever"}`:  "invalid_json",
		`{"freq_limit":"3","freq_window":"1h"}`:     "invalid_json",
		`{"freq_limit":1,"freq_window":"1h","x":1}`: "invalid_json",
	} {
		if st, m := call(t, sb, "PATCH", "/api/v1/admin/business-types/marketing", body, sb.AdminToken); st != http.StatusBadRequest || errCode(m) != code {
			t.Errorf("PATCH %s: %d %v, want 400 %s", body, st, m, code)
		}
	}
	st, m := call(t, sb, "PATCH", "/api/v1/admin/business-types/marketing", `{"freq_limit":2,"freq_window":"1h"}`, sb.AdminToken)
	if st != http.StatusOK || m["freq_limit"] != float64(2) || m["freq_window"] != "1h" {
		t.Fatalf("set a frequency limit: %d %v", st, m)
	}
	for range 2 {
		send(t, sb, `{"to":["13800138000"],"content":"促销","business":"marketing"}`)
	}
	bal, res := settled(t, sb, sb.APIKey) // the two delivered and charged: no money moving under the refusal
	counted := countedStates(t, sb)
	st, hdr, m := callWithHeaders(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"促销","business":"marketing"}`, sb.APIKey)
	if st != http.StatusTooManyRequests || errCode(m) != "frequency_limited" || hdr.Get("Retry-After") == "" ||
		!strings.Contains(m["error"].(map[string]any)["message"].(string), "business type marketing allows 2 message(s) to a number within 1h; 13800138000 has had 2") {
		t.Fatalf("third within the hour: %d %v %v", st, hdr, m)
	}
	if ra, _ := strconv.Atoi(hdr.Get("Retry-After")); ra < 3500 || ra > 3600 {
		t.Fatalf("Retry-After %q, want about an hour", hdr.Get("Retry-After"))
	}
	if b, r := money(t, sb); b != bal || r != res {
		t.Fatalf("a refusal moved money: %d/%d → %d/%d", bal, res, b, r)
	}
	if c := countedStates(t, sb); c[store.Accepted] != counted[store.Accepted] || c[store.Filtered] != counted[store.Filtered] {
		t.Fatalf("a refusal was counted: %v → %v", counted, c)
	}
	// With another number: 201, the limited one final and unsent.
	m = send(t, sb, `{"to":["13800138000","13800138009"],"content":"促销","business":"marketing"}`)
	ms := list(m, "messages")
	if ms[0]["state"] != "filtered" || ms[1]["state"] != "accepted" {
		t.Fatalf("mixed request %v", ms)
	}
	_, mm := call(t, sb, "GET", "/api/v1/messages/"+ms[0]["id"].(string), "", sb.APIKey)
	if mm["operator_code"] != "FREQUENCY_LIMITED" || mm["charged"] != float64(0) {
		t.Fatalf("limited message %v", mm)
	}
	_, rf := call(t, sb, "GET", "/api/v1/admin/refusals?account_id="+strconv.FormatInt(sb.Account.ID, 10), "", sb.AdminToken)
	n := 0
	for _, r := range list(rf, "refusals") {
		if r["kind"] == "frequency_limited" && r["number"] == "13800138000" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d frequency refusals recorded, want 2: %v", n, rf)
	}
	// Another business type is not limited; lifting the limit lets it go.
	send(t, sb, `{"to":["13800138000"],"content":"通知","business":"notice"}`)
	call(t, sb, "PATCH", "/api/v1/admin/business-types/marketing", `{"freq_limit":0}`, sb.AdminToken)
	send(t, sb, `{"to":["13800138000"],"content":"促销","business":"marketing"}`)
}

func TestFrequencyLimitFromConfig(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, `
business_types:
  - {code: mkt, priority: 2, freq_limit: 3, freq_window: 24h}
`))
	if err != nil {
		t.Fatal(err)
	}
	bt, err := businessTypeFromConfig(c.BusinessTypes[0])
	if err != nil || bt.FreqLimit != 3 || bt.FreqWindow != 24*time.Hour {
		t.Fatalf("business type %+v %v", bt, err)
	}
	if _, err := LoadConfig(writeConfig(t, "business_types: [{code: mkt, freq_limit: 3}]\n")); err == nil || !strings.Contains(err.Error(), "freq_window") {
		t.Fatalf("a limit without a window: %v", err)
	}
}
