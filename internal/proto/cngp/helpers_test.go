package cngp

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/proto/wire"
	"hongyan/internal/session"
)

const (
	testClientID = "1234567890"
	testSecret   = "s3cret"
)

// unhex parses hex with any whitespace; text after "//" on a line is a
// comment, so vectors can be laid out field by field.
func unhex(t testing.TB, s string) []byte { return prototest.Unhex(t, s) }

func hex16(t testing.TB, s string) [16]byte { return prototest.Hex16(t, s) }

// appendTimestamp is wire.AppendTimestamp under the name the vectors use.
func appendTimestamp(dst []byte, ts uint32) []byte { return wire.AppendTimestamp(dst, ts) }

// testSMGW is a ServerHandler that records what it sees.
type testSMGW struct {
	*prototest.Recorder[*ServerConn]
	gen *MsgIDGenerator

	mu      sync.Mutex
	submits []*Submit
	ids     []MsgID
}

func newTestSMGW() *testSMGW {
	return &testSMGW{Recorder: prototest.NewRecorder[*ServerConn](), gen: NewMsgIDGenerator(10061)}
}

func (h *testSMGW) Submit(_ context.Context, _ *ServerConn, s *Submit) *SubmitResp {
	status := h.Submitted() // the Submit_Resp status to answer with
	id := h.gen.Next()
	h.mu.Lock()
	h.submits = append(h.submits, s)
	h.ids = append(h.ids, id)
	h.mu.Unlock()
	return &SubmitResp{MsgID: id, Status: status}
}

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

// startServer runs a Server on a loopback port until the test ends; mod
// may adjust the config.
func startServer(t testing.TB, v Version, h ServerHandler, log *slog.Logger, mod ...func(*ServerConfig)) (*Server, string) {
	t.Helper()
	if log == nil {
		log = prototest.Quiet()
	}
	cfg := ServerConfig{Version: v, Window: 16, Logger: log, Auth: testAuth,
		Session: session.Config{RequestTimeout: 2 * time.Second}}
	for _, m := range mod {
		m(&cfg)
	}
	srv := NewServer(cfg, h)
	return srv, prototest.Serve(t, srv)
}

func clientConfig(addr string, v Version) ClientConfig {
	return ClientConfig{
		Name: "test", Addr: addr, ClientID: testClientID, Secret: testSecret, Version: v,
		Conns: 1, Window: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Session: session.Config{RequestTimeout: 2 * time.Second},
		Logger:  prototest.Quiet(),
	}
}

// startClient runs a Client until the test ends.
func startClient(t testing.TB, cfg ClientConfig, h DeliverHandler) *Client {
	t.Helper()
	return prototest.Start(t, NewClient(cfg, h))
}

func waitReady(t testing.TB, c *Client) {
	t.Helper()
	prototest.WaitReady(t, c)
}

// rawPeer is a bare TCP peer for byte-level tests.
type rawPeer struct {
	*prototest.Peer[uint32, Version, PDU]
}

func newRawPeer(t testing.TB, nc net.Conn, v Version) *rawPeer {
	return &rawPeer{&prototest.Peer[uint32, Version, PDU]{T: t, NC: nc, V: v,
		Proto: Protocol{}, Append: AppendPDU, Decode: DecodePDU}}
}

func dialRaw(t testing.TB, addr string, v Version) *rawPeer {
	t.Helper()
	return newRawPeer(t, prototest.Dial(t, addr), v)
}

// login performs Login as an SP and expects status 0.
func (p *rawPeer) login() {
	p.T.Helper()
	p.Send(1, NewLogin(testClientID, testSecret, LoginTransmit, p.V, time.Now()))
	_, pdu, err := p.Read()
	if err != nil {
		p.T.Fatal(err)
	}
	if r, ok := pdu.(*LoginResp); !ok || r.Status != 0 {
		p.T.Fatalf("login: %+v", pdu)
	}
}

// serveBasic answers Active_Test and Exit (then returns) until the
// connection ends, like a minimal well-behaved peer.
func (p *rawPeer) serveBasic() { p.ServeBasic(CmdExit) }

// rawSMGW accepts connections, logs each in answering with the given
// AuthenticatorServer rule, then hands the connection to script.
func rawSMGW(t testing.TB, ln net.Listener, auth func(req *Login) [16]byte, script func(p *rawPeer)) {
	prototest.Accept(ln, func(nc net.Conn) {
		if p := newRawPeer(t, nc, V20); p.acceptLogin(auth) {
			script(p)
		}
	})
}

// acceptLogin reads a Login and answers it with the given
// AuthenticatorServer rule; p then speaks the client's version.
func (p *rawPeer) acceptLogin(auth func(req *Login) [16]byte) bool {
	h, pdu, err := p.Read()
	if err != nil {
		return false
	}
	req, ok := pdu.(*Login)
	if !ok {
		return false
	}
	p.V = req.Version
	b, _ := AppendPDU(nil, h.Seq.N, &LoginResp{Version: V20, AuthenticatorServer: auth(req)}, V20)
	_, err = p.NC.Write(b)
	return err == nil
}

// authAs answers with the right secret, Status hashed as a.
func authAs(a AuthStatus) func(*Login) [16]byte {
	return func(req *Login) [16]byte { return AuthServer(0, req.AuthenticatorClient, testSecret, a) }
}

func hdr(length, cmd, status, seq uint32) []byte {
	return Protocol{}.AppendHeader(nil, session.Header{Length: length, Command: cmd, Status: status, Seq: session.Seq{N: seq}})
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
