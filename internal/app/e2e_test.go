package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/sim"
)

// testSandbox starts a whole platform on SQLite with in-process simulators.
func testSandbox(t *testing.T, o SandboxOptions) *Sandbox {
	t.Helper()
	if o.DataDir == "" && o.Database == "" {
		o.DataDir = t.TempDir()
	}
	if o.Sim.ReportDelay == 0 {
		o.Sim.ReportDelay = 20 * time.Millisecond
	}
	o.SQLiteSync = "normal"
	if o.Logger == nil {
		lv := slog.LevelWarn
		if testing.Verbose() {
			lv = slog.LevelInfo
		}
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv}))
	}
	ctx := context.Background()
	sb, err := NewSandbox(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sb.Stop(sctx); err != nil {
			t.Logf("stop: %v", err)
		}
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

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call does an API request and decodes the JSON answer.
func call(t *testing.T, sb *Sandbox, method, path, body, key string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+sb.Addr()+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s answered non-JSON %d: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

func send(t *testing.T, sb *Sandbox, body string) map[string]any {
	t.Helper()
	st, m := call(t, sb, "POST", "/api/v1/messages", body, sb.APIKey)
	if st != http.StatusCreated {
		t.Fatalf("send %s: HTTP %d %v", body, st, m)
	}
	return m
}

func firstID(t *testing.T, m map[string]any) string {
	t.Helper()
	msgs, _ := m["messages"].([]any)
	if len(msgs) == 0 {
		t.Fatalf("no messages in %v", m)
	}
	return msgs[0].(map[string]any)["id"].(string)
}

func waitState(t *testing.T, sb *Sandbox, id, want string, d time.Duration) map[string]any {
	t.Helper()
	var m map[string]any
	waitFor(t, d, "message "+id+" "+want, func() bool {
		_, m = call(t, sb, "GET", "/api/v1/messages/"+id, "", sb.APIKey)
		return m["state"] == want
	})
	return m
}

func TestSendReachesDeliveredOverCMPP(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	id := firstID(t, send(t, sb, `{"to":["+86 138-0013-8000"],"content":"您的邮件已到达，请凭取件码 1234 领取。"}`))
	m := waitState(t, sb, id, "delivered", 10*time.Second)
	if m["operator"] != "cmcc" || m["gateway"] != "cmcc-cmpp-1" || m["to"] != "13800138000" || m["operator_code"] != "DELIVRD" {
		t.Fatalf("delivered message = %v", m)
	}
	_, tr := call(t, sb, "GET", "/api/v1/messages/"+id+"?trace=1", "", sb.APIKey)
	kinds := map[string]bool{}
	for _, e := range tr["timeline"].([]any) {
		kinds[e.(map[string]any)["kind"].(string)] = true
	}
	for _, k := range []string{"accepted", "queued", "submitted", "report"} {
		if !kinds[k] {
			t.Errorf("timeline lacks %q: %v", k, tr["timeline"])
		}
	}
	segs := tr["segments_detail"].([]any)
	if len(segs) != 1 || segs[0].(map[string]any)["op_msg_id"] == "" {
		t.Errorf("segments detail = %v", segs)
	}
	_, byNum := call(t, sb, "GET", "/api/v1/messages?to=13800138000", "", sb.APIKey)
	if l := byNum["messages"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != id {
		t.Errorf("lookup by number = %v", byNum)
	}
}

func TestBatchOfThousandDelivered(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	var nums []string
	prefixes := []string{"138", "130", "133", "192"}
	for i := 0; i < 1000; i++ {
		nums = append(nums, fmt.Sprintf(`"%s%08d"`, prefixes[i%4], i))
	}
	res := send(t, sb, `{"to":[`+strings.Join(nums, ",")+`],"content":"批量通知"}`)
	bid := res["batch_id"].(string)
	var b map[string]any
	waitFor(t, 30*time.Second, "batch delivered", func() bool {
		_, b = call(t, sb, "GET", "/api/v1/batches/"+bid, "", sb.APIKey)
		c, _ := b["counts"].(map[string]any)
		return c["delivered"] == float64(1000)
	})
	if b["total"] != float64(1000) || len(b["failures"].([]any)) != 0 {
		t.Fatalf("batch = %v", b)
	}
	for _, op := range []string{"cmcc", "cucc", "ctcc", "cbn"} {
		if n := sb.SimFor(op).Stats().Submits; n != 250 {
			t.Errorf("%s got %d submits, want 250", op, n)
		}
	}
}

func TestLongChineseTextIsFiveSegmentsOneDelivered(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	res := send(t, sb, `{"to":["13900139000"],"content":"`+strings.Repeat("邮政", 150)+`"}`)
	if s := res["messages"].([]any)[0].(map[string]any)["segments"]; s != float64(5) {
		t.Fatalf("300 Chinese characters → %v segments, want 5", s)
	}
	id := firstID(t, res)
	waitState(t, sb, id, "delivered", 10*time.Second)
	if n := sb.SimFor("cmcc").Stats().Submits; n != 5 {
		t.Fatalf("simulator received %d submits, want 5", n)
	}
	_, tr := call(t, sb, "GET", "/api/v1/messages/"+id+"?trace=1", "", sb.APIKey)
	if segs := tr["segments_detail"].([]any); len(segs) != 5 {
		t.Fatalf("segments detail has %d rows, want 5", len(segs))
	}
}

func TestRejectedSubmitIsRetriedThenDelivered(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	sb.SimFor("cmcc").RejectNext(1)
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"重试测试","business":"verify"}`))
	m := waitState(t, sb, id, "delivered", 15*time.Second)
	if m["attempts"] != float64(2) {
		t.Fatalf("attempts = %v, want 2 (one refusal, one success)", m["attempts"])
	}
	_, tr := call(t, sb, "GET", "/api/v1/messages/"+id+"?trace=1", "", sb.APIKey)
	found := false
	for _, e := range tr["timeline"].([]any) {
		found = found || e.(map[string]any)["kind"] == "retry"
	}
	if !found {
		t.Fatalf("timeline has no retry: %v", tr["timeline"])
	}
}

func TestGatewayDownMessagesWaitAndGoOutWhenItReturns(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	s := sb.SimFor("cucc")
	addr := s.Addr()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "cucc gateway down", func() bool { return !sb.Pool.Get("cucc-sgip-1").Healthy() })
	id := firstID(t, send(t, sb, `{"to":["13012345678"],"content":"网关恢复后发送"}`))
	time.Sleep(time.Second)
	_, m := call(t, sb, "GET", "/api/v1/messages/"+id, "", sb.APIKey)
	if st := m["state"]; st != "accepted" && st != "queued" {
		t.Fatalf("with the gateway down the message is %v, want still waiting", st)
	}
	if err := s.Listen(addr); err != nil {
		t.Fatal(err)
	}
	waitState(t, sb, id, "delivered", 40*time.Second)
}

func TestMOIsPushedSignedAndInInbox(t *testing.T) {
	type got struct {
		body []byte
		sig  string
		ts   string
	}
	var mu sync.Mutex
	var pushes []got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		pushes = append(pushes, got{b, r.Header.Get("X-Hongyan-Signature"), r.Header.Get("X-Hongyan-Timestamp")})
		n := len(pushes)
		mu.Unlock()
		if n == 1 { // the first attempt fails: the push must be retried
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	sb := testSandbox(t, SandboxOptions{CallbackURL: srv.URL})
	if err := sb.SendMO(context.Background(), "13800138000", "10658000123", "查询 邮件"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "MO pushed twice (one failure, one retry)", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(pushes) >= 2
	})
	mu.Lock()
	p := pushes[1]
	mu.Unlock()
	ts, _ := strconv.ParseInt(p.ts, 10, 64)
	if want := "sha256=" + core.Sign(sb.Account.Secret, ts, p.body); p.sig != want {
		t.Fatalf("signature %q, want %q", p.sig, want)
	}
	var mo map[string]any
	if err := json.Unmarshal(p.body, &mo); err != nil || mo["from"] != "13800138000" || mo["content"] != "查询 邮件" || mo["keyword"] != "查询" {
		t.Fatalf("push body %s (%v)", p.body, err)
	}
	_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
	if l := inbox["mo"].([]any); len(l) != 1 || l[0].(map[string]any)["to"] != "10658000123" {
		t.Fatalf("inbox = %v", inbox)
	}
}

func TestLongMOIsReassembled(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	text := strings.Repeat("长短信回复", 30) // 150 characters: 3 UCS2 parts
	if err := sb.SendMO(context.Background(), "13800138000", "10658000", text); err != nil {
		t.Fatal(err)
	}
	var inbox map[string]any
	waitFor(t, 5*time.Second, "MO in inbox", func() bool {
		_, inbox = call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
		return len(inbox["mo"].([]any)) > 0
	})
	l := inbox["mo"].([]any)
	if len(l) != 1 || l[0].(map[string]any)["content"] != text {
		t.Fatalf("reassembled MO = %v", l)
	}
}

func TestBadInputRefusedAndNothingStored(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	cases := []struct {
		body, key, code string
		status          int
	}{
		{`{"to":["12345"],"content":"x"}`, sb.APIKey, "invalid_number", 400},
		{`{"to":[],"content":"x"}`, sb.APIKey, "invalid_number", 400},
		{`{"to":["13800138000","abc"],"content":"x"}`, sb.APIKey, "invalid_number", 400},
		{`{"to":["13800138000"],"content":""}`, sb.APIKey, "empty_content", 400},
		{`{"to":["13800138000"],"content":"   "}`, sb.APIKey, "empty_content", 400},
		{`{"to":["13800138000"],"content":"` + strings.Repeat("长", 700) + `"}`, sb.APIKey, "content_too_long", 400},
		{`{"to":["13800138000"],"content":"` + strings.Repeat("验", 200) + `","business":"verify"}`, sb.APIKey, "content_too_long", 400},
		{`{"to":["13800138000"],"content":"x","business":"nope"}`, sb.APIKey, "unknown_business", 400},
		{`{"to":["13800138000"],"content":`, sb.APIKey, "invalid_json", 400},
		{`{"to":["13800138000"],"content":"x"}`, "wrongkey", "unauthorized", 401},
		{`{"to":["13800138000"],"content":"x"}`, "", "unauthorized", 401},
	}
	for _, c := range cases {
		st, m := call(t, sb, "POST", "/api/v1/messages", c.body, c.key)
		e, _ := m["error"].(map[string]any)
		if st != c.status || e == nil || e["code"] != c.code || e["message"] == "" {
			t.Errorf("%.60s → HTTP %d %v, want %d %s", c.body, st, m, c.status, c.code)
		}
	}
	_, byNum := call(t, sb, "GET", "/api/v1/messages?to=13800138000", "", sb.APIKey)
	if l := byNum["messages"].([]any); len(l) != 0 {
		t.Fatalf("refused requests stored %d messages", len(l))
	}
}

func TestClientRefIsIdempotent(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	body := `{"to":["13800138000","13900139000"],"content":"一次","client_ref":"order-42"}`
	first := send(t, sb, body)
	st, again := call(t, sb, "POST", "/api/v1/messages", body, sb.APIKey)
	if st != http.StatusOK || again["batch_id"] != first["batch_id"] || again["duplicate"] != true {
		t.Fatalf("replay = %d %v, want 200 with batch %v", st, again, first["batch_id"])
	}
	if a, b := firstID(t, first), firstID(t, again); a != b {
		t.Fatalf("replay returned message %s, first was %s", b, a)
	}
	waitState(t, sb, firstID(t, first), "delivered", 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	if n := sb.SimFor("cmcc").Stats().Submits; n != 2 {
		t.Fatalf("simulator got %d submits for a request sent twice with one client_ref, want 2", n)
	}
}

func TestLegacyGetSend(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	u := fmt.Sprintf("http://%s/sms/send?user=%s&pwd=%s&mobile=13800138000,13912345678&content=%s", sb.Addr(), SandboxAccount, sb.Password, "%E4%BD%A0%E5%A5%BD")
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if resp.StatusCode != 201 || len(m["messages"].([]any)) != 2 {
		t.Fatalf("legacy send = %d %v", resp.StatusCode, m)
	}
	resp, _ = http.Get(strings.Replace(u, sb.Password, "wrong", 1))
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("legacy send with a wrong password = %d, want 401", resp.StatusCode)
	}
}

func TestMetricsAndHealth(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"指标"}`))
	waitState(t, sb, id, "delivered", 10*time.Second)
	// The counters move just after the commit the API reads, so the page is
	// read until it shows them (a bounded wait, not a sleep).
	var b []byte
	wants := []string{"hongyan_messages_accepted_total 1", `hongyan_messages_final_total{state="delivered"} 1`, `hongyan_gateway_connected_sessions{gateway="cmcc-cmpp-1"`}
	missing := func() string {
		resp, err := http.Get("http://" + sb.Addr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range wants {
			if !bytes.Contains(b, []byte(want)) {
				return want
			}
		}
		return ""
	}
	deadline := time.Now().Add(5 * time.Second)
	for m := missing(); m != ""; m = missing() {
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q:\n%s", m, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, h := call(t, sb, "GET", "/healthz", "", "")
	if h["status"] != "ok" || h["gateways_up"] != float64(len(sb.Sims)) {
		t.Fatalf("/healthz = %v", h)
	}
}

// A marketing backlog never delays a verification code: the dispatcher
// serves the urgent lane first.
func TestVerificationCodeOvertakesMarketingBacklog(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{TPS: 50})
	var nums []string
	for i := 0; i < 300; i++ {
		nums = append(nums, fmt.Sprintf(`"138%08d"`, i))
	}
	mk := send(t, sb, `{"to":[`+strings.Join(nums, ",")+`],"content":"双十一邮政优惠","business":"marketing"}`)
	time.Sleep(300 * time.Millisecond) // the backlog is queued and draining at 50/s
	id := firstID(t, send(t, sb, `{"to":["13900000001"],"content":"验证码 123456","business":"verify"}`))
	waitState(t, sb, id, "delivered", 5*time.Second)
	_, b := call(t, sb, "GET", "/api/v1/batches/"+mk["batch_id"].(string), "", sb.APIKey)
	done := b["counts"].(map[string]any)["delivered"]
	if d, _ := done.(float64); d > 150 {
		t.Fatalf("verification code delivered only after %v of 300 marketing messages", d)
	}
}

// A newcomer points their own URL at the platform through the API and
// receives both a reply (MO) and a final status, signed with the secret the
// API gave them.
func TestCallbackURLSetThroughAPIReceivesMOAndStatus(t *testing.T) {
	type push struct {
		body []byte
		sig  string
		ts   string
	}
	got := make(chan push, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- push{b, r.Header.Get("X-Hongyan-Signature"), r.Header.Get("X-Hongyan-Timestamp")}
	}))
	defer srv.Close()
	sb := testSandbox(t, SandboxOptions{})
	if st, m := call(t, sb, "PATCH", "/api/v1/account", `{"callback_url":"ftp://x"}`, sb.APIKey); st != 400 || m["error"].(map[string]any)["code"] != "invalid_callback_url" {
		t.Fatalf("bad callback URL answered %d %v", st, m)
	}
	st, acc := call(t, sb, "PATCH", "/api/v1/account", `{"callback_url":"`+srv.URL+`"}`, sb.APIKey)
	secret, _ := acc["secret"].(string)
	if st != 200 || acc["callback_url"] != srv.URL || len(secret) < 16 {
		t.Fatalf("set callback answered %d %v", st, acc)
	}
	verify := func(p push) map[string]any {
		t.Helper()
		ts, _ := strconv.ParseInt(p.ts, 10, 64)
		if p.sig != "sha256="+core.Sign(secret, ts, p.body) {
			t.Fatalf("push signature %q does not verify with the secret the API returned", p.sig)
		}
		var m map[string]any
		if err := json.Unmarshal(p.body, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if err := sb.SendMO(context.Background(), "13800138000", "10658000", "好的"); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if m := verify(p); m["type"] != "mo" || m["content"] != "好的" {
			t.Fatalf("MO push %v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no MO push")
	}
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"状态回调"}`))
	select {
	case p := <-got:
		if m := verify(p); m["type"] != "status" || m["id"] != id || m["state"] != "delivered" || m["operator_code"] != "DELIVRD" {
			t.Fatalf("status push %v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no status push")
	}
	_, tr := call(t, sb, "GET", "/api/v1/messages/"+id+"?trace=1", "", sb.APIKey)
	if ps, _ := tr["pushes"].([]any); len(ps) != 1 {
		t.Fatalf("trace pushes = %v", tr["pushes"])
	}
}

func TestAdminTokenAndLogin(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	st, me := call(t, sb, "GET", "/api/v1/admin/me", "", sb.AdminToken)
	if st != 200 || me["username"] != "admin" || me["role"] != "platform_admin" {
		t.Fatalf("admin/me = %d %v", st, me)
	}
	if st, _ := call(t, sb, "GET", "/api/v1/admin/gateways", "", sb.APIKey); st != 401 {
		t.Fatalf("a sending key on the admin API answered %d, want 401", st)
	}
	if st, m := call(t, sb, "GET", "/api/v1/admin/accounts", "", sb.AdminToken); st != 200 || len(m["accounts"].([]any)) != 1 {
		t.Fatalf("admin/accounts = %d %v", st, m)
	}
	u, err := sb.Store.UserByName(context.Background(), sb.AdminUser)
	if err != nil || !core.CheckPassword(u.PasswordHash, sb.AdminPassword) {
		t.Fatalf("printed admin password does not verify: %v", err)
	}
}

// The demo restarted on the same data directory keeps its messages and
// prints working credentials again.
func TestSandboxRestartsOnSameData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := NewSandbox(ctx, SandboxOptions{DataDir: dir, SQLiteSync: "normal", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	oldKey := first.APIKey
	waitFor(t, 10*time.Second, "gateways up", func() bool { return first.Pool.Get("cmcc-cmpp-1").Healthy() })
	id := firstID(t, send(t, first, `{"to":["13800138000"],"content":"重启前"}`))
	waitState(t, first, id, "delivered", 10*time.Second)
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	second := testSandbox(t, SandboxOptions{DataDir: dir})
	if st, m := call(t, second, "GET", "/api/v1/messages/"+id, "", second.APIKey); st != 200 || m["state"] != "delivered" {
		t.Fatalf("message after restart: %d %v", st, m)
	}
	if st, _ := call(t, second, "GET", "/api/v1/account", "", oldKey); st != 200 {
		t.Fatalf("the first run's API key answered %d after a restart", st)
	}
	if st, _ := call(t, second, "GET", "/api/v1/admin/me", "", second.AdminToken); st != 200 {
		t.Fatalf("new admin token answered %d", st)
	}
}

// An operator that never sends the report: the message still ends, as
// unknown with code NOREPORT, after the report wait.
func TestMessageWithoutReportEndsUnknown(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{Sim: sim.Config{NoReports: true}, ReportWait: 400 * time.Millisecond})
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"无状态报告"}`))
	m := waitState(t, sb, id, "unknown", 10*time.Second)
	if m["operator_code"] != "NOREPORT" || m["submitted_at"] == nil {
		t.Fatalf("message without a report = %v", m)
	}
}

// China Broadnet and international numbers go out over SMPP 3.4: receipts
// come back with the id in hex in the response and decimal in the text,
// long text goes with a UDH, and an MO comes in.
func TestSMPPGatewaysEndToEnd(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	short := firstID(t, send(t, sb, `{"to":["19212345678"],"content":"广电号码测试"}`))
	intl := firstID(t, send(t, sb, `{"to":["+44 7911 123456"],"content":"hello from Hongyan"}`))
	long := firstID(t, send(t, sb, `{"to":["19212345679"],"content":"`+strings.Repeat("邮政", 100)+`"}`))
	for id, gw := range map[string]string{short: "cbn-smpp-1", intl: "intl-smpp-1", long: "cbn-smpp-1"} {
		m := waitState(t, sb, id, "delivered", 10*time.Second)
		if m["gateway"] != gw || m["operator_code"] != "DELIVRD" {
			t.Fatalf("message %s = %v, want delivered through %s", id, m, gw)
		}
	}
	_, tr := call(t, sb, "GET", "/api/v1/messages/"+long+"?trace=1", "", sb.APIKey)
	if segs := tr["segments_detail"].([]any); len(segs) != 3 {
		t.Fatalf("200 Chinese characters over SMPP: %d segments, want 3", len(segs))
	}
	if err := sb.SendMO(context.Background(), "19212345678", "10658000", "广电用户回复"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "SMPP MO in inbox", func() bool {
		_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
		for _, m := range inbox["mo"].([]any) {
			if m.(map[string]any)["from"] == "19212345678" && m.(map[string]any)["content"] == "广电用户回复" {
				return true
			}
		}
		return false
	})
}

// China Telecom numbers go out over SMGP 3.0: short and long text
// delivered, reports matched by the BCD MsgID, an MO comes in.
func TestSMGPGatewayEndToEnd(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	short := firstID(t, send(t, sb, `{"to":["13312345678"],"content":"电信号码测试"}`))
	long := firstID(t, send(t, sb, `{"to":["18912345678"],"content":"`+strings.Repeat("邮政", 100)+`"}`))
	for _, id := range []string{short, long} {
		if m := waitState(t, sb, id, "delivered", 10*time.Second); m["gateway"] != "ctcc-smgp-1" || m["operator"] != "ctcc" {
			t.Fatalf("message %s = %v, want delivered through ctcc-smgp-1", id, m)
		}
	}
	if err := sb.SendMO(context.Background(), "13312345678", "10658000", strings.Repeat("电信长回复", 20)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "SMGP MO in inbox", func() bool {
		_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
		for _, m := range inbox["mo"].([]any) {
			if m.(map[string]any)["content"] == strings.Repeat("电信长回复", 20) {
				return true
			}
		}
		return false
	})
}

// China Unicom numbers go out over SGIP 1.2: the platform binds to the SMG
// for Submit, and the SMG connects back to the platform's Receiver with
// the reports (matched by the Submit's 12-byte sequence number) and MO.
func TestSGIPGatewayEndToEnd(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	short := firstID(t, send(t, sb, `{"to":["13012345678"],"content":"联通号码测试"}`))
	long := firstID(t, send(t, sb, `{"to":["13012345679"],"content":"`+strings.Repeat("邮政", 100)+`"}`))
	for _, id := range []string{short, long} {
		m := waitState(t, sb, id, "delivered", 10*time.Second)
		if m["gateway"] != "cucc-sgip-1" || m["operator"] != "cucc" || m["operator_code"] != "DELIVRD" {
			t.Fatalf("message %s = %v, want delivered through cucc-sgip-1", id, m)
		}
	}
	_, tr := call(t, sb, "GET", "/api/v1/messages/"+long+"?trace=1", "", sb.APIKey)
	if segs := tr["segments_detail"].([]any); len(segs) != 3 {
		t.Fatalf("200 Chinese characters over SGIP: %d segments, want 3", len(segs))
	}
	if st := sb.SimFor("cucc").Stats(); st.Submits != 4 || st.Reports != 4 {
		t.Fatalf("SGIP simulator stats %+v, want 4 submits and 4 reports", st)
	}
	longMO := strings.Repeat("联通长回复", 20)
	for _, text := range []string{"联通用户回复", longMO} {
		if err := sb.SendMO(context.Background(), "13012345678", "10658000", text); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "SGIP MO in inbox", func() bool {
		_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
		got := 0
		for _, m := range inbox["mo"].([]any) {
			mo := m.(map[string]any)
			if mo["from"] == "13012345678" && mo["to"] == "10658000" && (mo["content"] == "联通用户回复" || mo["content"] == longMO) {
				got++
			}
		}
		return got == 2
	})
}
