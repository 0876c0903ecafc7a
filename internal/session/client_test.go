package session

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func testLogin(ctx context.Context, c *Conn) error {
	f, err := c.Call(ctx, cmdLogin, nil)
	if err != nil {
		return err
	}
	if len(f.Body) != 1 || f.Body[0] != 0 {
		return fmt.Errorf("login refused: status %v", f.Body)
	}
	return nil
}

func testLogout(ctx context.Context, c *Conn) error {
	_, err := c.Call(ctx, cmdLogout, nil)
	return err
}

func startClient(t *testing.T, cfg ClientConfig, h Handler) *Client {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "gw"
	}
	cl := NewClient(testProto{}, cfg, h, quietLog(t))
	cl.Start(t.Context())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = cl.Close(ctx)
	})
	return cl
}

func closeClient(t *testing.T, cl *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if err := cl.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestClientSilentPeerReconnectsWithBackoff(t *testing.T) {
	p := newPeer(t, peerOpts{silent: true})
	const lo = 20 * time.Millisecond
	cl := NewClient(testProto{}, ClientConfig{
		Name: "silent", Addr: p.addr(),
		BackoffMin: lo, BackoffMax: 5 * time.Second,
		Conn: Config{IdleHeartbeat: 20 * time.Millisecond, RequestTimeout: 20 * time.Millisecond, HeartbeatMisses: 2},
	}, nil, quietLog(t))
	type wait struct {
		n int
		d time.Duration
	}
	var mu sync.Mutex
	var waits []wait
	cl.onBackoff = func(n int, d time.Duration) {
		mu.Lock()
		waits = append(waits, wait{n, d})
		mu.Unlock()
	}
	cl.Start(t.Context())
	waitFor(t, 5*time.Second, "5 connections", func() bool { return p.acceptCount() >= 5 })
	closeClient(t, cl)

	mu.Lock()
	defer mu.Unlock()
	if len(waits) < 4 {
		t.Fatalf("only %d back-offs", len(waits))
	}
	for i, w := range waits {
		ceil := lo << i
		if w.n != i+1 || w.d < ceil/2 || w.d > ceil {
			t.Fatalf("back-off %d = %+v, want attempt %d in [%s, %s]", i, w, i+1, ceil/2, ceil)
		}
	}
	s := cl.Stats()
	if s.Reconnects < 4 || !strings.Contains(s.LastError, "heartbeats unanswered") {
		t.Fatalf("stats %+v", s)
	}
	// Each connection sent exactly HeartbeatMisses heartbeats before closing.
	perConn := map[int]int{}
	for _, r := range p.requests(cmdHB) {
		perConn[r.conn]++
	}
	for i := range 4 {
		if perConn[i] != 2 {
			t.Fatalf("connection %d sent %d heartbeats, want 2 (%v)", i, perConn[i], perConn)
		}
	}
	p.mu.Lock()
	acc := slices.Clone(p.accepted)
	p.mu.Unlock()
	if first, later := acc[1].Sub(acc[0]), acc[4].Sub(acc[3]); later <= first {
		t.Fatalf("reconnect gaps did not grow: %s then %s", first, later)
	}
}

func TestBackoffBounds(t *testing.T) {
	lo, hi := 100*time.Millisecond, time.Second
	for n := 1; n <= 8; n++ {
		ceil := min(lo<<(n-1), hi)
		seen := map[time.Duration]bool{}
		for range 200 {
			d := backoff(n, lo, hi)
			if d < ceil/2 || d > ceil {
				t.Fatalf("attempt %d: %s outside [%s, %s]", n, d, ceil/2, ceil)
			}
			seen[d] = true
		}
		if len(seen) < 50 {
			t.Fatalf("attempt %d: only %d distinct waits: no jitter", n, len(seen))
		}
	}
	if d := backoff(1000, lo, hi); d > hi {
		t.Fatalf("huge attempt overflowed the cap: %s", d)
	}
}

func TestClientTPSLimit(t *testing.T) {
	p := newPeer(t, peerOpts{})
	const tps = 200
	cl := startClient(t, ClientConfig{Addr: p.addr(), Conns: 2, TPS: tps, Conn: Config{Window: 16}}, nil)
	waitFor(t, 2*time.Second, "2 ready", func() bool { return cl.Stats().Connected == 2 })

	ctx, cancel := context.WithTimeout(t.Context(), 1300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, _ = cl.Call(ctx, cmdSubmit, nil)
			}
		}()
	}
	wg.Wait()

	reqs := p.requests(cmdSubmit)
	if len(reqs) == 0 {
		t.Fatal("nothing sent")
	}
	t0 := reqs[0].at
	inSecond, conns := 0, map[int]bool{}
	for _, r := range reqs {
		if r.at.Sub(t0) < time.Second {
			inSecond++
		}
		conns[r.conn] = true
	}
	if inSecond < tps*85/100 || inSecond > tps*115/100 {
		t.Fatalf("peer measured %d requests in 1s, want %d ±15%%", inSecond, tps)
	}
	if len(conns) != 2 {
		t.Fatalf("TPS traffic used %d connections, want 2", len(conns))
	}
}

func TestClientUsesAllConns(t *testing.T) {
	p := newPeer(t, peerOpts{delay: 5 * time.Millisecond})
	cl := startClient(t, ClientConfig{Addr: p.addr(), Conns: 3, Login: testLogin, Conn: Config{Window: 4}}, nil)
	waitFor(t, 2*time.Second, "3 ready", func() bool { return cl.Stats().Connected == 3 })
	if s := cl.Stats(); s.Window != 12 {
		t.Fatalf("stats %+v", s)
	}
	noErrors(t, callMany(t, cl.Call, 60))

	per := map[int]int{}
	for _, r := range p.requests(cmdSubmit) {
		per[r.conn]++
	}
	if len(per) != 3 {
		t.Fatalf("requests per connection %v, want all 3 used", per)
	}
	for c, n := range per {
		if n < 10 {
			t.Fatalf("connection %d got only %d of 60: %v", c, n, per)
		}
	}
	p.mu.Lock()
	peak := p.maxInflight
	p.mu.Unlock()
	if peak > 12 {
		t.Fatalf("%d outstanding across the pool, window total is 12", peak)
	}
	if s := cl.Stats(); s.Sent != 60+3 { // + logins
		t.Fatalf("stats %+v", s)
	}
}

func TestClientGracefulCloseWaitsThenLogout(t *testing.T) {
	p := newPeer(t, peerOpts{delay: 100 * time.Millisecond})
	cl := startClient(t, ClientConfig{Addr: p.addr(), Conns: 2, Login: testLogin, Logout: testLogout}, nil)
	waitFor(t, 2*time.Second, "2 ready", func() bool { return cl.Stats().Connected == 2 })

	res := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := cl.Call(t.Context(), cmdSubmit, nil)
			res <- err
		}()
	}
	waitFor(t, time.Second, "6 at peer", func() bool { return len(p.requests(cmdSubmit)) == 6 })
	closeClient(t, cl)
	for range 6 {
		if err := <-res; err != nil {
			t.Fatalf("in-flight Call cut off: %v", err)
		}
	}
	p.mu.Lock()
	ev := slices.Clone(p.events)
	p.mu.Unlock()
	lastResp := slices.Index(ev, "resp 4")
	for i, e := range ev {
		if e == "resp 4" {
			lastResp = i
		}
	}
	firstLogout := slices.Index(ev, "req 2")
	if firstLogout < lastResp || len(p.requests(cmdLogout)) != 2 {
		t.Fatalf("want every response before the 2 logouts: %v", ev)
	}
	if _, err := cl.Call(t.Context(), cmdSubmit, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Call after Close: %v", err)
	}
	if s := cl.Stats(); s.Connected != 0 {
		t.Fatalf("stats after close %+v", s)
	}
}

func TestClientCloseDeadline(t *testing.T) {
	p := newPeer(t, peerOpts{answer: func(cmd, _ uint32, _ int) bool { return cmd == cmdLogin }})
	cl := startClient(t, ClientConfig{Addr: p.addr(), Login: testLogin, Logout: testLogout,
		Conn: Config{RequestTimeout: 10 * time.Second}}, nil)
	if err := cl.WaitReady(t.Context()); err != nil {
		t.Fatal(err)
	}
	res := make(chan error, 1)
	go func() {
		_, err := cl.Call(t.Context(), cmdSubmit, nil)
		res <- err
	}()
	waitFor(t, time.Second, "request at peer", func() bool { return len(p.requests(cmdSubmit)) == 1 })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := cl.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Close took %s past its deadline", took)
	}
	if err := <-res; !errors.Is(err, ErrClosed) {
		t.Fatalf("in-flight Call: %v", err)
	}
}

func TestClientNoSession(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	cl := startClient(t, ClientConfig{Addr: addr, BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	_, err = cl.Call(ctx, cmdSubmit, nil)
	if !errors.Is(err, ErrNoSession) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrNoSession", err)
	}
	s := cl.Stats()
	if s.Connected != 0 || s.Reconnects < 2 || !strings.Contains(s.LastError, "dial") {
		t.Fatalf("stats %+v", s)
	}
}

func TestClientLoginRejectedThenRecovers(t *testing.T) {
	p := newPeer(t, peerOpts{loginStatus: func(n int) byte {
		if n <= 2 {
			return 3 // authentication error
		}
		return 0
	}})
	cl := startClient(t, ClientConfig{Addr: p.addr(), Login: testLogin, BackoffMin: 10 * time.Millisecond}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if _, err := cl.Call(ctx, cmdSubmit, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(p.requests(cmdLogin)); n != 3 {
		t.Fatalf("%d logins, want 3", n)
	}
	if s := cl.Stats(); s.Reconnects != 2 || !strings.Contains(s.LastError, "login refused") {
		t.Fatalf("stats %+v", s)
	}
}

func TestClientCallWaitsForReconnect(t *testing.T) {
	p := newPeer(t, peerOpts{onAccept: func(pc *peerConn) {
		if pc.id == 0 {
			time.AfterFunc(50*time.Millisecond, func() { pc.nc.Close() })
		}
	}})
	cl := startClient(t, ClientConfig{Addr: p.addr(), BackoffMin: 100 * time.Millisecond}, nil)
	if err := cl.WaitReady(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "first conn dropped", func() bool { return cl.Stats().Connected == 0 })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := cl.Call(ctx, cmdSubmit, []byte("after")); err != nil {
		t.Fatalf("Call while reconnecting: %v", err)
	}
	if p.acceptCount() != 2 {
		t.Fatalf("%d connections, want 2", p.acceptCount())
	}
}

func TestClientPrefersMostFreeWindow(t *testing.T) {
	// Connection 0 answers after 100ms, connection 1 at once. A pool that
	// ignored free window would park half its Calls behind the slow one.
	p := newPeer(t, peerOpts{connDelay: map[int]time.Duration{0: 100 * time.Millisecond}})
	cl := startClient(t, ClientConfig{Addr: p.addr(), Conns: 2, Conn: Config{Window: 2}}, nil)
	waitFor(t, 2*time.Second, "2 ready", func() bool { return cl.Stats().Connected == 2 })

	ctx, cancel := context.WithTimeout(t.Context(), 400*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, _ = cl.Call(ctx, cmdSubmit, nil)
			}
		}()
	}
	wg.Wait()
	per := map[int]int{}
	for _, r := range p.requests(cmdSubmit) {
		per[r.conn]++
	}
	if per[0] == 0 || per[1] < 20*per[0] {
		t.Fatalf("requests per connection %v: the fast one should take almost all", per)
	}
}

func TestCloseBeforeStart(t *testing.T) {
	cl := NewClient(testProto{}, ClientConfig{Addr: "127.0.0.1:1"}, nil, quietLog(t))
	if err := cl.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	cl.Start(t.Context()) // after Close: must not dial
	if _, err := cl.Call(t.Context(), cmdSubmit, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Call on a closed client: %v", err)
	}

	a, b := net.Pipe()
	defer b.Close()
	c := NewConn(a, testProto{}, Config{}, nil, quietLog(t))
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close of a never-started conn: %v", err)
	}
	if !errors.Is(c.Err(), ErrClosed) {
		t.Fatalf("Err() = %v", c.Err())
	}
}
