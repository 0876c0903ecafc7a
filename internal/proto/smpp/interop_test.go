package smpp

// Interop with independent implementations: our Client against
// fiorix/go-smpp's smpptest SMSC, and fiorix's Transceiver and
// linxGnu/gosmpp's session as ESMEs against our Server. Checks on the far
// side decode with the standard library (unicode/utf16), not our code.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	fsmpp "github.com/fiorix/go-smpp/smpp"
	fpdu "github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
	"github.com/fiorix/go-smpp/smpp/smpptest"
	"github.com/linxGnu/gosmpp"
	gdata "github.com/linxGnu/gosmpp/data"
	gpdu "github.com/linxGnu/gosmpp/pdu"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/sms"
)

// utf16BE decodes big-endian UTF-16 independently of internal/sms.
func utf16BE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// fiorixSeen is what fiorix's smpptest SMSC decoded from one submit_sm.
type fiorixSeen struct {
	esm, dc uint8
	sm      []byte
	sar     [3]int // ref, total, seq; -1 when absent
	id      string
}

// fiorixSMSC wraps smpptest.Server: it answers submit_sm with a hex
// message id, then sends a receipt deliver_sm whose text carries the id in
// decimal and whose receipted_message_id TLV carries it in hex.
type fiorixSMSC struct {
	srv *smpptest.Server

	mu       sync.Mutex
	seen     []fiorixSeen
	respDone []uint32 // command_status of our deliver_sm_resp
	next     uint32
}

func startFiorixSMSC(t *testing.T) *fiorixSMSC {
	f := &fiorixSMSC{srv: smpptest.NewUnstartedServer(), next: 0x1A2B}
	f.srv.User, f.srv.Passwd = testSysID, testPassword
	f.srv.Handler = f.handle
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fiorixSMSC) handle(c smpptest.Conn, m fpdu.Body) {
	h := m.Header()
	switch h.ID {
	case fpdu.SubmitSMID:
		fl := m.Fields()
		s := fiorixSeen{esm: fl[pdufield.ESMClass].Bytes()[0], dc: fl[pdufield.DataCoding].Bytes()[0],
			sm: fl[pdufield.ShortMessage].Bytes(), sar: [3]int{-1, -1, -1}}
		tl := m.TLVFields()
		for i, tag := range []pdutlv.Tag{pdutlv.TagSarMsgRefNum, pdutlv.TagSarTotalSegments, pdutlv.TagSarSegmentSeqnum} {
			if v, ok := tl[tag]; ok {
				b := v.Bytes()
				if len(b) == 2 {
					s.sar[i] = int(binary.BigEndian.Uint16(b))
				} else if len(b) == 1 {
					s.sar[i] = int(b[0])
				}
			}
		}
		f.mu.Lock()
		f.next++
		n := f.next
		s.id = fmt.Sprintf("%X", n)
		f.seen = append(f.seen, s)
		f.mu.Unlock()

		resp := fpdu.NewSubmitSMResp()
		resp.Header().Seq = h.Seq
		_ = resp.Fields().Set(pdufield.MessageID, s.id)
		_ = c.Write(resp)

		d := fpdu.NewDeliverSM()
		df := d.Fields()
		_ = df.Set(pdufield.SourceAddr, fl[pdufield.DestinationAddr].String())
		_ = df.Set(pdufield.DestinationAddr, fl[pdufield.SourceAddr].String())
		_ = df.Set(pdufield.ESMClass, uint8(0x04))
		// fiorix issue #73: its deliver_sm writes a UDH length byte even
		// without UDHI; empty fields stop that.
		_ = df.Set(pdufield.UDHLength, &pdufield.SM{})
		_ = df.Set(pdufield.GSMUserData, &pdufield.SM{})
		_ = df.Set(pdufield.ShortMessage, []byte(fmt.Sprintf(
			"id:%010d sub:001 dlvrd:001 submit date:2501161700 done date:2501161701 stat:DELIVRD err:000 text:", n)))
		_ = d.TLVFields().Set(pdutlv.TagReceiptedMessageID, pdutlv.CString(s.id))
		_ = d.TLVFields().Set(pdutlv.TagMessageStateOption, uint8(StateDelivered))
		_ = c.Write(d)
	case fpdu.DeliverSMRespID:
		f.mu.Lock()
		f.respDone = append(f.respDone, uint32(h.Status))
		f.mu.Unlock()
	case fpdu.EnquireLinkID:
		_ = c.Write(fpdu.NewEnquireLinkRespSeq(h.Seq))
	case fpdu.UnbindID:
		r := fpdu.NewUnbindResp()
		r.Header().Seq = h.Seq
		_ = c.Write(r)
	}
}

func (f *fiorixSMSC) submits() []fiorixSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fiorixSeen(nil), f.seen...)
}

// Our Client against smpptest: bind (smpptest answers the bind with its own
// sequence number), a long Chinese text with UDH and with SAR, receipts
// back (hex id in the response and TLV, decimal in the text), unbind.
func TestInteropClientVsFiorixSMSC(t *testing.T) {
	for _, mode := range []LongMode{LongUDH, LongSAR} {
		t.Run(mode.String(), func(t *testing.T) {
			f := startFiorixSMSC(t)
			receipts := make(chan *Receipt, 8)
			cfg := clientConfig(f.srv.Addr(), V34)
			cfg.IDFormat = IDHexToDec
			c := startClient(t, cfg, func(_ context.Context, d *DeliverSM) uint32 {
				if r, ok := d.Receipt(); ok {
					receipts <- r
				}
				return ESME_ROK
			})
			waitReady(t, c)

			base := &SubmitSM{SourceAddrTON: 5, SourceAddr: "Hongyan", DestAddrTON: 1, DestAddrNPI: 1,
				DestinationAddr: "8613800138000", RegisteredDelivery: RegDeliveryReceipt}
			parts, err := SplitSubmit(base, longChinese, sms.UCS2, 0x5a, mode)
			if err != nil || len(parts) != 2 {
				t.Fatalf("%d parts, %v", len(parts), err)
			}
			keys := map[string]bool{}
			for _, p := range parts {
				r, err := c.Submit(prototest.Ctx(t), p)
				if err != nil || r.Status != 0 || r.MessageID == "" {
					t.Fatalf("%+v %v", r, err)
				}
				keys[c.IDFormat().RespKey(r.MessageID)] = true
			}

			var text []byte
			for i, s := range f.submits() {
				if s.dc != 8 {
					t.Fatalf("part %d data_coding %d", i+1, s.dc)
				}
				switch mode {
				case LongUDH:
					udh := []byte{5, 0, 3, 0x5a, 2, byte(i + 1)}
					if s.esm&0x40 == 0 || string(s.sm[:6]) != string(udh) || s.sar[0] != -1 {
						t.Fatalf("part %d at fiorix: esm %#x sm % x", i+1, s.esm, s.sm[:8])
					}
					text = append(text, s.sm[6:]...)
				case LongSAR:
					if s.esm&0x40 != 0 || s.sar != [3]int{0x5a, 2, i + 1} {
						t.Fatalf("part %d at fiorix: esm %#x sar %v", i+1, s.esm, s.sar)
					}
					text = append(text, s.sm...)
				}
			}
			if got := utf16BE(text); got != longChinese {
				t.Fatalf("fiorix reassembled %q", got)
			}
			for range parts {
				r := prototest.Recv(t, receipts)
				if !r.Delivered() || !r.IDFromTLV || !keys[r.Key(c.IDFormat())] || !IDHexToDec.MatchID(r.ID, r.TextID) {
					t.Fatalf("receipt %+v does not match %v", r, keys)
				}
			}
			if err := c.Close(prototest.Ctx(t)); err != nil {
				t.Fatalf("Close (unbind to smpptest): %v", err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.respDone) != 2 || f.respDone[0] != 0 || f.respDone[1] != 0 {
				t.Fatalf("deliver_sm_resp statuses at fiorix: %v", f.respDone)
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		log.SetOutput(io.Discard) // smpptest logs each refused bind
		t.Cleanup(func() { log.SetOutput(os.Stderr) })
		f := startFiorixSMSC(t)
		cfg := clientConfig(f.srv.Addr(), V34)
		cfg.Password = "wrong"
		var logs prototest.LogBuf
		cfg.Logger = logs.Logger()
		c := startClient(t, cfg, nil)
		defer func() {
			if t.Failed() {
				t.Log(logs.String())
			}
		}()
		waitLastError(t, c, "bind_transceiver")
	})
}

// fiorix's Transceiver as an ESME against our Server: bind (and a refused
// one), a short and a long Chinese submit (16-bit reference UDH), a receipt
// and an MO back, unbind.
func TestInteropFiorixTransceiverVsServer(t *testing.T) {
	h := newTestSMSC()
	_, addr := startServer(t, serverConfig(V34, nil), h)

	bad := &fsmpp.Transceiver{Addr: addr, User: testSysID, Passwd: "wrong", BindInterval: time.Hour}
	st := <-bad.Bind()
	if st.Status() != fsmpp.BindFailed || !strings.Contains(fmt.Sprint(st.Error()), "assword") {
		t.Fatalf("wrong password: %v %v", st.Status(), st.Error())
	}
	bad.Close()

	got := make(chan fpdu.Body, 4)
	tx := &fsmpp.Transceiver{Addr: addr, User: testSysID, Passwd: testPassword, RespTimeout: 2 * time.Second,
		BindInterval: time.Hour, Handler: func(p fpdu.Body) { got <- p }}
	if st := <-tx.Bind(); st.Status() != fsmpp.Connected {
		t.Fatalf("bind: %v %v", st.Status(), st.Error())
	}
	t.Cleanup(func() { tx.Close() })
	sc := prototest.Recv(t, h.Logins)
	if sc.BindMode() != BindTransceiver || sc.SystemID() != testSysID {
		t.Fatalf("server sees %s %q", sc.BindMode(), sc.SystemID())
	}

	sm, err := tx.Submit(&fsmpp.ShortMessage{Src: "Hongyan", Dst: "8613800138000", Text: pdutext.UCS2("鸿雁你好"),
		Register: pdufield.FinalDeliveryReceipt})
	if err != nil || sm.RespID() == "" {
		t.Fatalf("submit: %v", err)
	}
	respID := sm.RespID()
	if _, err := tx.SubmitLongMsg(&fsmpp.ShortMessage{Src: "Hongyan", Dst: "8613800138000", Text: pdutext.UCS2(longChinese)}); err != nil {
		t.Fatalf("long submit: %v", err)
	}
	subs := h.submitted()
	if len(subs) != 3 || fromUCS2(subs[0].ShortMessage) != "鸿雁你好" || subs[0].RegisteredDelivery != 1 {
		t.Fatalf("server saw %+v", subs)
	}
	ra := sms.NewReassembler(time.Minute)
	var whole []byte
	for _, s := range subs[1:] {
		c, err := s.Content()
		if err != nil || c.Via != ConcatUDH || !c.Concat.Ref16 {
			t.Fatalf("long part %+v %v", c, err)
		}
		if w, done := ra.Add("fiorix", c.Concat, c.Payload, time.Now()); done {
			whole = w
		}
	}
	if fromUCS2(whole) != longChinese {
		t.Fatalf("server reassembled %q", fromUCS2(whole))
	}

	rcpt := NewReceipt(subs[0], &Receipt{ID: respID, Stat: "DELIVRD", SubmitDate: "2501161700", DoneDate: "2501161701"})
	if r, err := sc.Deliver(prototest.Ctx(t), rcpt); err != nil || r.Status != 0 {
		t.Fatalf("receipt: %+v %v", r, err)
	}
	p := prototest.Recv(t, got)
	fl := p.Fields()
	if p.Header().ID != fpdu.DeliverSMID || fl[pdufield.ESMClass].Bytes()[0] != EsmDeliveryReceipt ||
		!strings.Contains(fl[pdufield.ShortMessage].String(), "id:"+respID+" ") ||
		p.TLVFields()[pdutlv.TagReceiptedMessageID].String() != respID+"\x00" && p.TLVFields()[pdutlv.TagReceiptedMessageID].String() != respID {
		t.Fatalf("receipt at fiorix: %v %v", fl, p.TLVFields())
	}
	mo := &DeliverSM{SourceAddrTON: 1, SourceAddr: "8613800138000", DestinationAddr: "10658000", DataCoding: 8, ShortMessage: ucs2("退订")}
	if r, err := sc.Deliver(prototest.Ctx(t), mo); err != nil || r.Status != 0 {
		t.Fatalf("MO: %+v %v", r, err)
	}
	p = prototest.Recv(t, got)
	if p.Fields()[pdufield.DataCoding].Bytes()[0] != 8 || utf16BE(p.Fields()[pdufield.ShortMessage].Bytes()) != "退订" {
		t.Fatalf("MO at fiorix: %v", p.Fields())
	}

	if err := tx.Close(); err != nil {
		t.Fatal(err)
	}
	if prototest.Recv(t, h.Logouts) != sc {
		t.Fatal("wrong connection closed")
	}
}

// linxGnu/gosmpp's session as an ESME against our Server: bind (and a
// refused one), short and long (8-bit reference UDH) Chinese, receipt back.
func TestInteropGosmppVsServer(t *testing.T) {
	h := newTestSMSC()
	_, addr := startServer(t, serverConfig(V34, nil), h)
	settings := func(onPDU gosmpp.PDUCallback) gosmpp.Settings {
		return gosmpp.Settings{ReadTimeout: 10 * time.Second, WriteTimeout: 2 * time.Second, OnPDU: onPDU}
	}

	_, err := gosmpp.NewSession(gosmpp.TRXConnector(gosmpp.NonTLSDialer,
		gosmpp.Auth{SMSC: addr, SystemID: testSysID, Password: "wrong"}), settings(nil), -1)
	var be gosmpp.BindError
	if !errors.As(err, &be) || uint32(be.CommandStatus) != ESME_RINVPASWD {
		t.Fatalf("wrong password: %v", err)
	}

	resps := make(chan *gpdu.SubmitSMResp, 8)
	delivers := make(chan *gpdu.DeliverSM, 4)
	sess, err := gosmpp.NewSession(gosmpp.TRXConnector(gosmpp.NonTLSDialer,
		gosmpp.Auth{SMSC: addr, SystemID: testSysID, Password: testPassword}), settings(func(p gpdu.PDU, _ bool) {
		switch x := p.(type) {
		case *gpdu.SubmitSMResp:
			resps <- x
		case *gpdu.DeliverSM:
			delivers <- x
		}
	}), -1)
	if err != nil {
		t.Fatalf("bind: %v", err)
	}
	t.Cleanup(func() { _ = sess.Close() })
	sc := prototest.Recv(t, h.Logins)

	newSubmit := func(text string, long bool) *gpdu.SubmitSM {
		s := gpdu.NewSubmitSM().(*gpdu.SubmitSM)
		s.SourceAddr, _ = gpdu.NewAddressWithAddr("Hongyan")
		s.DestAddr, _ = gpdu.NewAddressWithAddr("8613800138000")
		s.RegisteredDelivery = 1
		if long {
			_ = s.Message.SetLongMessageWithEnc(text, gdata.UCS2)
		} else {
			_ = s.Message.SetMessageWithEncoding(text, gdata.UCS2)
		}
		return s
	}
	short := newSubmit("鸿雁你好", false)
	if err := sess.Transceiver().Submit(short); err != nil {
		t.Fatal(err)
	}
	first := prototest.Recv(t, resps)
	if first.CommandStatus != gdata.ESME_ROK || first.MessageID == "" {
		t.Fatalf("resp %+v", first)
	}
	parts, err := newSubmit(longChinese, true).Split()
	if err != nil || len(parts) < 2 {
		t.Fatalf("gosmpp split: %d %v", len(parts), err)
	}
	for _, p := range parts {
		if err := sess.Transceiver().Submit(p); err != nil {
			t.Fatal(err)
		}
		if r := prototest.Recv(t, resps); r.CommandStatus != gdata.ESME_ROK {
			t.Fatalf("part resp %+v", r)
		}
	}
	subs := h.submitted()
	if fromUCS2(subs[0].ShortMessage) != "鸿雁你好" {
		t.Fatalf("short at server %+v", subs[0])
	}
	ra := sms.NewReassembler(time.Minute)
	var whole []byte
	for _, s := range subs[1:] {
		c, err := s.Content()
		if err != nil || c.Via != ConcatUDH {
			t.Fatalf("long part %+v %v", c, err)
		}
		if w, done := ra.Add("gosmpp", c.Concat, c.Payload, time.Now()); done {
			whole = w
		}
	}
	if fromUCS2(whole) != longChinese {
		t.Fatalf("server reassembled %q", fromUCS2(whole))
	}

	rcpt := NewReceipt(subs[0], &Receipt{ID: first.MessageID, Stat: "UNDELIV", Err: "034"})
	if r, err := sc.Deliver(prototest.Ctx(t), rcpt); err != nil || r.Status != 0 {
		t.Fatalf("receipt: %+v %v", r, err)
	}
	d := prototest.Recv(t, delivers)
	txt, _ := d.Message.GetMessageWithEncoding(gdata.ASCII)
	tlv, ok := d.OptionalParameters[gpdu.TagReceiptedMessageID]
	if d.EsmClass != EsmDeliveryReceipt || !strings.Contains(txt, "id:"+first.MessageID+" ") || !strings.Contains(txt, "stat:UNDELIV") ||
		!ok || strings.TrimRight(string(tlv.Data), "\x00") != first.MessageID {
		t.Fatalf("receipt at gosmpp: %+v %q", d, txt)
	}
	// gosmpp races its own reader on Close (our unbind_resp and close can
	// make its final conn.Close report "use of closed network connection").
	if err := sess.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatal(err)
	}
	if prototest.Recv(t, h.Logouts) != sc {
		t.Fatal("wrong connection closed")
	}
}
