package sgip

import (
	"context"
	"fmt"
	"sync"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// generation is one run of the engine's connection pool, from the request
// that opened it to the idle close that ends it. SGIP peers expect a client
// to connect when it has something to send and to leave when done, so an
// idle Client parks (no connections) and the next request starts a new
// generation; the engine's own Client would redial forever.
type generation struct {
	sc       *session.Client
	inflight int       // requests using sc; guarded by Client.mu
	last     time.Time // last request start or end; guarded by Client.mu
	retired  bool      // no new requests; guarded by Client.mu
	stop     chan struct{}
	once     sync.Once
	finished chan struct{} // closed once sc is closed and counted
}

// spawnLocked starts a generation; c.mu is held.
func (c *Client) spawnLocked() *generation {
	sc := session.NewClient(c.proto, session.ClientConfig{
		Name:       c.cfg.Name,
		Addr:       c.cfg.Addr,
		Conns:      c.cfg.Conns,
		TPS:        c.cfg.TPS,
		Burst:      c.cfg.Burst,
		Conn:       c.sess,
		Login:      c.login,
		Logout:     c.logout,
		BackoffMin: c.cfg.BackoffMin,
		BackoffMax: c.cfg.BackoffMax,
	}, c.handle, c.log)
	g := &generation{sc: sc, last: time.Now(), stop: make(chan struct{}), finished: make(chan struct{})}
	c.gens = append(c.gens, g)
	sc.Start(c.ctx)
	c.wg.Add(1)
	go c.janitor(c.ctx, g)
	return g
}

// acquire returns the generation taking requests, starting one if the
// client is idle, and counts a request on it.
func (c *Client) acquire() (*generation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.ctx.Err() != nil {
		return nil, fmt.Errorf("sgip %s: %w", c.cfg.Name, session.ErrClosed)
	}
	if c.cur == nil {
		if c.parked {
			c.reopens++
			c.parked = false
			c.log.Info("sgip reconnecting on demand")
		}
		c.cur = c.spawnLocked()
	}
	g := c.cur
	g.inflight++
	g.last = time.Now()
	return g, nil
}

func (c *Client) release(g *generation) {
	c.mu.Lock()
	g.inflight--
	g.last = time.Now()
	c.mu.Unlock()
}

// janitor retires g once it has been idle for IdleClose with a session up.
// A generation that cannot bind is kept: it goes on retrying with back-off
// and its Stats show the failure.
func (c *Client) janitor(ctx context.Context, g *generation) {
	defer c.wg.Done()
	idle := c.cfg.IdleClose
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-g.stop:
			return
		case <-ctx.Done():
			return
		}
		c.mu.Lock()
		if g.retired {
			c.mu.Unlock()
			return
		}
		quiet := time.Since(g.last)
		if g.inflight > 0 || quiet < idle || g.sc.Stats().Connected == 0 {
			c.mu.Unlock()
			t.Reset(max(idle-quiet, idle/4))
			continue
		}
		g.retired = true
		if c.cur == g {
			c.cur, c.parked = nil, true
		}
		c.mu.Unlock()
		c.log.Info("sgip idle: unbinding until the next request", "idle", idle)
		fctx, cancel := context.WithTimeout(context.Background(), link.CloseWait)
		c.finish(fctx, g)
		cancel()
		return
	}
}

// finish closes g's connections (Unbind on each) once and moves its
// counters to c.gone; later callers wait for the first, until ctx ends.
func (c *Client) finish(ctx context.Context, g *generation) error {
	g.once.Do(func() {
		go func() {
			_ = g.sc.Close(ctx)
			st := g.sc.Stats()
			c.mu.Lock()
			c.gone.Sent += st.Sent
			c.gone.Timeouts += st.Timeouts
			c.gone.Resends += st.Resends
			c.gone.Reconnects += st.Reconnects
			if st.LastError != "" {
				c.gone.LastError = st.LastError
			}
			for i, x := range c.gens {
				if x == g {
					c.gens = append(c.gens[:i], c.gens[i+1:]...)
					break
				}
			}
			c.mu.Unlock()
			close(g.finished)
		}()
	})
	select {
	case <-g.finished:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sgip %s: close: %w", c.cfg.Name, ctx.Err())
	}
}

// Close waits for in-flight requests (until ctx ends), sends Unbind on
// each bound connection and closes them. Requests after Close fail with
// session.ErrClosed.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.cur, c.parked = nil, false
		for _, g := range c.gens {
			if !g.retired {
				g.retired = true
				close(g.stop)
			}
		}
	}
	gens := append([]*generation(nil), c.gens...)
	c.mu.Unlock()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs error
	)
	for _, g := range gens {
		wg.Go(func() {
			if err := c.finish(ctx, g); err != nil {
				mu.Lock()
				errs = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		if errs == nil {
			errs = fmt.Errorf("sgip %s: close: %w", c.cfg.Name, ctx.Err())
		}
	}
	return errs
}

// Stats aggregates every generation. Connected counts the sessions bound
// right now: none while parked after an idle close (Available tells
// whether the client can take requests).
func (c *Client) Stats() session.Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.gone
	for _, g := range c.gens {
		st := g.sc.Stats()
		if !g.retired { // a closing generation takes no requests
			s.Connected += st.Connected
			s.InFlight += st.InFlight
			s.Window += st.Window
		}
		s.Sent += st.Sent
		s.Timeouts += st.Timeouts
		s.Resends += st.Resends
		s.Reconnects += st.Reconnects
		if st.LastError != "" {
			s.LastError = st.LastError
		}
	}
	s.Reconnects += c.reopens
	return s
}

// Available reports whether a request would be tried now: a session is
// bound, or the client is idle (parked, or not yet connected) and the
// request connects, or the current generation is still making its first
// attempt. False once closed, and while the current generation has no
// session after a failed connect or Bind, or after losing its sessions,
// until its back-off redial succeeds.
func (c *Client) Available() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.ctx.Err() != nil {
		return false
	}
	if c.cur == nil {
		return true
	}
	st := c.cur.sc.Stats()
	return st.Connected > 0 || st.LastError == ""
}

// Parked reports whether the client closed its connections for idleness
// and will reconnect on the next request.
func (c *Client) Parked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.parked && !c.closed
}
