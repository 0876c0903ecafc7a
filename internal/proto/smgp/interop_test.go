package smgp

// Interop with an independent implementation, github.com/zhiyin2021/zysms
// v1.0.89 (its SMGP30 codec, client and server). What it allows and what it
// breaks (details in each test):
//   - our Client against its server: Login (right and wrong secret),
//     Submit short and 3-part Chinese UCS2 with UDH and TP_udhi/PkTotal/
//     PkNumber TLVs, its MO and its status report (text labels, binary id)
//     matched to our Submit_Resp MsgID — all pass;
//   - its client against our Server: Login (right and wrong secret), Submit
//     short and 3-part long, our MO and our report decoded by it, its Exit
//     (sent by hand: its Close races with its read loop under -race)
//     — all pass, but its long Submits carry no TP_udhi TLV (it looks for
//     the UDH in the content without it), so our server sees the UDH in
//     the content only;
//   - bodiless PDUs: it reads a 16-byte header for every PDU, so an
//     Active_Test or Exit (12 bytes) from us is never answered and eats the
//     start of the next PDU. Heartbeats stay off against it; our Exit on
//     Close times out (bounded by the Close context).
//   - ids: it reads MsgID as a string cut at trailing 0x00, splits report
//     fields at spaces and refuses bytes ≥ 0x80 as "ASCII"; the ids used
//     here avoid 0x00 at the end, 0x20 and ≥ 0x80, which real BCD ids do
//     not (hour 20 is byte 0x20).
// Its listener is never closed: Close leaves its accept loop spinning.

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhiyin2021/zycli/tools/logger"
	"github.com/zhiyin2021/zysms"
	"github.com/zhiyin2021/zysms/codec"
	zsmgp "github.com/zhiyin2021/zysms/smgp"
	"go.uber.org/zap/zapcore"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

const zysmsLongText = "中国电信短信网关互通测试，鸿雁传书一路平安。" // 22 characters

func zysmsLong() string { return strings.Repeat(zysmsLongText, 7) } // 154 characters → 3 parts

// interopIDs are ids zysms can carry intact (see the file comment).
func interopID(n int) MsgID {
	id := NewMsgIDFromString("01006101161700012345")
	id[9] += byte(n)
	return id
}

// zysmsSMGW is the one zysms SMGP listener of this binary, playing an SMGW.
type zysmsSMGW struct {
	addr    string
	conns   chan zysms.Conn
	submits chan *zsmgp.SubmitReq
	dresps  chan *zsmgp.DeliverResp
	errs    chan error

	mu sync.Mutex
	n  int
}

var (
	zysmsOnce sync.Once
	zysmsSrv  *zysmsSMGW
	zysmsErr  error
)

func push[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

func zysmsServer(t *testing.T) *zysmsSMGW {
	t.Helper()
	zysmsOnce.Do(func() {
		logger.SetLevel(zapcore.FatalLevel) // it logs every PDU at info
		g := &zysmsSMGW{conns: make(chan zysms.Conn, 8), submits: make(chan *zsmgp.SubmitReq, 16),
			dresps: make(chan *zsmgp.DeliverResp, 16), errs: make(chan error, 64)}
		srv := zysms.New(codec.SMGP30)
		srv.OnError = func(_ zysms.Conn, err error) { push(g.errs, err) }
		srv.OnRecv = func(c zysms.Conn, pdu zysms.PDU) {
			switch req := pdu.(type) {
			case *zsmgp.LoginReq:
				resp := req.GetResponse().(*zsmgp.LoginResp)
				want := AuthClient(req.ClientID, testSecret, req.Timestamp)
				// It reads the authenticator as a string cut at trailing 0x00.
				if req.ClientID != testClientID || req.AuthenticatorClient != string(bytes.TrimRight(want[:], "\x00")) {
					resp.Status = zsmgp.Status(StatusAuthFailed)
				} else {
					a := AuthServer(0, want, testSecret, StatusWidth4)
					resp.AuthenticatorServer = string(a[:])
				}
				_ = c.SendPDU(resp)
				if resp.Status == 0 {
					push(g.conns, c)
				}
			case *zsmgp.SubmitReq:
				resp := req.GetResponse().(*zsmgp.SubmitResp)
				g.mu.Lock()
				id := interopID(g.n)
				g.n++
				g.mu.Unlock()
				resp.MsgId = string(id[:])
				push(g.submits, req)
				_ = c.SendPDU(resp)
			case *zsmgp.DeliverResp:
				push(g.dresps, req)
			}
		}
		ln, err := srv.Listen("127.0.0.1:0")
		if err != nil {
			zysmsErr = err
			return
		}
		g.addr = ln.Addr().String()
		zysmsSrv = g
	})
	if zysmsErr != nil {
		t.Fatal(zysmsErr)
	}
	return zysmsSrv
}

// Our Client against zysms' server.
func TestInteropClientVsZysmsServer(t *testing.T) {
	g := zysmsServer(t)

	bad := clientConfig(g.addr, V30)
	bad.Secret = "wrong"
	bc := startClient(t, bad, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	if err := bc.WaitReady(ctx); !errors.Is(err, session.ErrNoSession) || !strings.Contains(bc.Stats().LastError, "status 21") {
		t.Fatalf("wrong secret: %v %q", err, bc.Stats().LastError)
	}
	cancel()
	_ = bc.Close(context.Background())

	delivers := make(chan *Deliver, 4)
	c := NewClient(clientConfig(g.addr, V30), func(_ context.Context, d *Deliver) uint32 { delivers <- d; return 0 })
	c.Start(context.Background())
	defer func() {
		// Its 16-byte header read never completes on our 12-byte Exit:
		// Close ends when this context does.
		cctx, ccancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer ccancel()
		_ = c.Close(cctx)
	}()
	waitReady(t, c)
	zc := prototest.Recv(t, g.conns)
	for len(g.submits) > 0 {
		<-g.submits
	}

	r, err := c.Submit(prototest.Ctx(t), &Submit{NeedReport: 1, SrcTermID: "106900001234", DestTermID: []string{"13300000001"}, MsgContent: []byte("hello")})
	if err != nil || r.Status != 0 {
		t.Fatalf("submit: %+v %v", r, err)
	}
	if s := prototest.Recv(t, g.submits); s.Message.GetMessage() != "hello" || s.DestTermID[0] != "13300000001" || s.SubType != MsgTypeMT || s.NeedReport != 1 {
		t.Fatalf("zysms saw %+v", s)
	}

	parts, err := sms.Split(zysmsLong(), sms.UCS2, 0x2b)
	if err != nil || len(parts) != 3 {
		t.Fatalf("split: %d %v", len(parts), err)
	}
	for _, p := range parts {
		s := &Submit{MsgFormat: FmtUCS2, SrcTermID: "106900001234", DestTermID: []string{"13300000001"}, MsgContent: p.Content()}
		s.TLVs.SetByte(TagTPUDHI, 1)
		s.TLVs.SetByte(TagPkTotal, 3)
		s.TLVs.SetByte(TagPkNumber, uint8(p.Seq))
		if r, err := c.Submit(prototest.Ctx(t), s); err != nil || r.Status != 0 {
			t.Fatalf("part %d: %+v %v", p.Seq, r, err)
		}
		zs := prototest.Recv(t, g.submits)
		udhi, total, num := zs.OptionalParameters[codec.TagTPUdhi], zs.OptionalParameters[codec.TagPkTotal], zs.OptionalParameters[codec.TagPkNumber]
		if !bytes.Equal(zs.Message.GetMessageData(), p.Content()) || !bytes.Equal(udhi.Data, []byte{1}) ||
			!bytes.Equal(total.Data, []byte{3}) || !bytes.Equal(num.Data, []byte{byte(p.Seq)}) {
			t.Fatalf("part %d as zysms saw it: %x %v", p.Seq, zs.Message.GetMessageData(), zs.OptionalParameters)
		}
	}

	// Its status report for the first Submit, then an MO.
	rpt := zsmgp.NewDeliverReq(zsmgp.V30).(*zsmgp.DeliverReq)
	rid := interopID(5)
	rpt.MsgId, rpt.SrcTermID, rpt.DestTermID, rpt.RecvTime = string(rid[:]), "13300000001", "106900001234", "20250116170100"
	rpt.Report = &zsmgp.DeliverReport{MsgId: string(r.MsgID[:]), Sub: "001", Dlvrd: "001",
		SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "000"}
	if err := zc.SendPDU(rpt); err != nil {
		t.Fatal(err)
	}
	d := prototest.Recv(t, delivers)
	if d.IsReport != 1 || d.Report == nil || d.Report.MsgID.String() != r.MsgID.String() || !d.Report.Delivered() || d.Report.Err != "000" {
		t.Fatalf("report: %+v / %+v", d, d.Report)
	}
	if dr := prototest.Recv(t, g.dresps); dr.Status != 0 || dr.MsgId != string(rid[:]) {
		t.Fatalf("Deliver_Resp as zysms saw it: %+v", dr)
	}

	mo := zsmgp.NewDeliverReq(zsmgp.V30).(*zsmgp.DeliverReq)
	moID := interopID(6)
	mo.MsgId, mo.SrcTermID, mo.DestTermID, mo.MsgFormat = string(moID[:]), "13300000001", "106900001234", FmtUCS2
	if err := mo.Message.SetMessage("退订 谢谢", codec.UCS2); err != nil {
		t.Fatal(err)
	}
	if err := zc.SendPDU(mo); err != nil {
		t.Fatal(err)
	}
	d = prototest.Recv(t, delivers)
	if text, err := sms.Decode(d.MsgContent, sms.CodingFromFormat(d.MsgFormat)); err != nil || text != "退订 谢谢" || d.IsReport != 0 {
		t.Fatalf("MO: %q %v %+v", text, err, d)
	}
	prototest.Recv(t, g.dresps)
}

// zysms' client against our Server.
func TestInteropZysmsClientVsOurServer(t *testing.T) {
	zysmsServer(t) // quiets its logger
	h := &fixedIDSMGW{testSMGW: newTestSMGW()}
	_, addr := startServer(t, V30, h, nil, func(c *ServerConfig) {
		c.Session.IdleHeartbeat = time.Hour // it cannot read a 12-byte Active_Test
	})
	cli := zysms.New(codec.SMGP30)
	resps := make(chan zysms.PDU, 16)
	cli.OnRecv = func(c zysms.Conn, p zysms.PDU) {
		if d, ok := p.(*zsmgp.DeliverReq); ok {
			resp := d.GetResponse().(*zsmgp.DeliverResp)
			resp.MsgId = d.MsgId
			_ = c.SendPDU(resp)
		}
		resps <- p
	}

	if _, err := cli.Dial(addr, testClientID, "wrong", 3*time.Second, nil); err == nil || !strings.Contains(err.Error(), "code:21,") {
		t.Fatalf("wrong secret: %v", err)
	}
	conn, err := cli.Dial(addr, testClientID, testSecret, 3*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := prototest.Recv(t, h.Logins)
	if sc.ClientID() != testClientID || sc.Version() != V30 || sc.LoginMode() != LoginTransmit {
		t.Fatalf("server sees %q %s %s", sc.ClientID(), sc.Version(), sc.LoginMode())
	}

	sub := zsmgp.NewSubmitReq(zsmgp.V30).(*zsmgp.SubmitReq)
	sub.SubType, sub.NeedReport, sub.SrcTermID, sub.DestTermID = 6, 1, "106900001234", []string{"13300000001"}
	_ = sub.Message.SetMessage("hello", codec.ASCII)
	if err := conn.SendPDU(sub); err != nil {
		t.Fatal(err)
	}
	sr := nextOf[*zsmgp.SubmitResp](t, resps)
	firstID := interopID(0)
	if sr.Status != 0 || sr.MsgId != string(firstID[:]) {
		t.Fatalf("Submit_Resp as zysms saw it: %+v", sr)
	}
	if s := h.submitted()[0]; string(s.MsgContent) != "hello" || s.NeedReport != 1 || s.DestTermID[0] != "13300000001" {
		t.Fatalf("our server saw %+v", s)
	}

	segs, err := codec.NewLongMessageWithEncoding(zysmsLong(), codec.UCS2)
	if err != nil || len(segs) != 3 {
		t.Fatalf("zysms split: %d %v", len(segs), err)
	}
	for _, seg := range segs {
		s := zsmgp.NewSubmitReq(zsmgp.V30).(*zsmgp.SubmitReq)
		s.SubType, s.MsgFormat, s.SrcTermID, s.DestTermID, s.Message = 6, FmtUCS2, "106900001234", []string{"13300000001"}, *seg
		if err := conn.SendPDU(s); err != nil {
			t.Fatal(err)
		}
		nextOf[*zsmgp.SubmitResp](t, resps)
	}
	var payload []byte
	for i, s := range h.submitted()[1:] {
		cc, ok, p, err := sms.ParseUDH(s.MsgContent)
		if err != nil || !ok || cc.Seq != i+1 || cc.Total != 3 {
			t.Fatalf("part %d: %+v %v %v", i, cc, ok, err)
		}
		if s.UDHI() {
			t.Fatal("zysms now sends TP_udhi: update the file comment")
		}
		payload = append(payload, p...)
	}
	if text, err := sms.Decode(payload, sms.UCS2); err != nil || text != zysmsLong() {
		t.Fatalf("long text %q %v", text, err)
	}

	// Our MO and our report for its first Submit.
	ctx := prototest.Ctx(t)
	mo := &Deliver{MsgID: interopID(7), MsgFormat: FmtUCS2, RecvTime: "20250116170000", SrcTermID: "13300000001",
		DestTermID: "106900001234", MsgContent: mustEncode("你好，鸿雁")}
	if r, err := sc.Deliver(ctx, mo); err != nil || r.Status != 0 {
		t.Fatalf("MO: %+v %v", r, err)
	}
	zmo := nextOf[*zsmgp.DeliverReq](t, resps)
	if zmo.IsReport != 0 || zmo.Message.GetMessage() != "你好，鸿雁" || zmo.SrcTermID != "13300000001" {
		t.Fatalf("MO as zysms saw it: %+v %q", zmo, zmo.Message.GetMessage())
	}
	rpt := &Deliver{MsgID: interopID(8), SrcTermID: "13300000001", DestTermID: "106900001234",
		Report: &Report{MsgID: firstID, SubmitDate: "2501161700", DoneDate: "2501161701", Stat: StatDelivered}}
	if r, err := sc.Deliver(ctx, rpt); err != nil || r.Status != 0 {
		t.Fatalf("report: %+v %v", r, err)
	}
	zr := nextOf[*zsmgp.DeliverReq](t, resps)
	if zr.IsReport != 1 || zr.Report == nil || zr.Report.MsgId != string(firstID[:]) || zr.Report.Stat != "DELIVRD" ||
		zr.Report.SubmitDate != "2501161700" || zr.Report.Err != "000" {
		t.Fatalf("report as zysms saw it: %+v", zr.Report)
	}

	// Its Exit, sent by hand: its Close does the same but races with its
	// own read loop (a data race inside zysms, seen with -race).
	if err := conn.SendPDU(zsmgp.NewExitReq(zsmgp.V30)); err != nil {
		t.Fatal(err)
	}
	prototest.Recv(t, h.Logouts)
}

// zysms reads 16 bytes as the header of every PDU: a 12-byte Active_Test
// is never answered. Recorded here so a fixed version shows up.
func TestInteropZysmsBodylessPDUs(t *testing.T) {
	g := zysmsServer(t)
	p := dialRaw(t, g.addr, V30)
	p.login()
	prototest.Recv(t, g.conns)
	p.Write(hdr(12, CmdActiveTest, 2))
	_ = p.NC.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := p.NC.Read(make([]byte, 64)); err == nil {
		t.Fatalf("zysms answered a 12-byte Active_Test (%d bytes): update the file comment", n)
	}
}

// fixedIDSMGW answers Submits with interopIDs.
type fixedIDSMGW struct {
	*testSMGW
	n int
}

func (h *fixedIDSMGW) Submit(ctx context.Context, sc *ServerConn, s *Submit) *SubmitResp {
	r := h.testSMGW.Submit(ctx, sc, s)
	h.mu.Lock()
	r.MsgID = interopID(h.n)
	h.n++
	h.mu.Unlock()
	return r
}

// nextOf returns the next PDU of type T, skipping others.
func nextOf[T any](t *testing.T, ch <-chan zysms.PDU) T {
	t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		select {
		case p := <-ch:
			if v, ok := p.(T); ok {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T from zysms", zero)
			return zero
		}
	}
}
