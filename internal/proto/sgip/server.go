package sgip

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ServerConfig describes a listening side: the SP's Receiver or the SMG
// (the simulator).
type ServerConfig struct {
	// Auth checks a Bind's credentials and the peer's address (for the
	// source-IP check operators agree on). false → Result 1 and close. A nil
	// Auth refuses everyone.
	Auth func(loginName, password string, remote net.Addr) bool
	// Window bounds the peer's requests handled at once (4 × Window, as
	// many again queued); overrides Session.Window when > 0 [16].
	Window int
	// Session tunes each connection. Session.IdleHeartbeat is the idle
	// close: SGIP has no heartbeat, so a connection without traffic for
	// that long is closed (spec §3.7.2: 60 s) [60s].
	Session session.Config
	Logger  *slog.Logger
}

// ReceiverHandler is the SP's application behind a Receiver: what the SMG
// sends on the connection it opens to the SP. Each call runs off the read
// loop; the result (ResultOK or a Result* code) goes back in the response.
// Return non-zero only when the item could not be stored, so the SMG
// resends it.
type ReceiverHandler interface {
	Deliver(ctx context.Context, sc *ServerConn, d *Deliver) uint8
	Report(ctx context.Context, sc *ServerConn, r *Report) uint8
}

// UserRptHandler may be implemented by a ReceiverHandler to see UserRpt;
// otherwise each is logged and answered ResultOK.
type UserRptHandler interface {
	UserRpt(ctx context.Context, sc *ServerConn, u *UserRpt) uint8
}

// SMGHandler is the SMG's application behind an SMG server: the SP's
// Submits. A nil response leaves the Submit unanswered (the SP times out),
// e.g. to simulate loss.
type SMGHandler interface {
	Submit(ctx context.Context, sc *ServerConn, s *Submit) *SubmitResp
}

// TraceHandler may be implemented by an SMGHandler to answer Trace;
// otherwise Trace gets a response with no nodes.
type TraceHandler interface {
	Trace(ctx context.Context, sc *ServerConn, t *Trace) *TraceResp
}

// BindObserver may be implemented by either handler to follow sessions:
// Bound after a successful Bind (its response queued), Unbound after such a
// connection closes.
type BindObserver interface {
	Bound(sc *ServerConn)
	Unbound(sc *ServerConn)
}

// Server accepts SGIP connections in one role: an SP's Receiver (the SMG
// binds with LoginSMGToSP and sends Deliver, Report, UserRpt) or an SMG
// (SPs bind with LoginSPToSMG, or LoginTraceTest, and send Submit, Trace).
type Server struct {
	cfg    ServerConfig
	logins []uint8 // LoginTypes accepted
	recv   ReceiverHandler
	smg    SMGHandler
	obs    BindObserver
	dedup  *dedup
	log    *slog.Logger
	ss     *session.Server
}

// ServerConn is one bound peer connection on a Server.
type ServerConn struct {
	conn      *session.Conn
	state     atomic.Int32 // connNew → connBinding → connBound
	loginName string       // set before state becomes connBound
	loginType uint8
}

const (
	connNew int32 = iota
	connBinding
	connBound
)

// defaultServerIdle is the spec's idle close (§3.7.2).
const defaultServerIdle = 60 * time.Second

// NewReceiver returns the SP's listener for the SMG's connections; call
// Serve to accept.
func NewReceiver(cfg ServerConfig, h ReceiverHandler) *Server {
	s := newServer(cfg, "receiver", []uint8{LoginSMGToSP})
	s.recv = h
	s.obs, _ = h.(BindObserver)
	return s
}

// NewSMGServer returns an SMG's listener for SP connections (the
// simulator); call Serve to accept.
func NewSMGServer(cfg ServerConfig, h SMGHandler) *Server {
	s := newServer(cfg, "smg", []uint8{LoginSPToSMG, LoginTraceTest})
	s.smg = h
	s.obs, _ = h.(BindObserver)
	return s
}

func newServer(cfg ServerConfig, role string, logins []uint8) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, logins: logins, dedup: newDedup(), log: log.With("sgip_server", role)}
	conn := cfg.Session
	if cfg.Window > 0 {
		conn.Window = cfg.Window
	}
	if conn.IdleHeartbeat <= 0 {
		conn.IdleHeartbeat = defaultServerIdle
	}
	// The server sends no requests of its own, so node id 0 never shows.
	s.ss = session.NewServer(NewProtocol(NewSequencer(0)), conn, s.onConn, log)
	return s
}

// Serve accepts on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error { return s.ss.Serve(ln) }

// Close stops accepting and closes every connection once its in-flight
// requests are answered (until ctx ends). SGIP's Unbind belongs to the side
// that opened the connection, so the server sends none.
func (s *Server) Close(ctx context.Context) error { return s.ss.Close(ctx) }

// Conns returns the bound connections.
func (s *Server) Conns() []*ServerConn {
	var out []*ServerConn
	for _, c := range s.ss.Conns() {
		if sc, ok := c.Value().(*ServerConn); ok && sc.state.Load() == connBound {
			out = append(out, sc)
		}
	}
	return out
}

func (s *Server) onConn(c *session.Conn) session.Handler {
	sc := &ServerConn{conn: c}
	c.SetValue(sc)
	return func(ctx context.Context, _ *session.Conn, f session.Frame) { s.handle(ctx, sc, f) }
}

// bind authenticates a Bind (spec §4.2.3.1, §5.2): Result 2 for a second
// Bind (the session stays), 5 for a body we cannot read, 4 for a LoginType
// this role does not serve, 1 for refused credentials or address; every
// refusal but 2 closes the connection.
func (s *Server) bind(sc *ServerConn, f session.Frame) {
	if !sc.state.CompareAndSwap(connNew, connBinding) {
		s.log.Warn("second Bind on one connection refused", "remote", sc.remote(), "login_name", sc.loginName)
		reply(sc.conn, s.log, f, &BindResp{Result: ResultRepeatedLogin})
		return
	}
	var req Bind
	result := ResultOK
	switch err := req.Unmarshal(f.Body); {
	case err != nil:
		s.log.Warn("malformed Bind", "remote", sc.remote(), "err", err)
		result = ResultBadParameter
	case !s.accepts(req.LoginType):
		result = ResultBadLoginType
	case s.cfg.Auth == nil || !s.cfg.Auth(req.LoginName, req.LoginPassword, sc.conn.RemoteAddr()):
		result = ResultIllegalLogin
	}
	if result != ResultOK {
		s.log.Warn("Bind refused", "remote", sc.remote(), "login_name", req.LoginName,
			"login_type", req.LoginType, "result", result, "reason", ResultText(result))
		body, _ := (&BindResp{Result: result}).Marshal(nil, Standard)
		link.ReplyAndClose(sc.conn, f, CmdBindResp, 0, body)
		return
	}
	sc.loginName, sc.loginType = req.LoginName, req.LoginType
	// Bound before the answer is queued: a peer that sends right after
	// Bind_Resp must find the session open.
	sc.state.Store(connBound)
	if !reply(sc.conn, s.log, f, &BindResp{}) {
		return
	}
	s.log.Info("peer bound", "remote", sc.remote(), "login_name", sc.loginName, "login_type", sc.loginType)
	if s.obs != nil {
		s.obs.Bound(sc)
	}
	go func() {
		<-sc.conn.Done()
		s.log.Info("peer disconnected", "remote", sc.remote(), "login_name", sc.loginName, "reason", sc.conn.Err())
		if s.obs != nil {
			s.obs.Unbound(sc)
		}
	}()
}

func (s *Server) accepts(loginType uint8) bool {
	for _, t := range s.logins {
		if t == loginType {
			return true
		}
	}
	return false
}

// LoginName is the peer's Bind LoginName.
func (sc *ServerConn) LoginName() string { return sc.loginName }

// LoginType is the peer's Bind LoginType.
func (sc *ServerConn) LoginType() uint8 { return sc.loginType }

// RemoteAddr is the peer's address.
func (sc *ServerConn) RemoteAddr() net.Addr { return sc.conn.RemoteAddr() }

// Done is closed when the connection has closed.
func (sc *ServerConn) Done() <-chan struct{} { return sc.conn.Done() }

// Close closes the connection once its in-flight requests are answered.
func (sc *ServerConn) Close(ctx context.Context) error { return sc.conn.Close(ctx) }

func (sc *ServerConn) bound() bool { return sc.state.Load() == connBound }

func (sc *ServerConn) remote() string { return link.Remote(sc.conn) }
