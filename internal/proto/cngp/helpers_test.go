package cngp

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hongyan/internal/session"
)

const (
	testClientID = "1234567890"
	testSecret   = "s3cret"
)

// unhex parses hex with any whitespace; text after "//" on a line is a
// comment, so vectors can be laid out field by field.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var clean []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		clean = append(clean, strings.Fields(line)...)
	}
	b, err := hex.DecodeString(strings.Join(clean, ""))
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

func hex16(t testing.TB, s string) (a [16]byte) {
	copy(a[:], unhex(t, s))
	return a
}

// logBuf collects log output so tests can assert a logged reason.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// waitLog polls until the log contains want.
func (l *logBuf) waitLog(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(l.String(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("log never contained %q:\n%s", want, l.String())
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// testSMGW is a ServerHandler that records what it sees.
type testSMGW struct {
	gen    *MsgIDGenerator
	status uint32 // Submit_Resp status to answer with

	mu      sync.Mutex
	submits []*Submit
	ids     []MsgID

	connected    chan *ServerConn
	disconnected chan *ServerConn
}

func newTestSMGW() *testSMGW {
	return &testSMGW{
		gen:          NewMsgIDGenerator(10061),
		connected:    make(chan *ServerConn, 16),
		disconnected: make(chan *ServerConn, 16),
	}
}

func (h *testSMGW) Submit(_ context.Context, _ *ServerConn, s *Submit) *SubmitResp {
	id := h.gen.Next()
	h.mu.Lock()
	h.submits = append(h.submits, s)
	h.ids = append(h.ids, id)
	h.mu.Unlock()
	return &SubmitResp{MsgID: id, Status: h.status}
}

func (h *testSMGW) Connected(sc *ServerConn)    { h.connected <- sc }
func (h *testSMGW) Disconnected(sc *ServerConn) { h.disconnected <- sc }

func (h *testSMGW) submitted() []*Submit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Submit(nil), h.submits...)
}

func testAuth(clientID string) (string, bool) {
	if clientID == testClientID {
		return testSecret, true
	}
	return "", false
}

func listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().String()
}

// startServer runs a Server on a loopback port until the test ends; mod
// may adjust the config.
func startServer(t testing.TB, v Version, h ServerHandler, log *slog.Logger, mod ...func(*ServerConfig)) (*Server, string) {
	t.Helper()
	if log == nil {
		log = quietLogger()
	}
	cfg := ServerConfig{Version: v, Window: 16, Logger: log, Auth: testAuth,
		Session: session.Config{RequestTimeout: 2 * time.Second}}
	for _, m := range mod {
		m(&cfg)
	}
	srv := NewServer(cfg, h)
	ln, addr := listen(t)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	return srv, addr
}

func clientConfig(addr string, v Version) ClientConfig {
	return ClientConfig{
		Name: "test", Addr: addr, ClientID: testClientID, Secret: testSecret, Version: v,
		Conns: 1, Window: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Session: session.Config{RequestTimeout: 2 * time.Second},
		Logger:  quietLogger(),
	}
}

// startClient runs a Client until the test ends.
func startClient(t testing.TB, cfg ClientConfig, h DeliverHandler) *Client {
	t.Helper()
	c := NewClient(cfg, h)
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer ccancel()
		_ = c.Close(cctx)
		cancel()
	})
	return c
}

func waitReady(t testing.TB, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v (last error %q)", err, c.Stats().LastError)
	}
}

func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(3 * time.Second):
		t.Fatal("timed out waiting on channel")
		panic("unreachable")
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawPeer is a bare TCP peer for byte-level tests.
type rawPeer struct {
	t  testing.TB
	nc net.Conn
	v  Version
}

func dialRaw(t testing.TB, addr string, v Version) *rawPeer {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawPeer{t: t, nc: nc, v: v}
}

func (p *rawPeer) send(seq uint32, pdu PDU) {
	p.t.Helper()
	b, err := AppendPDU(nil, seq, pdu, p.v)
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(b)
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// readRaw returns the next whole PDU's bytes.
func (p *rawPeer) readRaw() ([]byte, error) {
	_ = p.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	hdr := make([]byte, HeaderLen)
	if _, err := io.ReadFull(p.nc, hdr); err != nil {
		return nil, err
	}
	h, err := Protocol{}.DecodeHeader(hdr)
	if err != nil {
		return nil, err
	}
	body := make([]byte, h.Length-HeaderLen)
	if _, err := io.ReadFull(p.nc, body); err != nil {
		return nil, err
	}
	return append(hdr, body...), nil
}

// read returns the next PDU's header and decoded body.
func (p *rawPeer) read() (session.Header, PDU, error) {
	b, err := p.readRaw()
	if err != nil {
		return session.Header{}, nil, err
	}
	return DecodePDU(b, p.v)
}

// login performs Login as an SP and expects status 0.
func (p *rawPeer) login() {
	p.t.Helper()
	p.send(1, NewLogin(testClientID, testSecret, LoginTransmit, p.v, time.Now()))
	_, pdu, err := p.read()
	if err != nil {
		p.t.Fatal(err)
	}
	if r, ok := pdu.(*LoginResp); !ok || r.Status != 0 {
		p.t.Fatalf("login: %+v", pdu)
	}
}

// expectClosed waits for the peer to close the connection.
func (p *rawPeer) expectClosed() {
	p.t.Helper()
	for {
		_, err := p.readRaw()
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			p.t.Fatal("connection not closed")
		}
		// anything else was a PDU queued before the close: keep draining
	}
}

// serveBasic answers Active_Test and Exit (then returns) until the
// connection ends, like a minimal well-behaved peer.
func (p *rawPeer) serveBasic() {
	for {
		h, _, err := p.read()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return
		}
		switch h.Command {
		case CmdActiveTest:
			p.send(h.Seq.N, &ActiveTestResp{})
		case CmdExit:
			p.send(h.Seq.N, &ExitResp{})
			return
		}
	}
}

// rawSMGW accepts connections, logs each in answering with the given
// AuthenticatorServer rule, then hands the connection to script.
func rawSMGW(t testing.TB, ln net.Listener, auth func(req *Login) [16]byte, script func(p *rawPeer)) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			p := &rawPeer{t: t, nc: nc, v: V20}
			h, pdu, err := p.read()
			if err != nil {
				return
			}
			req, ok := pdu.(*Login)
			if !ok {
				return
			}
			p.v = req.Version
			b, _ := AppendPDU(nil, h.Seq.N, &LoginResp{Version: V20, AuthenticatorServer: auth(req)}, V20)
			if _, err := nc.Write(b); err != nil {
				return
			}
			script(p)
		}()
	}
}

// authAs answers with the right secret, Status hashed as a.
func authAs(a AuthStatus) func(*Login) [16]byte {
	return func(req *Login) [16]byte { return AuthServer(0, req.AuthenticatorClient, testSecret, a) }
}

func sessionFrame(cmd uint32) session.Frame {
	return session.Frame{Header: session.Header{Length: HeaderLen, Command: cmd}}
}

// mustID parses a MsgID literal.
func mustID(s string) MsgID {
	id, err := ParseMsgID(s)
	if err != nil {
		panic(err)
	}
	return id
}
