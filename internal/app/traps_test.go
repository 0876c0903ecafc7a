package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sim"
	"hongyan/internal/store"
)

// Operator traps, end to end through each protocol (CMPP 3.0 for China
// Mobile, SGIP 1.2 for Unicom, SMGP 3.0 for Telecom, SMPP 3.4 for
// Broadnet): the platform's answer is asserted on the stored messages,
// metrics and pushes, and on what each simulator received.

// trapOperators are the operators of the sandbox with their protocol and
// a number prefix of theirs.
var trapOperators = []struct{ op, proto, prefix string }{
	{gateway.CMCC, "cmpp3", "138"}, {gateway.CUCC, "sgip", "130"}, {gateway.CTCC, "smgp3", "133"}, {gateway.CBN, "smpp34", "192"},
}

// metric reads one counter from /metrics (0 when absent).
func metric(t *testing.T, sb *Sandbox, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + sb.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("metric %s: %q", name, line)
			}
			return f
		}
	}
	return 0
}

func allFinal(ms []*store.Message, n int) bool {
	if len(ms) != n {
		return false
	}
	for _, m := range ms {
		if !m.State.Final() {
			return false
		}
	}
	return true
}

// A gateway whose peer stops answering mid-window without closing (its
// sessions and heartbeats stay up). Each operator has two gateways of equal
// priority; the first one's simulator answers 5 submits and then none.
// A burst of at-most-once (marketing) and at-least-once (notice) messages
// goes out at once, so both gateways get some of each.
//
//   - Never stuck: every message is final within seconds (request timeout
//     300 ms, the engine tries 3 times).
//   - Never lost: notice messages are all delivered; one whose submit went
//     unanswered is resent through the other gateway.
//   - At most once: a marketing message whose submit went unanswered ends
//     unknown (IN_DOUBT) and is never sent again: the silent peer received
//     it, the other never did. A delivered one reached one peer once.
//   - The silent gateway is demoted (out of rotation) although its driver
//     is still available.
func TestTrapSilentPeerNeverLostNeverStuck(t *testing.T) {
	for _, to := range trapOperators {
		t.Run(to.proto, func(t *testing.T) {
			t.Parallel()
			sb := testSandbox(t, SandboxOptions{PerOperator: 2, Gateway: func(g *gateway.Config) {
				g.Priority, g.Weight, g.RequestTimeout = 0, 1, 300*time.Millisecond
			}})
			var silentGW, otherGW string
			for _, g := range sb.Pool.ByOperator(to.op) {
				if g.Name == sb.primary[to.op] {
					silentGW = g.Name
				} else {
					otherGW = g.Name
				}
			}
			silent, ok := sb.Sims[silentGW].(interface{ GoSilent(n int) })
			if !ok {
				t.Fatalf("%T cannot go silent", sb.Sims[silentGW])
			}
			subsSilent, subsOther := countSubmits(sb.Sims[silentGW]), countSubmits(sb.Sims[otherGW])
			silent.GoSilent(5)

			const each = 16
			mk := sendBatch(t, sb, numbers(to.prefix, 0, each), "营销推广", "marketing")
			nt := sendBatch(t, sb, numbers(to.prefix, 1000, each), "业务通知", "notice")
			var mks, nts []*store.Message
			waitFor(t, 20*time.Second, "every message final", func() bool {
				mks, nts = batchMessages(t, sb, mk, each), batchMessages(t, sb, nt, each)
				return allFinal(mks, each) && allFinal(nts, each)
			})
			if u := sb.Sims[silentGW].Stats().Unanswered; u == 0 {
				t.Fatalf("the silent peer left no submit unanswered (stats %+v): the trap did not trigger", sb.Sims[silentGW].Stats())
			}
			unknown := 0
			for _, m := range mks {
				a, b := subsSilent.get(m.To), subsOther.get(m.To)
				switch m.State {
				case store.Delivered:
					if a+b != 1 {
						t.Errorf("marketing %s delivered after reaching the peers %d+%d times, want once", m.To, a, b)
					}
				case store.Unknown:
					unknown++
					if m.OperatorCode != "IN_DOUBT" || m.Gateway != silentGW || a == 0 || b != 0 {
						t.Errorf("marketing %s unknown (%s) through %s, received %d+%d: want IN_DOUBT, sent once to the silent peer only",
							m.To, m.OperatorCode, m.Gateway, a, b)
					}
				default:
					t.Errorf("marketing %s ended %s (%s)", m.To, m.State, m.OperatorCode)
				}
			}
			resent := 0
			for _, m := range nts {
				a, b := subsSilent.get(m.To), subsOther.get(m.To)
				if m.State != store.Delivered {
					t.Errorf("notice %s ended %s (%s), want delivered", m.To, m.State, m.OperatorCode)
					continue
				}
				if b > 1 || (a > 0 && b == 0 && m.Gateway != silentGW) {
					t.Errorf("notice %s delivered through %s, received %d+%d", m.To, m.Gateway, a, b)
				}
				if a > 0 && b == 1 {
					resent++ // unanswered by the silent peer, delivered by the other
				}
			}
			if unknown == 0 && resent == 0 {
				t.Fatal("no message went unanswered: the trap did not trigger")
			}
			g := sb.Pool.Get(silentGW)
			if !g.Driver.Available() || !g.Demoted() || g.Healthy() {
				t.Fatalf("silent gateway: available=%v demoted=%v healthy=%v; want available but demoted",
					g.Driver.Available(), g.Demoted(), g.Healthy())
			}
			t.Logf("%s: %d marketing unknown (in doubt), %d notice resent through %s", to.proto, unknown, resent, otherGW)
		})
	}
}

// The operator appends its signature: to MO text, and to the MT, which it
// then splits into one more part than we sent, reporting each part with
// the same message id — two status reports for one submit. Every message
// ends delivered exactly once (one final state, one status push); the
// second report is counted as a duplicate, not an error. The MO keyword is
// still read from the start of the text.
func TestTrapOperatorSignatureAndSplitReports(t *testing.T) {
	var mu sync.Mutex
	status := map[string]int{} // message id → status pushes
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		if m["type"] == "status" {
			mu.Lock()
			status[m["id"].(string)]++
			mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	sb := testSandbox(t, SandboxOptions{CallbackURL: srv.URL, Sim: sim.Config{Signature: "【中国移动】", ExtraReports: 1}})

	ids := map[string]string{}
	for _, to := range trapOperators {
		ids[to.proto] = firstID(t, send(t, sb, `{"to":["`+to.prefix+`12345678"],"content":"签名测试"}`))
	}
	for proto, id := range ids {
		if m := waitState(t, sb, id, "delivered", 10*time.Second); m["operator_code"] != "DELIVRD" {
			t.Fatalf("%s: message %v", proto, m)
		}
	}
	// Both reports of every submit were taken (the simulator counts what
	// the platform acknowledged).
	waitFor(t, 10*time.Second, "second reports taken", func() bool {
		for _, to := range trapOperators {
			if sb.SimFor(to.op).Stats().Reports != 2 {
				return false
			}
		}
		return true
	})
	if d := metric(t, sb, "hongyan_reports_duplicate_total"); d != float64(len(trapOperators)) {
		t.Fatalf("duplicate reports counted %v, want %d (one per message)", d, len(trapOperators))
	}
	if u := metric(t, sb, "hongyan_reports_unmatched_total"); u != 0 {
		t.Fatalf("unmatched reports %v: a part's report was not recognised", u)
	}
	if f := metric(t, sb, `hongyan_messages_final_total{state="delivered"}`); f != float64(len(trapOperators)) {
		t.Fatalf("delivered finals %v, want %d", f, len(trapOperators))
	}
	waitFor(t, 10*time.Second, "status pushes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(status) == len(ids)
	})
	time.Sleep(200 * time.Millisecond) // room for a wrong second push
	mu.Lock()
	for proto, id := range ids {
		if status[id] != 1 {
			t.Errorf("%s: message %s pushed %d times, want once", proto, id, status[id])
		}
	}
	mu.Unlock()

	// MO with the operator's signature appended: keyword from the start.
	for _, to := range trapOperators {
		for _, text := range []string{"TD", "查询 邮件"} {
			if err := sb.SendMO(context.Background(), to.prefix+"12345678", SandboxServiceCode, text); err != nil {
				t.Fatalf("%s MO: %v", to.proto, err)
			}
		}
	}
	mos, err := sb.Store.ListMO(context.Background(), 0, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(mos) != 2*len(trapOperators) {
		t.Fatalf("%d MO stored, want %d", len(mos), 2*len(trapOperators))
	}
	for _, mo := range mos {
		want := map[string]string{"TD【中国移动】": "TD", "查询 邮件【中国移动】": "查询"}[mo.Content]
		if want == "" || mo.Keyword != want {
			t.Errorf("MO from %s (%s) %q: keyword %q, want %q", mo.From, mo.Gateway, mo.Content, mo.Keyword, want)
		}
	}
}

// Reports out of order and out of nowhere. The operator sends each status
// report before the submit response: the platform stores it unmatched,
// matches it as soon as the response is recorded, and the message ends
// delivered with nothing left unmatched (a two-part message too). Then each
// simulator reports a message id it never gave out: the platform takes it
// (no error to the operator, which would resend it forever), keeps it as
// unmatched and counts it.
func TestTrapReportBeforeResponseAndStrayReports(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{Sim: sim.Config{ReportFirst: true}})
	var ids []string
	for _, to := range trapOperators {
		ids = append(ids, firstID(t, send(t, sb, `{"to":["`+to.prefix+`12345678"],"content":"先报告后应答"}`)))
	}
	long := firstID(t, send(t, sb, `{"to":["13812345679"],"content":"`+strings.Repeat("邮政", 50)+`"}`))
	for _, id := range append(ids, long) {
		if m := waitState(t, sb, id, "delivered", 10*time.Second); m["operator_code"] != "DELIVRD" {
			t.Fatalf("message %v", m)
		}
	}
	ctx := context.Background()
	if n, err := sb.Store.CountUnmatched(ctx); err != nil || n != 0 {
		t.Fatalf("unmatched reports kept after every early report was matched: %d %v", n, err)
	}
	early := metric(t, sb, "hongyan_reports_unmatched_total")
	if early < float64(len(ids)+2) {
		t.Fatalf("reports counted unmatched on arrival: %v, want every one (%d) first seen before its response", early, len(ids)+2)
	}

	type strayer interface {
		SendStrayReport(ctx context.Context, dest string) error
	}
	for _, to := range trapOperators {
		s, ok := sb.SimFor(to.op).(strayer)
		if !ok {
			t.Fatalf("%T sends no stray reports", sb.SimFor(to.op))
		}
		if err := s.SendStrayReport(ctx, to.prefix+"00000000"); err != nil {
			t.Fatalf("%s: stray report not acknowledged: %v", to.proto, err)
		}
	}
	waitFor(t, 5*time.Second, "stray reports kept", func() bool {
		n, _ := sb.Store.CountUnmatched(ctx)
		return n == int64(len(trapOperators))
	})
	kept, err := sb.Store.UnmatchedReports(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range kept {
		got[r.To] = r.Gateway
	}
	for _, to := range trapOperators {
		if g := got[to.prefix+"00000000"]; g != sb.primary[to.op] {
			t.Errorf("%s stray report kept as from %q, want %s (kept: %+v)", to.proto, g, sb.primary[to.op], kept)
		}
	}
	if u := metric(t, sb, "hongyan_reports_unmatched_total"); u != early+float64(len(trapOperators)) {
		t.Fatalf("unmatched reports counted %v, want %v", u, early+float64(len(trapOperators)))
	}
	for _, id := range append(ids, long) {
		if _, m := call(t, sb, "GET", "/api/v1/messages/"+id, "", sb.APIKey); m["state"] != "delivered" {
			t.Fatalf("message after stray reports: %v", m)
		}
	}
}
