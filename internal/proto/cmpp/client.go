package cmpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ClientConfig describes one SP account at an ISMG.
type ClientConfig struct {
	Name       string // gateway name, for logs and metrics
	Addr       string // ISMG host:port (7890 long connection)
	SourceAddr string // SP_Id (企业代码), 6 digits
	Secret     string // shared secret
	Version    Version
	Conns      int     // connections kept open [1]
	Window     int     // outstanding requests per connection; overrides Session.Window when > 0 [16]
	TPS        float64 // requests/s across all connections; 0 = unlimited
	Burst      int     // requests the TPS bucket may release at once [1]
	Session    session.Config
	BackoffMin time.Duration
	BackoffMax time.Duration
	Logger     *slog.Logger

	// InsecureSkipAuthISMG accepts a CONNECT_RESP whose AuthenticatorISMG
	// does not verify. Only for ISMGs known to fill it wrongly.
	InsecureSkipAuthISMG bool
}

// DeliverHandler is called (off the read loop) for each DELIVER (MO or
// report); the returned result (0 = OK) goes back in DELIVER_RESP. Return
// non-zero only when the message could not be stored, so the gateway
// resends it.
type DeliverHandler func(ctx context.Context, d *Deliver) uint32

// Client is the SP side: a pool of logged-in connections to one ISMG
// account. Start connects and keeps the pool up until Close or its ctx
// ends; WaitReady blocks until a connection is logged in; Close sends
// TERMINATE on each connection after in-flight requests finish.
type Client struct {
	link.Pool
	cfg  ClientConfig
	h    DeliverHandler
	log  *slog.Logger
	send link.Caller
}

// NewClient returns a Client; call Start to connect. A nil h answers every
// DELIVER with result 0 and drops it.
func NewClient(cfg ClientConfig, h DeliverHandler) *Client {
	if cfg.Version == 0 {
		cfg.Version = V30
	}
	log := link.Logger(cfg.Logger)
	c := &Client{cfg: cfg, h: h, log: log.With("gateway", cfg.Name, "cmpp", cfg.Version.String())}
	c.Pool, c.send = link.NewPool(NewProtocol(cfg.Version), link.PoolConfig{Name: cfg.Name, Addr: cfg.Addr, Conns: cfg.Conns,
		Window: cfg.Window, TPS: cfg.TPS, Burst: cfg.Burst, Session: cfg.Session,
		BackoffMin: cfg.BackoffMin, BackoffMax: cfg.BackoffMax}, c.login, c.logout, c.handle, log)
	return c
}

// Version is the configured protocol version.
func (c *Client) Version() Version { return c.cfg.Version }

// Submit sends one SUBMIT and returns the ISMG's answer. s is not modified:
// Msg_src defaults to SourceAddr and Pk_total/Pk_number to 1 in a copy.
// Transport failures are errors; a non-zero Result is not.
func (c *Client) Submit(ctx context.Context, s *Submit) (*SubmitResp, error) {
	m := *s
	if m.MsgSrc == "" {
		m.MsgSrc = c.cfg.SourceAddr
	}
	if m.PkTotal == 0 {
		m.PkTotal = 1
	}
	if m.PkNumber == 0 {
		m.PkNumber = 1
	}
	var r SubmitResp
	if err := c.call(ctx, &m, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Query asks the ISMG for one day's traffic counts (CMPP_QUERY).
func (c *Client) Query(ctx context.Context, q *Query) (*QueryResp, error) {
	var r QueryResp
	if err := c.call(ctx, q, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Cancel asks the ISMG to drop a message not yet delivered (CMPP_CANCEL);
// SuccessID 0 means cancelled.
func (c *Client) Cancel(ctx context.Context, msgID uint64) (*CancelResp, error) {
	var r CancelResp
	if err := c.call(ctx, &Cancel{MsgID: msgID}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// call sends req on the pool and decodes the answer into resp.
func (c *Client) call(ctx context.Context, req, resp PDU) error {
	return link.Call(ctx, c.send, req, c.cfg.Version,
		func(f session.Frame) error { return expect(f, resp.CommandID(), resp, c.cfg.Version) },
		func(err error) error {
			return fmt.Errorf("cmpp %s %s: %w", c.cfg.Name, CommandName(req.CommandID()), err)
		})
}

// expect decodes a response frame into p after checking its command id.
func expect(f session.Frame, cmd uint32, p PDU, v Version) error {
	if f.Command != cmd {
		return fmt.Errorf("got %s, want %s: %w", CommandName(f.Command), CommandName(cmd), session.ErrMalformed)
	}
	return p.Unmarshal(f.Body, v)
}

// ErrAuthISMG means the ISMG's AuthenticatorISMG did not verify: the peer
// does not know our secret (or computes the digest differently).
var ErrAuthISMG = errors.New("cmpp: AuthenticatorISMG mismatch")

// login runs CMPP_CONNECT on a new connection.
func (c *Client) login(ctx context.Context, conn *session.Conn) error {
	v := c.cfg.Version
	req := NewConnect(c.cfg.SourceAddr, c.cfg.Secret, v, time.Now())
	var resp ConnectResp
	l := link.ClientLogin[Version]{Op: "cmpp connect", Request: req, Version: v,
		Decode: func(f session.Frame) (uint32, error) {
			err := expect(f, CmdConnectResp, &resp, v)
			return resp.Status, err
		},
		Refused: func(status uint32) error { return &StatusError{Op: "connect", Status: status} },
		Verify:  func(f session.Frame) bool { return c.verifyISMG(&resp, req.AuthenticatorSource, f.Body) },
		ErrAuth: ErrAuthISMG, SkipAuth: c.cfg.InsecureSkipAuthISMG,
		SkipWarn: "AuthenticatorISMG mismatch ignored (InsecureSkipAuthISMG)"}
	if err := l.Run(ctx, conn, c.log); err != nil {
		return err
	}
	if resp.Version.layout() < c.cfg.Version.layout() {
		// The ISMG says it speaks only an older layout but accepted us:
		// keep ours, since it accepted it, and say so.
		c.log.Warn("ISMG reports a lower version than ours", "ismg", resp.Version.String())
	}
	c.log.Info("cmpp connected", "remote", conn.RemoteAddr().String(), "ismg_version", resp.Version.String())
	return nil
}

// verifyISMG checks AuthenticatorISMG over the status width actually on the
// wire, then the other width: sources disagree on which one 3.0 ISMGs hash.
func (c *Client) verifyISMG(resp *ConnectResp, authSource [16]byte, body []byte) bool {
	wire := connectRespLayout(body, c.cfg.Version)
	other := V30
	if wire.Is30() {
		other = V20
	}
	for _, v := range []Version{wire, other} {
		if authEqual(resp.AuthenticatorISMG, AuthISMG(resp.Status, authSource, c.cfg.Secret, v)) {
			return true
		}
	}
	return false
}

// logout sends TERMINATE; the ISMG closing right after its answer is fine.
func (c *Client) logout(ctx context.Context, conn *session.Conn) error {
	return link.Logout(ctx, conn, CmdTerminate, CmdTerminateResp, "cmpp terminate", CommandName)
}

// handle serves the ISMG's requests: DELIVER and TERMINATE.
func (c *Client) handle(ctx context.Context, conn *session.Conn, f session.Frame) {
	switch f.Command {
	case CmdDeliver:
		c.deliver(ctx, conn, f)
	case CmdTerminate:
		c.log.Info("ISMG sent TERMINATE", "remote", conn.RemoteAddr().String())
		link.ReplyAndClose(conn, f, CmdTerminateResp, 0, nil)
	default:
		// CMPP has no generic NACK; the peer's own timeout handles it.
		c.log.Warn("unexpected request from ISMG ignored", "cmd", CommandName(f.Command), "seq", f.Seq.N)
	}
}

func (c *Client) deliver(ctx context.Context, conn *session.Conn, f session.Frame) {
	v := c.cfg.Version
	var d Deliver
	resp := DeliverResp{}
	if err := d.Unmarshal(f.Body, v); err != nil {
		// Structure error: answer 1 so the ISMG knows it was not taken.
		c.log.Warn("malformed DELIVER", "seq", f.Seq.N, "err", err)
		resp.MsgID, resp.Result = peekMsgID(f.Body), DeliverBadStructure
	} else {
		resp.MsgID = d.MsgID
		if c.h != nil {
			resp.Result = c.h(ctx, &d)
		}
	}
	reply(conn, c.log, f, &resp, v)
}

// peekMsgID reads the Msg_Id that opens SUBMIT and DELIVER bodies, so even
// a refusal names the message.
func peekMsgID(b []byte) uint64 {
	d := rawDec(b, "msg_id")
	return d.U64("Msg_Id")
}

// reply encodes p and answers req; failures only mean the link is gone.
func reply(conn *session.Conn, log *slog.Logger, req session.Frame, p PDU, v Version) {
	link.Reply(conn, log, req, p, v, 0, CommandName)
}
