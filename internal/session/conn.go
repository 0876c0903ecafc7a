package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Conn is one TCP connection running a protocol: a read loop, a write loop,
// the window of our outstanding requests and the heartbeat timer.
type Conn struct {
	nc  net.Conn
	p   Protocol
	cfg Config
	h   Handler
	log *slog.Logger

	ctx    context.Context // handed to the Handler; cancelled on close
	cancel context.CancelFunc

	seq     atomic.Uint32
	slots   chan struct{} // one token per outstanding request we sent
	limiter atomic.Pointer[rate.Limiter]

	mu       sync.Mutex
	pending  map[Seq]*call
	active   int           // our Calls in flight + peer requests being handled
	closing  bool          // Close called: no new Calls, no new inbound work
	dead     bool          // closed
	drained  chan struct{} // closed when closing and active reaches 0
	closingC chan struct{} // closed when Close starts, wakes slot waiters
	value    any

	in inbound

	wmu     sync.Mutex
	wbuf    []byte        // frames queued for the write loop
	wdead   bool          // write side gone: queueing fails
	wsig    chan struct{} // cap 1: "wbuf has data"
	flush   chan struct{} // closed by Close: write what is queued, then exit
	flushed sync.Once
	wdone   chan struct{} // closed when the write loop has exited

	t0       time.Time    // monotonic base for the activity clocks
	lastRecv atomic.Int64 // ns since t0 of the last frame read
	lastSend atomic.Int64 // ns since t0 of the last write

	sent, timeouts, resends atomic.Int64

	startOnce sync.Once
	started   atomic.Bool
	closeOnce sync.Once
	done      chan struct{}
	err       error // why it closed; written before done is closed
	onClose   []func()
}

// NewConn wraps an open connection; call Start to run its loops. Calls made
// before Start are queued and sent once the loops run.
func NewConn(nc net.Conn, p Protocol, cfg Config, h Handler, log *slog.Logger) *Conn {
	if log == nil {
		log = slog.Default()
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	c := &Conn{
		nc:       nc,
		p:        p,
		cfg:      cfg,
		h:        h,
		log:      log.With("proto", p.Name(), "remote", addrString(nc.RemoteAddr())),
		ctx:      ctx,
		cancel:   cancel,
		slots:    make(chan struct{}, cfg.Window),
		pending:  make(map[Seq]*call, cfg.Window+1),
		closingC: make(chan struct{}),
		wsig:     make(chan struct{}, 1),
		flush:    make(chan struct{}),
		wdone:    make(chan struct{}),
		t0:       time.Now(),
		done:     make(chan struct{}),
	}
	c.in.max = cfg.InboundConcurrent
	c.in.space = make(chan struct{}, 1)
	return c
}

// Start starts the read, write and heartbeat loops and returns; they run
// until ctx ends or the connection closes. A second Start does nothing.
func (c *Conn) Start(ctx context.Context) {
	c.startOnce.Do(func() {
		c.started.Store(true)
		stop := context.AfterFunc(ctx, func() {
			c.abort(fmt.Errorf("context ended: %w", context.Cause(ctx)))
		})
		go c.readLoop(stop)
		go c.writeLoop()
		go c.heartbeatLoop()
	})
}

// Close stops new Calls, waits (until ctx ends) for in-flight ones and for
// running handlers, writes what is queued, then closes. It returns ctx's
// error if ctx ended first (the connection is then closed at once).
func (c *Conn) Close(ctx context.Context) error {
	if !c.started.Load() {
		c.abort(nil) // no loops to drain
		return nil
	}
	c.mu.Lock()
	if !c.closing {
		c.closing = true
		close(c.closingC)
		c.drained = make(chan struct{})
		if c.active == 0 {
			close(c.drained)
		}
	}
	drained := c.drained
	c.mu.Unlock()

	select {
	case <-drained:
	case <-c.done:
		return nil
	case <-ctx.Done():
		c.abort(fmt.Errorf("close deadline: %w", ctx.Err()))
		return fmt.Errorf("session %s: close: %w", c.p.Name(), ctx.Err())
	}
	c.flushOnce()
	select {
	case <-c.wdone:
	case <-c.done:
	case <-ctx.Done():
		c.abort(fmt.Errorf("close deadline: %w", ctx.Err()))
		return fmt.Errorf("session %s: close: %w", c.p.Name(), ctx.Err())
	}
	c.abort(nil)
	return nil
}

// flushOnce asks the write loop for its final flush.
func (c *Conn) flushOnce() { c.flushed.Do(func() { close(c.flush) }) }

// abort closes the connection now. cause nil means a graceful close.
func (c *Conn) abort(cause error) {
	c.closeOnce.Do(func() {
		if cause == nil {
			c.err = ErrClosed
		} else {
			c.err = fmt.Errorf("%w: %w", ErrClosed, cause)
		}
		c.mu.Lock()
		c.dead = true
		c.mu.Unlock()
		c.wmu.Lock()
		c.wdead = true
		c.wbuf = nil
		c.wmu.Unlock()
		switch { // before done: whoever sees Done can find the reason logged
		case cause == nil:
			c.log.Debug("session closed")
		case errors.Is(cause, ErrMalformed):
			c.log.Error("session closed", "reason", cause)
		case errors.Is(cause, io.EOF):
			c.log.Info("session closed", "reason", cause)
		default:
			c.log.Warn("session closed", "reason", cause)
		}
		close(c.done)
		c.cancel()
		_ = c.nc.Close()
		for _, f := range c.onClose {
			f()
		}
	})
}

// Done is closed when the connection has closed; Err then tells why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is nil while the connection is open; afterwards it wraps ErrClosed and
// the cause (ErrMalformed, ErrTimeout for missed heartbeats, ErrIdle, an I/O
// error, the Start context's error …).
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// SetValue / Value keep the protocol's per-connection state (e.g. the
// logged-in account on a server connection).
func (c *Conn) SetValue(v any) {
	c.mu.Lock()
	c.value = v
	c.mu.Unlock()
}

// Value returns what SetValue stored.
func (c *Conn) Value() any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value
}

// Stats is a snapshot of this connection.
func (c *Conn) Stats() Stats {
	s := Stats{
		InFlight: len(c.slots),
		Window:   cap(c.slots),
		Sent:     c.sent.Load(),
		Timeouts: c.timeouts.Load(),
		Resends:  c.resends.Load(),
	}
	if err := c.Err(); err != nil {
		s.LastError = err.Error()
	} else {
		s.Connected = 1
	}
	return s
}

// accepting reports whether a new Call could be taken now.
func (c *Conn) accepting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closing && !c.dead
}

// enter counts one unit of work Close must wait for; false once closing.
func (c *Conn) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing || c.dead {
		return false
	}
	c.active++
	return true
}

// busy reports whether requests are outstanding either way.
func (c *Conn) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active > 0
}

func (c *Conn) leave() {
	c.mu.Lock()
	c.active--
	if c.active == 0 && c.closing {
		select {
		case <-c.drained:
		default:
			close(c.drained)
		}
	}
	c.mu.Unlock()
}

func (c *Conn) since() int64 { return int64(time.Since(c.t0)) }

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}
