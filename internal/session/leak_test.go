package session

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestNoGoroutineLeak runs the engine through its paths (calls, pushes,
// heartbeats, reconnect back-off, graceful and forced close) and checks the
// goroutine count returns to where it started.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("scenario", func(t *testing.T) {
		fast := Config{IdleHeartbeat: 20 * time.Millisecond, RequestTimeout: 50 * time.Millisecond}
		s, addr, _ := startServer(t, fast, func(*Conn) Handler { return echoHandler })
		cl := startClient(t, ClientConfig{Addr: addr, Conns: 3, TPS: 5000, Login: testLogin, Logout: testLogout, Conn: fast}, echoHandler)
		waitFor(t, 2*time.Second, "3 ready", func() bool { return cl.Stats().Connected == 3 })
		noErrors(t, callMany(t, cl.Call, 100))
		for _, c := range s.Conns() {
			if _, err := c.Call(t.Context(), 5, nil); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(60 * time.Millisecond) // a few heartbeats

		// A client stuck reconnecting to a silent peer, closed mid back-off.
		p := newPeer(t, peerOpts{silent: true})
		stuck := startClient(t, ClientConfig{Addr: p.addr(), Login: testLogin, BackoffMin: 10 * time.Millisecond,
			Conn: Config{RequestTimeout: 10 * time.Millisecond}}, nil)
		waitFor(t, 2*time.Second, "2 login attempts", func() bool { return p.acceptCount() >= 2 })
		closeClient(t, stuck)

		closeClient(t, cl)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	})
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
