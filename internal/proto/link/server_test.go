package link

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"hongyan/internal/proto/wire"
	"hongyan/internal/session"
)

// A toy protocol for the glue's own tests: a 12-byte header, a one-byte
// login body ('k' is the right key) answered by a one-byte status, a
// submit echoed back, a bodiless goodbye and heartbeat.
const (
	cmdLogin, cmdSubmit, cmdBye, cmdHeartbeat uint32 = 1, 2, 3, 4
	respBit                                   uint32 = 0x80000000
)

type toy struct{}

var toyHeader = &wire.Header{Proto: "toy", LengthName: "Length", Command: func(c uint32) string { return fmt.Sprint(c) }}

func (toy) Name() string                                     { return "toy" }
func (toy) HeaderLen() int                                   { return 12 }
func (toy) MaxPDU() int                                      { return 256 }
func (toy) DecodeHeader(b []byte) (session.Header, error)    { return toyHeader.Decode(b, 256) }
func (toy) AppendHeader(dst []byte, h session.Header) []byte { return toyHeader.Append(dst, h) }
func (toy) IsResponse(cmd uint32) bool                       { return cmd&respBit != 0 }
func (toy) ResponseTo(cmd uint32) uint32                     { return cmd | respBit }
func (toy) NextSeq(n uint32) session.Seq                     { return session.Seq{N: n} }
func (toy) Heartbeat() (uint32, []byte, bool)                { return cmdHeartbeat, nil, true }
func (toy) HeartbeatReply(f session.Frame) (uint32, []byte, bool) {
	return cmdHeartbeat | respBit, nil, f.Command == cmdHeartbeat
}

type toyConn struct {
	*ServerConn
	conn *session.Conn
}

type events struct{ in, out chan *toyConn }

// send reports c on ch, dropping it when no one listens.
func (events) send(ch chan *toyConn, c *toyConn) {
	select {
	case ch <- c:
	default:
	}
}

func toyServer(t *testing.T, ev events) (*Server[*toyConn], string) {
	log := slog.New(slog.DiscardHandler)
	srv := NewServer(toy{}, Window(session.Config{RequestTimeout: time.Second}, 4), ServerSpec[*toyConn]{
		Login: cmdLogin, Goodbye: cmdBye, GoodbyeResp: cmdBye | respBit, LoginName: "LOGIN", GoodbyeName: "BYE",
		LoginTimeout: time.Second, Name: func(c uint32) string { return fmt.Sprint(c) }, Log: log,
		New: func(base *ServerConn, conn *session.Conn) *toyConn { return &toyConn{base, conn} },
		Authenticate: func(c *toyConn, f session.Frame) {
			if string(f.Body) != "k" {
				Refuse(c.ServerConn, log, f, "LOGIN refused", []any{"key", string(f.Body)}, cmdLogin|respBit, 0, []byte{1})
				return
			}
			Admit(c.ServerConn, log, f, Welcome{Resp: cmdLogin | respBit, Body: []byte{0}, RespName: "LOGIN_RESP",
				Msg: "client logged in", Attrs: []any{"key", "k"},
				Connected: func() { ev.send(ev.in, c) }, Disconnected: func() { ev.send(ev.out, c) }})
		},
		Handle: func(_ context.Context, c *toyConn, f session.Frame) {
			_ = c.conn.Reply(f, f.Command|respBit, 0, f.Body)
		},
	}, log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	return srv, ln.Addr().String()
}

// toyLogin is the client's login with key; verify judges the answer.
func toyLogin(key byte, verify func(session.Frame) bool, skip bool) func(context.Context, *session.Conn) error {
	return func(ctx context.Context, conn *session.Conn) error {
		l := &ClientLogin[int]{Op: "toy login", Request: body{cmdLogin}, Version: int(key),
			Decode: func(f session.Frame) (uint32, error) {
				if f.Command != cmdLogin|respBit || len(f.Body) != 1 {
					return 0, errors.New("bad answer")
				}
				return uint32(f.Body[0]), nil
			},
			Refused: func(s uint32) error { return fmt.Errorf("refused %d", s) },
			Verify:  verify, ErrAuth: errors.New("forged"), SkipAuth: skip, SkipWarn: "forged, ignored"}
		return l.Run(ctx, conn, slog.New(slog.DiscardHandler))
	}
}

func toyPool(addr string, login func(context.Context, *session.Conn) error) (Pool, Caller) {
	return NewPool(toy{}, PoolConfig{Name: "toy", Addr: addr, Window: 4, BackoffMin: 10 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
		Session: session.Config{RequestTimeout: time.Second}}, login,
		func(ctx context.Context, conn *session.Conn) error {
			return Logout(ctx, conn, cmdBye, cmdBye|respBit, "toy bye", func(c uint32) string { return fmt.Sprint(c) })
		},
		func(_ context.Context, conn *session.Conn, f session.Frame) {
			if f.Command == cmdBye {
				ReplyAndClose(conn, f, cmdBye|respBit, 0, nil)
			}
		}, slog.New(slog.DiscardHandler))
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(3 * time.Second):
		t.Fatal("timed out")
		panic("unreachable")
	}
}

// A pool logs in through ClientLogin, calls, and says goodbye on Close; the
// server admits, gates, answers and reports the connection's end.
func TestPoolAndServer(t *testing.T) {
	ev := events{make(chan *toyConn, 4), make(chan *toyConn, 4)}
	srv, addr := toyServer(t, ev)
	p, call := toyPool(addr, toyLogin('k', func(session.Frame) bool { return true }, false))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	p.Start(ctx)
	if err := p.WaitReady(ctx); err != nil {
		t.Fatal(err, p.Stats().LastError)
	}
	c := recv(t, ev.in)
	if conns := srv.Conns(); len(conns) != 1 || conns[0] != c || c.RemoteAddr() == nil {
		t.Fatalf("Conns() = %v", conns)
	}
	if f, err := call(ctx, cmdSubmit, []byte("hi")); err != nil || string(f.Body) != "hi" {
		t.Fatalf("%+v %v", f, err)
	}
	if st := p.Stats(); st.Connected != 1 || st.Window != 4 {
		t.Fatalf("stats %+v", st)
	}
	// The server's goodbye: answered; the pool comes back.
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	recv(t, ev.out)
	c2 := recv(t, ev.in)
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if recv(t, ev.out) != c2 {
		t.Fatal("wrong connection closed")
	}
}

// ClientLogin fails on a refusal and on a forged authenticator unless told
// to skip it; a server's gate closes requests before the login.
func TestClientLoginRefusals(t *testing.T) {
	ev := events{make(chan *toyConn, 4), make(chan *toyConn, 4)}
	_, addr := toyServer(t, ev)
	for _, tc := range []struct {
		name  string
		login func(context.Context, *session.Conn) error
		want  string
	}{
		{"wrong key", toyLogin('x', nil, false), "refused 1"},
		{"forged", toyLogin('k', func(session.Frame) bool { return false }, false), "toy login: forged"},
		{"encoding", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			login := tc.login
			if tc.want == "" { // a request that does not encode is not sent
				login = func(ctx context.Context, conn *session.Conn) error {
					l := &ClientLogin[int]{Op: "toy login", Request: body{cmdLogin}, Version: -1}
					if err := l.Run(ctx, conn, nil); err == nil || err.Error() != "bad layout" {
						t.Errorf("encoding error: %v", err)
					}
					return errors.New("encoding")
				}
				tc.want = "encoding"
			}
			p, _ := toyPool(addr, login)
			p.Start(context.Background())
			defer p.Close(context.Background())
			for deadline := time.Now().Add(3 * time.Second); !strings.Contains(p.Stats().LastError, tc.want); {
				if time.Now().After(deadline) {
					t.Fatalf("last error %q, want %q", p.Stats().LastError, tc.want)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if p.Stats().Connected != 0 {
				t.Fatal("logged in")
			}
		})
	}
	p, _ := toyPool(addr, toyLogin('k', func(session.Frame) bool { return false }, true))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	p.Start(ctx)
	if err := p.WaitReady(ctx); err != nil {
		t.Fatalf("skipped verification: %v", err)
	}
	_ = p.Close(ctx)

	// A request before the login, and a second login: the connection closes.
	for _, first := range []uint32{cmdSubmit, cmdLogin} {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		pdu := func(cmd uint32, body string) []byte {
			return append(toy{}.AppendHeader(nil, session.Header{Length: uint32(12 + len(body)), Command: cmd, Seq: session.Seq{N: 1}}), body...)
		}
		if first == cmdLogin {
			_, _ = nc.Write(pdu(cmdLogin, "k"))
		}
		_, _ = nc.Write(pdu(first, "k"))
		_ = nc.SetReadDeadline(time.Now().Add(3 * time.Second))
		buf := make([]byte, 64)
		for {
			if _, err := nc.Read(buf); err != nil {
				if errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "timeout") {
					t.Fatalf("cmd %d: not closed: %v", first, err)
				}
				break
			}
		}
		nc.Close()
	}
}

func TestDefaults(t *testing.T) {
	if Logger(nil) != slog.Default() {
		t.Fatal("nil logger")
	}
	if w := Window(session.Config{Window: 3}, 0).Window; w != 3 {
		t.Fatalf("window %d", w)
	}
}
