package link

import (
	"context"
	"log/slog"
	"net"
	"time"

	"hongyan/internal/session"
)

// ServerConn is what a server-side connection of CMPP, SMGP and CNGP keeps
// alike: the connection, its login state and, once logged in, the
// account's log attributes. Embedded in a protocol's ServerConn, it gives
// it RemoteAddr, Done and Close.
type ServerConn struct {
	conn    *session.Conn
	login   Login
	goodbye uint32
	account []any // ("source_addr", id): set before the login is ready
	self    any   // the protocol's connection
}

// RemoteAddr is the client's address.
func (c *ServerConn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Done is closed when the connection has closed.
func (c *ServerConn) Done() <-chan struct{} { return c.conn.Done() }

// Close sends the protocol's goodbye (TERMINATE, Exit), bounded by ctx and
// CloseWait, then closes the connection gracefully.
func (c *ServerConn) Close(ctx context.Context) error {
	return CloseWithGoodbye(ctx, c.conn, c.goodbye)
}

// ServerSpec is what a protocol tells Server about its login and goodbye
// and how it serves a connection of type C (its *ServerConn).
type ServerSpec[C any] struct {
	Login, Goodbye, GoodbyeResp uint32 // command ids
	LoginName, GoodbyeName      string // in logs: "CONNECT", "TERMINATE"
	LoginTimeout                time.Duration
	Name                        func(uint32) string // command names for logs
	Log                         *slog.Logger        // the server's logger

	// New wraps a new connection.
	New func(base *ServerConn, conn *session.Conn) C
	// Authenticate answers the connection's login request with Refuse or
	// Admit. It sees only the first: a second one closes the connection.
	Authenticate func(c C, f session.Frame)
	// Handle serves any other request of a logged-in connection, its
	// goodbye excepted (answered and closed here).
	Handle func(ctx context.Context, c C, f session.Frame)
}

// Server is the server side CMPP, SMGP and CNGP share: it accepts,
// closes connections that do not log in within LoginTimeout or send a
// request before their login, answers the goodbye, and says goodbye to
// every client on Close. Embedded in a protocol's Server, it gives it
// Serve, Close and Conns.
type Server[C any] struct {
	spec ServerSpec[C]
	ss   *session.Server
}

// NewServer returns a Server framing with p and tuning each connection
// with cfg; log is the engine's logger.
func NewServer[C any](p session.Protocol, cfg session.Config, spec ServerSpec[C], log *slog.Logger) *Server[C] {
	s := &Server[C]{spec: spec}
	s.ss = session.NewServer(p, cfg, s.onConn, log)
	return s
}

// Serve accepts on ln until Close; it returns nil after Close.
func (s *Server[C]) Serve(ln net.Listener) error { return s.ss.Serve(ln) }

// Close sends the goodbye (TERMINATE, Exit) to every logged-in client
// (bounded by CloseWait and ctx), then closes all connections gracefully.
func (s *Server[C]) Close(ctx context.Context) error {
	GoodbyeAll(ctx, s.ready(), func(c *ServerConn, ctx context.Context) error {
		return Goodbye(ctx, c.conn, s.spec.Goodbye)
	})
	return s.ss.Close(ctx)
}

// Conns returns the logged-in connections.
func (s *Server[C]) Conns() []C {
	var out []C
	for _, c := range s.ready() {
		out = append(out, c.self.(C))
	}
	return out
}

func (s *Server[C]) ready() []*ServerConn {
	return Values(s.ss.Conns(), func(c *ServerConn) bool { return c.login.Ready() })
}

func (s *Server[C]) onConn(conn *session.Conn) session.Handler {
	base := &ServerConn{conn: conn, goodbye: s.spec.Goodbye}
	c := s.spec.New(base, conn)
	base.self = c
	conn.SetValue(base)
	WatchLogin(conn, &base.login, s.spec.LoginTimeout, s.spec.Log, s.spec.LoginName)
	return func(ctx context.Context, _ *session.Conn, f session.Frame) { s.handle(ctx, base, c, f) }
}

func (s *Server[C]) handle(ctx context.Context, base *ServerConn, c C, f session.Frame) {
	log := s.spec.Log
	switch {
	case f.Command == s.spec.Login:
		if !base.login.Begin() {
			log.Warn("second "+s.spec.LoginName+" on one connection, closing", "remote", Remote(base.conn))
			CloseAsync(base.conn)
			return
		}
		s.spec.Authenticate(c, f)
	case !Gate(base.conn, &base.login, log, s.spec.LoginName, f.Command, s.spec.Name):
	case f.Command == s.spec.Goodbye:
		log.Info("client sent "+s.spec.GoodbyeName, append([]any{"remote", Remote(base.conn)}, base.account...)...)
		ReplyAndClose(base.conn, f, s.spec.GoodbyeResp, 0, nil)
	default:
		s.spec.Handle(ctx, c, f)
	}
}

// Refuse answers the login request f with the refusal resp (status in
// the header where it has one, body), logs msg with attrs after "remote",
// and closes the connection.
func Refuse(c *ServerConn, log *slog.Logger, f session.Frame, msg string, attrs []any, resp, status uint32, body []byte) {
	log.Warn(msg, append([]any{"remote", Remote(c.conn)}, attrs...)...)
	ReplyAndClose(c.conn, f, resp, status, body)
}

// Welcome is the answer to an accepted login and what follows it.
type Welcome struct {
	Resp     uint32 // the login response's id, status 0 in the header
	Body     []byte
	RespName string // names it when it cannot be sent: "CONNECT_RESP"
	Msg      string // the login's log message: "client connected"
	// Attrs are logged after "remote"; the first two name the account
	// ("source_addr", id) in later logs.
	Attrs                   []any
	Connected, Disconnected func()
}

// Admit accepts the login f asked for: c is ready before the answer is
// queued (a client may send its first request the moment it reads the
// answer, and that request must not find the connection still logging
// in), then the login is logged and w.Connected runs; w.Disconnected runs
// once the connection has closed.
func Admit(c *ServerConn, log *slog.Logger, f session.Frame, w Welcome) {
	c.account = w.Attrs[:2]
	c.login.SetReady()
	if err := c.conn.Reply(f, w.Resp, 0, w.Body); err != nil {
		log.Warn(w.RespName+" not sent", "remote", Remote(c.conn), "err", err)
		return
	}
	Connected(c.conn, log, w.Msg, w.Attrs, w.Connected, w.Disconnected)
}
