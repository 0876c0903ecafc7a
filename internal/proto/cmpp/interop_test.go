package cmpp

// Interop with an independent implementation, github.com/bigwhite/gocmpp:
// our Client against its Server, its Client against our Server, 3.0 and 2.0.

import (
	"bytes"
	"context"
	"crypto/md5"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	gocmpp "github.com/bigwhite/gocmpp"

	"hongyan/internal/proto/prototest"
)

const gocmppMsgID = 12878564852733378560 // 0xB2B9DA8000010000, gocmpp's example id

// gocmppISMG is a gocmpp Server that authenticates testSP/testSecret,
// records SUBMITs and answers each with a 60-byte status report DELIVER.
type gocmppISMG struct {
	typ gocmpp.Type

	mu      sync.Mutex
	submits []submitSeen
	nextID  uint64
}

type submitSeen struct {
	udhi    uint8
	total   uint8
	number  uint8
	fmt     uint8
	dests   []string
	content []byte
	msgID   uint64
}

func (g *gocmppISMG) serve(r *gocmpp.Response, p *gocmpp.Packet, _ *log.Logger) (bool, error) {
	switch req := p.Packer.(type) {
	case *gocmpp.CmppConnReqPkt:
		want := md5.Sum(bytes.Join([][]byte{[]byte(testSP), make([]byte, 9), []byte(testSecret),
			[]byte(string(appendTimestamp(nil, req.Timestamp)))}, nil))
		var status uint8
		if req.SrcAddr != testSP || req.AuthSrc != string(want[:]) {
			status = 3
		}
		switch resp := r.Packer.(type) {
		case *gocmpp.Cmpp3ConnRspPkt:
			resp.Status, resp.AuthSrc, resp.Secret, resp.Version = uint32(status), req.AuthSrc, testSecret, gocmpp.V30
		case *gocmpp.Cmpp2ConnRspPkt:
			resp.Status, resp.AuthSrc, resp.Secret, resp.Version = status, req.AuthSrc, testSecret, g.typ
		}
		if status != 0 {
			return false, io.EOF // gocmpp closes after sending the response
		}
	case *gocmpp.Cmpp3SubmitReqPkt:
		id := g.record(submitSeen{req.TpUdhi, req.PkTotal, req.PkNumber, req.MsgFmt, req.DestTerminalId, []byte(req.MsgContent), 0})
		r.Packer.(*gocmpp.Cmpp3SubmitRspPkt).MsgId = id
		go g.report(p.Conn, id, req.DestTerminalId[0])
	case *gocmpp.Cmpp2SubmitReqPkt:
		id := g.record(submitSeen{req.TpUdhi, req.PkTotal, req.PkNumber, req.MsgFmt, req.DestTerminalId, []byte(req.MsgContent), 0})
		r.Packer.(*gocmpp.Cmpp2SubmitRspPkt).MsgId = id
		go g.report(p.Conn, id, req.DestTerminalId[0])
	}
	return false, nil
}

func (g *gocmppISMG) record(s submitSeen) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	s.msgID = gocmppMsgID + g.nextID
	g.nextID++
	g.submits = append(g.submits, s)
	return s.msgID
}

// report sends gocmpp's status report (always the 60-byte layout) shortly
// after the SUBMIT_RESP.
func (g *gocmppISMG) report(c *gocmpp.Conn, msgID uint64, dest string) {
	time.Sleep(20 * time.Millisecond)
	rpt := &gocmpp.CmppReceiptPkt{MsgId: msgID, Stat: "DELIVRD", SubmitTime: "2501161700",
		DoneTime: "2501161701", DestTerminalId: dest, SmscSequence: 7}
	content, _ := rpt.Pack()
	var pkt gocmpp.Packer
	if g.typ == gocmpp.V30 {
		pkt = &gocmpp.Cmpp3DeliverReqPkt{MsgId: msgID + 1000, DestId: "10658000", ServiceId: "HELP",
			SrcTerminalId: dest, RegisterDelivery: 1, MsgLength: uint8(len(content)), MsgContent: string(content)}
	} else {
		pkt = &gocmpp.Cmpp2DeliverReqPkt{MsgId: msgID + 1000, DestId: "10658000", ServiceId: "HELP",
			SrcTerminalId: dest, RegisterDelivery: 1, MsgLength: uint8(len(content)), MsgContent: string(content)}
	}
	_ = c.SendPkt(pkt, <-c.SeqId)
}

func (g *gocmppISMG) seen() []submitSeen {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]submitSeen(nil), g.submits...)
}

func startGocmppServer(t *testing.T, typ gocmpp.Type) (*gocmppISMG, string) {
	g := &gocmppISMG{typ: typ}
	ln, addr := prototest.Listen(t)
	srv := &gocmpp.Server{Handler: gocmpp.HandlerFunc(g.serve), Typ: typ,
		T: 150 * time.Millisecond, N: 3, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }() // no shutdown in gocmpp: the listener cleanup stops it
	return g, addr
}

// Our Client against gocmpp's Server: login, a 3-part Chinese long message,
// heartbeats from gocmpp answered, 60-byte status reports accepted on 3.0.
func TestInteropClientVsGocmppServer(t *testing.T) {
	for _, tc := range []struct {
		typ gocmpp.Type
		v   Version
	}{{gocmpp.V30, V30}, {gocmpp.V20, V20}} {
		t.Run(tc.v.String(), func(t *testing.T) {
			t.Parallel()
			g, addr := startGocmppServer(t, tc.typ)
			reports := make(chan *Deliver, 8)
			c := startClient(t, clientConfig(addr, tc.v), func(_ context.Context, d *Deliver) uint32 {
				reports <- d
				return 0
			})
			waitReady(t, c)

			text := strings.Repeat("中国移动短信网关互通测试，", 12) // 156 characters → 3 parts
			parts := splitUCS2(text, 0x5a)
			if len(parts) != 3 {
				t.Fatalf("%d parts", len(parts))
			}
			var ids []uint64
			for i, p := range parts {
				r, err := c.Submit(prototest.Ctx(t), &Submit{PkTotal: 3, PkNumber: uint8(i + 1), TPUDHI: 1, MsgFmt: FmtUCS2,
					RegisteredDelivery: 1, ServiceID: "HELP", FeeType: "01", SrcID: "10658000",
					DestTerminalID: []string{"13800138000"}, MsgContent: p})
				if err != nil || r.Result != 0 {
					t.Fatalf("part %d: %+v %v", i+1, r, err)
				}
				ids = append(ids, r.MsgID)
			}
			var payload []byte
			for i, s := range g.seen() {
				if s.udhi != 1 || s.total != 3 || int(s.number) != i+1 || s.fmt != FmtUCS2 || s.dests[0] != "13800138000" ||
					!bytes.Equal(s.content[:6], []byte{5, 0, 3, 0x5a, 3, byte(i + 1)}) {
					t.Fatalf("gocmpp saw part %d: %+v", i+1, s)
				}
				payload = append(payload, s.content[6:]...)
			}
			if got := fromUCS2(payload); got != text {
				t.Fatalf("gocmpp reassembled %q", got)
			}
			for range parts {
				d := prototest.Recv(t, reports)
				if !d.IsReport() || d.Report.Stat != "DELIVRD" || d.Report.DestTerminalID != "13800138000" || d.Report.SMSCSequence != 7 {
					t.Fatalf("report %+v / %+v", d, d.Report)
				}
				if d.Report.MsgID != ids[0] && d.Report.MsgID != ids[1] && d.Report.MsgID != ids[2] {
					t.Fatalf("report for unknown id %#x", d.Report.MsgID)
				}
			}
			// gocmpp probes every 150 ms and drops us after 3 unanswered.
			time.Sleep(700 * time.Millisecond)
			if st := c.Stats(); st.Connected != 1 || st.Reconnects != 0 {
				t.Fatalf("link lost during gocmpp heartbeats: %+v", st)
			}
			if err := c.Close(prototest.Ctx(t)); err != nil {
				t.Fatalf("Close (TERMINATE to gocmpp): %v", err)
			}
		})
	}

	t.Run("wrong secret", func(t *testing.T) {
		_, addr := startGocmppServer(t, gocmpp.V30)
		cfg := clientConfig(addr, V30)
		cfg.Secret = "wrong"
		c := startClient(t, cfg, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if err := c.WaitReady(ctx); err == nil {
			t.Fatal("logged in with a wrong secret")
		}
		if got := c.Stats().LastError; !strings.Contains(got, "authentication error") {
			t.Fatalf("last error %q", got)
		}
	})
}

// gocmpp's Client against our Server: login (and a refused one), submit,
// a status report and an MO pushed to it, active test, terminate.
func TestInteropGocmppClientVsServer(t *testing.T) {
	for _, tc := range []struct {
		typ gocmpp.Type
		v   Version
	}{{gocmpp.V30, V30}, {gocmpp.V20, V20}} {
		t.Run(tc.v.String(), func(t *testing.T) {
			t.Parallel()
			h := newTestISMG()
			_, addr := startServer(t, V30, h, nil) // a 3.0 server also serves 2.0 clients

			bad := gocmpp.NewClient(tc.typ)
			if err := bad.Connect(addr, testSP, "wrong", 3*time.Second); err == nil || !strings.Contains(err.Error(), "auth") {
				t.Fatalf("wrong secret: %v", err)
			}

			cli := gocmpp.NewClient(tc.typ)
			if err := cli.Connect(addr, testSP, testSecret, 3*time.Second); err != nil {
				t.Fatalf("Connect: %v", err)
			}
			defer cli.Disconnect()
			sc := prototest.Recv(t, h.Logins)
			if sc.Version() != tc.v {
				t.Fatalf("negotiated %s", sc.Version())
			}

			content := string(ucs2("鸿雁测试"))
			var req gocmpp.Packer
			if tc.typ == gocmpp.V30 {
				req = &gocmpp.Cmpp3SubmitReqPkt{PkTotal: 1, PkNumber: 1, RegisteredDelivery: 1, ServiceId: "HELP",
					FeeUserType: 2, FeeType: "01", MsgFmt: 8, MsgSrc: testSP, SrcId: "10658000", DestUsrTl: 2,
					DestTerminalId: []string{"13800138000", "13800138001"}, MsgLength: uint8(len(content)), MsgContent: content}
			} else {
				req = &gocmpp.Cmpp2SubmitReqPkt{PkTotal: 1, PkNumber: 1, RegisteredDelivery: 1, ServiceId: "HELP",
					FeeUserType: 2, FeeType: "01", MsgFmt: 8, MsgSrc: testSP, SrcId: "10658000", DestUsrTl: 2,
					DestTerminalId: []string{"13800138000", "13800138001"}, MsgLength: uint8(len(content)), MsgContent: content}
			}
			if _, err := cli.SendReqPkt(req); err != nil {
				t.Fatal(err)
			}
			p, err := cli.RecvAndUnpackPkt(3 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var msgID uint64
			switch r := p.(type) {
			case *gocmpp.Cmpp3SubmitRspPkt:
				msgID = r.MsgId
				if r.Result != 0 {
					t.Fatalf("result %d", r.Result)
				}
			case *gocmpp.Cmpp2SubmitRspPkt:
				msgID = r.MsgId
				if r.Result != 0 {
					t.Fatalf("result %d", r.Result)
				}
			default:
				t.Fatalf("got %T", p)
			}
			got := h.submitted()
			if len(got) != 1 || fromUCS2(got[0].MsgContent) != "鸿雁测试" || len(got[0].DestTerminalID) != 2 || got[0].MsgSrc != testSP {
				t.Fatalf("server saw %+v", got)
			}

			// Push a status report and an MO; gocmpp must answer both.
			delivered := make(chan *DeliverResp, 2)
			go func() {
				rep := &Report{MsgID: msgID, Stat: "DELIVRD", SubmitTime: "2501161700", DoneTime: "2501161701", DestTerminalID: "13800138000", SMSCSequence: 3}
				for _, d := range []*Deliver{
					{MsgID: 501, DestID: "10658000", SrcTerminalID: "13800138000", Report: rep},
					{MsgID: 502, DestID: "10658000123", SrcTerminalID: "13800138000", MsgFmt: FmtUCS2, MsgContent: ucs2("收到")},
				} {
					r, err := sc.Deliver(prototest.Ctx(t), d)
					if err != nil {
						t.Error(err)
						r = &DeliverResp{Result: 99}
					}
					delivered <- r
				}
			}()
			for i := range 2 {
				p, err := cli.RecvAndUnpackPkt(3 * time.Second)
				if err != nil {
					t.Fatal(err)
				}
				var rsp gocmpp.Packer
				var seq uint32
				switch d := p.(type) {
				case *gocmpp.Cmpp3DeliverReqPkt:
					checkGocmppDeliver(t, i, d.RegisterDelivery, d.MsgContent, msgID, V30)
					rsp, seq = &gocmpp.Cmpp3DeliverRspPkt{MsgId: d.MsgId}, d.SeqId
				case *gocmpp.Cmpp2DeliverReqPkt:
					checkGocmppDeliver(t, i, d.RegisterDelivery, d.MsgContent, msgID, V20)
					rsp, seq = &gocmpp.Cmpp2DeliverRspPkt{MsgId: d.MsgId}, d.SeqId
				default:
					t.Fatalf("got %T", p)
				}
				if err := cli.SendRspPkt(rsp, seq); err != nil {
					t.Fatal(err)
				}
				if r := prototest.Recv(t, delivered); r.Result != 0 {
					t.Fatalf("DELIVER_RESP result %d", r.Result)
				}
			}

			if _, err := cli.SendReqPkt(&gocmpp.CmppActiveTestReqPkt{}); err != nil {
				t.Fatal(err)
			}
			if p, err := cli.RecvAndUnpackPkt(3 * time.Second); err != nil {
				t.Fatal(err)
			} else if _, ok := p.(*gocmpp.CmppActiveTestRspPkt); !ok {
				t.Fatalf("got %T", p)
			}
			if _, err := cli.SendReqPkt(&gocmpp.CmppTerminateReqPkt{}); err != nil {
				t.Fatal(err)
			}
			if p, err := cli.RecvAndUnpackPkt(3 * time.Second); err != nil {
				t.Fatal(err)
			} else if _, ok := p.(*gocmpp.CmppTerminateRspPkt); !ok {
				t.Fatalf("got %T", p)
			}
			if prototest.Recv(t, h.Logouts) != sc {
				t.Fatal("wrong conn disconnected")
			}
		})
	}
}

// checkGocmppDeliver checks, with gocmpp's own receipt decoder, what our
// Server sent: first the report, then the MO.
func checkGocmppDeliver(t *testing.T, i int, rd uint8, content string, msgID uint64, v Version) {
	t.Helper()
	if i == 1 {
		if rd != 0 || fromUCS2([]byte(content)) != "收到" {
			t.Fatalf("MO at gocmpp: rd %d content %q", rd, content)
		}
		return
	}
	want := map[Version]int{V30: ReportLen30, V20: ReportLen20}[v]
	if rd != 1 || len(content) != want {
		t.Fatalf("report at gocmpp: rd %d, %d bytes (want %d)", rd, len(content), want)
	}
	var r gocmpp.CmppReceiptPkt
	if err := r.Unpack([]byte(content)); err != nil {
		t.Fatal(err)
	}
	// gocmpp reads only the 60-byte layout: on 3.0 the id, stat, times and a
	// short number still line up; SMSC_sequence does not (it lands inside
	// our 32-byte number), so it is only checked on 2.0.
	if r.MsgId != msgID || r.Stat != "DELIVRD" || r.DestTerminalId != "13800138000" || r.SubmitTime != "2501161700" {
		t.Fatalf("gocmpp decoded %+v", r)
	}
	if v == V20 && r.SmscSequence != 3 {
		t.Fatalf("SMSC_sequence %d", r.SmscSequence)
	}
}
