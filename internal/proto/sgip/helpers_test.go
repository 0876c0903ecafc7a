package sgip

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
)

const (
	testNode     uint32 = 3010012345 // SP 3 + 0100 + 12345
	testSMGNode  uint32 = 101001     // SMG 1 + 0100 + 1
	testLogin           = "sp001"
	testPassword        = "secret"
	smgLogin            = "smg01" // what the SMG binds to the SP's Receiver with
	smgPassword         = "smgpass"
)

// unhex parses hex with any whitespace, for vectors copied from
// protocols/test-vectors.md.
func unhex(t testing.TB, s string) []byte { return prototest.Unhex(t, s) }

// testSMG is an SMGHandler that records Submits and answers with result,
// or what rec says when set (the session suite's).
type testSMG struct {
	result uint8
	rec    *prototest.Recorder[*ServerConn]

	mu      sync.Mutex
	submits []*Submit

	bound   chan *ServerConn
	unbound chan *ServerConn
}

func newTestSMG() *testSMG {
	return &testSMG{bound: make(chan *ServerConn, 16), unbound: make(chan *ServerConn, 16)}
}

func (h *testSMG) Submit(_ context.Context, _ *ServerConn, s *Submit) *SubmitResp {
	result := h.result
	if h.rec != nil {
		result = uint8(h.rec.Submitted())
	}
	h.mu.Lock()
	h.submits = append(h.submits, s)
	h.mu.Unlock()
	return &SubmitResp{Result: result}
}

func (h *testSMG) Bound(sc *ServerConn)   { h.bound <- sc }
func (h *testSMG) Unbound(sc *ServerConn) { h.unbound <- sc }

func (h *testSMG) submitted() []*Submit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Submit(nil), h.submits...)
}

// testSP is a ReceiverHandler that hands what it receives to channels.
type testSP struct {
	result   atomic.Uint32 // what the handlers answer
	delivers chan *Deliver
	reports  chan *Report
	userRpts chan *UserRpt
	bound    chan *ServerConn
	unbound  chan *ServerConn
}

func newTestSP() *testSP {
	return &testSP{
		delivers: make(chan *Deliver, 16), reports: make(chan *Report, 16), userRpts: make(chan *UserRpt, 16),
		bound: make(chan *ServerConn, 16), unbound: make(chan *ServerConn, 16),
	}
}

func (h *testSP) Deliver(_ context.Context, _ *ServerConn, d *Deliver) uint8 {
	h.delivers <- d
	return uint8(h.result.Load())
}

func (h *testSP) Report(_ context.Context, _ *ServerConn, r *Report) uint8 {
	h.reports <- r
	return uint8(h.result.Load())
}

func (h *testSP) UserRpt(_ context.Context, _ *ServerConn, u *UserRpt) uint8 {
	h.userRpts <- u
	return uint8(h.result.Load())
}

func (h *testSP) Bound(sc *ServerConn)   { h.bound <- sc }
func (h *testSP) Unbound(sc *ServerConn) { h.unbound <- sc }

func credentials(name, password string) func(string, string, net.Addr) bool {
	return func(n, p string, _ net.Addr) bool { return n == name && p == password }
}

func listen(t testing.TB) (net.Listener, string) { return prototest.Listen(t) }

// serve runs srv on a loopback port until the test ends.
func serve(t testing.TB, srv *Server) string { return prototest.Serve(t, srv) }

func smgServerConfig(log *slog.Logger) ServerConfig {
	if log == nil {
		log = prototest.Quiet()
	}
	return ServerConfig{Auth: credentials(testLogin, testPassword), Window: 16, Logger: log,
		Session: session.Config{RequestTimeout: 2 * time.Second}}
}

func receiverConfig(log *slog.Logger) ServerConfig {
	cfg := smgServerConfig(log)
	cfg.Auth = credentials(smgLogin, smgPassword)
	return cfg
}

// startSMG runs an SMG-role Server with h; it accepts testLogin/testPassword.
func startSMG(t testing.TB, h SMGHandler, log *slog.Logger) (*Server, string) {
	srv := NewSMGServer(smgServerConfig(log), h)
	return srv, serve(t, srv)
}

// startReceiver runs an SP's Receiver with h; it accepts smgLogin/smgPassword.
func startReceiver(t testing.TB, h ReceiverHandler, log *slog.Logger) (*Server, string) {
	srv := NewReceiver(receiverConfig(log), h)
	return srv, serve(t, srv)
}

// spConfig is our SP's Client towards an SMG at addr.
func spConfig(addr string) ClientConfig {
	return ClientConfig{
		Name: "test-sp", Addr: addr, LoginName: testLogin, LoginPassword: testPassword, NodeID: testNode,
		Conns: 1, Window: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Session: session.Config{RequestTimeout: 2 * time.Second},
		Logger:  prototest.Quiet(),
	}
}

// smgConfig is the SMG's Client towards an SP's Receiver at addr.
func smgConfig(addr string) ClientConfig {
	cfg := spConfig(addr)
	cfg.Name, cfg.LoginName, cfg.LoginPassword, cfg.NodeID = "test-smg", smgLogin, smgPassword, testSMGNode
	return cfg
}

// startClient runs a Client until the test ends.
func startClient(t testing.TB, c *Client) *Client { return prototest.Start(t, c) }

func waitReady(t testing.TB, c *Client) {
	t.Helper()
	prototest.WaitReady(t, c)
}

func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	return prototest.Recv(t, ch)
}

// rawPeer is a bare TCP peer for byte-level tests.
type rawPeer struct {
	t   testing.TB
	nc  net.Conn
	seq uint32
}

func dialRaw(t testing.TB, addr string) *rawPeer {
	t.Helper()
	return &rawPeer{t: t, nc: prototest.Dial(t, addr)}
}

// nextSeq is a spec-shaped sequence number of this raw peer.
func (p *rawPeer) nextSeq() session.Seq {
	p.seq++
	return session.Seq{Node: testSMGNode, Time: 1120203225, N: p.seq}
}

func (p *rawPeer) send(seq session.Seq, pdu PDU) {
	p.t.Helper()
	b, err := AppendPDU(nil, seq, pdu, Standard)
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(b)
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	prototest.Write(p.t, p.nc, b)
}

// readRaw returns the next whole PDU's bytes.
func (p *rawPeer) readRaw() ([]byte, error) { return prototest.ReadPDU(p.nc, Protocol{}) }

// read returns the next PDU's header and decoded body.
func (p *rawPeer) read() (session.Header, PDU, error) {
	b, err := p.readRaw()
	if err != nil {
		return session.Header{}, nil, err
	}
	return DecodePDU(b)
}

// bind sends a Bind and returns the Bind_Resp's Result.
func (p *rawPeer) bind(loginType uint8, name, password string) uint8 {
	p.t.Helper()
	seq := p.nextSeq()
	p.send(seq, &Bind{LoginType: loginType, LoginName: name, LoginPassword: password})
	h, pdu, err := p.read()
	if err != nil {
		p.t.Fatal(err)
	}
	r, ok := pdu.(*BindResp)
	if !ok || h.Seq != seq {
		p.t.Fatalf("bind answered %+v %+v", h, pdu)
	}
	return r.Result
}

// expectClosed waits for the peer to close the connection.
func (p *rawPeer) expectClosed() {
	p.t.Helper()
	prototest.ExpectClosed(p.t, func() error { _, err := p.readRaw(); return err })
}

// rawSMG accepts connections, answers the first Bind with Result 0 and
// hands the connection to script.
func rawSMG(t testing.TB, ln net.Listener, script func(p *rawPeer)) {
	prototest.Accept(ln, func(nc net.Conn) {
		if p := (&rawPeer{t: t, nc: nc}); p.acceptBind() {
			script(p)
		}
	})
}

// acceptBind reads a Bind and answers it with Result 0.
func (p *rawPeer) acceptBind() bool {
	h, pdu, err := p.read()
	if err != nil {
		return false
	}
	if _, ok := pdu.(*Bind); !ok {
		return false
	}
	b, _ := AppendPDU(nil, h.Seq, &BindResp{}, Standard)
	_, err = p.nc.Write(b)
	return err == nil
}

// ucs2 encodes s as big-endian UTF-16 (MessageCoding 8).
func ucs2(s string) []byte {
	var b []byte
	for _, r := range utf16.Encode([]rune(s)) {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

// answerUnbind answers the peer's Unbind, then returns; other PDUs are
// ignored.
func (p *rawPeer) answerUnbind() {
	prototest.Answer(func() (session.Header, error) { h, _, err := p.read(); return h, err }, func(h session.Header) bool {
		if h.Command != CmdUnbind {
			return false
		}
		b, _ := AppendPDU(nil, h.Seq, &UnbindResp{}, Standard)
		_, _ = p.nc.Write(b)
		return true
	})
}
