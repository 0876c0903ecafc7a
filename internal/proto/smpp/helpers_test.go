package smpp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hongyan/internal/session"
	"hongyan/internal/sms"
)

const (
	testSysID    = "esme1"
	testPassword = "secret1"
)

func isMalformed(err error) bool { return errors.Is(err, session.ErrMalformed) }

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

// testSMSC is a ServerHandler that records what it sees and answers with
// sequential message ids, written in hex when hexIDs is set.
type testSMSC struct {
	status uint32
	hexIDs bool
	silent atomic.Bool // leave submits unanswered

	next atomic.Uint64

	mu      sync.Mutex
	submits []*SubmitSM

	connected    chan *ServerConn
	disconnected chan *ServerConn
}

func newTestSMSC() *testSMSC {
	return &testSMSC{connected: make(chan *ServerConn, 16), disconnected: make(chan *ServerConn, 16)}
}

func (h *testSMSC) Submit(_ context.Context, _ *ServerConn, s *SubmitSM) *SubmitSMResp {
	if h.silent.Load() {
		return nil
	}
	h.mu.Lock()
	h.submits = append(h.submits, s)
	h.mu.Unlock()
	if h.status != ESME_ROK {
		return &SubmitSMResp{Status: h.status}
	}
	n := h.next.Add(1) + 1000
	id := fmt.Sprint(n)
	if h.hexIDs {
		id = fmt.Sprintf("%08X", n)
	}
	return &SubmitSMResp{MessageID: id}
}

func (h *testSMSC) Connected(sc *ServerConn)    { h.connected <- sc }
func (h *testSMSC) Disconnected(sc *ServerConn) { h.disconnected <- sc }

func (h *testSMSC) submitted() []*SubmitSM {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*SubmitSM(nil), h.submits...)
}

var testAuth = StaticAuth(map[string]string{testSysID: testPassword})

func serverConfig(v Version, log *slog.Logger) ServerConfig {
	if log == nil {
		log = quietLogger()
	}
	return ServerConfig{Version: v, SystemID: "SMSC", Window: 16, Logger: log, Auth: testAuth,
		Session: session.Config{RequestTimeout: 2 * time.Second}}
}

// startServer runs a Server on a loopback port until the test ends.
func startServer(t testing.TB, cfg ServerConfig, h ServerHandler) (*Server, string) {
	t.Helper()
	srv := NewServer(cfg, h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	return srv, ln.Addr().String()
}

func clientConfig(addr string, v Version) ClientConfig {
	return ClientConfig{
		Name: "test", Addr: addr, SystemID: testSysID, Password: testPassword, Version: v,
		Conns: 1, Window: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Session: session.Config{RequestTimeout: 2 * time.Second},
		Logger:  quietLogger(),
	}
}

// startClient runs a Client until the test ends.
func startClient(t testing.TB, cfg ClientConfig, h DeliverHandler) *Client {
	t.Helper()
	c, err := NewClient(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
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
		t.Fatalf("WaitReady: %v (last error %q / %q)", err, c.Stats().LastError, c.ReceiverStats().LastError)
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

func listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().String()
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
	p.write(mustPDU(p.t, seq, pdu, p.v))
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// read returns the next PDU's header and decoded body (nil body for an
// unknown command), or err at EOF.
func (p *rawPeer) read() (session.Header, PDU, error) {
	_ = p.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	hdr := make([]byte, HeaderLen)
	if _, err := io.ReadFull(p.nc, hdr); err != nil {
		return session.Header{}, nil, err
	}
	h, err := NewProtocol(V34).DecodeHeader(hdr)
	if err != nil {
		return h, nil, err
	}
	body := make([]byte, h.Length-HeaderLen)
	if _, err := io.ReadFull(p.nc, body); err != nil {
		return h, nil, err
	}
	_, pdu, err := DecodePDU(append(hdr, body...), p.v)
	return h, pdu, err
}

// bind binds as an ESME in mode and expects status 0.
func (p *rawPeer) bind(mode BindMode) {
	p.t.Helper()
	p.send(1, &Bind{Mode: mode, SystemID: testSysID, Password: testPassword, InterfaceVersion: uint8(p.v)})
	h, _, err := p.read()
	if err != nil || h.Command != mode.command()|respBit || h.Status != 0 {
		p.t.Fatalf("bind: %+v %v", h, err)
	}
}

// expectClosed waits for the peer to close the connection.
func (p *rawPeer) expectClosed() {
	p.t.Helper()
	for {
		_, _, err := p.read()
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			p.t.Fatal("connection not closed")
		}
	}
}

// serveBasic answers enquire_link and unbind (then returns) until the
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
		case CmdEnquireLink:
			p.send(h.Seq.N, &EnquireLinkResp{})
		case CmdUnbind:
			p.send(h.Seq.N, &UnbindResp{})
			return
		}
	}
}

// rawSMSC accepts connections, answers the first bind with status 0 and
// hands the connection to script.
func rawSMSC(t testing.TB, ln net.Listener, v Version, script func(p *rawPeer)) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			p := &rawPeer{t: t, nc: nc, v: v}
			h, pdu, err := p.read()
			if err != nil {
				return
			}
			b, ok := pdu.(*Bind)
			if !ok {
				return
			}
			out, _ := AppendPDU(nil, h.Seq.N, &BindResp{Mode: b.Mode, SystemID: "RAW"}, v)
			if _, err := nc.Write(out); err != nil {
				return
			}
			script(p)
		}()
	}
}

func mustPDU(t testing.TB, seq uint32, p PDU, v Version) []byte {
	t.Helper()
	b, err := AppendPDU(nil, seq, p, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sessionHeader(length, cmd, status, seq uint32) session.Header {
	return session.Header{Length: length, Command: cmd, Status: status, Seq: session.Seq{N: seq}}
}

// ucs2 encodes s as big-endian UTF-16 (data_coding 8).
func ucs2(s string) []byte {
	b, err := sms.Encode(s, sms.UCS2)
	if err != nil {
		panic(err)
	}
	return b
}

func fromUCS2(b []byte) string { return sms.DecodeLossy(b, sms.UCS2) }

// waitConnected polls a pool's stats until n connections are ready.
func waitConnected(t testing.TB, stats func() session.Stats, n int) session.Stats {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		st := stats()
		if st.Connected >= n || time.Now().After(deadline) {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var errDeadline = os.ErrDeadlineExceeded

// waitLastError polls until the client has recorded a connection error
// containing want, and checks it never became ready.
func waitLastError(t testing.TB, c *Client, want string) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = c.Stats().LastError; got != "" && strings.Contains(got, want) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(got, want) || got == "" {
		t.Fatalf("last error %q, want %q", got, want)
	}
	if c.Stats().Connected != 0 {
		t.Fatal("client is bound")
	}
	return got
}
