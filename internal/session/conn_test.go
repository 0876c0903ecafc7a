package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// callMany runs n concurrent Calls with distinct bodies and checks that each
// got its own body echoed back.
func callMany(t *testing.T, call func(context.Context, uint32, []byte) (Frame, error), n int) []error {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Appendf(nil, "call-%03d", i)
			f, err := call(t.Context(), cmdSubmit, body)
			switch {
			case err != nil:
				errs[i] = err
			case f.Command != cmdSubmit|respBit:
				errs[i] = fmt.Errorf("call %d: response command %#x", i, f.Command)
			case !bytes.Equal(f.Body, body):
				errs[i] = fmt.Errorf("call %d got the response of %q", i, f.Body)
			}
		}()
	}
	wg.Wait()
	return errs
}

func noErrors(t *testing.T, errs []error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestWindowNeverExceeded(t *testing.T) {
	p := newPeer(t, peerOpts{delay: 10 * time.Millisecond})
	c := dialConn(t, p.addr(), Config{Window: 4, RequestTimeout: 5 * time.Second}, nil)
	noErrors(t, callMany(t, c.Call, 64))

	p.mu.Lock()
	maxIn := p.maxInflight
	p.mu.Unlock()
	if maxIn != 4 {
		t.Fatalf("peer saw at most %d requests outstanding, want exactly the window 4", maxIn)
	}
	if n := len(p.requests(cmdSubmit)); n != 64 {
		t.Fatalf("peer got %d requests, want 64 (no resends)", n)
	}
	if s := c.Stats(); s.InFlight != 0 || s.Sent != 64 || s.Window != 4 {
		t.Fatalf("stats %+v", s)
	}
}

func TestOutOfOrderResponsesMatched(t *testing.T) {
	p := newPeer(t, peerOpts{reverse: 8})
	c := dialConn(t, p.addr(), Config{Window: 8, RequestTimeout: 5 * time.Second}, nil)
	noErrors(t, callMany(t, c.Call, 32))

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.maxInflight != 8 {
		t.Fatalf("peer held %d answers at once, want batches of 8", p.maxInflight)
	}
}

func TestTimeoutResendCountExact(t *testing.T) {
	for _, tc := range []struct {
		resends, attempts int
	}{{-1, 1}, {0, 3}, {4, 5}} {
		t.Run(fmt.Sprintf("resends=%d", tc.resends), func(t *testing.T) {
			p := newPeer(t, peerOpts{answer: func(cmd, _ uint32, _ int) bool { return cmd != cmdSubmit }})
			const timeout = 30 * time.Millisecond
			c := dialConn(t, p.addr(), Config{RequestTimeout: timeout, Resends: tc.resends}, nil)

			start := time.Now()
			_, err := c.Call(t.Context(), cmdSubmit, []byte("x"))
			took := time.Since(start)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("err = %v, want ErrTimeout", err)
			}
			if want := time.Duration(tc.attempts) * timeout; took < want || took > want+time.Second {
				t.Fatalf("gave up after %s, want about %s", took, want)
			}
			reqs := p.requests(cmdSubmit)
			if len(reqs) != tc.attempts {
				t.Fatalf("peer got %d attempts, want %d", len(reqs), tc.attempts)
			}
			for _, r := range reqs {
				if r.seq != reqs[0].seq {
					t.Fatalf("resend changed the sequence number: %d then %d", reqs[0].seq, r.seq)
				}
			}
			s := c.Stats()
			if s.Sent != int64(tc.attempts) || s.Resends != int64(tc.attempts-1) || s.Timeouts != 1 || s.InFlight != 0 {
				t.Fatalf("stats %+v", s)
			}
			if c.Err() != nil {
				t.Fatalf("a request timeout closed the connection: %v", c.Err())
			}
		})
	}
}

func TestResendThenAnswered(t *testing.T) {
	p := newPeer(t, peerOpts{answer: func(cmd, _ uint32, nth int) bool { return cmd != cmdSubmit || nth == 2 }})
	c := dialConn(t, p.addr(), Config{RequestTimeout: 30 * time.Millisecond}, nil)
	f, err := c.Call(t.Context(), cmdSubmit, []byte("again"))
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Body) != "again" {
		t.Fatalf("body %q", f.Body)
	}
	if n := len(p.requests(cmdSubmit)); n != 2 {
		t.Fatalf("peer got %d attempts, want 2", n)
	}
	if s := c.Stats(); s.Resends != 1 || s.Timeouts != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestCallContextFreesSlot(t *testing.T) {
	const cmdIgnored = 5
	p := newPeer(t, peerOpts{answer: func(cmd, _ uint32, _ int) bool { return cmd != cmdIgnored }})
	c := dialConn(t, p.addr(), Config{Window: 1, RequestTimeout: 10 * time.Second}, nil)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	if _, err := c.Call(ctx, cmdIgnored, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if s := c.Stats(); s.InFlight != 0 {
		t.Fatalf("slot still taken: %+v", s)
	}
	ctx2, cancel2 := context.WithTimeout(t.Context(), time.Second)
	defer cancel2()
	if _, err := c.Call(ctx2, cmdSubmit, nil); err != nil {
		t.Fatalf("window of 1 not freed by the cancelled Call: %v", err)
	}
}

func TestDisconnectMidWindowFailsFast(t *testing.T) {
	p := newPeer(t, peerOpts{dropAfter: 4, answer: func(uint32, uint32, int) bool { return false }})
	c := dialConn(t, p.addr(), Config{Window: 8, RequestTimeout: 10 * time.Second}, nil)

	start := time.Now()
	errs := callMany(t, c.Call, 8)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("in-flight Calls took %s to fail", took)
	}
	for i, err := range errs {
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("call %d: err = %v, want ErrClosed", i, err)
		}
	}
	<-c.Done()
	if err := c.Err(); !errors.Is(err, ErrClosed) || errors.Is(err, ErrMalformed) {
		t.Fatalf("Err() = %v", err)
	}
}

func TestMalformedFromPeerClosesConn(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"length 0xFFFFFFFF", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 1}},
		{"length below header", []byte{0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1}},
		{"length over MaxPDU", []byte{0, 0, 0x10, 0x01, 0, 0, 0, 4, 0, 0, 0, 1}},
	} {
		for _, proto := range []testProto{{}, {lax: true}} {
			t.Run(fmt.Sprintf("%s/lax=%v", tc.name, proto.lax), func(t *testing.T) {
				testMalformed(t, proto, tc.b)
			})
		}
	}
}

func testMalformed(t *testing.T, proto testProto, junk []byte) {
	p := newPeer(t, peerOpts{onAccept: func(pc *peerConn) { pc.write(junk) }})
	log, lb := captureLog()
	nc, err := net.Dial("tcp", p.addr())
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nc, proto, Config{}, nil, log)
	c.Start(t.Context())
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("malformed frame did not close the connection")
	}
	if !errors.Is(c.Err(), ErrMalformed) || !errors.Is(c.Err(), ErrClosed) {
		t.Fatalf("Err() = %v", c.Err())
	}
	if !lb.contains("malformed") || !lb.contains("level=ERROR") {
		t.Fatalf("reason not logged: %s", lb)
	}
	if _, err := c.Call(t.Context(), cmdSubmit, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Call on a closed conn: %v", err)
	}
}

func TestUnknownSeqDropped(t *testing.T) {
	p := newPeer(t, peerOpts{onAccept: func(pc *peerConn) { pc.write(rawFrame(cmdSubmit|respBit, 9999, nil)) }})
	log, lb := captureLog()
	nc, err := net.Dial("tcp", p.addr())
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nc, testProto{}, Config{}, nil, log)
	c.Start(t.Context())
	defer c.abort(nil)
	waitFor(t, 2*time.Second, "unknown seq logged", func() bool { return lb.contains("unknown sequence") })
	if _, err := c.Call(t.Context(), cmdSubmit, []byte("ok")); err != nil {
		t.Fatalf("conn unusable after a stray response: %v", err)
	}
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
}

func TestPeerHeartbeatAnsweredWithoutHandler(t *testing.T) {
	var handled atomic.Int32
	h := func(_ context.Context, c *Conn, f Frame) {
		handled.Add(1)
		_ = c.Reply(f, f.Command|respBit, 0, []byte("handled"))
	}
	p := newPeer(t, peerOpts{onAccept: func(pc *peerConn) {
		pc.write(rawFrame(cmdHB, 77, nil))
		pc.write(rawFrame(5, 78, []byte("mo")))
	}})
	dialConn(t, p.addr(), Config{}, h)

	got := map[uint32]Frame{}
	for len(got) < 2 {
		select {
		case f := <-p.got:
			got[f.Seq.N] = f
		case <-time.After(2 * time.Second):
			t.Fatalf("engine answered only %v", got)
		}
	}
	if f := got[77]; f.Command != cmdHB|respBit || len(f.Body) != 1 {
		t.Fatalf("heartbeat answer %+v", f)
	}
	if f := got[78]; f.Command != 5|respBit || string(f.Body) != "handled" {
		t.Fatalf("handler answer %+v", f)
	}
	if n := handled.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1 (heartbeats never reach it)", n)
	}
}

func TestInboundBoundedAndResponsesFlow(t *testing.T) {
	const limit = 3
	release := make(chan struct{})
	var cur, peak atomic.Int32
	h := func(_ context.Context, c *Conn, f Frame) {
		n := cur.Add(1)
		for {
			m := peak.Load()
			if n <= m || peak.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		cur.Add(-1)
		_ = c.Reply(f, f.Command|respBit, 0, nil)
	}
	p := newPeer(t, peerOpts{})
	c := dialConn(t, p.addr(), Config{InboundConcurrent: limit, RequestTimeout: 5 * time.Second}, h)
	waitFor(t, time.Second, "accept", func() bool { return p.conn(0) != nil })
	pc := p.conn(0)
	for i := range 2 * limit { // limit running + limit queued
		pc.write(rawFrame(5, uint32(100+i), nil))
	}
	waitFor(t, time.Second, "handlers busy", func() bool { return cur.Load() == limit })

	// Handlers are all stuck, yet our own Calls still get their responses.
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if _, err := c.Call(ctx, cmdSubmit, nil); err != nil {
		t.Fatalf("slow handlers blocked responses: %v", err)
	}
	for i := range 4 { // beyond the queue: the read loop now waits
		pc.write(rawFrame(5, uint32(200+i), nil))
	}
	close(release)
	seen := map[uint32]bool{}
	for len(seen) < 2*limit+4 {
		select {
		case f := <-p.got:
			seen[f.Seq.N] = true
		case <-time.After(2 * time.Second):
			t.Fatalf("only %d of %d requests answered", len(seen), 2*limit+4)
		}
	}
	if peak.Load() != limit {
		t.Fatalf("%d handlers ran at once, want %d", peak.Load(), limit)
	}
}

func TestHeartbeatMissesCloseConn(t *testing.T) {
	p := newPeer(t, peerOpts{silent: true})
	cfg := Config{IdleHeartbeat: 30 * time.Millisecond, RequestTimeout: 30 * time.Millisecond, HeartbeatMisses: 3}
	c := dialConn(t, p.addr(), cfg, nil)
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("silent peer never detected")
	}
	if err := c.Err(); !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrClosed) {
		t.Fatalf("Err() = %v", err)
	}
	if n := len(p.requests(cmdHB)); n != 3 {
		t.Fatalf("peer got %d heartbeats before the close, want 3", n)
	}
}

func TestHeartbeatKeepsLiveConnOpen(t *testing.T) {
	p := newPeer(t, peerOpts{})
	cfg := Config{IdleHeartbeat: 20 * time.Millisecond, RequestTimeout: 20 * time.Millisecond, HeartbeatMisses: 2}
	c := dialConn(t, p.addr(), cfg, nil)
	time.Sleep(250 * time.Millisecond)
	if c.Err() != nil {
		t.Fatalf("answered heartbeats still closed the conn: %v", c.Err())
	}
	if n := len(p.requests(cmdHB)); n < 4 {
		t.Fatalf("only %d heartbeats in 250ms at a 20ms idle interval", n)
	}
}

func TestIdleCloseWithoutHeartbeat(t *testing.T) {
	p := newPeer(t, peerOpts{})
	nc, err := net.Dial("tcp", p.addr())
	if err != nil {
		t.Fatal(err)
	}
	const idle = 60 * time.Millisecond
	c := NewConn(nc, testProto{noHeartbeat: true}, Config{IdleHeartbeat: idle}, nil, quietLog(t))
	c.Start(t.Context())
	defer c.abort(nil)

	var quietFrom time.Time
	for range 10 { // traffic keeps it open
		if _, err := c.Call(t.Context(), cmdSubmit, nil); err != nil {
			t.Fatal(err)
		}
		quietFrom = time.Now() // the last traffic
		time.Sleep(idle / 4)
	}
	if c.Err() != nil {
		t.Fatalf("closed while busy: %v", c.Err())
	}
	select {
	case <-c.Done():
	case <-time.After(time.Second):
		t.Fatal("idle conn not closed")
	}
	if d := time.Since(quietFrom); d < idle*3/4 {
		t.Fatalf("closed %s after the last traffic, idle is %s", d, idle)
	}
	if !errors.Is(c.Err(), ErrIdle) {
		t.Fatalf("Err() = %v, want ErrIdle", c.Err())
	}
	if n := len(p.requests(cmdHB)); n != 0 {
		t.Fatalf("%d heartbeats sent by a protocol without one", n)
	}
}

func TestConnCloseWaitsForInFlight(t *testing.T) {
	p := newPeer(t, peerOpts{delay: 80 * time.Millisecond})
	c := dialConn(t, p.addr(), Config{}, nil)
	res := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := c.Call(t.Context(), cmdSubmit, nil)
			res <- err
		}()
	}
	waitFor(t, time.Second, "requests at peer", func() bool { return len(p.requests(cmdSubmit)) == 3 })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-res; err != nil {
			t.Fatalf("in-flight Call cut off by Close: %v", err)
		}
	}
	if !errors.Is(c.Err(), ErrClosed) {
		t.Fatalf("Err() = %v", c.Err())
	}
	if _, err := c.Call(t.Context(), cmdSubmit, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Call after Close: %v", err)
	}
	if err := c.Reply(Frame{}, cmdSubmit|respBit, 0, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Reply after Close: %v", err)
	}
}

func TestConnCloseDeadline(t *testing.T) {
	p := newPeer(t, peerOpts{silent: true})
	c := dialConn(t, p.addr(), Config{RequestTimeout: 10 * time.Second}, nil)
	res := make(chan error, 1)
	go func() {
		_, err := c.Call(t.Context(), cmdSubmit, nil)
		res <- err
	}()
	waitFor(t, time.Second, "request at peer", func() bool { return len(p.requests(cmdSubmit)) == 1 })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := c.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want DeadlineExceeded", err)
	}
	select {
	case err := <-res:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("in-flight Call: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("in-flight Call survived a forced close")
	}
}

func TestStartContextEndsConn(t *testing.T) {
	p := newPeer(t, peerOpts{})
	nc, err := net.Dial("tcp", p.addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	c := NewConn(nc, testProto{}, Config{}, nil, quietLog(t))
	c.Start(ctx)
	cancel()
	select {
	case <-c.Done():
	case <-time.After(time.Second):
		t.Fatal("Start context ended but the conn stayed open")
	}
	if !errors.Is(c.Err(), context.Canceled) {
		t.Fatalf("Err() = %v", c.Err())
	}
}

// panicProto's DecodeHeader panics on a command id of 0xDEAD, as a buggy
// protocol package might on bytes it never expected.
type panicProto struct{ testProto }

func (p panicProto) DecodeHeader(b []byte) (Header, error) {
	h, err := p.testProto.DecodeHeader(b)
	if h.Command == 0xDEAD {
		panic("unexpected command")
	}
	return h, err
}

func TestProtocolPanicClosesOnlyConn(t *testing.T) {
	p := newPeer(t, peerOpts{onAccept: func(pc *peerConn) { pc.write(rawFrame(0xDEAD, 1, nil)) }})
	nc, err := net.Dial("tcp", p.addr())
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nc, panicProto{}, Config{}, nil, quietLog(t))
	c.Start(t.Context())
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("conn survived")
	}
	if !errors.Is(c.Err(), ErrMalformed) {
		t.Fatalf("Err() = %v", c.Err())
	}
}

func TestHandlerPanicClosesOnlyConn(t *testing.T) {
	p := newPeer(t, peerOpts{onAccept: func(pc *peerConn) { pc.write(rawFrame(5, 1, nil)) }})
	c := dialConn(t, p.addr(), Config{}, func(context.Context, *Conn, Frame) { panic("handler bug") })
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("conn survived")
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "handler bug") {
		t.Fatalf("Err() = %v", err)
	}
}
