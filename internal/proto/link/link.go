// Package link is the session glue the protocol packages (cmpp, sgip,
// smgp, cngp, smpp) have in common on top of internal/session: sending a
// request from a pooled buffer, answering, saying goodbye and closing, a
// client's pool and its login exchange (client.go), and the server side
// of the protocols whose clients log in with one request and leave with
// another — login gate and timeout, refusal and admission, goodbye, Close
// and Conns (server.go). What each protocol says and when stays in its
// package: its PDUs, its authenticators, its status codes; link only
// holds the mechanics that were the same in each.
package link

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/session"
)

// CloseWait bounds a graceful close the protocol starts itself (after a
// peer's goodbye, a refused login, a login timeout), where no caller
// context exists.
const CloseWait = 5 * time.Second

// CloseAsync closes conn gracefully, within CloseWait, on a goroutine of
// its own: Close waits for running handlers, so it cannot run on a
// handler's goroutine.
func CloseAsync(conn *session.Conn) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), CloseWait)
		defer cancel()
		_ = conn.Close(ctx)
	}()
}

// ReplyAndClose answers req with cmd, status and body, then closes the
// connection gracefully (CloseAsync).
func ReplyAndClose(conn *session.Conn, req session.Frame, cmd, status uint32, body []byte) {
	_ = conn.Reply(req, cmd, status, body)
	CloseAsync(conn)
}

// Remote is the connection's remote address as text, "" when unknown.
func Remote(conn *session.Conn) string {
	if a := conn.RemoteAddr(); a != nil {
		return a.String()
	}
	return ""
}

// PDU is a body whose layout depends on a protocol version (or variant) V.
type PDU[V any] interface {
	CommandID() uint32
	Marshal(dst []byte, v V) ([]byte, error)
}

// Caller sends a request and waits for its response: a session.Client's or
// a session.Conn's Call.
type Caller func(ctx context.Context, cmd uint32, body []byte) (session.Frame, error)

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Call encodes req in v into a pooled buffer, sends it with call and
// hands the answer to decode. An encoding error comes back as it is (the
// request was not sent); a failed call or decode is passed through wrap,
// which names the request. The buffer is reused: the engine copies a body
// when it queues it.
func Call[V any](ctx context.Context, call Caller, req PDU[V], v V, decode func(session.Frame) error, wrap func(error) error) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	body, err := req.Marshal((*bp)[:0], v)
	if err != nil {
		return err
	}
	*bp = body // keep the grown buffer
	f, err := call(ctx, req.CommandID(), body)
	if err == nil {
		err = decode(f)
	}
	if err != nil {
		return wrap(err)
	}
	return nil
}

// Reply encodes p in v and answers req with it and status in the header.
// A failure only means the link is gone: it is logged, and false returned.
func Reply[V any](conn *session.Conn, log *slog.Logger, req session.Frame, p PDU[V], v V, status uint32, name func(uint32) string) bool {
	body, err := p.Marshal(nil, v)
	if err == nil {
		err = conn.Reply(req, p.CommandID(), status, body)
	}
	if err != nil {
		log.Warn("reply failed", "cmd", name(p.CommandID()), "seq", req.Seq.N, "err", err)
		return false
	}
	return true
}

// Logout sends the bodiless goodbye cmd (TERMINATE, Exit, Unbind) and
// checks that the answer is resp; a peer that closes the connection right
// after its answer is fine. op ("smgp exit") starts the errors.
func Logout(ctx context.Context, conn *session.Conn, cmd, resp uint32, op string, name func(uint32) string) error {
	f, err := conn.Call(ctx, cmd, nil)
	if err != nil {
		if errors.Is(err, session.ErrClosed) {
			return nil
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	if f.Command != resp {
		return fmt.Errorf("%s: got %s", op, name(f.Command))
	}
	return nil
}

// Goodbye sends the bodiless request cmd and waits for any answer.
func Goodbye(ctx context.Context, conn *session.Conn, cmd uint32) error {
	_, err := conn.Call(ctx, cmd, nil)
	return err
}

// CloseWithGoodbye sends the goodbye cmd (bounded by ctx and CloseWait),
// then closes conn gracefully within ctx.
func CloseWithGoodbye(ctx context.Context, conn *session.Conn, cmd uint32) error {
	tctx, cancel := context.WithTimeout(ctx, CloseWait)
	defer cancel()
	_ = Goodbye(tctx, conn, cmd)
	return conn.Close(ctx)
}

// GoodbyeAll runs bye (a goodbye request, as a method expression such as
// (*ServerConn).exit) on every conn at once, bounded by ctx and CloseWait,
// and waits for them all.
func GoodbyeAll[T any](ctx context.Context, conns []T, bye func(T, context.Context) error) {
	tctx, cancel := context.WithTimeout(ctx, CloseWait)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { _ = bye(c, tctx) })
	}
	wg.Wait()
}

// Login is the login state of a server-side connection: new, logging in
// (the one login request seen, not answered yet), then ready.
type Login struct{ state atomic.Int32 }

const (
	loginNew int32 = iota
	loginRunning
	loginReady
)

// Begin moves a new connection to logging in; false when a login was seen
// before on it.
func (l *Login) Begin() bool { return l.state.CompareAndSwap(loginNew, loginRunning) }

// Ready reports whether the login succeeded.
func (l *Login) Ready() bool { return l.state.Load() == loginReady }

// SetReady marks the login successful.
func (l *Login) SetReady() { l.state.Store(loginReady) }

// WatchLogin closes conn when it has not logged in after timeout, so
// heartbeats alone cannot hold a socket open. what names the login
// request in the log ("Login", "CONNECT").
func WatchLogin(conn *session.Conn, l *Login, timeout time.Duration, log *slog.Logger, what string) {
	time.AfterFunc(timeout, func() {
		if !l.Ready() && conn.Err() == nil {
			log.Warn("no "+what+" within login timeout, closing", "remote", Remote(conn), "timeout", timeout)
			CloseAsync(conn)
		}
	})
}

// Gate lets a request through once the connection has logged in; before,
// it logs, closes the connection and returns false. what names the login
// request; cmd is the request's id, named with name.
func Gate(conn *session.Conn, l *Login, log *slog.Logger, what string, cmd uint32, name func(uint32) string) bool {
	if l.Ready() {
		return true
	}
	log.Warn("request before "+what+", closing", "remote", Remote(conn), "cmd", name(cmd))
	CloseAsync(conn)
	return false
}

// Connected follows a successful login whose response is queued and whose
// Login is already SetReady (at once after the reply, so that the client's
// first request finds it ready): the login is logged with attrs (after
// "remote"), connected runs, and disconnected runs once the connection has
// closed, logged with the first two of attrs (the account). msg is the log
// message ("client logged in").
func Connected(conn *session.Conn, log *slog.Logger, msg string, attrs []any, connected, disconnected func()) {
	log.Info(msg, append([]any{"remote", Remote(conn)}, attrs...)...)
	connected()
	go func() {
		<-conn.Done()
		log.Info("client disconnected", "remote", Remote(conn), attrs[0], attrs[1], "reason", conn.Err())
		disconnected()
	}()
}

// Values returns the values (session.Conn.Value) of conns that are a T and
// pass keep, in order.
func Values[T any](conns []*session.Conn, keep func(T) bool) []T {
	var out []T
	for _, c := range conns {
		if v, ok := c.Value().(T); ok && keep(v) {
			out = append(out, v)
		}
	}
	return out
}
