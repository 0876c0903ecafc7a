package smgp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ServerConfig describes the SMGW side (the simulator, and the platform's
// own SMGP service for enterprise clients).
type ServerConfig struct {
	Version Version // highest version supported; lower client versions are served in their own layout [V30]
	Window  int     // outstanding Delivers per connection; overrides Session.Window when > 0
	Session session.Config
	Logger  *slog.Logger
	// LoginTimeout closes a connection that has not logged in by then, so
	// heartbeats alone cannot hold a socket open [30s].
	LoginTimeout time.Duration
	// Auth returns the shared secret for a ClientID; ok=false → status 21.
	// A nil Auth refuses everyone.
	Auth func(clientID string) (secret string, ok bool)
	// StatusWidth is how Status is hashed into the AuthenticatorServer we
	// send [StatusWidth4]; StatusWidth1 suits clients that verify the
	// 1-byte reading.
	StatusWidth StatusWidth
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

// QueryHandler may be implemented by a ServerHandler to answer Query;
// otherwise Query gets all-zero counts.
type QueryHandler interface {
	Query(ctx context.Context, sc *ServerConn, q *Query) *QueryResp
}

// Server accepts SMGP clients (SPs). Serve accepts on a listener until
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
	conn *session.Conn

	clientID string // set before login becomes ready
	mode     LoginMode
	version  Version
}

// NewServer returns a Server; call Serve to accept.
func NewServer(cfg ServerConfig, h ServerHandler) *Server {
	if cfg.Version == 0 {
		cfg.Version = V30
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = 30 * time.Second
	}
	if cfg.StatusWidth != StatusWidth1 {
		cfg.StatusWidth = StatusWidth4
	}
	log := link.Logger(cfg.Logger)
	s := &Server{cfg: cfg, h: h, log: log.With("smgp_server", cfg.Version.String())}
	s.Server = link.NewServer(Protocol{}, link.Window(cfg.Session, cfg.Window), link.ServerSpec[*ServerConn]{
		Login: CmdLogin, Goodbye: CmdExit, GoodbyeResp: CmdExitResp, LoginName: "Login", GoodbyeName: "Exit",
		LoginTimeout: cfg.LoginTimeout, Name: CommandName, Log: s.log,
		New: func(base *link.ServerConn, conn *session.Conn) *ServerConn {
			return &ServerConn{ServerConn: base, conn: conn}
		},
		Authenticate: s.login, Handle: s.handle,
	}, log)
	return s
}

func (s *Server) handle(ctx context.Context, sc *ServerConn, f session.Frame) {
	switch f.Command {
	case CmdSubmit:
		s.submit(ctx, sc, f)
	case CmdQuery:
		s.query(ctx, sc, f)
	default:
		s.log.Warn("unexpected request ignored", "remote", sc.remote(), "cmd", CommandName(f.Command), "seq", f.Seq.N)
	}
}

func (s *Server) submit(ctx context.Context, sc *ServerConn, f session.Frame) {
	if !sc.mode.CanSubmit() {
		s.log.Warn("Submit on a receive-only login refused", "remote", sc.remote(), "client_id", sc.clientID)
		reply(sc.conn, s.log, f, &SubmitResp{Status: StatusBadCommand}, sc.version)
		return
	}
	var m Submit
	if err := m.Unmarshal(f.Body, sc.version); err != nil {
		s.log.Warn("malformed Submit", "remote", sc.remote(), "client_id", sc.clientID, "seq", f.Seq.N, "err", err)
		reply(sc.conn, s.log, f, &SubmitResp{Status: StatusBadStructure}, sc.version)
		return
	}
	if r := s.h.Submit(ctx, sc, &m); r != nil {
		reply(sc.conn, s.log, f, r, sc.version)
	}
}

func (s *Server) query(ctx context.Context, sc *ServerConn, f session.Frame) {
	var q Query
	err := q.Unmarshal(f.Body, sc.version)
	r := &QueryResp{QueryTime: q.QueryTime, QueryType: q.QueryType, QueryCode: q.QueryCode}
	if err != nil {
		s.log.Warn("malformed Query", "remote", sc.remote(), "err", err)
	} else if qh, ok := s.h.(QueryHandler); ok {
		if r = qh.Query(ctx, sc, &q); r == nil {
			return
		}
	}
	reply(sc.conn, s.log, f, r, sc.version)
}

// login authenticates a Login: status 10 for a body or LoginMode that does
// not parse or a version below 1.3, 21 for an unknown ClientID or a wrong
// authenticator, 22 for a version above ours; any refusal closes.
func (s *Server) login(sc *ServerConn, f session.Frame) {
	var req Login
	status, secret := StatusOK, ""
	mode, modeOK := LoginTransmit, false
	switch err := req.Unmarshal(f.Body, s.cfg.Version); {
	case err != nil:
		s.log.Warn("malformed Login", "remote", sc.remote(), "err", err)
		status = StatusBadStructure
	case req.ClientVersion > s.cfg.Version:
		status = StatusVersionTooHigh
	case !req.ClientVersion.Known():
		status = StatusBadStructure
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
	resp := &LoginResp{Status: status, ServerVersion: s.cfg.Version}
	if status != StatusOK {
		body, _ := resp.Marshal(nil, s.cfg.Version)
		link.Refuse(sc.ServerConn, s.log, f, "Login refused", []any{"client_id", req.ClientID,
			"version", req.ClientVersion.String(), "status", status, "reason", StatusText(status)}, CmdLoginResp, 0, body)
		return
	}
	resp.AuthenticatorServer = AuthServer(status, req.AuthenticatorClient, secret, s.cfg.StatusWidth)
	sc.clientID, sc.mode, sc.version = req.ClientID, mode, req.ClientVersion
	body, _ := resp.Marshal(nil, sc.version)
	link.Admit(sc.ServerConn, s.log, f, link.Welcome{Resp: CmdLoginResp, Body: body, RespName: "Login_Resp",
		Msg: "client logged in", Attrs: []any{"client_id", sc.clientID, "mode", sc.mode.String(), "version", sc.version.String()},
		Connected: func() { s.h.Connected(sc) }, Disconnected: func() { s.h.Disconnected(sc) }})
}

// verifyAuthClient accepts the raw-ClientID digest and the one over the
// 0x00-padded field (they differ only for ids shorter than 8 bytes).
func verifyAuthClient(req Login, secret string) bool {
	return authEqual(req.AuthenticatorClient, AuthClient(req.ClientID, secret, req.TimeStamp)) ||
		authEqual(req.AuthenticatorClient, authClientPadded(req.ClientID, secret, req.TimeStamp))
}

// ClientID is the logged-in ClientID.
func (sc *ServerConn) ClientID() string { return sc.clientID }

// LoginMode is what the client logged in for.
func (sc *ServerConn) LoginMode() LoginMode { return sc.mode }

// Version is the client's version, which its PDUs are served in.
func (sc *ServerConn) Version() Version { return sc.version }

// Deliver sends a Deliver (MO or, with d.Report set, a status report) in
// the connection's version and returns the client's Deliver_Resp. A
// send-only login takes none (ErrLoginMode).
func (sc *ServerConn) Deliver(ctx context.Context, d *Deliver) (*DeliverResp, error) {
	if !sc.mode.CanDeliver() {
		return nil, fmt.Errorf("smgp deliver to %s: %w (%s)", sc.clientID, ErrLoginMode, sc.mode)
	}
	var r DeliverResp
	if err := link.Call(ctx, sc.conn.Call, d, sc.version,
		func(f session.Frame) error { return expect(f, &r, sc.version) },
		func(err error) error { return fmt.Errorf("smgp deliver to %s: %w", sc.clientID, err) }); err != nil {
		return nil, err
	}
	return &r, nil
}

func (sc *ServerConn) remote() string { return link.Remote(sc.conn) }
