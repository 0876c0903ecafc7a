package sgip

// Interop with an independent implementation, github.com/zhiyin2021/zysms
// v1.0.89 (its SGIP codec, client and server). What it allows and what it
// breaks (details in each test):
//   - its client against our SMG server: Bind, wrong password, Submit short
//     and 3-part Chinese UCS2 with UDH, Unbind — all pass (its Submits use
//     a 1-byte MessageLength, which our decoder accepts);
//   - our SP Client against its server: Bind passes (its Bind_Resp has no
//     Reserve; accepted); a spec Submit (4-byte MessageLength) is more than
//     it can parse, so it drops the connection and our client reconnects;
//   - its Dial as the SMG connecting back: it always binds with LoginType
//     1, which our Receiver refuses with Result 4; its codec over a raw
//     connection with LoginType 2: Bind, MO short and long, Unbind pass; its
//     Report has no SubmitSequenceNumber and is refused with Result 5;
//   - our SMG Client against its server as the SP: Bind passes; it misreads
//     our Report (it expects the 32-byte layout) and cannot parse our
//     Deliver.
// Its keep-alive (which sends a Report) stays off, and its listener is
// never closed: Close leaves its accept loop spinning.

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhiyin2021/zycli/tools/logger"
	"github.com/zhiyin2021/zysms"
	"github.com/zhiyin2021/zysms/codec"
	zsgip "github.com/zhiyin2021/zysms/sgip"
	"go.uber.org/zap/zapcore"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

const zysmsLongText = "中国联通短信网关互通测试，鸿雁传书一路平安。" // 22 characters

func zysmsLong() string { return strings.Repeat(zysmsLongText, 7) } // 154 characters → 3 parts

// zysmsPeer is one zysms SGIP listener shared by the tests of this binary;
// it plays the SMG for LoginType 1 binds and the SP for LoginType 2 ones.
type zysmsPeer struct {
	addr     string
	binds    chan *zsgip.BindReq
	submits  chan *zsgip.SubmitReq
	delivers chan *zsgip.DeliverReq
	reports  chan *zsgip.ReportReq
	errs     chan error
}

var (
	zysmsOnce sync.Once
	zysmsSrv  *zysmsPeer
	zysmsErr  error
)

func push[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

func zysmsServer(t *testing.T) *zysmsPeer {
	t.Helper()
	zysmsOnce.Do(func() {
		logger.SetLevel(zapcore.FatalLevel) // it logs every PDU at info
		p := &zysmsPeer{binds: make(chan *zsgip.BindReq, 16), submits: make(chan *zsgip.SubmitReq, 16),
			delivers: make(chan *zsgip.DeliverReq, 16), reports: make(chan *zsgip.ReportReq, 16), errs: make(chan error, 16)}
		srv := zysms.New(codec.SGIP)
		srv.OnError = func(_ zysms.Conn, err error) { push(p.errs, err) }
		srv.OnRecv = func(c zysms.Conn, pdu zysms.PDU) {
			switch req := pdu.(type) {
			case *zsgip.BindReq:
				resp := req.GetResponse().(*zsgip.BindResp)
				ok := req.LoginType == LoginSPToSMG && req.LoginName == testLogin && req.LoginPassword == testPassword ||
					req.LoginType == LoginSMGToSP && req.LoginName == smgLogin && req.LoginPassword == smgPassword
				if !ok {
					resp.Status = zsgip.Status(ResultIllegalLogin)
				}
				push(p.binds, req) // before the answer: a test that saw the answer finds it
				_ = c.SendPDU(resp)
			case *zsgip.SubmitReq:
				push(p.submits, req)
				_ = c.SendPDU(req.GetResponse())
			case *zsgip.DeliverReq:
				push(p.delivers, req)
				_ = c.SendPDU(req.GetResponse())
			case *zsgip.ReportReq: // zysms answers Reports itself (its "heartbeat")
				push(p.reports, req)
			}
		}
		ln, err := srv.Listen("127.0.0.1:0")
		if err != nil {
			zysmsErr = err
			return
		}
		p.addr = ln.Addr().String()
		zysmsSrv = p
	})
	if zysmsErr != nil {
		t.Fatal(zysmsErr)
	}
	return zysmsSrv
}

// waitErr waits for an error from zysms that contains want; others (EOF of
// earlier connections) are skipped.
func waitErr(t *testing.T, ch chan error, want string) {
	t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		select {
		case err := <-ch:
			if strings.Contains(err.Error(), want) {
				return
			}
		case <-deadline:
			t.Fatalf("zysms never reported %q", want)
		}
	}
}

func drain[T any](ch chan T) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// zysms' client against our SMG server.
func TestInteropZysmsClientVsOurSMG(t *testing.T) {
	zysmsServer(t) // quiets its logger
	h := newTestSMG()
	_, addr := startSMG(t, h, nil)
	cli := zysms.New(codec.SGIP)
	resps := make(chan zysms.PDU, 16)
	cli.OnRecv = func(_ zysms.Conn, p zysms.PDU) { resps <- p }

	if _, err := cli.Dial(addr, testLogin, "wrong", 3*time.Second, nil); err == nil || !strings.Contains(err.Error(), "code:1,") {
		t.Fatalf("wrong password: %v", err)
	}
	conn, err := cli.Dial(addr, testLogin, testPassword, 3*time.Second, nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	sc := recv(t, h.bound)
	if sc.LoginType() != LoginSPToSMG || sc.LoginName() != testLogin {
		t.Fatalf("bound %q type %d", sc.LoginName(), sc.LoginType())
	}

	submit := func(req *zsgip.SubmitReq) {
		t.Helper()
		if err := conn.SendPDU(req); err != nil {
			t.Fatal(err)
		}
		resp, ok := recv(t, resps).(*zsgip.SubmitResp)
		if !ok || resp.Status != 0 || resp.SequenceNumber != req.SequenceNumber {
			t.Fatalf("Submit_Resp %+v for seq %v", resp, req.SequenceNumber)
		}
	}
	short := zsgip.NewSubmitReq(zsgip.V12, 0).(*zsgip.SubmitReq)
	short.SPNumber, short.ChargeNumber, short.CorpId, short.ServiceType = "10655012345", "000000000000000000000", "12345", "NEWS"
	short.UserCount, short.UserNumber = 2, []string{"8613012345678", "8613112345678"}
	short.ReportFlag, short.MorelatetoMTFlag = ReportAlways, MTNotForMO
	if err := short.Message.SetMessage("hello from zysms", codec.ASCII); err != nil {
		t.Fatal(err)
	}
	submit(short)

	parts, err := codec.NewLongMessageWithEncoding(zysmsLong(), codec.UCS2)
	if err != nil || len(parts) != 3 {
		t.Fatalf("%d parts %v", len(parts), err)
	}
	for _, p := range parts {
		req := zsgip.NewSubmitReq(zsgip.V12, 0).(*zsgip.SubmitReq)
		req.SPNumber, req.UserCount, req.UserNumber = "10655012345", 1, []string{"8613012345678"}
		req.TpUdhi, req.MessageCoding, req.ReportFlag, req.Message = 1, CodingUCS2, ReportAlways, *p
		submit(req)
	}

	got := h.submitted()
	if len(got) != 4 {
		t.Fatalf("we saw %d submits", len(got))
	}
	s := got[0]
	if string(s.MessageContent) != "hello from zysms" || len(s.UserNumber) != 2 || s.UserNumber[1] != "8613112345678" ||
		s.CorpID != "12345" || s.ServiceType != "NEWS" || s.ChargeNumber != "000000000000000000000" || s.ReportFlag != ReportAlways {
		t.Fatalf("short submit read as %+v", s)
	}
	var whole []byte
	for i, s := range got[1:] {
		c, has, payload, err := sms.ParseUDH(s.MessageContent)
		if err != nil || !has || c.Total != 3 || c.Seq != i+1 || s.TPUDHI != 1 || s.MessageCoding != CodingUCS2 {
			t.Fatalf("part %d read as %+v %v (udhi %d)", i+1, c, err, s.TPUDHI)
		}
		whole = append(whole, payload...)
	}
	if text, err := sms.Decode(whole, sms.UCS2); err != nil || text != zysmsLong() {
		t.Fatalf("reassembled %q %v", text, err)
	}

	// Its Close would send Unbind too, but races with its own read loop
	// (the race detector says so); send Unbind, its loop closes on EOF.
	if err := conn.SendPDU(zsgip.NewUnbindReq(zsgip.V12, 0)); err != nil {
		t.Fatal(err)
	}
	if _, ok := recv(t, resps).(*zsgip.UnbindResp); !ok {
		t.Fatal("no Unbind_Resp")
	}
	if recv(t, h.unbound) != sc {
		t.Fatal("wrong session ended")
	}
}

// Our SP Client against zysms' server as the SMG.
func TestInteropOurClientVsZysmsSMG(t *testing.T) {
	z := zysmsServer(t)
	drain(z.binds)
	drain(z.errs)

	bad := spConfig(z.addr)
	bad.LoginPassword = "wrong"
	c := startClient(t, NewClient(bad))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := c.WaitReady(ctx); !errors.Is(err, session.ErrNoSession) || !strings.Contains(c.Stats().LastError, "result 1") {
		t.Fatalf("wrong password: %v / %q", err, c.Stats().LastError)
	}
	_ = c.Close(prototest.Ctx(t))
	drain(z.binds)

	c = startClient(t, NewClient(spConfig(z.addr)))
	waitReady(t, c) // zysms' Bind_Resp carries the Result byte only
	b := recv(t, z.binds)
	if b.LoginType != LoginSPToSMG || b.LoginName != testLogin || b.SequenceNumber[0] != testNode {
		t.Fatalf("zysms saw Bind %+v", b)
	}

	// zysms reads MessageLength as 1 byte: a spec Submit does not parse, it
	// drops the connection, and our client reconnects.
	_, err := c.Submit(prototest.Ctx(t), &Submit{UserNumber: []string{"8613012345678"}, MessageContent: []byte("hi")})
	if !errors.Is(err, session.ErrClosed) {
		t.Fatalf("Submit to zysms: %v (zysms parses 4-byte MessageLength now? update the test and doc)", err)
	}
	waitErr(t, z.errs, "PDU payload is invalid") // zysms' ErrInvalidPDU
	select {
	case s := <-z.submits:
		t.Fatalf("zysms decoded a Submit: %+v", s)
	default:
	}
	recv(t, z.binds) // the reconnect
	waitReady(t, c)
	if err := c.Close(prototest.Ctx(t)); err != nil { // Unbind: zysms answers it itself
		t.Fatal(err)
	}
}

// zysms as the SMG connecting back to our Receiver.
func TestInteropZysmsSMGVsOurReceiver(t *testing.T) {
	zysmsServer(t)
	h := newTestSP()
	_, addr := startReceiver(t, h, nil)

	// Its Dial binds with LoginType 1 only: our Receiver refuses it.
	if _, err := zysms.New(codec.SGIP).Dial(addr, smgLogin, smgPassword, 3*time.Second, nil); err == nil || !strings.Contains(err.Error(), "code:4,") {
		t.Fatalf("zysms Dial (LoginType 1) to the Receiver: %v", err)
	}

	// Its codec over a plain connection, with LoginType 2.
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	send := func(p codec.PDU) {
		t.Helper()
		w := codec.NewWriter()
		p.Marshal(w)
		if _, err := nc.Write(w.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	read := func() codec.PDU {
		t.Helper()
		_ = nc.SetReadDeadline(time.Now().Add(3 * time.Second))
		p, err := zsgip.Parse(nc, zsgip.V12, 0)
		if err != nil {
			t.Fatalf("zysms parsing our answer: %v", err)
		}
		return p
	}
	bind := zsgip.NewBindReq(zsgip.V12, 0).(*zsgip.BindReq)
	bind.LoginType, bind.LoginName, bind.LoginPassword = LoginSMGToSP, smgLogin, smgPassword
	send(bind)
	if r, ok := read().(*zsgip.BindResp); !ok || r.Status != 0 || r.SequenceNumber != bind.SequenceNumber {
		t.Fatalf("Bind_Resp %+v", r)
	}

	deliver := func(sm *codec.ShortMessage, udhi byte) {
		t.Helper()
		d := zsgip.NewDeliverReq(zsgip.V12, 0).(*zsgip.DeliverReq)
		d.UserNumber, d.SPNumber, d.TpUdhi, d.MessageCoding, d.Message = "8613012345678", "1065501234501", udhi, CodingUCS2, *sm
		send(d)
		if r, ok := read().(*zsgip.DeliverResp); !ok || r.Status != 0 || r.SequenceNumber != d.SequenceNumber {
			t.Fatalf("Deliver_Resp %+v", r)
		}
	}
	var mo codec.ShortMessage
	if err := mo.SetMessage("退订", codec.UCS2); err != nil {
		t.Fatal(err)
	}
	deliver(&mo, 0)
	d := recv(t, h.delivers)
	if text, _ := sms.Decode(d.MessageContent, sms.UCS2); text != "退订" || d.UserNumber != "8613012345678" || d.SPNumber != "1065501234501" {
		t.Fatalf("MO read as %+v", d)
	}
	parts, _ := codec.NewLongMessageWithEncoding(zysmsLong(), codec.UCS2)
	var whole []byte
	for i, p := range parts {
		deliver(p, 1)
		d := recv(t, h.delivers)
		c, has, payload, err := sms.ParseUDH(d.MessageContent)
		if err != nil || !has || c.Seq != i+1 || c.Total != len(parts) || d.TPUDHI != 1 {
			t.Fatalf("MO part %d: %+v %v", i+1, c, err)
		}
		whole = append(whole, payload...)
	}
	if text, _ := sms.Decode(whole, sms.UCS2); text != zysmsLong() {
		t.Fatalf("long MO %q", text)
	}

	// Its Report lacks the SubmitSequenceNumber: refused, never handed on.
	rep := zsgip.NewReportReq(zsgip.V12, 0).(*zsgip.ReportReq)
	rep.UserNumber, rep.State = "8613012345678", 0
	send(rep)
	if r, ok := read().(*zsgip.ReportResp); !ok || uint8(r.Status) != ResultBadParameter {
		t.Fatalf("Report_Resp %+v", r)
	}
	select {
	case r := <-h.reports:
		t.Fatalf("unmatchable report handed on: %+v", r)
	default:
	}

	send(zsgip.NewUnbindReq(zsgip.V12, 0))
	if _, ok := read().(*zsgip.UnbindResp); !ok {
		t.Fatal("no Unbind_Resp")
	}
	recv(t, h.unbound)
}

// Our SMG Client against zysms' server as the SP's listener.
func TestInteropOurSMGClientVsZysmsSP(t *testing.T) {
	z := zysmsServer(t)
	drain(z.binds)
	drain(z.errs)
	c := startClient(t, NewSMGClient(smgConfig(z.addr)))
	waitReady(t, c)
	if b := recv(t, z.binds); b.LoginType != LoginSMGToSP || b.LoginName != smgLogin {
		t.Fatalf("zysms saw Bind %+v", b)
	}

	// zysms reads a Report as the 32-byte layout without
	// SubmitSequenceNumber: it answers (its own auto-reply) but misreads it.
	rep := &Report{SubmitSeq: vector5Seq, UserNumber: "8613012345678", State: StateDelivered}
	if r, err := c.Report(prototest.Ctx(t), rep); err != nil || r.Result != 0 {
		t.Fatalf("Report: %+v %v", r, err)
	}
	if got := recv(t, z.reports); got.UserNumber == rep.UserNumber || got.ReportType != byte(vector5Seq.Node>>24) {
		t.Fatalf("zysms read our Report right (%+v): update the test and doc", got)
	}

	// A spec Deliver (4-byte MessageLength) does not parse there either.
	if _, err := c.Deliver(prototest.Ctx(t), &Deliver{UserNumber: "8613012345678", MessageContent: []byte("hi")}); !errors.Is(err, session.ErrClosed) {
		t.Fatalf("Deliver to zysms: %v", err)
	}
	waitErr(t, z.errs, "PDU payload is invalid") // zysms' ErrInvalidPDU
}
