package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/gateway"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
)

// TestCrashKillRestart is issue 2 item 9's crash test (MISSION Q2): the
// platform, in its own process, is killed with SIGKILL in the middle of a
// batch send and restarted on the same database.
//
//   - The operator simulator runs in this process, so it survives the kill,
//     and counts every submit it receives per destination number (OnSubmit).
//     Every message goes to its own number, so a number's count is its
//     message's count of submits.
//   - 2,000 single-segment messages in 40 requests of 50 (even requests
//     business type "notice", at-least-once; odd ones "promo",
//     at-most-once), 4 requests at a time, one started every 10ms (5,000
//     messages/s offered, more than the gateway's 32 slots × 10ms latency
//     carry, so a backlog builds as in production), each request with its
//     own client_ref.
//   - SIGKILL once 40% of the messages are accepted (answered 201 =
//     durable) and the simulator has received 300 submits, preferably with a
//     request on the wire so that its answer is lost.
//   - The test reads the database the killed process left: the in-doubt set
//     is every message marked in flight without all segments acknowledged.
//   - The platform is started again on the same SQLite file. Every request
//     that got no answer before the kill is sent again with the same
//     client_ref: idempotency answers 200 with the original batch if it had
//     been committed before the kill, else 201. So every request ends
//     accepted exactly once.
//   - The test polls the batches until every message is final, stops the
//     platform cleanly (SIGINT) and reads the database directly.
//
// Assertions, per message:
//   - lost = 0: every accepted message is in the database once and final:
//     delivered (and then the simulator received it), or unknown (code
//     IN_DOUBT) only for the at-most-once type and only if it was in doubt
//     at the kill.
//   - a message not in doubt at the kill reached the simulator exactly once.
//   - an in-doubt at-least-once message is resent exactly once (its timeline
//     says "recovered"); an in-doubt at-most-once message is never resent.
//     So a message reaches the simulator twice only if its submit was in
//     flight at the kill and its type is at-least-once; never three times.
//
// And in total: doubled ≤ window × conns, and in doubt ≤ window × conns + 1.
// Why: a message reaches the gateway twice only if it was submitted before
// the kill without its acknowledgement being durable. Core keeps a window
// slot until the acknowledgement is committed (dispatch.go, submitItem), so
// those are at most the submits holding one of the window × conns slots
// ("the open windows' worth", issue 2 item 9); and the dispatcher marks in
// flight no more messages than there are free slots (at least one, which
// then waits for a slot).
func TestCrashKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a platform process; skipped with -short")
	}
	const (
		total    = 2000
		perReq   = 50
		nReqs    = total / perReq
		workers  = 4
		killFrac = 0.4
		window   = 16
		conns    = 2
		pace     = 10 * time.Millisecond // between request starts
		// the gateway must have this many submits before the kill
		killMinSubmits = 300
	)
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	dir := t.TempDir()

	// --- the operator: a CMPP 3.0 simulator in this process ---
	const spID = "901234"
	simSecret := core.NewSecret("", 9)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	s := sim.NewCMPP(sim.CMPPConfig{
		Config:   sim.Config{Latency: 10 * time.Millisecond, ReportDelay: 50 * time.Millisecond},
		Accounts: map[string]string{spID: simSecret},
		Logger:   quiet,
	})
	var subMu sync.Mutex
	subs := map[string]int{} // destination → submits received
	s.OnSubmit(func(dest string, _ []byte) {
		if n, err := sms.NormalizeNumber(dest); err == nil {
			dest = n
		}
		subMu.Lock()
		subs[dest]++
		subMu.Unlock()
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	simSubmits := func() int64 { return s.Stats().Submits }

	// --- the platform's configuration: what an operator writes for `hongyan serve` ---
	apiKey := core.NewSecret("hy_", 24)
	keySum := sha256.Sum256([]byte(apiKey))
	dbPath := filepath.Join(dir, "hongyan.db")
	cfgPath := filepath.Join(dir, "hongyan.yaml")
	yaml := fmt.Sprintf(`# crash test platform
node_id: 1
database: "sqlite:%s"
sqlite_sync: full
http:
  listen: "127.0.0.1:0"
log:
  level: warn
messages:
  default_business: notice
gateways:
  - name: cmcc-sim
    operator: cmcc
    protocol: cmpp3
    addr: "%s"
    account: "%s"
    secret: "%s"
    service_id: HYCRASH
    src_id: "10658001"
    conns: %d
    window: %d
business_types:
  - code: notice
    name: 通知
    priority: 1
    max_retries: 3
    retry_interval: 1s
    at_least_once: true
  - code: promo
    name: 营销
    priority: 1
    max_retries: 3
    retry_interval: 1s
    at_least_once: false
accounts:
  - name: crash
    service_code: "10658001"
    api_key_sha256: "%s"
    balance_yuan: 100000
`, filepath.ToSlash(dbPath), s.Addr(), spID, simSecret, conns, window, hex.EncodeToString(keySum[:]))
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	slots := (&gateway.Gateway{Config: cfg.Gateways[0]}).Capacity() // window × conns
	bound := slots

	// --- the requests: every message to its own China Mobile number ---
	type reqInfo struct {
		business string
		body     []byte
	}
	reqs := make([]reqInfo, nReqs)
	business := map[string]string{} // number → business type
	for r := range reqs {
		biz := "notice"
		if r%2 == 1 {
			biz = "promo"
		}
		to := make([]string, perReq)
		for j := range to {
			to[j] = fmt.Sprintf("138%08d", r*perReq+j)
			business[to[j]] = biz
		}
		body, _ := json.Marshal(map[string]any{"to": to, "content": fmt.Sprintf("crash test %d", r),
			"business": biz, "client_ref": fmt.Sprintf("crash-%03d", r)})
		reqs[r] = reqInfo{biz, body}
	}
	type acceptedMsg struct {
		id, to, business, batch string
	}
	var accMu sync.Mutex
	accepted := map[string]acceptedMsg{} // message id → what the API answered
	batches := map[string]int{}          // batch id → request index
	record := func(r int, a *sendAnswer) error {
		if len(a.Messages) != perReq || a.BatchID == "" {
			return fmt.Errorf("request %d: answer has batch %q and %d messages, want %d", r, a.BatchID, len(a.Messages), perReq)
		}
		accMu.Lock()
		defer accMu.Unlock()
		if prev, ok := batches[a.BatchID]; ok && prev != r {
			return fmt.Errorf("requests %d and %d got the same batch %s", prev, r, a.BatchID)
		}
		batches[a.BatchID] = r
		for _, m := range a.Messages {
			if business[m.To] != reqs[r].business {
				return fmt.Errorf("request %d: answer names number %s, not one of the request's", r, m.To)
			}
			accepted[m.ID] = acceptedMsg{m.ID, m.To, reqs[r].business, a.BatchID}
		}
		return nil
	}

	// --- phase 1: send concurrently, paced; SIGKILL mid-batch ---
	// Requests start at most every pace (5,000 messages/s offered), so that
	// accepting and dispatching overlap as in production; the kill comes
	// when 40% of the messages are accepted AND the gateway has received
	// killMinSubmits submits, i.e. with the dispatcher in full flow.
	c1 := startCrashChild(ctx, t, dir, cfgPath, 1)
	cl := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var (
		nAccepted    atomic.Int64
		killed       atomic.Bool
		pendMu       sync.Mutex
		pending      []int // requests without an answer: not sent, or cut off by the kill
		killAccepted int64
		killSubmits  int64
		killAfter    time.Duration
		cutOff       atomic.Int64
		reqsOnWire   atomic.Int32
	)
	killAt := int64(float64(total) * killFrac)
	sendStart := time.Now()
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for {
			// Prefer a moment with a request on the wire, so that some request
			// is cut off (its answer lost; maybe committed, maybe not).
			if n, sub := nAccepted.Load(), simSubmits(); n >= killAt && sub >= killMinSubmits &&
				(reqsOnWire.Load() > 0 || time.Since(sendStart) > 5*time.Second || n == total) {
				killed.Store(true)
				killAccepted, killSubmits, killAfter = n, sub, time.Since(sendStart)
				if err := c1.kill(); err != nil {
					t.Error(err)
				}
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-c1.done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	next := make(chan int, nReqs)
	for r := range nReqs {
		next <- r
	}
	close(next)
	tick := time.NewTicker(pace)
	defer tick.Stop()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				if !killed.Load() {
					select {
					case <-tick.C:
					case <-killerDone:
					}
				}
				if killed.Load() {
					pendMu.Lock()
					pending = append(pending, r)
					pendMu.Unlock()
					continue
				}
				reqsOnWire.Add(1)
				st, a, raw, err := postMessages(ctx, cl, c1.addr, apiKey, reqs[r].body)
				reqsOnWire.Add(-1)
				if err == nil && st == http.StatusCreated && a != nil {
					if err := record(r, a); err != nil {
						t.Error(err)
						continue
					}
					nAccepted.Add(int64(len(a.Messages)))
					continue
				}
				if err == nil && st < 500 {
					t.Errorf("request %d before the kill: HTTP %d %s", r, st, raw)
					continue
				}
				if !killed.Load() {
					t.Errorf("request %d failed before the kill: HTTP %d %v %s", r, st, err, raw)
				}
				cutOff.Add(1)
				pendMu.Lock()
				pending = append(pending, r)
				pendMu.Unlock()
			}
		}()
	}
	wg.Wait()
	<-killerDone
	if t.Failed() {
		t.FailNow()
	}
	if !killed.Load() {
		t.Fatalf("never reached %d accepted messages and %d submits to kill the platform (accepted %d, submits %d)",
			killAt, killMinSubmits, nAccepted.Load(), simSubmits())
	}
	afterKill := simSubmits()
	subMu.Lock()
	subsAtKill := make(map[string]int, len(subs))
	for k, v := range subs {
		subsAtKill[k] = v
	}
	subMu.Unlock()
	t.Logf("SIGKILL %s after the first request, at %d accepted messages; simulator had %d submits then, %d once the process was gone; %d requests cut off, %d not yet sent",
		killAfter.Round(time.Millisecond), killAccepted, killSubmits, afterKill, cutOff.Load(), len(pending)-int(cutOff.Load()))
	// What the killed process left in the database: the in-doubt set is
	// every message marked in flight without all segments acknowledged.
	snap := snapshotAtKill(ctx, t, dbPath)
	t.Logf("database at the kill: pending %v; in flight: %d in doubt (%d at-least-once, %d at-most-once), %d fully acknowledged",
		snap.states, len(snap.inDoubt), snap.inDoubtBiz["notice"], snap.inDoubtBiz["promo"], snap.inFlightAcked)

	// --- phase 2: restart on the same database; resend unanswered requests with their client_ref ---
	restartAt := time.Now()
	c2 := startCrashChild(ctx, t, dir, cfgPath, 2)
	t.Logf("restarted and healthy in %s", time.Since(restartAt).Round(time.Millisecond))
	cl2 := &http.Client{Timeout: 15 * time.Second}
	var replayed, fresh atomic.Int64
	next2 := make(chan int, len(pending))
	for _, r := range pending {
		next2 <- r
	}
	close(next2)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next2 {
				var st int
				var a *sendAnswer
				var raw []byte
				var err error
				for try := 0; try < 3; try++ { // a transport hiccup: same client_ref, so safe to repeat
					if st, a, raw, err = postMessages(ctx, cl2, c2.addr, apiKey, reqs[r].body); err == nil {
						break
					}
				}
				switch {
				case err != nil:
					t.Errorf("request %d after the restart: %v", r, err)
				case (st == http.StatusCreated || st == http.StatusOK) && a != nil:
					if st == http.StatusOK {
						if !a.Duplicate {
							t.Errorf("request %d: HTTP 200 without duplicate: %s", r, raw)
						}
						replayed.Add(1)
					} else {
						fresh.Add(1)
					}
					if err := record(r, a); err != nil {
						t.Error(err)
					}
				default:
					t.Errorf("request %d after the restart: HTTP %d %s", r, st, raw)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("after the restart: %d requests accepted fresh, %d were already committed before the kill (client_ref replay)", fresh.Load(), replayed.Load())
	if len(accepted) != total || len(batches) != nReqs {
		t.Fatalf("accepted %d messages in %d batches, want %d in %d", len(accepted), len(batches), total, nReqs)
	}

	// --- wait until every batch is final (the API's own count), then stop cleanly ---
	open := map[string]bool{}
	for b := range batches {
		open[b] = true
	}
	var lastCounts map[string]map[string]int
	for len(open) > 0 {
		lastCounts = map[string]map[string]int{}
		for b := range open {
			done, tot, counts, err := batchDone(ctx, cl2, c2.addr, apiKey, b)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				t.Fatalf("poll batch %s: %v", b, err)
			}
			lastCounts[b] = counts
			if tot == perReq && done == tot {
				delete(open, b)
			}
		}
		if len(open) == 0 {
			break
		}
		select {
		case <-c2.done:
			t.Fatalf("platform process 2 exited (%v) with %d batches unfinished", c2.err, len(open))
		case <-ctx.Done():
			var desc []string
			for b := range open {
				desc = append(desc, fmt.Sprintf("batch %s (request %d): %v", b, batches[b], lastCounts[b]))
			}
			sort.Strings(desc)
			t.Errorf("timed out with %d batches not final (simulator: %+v):\n%s", len(open), s.Stats(), strings.Join(desc, "\n"))
			// Carry on to the database check: it names each lost message.
			open = nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	c2.stop(t)

	// --- the verdict, from the database itself ---
	vctx, vcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer vcancel()
	st, err := sqlstore.Open(vctx, "sqlite:"+dbPath)
	if err != nil {
		t.Fatalf("open the database after the run: %v", err)
	}
	defer st.Close()
	acc, err := st.AccountByName(vctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	subMu.Lock()
	got := make(map[string]int, len(subs))
	for k, v := range subs {
		got[k] = v
	}
	subMu.Unlock()
	for dest, n := range got {
		if _, ok := business[dest]; !ok {
			t.Errorf("simulator received %d submit(s) for %s, a number the test never sent to", n, dest)
		}
	}
	var (
		lost, doubled, doubledNotice, unknown, unknownUnsent, delivered, recovered, recoveredOnce, submitsTotal int
		problems                                                                                                []string
	)
	states := map[string]int{}
	ids := make([]string, 0, len(accepted))
	for id := range accepted {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, idStr := range ids {
		am := accepted[idStr]
		id, _ := strconv.ParseInt(idStr, 10, 64)
		m, err := st.GetMessage(vctx, acc.ID, id)
		if err != nil {
			lost++
			problems = append(problems, fmt.Sprintf("message %s to %s (%s): accepted but not in the database: %v", idStr, am.to, am.business, err))
			continue
		}
		evs, err := st.Events(vctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wasRecovered := false
		for _, e := range evs {
			wasRecovered = wasRecovered || e.Kind == "recovered"
		}
		n := got[am.to]
		inDoubt := snap.inDoubt[id]
		submitsTotal += n
		states[string(m.State)]++
		if wasRecovered {
			recovered++
			if n == 1 {
				recoveredOnce++
			}
		}
		if n >= 2 {
			doubled++
		}
		if m.To != am.to || m.Business != am.business {
			problems = append(problems, fmt.Sprintf("message %s: database has to=%s business=%s, the API answered to=%s business=%s", idStr, m.To, m.Business, am.to, am.business))
		}
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("message %s to %s (%s, %s, %d submits): ", idStr, am.to, am.business, m.State, n)+fmt.Sprintf(format, args...))
		}
		switch {
		case !m.State.Final():
			lost++
			bad("not final")
		case m.State == store.Delivered:
			delivered++
			if n == 0 {
				bad("delivered but the gateway never received it")
			}
		case m.State == store.Unknown:
			unknown++
			if n == 0 {
				unknownUnsent++
			}
			if am.business != "promo" {
				bad("unknown, but its business type is at-least-once: in-doubt messages must be resent")
			}
			if m.OperatorCode != "IN_DOUBT" {
				bad("unknown with code %q, want IN_DOUBT", m.OperatorCode)
			}
		default:
			lost++ // the simulator delivers everything: any other final state is a message that did not arrive
			bad("ended %s (%s), want delivered or unknown", m.State, m.OperatorCode)
		}
		switch {
		case n > 2:
			bad("reached the gateway %d times after one crash", n)
		case n == 2 && am.business == "promo":
			bad("at-most-once business type, yet reached the gateway twice")
		case n == 2 && !inDoubt:
			bad("reached the gateway twice but was not in doubt (in flight, unacknowledged) at the kill")
		case n == 2 && !wasRecovered:
			bad("reached the gateway twice but its timeline has no recovered event")
		case n == 2:
			doubledNotice++
		}
		if am.business == "promo" && wasRecovered {
			bad("at-most-once message was resent after the restart (recovered event)")
		}
		if wasRecovered && !inDoubt {
			bad("recovered (resent as in doubt) but it was not in doubt at the kill")
		}
		if m.State == store.Unknown && !inDoubt {
			bad("unknown but it was not in doubt at the kill")
		}
		if inDoubt && am.business == "notice" && n != subsAtKill[am.to]+1 {
			bad("in doubt at the kill with %d submits then: at-least-once must resend it exactly once", subsAtKill[am.to])
		}
		if inDoubt && am.business == "promo" && n != subsAtKill[am.to] {
			bad("in doubt at the kill with %d submits then: at-most-once must not send it again", subsAtKill[am.to])
		}
		if !inDoubt && n != 1 {
			bad("not in doubt at the kill, so it must reach the gateway exactly once")
		}
		// Exactly one message per number: the client_ref replays stored nothing twice.
		if ms, err := st.MessagesTo(vctx, acc.ID, am.to, 10); err != nil {
			t.Fatal(err)
		} else if len(ms) != 1 {
			bad("the database has %d messages to this number, want 1", len(ms))
		}
	}
	unmatched, _ := st.CountUnmatched(vctx)
	sort.Strings(problems)
	if len(problems) > 20 {
		problems = append(problems[:20], fmt.Sprintf("… and %d more", len(problems)-20))
	}
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("accepted %d: states %v; lost %d; doubled %d (bound: window×conns %d); "+
		"in doubt at the kill: %d at-least-once resent (%d doubled, %d had not reached the gateway before) + %d at-most-once unknown (%d had not reached the gateway); "+
		"simulator submits %d (stats %+v); unmatched reports kept %d",
		len(accepted), states, lost, doubled, bound,
		recovered, doubledNotice, recoveredOnce, unknown, unknownUnsent, submitsTotal, s.Stats(), unmatched)
	if lost != 0 {
		t.Errorf("lost = %d, want 0", lost)
	}
	if doubled > bound {
		t.Errorf("doubled = %d, want ≤ %d (window × conns)", doubled, bound)
	}
	if len(snap.inDoubt) > slots+1 {
		t.Errorf("%d messages in doubt at the kill, want ≤ %d (window × conns + 1)", len(snap.inDoubt), slots+1)
	}
	if delivered+unknown != total {
		t.Errorf("delivered %d + unknown %d = %d, want %d", delivered, unknown, delivered+unknown, total)
	}
}

// killSnapshot is what the killed process left in the database.
type killSnapshot struct {
	states        map[store.State]int // messages not final, by state
	inDoubt       map[int64]bool      // in flight without every segment acknowledged
	inDoubtBiz    map[string]int
	inFlightAcked int // in flight yet every segment acknowledged
}

func snapshotAtKill(ctx context.Context, t *testing.T, dbPath string) *killSnapshot {
	t.Helper()
	st, err := sqlstore.Open(ctx, "sqlite:"+dbPath)
	if err != nil {
		t.Fatalf("open the database after the kill: %v", err)
	}
	defer st.Close()
	k := &killSnapshot{states: map[store.State]int{}, inDoubt: map[int64]bool{}, inDoubtBiz: map[string]int{}}
	err = st.PendingMessages(ctx, func(m *store.Message) error {
		k.states[m.State]++
		if !m.InFlight {
			return nil
		}
		segs, err := st.Segments(ctx, m.ID)
		if err != nil {
			return err
		}
		acked := 0
		for _, sg := range segs {
			if sg.OpMsgID != "" {
				acked++
			}
		}
		if acked >= m.Segments {
			k.inFlightAcked++
			return nil
		}
		k.inDoubt[m.ID] = true
		k.inDoubtBiz[m.Business]++
		return nil
	})
	if err != nil {
		t.Fatalf("read the database after the kill: %v", err)
	}
	return k
}
