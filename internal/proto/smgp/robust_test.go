package smgp

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

func hdr(length, cmd, seq uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, length)
	b = binary.BigEndian.AppendUint32(b, cmd)
	return binary.BigEndian.AppendUint32(b, seq)
}

// Heartbeats on the wire against our Client: it probes an idle link with a
// 12-byte Active_Test and answers the SMGW's with a 12-byte response.
func TestHeartbeatClientWire(t *testing.T) {
	ln, addr := prototest.Listen(t)
	done := make(chan error, 1)
	go rawSMGW(t, ln, authWidth(StatusWidth4), func(p *rawPeer) {
		done <- func() error {
			b, err := p.ReadRaw() // the client's idle probe
			if err != nil {
				return err
			}
			h, _ := Protocol{}.DecodeHeader(b)
			if h.Command != CmdActiveTest || len(b) != 12 {
				return fmt.Errorf("client sent %s len %d", CommandName(h.Command), len(b))
			}
			p.Send(h.Seq.N, &ActiveTestResp{})
			p.Write(hdr(12, CmdActiveTest, 99))
			for {
				b, err := p.ReadRaw()
				if err != nil {
					return err
				}
				h, _ := Protocol{}.DecodeHeader(b)
				if h.Command == CmdActiveTestResp {
					if !bytes.Equal(b, hdr(12, CmdActiveTestResp, 99)) {
						return fmt.Errorf("Active_Test_Resp %x", b)
					}
					return nil
				}
				p.Send(h.Seq.N, &ActiveTestResp{}) // another probe: answer it
			}
		}()
		p.serveBasic()
	})
	cfg := clientConfig(addr, V30)
	cfg.Session.IdleHeartbeat = 100 * time.Millisecond
	c := startClient(t, cfg, nil)
	waitReady(t, c)
	if err := prototest.Recv(t, done); err != nil {
		t.Fatal(err)
	}
}

// The same against our Server, from a raw SP.
func TestHeartbeatServerWire(t *testing.T) {
	_, addr := startServer(t, V30, newTestSMGW(), nil, func(c *ServerConfig) {
		c.Session = session.Config{IdleHeartbeat: 100 * time.Millisecond, RequestTimeout: time.Second}
	})
	p := dialRaw(t, addr, V30)
	p.login()
	p.Write(hdr(12, CmdActiveTest, 2))
	sawResp, sawProbe := false, false
	for !sawResp || !sawProbe {
		b, err := p.ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		h, _ := Protocol{}.DecodeHeader(b)
		switch {
		case bytes.Equal(b, hdr(12, CmdActiveTestResp, 2)):
			sawResp = true
		case h.Command == CmdActiveTest && len(b) == 12:
			sawProbe = true
			p.Send(h.Seq.N, &ActiveTestResp{})
		default:
			t.Fatalf("unexpected %x", b)
		}
	}
}

// Our client and server keep an idle link alive with heartbeats; an SMGW
// that stops answering is dropped after the configured misses.
func TestHeartbeatKeepsAndDrops(t *testing.T) {
	fast := session.Config{IdleHeartbeat: 50 * time.Millisecond, RequestTimeout: 50 * time.Millisecond, HeartbeatMisses: 2}
	_, addr := startServer(t, V30, newTestSMGW(), nil, func(c *ServerConfig) { c.Session = fast })
	cfg := clientConfig(addr, V30)
	cfg.Session = fast
	c := startClient(t, cfg, nil)
	waitReady(t, c)
	time.Sleep(400 * time.Millisecond)
	if st := c.Stats(); st.Reconnects != 0 || st.Connected != 1 {
		t.Fatalf("idle link dropped: %+v", st)
	}

	ln2, addr2 := prototest.Listen(t)
	go rawSMGW(t, ln2, authWidth(StatusWidth4), func(p *rawPeer) {
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
	var logs prototest.LogBuf
	_, addr := startServer(t, V30, newTestSMGW(), logs.Logger())
	good := startClient(t, clientConfig(addr, V30), nil)
	waitReady(t, good)
	submitOK := func() {
		t.Helper()
		r, err := good.Submit(prototest.Ctx(t), &Submit{DestTermID: []string{"13300000001"}, MsgContent: []byte("ok")})
		if err != nil || r.Status != 0 {
			t.Fatalf("healthy client broken: %+v %v", r, err)
		}
	}
	sub, _ := AppendPDU(nil, 1, &Submit{DestTermID: []string{"1"}}, V30)
	for _, tc := range []struct {
		name  string
		login bool
		bytes []byte
		log   string
	}{
		{"oversized", true, hdr(MaxPDU+1, CmdSubmit, 1), "PacketLength 2049 above 2048"},
		{"huge", false, hdr(0xffffffff, CmdLogin, 1), "PacketLength 4294967295"},
		{"below header", true, hdr(8, CmdSubmit, 1), "below 12"},
		{"submit before login", false, sub, "request before Login"},
		{"garbage login", false, append(hdr(12+5, CmdLogin, 1), 1, 2, 3, 4, 5), "malformed Login"},
		{"bad login mode", false, loginWithMode(t, 7), "status=10"},
		{"second login", true, loginWithMode(t, 2), "second Login"},
	} {
		p := dialRaw(t, addr, V30)
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
}

func loginWithMode(t *testing.T, mode uint8) []byte {
	l := NewLogin(testClientID, testSecret, LoginTransmit, V30, time.Now())
	l.LoginMode = mode
	b, err := AppendPDU(nil, 1, l, V30)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A Submit whose body does not parse is refused with Status 10 and the
// connection stays up: the framing is intact.
func TestServerMalformedSubmitBody(t *testing.T) {
	_, addr := startServer(t, V30, newTestSMGW(), nil)
	p := dialRaw(t, addr, V30)
	p.login()
	body := []byte{6, 1, 0} // truncated after Priority
	p.Write(append(hdr(uint32(HeaderLen+len(body)), CmdSubmit, 7), body...))
	h, pdu, err := p.Read()
	if r, ok := pdu.(*SubmitResp); err != nil || !ok || r.Status != StatusBadStructure || h.Seq.N != 7 {
		t.Fatalf("%+v %+v %v", h, pdu, err)
	}
	// A broken TLV area is a structure error too.
	good, _ := (&Submit{DestTermID: []string{"1"}}).Marshal(nil, V30)
	bad := append(good, 0, 2, 0, 9, 1) // TP_udhi claiming 9 bytes
	p.Write(append(hdr(uint32(HeaderLen+len(bad)), CmdSubmit, 8), bad...))
	if _, pdu, err := p.Read(); err != nil || pdu.(*SubmitResp).Status != StatusBadStructure {
		t.Fatalf("bad TLV: %+v %v", pdu, err)
	}
	p.Send(9, &Submit{DestTermID: []string{"13300000001"}, MsgContent: []byte("x")})
	if _, pdu, err := p.Read(); err != nil || pdu.(*SubmitResp).Status != 0 {
		t.Fatalf("after a bad submit: %+v %v", pdu, err)
	}
}

// The client survives a hostile SMGW: a malformed Deliver (or a report it
// cannot read) is refused with Status 10, an oversized PDU closes the link
// (logged) and the client reconnects.
func TestClientMalformedSMGW(t *testing.T) {
	ln, addr := prototest.Listen(t)
	conns := make(chan *rawPeer, 4)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go rawSMGW(t, ln, authWidth(StatusWidth4), func(p *rawPeer) {
		conns <- p // the test drives it
		<-stop
	})
	var logs prototest.LogBuf
	cfg := clientConfig(addr, V30)
	cfg.Logger = logs.Logger()
	c := startClient(t, cfg, func(context.Context, *Deliver) uint32 { return 0 })
	waitReady(t, c)
	p := prototest.Recv(t, conns)

	id := NewMsgIDFromString("01006101161700000042")
	bad, _ := (&Deliver{MsgID: id, SrcTermID: "13300000001", MsgContent: []byte("x")}).Marshal(nil, V30)
	bad = bad[:40]
	p.Write(append(hdr(uint32(HeaderLen+len(bad)), CmdDeliver, 5), bad...))
	h, pdu, err := p.Read()
	if r, ok := pdu.(*DeliverResp); err != nil || !ok || r.Status != StatusBadStructure || r.MsgID != id || h.Seq.N != 5 {
		t.Fatalf("%+v %+v %v", h, pdu, err)
	}
	logs.WaitLog(t, "malformed Deliver")

	rpt := &Deliver{MsgID: id, IsReport: 1, MsgContent: []byte("not a report")}
	p.Send(6, rpt)
	if _, pdu, err := p.Read(); err != nil || pdu.(*DeliverResp).Status != StatusBadStructure {
		t.Fatalf("unreadable report: %+v %v", pdu, err)
	}

	p.Write(hdr(100000, CmdDeliver, 7))
	p.ExpectClosed()
	logs.WaitLog(t, "PacketLength 100000")
	p2 := prototest.Recv(t, conns) // the reconnect
	go p2.serveBasic()
	waitReady(t, c)
}

// A connection that never logs in is closed after LoginTimeout even though
// it answers heartbeats; a logged-in one stays.
func TestServerLoginTimeout(t *testing.T) {
	var logs prototest.LogBuf
	srv, addr := startServer(t, V30, newTestSMGW(), logs.Logger(), func(c *ServerConfig) {
		c.LoginTimeout = 100 * time.Millisecond
		c.Session = session.Config{IdleHeartbeat: 30 * time.Millisecond}
	})
	idle := dialRaw(t, addr, V30)
	closed := make(chan struct{})
	go func() { idle.serveBasic(); close(closed) }()
	in := dialRaw(t, addr, V30)
	in.login()
	go in.serveBasic()

	prototest.Recv(t, closed)
	logs.WaitLog(t, "no Login within login timeout")
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Conns()); n != 1 {
		t.Fatalf("%d logged-in connections, want 1", n)
	}
}
