package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Client keeps ClientConfig.Conns logged-in connections to one gateway
// account, reconnecting with back-off, and spreads Calls over them.
type Client struct {
	p   Protocol
	cfg ClientConfig
	h   Handler
	log *slog.Logger
	lim *rate.Limiter // shared by every connection; nil = unlimited

	mu      sync.Mutex
	live    map[*Conn]struct{} // open connections, logged in or not
	ready   []*Conn            // logged in, taking traffic
	readyC  chan struct{}      // closed and replaced when one becomes ready
	closing bool
	closedC chan struct{}
	active  int // Client.Calls in flight
	drained chan struct{}
	gone    Stats // counters of connections no longer live
	lastErr string

	reconnects atomic.Int64
	rr         atomic.Uint32

	startOnce sync.Once
	runCancel context.CancelFunc // stops dialling, logins and back-off sleeps
	wg        sync.WaitGroup     // keep goroutines

	// onBackoff, if set (tests), sees every back-off wait before it starts.
	onBackoff func(n int, d time.Duration)
}

// NewClient returns a Client; h handles the gateway's requests (DELIVER …)
// on every connection and may be nil.
func NewClient(p Protocol, cfg ClientConfig, h Handler, log *slog.Logger) *Client {
	if log == nil {
		log = slog.Default()
	}
	cfg = cfg.withDefaults()
	cl := &Client{
		p:       p,
		cfg:     cfg,
		h:       h,
		log:     log.With("gateway", cfg.Name, "addr", cfg.Addr),
		live:    make(map[*Conn]struct{}),
		readyC:  make(chan struct{}),
		closedC: make(chan struct{}),
	}
	if cfg.TPS > 0 {
		cl.lim = rate.NewLimiter(rate.Limit(cfg.TPS), cfg.Burst)
	}
	return cl
}

// Start dials and keeps the pool up until Close or ctx ends (ctx ending
// closes the connections at once). It returns immediately.
func (cl *Client) Start(ctx context.Context) {
	cl.startOnce.Do(func() {
		run, cancel := context.WithCancel(ctx)
		cl.mu.Lock()
		if cl.closing {
			cl.mu.Unlock()
			cancel()
			return
		}
		cl.runCancel = cancel
		cl.mu.Unlock()
		for slot := range cl.cfg.Conns {
			cl.wg.Add(1)
			go cl.keep(run, ctx, slot)
		}
	})
}

// Call waits for a ready connection (ErrNoSession if none becomes ready
// before ctx ends), the TPS limiter and a free window slot on the ready
// connection with the most free window, then Calls on it.
func (cl *Client) Call(ctx context.Context, cmd uint32, body []byte) (Frame, error) {
	if !cl.enter() {
		return Frame{}, fmt.Errorf("session %s: %w", cl.cfg.Name, ErrClosed)
	}
	defer cl.leave()
	if err := cl.WaitReady(ctx); err != nil {
		return Frame{}, err
	}
	if cl.lim != nil {
		if err := waitLimiter(ctx, cl.lim); err != nil {
			return Frame{}, fmt.Errorf("session %s: %w", cl.cfg.Name, err)
		}
	}
	for {
		c := cl.pick()
		if c == nil {
			if err := cl.WaitReady(ctx); err != nil {
				return Frame{}, err
			}
			continue
		}
		f, err := c.call(ctx, cmd, body, true)
		if errors.Is(err, errNotSent) {
			continue // that connection is closing; nothing went out
		}
		return f, err
	}
}

// pick returns the ready connection with the most free window slots (ties
// broken round-robin), or nil.
func (cl *Client) pick() *Conn {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	n := len(cl.ready)
	if n == 0 {
		return nil
	}
	start := int(cl.rr.Add(1) % uint32(n))
	var best *Conn
	bestFree := -1
	for i := range n {
		c := cl.ready[(start+i)%n]
		if !c.accepting() {
			continue
		}
		if free := cap(c.slots) - len(c.slots); free > bestFree {
			best, bestFree = c, free
		}
	}
	return best
}

// WaitReady blocks until at least one connection is logged in. It returns
// an error wrapping ErrNoSession and ctx's error if ctx ends first, and
// ErrClosed once the Client is closing.
func (cl *Client) WaitReady(ctx context.Context) error {
	for {
		cl.mu.Lock()
		if cl.closing {
			cl.mu.Unlock()
			return fmt.Errorf("session %s: %w", cl.cfg.Name, ErrClosed)
		}
		if len(cl.ready) > 0 {
			cl.mu.Unlock()
			return nil
		}
		ch := cl.readyC
		cl.mu.Unlock()
		select {
		case <-ch:
		case <-cl.closedC:
		case <-ctx.Done():
			return fmt.Errorf("session %s: %w: %w", cl.cfg.Name, ErrNoSession, ctx.Err())
		}
	}
}

// Close stops new Calls, waits for in-flight ones (until ctx ends), runs
// Logout on each logged-in connection and closes them. If ctx ends first the
// rest is closed at once and ctx's error returned.
func (cl *Client) Close(ctx context.Context) error {
	cl.mu.Lock()
	if !cl.closing {
		cl.closing = true
		close(cl.closedC)
		cl.drained = make(chan struct{})
		if cl.active == 0 {
			close(cl.drained)
		}
	}
	drained, cancel := cl.drained, cl.runCancel
	cl.mu.Unlock()
	if cancel != nil {
		cancel() // no more dials, logins or reconnects
	}

	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = fmt.Errorf("session %s: close: %w", cl.cfg.Name, ctx.Err())
	}

	cl.mu.Lock()
	isReady := make(map[*Conn]bool, len(cl.ready))
	for _, c := range cl.ready {
		isReady[c] = true
	}
	live := make([]*Conn, 0, len(cl.live))
	for c := range cl.live {
		live = append(live, c)
	}
	cl.mu.Unlock()

	var wg sync.WaitGroup
	for _, c := range live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if isReady[c] && cl.cfg.Logout != nil && ctx.Err() == nil {
				if lerr := cl.cfg.Logout(ctx, c); lerr != nil {
					cl.log.Warn("logout failed", "remote", addrString(c.RemoteAddr()), "err", lerr)
				}
			}
			_ = c.Close(ctx)
		}()
	}
	wg.Wait()

	stopped := make(chan struct{})
	go func() {
		cl.wg.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
		if err == nil {
			err = fmt.Errorf("session %s: close: %w", cl.cfg.Name, ctx.Err())
		}
	}
	return err
}

// Stats aggregates the pool: live connections plus those already gone.
func (cl *Client) Stats() Stats {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	s := cl.gone
	for c := range cl.live {
		s.Sent += c.sent.Load()
		s.Timeouts += c.timeouts.Load()
		s.Resends += c.resends.Load()
	}
	for _, c := range cl.ready {
		s.Connected++
		s.InFlight += len(c.slots)
		s.Window += cap(c.slots)
	}
	s.Reconnects = cl.reconnects.Load()
	s.LastError = cl.lastErr
	return s
}

func (cl *Client) enter() bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closing {
		return false
	}
	cl.active++
	return true
}

func (cl *Client) leave() {
	cl.mu.Lock()
	cl.active--
	if cl.active == 0 && cl.closing {
		select {
		case <-cl.drained:
		default:
			close(cl.drained)
		}
	}
	cl.mu.Unlock()
}
