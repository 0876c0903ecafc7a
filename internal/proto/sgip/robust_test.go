package sgip

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
)

func rawHeader(length, cmd uint32) []byte {
	return Protocol{}.AppendHeader(nil, session.Header{Length: length, Command: cmd, Seq: vector5Seq})
}

// A malformed or oversized PDU closes only that connection; the Receiver
// carries on (the shared suite covers the SMG role).
func TestReceiverMalformedPeer(t *testing.T) {
	var logs prototest.LogBuf
	_, raddr := startReceiver(t, newTestSP(), logs.Logger())
	p := dialRaw(t, raddr)
	p.write(rawHeader(MaxPDU+1, CmdDeliver))
	p.expectClosed()
	p = dialRaw(t, raddr)
	if r := p.bind(LoginSMGToSP, smgLogin, smgPassword); r != 0 {
		t.Fatal(r)
	}
	p.send(p.nextSeq(), &Deliver{UserNumber: "8613012345678", MessageContent: []byte("still here")})
	if _, pdu, err := p.read(); err != nil || pdu.(*DeliverResp).Result != 0 {
		t.Fatalf("receiver after a malformed peer: %+v %v", pdu, err)
	}
}

// Intact framing, bad or misplaced body: an error Result, connection kept.
func TestServerRefusesButKeeps(t *testing.T) {
	_, smgAddr := startSMG(t, newTestSMG(), nil)
	_, rcvAddr := startReceiver(t, newTestSP(), nil)
	sub, _ := (&Submit{UserNumber: []string{"8613012345678"}, MessageContent: []byte("x")}).Marshal(nil, Standard)
	rep, _ := sampleReport().Marshal(nil, Standard)
	withBody := func(cmd uint32, body []byte) []byte {
		return append(rawHeader(uint32(HeaderLen+len(body)), cmd), body...)
	}
	for _, tc := range []struct {
		name       string
		addr       string
		login      uint8
		user, pass string
		req        []byte
		wantCmd    uint32
		want       uint8
	}{
		{"truncated submit", smgAddr, LoginSPToSMG, testLogin, testPassword, withBody(CmdSubmit, sub[:60]), CmdSubmitResp, ResultBadParameter},
		{"deliver to the SMG", smgAddr, LoginSPToSMG, testLogin, testPassword, mustPDU(t, sampleDeliver()), CmdDeliverResp, ResultNotProvided},
		{"GNS command", smgAddr, LoginSPToSMG, testLogin, testPassword, rawHeader(HeaderLen, 0x6), 0x80000006, ResultNotProvided},
		{"submit to the SP", rcvAddr, LoginSMGToSP, smgLogin, smgPassword, mustPDU(t, sampleSubmit()), CmdSubmitResp, ResultNotProvided},
		{"report without its sequence (zysms)", rcvAddr, LoginSMGToSP, smgLogin, smgPassword, withBody(CmdReport, rep[12:]), CmdReportResp, ResultBadParameter},
		{"short userrpt", rcvAddr, LoginSMGToSP, smgLogin, smgPassword, withBody(CmdUserRpt, make([]byte, 10)), CmdUserRptResp, ResultBadParameter},
	} {
		p := dialRaw(t, tc.addr)
		if r := p.bind(tc.login, tc.user, tc.pass); r != 0 {
			t.Fatalf("%s: bind %d", tc.name, r)
		}
		p.write(tc.req)
		b, err := p.readRaw()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if cmd := binary.BigEndian.Uint32(b[4:]); cmd != tc.wantCmd || len(b) != 29 || b[20] != tc.want || !bytes.Equal(b[8:20], rawHeader(0, 0)[8:20]) {
			t.Fatalf("%s: answered % x", tc.name, b)
		}
		p.send(p.nextSeq(), &Unbind{}) // the session still works
		if h, _, err := p.read(); err != nil || h.Command != CmdUnbindResp {
			t.Fatalf("%s: after refusal %+v %v", tc.name, h, err)
		}
		p.expectClosed()
	}
}

// The client survives a hostile SMG: requests on its connection are
// refused (30), an Unbind is answered, an oversized PDU closes the link
// (logged) and the client reconnects.
func TestClientHostileSMG(t *testing.T) {
	ln, addr := listen(t)
	conns := make(chan *rawPeer, 4)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go rawSMG(t, ln, func(p *rawPeer) {
		conns <- p
		<-stop
	})
	var logs prototest.LogBuf
	cfg := spConfig(addr)
	cfg.Logger = logs.Logger()
	c := startClient(t, NewClient(cfg))
	waitReady(t, c)
	p := recv(t, conns)

	seq := p.nextSeq()
	p.send(seq, sampleDeliver())
	if h, pdu, err := p.read(); err != nil || h.Seq != seq || pdu.(*DeliverResp).Result != ResultNotProvided {
		t.Fatalf("deliver on the SP's connection: %+v %+v %v", h, pdu, err)
	}

	p.write(rawHeader(100000, CmdSubmitResp))
	p.expectClosed()
	logs.WaitLog(t, "Message_Length 100000")
	p = recv(t, conns) // the reconnect
	waitReady(t, c)

	seq = p.nextSeq()
	p.send(seq, &Unbind{})
	if h, _, err := p.read(); err != nil || h.Command != CmdUnbindResp || h.Seq != seq {
		t.Fatalf("unbind: %+v %v", h, err)
	}
	p.expectClosed()
	go recv(t, conns).answerUnbind() // it comes back; let it leave cleanly
	waitReady(t, c)
	if st := c.Stats(); st.Reconnects < 2 {
		t.Fatalf("stats %+v", st)
	}
}

// A handler that panics closes its connection, not the process.
func TestHandlerPanic(t *testing.T) {
	var logs prototest.LogBuf
	srv := NewReceiver(receiverConfig(logs.Logger()), panicSP{})
	addr := serve(t, srv)
	p := dialRaw(t, addr)
	if r := p.bind(LoginSMGToSP, smgLogin, smgPassword); r != 0 {
		t.Fatal(r)
	}
	p.send(p.nextSeq(), sampleDeliver())
	p.expectClosed()
	logs.WaitLog(t, "handler panic")
	p = dialRaw(t, addr)
	if r := p.bind(LoginSMGToSP, smgLogin, smgPassword); r != 0 {
		t.Fatal("server gone after a panic")
	}
}

type panicSP struct{}

func (panicSP) Deliver(context.Context, *ServerConn, *Deliver) uint8 { panic("boom") }
func (panicSP) Report(context.Context, *ServerConn, *Report) uint8   { return 0 }

func mustPDU(t testing.TB, p PDU) []byte {
	t.Helper()
	b, err := AppendPDU(nil, vector5Seq, p, Standard)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
