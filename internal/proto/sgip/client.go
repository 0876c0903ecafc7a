package sgip

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ClientConfig describes the side that opens connections: an SP binding to
// an SMG to submit (LoginSPToSMG, the default), or an SMG binding to an SP's
// Receiver to deliver MO and reports (LoginSMGToSP, see NewSMGClient).
type ClientConfig struct {
	Name          string // gateway name, for logs and metrics
	Addr          string // peer host:port (an SMG's is 8801)
	LoginName     string // 16, assigned by the peer
	LoginPassword string // 16, sent in clear text
	LoginType     uint8  // [LoginSPToSMG]
	// NodeID is the first word of every Sequence_Number we send: an SP's
	// 3AAAAQQQQQ (SPNodeID), an SMG's 1AAAAX. Assigned by the operator.
	NodeID     uint32
	Conns      int     // connections kept while busy [1]
	Window     int     // outstanding requests per connection; overrides Session.Window when > 0 [16]; the spec allows 32
	TPS        float64 // requests/s across all connections; 0 = unlimited
	Burst      int     // requests the TPS bucket may release at once [1]
	Session    session.Config
	BackoffMin time.Duration // reconnect back-off after failures [500ms]
	BackoffMax time.Duration // [30s]
	// IdleClose unbinds and closes the connections after this long without
	// a request; the next request reconnects (spec §3.7.2: the side with
	// something to send connects, a server drops connections idle for
	// 60 s). Just under the spec's 60 s so that we Unbind before the peer
	// drops us [55s].
	IdleClose time.Duration
	// LinkIDVariant sends Submit and Deliver with an 8-byte LinkID after
	// Reserve (doc.go). Only for SMGs whose interface document asks for it.
	LinkIDVariant bool
	Logger        *slog.Logger
}

// Client opens, binds and keeps connections to one peer account while
// there are requests to send, and closes them when idle.
type Client struct {
	cfg     ClientConfig
	proto   Protocol
	variant Variant
	sess    session.Config
	log     *slog.Logger

	mu      sync.Mutex
	ctx     context.Context // Start's: every connection's lifetime bound
	started bool
	cur     *generation   // taking requests; nil when idle-parked or closed
	gens    []*generation // not yet finished (cur and those closing)
	parked  bool          // cur retired for idleness: reopen on demand
	closed  bool
	gone    session.Stats // finished generations
	reopens int64
	wg      sync.WaitGroup
}

const defaultIdleClose = 55 * time.Second

// NewClient returns a Client; Start connects, or the first request does.
func NewClient(cfg ClientConfig) *Client {
	if cfg.LoginType == 0 {
		cfg.LoginType = LoginSPToSMG
	}
	if cfg.IdleClose <= 0 {
		cfg.IdleClose = defaultIdleClose
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	c := &Client{
		cfg:   cfg,
		proto: NewProtocol(NewSequencer(cfg.NodeID)),
		log:   log.With("gateway", cfg.Name, "sgip_login_type", cfg.LoginType),
		ctx:   context.Background(),
	}
	if cfg.LinkIDVariant {
		c.variant = LinkIDVariant
	}
	c.sess = cfg.Session
	if cfg.Window > 0 {
		c.sess.Window = cfg.Window
	}
	if c.sess.RequestTimeout <= 0 {
		c.sess.RequestTimeout = 30 * time.Second // spec §3.7.2
	}
	if c.sess.IdleHeartbeat <= 0 {
		// The engine's idle close (no Unbind) is only a backstop for one
		// quiet connection in a busy pool: IdleClose unbinds idle pools
		// first, with room to spare for a loaded scheduler.
		c.sess.IdleHeartbeat = max(2*cfg.IdleClose, cfg.IdleClose+5*time.Second)
	}
	return c
}

// NewSMGClient returns the SMG's Client that connects back to an SP's
// Receiver (LoginSMGToSP) to send Deliver, Report and UserRpt: the
// simulator's half of SGIP's two-direction model.
func NewSMGClient(cfg ClientConfig) *Client {
	cfg.LoginType = LoginSMGToSP
	return NewClient(cfg)
}

// Start connects now, so a wrong address or password shows at once, and
// bounds every connection's life by ctx. Without Start the first request
// connects.
func (c *Client) Start(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started || c.closed {
		return
	}
	c.started, c.ctx = true, ctx
	if c.cur == nil && ctx.Err() == nil {
		c.cur = c.spawnLocked()
	}
}

// WaitReady blocks until a connection is bound (connecting if the client
// is idle), or ctx ends (an error wrapping session.ErrNoSession).
func (c *Client) WaitReady(ctx context.Context) error {
	g, err := c.acquire()
	if err != nil {
		return err
	}
	defer c.release(g)
	return g.sc.WaitReady(ctx)
}

// NodeID is the node id stamped on our sequence numbers.
func (c *Client) NodeID() uint32 { return c.cfg.NodeID }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Submit sends one Submit and returns the SMG's answer with MsgID, the
// canonical form of the Submit's sequence number, which the Report for it
// carries (Report.MsgID). s is not modified: CorpID defaults to the QQQQQ
// of an SP node id in a copy. Transport failures are errors; a non-zero
// Result is not.
func (c *Client) Submit(ctx context.Context, s *Submit) (*SubmitResp, error) {
	m := *s
	if m.CorpID == "" {
		m.CorpID = CorpIDOf(c.cfg.NodeID)
	}
	var r SubmitResp
	f, err := c.call(ctx, &m, &r)
	if err != nil {
		return nil, err
	}
	r.Seq, r.MsgID = f.Seq, FormatSeq(f.Seq)
	return &r, nil
}

// Deliver sends an MO (SMG → SP).
func (c *Client) Deliver(ctx context.Context, d *Deliver) (*DeliverResp, error) {
	var r DeliverResp
	if _, err := c.call(ctx, d, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Report sends a delivery status (SMG → SP).
func (c *Client) Report(ctx context.Context, rp *Report) (*ReportResp, error) {
	var r ReportResp
	if _, err := c.call(ctx, rp, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// UserRpt sends a user state change (SMG → SP).
func (c *Client) UserRpt(ctx context.Context, u *UserRpt) (*UserRptResp, error) {
	var r UserRptResp
	if _, err := c.call(ctx, u, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Trace asks where an MT went; bind with LoginTraceTest on the SMG's test
// port. The answer may take minutes: give ctx and Session.RequestTimeout room.
func (c *Client) Trace(ctx context.Context, t *Trace) (*TraceResp, error) {
	var r TraceResp
	if _, err := c.call(ctx, t, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// call sends req and decodes the answer into resp; the frame is returned
// for its header.
func (c *Client) call(ctx context.Context, req, resp PDU) (session.Frame, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	body, err := req.Marshal((*bp)[:0], c.variant)
	if err != nil {
		return session.Frame{}, err
	}
	*bp = body // keep the grown buffer: the engine copies the body when queueing
	g, err := c.acquire()
	if err != nil {
		return session.Frame{}, err
	}
	f, err := g.sc.Call(ctx, req.CommandID(), body)
	c.release(g)
	if err == nil {
		err = expect(f, resp)
	}
	if err != nil {
		return f, fmt.Errorf("sgip %s %s: %w", c.cfg.Name, CommandName(req.CommandID()), err)
	}
	return f, nil
}

// expect decodes a response frame into p after checking its command id.
func expect(f session.Frame, p PDU) error {
	if f.Command != p.CommandID() {
		return fmt.Errorf("got %s, want %s: %w", CommandName(f.Command), CommandName(p.CommandID()), session.ErrMalformed)
	}
	return p.Unmarshal(f.Body)
}

// login binds a new connection.
func (c *Client) login(ctx context.Context, conn *session.Conn) error {
	var resp BindResp
	l := link.ClientLogin[Variant]{Op: "sgip bind", Version: Standard,
		Request: &Bind{LoginType: c.cfg.LoginType, LoginName: c.cfg.LoginName, LoginPassword: c.cfg.LoginPassword},
		Decode:  func(f session.Frame) (uint32, error) { err := expect(f, &resp); return uint32(resp.Result), err },
		Refused: func(result uint32) error { return &StatusError{Op: "bind", Result: uint8(result)} },
	}
	if err := l.Run(ctx, conn, c.log); err != nil {
		return err
	}
	c.log.Info("sgip bound", "remote", link.Remote(conn))
	return nil
}

// logout sends Unbind; a peer closing right after its answer is fine.
func (c *Client) logout(ctx context.Context, conn *session.Conn) error {
	return link.Logout(ctx, conn, CmdUnbind, CmdUnbindResp, "sgip unbind", CommandName)
}

// handle serves the peer's requests on our connections: only Unbind
// belongs here (the spec has the server answer, never ask); anything else
// is refused.
func (c *Client) handle(_ context.Context, conn *session.Conn, f session.Frame) {
	if f.Command == CmdUnbind {
		c.log.Info("peer sent Unbind", "remote", link.Remote(conn))
		link.ReplyAndClose(conn, f, CmdUnbindResp, 0, nil)
		return
	}
	refuse(conn, c.log, f)
}
