package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"hongyan/internal/sms"
)

// server is what a protocol's server offers the simulator core.
type server interface {
	Serve(ln net.Listener) error
	Close(ctx context.Context) error
}

// core is the life of a simulated operator, the same for every protocol:
// listen and serve, stop gracefully (Close) or at once (Kill), listen
// again (Restart), and the lifetime of its pending status reports. Each
// protocol's simulator embeds one and adds the adapter: building its
// server, answering submits, delivering reports and MO.
type core[S server] struct {
	*behaviour
	name string // "smgp": in errors and logs
	log  *slog.Logger
	// start builds the server for a Listen; it runs with mu held.
	start func() S
	// detach, when set, runs with mu held when the simulator stops and
	// returns the closing of whatever else start opened (SGIP's connection
	// back to the SP).
	detach func() func(context.Context) error

	mu   sync.Mutex
	srv  S
	up   bool // srv is serving
	ln   net.Listener
	addr string          // of the last Listen, for Restart
	ctx  context.Context // reports' lifetime: until Close (a Kill keeps them)
	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newCore[S server](name string, cfg Config, log *slog.Logger) *core[S] {
	return &core[S]{behaviour: newBehaviour(cfg), name: name, log: log}
}

// Listen starts serving on addr ("127.0.0.1:0" picks a port); Addr tells
// which.
func (c *core[S]) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim %s: listen %s: %w", c.name, addr, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ln, c.addr = ln, ln.Addr().String()
	if c.ctx == nil || c.ctx.Err() != nil {
		c.ctx, c.stop = context.WithCancel(context.Background())
	}
	c.down.Store(false)
	srv := c.start()
	c.srv, c.up = srv, true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := srv.Serve(ln); err != nil {
			c.log.Error("sim "+c.name+": serve", "err", err)
		}
	}()
	return nil
}

// Addr is the listening address.
func (c *core[S]) Addr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ln == nil {
		return ""
	}
	return c.ln.Addr().String()
}

// takeServer stops serving: it returns the server, whether one was up,
// the reports' cancel and the closing of what else was open.
func (c *core[S]) takeServer() (srv S, up bool, stop context.CancelFunc, closeMore func(context.Context) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	srv, up, stop = c.srv, c.up, c.stop
	var zero S
	c.srv, c.up, c.ln = zero, false, nil
	if c.detach != nil {
		closeMore = c.detach()
	}
	return srv, up, stop, closeMore
}

// Close stops the simulator with the protocol's goodbye to each client and
// drops the status reports not yet delivered; Listen may start it again.
func (c *core[S]) Close(ctx context.Context) error {
	srv, up, stop, closeMore := c.takeServer()
	if stop != nil {
		stop()
	}
	if !up {
		return nil
	}
	err := srv.Close(ctx)
	if closeMore != nil {
		err = errors.Join(err, closeMore(ctx))
	}
	c.wg.Wait()
	return err
}

// Kill stops the simulator at once, as a crashed gateway: the listener and
// every connection close without the protocol's goodbye, and submits being
// handled get no response. Status reports already due are kept and
// delivered once it is back (Restart).
func (c *core[S]) Kill() {
	c.down.Store(true)
	srv, up, _, closeMore := c.takeServer()
	if !up {
		return
	}
	_ = srv.Close(killCtx())
	if closeMore != nil {
		_ = closeMore(killCtx())
	}
	c.wg.Wait()
}

// Restart listens again on the address of the last Listen.
func (c *core[S]) Restart() error {
	c.mu.Lock()
	addr := c.addr
	c.mu.Unlock()
	return c.Listen(addr)
}

// server returns the running server; ok is false while stopped.
func (c *core[S]) server() (srv S, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.srv, c.up
}

// reportCtx is the pending reports' lifetime (nil before the first Listen).
func (c *core[S]) reportCtx() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ctx
}

// deliverReport delivers one status report with keepTrying; when it
// cannot, it logs "sim <name>: <what> not delivered" with attrs and
// returns false.
func (c *core[S]) deliverReport(ctx context.Context, what string, try func(context.Context) bool, attrs ...any) bool {
	if c.keepTrying(ctx, try) {
		return true
	}
	c.log.Warn("sim "+c.name+": "+what+" not delivered", attrs...)
	return false
}

// answered words the outcome of one delivery (what: "stray report") as an
// error: the transport's failure, or the platform's refusal (refused
// describes it, "" when the platform took it).
func (c *core[S]) answered(what string, err error, refused string) error {
	if err != nil {
		return fmt.Errorf("sim %s: %s: %w", c.name, what, err)
	}
	if refused != "" {
		return fmt.Errorf("sim %s: platform answered a %s with %s", c.name, what, refused)
	}
	return nil
}

// sendMO delivers a user's message with the operator's signature, split
// with a UDH when long, one part per send; send returns the platform's
// refusal in words ("" when it took the part). With gsm7, text that fits
// ASCII goes as GSM 7-bit (SMPP's default alphabet).
func (c *core[S]) sendMO(text string, gsm7 bool, send func(coding sms.Coding, p sms.Part) (refused string, err error)) error {
	text = c.moText(text)
	coding := sms.PickCoding(text)
	if gsm7 && coding == sms.ASCII {
		coding = sms.GSM7
	}
	parts, err := sms.Split(text, coding, uint8(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("sim %s: MO text: %w", c.name, err)
	}
	for _, p := range parts {
		refused, err := send(coding, p)
		if err != nil {
			return fmt.Errorf("sim %s: deliver MO: %w", c.name, err)
		}
		if refused != "" {
			return fmt.Errorf("sim %s: platform answered MO with %s", c.name, refused)
		}
	}
	c.stats.mo.Add(1)
	return nil
}

// beijing is the operators' clock: report dates and receive times are
// China time, whatever the host's zone.
var beijing = time.FixedZone("CST", 8*3600)

// beijingNow is the operator's clock.
func beijingNow() time.Time { return time.Now().In(beijing) }

// reportDate is the current YYMMDDHHMM in Beijing, for report dates.
func reportDate() string { return beijingNow().Format("0601021504") }

// pickConn is the connection to deliver to: the first of conns that may
// take deliveries and whose account is want (any when ""), else the last
// that may; the zero C when none may.
func pickConn[C any](conns []C, may func(C) bool, account func(C) string, want string) C {
	var last C
	for _, c := range conns {
		if !may(c) {
			continue
		}
		if want == "" || account(c) == want {
			return c
		}
		last = c
	}
	return last
}
