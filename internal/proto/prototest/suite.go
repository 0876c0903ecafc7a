package prototest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/session"
)

// The session suite: the scenarios every protocol whose client logs in,
// submits and takes Delivers (CMPP, SMGP, CNGP) must pass alike, written
// once and run against each through a small Adapter in the protocol's
// tests, the way internal/store/storetest runs one suite against SQLite
// and PostgreSQL. What only one protocol does (its byte vectors, interop
// with third-party libraries, its quirks) stays in its own tests.

// Pair is a (client, server) pair of protocol versions.
type Pair[V any] struct{ Client, Server V }

// Message is a protocol-neutral Submit or Deliver.
type Message struct {
	ID        string // a Deliver's id, a report's: the id of the MT it reports on
	Report    bool
	Delivered bool // a report's outcome
	From, To  string
	Text      string
}

// ServerOptions tune a test server; a protocol adds its test Auth (which
// knows Adapter.Account) and window 16.
type ServerOptions[V any] struct {
	Version      V
	Log          *slog.Logger
	Session      session.Config
	LoginTimeout time.Duration // 0: the protocol's default
	NoAuth       bool          // a nil Auth: everyone refused
}

// ClientOptions tune a test client.
type ClientOptions[V any] struct {
	Addr            string
	Version         V
	Account, Secret string
	Conns, Window   int
	Session         session.Config
	Backoff         time.Duration // BackoffMin; BackoffMax is 5×
	Log             *slog.Logger
	// Deliver, when set, handles each Deliver and returns its status.
	Deliver func(m Message) uint32
}

// TestServer is a protocol's server running on a loopback port until the
// test ends, with its handler's Recorder.
type TestServer[C any] struct {
	*Recorder[C]
	Addr  string
	Conns func() []C
	Close func(ctx context.Context) error
}

// Refusal is a login the server refuses; Want is in the client's
// Stats().LastError.
type Refusal[V any] struct {
	Name            string
	Client, Server  V
	Account, Secret string // "": the right ones
	NoAuth          bool
	Want            string
}

// Bad is a body that does not parse and its refusal.
type Bad struct {
	Body   []byte
	ID     string // the message id the refusal echoes; "" when not checked
	Status uint32
}

// Malformed is a protocol's own case of ServerMalformedPeer: Bytes sent
// (after a login when Login) close the connection, logging Log.
type Malformed struct {
	Name  string
	Login bool
	Bytes []byte
	Log   string
}

// ServerConn is what the suite needs of a protocol's server connection.
type ServerConn interface {
	comparable
	Close(ctx context.Context) error // goodbye, then close
}

// Adapter is one protocol as the session suite sees it. V is its version
// type, C its *ServerConn.
type Adapter[V comparable, C ServerConn] struct {
	Proto           func(v V) session.Protocol // framing of a server in v
	Pairs           []Pair[V]                  // the round trips run in these; Pairs[0] is the default
	Account, Secret string                     // what the test Auth accepts

	LoginCmd, SubmitCmd, DeliverCmd, GoodbyeCmd uint32
	// Names in logs: of the login request ("CONNECT": "malformed CONNECT",
	// "no CONNECT within login timeout"), of a Deliver ("DELIVER"), of the
	// length field in framing errors ("Total_Length"), and the server's
	// line for a client's goodbye ("client sent TERMINATE").
	LoginName, DeliverName, LengthName, GoodbyeLog string
	// OpenBeforeLogin: a request before the login is refused with a status
	// and the connection kept (SMPP), not closed.
	OpenBeforeLogin bool

	Refusals []Refusal[V]
	// ForgedAuth is the client's error for a server whose authenticator
	// does not verify ("AuthenticatorISMG mismatch"); "" when the login
	// has no authenticator of the server's.
	ForgedAuth string
	Malformed  []Malformed // beside the framing cases every protocol has
	BadSubmit  []Bad       // Submit bodies the server refuses, keeping the link
	BadDeliver Bad         // a Deliver body the client refuses
	// SubmitRefused is a Submit status (a refusal) the server may answer;
	// DeliverRefused one a client's handler may return.
	SubmitRefused, DeliverRefused uint32

	Server    func(t testing.TB, o ServerOptions[V]) TestServer[C]
	NewClient func(o ClientOptions[V]) Client // not started
	Submit    func(ctx context.Context, c Client, m Message) (id string, status uint32, err error)
	AccountOf func(sc C) string
	VersionOf func(sc C) V
	Deliver   func(ctx context.Context, sc C, m Message) (status uint32, err error)

	// RawLogin logs r in as a client in v, failing the test unless
	// accepted. RawAccept reads a client's login on r and accepts it with
	// a right authenticator, or a forged one; false when the read failed.
	RawLogin  func(r *Raw, v V)
	RawAccept func(r *Raw, forged bool) bool
	RawSubmit func(seq uint32, v V) []byte // a whole Submit PDU
	// Answer reads a Submit_Resp or Deliver_Resp (whole PDU): its status
	// and the message id it names.
	Answer func(b []byte, v V) (status uint32, id string)
	// ClientMalformedExtra, when set, runs in ClientMalformedPeer on the
	// raw server's connection after the malformed Deliver.
	ClientMalformedExtra func(t *testing.T, r *Raw, c Client)

	// Skip names the scenarios the protocol does not have, with why.
	Skip map[string]string
}

// RunSessionSuite runs every scenario against a, each as a subtest.
func RunSessionSuite[V comparable, C ServerConn](t *testing.T, a *Adapter[V, C]) {
	s := &suite[V, C]{a}
	for _, sc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"LoginOK", s.loginOK},
		{"LoginRefused", s.loginRefused},
		{"ForgedAuthenticator", s.forgedAuthenticator},
		{"DeliverMOAndReport", s.deliverMOAndReport},
		{"SubmitRefusedNotError", s.submitRefusedNotError},
		{"GoodbyeBothWays", s.goodbyeBothWays},
		{"ConcurrentSubmits", s.concurrentSubmits},
		{"WindowFull", s.windowFull},
		{"PeerClosesMidRequest", s.peerClosesMidRequest},
		{"ServerShutdown", s.serverShutdown},
		{"HeartbeatClientWire", s.heartbeatClientWire},
		{"HeartbeatServerWire", s.heartbeatServerWire},
		{"HeartbeatKeepsAndDrops", s.heartbeatKeepsAndDrops},
		{"ServerMalformedPeer", s.serverMalformedPeer},
		{"ServerMalformedSubmitBody", s.serverMalformedSubmitBody},
		{"ClientMalformedPeer", s.clientMalformedPeer},
		{"ServerLoginTimeout", s.serverLoginTimeout},
	} {
		run := sc.run
		if why, ok := a.Skip[sc.name]; ok {
			run = func(t *testing.T) { t.Skip(why) }
		}
		t.Run(sc.name, run)
	}
}

type suite[V comparable, C ServerConn] struct{ a *Adapter[V, C] }

func (s *suite[V, C]) v() V { return s.a.Pairs[0].Client }

func (s *suite[V, C]) server(t testing.TB, v V, log *slog.Logger) TestServer[C] {
	return s.a.Server(t, ServerOptions[V]{Version: v, Log: log, Session: session.Config{RequestTimeout: 2 * time.Second}})
}

func (s *suite[V, C]) clientOptions(addr string, v V) ClientOptions[V] {
	return ClientOptions[V]{Addr: addr, Version: v, Account: s.a.Account, Secret: s.a.Secret, Conns: 1, Window: 16,
		Session: session.Config{RequestTimeout: 2 * time.Second}, Backoff: 20 * time.Millisecond, Log: Quiet()}
}

// client starts a client with o until the test ends and waits until it is
// ready.
func (s *suite[V, C]) client(t testing.TB, o ClientOptions[V]) Client {
	t.Helper()
	c := Start(t, s.a.NewClient(o))
	WaitReady(t, c)
	return c
}

func (s *suite[V, C]) submit(t testing.TB, c Client, text string) string {
	t.Helper()
	id, status, err := s.a.Submit(Ctx(t), c, Message{To: "13800138000", Text: text})
	if err != nil || status != 0 {
		t.Fatalf("submit %q: status %d, %v", text, status, err)
	}
	return id
}

func (s *suite[V, C]) raw(t testing.TB, nc net.Conn, v V) *Raw {
	return &Raw{T: t, NC: nc, Proto: s.a.Proto(v), Goodbye: s.a.GoodbyeCmd}
}

// rawServer accepts clients on a loopback port, logs each in (with a
// forged authenticator when forged) and hands the connection to script.
func (s *suite[V, C]) rawServer(t testing.TB, forged bool, script func(r *Raw)) string {
	ln, addr := Listen(t)
	go Accept(ln, func(nc net.Conn) {
		r := s.raw(t, nc, s.v())
		if s.a.RawAccept(r, forged) {
			script(r)
		}
	})
	return addr
}

func (s *suite[V, C]) forPairs(t *testing.T, f func(t *testing.T, cv, sv V)) {
	ForPairs(t, s.a.Pairs, f)
}

// ForPairs runs f per version pair, as parallel subtests.
func ForPairs[V any](t *testing.T, pairs []Pair[V], f func(t *testing.T, cv, sv V)) {
	for _, p := range pairs {
		t.Run(fmt.Sprintf("client%v_server%v", p.Client, p.Server), func(t *testing.T) {
			t.Parallel()
			f(t, p.Client, p.Server)
		})
	}
}

// The client logs in; the server sees the account and the client's version.
func (s *suite[V, C]) loginOK(t *testing.T) {
	s.forPairs(t, func(t *testing.T, cv, sv V) {
		srv := s.server(t, sv, nil)
		c := s.client(t, s.clientOptions(srv.Addr, cv))
		sc := Recv(t, srv.Logins)
		if s.a.AccountOf(sc) != s.a.Account || s.a.VersionOf(sc) != cv {
			t.Fatalf("server sees %q %v", s.a.AccountOf(sc), s.a.VersionOf(sc))
		}
		if conns := srv.Conns(); len(conns) != 1 || conns[0] != sc {
			t.Fatalf("Conns() = %v", conns)
		}
		if st := c.Stats(); st.Connected != 1 || st.Window != 16 {
			t.Fatalf("stats %+v", st)
		}
	})
}

// Refused logins: the client reports the status meaning and never becomes
// ready; the server closes the connection and reports no login.
func (s *suite[V, C]) loginRefused(t *testing.T) {
	for _, tc := range s.a.Refusals {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			srv := s.a.Server(t, ServerOptions[V]{Version: tc.Server, Log: Quiet(), NoAuth: tc.NoAuth,
				Session: session.Config{RequestTimeout: 2 * time.Second}})
			o := s.clientOptions(srv.Addr, tc.Client)
			if tc.Account != "" {
				o.Account = tc.Account
			}
			if tc.Secret != "" {
				o.Secret = tc.Secret
			}
			c := Start(t, s.a.NewClient(o))
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if err := c.WaitReady(ctx); !errors.Is(err, session.ErrNoSession) {
				t.Fatalf("WaitReady = %v", err)
			}
			if got := c.Stats().LastError; !strings.Contains(got, tc.Want) {
				t.Fatalf("last error %q, want %q", got, tc.Want)
			}
			select {
			case <-srv.Logins:
				t.Fatal("server reported a refused login as connected")
			default:
			}
		})
	}
}

// The client refuses a server that cannot prove it knows the secret.
func (s *suite[V, C]) forgedAuthenticator(t *testing.T) {
	if s.a.ForgedAuth == "" {
		t.Skip("the server proves nothing at login")
	}
	addr := s.rawServer(t, true, func(r *Raw) { r.ServeBasic() })
	c := Start(t, s.a.NewClient(s.clientOptions(addr, s.v())))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := c.WaitReady(ctx); err == nil {
		t.Fatal("client accepted a forged authenticator")
	}
	if got := c.Stats().LastError; !strings.Contains(got, s.a.ForgedAuth) {
		t.Fatalf("last error %q, want %q", got, s.a.ForgedAuth)
	}
}

// The server pushes an MO and a status report for the client's Submit; the
// client's handler sees both, and its status travels back, a refusal too.
func (s *suite[V, C]) deliverMOAndReport(t *testing.T) {
	s.forPairs(t, func(t *testing.T, cv, sv V) {
		srv := s.server(t, sv, nil)
		got := make(chan Message, 4)
		o := s.clientOptions(srv.Addr, cv)
		o.Deliver = func(m Message) uint32 {
			got <- m
			if m.Text == "fail me" {
				return s.a.DeliverRefused
			}
			return 0
		}
		c := s.client(t, o)
		sc := Recv(t, srv.Logins)
		ctx := Ctx(t)

		mo := Message{From: "13800138000", To: "1065800012345", Text: "退订 谢谢"}
		if st, err := s.a.Deliver(ctx, sc, mo); err != nil || st != 0 {
			t.Fatalf("MO: status %d, %v", st, err)
		}
		if d := Recv(t, got); d.Report || d.Text != mo.Text || d.From != mo.From || d.To != mo.To {
			t.Fatalf("MO at client: %+v", d)
		}

		id := s.submit(t, c, "x")
		rpt := Message{ID: id, Report: true, Delivered: true, From: "13800138000", To: "1065800012345"}
		if st, err := s.a.Deliver(ctx, sc, rpt); err != nil || st != 0 {
			t.Fatalf("report: status %d, %v", st, err)
		}
		if d := Recv(t, got); !d.Report || d.ID != id || !d.Delivered {
			t.Fatalf("report at client: %+v, want id %s", d, id)
		}

		// A handler that could not store the message gets it resent later.
		if st, err := s.a.Deliver(ctx, sc, Message{From: "13800138000", Text: "fail me"}); err != nil || st != s.a.DeliverRefused {
			t.Fatalf("failing handler: status %d, %v", st, err)
		}
		Recv(t, got)
	})
}

// A refused Submit is a response with its status, not an error.
func (s *suite[V, C]) submitRefusedNotError(t *testing.T) {
	srv := s.server(t, s.v(), nil)
	c := s.client(t, s.clientOptions(srv.Addr, s.v()))
	srv.SetStatus(s.a.SubmitRefused)
	if _, st, err := s.a.Submit(Ctx(t), c, Message{To: "13800138000", Text: "x"}); err != nil || st != s.a.SubmitRefused {
		t.Fatalf("refused submit: status %d, %v", st, err)
	}
}

// The server's goodbye is answered and the client comes back; the client's
// Close says goodbye, and a Submit after it fails with ErrClosed.
func (s *suite[V, C]) goodbyeBothWays(t *testing.T) {
	s.forPairs(t, func(t *testing.T, cv, sv V) {
		var logs LogBuf
		srv := s.server(t, sv, logs.Logger())
		c := s.a.NewClient(s.clientOptions(srv.Addr, cv))
		c.Start(context.Background())
		WaitReady(t, c)
		sc := Recv(t, srv.Logins)

		if err := sc.Close(Ctx(t)); err != nil {
			t.Fatalf("server goodbye: %v", err)
		}
		if Recv(t, srv.Logouts) != sc {
			t.Fatal("wrong conn disconnected")
		}
		sc2 := Recv(t, srv.Logins) // the client came back
		WaitReady(t, c)
		if st := c.Stats(); st.Reconnects < 1 {
			t.Fatalf("stats %+v", st)
		}

		if err := c.Close(Ctx(t)); err != nil {
			t.Fatalf("client Close: %v", err)
		}
		if Recv(t, srv.Logouts) != sc2 {
			t.Fatal("wrong conn disconnected")
		}
		logs.WaitLog(t, s.a.GoodbyeLog)
		if _, _, err := s.a.Submit(Ctx(t), c, Message{To: "1", Text: "x"}); !errors.Is(err, session.ErrClosed) {
			t.Fatalf("submit after close: %v", err)
		}
	})
}

// Many concurrent submits over several connections all get answers.
func (s *suite[V, C]) concurrentSubmits(t *testing.T) {
	srv := s.server(t, s.v(), nil)
	o := s.clientOptions(srv.Addr, s.v())
	o.Conns = 3
	c := s.client(t, o)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			_, st, err := s.a.Submit(Ctx(t), c, Message{To: "13800138000", Text: fmt.Sprint(i)})
			if err == nil && st != 0 {
				err = fmt.Errorf("status %d", st)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := srv.Submits(); n != 200 {
		t.Fatalf("server saw %d", n)
	}
}

// A full window holds further submits until a response frees a slot: one
// whose context ends first fails without being sent.
func (s *suite[V, C]) windowFull(t *testing.T) {
	srv := s.server(t, s.v(), nil)
	o := s.clientOptions(srv.Addr, s.v())
	o.Window = 2
	c := s.client(t, o)
	release := srv.Hold()
	defer release()
	done := make(chan error, 2)
	for i := range 2 {
		go func() {
			_, _, err := s.a.Submit(Ctx(t), c, Message{To: "13800138000", Text: fmt.Sprint(i)})
			done <- err
		}()
	}
	deadline := time.Now().Add(Wait)
	for srv.Submits() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := c.Stats(); st.InFlight != 2 || st.Window != 2 {
		t.Fatalf("stats with the window full: %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := s.a.Submit(ctx, c, Message{To: "13800138000", Text: "third"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("submit on a full window: %v", err)
	}
	release()
	for range 2 {
		if err := Recv(t, done); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Submits(); n != 2 {
		t.Fatalf("server saw %d submits, want 2", n)
	}
	s.submit(t, c, "after")
}

// A server that closes the connection while a Submit waits for its answer:
// the Submit fails at once with ErrClosed (not after its timeout), and the
// client logs in again and carries on.
func (s *suite[V, C]) peerClosesMidRequest(t *testing.T) {
	conns := make(chan *Raw, 4)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	addr := s.rawServer(t, false, func(r *Raw) {
		conns <- r // the test drives it
		<-stop
	})
	c := s.client(t, s.clientOptions(addr, s.v()))
	r := Recv(t, conns)
	res := make(chan error, 1)
	start := time.Now()
	go func() {
		_, _, err := s.a.Submit(Ctx(t), c, Message{To: "13800138000", Text: "x"})
		res <- err
	}()
	h, _, err := r.Read()
	if err != nil || h.Command != s.a.SubmitCmd {
		t.Fatalf("%+v %v", h, err)
	}
	_ = r.NC.Close()
	if err := Recv(t, res); !errors.Is(err, session.ErrClosed) {
		t.Fatalf("submit on a closed link: %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("submit failed after %s", el)
	}
	r2 := Recv(t, conns) // the reconnect
	go r2.ServeBasic()
	WaitReady(t, c)
}

// Closing the server says goodbye to its logged-in clients, which answer,
// and reports their connections closed; the client cannot log in again.
func (s *suite[V, C]) serverShutdown(t *testing.T) {
	srv := s.server(t, s.v(), nil)
	c := s.client(t, s.clientOptions(srv.Addr, s.v()))
	sc := Recv(t, srv.Logins)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Close(ctx); err != nil {
		t.Fatalf("server Close: %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("server Close took %s", el)
	}
	if Recv(t, srv.Logouts) != sc {
		t.Fatal("wrong conn disconnected")
	}
	if n := len(srv.Conns()); n != 0 {
		t.Fatalf("%d connections after Close", n)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer scancel()
	if _, _, err := s.a.Submit(sctx, c, Message{To: "1", Text: "x"}); err == nil {
		t.Fatal("submit after the server closed")
	}
}

// heartbeat is the protocol's heartbeat request and response, as the
// engine sends them.
func heartbeat(p session.Protocol, seq uint32) (req, resp []byte) {
	cmd, body, _ := p.Heartbeat()
	rcmd, rbody, _ := p.HeartbeatReply(session.Frame{Header: session.Header{Command: cmd}})
	r := &Raw{Proto: p}
	return r.PDU(cmd, seq, body), r.PDU(rcmd, seq, rbody)
}

// Heartbeats on the wire against the client: it probes an idle link, and
// answers the server's probe byte for byte.
func (s *suite[V, C]) heartbeatClientWire(t *testing.T) {
	done := make(chan error, 1)
	addr := s.rawServer(t, false, func(r *Raw) {
		done <- func() error {
			b, err := r.ReadRaw() // the client's idle probe
			if err != nil {
				return err
			}
			h, _ := r.Proto.DecodeHeader(b)
			if req, _ := heartbeat(r.Proto, h.Seq.N); !bytes.Equal(b, req) {
				return fmt.Errorf("client sent %x, want a heartbeat %x", b, req)
			}
			r.Respond(h)
			req, resp := heartbeat(r.Proto, 99)
			r.Write(req)
			for {
				b, err := r.ReadRaw()
				if err != nil {
					return err
				}
				h, _ := r.Proto.DecodeHeader(b)
				if r.Proto.IsResponse(h.Command) {
					if !bytes.Equal(b, resp) {
						return fmt.Errorf("heartbeat response %x, want %x", b, resp)
					}
					return nil
				}
				r.Respond(h) // another probe: answer it
			}
		}()
		r.ServeBasic()
	})
	o := s.clientOptions(addr, s.v())
	o.Session.IdleHeartbeat = 100 * time.Millisecond
	s.client(t, o)
	if err := Recv(t, done); err != nil {
		t.Fatal(err)
	}
}

// The same against the server, from a raw client.
func (s *suite[V, C]) heartbeatServerWire(t *testing.T) {
	v := s.v()
	srv := s.a.Server(t, ServerOptions[V]{Version: v, Log: Quiet(),
		Session: session.Config{IdleHeartbeat: 100 * time.Millisecond, RequestTimeout: time.Second}})
	r := s.raw(t, Dial(t, srv.Addr), v)
	s.a.RawLogin(r, v)
	req, resp := heartbeat(r.Proto, 2)
	r.Write(req)
	sawResp, sawProbe := false, false
	for !sawResp || !sawProbe {
		b, err := r.ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		h, _ := r.Proto.DecodeHeader(b)
		switch probe, _ := heartbeat(r.Proto, h.Seq.N); {
		case bytes.Equal(b, resp):
			sawResp = true
		case bytes.Equal(b, probe):
			sawProbe = true
			r.Respond(h)
		default:
			t.Fatalf("unexpected %x", b)
		}
	}
}

// Client and server keep an idle link alive with heartbeats; a server
// that goes silent is dropped after the configured misses.
func (s *suite[V, C]) heartbeatKeepsAndDrops(t *testing.T) {
	fast := session.Config{IdleHeartbeat: 50 * time.Millisecond, RequestTimeout: 50 * time.Millisecond, HeartbeatMisses: 2}
	srv := s.a.Server(t, ServerOptions[V]{Version: s.v(), Log: Quiet(), Session: fast})
	o := s.clientOptions(srv.Addr, s.v())
	o.Session = fast
	c := s.client(t, o)
	time.Sleep(400 * time.Millisecond)
	if st := c.Stats(); st.Reconnects != 0 || st.Connected != 1 {
		t.Fatalf("idle link dropped: %+v", st)
	}
	select {
	case <-srv.Logouts:
		t.Fatal("server dropped the idle link")
	default:
	}

	// A silent server: logged in, then never answers anything.
	addr := s.rawServer(t, false, func(r *Raw) {
		_ = r.NC.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = r.NC.Read(make([]byte, 4096))
		time.Sleep(5 * time.Second)
	})
	var logs LogBuf
	o2 := s.clientOptions(addr, s.v())
	o2.Session, o2.Log = fast, logs.Logger()
	s.client(t, o2)
	logs.WaitLog(t, "heartbeats unanswered")
}

// A malformed or oversized PDU from a client closes that connection with a
// logged reason; the server and its other connections carry on.
func (s *suite[V, C]) serverMalformedPeer(t *testing.T) {
	seen := map[V]bool{}
	for _, p := range s.a.Pairs {
		sv := p.Server
		if seen[sv] {
			continue
		}
		seen[sv] = true
		t.Run(fmt.Sprint(sv), func(t *testing.T) {
			t.Parallel()
			var logs LogBuf
			srv := s.server(t, sv, logs.Logger())
			good := s.client(t, s.clientOptions(srv.Addr, sv))
			fr := s.raw(t, nil, sv)
			hl, maxPDU := uint32(fr.Proto.HeaderLen()), uint32(fr.Proto.MaxPDU())
			cases := []Malformed{
				{"oversized", true, fr.Header(maxPDU+1, s.a.SubmitCmd, 1), fmt.Sprintf("%s %d above %d", s.a.LengthName, maxPDU+1, maxPDU)},
				{"huge", false, fr.Header(0xffffffff, s.a.LoginCmd, 1), s.a.LengthName + " 4294967295"},
				{"below header", true, fr.Header(hl-4, s.a.SubmitCmd, 1), fmt.Sprintf("%s %d below %d", s.a.LengthName, hl-4, hl)},
				{"garbage login", false, fr.PDU(s.a.LoginCmd, 1, []byte{1, 2, 3, 4, 5}), "malformed " + s.a.LoginName},
			}
			if !s.a.OpenBeforeLogin {
				cases = append(cases, Malformed{"submit before login", false, s.a.RawSubmit(1, sv), "request before " + s.a.LoginName})
			}
			for _, tc := range append(cases, s.a.Malformed...) {
				r := s.raw(t, Dial(t, srv.Addr), sv)
				if tc.Login {
					s.a.RawLogin(r, sv)
				}
				r.Write(tc.Bytes)
				r.ExpectClosed()
				logs.WaitLog(t, tc.Log)
				s.submit(t, good, "ok")
			}
			if !strings.Contains(logs.String(), `level=ERROR msg="session closed"`) {
				t.Fatalf("malformed framing not logged as error:\n%s", logs.String())
			}
		})
	}
}

// A Submit whose body does not parse is refused with a structure error and
// the connection stays up: its framing was intact.
func (s *suite[V, C]) serverMalformedSubmitBody(t *testing.T) {
	v := s.v()
	srv := s.server(t, v, nil)
	r := s.raw(t, Dial(t, srv.Addr), v)
	s.a.RawLogin(r, v)
	seq := uint32(7)
	for i, bad := range s.a.BadSubmit {
		r.Write(r.PDU(s.a.SubmitCmd, seq, bad.Body))
		h, b, err := r.Read()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if st, id := s.a.Answer(b, v); st != bad.Status || h.Seq.N != seq || (bad.ID != "" && id != bad.ID) {
			t.Fatalf("case %d: answered %+v status %d id %s", i, h, st, id)
		}
		seq++
	}
	r.Write(s.a.RawSubmit(seq, v))
	if _, b, err := r.Read(); err != nil {
		t.Fatal(err)
	} else if st, _ := s.a.Answer(b, v); st != 0 {
		t.Fatalf("after a bad submit: status %d", st)
	}
}

// The client survives a hostile server: a malformed Deliver is refused
// with a structure error, an oversized PDU closes the link (logged) and
// the client logs in again.
func (s *suite[V, C]) clientMalformedPeer(t *testing.T) {
	conns := make(chan *Raw, 4)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	addr := s.rawServer(t, false, func(r *Raw) {
		conns <- r // the test drives it
		<-stop
	})
	var logs LogBuf
	o := s.clientOptions(addr, s.v())
	o.Log = logs.Logger()
	o.Deliver = func(Message) uint32 { return 0 }
	o.Session.Resends = -1
	c := s.client(t, o)
	r := Recv(t, conns)

	bad := s.a.BadDeliver
	r.Write(r.PDU(s.a.DeliverCmd, 5, bad.Body))
	h, b, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if st, id := s.a.Answer(b, s.v()); st != bad.Status || h.Seq.N != 5 || (bad.ID != "" && id != bad.ID) {
		t.Fatalf("answered %+v status %d id %s", h, st, id)
	}
	logs.WaitLog(t, "malformed "+s.a.DeliverName)
	if s.a.ClientMalformedExtra != nil {
		s.a.ClientMalformedExtra(t, r, c)
	}

	r.Write(r.Header(100000, s.a.DeliverCmd, 7))
	r.ExpectClosed()
	logs.WaitLog(t, s.a.LengthName+" 100000")
	r2 := Recv(t, conns) // the reconnect
	go r2.ServeBasic()
	WaitReady(t, c)
}

// A connection that never logs in is closed after LoginTimeout even though
// it answers heartbeats; a logged-in one stays.
func (s *suite[V, C]) serverLoginTimeout(t *testing.T) {
	v := s.v()
	var logs LogBuf
	srv := s.a.Server(t, ServerOptions[V]{Version: v, Log: logs.Logger(), LoginTimeout: 100 * time.Millisecond,
		Session: session.Config{IdleHeartbeat: 30 * time.Millisecond}})
	idle := s.raw(t, Dial(t, srv.Addr), v)
	closed := make(chan struct{})
	go func() { idle.ServeBasic(); close(closed) }()
	in := s.raw(t, Dial(t, srv.Addr), v)
	s.a.RawLogin(in, v)
	go in.ServeBasic()

	Recv(t, closed)
	logs.WaitLog(t, "no "+s.a.LoginName+" within login timeout")
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Conns()); n != 1 {
		t.Fatalf("%d logged-in connections, want 1", n)
	}
}
