package cngp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ServerConfig describes the SMGW side (the simulator, and a CNGP service
// for enterprise clients).
type ServerConfig struct {
	Version Version // highest version supported, sent in Login_Resp; higher client versions get 22 [V20]
	Window  int     // outstanding Delivers per connection; overrides Session.Window when > 0
	Session session.Config
	Logger  *slog.Logger
	// LoginTimeout closes a connection that has not logged in by then, so
	// heartbeats alone cannot hold a socket open [30s].
	LoginTimeout time.Duration
	// Auth returns the shared secret for a ClientID; ok=false → status 21.
	// A nil Auth refuses everyone.
	Auth func(clientID string) (secret string, ok bool)
	// AuthStatus is how Status is hashed into the AuthenticatorServer we
	// send [AuthStatusByte].
	AuthStatus AuthStatus
	// OmitTLVs sends Submit_Resp without CongestionState and Deliver
	// without ProtocolID, like a peer that sends bare fixed bodies.
	OmitTLVs bool
}

// ServerHandler is the application behind a Server.
type ServerHandler interface {
	// Submit is called per Submit, off the read loop. A nil result leaves
	// the Submit unanswered (the client times out), e.g. to simulate loss.
	Submit(ctx context.Context, sc *ServerConn, s *Submit) *SubmitResp
	// Connected follows a successful Login, after Login_Resp is queued.
	Connected(sc *ServerConn)
	// Disconnected follows the close of a connection that had logged in.
	Disconnected(sc *ServerConn)
}

// Server accepts CNGP clients (SPs).
type Server struct {
	cfg ServerConfig
	h   ServerHandler
	log *slog.Logger
	ss  *session.Server
}

// ServerConn is one client connection on a Server.
type ServerConn struct {
	conn     *session.Conn
	omitTLVs bool

	login    link.Login
	clientID string // set before login becomes ready
	mode     LoginMode
	version  Version
}

// NewServer returns a Server; call Serve to accept.
func NewServer(cfg ServerConfig, h ServerHandler) *Server {
	if cfg.Version == 0 {
		cfg.Version = V20
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = 30 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, h: h, log: log.With("cngp_server", cfg.Version.String())}
	conn := cfg.Session
	if cfg.Window > 0 {
		conn.Window = cfg.Window
	}
	s.ss = session.NewServer(Protocol{}, conn, s.onConn, log)
	return s
}

// Serve accepts on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error { return s.ss.Serve(ln) }

// Close sends Exit to every logged-in client (bounded by link.CloseWait and
// ctx), then closes all connections gracefully.
func (s *Server) Close(ctx context.Context) error {
	link.GoodbyeAll(ctx, s.Conns(), (*ServerConn).exit)
	return s.ss.Close(ctx)
}

// Conns returns the logged-in connections.
func (s *Server) Conns() []*ServerConn { return link.Values(s.ss.Conns(), (*ServerConn).ready) }

func (s *Server) onConn(c *session.Conn) session.Handler {
	sc := &ServerConn{conn: c, omitTLVs: s.cfg.OmitTLVs}
	c.SetValue(sc)
	link.WatchLogin(c, &sc.login, s.cfg.LoginTimeout, s.log, "Login")
	return func(ctx context.Context, _ *session.Conn, f session.Frame) { s.handle(ctx, sc, f) }
}

func (s *Server) handle(ctx context.Context, sc *ServerConn, f session.Frame) {
	if f.Command == CmdLogin {
		s.login(sc, f)
		return
	}
	if !link.Gate(sc.conn, &sc.login, s.log, "Login", f.Command, CommandName) {
		return
	}
	switch f.Command {
	case CmdSubmit:
		s.submit(ctx, sc, f)
	case CmdExit:
		s.log.Info("client sent Exit", "remote", sc.remote(), "client_id", sc.clientID)
		link.ReplyAndClose(sc.conn, f, CmdExitResp, StatusOK, nil)
	default:
		// Forward comes from SMGWs, never from an SP; the prepaid commands
		// have no layout.
		refuseUnmodelled(sc.conn, s.log.With("remote", sc.remote()), f, sc.version)
	}
}

func (s *Server) submit(ctx context.Context, sc *ServerConn, f session.Frame) {
	if !sc.mode.CanSubmit() {
		s.log.Warn("Submit on a receive-only login refused", "remote", sc.remote(), "client_id", sc.clientID)
		reply(sc.conn, s.log, f, sc.submitResp(&SubmitResp{Status: StatusBadCommand}), sc.version)
		return
	}
	var m Submit
	if err := m.Unmarshal(f.Body, sc.version); err != nil {
		s.log.Warn("malformed Submit", "remote", sc.remote(), "client_id", sc.clientID, "seq", f.Seq.N, "err", err)
		reply(sc.conn, s.log, f, sc.submitResp(&SubmitResp{Status: StatusBadStructure}), sc.version)
		return
	}
	if r := s.h.Submit(ctx, sc, &m); r != nil {
		reply(sc.conn, s.log, f, sc.submitResp(r), sc.version)
	}
}

// submitResp adds the CongestionState TLV (0) the gateway implementations
// send, unless OmitTLVs or the handler set one.
func (sc *ServerConn) submitResp(r *SubmitResp) *SubmitResp {
	if sc.omitTLVs || r.TLVs.Has(TagCongestionState) {
		return r
	}
	cp := *r
	cp.TLVs = r.TLVs.WithDefault(TagCongestionState, 0)
	return &cp
}

// login authenticates a Login: status 10 for a body or LoginMode that does
// not parse, 21 for an unknown ClientID or a wrong authenticator, 22 for a
// version above ours; any refusal closes. Any version byte up to ours is
// served: the SP↔SMGW layouts do not differ, and SPs send 1, 0x10, 0x12
// or 0x20.
func (s *Server) login(sc *ServerConn, f session.Frame) {
	if !sc.login.Begin() {
		s.log.Warn("second Login on one connection, closing", "remote", sc.remote())
		link.CloseAsync(sc.conn)
		return
	}
	var req Login
	status, secret := StatusOK, ""
	mode, modeOK := LoginTransmit, false
	switch err := req.Unmarshal(f.Body, s.cfg.Version); {
	case err != nil:
		s.log.Warn("malformed Login", "remote", sc.remote(), "err", err)
		status = StatusBadStructure
	case req.Version > s.cfg.Version:
		status = StatusVersionTooHigh
	default:
		if mode, modeOK = LoginModeFromWire(req.LoginMode); !modeOK {
			status = StatusBadStructure
			break
		}
		var ok bool
		if s.cfg.Auth != nil {
			secret, ok = s.cfg.Auth(req.ClientID)
		}
		if !ok || !verifyAuthClient(req, secret) {
			status = StatusAuthFailed
		}
	}
	resp := &LoginResp{Status: status, Version: s.cfg.Version}
	if status != StatusOK {
		s.log.Warn("Login refused", "remote", sc.remote(), "client_id", req.ClientID,
			"version", req.Version.String(), "status", status, "reason", StatusText(status))
		body, _ := resp.Marshal(nil, s.cfg.Version)
		link.ReplyAndClose(sc.conn, f, CmdLoginResp, status, body)
		return
	}
	resp.AuthenticatorServer = AuthServer(status, req.AuthenticatorClient, secret, s.cfg.AuthStatus)
	sc.clientID, sc.mode, sc.version = req.ClientID, mode, req.Version
	body, _ := resp.Marshal(nil, sc.version)
	// Ready before the answer leaves: a client may send its first request
	// the moment it reads the answer, and that request must not find the
	// connection still logging in.
	sc.login.SetReady()
	if err := sc.conn.Reply(f, CmdLoginResp, StatusOK, body); err != nil {
		s.log.Warn("Login_Resp not sent", "remote", sc.remote(), "err", err)
		return
	}
	link.Connected(sc.conn, s.log, "client logged in",
		[]any{"client_id", sc.clientID, "mode", sc.mode.String(), "version", sc.version.String()},
		func() { s.h.Connected(sc) }, func() { s.h.Disconnected(sc) })
}

// verifyAuthClient accepts the raw-ClientID digest and the one over the
// 0x00-padded field, as wujunjenny/smgw does.
func verifyAuthClient(req Login, secret string) bool {
	return authEqual(req.AuthenticatorClient, AuthClient(req.ClientID, secret, req.TimeStamp)) ||
		authEqual(req.AuthenticatorClient, authClientPadded(req.ClientID, secret, req.TimeStamp))
}

// ClientID is the logged-in ClientID.
func (sc *ServerConn) ClientID() string { return sc.clientID }

// LoginMode is what the client logged in for.
func (sc *ServerConn) LoginMode() LoginMode { return sc.mode }

// Version is the version byte the client logged in with.
func (sc *ServerConn) Version() Version { return sc.version }

// RemoteAddr is the client's address.
func (sc *ServerConn) RemoteAddr() net.Addr { return sc.conn.RemoteAddr() }

// Done is closed when the connection has closed.
func (sc *ServerConn) Done() <-chan struct{} { return sc.conn.Done() }

// Deliver sends a Deliver (MO or, with d.Report set, a status report) and
// returns the client's Deliver_Resp. A ProtocolID TLV (0) is added when
// absent unless OmitTLVs (d is not modified). A send-only login takes none
// (ErrLoginMode).
func (sc *ServerConn) Deliver(ctx context.Context, d *Deliver) (*DeliverResp, error) {
	if !sc.mode.CanDeliver() {
		return nil, fmt.Errorf("cngp deliver to %s: %w (%s)", sc.clientID, ErrLoginMode, sc.mode)
	}
	if !sc.omitTLVs && !d.TLVs.Has(TagProtocolID) {
		cp := *d
		cp.TLVs = d.TLVs.WithDefault(TagProtocolID, 0)
		d = &cp
	}
	body, err := d.Marshal(nil, sc.version)
	if err != nil {
		return nil, err
	}
	f, err := sc.conn.Call(ctx, CmdDeliver, body)
	if err != nil {
		return nil, fmt.Errorf("cngp deliver to %s: %w", sc.clientID, err)
	}
	var r DeliverResp
	if err := expect(f, &r, sc.version); err != nil {
		return nil, fmt.Errorf("cngp deliver to %s: %w", sc.clientID, err)
	}
	return &r, nil
}

// Close sends Exit (bounded by ctx and link.CloseWait), then closes.
func (sc *ServerConn) Close(ctx context.Context) error {
	return link.CloseWithGoodbye(ctx, sc.conn, CmdExit)
}

func (sc *ServerConn) exit(ctx context.Context) error { return link.Goodbye(ctx, sc.conn, CmdExit) }

func (sc *ServerConn) ready() bool { return sc.login.Ready() }

func (sc *ServerConn) remote() string { return link.Remote(sc.conn) }
