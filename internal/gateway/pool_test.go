package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/session"
)

// fakeDriver is a driver whose availability and submit outcomes the test
// sets: errs are returned by the next submits in order, then success;
// hold, when set, blocks submits until it is closed.
type fakeDriver struct {
	up      atomic.Bool
	calls   atomic.Int64
	mu      sync.Mutex
	errs    []error
	results []Result
	hold    chan struct{}
}

func (f *fakeDriver) Start(context.Context)       {}
func (f *fakeDriver) Close(context.Context) error { return nil }
func (f *fakeDriver) Available() bool             { return f.up.Load() }
func (f *fakeDriver) Stats() session.Stats {
	if f.up.Load() {
		return session.Stats{Connected: 1}
	}
	return session.Stats{}
}

func (f *fakeDriver) Submit(ctx context.Context, _ *Submit) (Result, error) {
	f.calls.Add(1)
	f.mu.Lock()
	hold := f.hold
	var err error
	res := Result{OK: true, Code: "0", OpMsgID: "1"}
	if len(f.errs) > 0 {
		err, f.errs = f.errs[0], f.errs[1:]
	} else if len(f.results) > 0 {
		res, f.results = f.results[0], f.results[1:]
	}
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			// As session.Client.Call waiting for a session.
			return Result{}, fmt.Errorf("session fake: %w: %w", session.ErrNoSession, ctx.Err())
		}
	}
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

func (f *fakeDriver) failNext(errs ...error) {
	f.mu.Lock()
	f.errs = append(f.errs, errs...)
	f.mu.Unlock()
}

func gw(name, op string, prio, weight int, up bool) *Gateway {
	d := &fakeDriver{}
	d.up.Store(up)
	return &Gateway{Config: Config{Name: name, Operator: op, Priority: prio, Weight: weight}, Driver: d}
}

func fake(g *Gateway) *fakeDriver { return g.Driver.(*fakeDriver) }

func TestPoolWeightsFailoverAndFailback(t *testing.T) {
	a := gw("a", CMCC, 0, 3, true)
	b := gw("b", CMCC, 0, 1, true)
	c := gw("c", CMCC, 1, 1, true)
	p, err := NewPool([]*Gateway{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i := 0; i < 400; i++ {
		g, err := p.Pick(CMCC)
		if err != nil {
			t.Fatal(err)
		}
		count[g.Name]++
	}
	if count["a"] != 300 || count["b"] != 100 || count["c"] != 0 {
		t.Fatalf("weighted share = %v, want a:300 b:100 c:0", count)
	}
	fake(a).up.Store(false)
	fake(b).up.Store(false)
	if g, _ := p.Pick(CMCC); g == nil || g.Name != "c" {
		t.Fatalf("with the primaries down Pick = %v, want failover to c", g)
	}
	fake(a).up.Store(true)
	if g, _ := p.Pick(CMCC); g.Name != "a" {
		t.Fatalf("after a came back Pick = %s, want fail-back to a", g.Name)
	}
	fake(c).up.Store(false)
	fake(a).up.Store(false)
	if _, err := p.Pick(CMCC); !errors.Is(err, ErrNoGateway) {
		t.Fatalf("Pick with every gateway down = %v, want ErrNoGateway", err)
	}
	if _, err := p.Pick(CUCC); !errors.Is(err, ErrNoGateway) {
		t.Fatalf("Pick for an operator without gateways = %v, want ErrNoGateway", err)
	}
}

func TestPoolRejectsDuplicateNames(t *testing.T) {
	if _, err := NewPool([]*Gateway{gw("a", CMCC, 0, 1, true), gw("a", CUCC, 0, 1, true)}); err == nil {
		t.Fatal("duplicate gateway names accepted")
	}
}

// fakeClock is a settable clock for the health's probe timing.
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

func picks(t *testing.T, p *Pool, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		g, err := p.Pick(CMCC)
		if err != nil {
			got["none"]++
			continue
		}
		got[g.Name]++
	}
	return got
}

// A gateway whose sessions stay up but whose submits keep going
// unanswered is demoted after DemoteAfter errors in a row: traffic goes to
// the other gateway. Answers of any kind (a refusal too) reset the count;
// errors that are not the link's (the caller's context, a segment that
// cannot be encoded) do not count. Once demoted it gets one probe per
// ProbeAfter, never two at once; a failed probe keeps it out, an answered
// one puts it back (fail-back).
func TestPoolDemotesOnFailingSubmitsAndProbesBack(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	a := gw("a", CMCC, 0, 1, true)
	b := gw("b", CMCC, 0, 1, true)
	a.health.now = clk.now
	p, err := NewPool([]*Gateway{a, b})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	submit := func(g *Gateway) error {
		_, err := g.Submit(ctx, &Submit{})
		return err
	}
	timeout := fmt.Errorf("cmpp submit: %w", session.ErrTimeout)
	lost := fmt.Errorf("session cmpp: in flight: %w", session.ErrClosed)

	// Two errors, then an answer (a refusal): the count starts again.
	fake(a).failNext(timeout, lost)
	fake(a).mu.Lock()
	fake(a).results = []Result{{Code: "8", Retryable: true}}
	fake(a).mu.Unlock()
	for range 3 {
		_ = submit(a)
	}
	// Not the link's fault: the caller's context, an encoding error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	fake(a).failNext(context.Canceled, errors.New("short_message too long"), timeout)
	_, _ = a.Submit(cctx, &Submit{})
	_ = submit(a)
	_ = submit(a)
	if a.Demoted() || !a.Healthy() {
		t.Fatal("demoted before DemoteAfter link errors in a row")
	}
	if got := picks(t, p, 4); got["a"] != 2 || got["b"] != 2 {
		t.Fatalf("healthy pair shares %v, want 2/2", got)
	}

	// DemoteAfter link errors in a row: out of rotation while its
	// sessions still look up.
	fake(a).failNext(timeout, timeout)
	_ = submit(a)
	_ = submit(a)
	if !a.Demoted() || a.Healthy() || !a.Driver.Available() {
		t.Fatalf("after %d errors in a row: demoted=%v healthy=%v", DemoteAfter, a.Demoted(), a.Healthy())
	}
	if got := picks(t, p, 10); got["b"] != 10 {
		t.Fatalf("with a demoted Pick gave %v, want all to b", got)
	}
	st := p.Statuses()
	if st[0].Name != "a" || st[0].Healthy || !st[0].Demoted || st[0].Connected != 1 {
		t.Fatalf("status of the demoted gateway %+v", st[0])
	}

	// ProbeAfter later: exactly one probe, and none while it is out even
	// after another ProbeAfter.
	clk.add(ProbeAfter)
	if got := picks(t, p, 10); got["a"] != 1 || got["b"] != 9 {
		t.Fatalf("probe round gave %v, want one probe to a", got)
	}
	fake(a).mu.Lock()
	fake(a).hold = make(chan struct{})
	fake(a).mu.Unlock()
	fake(a).failNext(timeout)
	probeDone := make(chan error, 1)
	go func() { probeDone <- submit(a) }()
	waitFor(t, func() bool { return fake(a).calls.Load() == 9 })
	clk.add(2 * ProbeAfter)
	if got := picks(t, p, 10); got["a"] != 0 {
		t.Fatalf("with a probe in flight Pick gave %v, want no second probe", got)
	}
	close(fake(a).hold)
	if err := <-probeDone; !errors.Is(err, session.ErrTimeout) {
		t.Fatalf("probe = %v", err)
	}
	fake(a).mu.Lock()
	fake(a).hold = nil
	fake(a).mu.Unlock()
	// The failed probe restarts the wait.
	if !a.Demoted() || a.Healthy() {
		t.Fatal("a failed probe put the gateway back")
	}
	if got := picks(t, p, 10); got["a"] != 0 {
		t.Fatalf("right after a failed probe Pick gave %v", got)
	}
	clk.add(ProbeAfter)
	if got := picks(t, p, 10); got["a"] != 1 {
		t.Fatalf("second probe round gave %v, want one probe", got)
	}
	if err := submit(a); err != nil {
		t.Fatal(err)
	}
	// Answered: back in rotation, sharing by weight again.
	if a.Demoted() || !a.Healthy() {
		t.Fatal("an answered probe did not put the gateway back")
	}
	if got := picks(t, p, 100); got["a"] < 48 || got["b"] < 48 {
		t.Fatalf("after fail-back Pick gave %v, want an even share", got)
	}

	// A demoted gateway whose sessions are down gets no probe at all.
	fake(a).failNext(timeout, timeout, timeout)
	for range 3 {
		_ = submit(a)
	}
	fake(a).up.Store(false)
	clk.add(10 * ProbeAfter)
	if got := picks(t, p, 10); got["a"] != 0 {
		t.Fatalf("unavailable demoted gateway picked: %v", got)
	}
	fake(a).up.Store(true)
	if got := picks(t, p, 10); got["a"] != 1 {
		t.Fatalf("back up after the wait: %v, want one probe", got)
	}
}

// Gateway.Submit on an unavailable driver fails fast with ErrNoGateway and
// sends nothing; that error is not in doubt, a timeout is.
func TestGatewaySubmitFailsFastAndInDoubt(t *testing.T) {
	g := gw("a", CMCC, 0, 1, false)
	_, err := g.Submit(context.Background(), &Submit{})
	if !errors.Is(err, ErrNoGateway) || fake(g).calls.Load() != 0 {
		t.Fatalf("submit on a gateway down = %v after %d driver calls", err, fake(g).calls.Load())
	}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{err, false},
		{fmt.Errorf("x: %w", session.ErrNoSession), false},
		{fmt.Errorf("x: %w", session.ErrTimeout), true},
		{fmt.Errorf("x: in flight: %w", session.ErrClosed), true},
		{errors.New("unknown"), true},
	} {
		if got := InDoubt(c.err); got != c.want {
			t.Errorf("InDoubt(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// A submit that reached the driver just as its connection died waits for
// a session; once the driver is not available it gives up after
// SessionWait with ErrNoGateway (nothing sent, not in doubt) instead of
// holding its window slot until the gateway returns. A slow submit on an
// available driver is left alone.
func TestGatewaySubmitGivesUpWaitingForADeadSession(t *testing.T) {
	g := gw("a", CMCC, 0, 1, true)
	fake(g).hold = make(chan struct{})
	done := make(chan error, 1)
	start := time.Now()
	go func() { _, err := g.Submit(context.Background(), &Submit{}); done <- err }()
	waitFor(t, func() bool { return fake(g).calls.Load() == 1 })
	fake(g).up.Store(false) // the connection died after the check
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * SessionWait):
		t.Fatal("submit still waiting for a session of a driver that is down")
	}
	if el := time.Since(start); el < SessionWait {
		t.Fatalf("gave up after %s, before SessionWait", el)
	}
	if !errors.Is(err, ErrNoGateway) || InDoubt(err) {
		t.Fatalf("gave up with %v, want ErrNoGateway, not in doubt", err)
	}

	g = gw("b", CMCC, 0, 1, true)
	hold := make(chan struct{})
	fake(g).hold = hold
	go func() { _, err := g.Submit(context.Background(), &Submit{}); done <- err }()
	time.AfterFunc(SessionWait+SessionWait/2, func() { close(hold) })
	if err := <-done; err != nil {
		t.Fatalf("slow submit on an available driver = %v, want it answered", err)
	}
}
