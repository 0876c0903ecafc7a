package smpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

const (
	testSysID    = "esme1"
	testPassword = "secret1"
)

func isMalformed(err error) bool { return errors.Is(err, session.ErrMalformed) }

// testSMSC is a ServerHandler that records what it sees and answers with
// sequential message ids, written in hex when hexIDs is set.
type testSMSC struct {
	*prototest.Recorder[*ServerConn]
	hexIDs bool
	silent atomic.Bool // leave submits unanswered

	next atomic.Uint64

	mu      sync.Mutex
	submits []*SubmitSM
}

func newTestSMSC() *testSMSC { return &testSMSC{Recorder: prototest.NewRecorder[*ServerConn]()} }

func (h *testSMSC) Submit(_ context.Context, _ *ServerConn, s *SubmitSM) *SubmitSMResp {
	if h.silent.Load() {
		return nil
	}
	status := h.Submitted()
	h.mu.Lock()
	h.submits = append(h.submits, s)
	h.mu.Unlock()
	if status != ESME_ROK {
		return &SubmitSMResp{Status: status}
	}
	n := h.next.Add(1) + 1000
	id := fmt.Sprint(n)
	if h.hexIDs {
		id = fmt.Sprintf("%08X", n)
	}
	return &SubmitSMResp{MessageID: id}
}

func (h *testSMSC) submitted() []*SubmitSM {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*SubmitSM(nil), h.submits...)
}

var testAuth = StaticAuth(map[string]string{testSysID: testPassword})

func serverConfig(v Version, log *slog.Logger) ServerConfig {
	if log == nil {
		log = prototest.Quiet()
	}
	return ServerConfig{Version: v, SystemID: "SMSC", Window: 16, Logger: log, Auth: testAuth,
		Session: session.Config{RequestTimeout: 2 * time.Second}}
}

// startServer runs a Server on a loopback port until the test ends.
func startServer(t testing.TB, cfg ServerConfig, h ServerHandler) (*Server, string) {
	t.Helper()
	srv := NewServer(cfg, h)
	return srv, prototest.Serve(t, srv)
}

func clientConfig(addr string, v Version) ClientConfig {
	return ClientConfig{
		Name: "test", Addr: addr, SystemID: testSysID, Password: testPassword, Version: v,
		Conns: 1, Window: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Session: session.Config{RequestTimeout: 2 * time.Second},
		Logger:  prototest.Quiet(),
	}
}

// startClient runs a Client until the test ends.
func startClient(t testing.TB, cfg ClientConfig, h DeliverHandler) *Client {
	t.Helper()
	c, err := NewClient(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	return prototest.Start(t, c)
}

func waitReady(t testing.TB, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v (last error %q / %q)", err, c.Stats().LastError, c.ReceiverStats().LastError)
	}
}

// rawPeer is a bare TCP peer for byte-level tests; it reads unknown
// commands as a nil body.
type rawPeer struct {
	*prototest.Peer[uint32, Version, PDU]
}

func newRawPeer(t testing.TB, nc net.Conn, v Version) *rawPeer {
	return &rawPeer{&prototest.Peer[uint32, Version, PDU]{T: t, NC: nc, V: v,
		Proto: NewProtocol(V34), Append: AppendPDU, Decode: DecodePDU}}
}

func dialRaw(t testing.TB, addr string, v Version) *rawPeer {
	t.Helper()
	return newRawPeer(t, prototest.Dial(t, addr), v)
}

// bind binds as an ESME in mode and expects status 0.
func (p *rawPeer) bind(mode BindMode) {
	p.T.Helper()
	p.Send(1, &Bind{Mode: mode, SystemID: testSysID, Password: testPassword, InterfaceVersion: uint8(p.V)})
	h, _, err := p.Read()
	if err != nil || h.Command != mode.command()|respBit || h.Status != 0 {
		p.T.Fatalf("bind: %+v %v", h, err)
	}
}

// serveBasic answers enquire_link and unbind (then returns) until the
// connection ends, like a minimal well-behaved peer.
func (p *rawPeer) serveBasic() { p.ServeBasic(CmdUnbind) }

// rawSMSC accepts connections, answers the first bind with status 0 and
// hands the connection to script.
func rawSMSC(t testing.TB, ln net.Listener, v Version, script func(p *rawPeer)) {
	prototest.Accept(ln, func(nc net.Conn) {
		if p := newRawPeer(t, nc, v); p.acceptBind() {
			script(p)
		}
	})
}

// acceptBind reads a bind and answers it with status 0.
func (p *rawPeer) acceptBind() bool {
	h, pdu, err := p.Read()
	if err != nil {
		return false
	}
	b, ok := pdu.(*Bind)
	if !ok {
		return false
	}
	out, _ := AppendPDU(nil, h.Seq.N, &BindResp{Mode: b.Mode, SystemID: "RAW"}, p.V)
	_, err = p.NC.Write(out)
	return err == nil
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
