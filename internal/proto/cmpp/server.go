package cmpp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
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

// Server accepts CMPP clients (SPs).
type Server struct {
	cfg ServerConfig
	h   ServerHandler
	log *slog.Logger
	ss  *session.Server
}

// ServerConn is one client connection on a Server.
type ServerConn struct {
	conn *session.Conn

	login      link.Login
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
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, h: h, log: log.With("cmpp_server", cfg.Version.String())}
	conn := cfg.Session
	if cfg.Window > 0 {
		conn.Window = cfg.Window
	}
	// Framing uses the highest version's (largest) PDU limit.
	s.ss = session.NewServer(NewProtocol(cfg.Version), conn, s.onConn, log)
	return s
}

// Serve accepts on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error { return s.ss.Serve(ln) }

// Close sends TERMINATE to every logged-in client (bounded by
// link.CloseWait and ctx), then closes all connections gracefully.
func (s *Server) Close(ctx context.Context) error {
	link.GoodbyeAll(ctx, s.Conns(), (*ServerConn).terminate)
	return s.ss.Close(ctx)
}

// Conns returns the logged-in connections.
func (s *Server) Conns() []*ServerConn { return link.Values(s.ss.Conns(), (*ServerConn).ready) }

func (s *Server) onConn(c *session.Conn) session.Handler {
	sc := &ServerConn{conn: c}
	c.SetValue(sc)
	link.WatchLogin(c, &sc.login, s.cfg.LoginTimeout, s.log, "CONNECT")
	return func(ctx context.Context, _ *session.Conn, f session.Frame) { s.handle(ctx, sc, f) }
}

func (s *Server) handle(ctx context.Context, sc *ServerConn, f session.Frame) {
	if f.Command == CmdConnect {
		s.connect(sc, f)
		return
	}
	if !link.Gate(sc.conn, &sc.login, s.log, "CONNECT", f.Command, CommandName) {
		return
	}
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
	case CmdTerminate:
		s.log.Info("client sent TERMINATE", "remote", sc.remote(), "source_addr", sc.sourceAddr)
		link.ReplyAndClose(sc.conn, f, CmdTerminateResp, 0, nil)
	default:
		s.log.Warn("unexpected request ignored", "remote", sc.remote(), "cmd", CommandName(f.Command), "seq", f.Seq.N)
	}
}

// connect authenticates a CMPP_CONNECT (spec §8.4.1): status 2 unknown
// source, 3 bad authenticator, 4 version too high; any refusal closes.
func (s *Server) connect(sc *ServerConn, f session.Frame) {
	if !sc.login.Begin() {
		s.log.Warn("second CONNECT on one connection, closing", "remote", sc.remote())
		link.CloseAsync(sc.conn)
		return
	}
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
		s.log.Warn("CONNECT refused", "remote", sc.remote(), "source_addr", req.SourceAddr,
			"version", req.Version.String(), "status", status, "reason", ConnectStatusText(status))
		body, _ := resp.Marshal(nil, layout)
		link.ReplyAndClose(sc.conn, f, CmdConnectResp, 0, body)
		return
	}
	resp.AuthenticatorISMG = AuthISMG(status, req.AuthenticatorSource, secret, req.Version)
	sc.sourceAddr, sc.version = req.SourceAddr, req.Version
	body, _ := resp.Marshal(nil, req.Version)
	// Ready before the answer leaves: a client may send its first request
	// the moment it reads the answer, and that request must not find the
	// connection still logging in.
	sc.login.SetReady()
	if err := sc.conn.Reply(f, CmdConnectResp, 0, body); err != nil {
		s.log.Warn("CONNECT_RESP not sent", "remote", sc.remote(), "err", err)
		return
	}
	link.Connected(sc.conn, s.log, "client connected",
		[]any{"source_addr", sc.sourceAddr, "version", sc.version.String()},
		func() { s.h.Connected(sc) }, func() { s.h.Disconnected(sc) })
}

// SourceAddr is the logged-in SP_Id.
func (sc *ServerConn) SourceAddr() string { return sc.sourceAddr }

// Version is the negotiated version: the client's, at most the server's.
func (sc *ServerConn) Version() Version { return sc.version }

// RemoteAddr is the client's address.
func (sc *ServerConn) RemoteAddr() net.Addr { return sc.conn.RemoteAddr() }

// Done is closed when the connection has closed.
func (sc *ServerConn) Done() <-chan struct{} { return sc.conn.Done() }

// Deliver sends a DELIVER (MO or, with d.Report set, a status report) in
// the connection's version and returns the client's DELIVER_RESP.
func (sc *ServerConn) Deliver(ctx context.Context, d *Deliver) (*DeliverResp, error) {
	body, err := d.Marshal(nil, sc.version)
	if err != nil {
		return nil, err
	}
	f, err := sc.conn.Call(ctx, CmdDeliver, body)
	if err != nil {
		return nil, fmt.Errorf("cmpp deliver to %s: %w", sc.sourceAddr, err)
	}
	var r DeliverResp
	if err := expect(f, CmdDeliverResp, &r, sc.version); err != nil {
		return nil, fmt.Errorf("cmpp deliver to %s: %w", sc.sourceAddr, err)
	}
	return &r, nil
}

// Close sends TERMINATE (bounded by ctx and link.CloseWait), then closes.
func (sc *ServerConn) Close(ctx context.Context) error {
	return link.CloseWithGoodbye(ctx, sc.conn, CmdTerminate)
}

func (sc *ServerConn) terminate(ctx context.Context) error {
	return link.Goodbye(ctx, sc.conn, CmdTerminate)
}

func (sc *ServerConn) ready() bool { return sc.login.Ready() }

func (sc *ServerConn) remote() string { return link.Remote(sc.conn) }
