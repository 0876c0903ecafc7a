package cngp

import (
	"context"
	"fmt"
	"log/slog"
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

// Server accepts CNGP clients (SPs). Serve accepts on a listener until
// Close, which sends Exit to every logged-in client (bounded by
// link.CloseWait and its ctx) and then closes all connections gracefully;
// Conns returns the logged-in connections.
type Server struct {
	*link.Server[*ServerConn]
	cfg ServerConfig
	h   ServerHandler
	log *slog.Logger
}

// ServerConn is one client connection on a Server.
type ServerConn struct {
	*link.ServerConn
	conn     *session.Conn
	omitTLVs bool

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
	log := link.Logger(cfg.Logger)
	s := &Server{cfg: cfg, h: h, log: log.With("cngp_server", cfg.Version.String())}
	s.Server = link.NewServer(Protocol{}, link.Window(cfg.Session, cfg.Window), link.ServerSpec[*ServerConn]{
		Login: CmdLogin, Goodbye: CmdExit, GoodbyeResp: CmdExitResp, LoginName: "Login", GoodbyeName: "Exit",
		LoginTimeout: cfg.LoginTimeout, Name: CommandName, Log: s.log,
		New: func(base *link.ServerConn, conn *session.Conn) *ServerConn {
			return &ServerConn{ServerConn: base, conn: conn, omitTLVs: cfg.OmitTLVs}
		},
		Authenticate: s.login, Handle: s.handle,
	}, log)
	return s
}

func (s *Server) handle(ctx context.Context, sc *ServerConn, f session.Frame) {
	if f.Command == CmdSubmit {
		s.submit(ctx, sc, f)
		return
	}
	// Forward comes from SMGWs, never from an SP; the prepaid commands
	// have no layout.
	refuseUnmodelled(sc.conn, s.log.With("remote", sc.remote()), f, sc.version)
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
		body, _ := resp.Marshal(nil, s.cfg.Version)
		link.Refuse(sc.ServerConn, s.log, f, "Login refused", []any{"client_id", req.ClientID,
			"version", req.Version.String(), "status", status, "reason", StatusText(status)}, CmdLoginResp, status, body)
		return
	}
	resp.AuthenticatorServer = AuthServer(status, req.AuthenticatorClient, secret, s.cfg.AuthStatus)
	sc.clientID, sc.mode, sc.version = req.ClientID, mode, req.Version
	body, _ := resp.Marshal(nil, sc.version)
	link.Admit(sc.ServerConn, s.log, f, link.Welcome{Resp: CmdLoginResp, Body: body, RespName: "Login_Resp",
		Msg: "client logged in", Attrs: []any{"client_id", sc.clientID, "mode", sc.mode.String(), "version", sc.version.String()},
		Connected: func() { s.h.Connected(sc) }, Disconnected: func() { s.h.Disconnected(sc) }})
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
	var r DeliverResp
	if err := link.Call(ctx, sc.conn.Call, d, sc.version,
		func(f session.Frame) error { return expect(f, &r, sc.version) },
		func(err error) error { return fmt.Errorf("cngp deliver to %s: %w", sc.clientID, err) }); err != nil {
		return nil, err
	}
	return &r, nil
}

func (sc *ServerConn) remote() string { return link.Remote(sc.conn) }
