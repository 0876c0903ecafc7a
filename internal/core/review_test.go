package core

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
)

// The rest of the content filter on a real store: the review queue and
// frequency limits, across a restart of the core.

// fakeClock is a core clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type filterFx struct {
	*acceptFx
	drv   *okDriver
	clock *fakeClock
	dir   string
	once  sync.Once
}

// newFilterFx is a core over a store in dir with one CMCC gateway that
// acknowledges every submit, a unit account with 100 yuan granted every
// type, and business types notice (0.05 yuan a segment) and mkt (at most
// 2 messages to a number within an hour).
func newFilterFx(t *testing.T, dir string, clock *fakeClock, drv *okDriver) *filterFx {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "h.db"), sqlstore.WithSynchronous(sqlstore.SyncNormal))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := st.AccountByName(ctx, "unit")
	if errors.Is(err, store.ErrNotFound) { // a fresh database; a restart finds them
		acc = &store.Account{Name: "unit", Balance: 100_000, ServiceCode: "10658000"}
		if err := st.CreateAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
		for _, bt := range []*store.BusinessType{
			{Code: "notice", Priority: 1, Enabled: true, FeePerSegment: 50, ReportRequired: true, AtLeastOnce: true},
			{Code: "mkt", Priority: 2, Enabled: true, FeePerSegment: 40, ReportRequired: true, AtLeastOnce: true, FreqLimit: 2, FreqWindow: time.Hour},
		} {
			if err := st.UpsertBusinessType(ctx, bt); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SetGrants(ctx, store.GrantAccount, acc.ID, []string{store.GrantAll}); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	g := &gateway.Gateway{Config: gateway.Config{Name: "cmcc-1", Operator: gateway.CMCC}, Driver: drv}
	pool, err := gateway.NewPool([]*gateway.Gateway{g})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Config{DefaultBusiness: "notice", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.now},
		st, pool, gateway.DefaultSegments())
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	f := &filterFx{acceptFx: &acceptFx{t: t, ctx: ctx, c: c, st: st, acc: acc}, drv: drv, clock: clock, dir: dir}
	t.Cleanup(f.stop)
	return f
}

// stop stops the core and closes the store (once).
func (f *filterFx) stop() {
	f.once.Do(func() {
		sctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
		defer cancel()
		f.c.Stop(sctx)
		f.st.Close()
	})
}

func (f *filterFx) to(business, content string, numbers ...string) (*SendResult, error) {
	return f.c.Accept(f.ctx, &SendRequest{AccountID: f.acc.ID, To: numbers, Content: content, Business: business})
}

func (f *filterFx) state(id int64) store.State {
	f.t.Helper()
	m, err := f.st.GetMessage(f.ctx, 0, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return m.State
}

func (f *filterFx) waitState(id int64, want store.State) {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.state(id) != want {
		if time.Now().After(deadline) {
			f.t.Fatalf("message %d: state %s, want %s", id, f.state(id), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReviewQueueHoldsUntilDecided(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	drv := &okDriver{}
	dir := t.TempDir()
	f := newFilterFx(t, dir, clock, drv)
	for w, action := range map[string]string{"中奖": "review", "赌博": "reject", "免费": "review"} {
		if _, err := f.c.FilterWordAdd(f.ctx, w, action); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.c.FilterWordAdd(f.ctx, "x", "hold"); err == nil || !strings.Contains(err.Error(), "invalid_action") {
		t.Fatalf("an unknown action: %v", err)
	}
	bal, res := f.money()

	// A reject word wins over a review word: refused, nothing stored.
	f.refused(func() error { _, err := f.to("notice", "中奖 赌博", "13800138000"); return err }(), "content_filtered", 422)
	if b, r := f.money(); b != bal || r != res || f.count() != 0 {
		t.Fatal("a refused text stored something")
	}

	// A review word holds the request: stored, reserved, counted, not sent.
	r, err := f.to("notice", "恭喜中 奖，免费领取", "13800138000", "13800138001")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Notice, `"中奖", "免费"`) || len(r.Messages) != 2 {
		t.Fatalf("held answer %+v", r)
	}
	for _, m := range r.Messages {
		if m.State != store.Held || f.state(m.ID) != store.Held {
			t.Fatalf("message %d: %s, want held", m.ID, m.State)
		}
	}
	if b, rs := f.money(); b != bal || rs != res+100 || f.count() != 2 {
		t.Fatalf("held: money %d/%d, count %d", b, rs, f.count())
	}
	hs, err := f.c.Holds(f.ctx, store.HoldQuery{})
	if err != nil || len(hs) != 1 || hs[0].BatchID != r.BatchID || hs[0].Messages != 2 || strings.Join(hs[0].Words, ",") != "中奖,免费" {
		t.Fatalf("queue %+v %v", hs, err)
	}
	time.Sleep(200 * time.Millisecond)
	if n := drv.n.Load(); n != 0 {
		t.Fatalf("%d submits of held messages", n)
	}

	// A restart (the core stops, another starts on the same database)
	// neither loses nor sends them.
	f.stop()
	f = newFilterFx(t, dir, clock, drv)
	time.Sleep(200 * time.Millisecond)
	if n := drv.n.Load(); n != 0 {
		t.Fatalf("%d submits of held messages after a restart", n)
	}
	for _, m := range r.Messages {
		if f.state(m.ID) != store.Held {
			t.Fatalf("after a restart message %d is %s", m.ID, f.state(m.ID))
		}
	}

	// Approved: sent at once.
	h, msgs, err := f.c.ApproveHold(f.ctx, r.BatchID, "auditor")
	if err != nil || h.Decision != store.HoldApproved || len(msgs) != 2 {
		t.Fatalf("approve: %+v %d %v", h, len(msgs), err)
	}
	for _, m := range r.Messages {
		f.waitState(m.ID, store.Submitted)
	}
	if drv.n.Load() != 2 {
		t.Fatalf("%d submits after approval, want 2", drv.n.Load())
	}
	// Again, either way: 409, nothing changes.
	_, _, err = f.c.ApproveHold(f.ctx, r.BatchID, "other")
	ce := f.refused(err, "already_decided", 409)
	if !strings.Contains(ce.Message, "approved by auditor") {
		t.Fatalf("second decision: %q", ce.Message)
	}
	_, _, err = f.c.RejectHold(f.ctx, r.BatchID, "other", "too late")
	f.refused(err, "already_decided", 409)
	_, _, err = f.c.ApproveHold(f.ctx, 12345, "other")
	f.refused(err, "not_found", 404)

	// Rejected: filtered, the reservation released, nothing charged.
	bal, res = f.money()
	r2, err := f.to("notice", "免费", "13800138002")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.c.RejectHold(f.ctx, r2.BatchID, "auditor", "  ")
	f.refused(err, "invalid_reason", 400)
	if _, _, err := f.c.RejectHold(f.ctx, r2.BatchID, "auditor", "spam"); err != nil {
		t.Fatal(err)
	}
	m, err := f.st.GetMessage(f.ctx, 0, r2.Messages[0].ID)
	if err != nil || m.State != store.Filtered || m.OperatorCode != store.ReviewRejectedCode || m.Charged != 0 {
		t.Fatalf("rejected message %+v %v", m, err)
	}
	if b, rs := f.money(); b != bal || rs != res {
		t.Fatalf("rejection: money %d/%d → %d/%d", bal, res, b, rs)
	}
	if f.refusals()["review_rejected"] != 1 || drv.n.Load() != 2 {
		t.Fatalf("refusals %v, submits %d", f.refusals(), drv.n.Load())
	}

	// Two auditors at once: one decision wins, the other is told.
	r3, err := f.to("notice", "中奖", "13800138003")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var won, lost atomic.Int32
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, _, err = f.c.ApproveHold(f.ctx, r3.BatchID, "a")
			} else {
				_, _, err = f.c.RejectHold(f.ctx, r3.BatchID, "b", "no")
			}
			var ce *Error
			switch {
			case err == nil:
				won.Add(1)
			case errors.As(err, &ce) && ce.Code == "already_decided":
				lost.Add(1)
			default:
				t.Errorf("decision: %v", err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 || lost.Load() != 5 {
		t.Fatalf("%d decisions won, %d lost; want 1 and 5", won.Load(), lost.Load())
	}
}

func TestFrequencyLimitAcrossWindowAndRestart(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)}
	drv := &okDriver{}
	dir := t.TempDir()
	f := newFilterFx(t, dir, clock, drv)
	const x, y = "13800138000", "13900139000"
	t0 := clock.now()
	for range 2 {
		if _, err := f.to("mkt", "促销", x); err != nil {
			t.Fatal(err)
		}
		clock.add(10 * time.Minute)
	}
	bal, res := f.money()
	n := f.count()
	// The third within the hour is refused whole: nothing stored, reserved or counted.
	_, err := f.to("mkt", "促销", x)
	ce := f.refused(err, "frequency_limited", 429)
	next := t0.Add(time.Hour)
	if ce.RetryAfter != next.Sub(clock.now()) || !strings.Contains(ce.Message, "business type mkt allows 2 message(s) to a number within 1h") ||
		!strings.Contains(ce.Message, "the next is allowed at "+next.In(f.c.TimeZone()).Format(time.RFC3339)) {
		t.Fatalf("refusal %+v", ce)
	}
	if b, r := f.money(); b != bal || r != res || f.count() != n || f.refusals()["frequency_limited"] != 1 {
		t.Fatalf("a frequency refusal changed money %d/%d → %d/%d, count %d → %d, refusals %v", bal, res, b, r, n, f.count(), f.refusals())
	}
	// With another number, x's message is kept final, unsent and uncharged.
	r, err := f.to("mkt", "促销", x, y)
	if err != nil {
		t.Fatal(err)
	}
	if r.Messages[0].State != store.Filtered || r.Messages[0].OperatorCode != store.FrequencyLimitedCode || r.Messages[1].State != store.Accepted {
		t.Fatalf("mixed request: %s/%s, %s", r.Messages[0].State, r.Messages[0].OperatorCode, r.Messages[1].State)
	}
	if _, rs := f.money(); rs != res+40 {
		t.Fatalf("reserved %d, want %d (y's only)", rs, res+40)
	}
	// Another business type is not limited by mkt's count.
	if _, err := f.to("notice", "通知", x); err != nil {
		t.Fatal(err)
	}

	// A restart keeps the count.
	f.stop()
	f = newFilterFx(t, dir, clock, drv)
	_, err = f.to("mkt", "促销", x)
	f.refused(err, "frequency_limited", 429)

	// Once the first has left the window, one more may go.
	clock.add(next.Sub(clock.now()))
	if _, err := f.to("mkt", "促销", x); err != nil {
		t.Fatalf("at %s: %v", next, err)
	}
	_, err = f.to("mkt", "促销", x)
	ce = f.refused(err, "frequency_limited", 429)
	if ce.RetryAfter != 10*time.Minute {
		t.Fatalf("Retry-After %s, want 10m (the second leaves the window)", ce.RetryAfter)
	}

	// Concurrent requests cannot both take a last place.
	const z = "13700137000"
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.to("mkt", "促销", z); err == nil {
				ok.Add(1)
			} else if !strings.Contains(err.Error(), "frequency_limited") {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 2 {
		t.Fatalf("%d of 8 concurrent requests passed a limit of 2", ok.Load())
	}
}
