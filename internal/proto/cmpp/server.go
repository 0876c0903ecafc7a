package cmpp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ServerConfig describes the ISMG side (the simulator, and the platform's
// own CMPP service for enterprise clients).
type ServerConfig struct {
	Version Version // highest version supported; lower client versions are served in their own layout
	Window  int     // outstanding DELIVERs per connection; overrides Session.Window when > 0
	Session session.Config
	Logger  *slog.Logger
	// LoginTimeout closes a connection that has not logged in by then, so
	// heartbeats alone cannot hold a socket open [30s].
	LoginTimeout time.Duration
	// Auth returns the shared secret for a Source_Addr; ok=false → status 2
	// (illegal source address). A nil Auth refuses everyone.
	Auth func(sourceAddr string) (secret string, ok bool)
}

// ServerHandler is the application behind a Server.
type ServerHandler interface {
	// Submit is called per SUBMIT, off the read loop. A nil result leaves
	// the SUBMIT unanswered (the client times out), e.g. to simulate loss.
	Submit(ctx context.Context, sc *ServerConn, s *Submit) *SubmitResp
	// Connected follows a successful CONNECT, after CONNECT_RESP is queued.
	Connected(sc *ServerConn)
	// Disconnected follows the close of a connection that had logged in.
	Disconnected(sc *ServerConn)
}

// QueryHandler may be implemented by a ServerHandler to answer CMPP_QUERY;
// otherwise QUERY gets all-zero counts.
type QueryHandler interface {
	Query(ctx context.Context, sc *ServerConn, q *Query) *QueryResp
}

// CancelHandler may be implemented by a ServerHandler to answer
// CMPP_CANCEL; otherwise CANCEL fails (Success_Id 1).
type CancelHandler interface {
	Cancel(ctx context.Context, sc *ServerConn, c *Cancel) *CancelResp
}

// Server accepts CMPP clients (SPs). Serve accepts on a listener until
// Close, which sends TERMINATE to every logged-in client (bounded by
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

	sourceAddr string // set before login becomes ready
	version    Version
}

// NewServer returns a Server; call Serve to accept.
func NewServer(cfg ServerConfig, h ServerHandler) *Server {
	if cfg.Version == 0 {
		cfg.Version = V30
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = 30 * time.Second
	}
	log := link.Logger(cfg.Logger)
	s := &Server{cfg: cfg, h: h, log: log.With("cmpp_server", cfg.Version.String())}
	// Framing uses the highest version's (largest) PDU limit.
	s.Server = link.NewServer(NewProtocol(cfg.Version), link.Window(cfg.Session, cfg.Window), link.ServerSpec[*ServerConn]{
		Login: CmdConnect, Goodbye: CmdTerminate, GoodbyeResp: CmdTerminateResp, LoginName: "CONNECT", GoodbyeName: "TERMINATE",
		LoginTimeout: cfg.LoginTimeout, Name: CommandName, Log: s.log,
		New: func(base *link.ServerConn, conn *session.Conn) *ServerConn {
			return &ServerConn{ServerConn: base, conn: conn}
		},
		Authenticate: s.connect, Handle: s.handle,
	}, log)
	return s
}

func (s *Server) handle(ctx context.Context, sc *ServerConn, f session.Frame) {
	v := sc.version
	switch f.Command {
	case CmdSubmit:
		var m Submit
		if err := m.Unmarshal(f.Body, v); err != nil {
			s.log.Warn("malformed SUBMIT", "remote", sc.remote(), "source_addr", sc.sourceAddr, "seq", f.Seq.N, "err", err)
			reply(sc.conn, s.log, f, &SubmitResp{MsgID: peekMsgID(f.Body), Result: SubmitBadStructure}, v)
			return
		}
		if r := s.h.Submit(ctx, sc, &m); r != nil {
			reply(sc.conn, s.log, f, r, v)
		}
	case CmdQuery:
		var q Query
		err := q.Unmarshal(f.Body, v)
		r := &QueryResp{Time: q.Time, QueryType: q.QueryType, QueryCode: q.QueryCode}
		if err != nil {
			s.log.Warn("malformed QUERY", "remote", sc.remote(), "err", err)
		} else if qh, ok := s.h.(QueryHandler); ok {
			if r = qh.Query(ctx, sc, &q); r == nil {
				return
			}
		}
		reply(sc.conn, s.log, f, r, v)
	case CmdCancel:
		var k Cancel
		r := &CancelResp{SuccessID: 1}
		if err := k.Unmarshal(f.Body, v); err != nil {
			s.log.Warn("malformed CANCEL", "remote", sc.remote(), "err", err)
		} else if ch, ok := s.h.(CancelHandler); ok {
			if r = ch.Cancel(ctx, sc, &k); r == nil {
				return
			}
		}
		reply(sc.conn, s.log, f, r, v)
	default:
		s.log.Warn("unexpected request ignored", "remote", sc.remote(), "cmd", CommandName(f.Command), "seq", f.Seq.N)
	}
}

// connect authenticates a CMPP_CONNECT (spec §8.4.1): status 2 unknown
// source, 3 bad authenticator, 4 version too high; any refusal closes.
func (s *Server) connect(sc *ServerConn, f session.Frame) {
	var req Connect
	status, secret := ConnectOK, ""
	layout := s.cfg.Version // what the refusal is encoded in when we cannot trust the client's
	switch err := req.Unmarshal(f.Body, s.cfg.Version); {
	case err != nil:
		s.log.Warn("malformed CONNECT", "remote", sc.remote(), "err", err)
		status = ConnectBadStructure
	case req.Version > s.cfg.Version:
		status = ConnectVersionTooHigh
	case req.Version < V20:
		status = ConnectOther // not a CMPP version we know a layout for
	default:
		layout = req.Version
		var ok bool
		if s.cfg.Auth != nil {
			secret, ok = s.cfg.Auth(req.SourceAddr)
		}
		switch {
		case !ok:
			status = ConnectBadSourceAddr
		case !authEqual(req.AuthenticatorSource, AuthSource(req.SourceAddr, secret, req.Timestamp)):
			status = ConnectAuthFailed
		}
	}
	resp := &ConnectResp{Status: status, Version: s.cfg.Version}
	if status != ConnectOK {
		body, _ := resp.Marshal(nil, layout)
		link.Refuse(sc.ServerConn, s.log, f, "CONNECT refused", []any{"source_addr", req.SourceAddr,
			"version", req.Version.String(), "status", status, "reason", ConnectStatusText(status)}, CmdConnectResp, 0, body)
		return
	}
	resp.AuthenticatorISMG = AuthISMG(status, req.AuthenticatorSource, secret, req.Version)
	sc.sourceAddr, sc.version = req.SourceAddr, req.Version
	body, _ := resp.Marshal(nil, req.Version)
	link.Admit(sc.ServerConn, s.log, f, link.Welcome{Resp: CmdConnectResp, Body: body, RespName: "CONNECT_RESP",
		Msg: "client connected", Attrs: []any{"source_addr", sc.sourceAddr, "version", sc.version.String()},
		Connected: func() { s.h.Connected(sc) }, Disconnected: func() { s.h.Disconnected(sc) }})
}

// SourceAddr is the logged-in SP_Id.
func (sc *ServerConn) SourceAddr() string { return sc.sourceAddr }

// Version is the negotiated version: the client's, at most the server's.
func (sc *ServerConn) Version() Version { return sc.version }

// Deliver sends a DELIVER (MO or, with d.Report set, a status report) in
// the connection's version and returns the client's DELIVER_RESP.
func (sc *ServerConn) Deliver(ctx context.Context, d *Deliver) (*DeliverResp, error) {
	var r DeliverResp
	if err := link.Call(ctx, sc.conn.Call, d, sc.version,
		func(f session.Frame) error { return expect(f, CmdDeliverResp, &r, sc.version) },
		func(err error) error { return fmt.Errorf("cmpp deliver to %s: %w", sc.sourceAddr, err) }); err != nil {
		return nil, err
	}
	return &r, nil
}

func (sc *ServerConn) remote() string { return link.Remote(sc.conn) }
