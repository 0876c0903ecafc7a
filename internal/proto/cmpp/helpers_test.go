package cmpp

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/proto/wire"
	"hongyan/internal/session"
)

const (
	testSP     = "901234"
	testSecret = "s3cret"
)

// testISMG is a ServerHandler that records what it sees.
type testISMG struct {
	*prototest.Recorder[*ServerConn]
	gen *MsgIDGenerator

	mu      sync.Mutex
	submits []*Submit
}

func newTestISMG() *testISMG {
	return &testISMG{Recorder: prototest.NewRecorder[*ServerConn](), gen: NewMsgIDGenerator(10061)}
}

func (h *testISMG) Submit(_ context.Context, _ *ServerConn, s *Submit) *SubmitResp {
	result := h.Submitted()
	h.mu.Lock()
	h.submits = append(h.submits, s)
	h.mu.Unlock()
	return &SubmitResp{MsgID: h.gen.NextN(len(s.DestTerminalID)), Result: result}
}

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
		Name: "test", Addr: addr, SourceAddr: testSP, Secret: testSecret, Version: v,
		Conns: 1, Window: 16, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Session: session.Config{RequestTimeout: 2 * time.Second},
		Logger:  prototest.Quiet(),
	}
}

// startClient runs a Client until the test ends.
func startClient(t *testing.T, cfg ClientConfig, h DeliverHandler) *Client {
	t.Helper()
	return prototest.Start(t, NewClient(cfg, h))
}

func waitReady(t *testing.T, c *Client) {
	t.Helper()
	prototest.WaitReady(t, c)
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
	*prototest.Peer[uint32, Version, PDU]
}

func newRawPeer(t testing.TB, nc net.Conn, v Version) *rawPeer {
	return &rawPeer{&prototest.Peer[uint32, Version, PDU]{T: t, NC: nc, V: v,
		Proto: NewProtocol(V30), Append: AppendPDU, Decode: DecodePDU}}
}

func dialRaw(t *testing.T, addr string, v Version) *rawPeer {
	t.Helper()
	return newRawPeer(t, prototest.Dial(t, addr), v)
}

// login performs CONNECT as an SP and expects status 0.
func (p *rawPeer) login() {
	p.T.Helper()
	p.Send(1, NewConnect(testSP, testSecret, p.V, time.Now()))
	_, pdu, err := p.Read()
	if err != nil {
		p.T.Fatal(err)
	}
	if r, ok := pdu.(*ConnectResp); !ok || r.Status != 0 {
		p.T.Fatalf("login: %+v", pdu)
	}
}

// appendTimestamp is wire.AppendTimestamp under the name the vectors use.
func appendTimestamp(dst []byte, ts uint32) []byte { return wire.AppendTimestamp(dst, ts) }

// acceptConnect reads a CONNECT and answers it with status 0 and an
// AuthenticatorISMG computed from secret in layout v; it returns the
// CONNECT, or nil when the first PDU was something else or the answer did
// not go out.
func (p *rawPeer) acceptConnect(secret string, v Version) *Connect {
	h, pdu, err := p.Read()
	if err != nil {
		return nil
	}
	req, ok := pdu.(*Connect)
	if !ok {
		return nil
	}
	resp := &ConnectResp{Version: V30, AuthenticatorISMG: AuthISMG(0, req.AuthenticatorSource, secret, v)}
	b, _ := AppendPDU(nil, h.Seq.N, resp, v)
	if _, err := p.NC.Write(b); err != nil {
		return nil
	}
	return req
}
