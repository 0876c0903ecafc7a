package cmpp

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
)

// Heartbeats on the wire, both directions, against our Client: it probes an
// idle link with a 12-byte ACTIVE_TEST and answers the ISMG's with 13 bytes.
func TestHeartbeatClientWire(t *testing.T) {
	for _, v := range []Version{V20, V30} {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			ln, addr := prototest.Listen(t)
			done := make(chan error, 1)
			go rawISMG(t, ln, v, func(p *rawPeer) {
				done <- func() error {
					h, _, err := p.Read() // the client's idle probe
					if err != nil {
						return err
					}
					if h.Command != CmdActiveTest || h.Length != 12 {
						return fmt.Errorf("client sent %s len %d", CommandName(h.Command), h.Length)
					}
					p.Send(h.Seq.N, &ActiveTestResp{})
					p.Write(unhex(t, "00 00 00 0c 00 00 00 08 00 00 00 63")) // ours, seq 99
					for {
						h, _, err := p.Read()
						if err != nil {
							return err
						}
						if h.Command == CmdActiveTestResp {
							if h.Seq.N != 99 || h.Length != 13 {
								return fmt.Errorf("ACTIVE_TEST_RESP seq %d len %d", h.Seq.N, h.Length)
							}
							return nil
						}
						p.Send(h.Seq.N, &ActiveTestResp{}) // another probe: answer it
					}
				}()
				_, _, _ = p.Read()
			})
			cfg := clientConfig(addr, v)
			cfg.Session.IdleHeartbeat = 100 * time.Millisecond
			c := startClient(t, cfg, nil)
			waitReady(t, c)
			if err := prototest.Recv(t, done); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The same against our Server, from a raw SP.
func TestHeartbeatServerWire(t *testing.T) {
	srv := NewServer(ServerConfig{Version: V30, Logger: prototest.Quiet(), Auth: testAuth,
		Session: session.Config{IdleHeartbeat: 100 * time.Millisecond, RequestTimeout: time.Second}}, newTestISMG())
	ln, addr := prototest.Listen(t)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(context.Background()) })

	p := dialRaw(t, addr, V30)
	p.login()
	p.Write(unhex(t, "00 00 00 0c 00 00 00 08 00 00 00 02"))
	sawResp, sawProbe := false, false
	for !sawResp || !sawProbe {
		h, _, err := p.Read()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case h.Command == CmdActiveTestResp && h.Seq.N == 2 && h.Length == 13:
			sawResp = true
		case h.Command == CmdActiveTest && h.Length == 12:
			sawProbe = true
			p.Send(h.Seq.N, &ActiveTestResp{})
		default:
			t.Fatalf("unexpected %s seq %d len %d", CommandName(h.Command), h.Seq.N, h.Length)
		}
	}
}

// Our client and server keep an idle link alive with heartbeats; an ISMG
// that stops answering is dropped after the configured misses.
func TestHeartbeatKeepsAndDrops(t *testing.T) {
	fast := session.Config{IdleHeartbeat: 50 * time.Millisecond, RequestTimeout: 50 * time.Millisecond, HeartbeatMisses: 2}
	h := newTestISMG()
	srv := NewServer(ServerConfig{Version: V30, Logger: prototest.Quiet(), Auth: testAuth, Session: fast}, h)
	ln, addr := prototest.Listen(t)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	cfg := clientConfig(addr, V30)
	cfg.Session = fast
	c := startClient(t, cfg, nil)
	waitReady(t, c)
	time.Sleep(400 * time.Millisecond)
	if st := c.Stats(); st.Reconnects != 0 || st.Connected != 1 {
		t.Fatalf("idle link dropped: %+v", st)
	}

	// A silent ISMG: logged in, then never answers anything.
	ln2, addr2 := prototest.Listen(t)
	go rawISMG(t, ln2, V30, func(p *rawPeer) {
		_ = p.NC.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = p.NC.Read(make([]byte, 4096))
		time.Sleep(5 * time.Second)
	})
	var logs prototest.LogBuf
	cfg2 := clientConfig(addr2, V30)
	cfg2.Session, cfg2.Logger = fast, logs.Logger()
	c2 := startClient(t, cfg2, nil)
	waitReady(t, c2)
	logs.WaitLog(t, "heartbeats unanswered")
}

// A malformed or oversized PDU from an SP closes that connection with a
// logged reason; the server and its other connections carry on.
func TestServerMalformedPeer(t *testing.T) {
	for _, sv := range []Version{V20, V30} {
		t.Run(sv.String(), func(t *testing.T) {
			t.Parallel()
			var logs prototest.LogBuf
			h := newTestISMG()
			_, addr := startServer(t, sv, h, logs.Logger())
			good := startClient(t, clientConfig(addr, sv), nil)
			waitReady(t, good)
			submitOK := func() {
				t.Helper()
				r, err := good.Submit(prototest.Ctx(t), &Submit{DestTerminalID: []string{"13800138000"}, MsgContent: []byte("ok")})
				if err != nil || r.Result != 0 {
					t.Fatalf("healthy client broken: %+v %v", r, err)
				}
			}

			hdr := func(length, cmd uint32) []byte {
				return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, length), cmd), 1)
			}
			for _, tc := range []struct {
				name  string
				login bool
				bytes []byte
				log   string
			}{
				{"oversized", true, hdr(uint32(MaxPDU(sv)+1), CmdSubmit), "Total_Length"},
				{"huge", false, hdr(0xffffffff, CmdConnect), "Total_Length"},
				{"below header", true, hdr(8, CmdSubmit), "below 12"},
				{"submit before connect", false, mustPDU(t, 1, &Submit{DestTerminalID: []string{"1"}}, sv), "request before CONNECT"},
				{"garbage connect", false, append(hdr(12+5, CmdConnect), 1, 2, 3, 4, 5), "malformed CONNECT"},
			} {
				p := dialRaw(t, addr, sv)
				if tc.login {
					p.login()
				}
				p.Write(tc.bytes)
				p.ExpectClosed()
				logs.WaitLog(t, tc.log)
				submitOK()
			}
			if !strings.Contains(logs.String(), "level=ERROR msg=\"session closed\"") {
				t.Fatalf("malformed framing not logged as error:\n%s", logs.String())
			}
		})
	}
}

// A SUBMIT whose body does not parse is refused with Result 1 (structure
// error) and the connection stays up: the framing is intact.
func TestServerMalformedSubmitBody(t *testing.T) {
	_, addr := startServer(t, V30, newTestISMG(), nil)
	p := dialRaw(t, addr, V30)
	p.login()
	body := binary.BigEndian.AppendUint64(nil, 0x1122334455667788)
	body = append(body, 1, 1, 0) // truncated after Registered_Delivery
	b := binary.BigEndian.AppendUint32(nil, uint32(HeaderLen+len(body)))
	b = binary.BigEndian.AppendUint32(b, CmdSubmit)
	b = binary.BigEndian.AppendUint32(b, 7)
	p.Write(append(b, body...))
	h, pdu, err := p.Read()
	if r, ok := pdu.(*SubmitResp); err != nil || !ok || r.Result != SubmitBadStructure || r.MsgID != 0x1122334455667788 || h.Seq.N != 7 {
		t.Fatalf("%+v %+v %v", h, pdu, err)
	}
	p.Send(8, &Submit{DestTerminalID: []string{"13800138000"}, MsgContent: []byte("x")})
	if _, pdu, err := p.Read(); err != nil || pdu.(*SubmitResp).Result != 0 {
		t.Fatalf("after a bad submit: %+v %v", pdu, err)
	}
}

// The client survives a hostile ISMG: a malformed DELIVER is refused with
// Result 1, an oversized PDU closes the link (logged) and the client
// reconnects.
func TestClientMalformedISMG(t *testing.T) {
	ln, addr := prototest.Listen(t)
	conns := make(chan *rawPeer, 4)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go rawISMG(t, ln, V30, func(p *rawPeer) {
		conns <- p // the test drives it
		<-stop
	})
	var logs prototest.LogBuf
	cfg := clientConfig(addr, V30)
	cfg.Logger = logs.Logger()
	c := startClient(t, cfg, func(context.Context, *Deliver) uint32 { return 0 })
	waitReady(t, c)
	p := prototest.Recv(t, conns)

	// A DELIVER cut short inside Src_terminal_Id.
	bad, _ := (&Deliver{MsgID: 42, SrcTerminalID: "13800138000", MsgContent: []byte("x")}).Marshal(nil, V30)
	bad = bad[:50]
	raw := binary.BigEndian.AppendUint32(nil, uint32(HeaderLen+len(bad)))
	raw = binary.BigEndian.AppendUint32(raw, CmdDeliver)
	raw = binary.BigEndian.AppendUint32(raw, 5)
	p.Write(append(raw, bad...))
	h, pdu, err := p.Read()
	if r, ok := pdu.(*DeliverResp); err != nil || !ok || r.Result != DeliverBadStructure || r.MsgID != 42 || h.Seq.N != 5 {
		t.Fatalf("%+v %+v %v", h, pdu, err)
	}
	logs.WaitLog(t, "malformed DELIVER")

	// Oversized: the client closes this link, logs why, and dials again.
	p.Write(binary.BigEndian.AppendUint32(nil, 100000))
	p.Write(bytes.Repeat([]byte{0}, 8))
	p.ExpectClosed()
	logs.WaitLog(t, "Total_Length 100000")
	p2 := prototest.Recv(t, conns) // the reconnect
	go p2.serveBasic()
	waitReady(t, c)
}

func mustPDU(t *testing.T, seq uint32, p PDU, v Version) []byte {
	t.Helper()
	b, err := AppendPDU(nil, seq, p, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A connection that never logs in is closed after LoginTimeout even though
// it answers heartbeats; a logged-in one stays.
func TestServerLoginTimeout(t *testing.T) {
	var logs prototest.LogBuf
	srv := NewServer(ServerConfig{Version: V30, Logger: logs.Logger(), Auth: testAuth, LoginTimeout: 100 * time.Millisecond,
		Session: session.Config{IdleHeartbeat: 30 * time.Millisecond}}, newTestISMG())
	ln, addr := prototest.Listen(t)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(context.Background()) })

	idle := dialRaw(t, addr, V30)
	closed := make(chan struct{})
	go func() { idle.serveBasic(); close(closed) }()
	in := dialRaw(t, addr, V30)
	in.login()
	go in.serveBasic()

	prototest.Recv(t, closed)
	logs.WaitLog(t, "no CONNECT within login timeout")
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Conns()); n != 1 {
		t.Fatalf("%d logged-in connections, want 1", n)
	}
}
