package cmpp

import (
	"bytes"
	"context"
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
	"unicode/utf16"

	"hongyan/internal/session"
)

const (
	testSP     = "901234"
	testSecret = "s3cret"
)

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

// testISMG is a ServerHandler that records what it sees.
type testISMG struct {
	gen    *MsgIDGenerator
	result uint32

	mu      sync.Mutex
	submits []*Submit

	connected    chan *ServerConn
	disconnected chan *ServerConn
}

func newTestISMG() *testISMG {
	return &testISMG{
		gen:          NewMsgIDGenerator(10061),
		connected:    make(chan *ServerConn, 16),
		disconnected: make(chan *ServerConn, 16),
	}
}

func (h *testISMG) Submit(_ context.Context, _ *ServerConn, s *Submit) *SubmitResp {
	h.mu.Lock()
	h.submits = append(h.submits, s)
	h.mu.Unlock()
	return &SubmitResp{MsgID: h.gen.NextN(len(s.DestTerminalID)), Result: h.result}
}

func (h *testISMG) Connected(sc *ServerConn)    { h.connected <- sc }
func (h *testISMG) Disconnected(sc *ServerConn) { h.disconnected <- sc }

func (h *testISMG) submitted() []*Submit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Submit(nil), h.submits...)
}

func testAuth(sourceAddr string) (string, bool) {
	if sourceAddr == testSP {
		return testSecret, true
	}
	return "", false
}

// startServer runs a Server on a loopback port until the test ends.
func startServer(t *testing.T, v Version, h ServerHandler, log *slog.Logger) (*Server, string) {
	return startServerB(t, v, h, log)
}

// startServerB is startServer for tests and benchmarks alike.
func startServerB(t testing.TB, v Version, h ServerHandler, log ...*slog.Logger) (*Server, string) {
	t.Helper()
	lg := quietLogger()
	if len(log) > 0 && log[0] != nil {
		lg = log[0]
	}
	srv := NewServer(ServerConfig{Version: v, Window: 16, Logger: lg, Auth: testAuth,
		Session: session.Config{RequestTimeout: 2 * time.Second}}, h)
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
		Name: "test", Addr: addr, SourceAddr: testSP, Secret: testSecret, Version: v,
		Conns: 1, Window: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Session: session.Config{RequestTimeout: 2 * time.Second},
		Logger:  quietLogger(),
	}
}

// startClient runs a Client until the test ends.
func startClient(t *testing.T, cfg ClientConfig, h DeliverHandler) *Client {
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

func waitReady(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v (last error %q)", err, c.Stats().LastError)
	}
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(3 * time.Second):
		t.Fatal("timed out waiting on channel")
		panic("unreachable")
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ucs2 encodes s as big-endian UTF-16 (Msg_Fmt 8).
func ucs2(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u))
	for _, r := range u {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

func fromUCS2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// splitUCS2 cuts text into parts of 67 UTF-16 units, each with the 8-bit
// reference concatenation UDH 05 00 03 ref total n.
func splitUCS2(text string, ref byte) [][]byte {
	payload := ucs2(text)
	const per = 134
	total := (len(payload) + per - 1) / per
	var parts [][]byte
	for i := 0; i < total; i++ {
		chunk := payload[i*per : min((i+1)*per, len(payload))]
		parts = append(parts, append([]byte{5, 0, 3, ref, byte(total), byte(i + 1)}, chunk...))
	}
	return parts
}

// rawPeer is a bare TCP peer for byte-level tests.
type rawPeer struct {
	t  *testing.T
	nc net.Conn
	v  Version
}

func dialRaw(t *testing.T, addr string, v Version) *rawPeer {
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

// read returns the next PDU's header and decoded body, or err at EOF.
func (p *rawPeer) read() (session.Header, PDU, error) {
	_ = p.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	hdr := make([]byte, HeaderLen)
	if _, err := io.ReadFull(p.nc, hdr); err != nil {
		return session.Header{}, nil, err
	}
	h, err := NewProtocol(V30).DecodeHeader(hdr)
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

// login performs CONNECT as an SP and expects status 0.
func (p *rawPeer) login() {
	p.t.Helper()
	p.send(1, NewConnect(testSP, testSecret, p.v, time.Now()))
	_, pdu, err := p.read()
	if err != nil {
		p.t.Fatal(err)
	}
	if r, ok := pdu.(*ConnectResp); !ok || r.Status != 0 {
		p.t.Fatalf("login: %+v", pdu)
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
		// anything else was a PDU queued before the close: keep draining
	}
}

// serveBasic answers ACTIVE_TEST and TERMINATE (then returns) until the
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
		case CmdTerminate:
			p.send(h.Seq.N, &TerminateResp{})
			return
		}
	}
}
