package smgp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ClientConfig describes one SP account at an SMGW.
type ClientConfig struct {
	Name       string    // gateway name, for logs and metrics
	Addr       string    // SMGW host:port (8890)
	ClientID   string    // Login ClientID, ≤ 8 bytes
	Secret     string    // shared secret
	Version    Version   // [V30]
	LoginMode  LoginMode // [LoginTransmit]
	Conns      int       // connections kept open [1]
	Window     int       // outstanding requests per connection; overrides Session.Window when > 0 [16]
	TPS        float64   // requests/s across all connections; 0 = unlimited
	Burst      int       // requests the TPS bucket may release at once [1]
	Session    session.Config
	BackoffMin time.Duration
	BackoffMax time.Duration
	Logger     *slog.Logger

	// InsecureSkipAuthServer accepts a Login_Resp whose AuthenticatorServer
	// verifies under none of the known readings. Only for SMGWs known to
	// fill it wrongly (or not at all).
	InsecureSkipAuthServer bool
}

// DeliverHandler is called (off the read loop) for each Deliver, MO or
// report; the returned status (0 = OK) goes back in Deliver_Resp. Return
// non-zero only when the message could not be stored, so the SMGW resends.
type DeliverHandler func(ctx context.Context, d *Deliver) uint32

// Client is the SP side: a pool of logged-in connections to one SMGW
// account. Start connects and keeps the pool up until Close or its ctx
// ends; WaitReady blocks until a connection is logged in; Close sends Exit
// on each connection after in-flight requests finish.
type Client struct {
	link.Pool
	cfg  ClientConfig
	h    DeliverHandler
	log  *slog.Logger
	send link.Caller
}

// Errors of the client side.
var (
	// ErrAuthServer: AuthenticatorServer did not verify; the peer does not
	// know our secret (or computes the digest in a way we do not know).
	ErrAuthServer = errors.New("smgp: AuthenticatorServer mismatch")
	// ErrLoginMode: the request is not allowed by the session's LoginMode.
	ErrLoginMode = errors.New("smgp: not allowed by login mode")
)

// NewClient returns a Client; call Start to connect. A nil h answers every
// Deliver with status 0 and drops it.
func NewClient(cfg ClientConfig, h DeliverHandler) *Client {
	if cfg.Version == 0 {
		cfg.Version = V30
	}
	log := link.Logger(cfg.Logger)
	c := &Client{cfg: cfg, h: h, log: log.With("gateway", cfg.Name, "smgp", cfg.Version.String())}
	c.Pool, c.send = link.NewPool(Protocol{}, link.PoolConfig{Name: cfg.Name, Addr: cfg.Addr, Conns: cfg.Conns,
		Window: cfg.Window, TPS: cfg.TPS, Burst: cfg.Burst, Session: cfg.Session,
		BackoffMin: cfg.BackoffMin, BackoffMax: cfg.BackoffMax}, c.login, c.logout, c.handle, log)
	return c
}

// Version is the configured protocol version.
func (c *Client) Version() Version { return c.cfg.Version }

// Submit sends one Submit and returns the SMGW's answer. s is not
// modified: a zero MsgType becomes 6 (MT) in a copy, since an SP never
// submits MO. Transport failures are errors; a non-zero Status is not.
func (c *Client) Submit(ctx context.Context, s *Submit) (*SubmitResp, error) {
	if !c.cfg.LoginMode.CanSubmit() {
		return nil, fmt.Errorf("smgp %s submit: %w (%s)", c.cfg.Name, ErrLoginMode, c.cfg.LoginMode)
	}
	m := s
	if s.MsgType == MsgTypeMO {
		cp := *s
		cp.MsgType = MsgTypeMT
		m = &cp
	}
	var r SubmitResp
	if err := c.call(ctx, m, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Query asks the SMGW for one day's traffic counts.
func (c *Client) Query(ctx context.Context, q *Query) (*QueryResp, error) {
	var r QueryResp
	if err := c.call(ctx, q, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// call sends req on the pool and decodes the answer into resp.
func (c *Client) call(ctx context.Context, req, resp PDU) error {
	return link.Call(ctx, c.send, req, c.cfg.Version,
		func(f session.Frame) error { return expect(f, resp, c.cfg.Version) },
		func(err error) error {
			return fmt.Errorf("smgp %s %s: %w", c.cfg.Name, CommandName(req.CommandID()), err)
		})
}

// expect decodes a response frame into p after checking its command id.
func expect(f session.Frame, p PDU, v Version) error {
	if f.Command != p.CommandID() {
		return fmt.Errorf("got %s, want %s: %w", CommandName(f.Command), CommandName(p.CommandID()), session.ErrMalformed)
	}
	return p.Unmarshal(f.Body, v)
}

// login runs Login on a new connection.
func (c *Client) login(ctx context.Context, conn *session.Conn) error {
	v := c.cfg.Version
	req := NewLogin(c.cfg.ClientID, c.cfg.Secret, c.cfg.LoginMode, v, time.Now())
	var resp LoginResp
	l := link.ClientLogin[Version]{Op: "smgp login", Request: req, Version: v,
		Decode:  func(f session.Frame) (uint32, error) { err := expect(f, &resp, v); return resp.Status, err },
		Refused: func(status uint32) error { return &StatusError{Op: "login", Status: status} },
		Verify: func(session.Frame) bool {
			return VerifyAuthServer(resp.AuthenticatorServer, resp.Status, req.AuthenticatorClient, c.cfg.Secret)
		},
		ErrAuth: ErrAuthServer, SkipAuth: c.cfg.InsecureSkipAuthServer,
		SkipWarn: "AuthenticatorServer mismatch ignored (InsecureSkipAuthServer)"}
	if err := l.Run(ctx, conn, c.log); err != nil {
		return err
	}
	if resp.ServerVersion.layout() < c.cfg.Version.layout() {
		// It accepted our version although it says it speaks an older one:
		// keep ours, since it accepted it, and say so.
		c.log.Warn("SMGW reports a lower version than ours", "smgw", resp.ServerVersion.String())
	}
	c.log.Info("smgp logged in", "remote", conn.RemoteAddr().String(), "mode", c.cfg.LoginMode.String(),
		"smgw_version", resp.ServerVersion.String())
	return nil
}

// logout sends Exit; the SMGW closing right after its answer is fine.
func (c *Client) logout(ctx context.Context, conn *session.Conn) error {
	return link.Logout(ctx, conn, CmdExit, CmdExitResp, "smgp exit", CommandName)
}

// handle serves the SMGW's requests: Deliver and Exit.
func (c *Client) handle(ctx context.Context, conn *session.Conn, f session.Frame) {
	switch f.Command {
	case CmdDeliver:
		c.deliver(ctx, conn, f)
	case CmdExit:
		c.log.Info("SMGW sent Exit", "remote", conn.RemoteAddr().String())
		link.ReplyAndClose(conn, f, CmdExitResp, 0, nil)
	default:
		// SMGP has no generic NACK; the peer's own timeout handles it.
		c.log.Warn("unexpected request from SMGW ignored", "cmd", CommandName(f.Command), "seq", f.Seq.N)
	}
}

func (c *Client) deliver(ctx context.Context, conn *session.Conn, f session.Frame) {
	var d Deliver
	resp := DeliverResp{}
	if err := d.Unmarshal(f.Body, c.cfg.Version); err != nil {
		// Structure error: answer 10 so the SMGW knows it was not taken.
		c.log.Warn("malformed Deliver", "seq", f.Seq.N, "err", err)
		resp.MsgID, resp.Status = peekMsgID(f.Body), StatusBadStructure
	} else {
		resp.MsgID = d.MsgID
		if c.h != nil {
			resp.Status = c.h(ctx, &d)
		}
	}
	reply(conn, c.log, f, &resp, c.cfg.Version)
}

// reply encodes p and answers req; failures only mean the link is gone.
func reply(conn *session.Conn, log *slog.Logger, req session.Frame, p PDU, v Version) {
	link.Reply(conn, log, req, p, v, 0, CommandName)
}
