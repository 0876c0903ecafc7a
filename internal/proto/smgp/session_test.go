package smgp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/sms"
)

// The client accepts AuthenticatorServer under the 4-byte, 1-byte and
// ASCII-digit readings, refuses a wrong one unless told to skip it; our
// server sends the configured width.
func TestLoginAuthServerReadings(t *testing.T) {
	for _, tc := range []struct {
		name string
		auth func(*Login) [16]byte
		skip bool
		ok   bool
	}{
		{"4-byte", authWidth(StatusWidth4), false, true},
		{"1-byte", authWidth(StatusWidth1), false, true},
		{"ascii digit", authWidth(statusASCII), false, true},
		{"wrong secret", func(r *Login) [16]byte { return AuthServer(0, r.AuthenticatorClient, "other", StatusWidth4) }, false, false},
		{"zero, skipped", func(*Login) [16]byte { return [16]byte{} }, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ln, addr := prototest.Listen(t)
			go rawSMGW(t, ln, tc.auth, func(p *rawPeer) { p.serveBasic() })
			cfg := clientConfig(addr, V30)
			cfg.InsecureSkipAuthServer = tc.skip
			c := startClient(t, cfg, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			err := c.WaitReady(ctx)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v (%s)", err, c.Stats().LastError)
			}
			if !tc.ok && (err == nil || !strings.Contains(c.Stats().LastError, "AuthenticatorServer mismatch")) {
				t.Fatalf("accepted: %v %q", err, c.Stats().LastError)
			}
		})
	}
	for _, w := range []StatusWidth{StatusWidth1, StatusWidth4} {
		var got [16]byte
		_, addr := startServer(t, V30, newTestSMGW(), nil, func(c *ServerConfig) { c.StatusWidth = w })
		p := dialRaw(t, addr, V30)
		req := NewLogin(testClientID, testSecret, LoginTransmit, V30, time.Now())
		p.Send(1, req)
		_, pdu, err := p.Read()
		if err != nil {
			t.Fatal(err)
		}
		got = pdu.(*LoginResp).AuthenticatorServer
		if got != AuthServer(0, req.AuthenticatorClient, testSecret, w) {
			t.Fatalf("width %d: server sent %x", w, got)
		}
	}
}

// Submit: short text, then a 3-part Chinese UCS2 text with UDH and TP_udhi,
// PkTotal, PkNumber TLVs.
func TestSubmitShortAndLong(t *testing.T) {
	prototest.ForPairs(t, suite().Pairs, func(t *testing.T, cv, sv Version) {
		h := newTestSMGW()
		_, addr := startServer(t, sv, h, nil)
		c := startClient(t, clientConfig(addr, cv), nil)
		waitReady(t, c)
		ctx := prototest.Ctx(t)

		r, err := c.Submit(ctx, &Submit{NeedReport: 1, SrcTermID: "106900001234", DestTermID: []string{"13300000001"},
			MsgContent: []byte("hello")})
		if err != nil || r.Status != 0 || r.MsgID.IsZero() {
			t.Fatalf("%+v %v", r, err)
		}
		if s := h.submitted()[0]; s.MsgType != MsgTypeMT || string(s.MsgContent) != "hello" || s.DestTermID[0] != "13300000001" {
			t.Fatalf("server got %+v", s)
		}

		text := strings.Repeat("鸿雁传书，电信短信网关互通测试。", 10) // 160 characters → 3 parts
		parts, err := sms.Split(text, sms.UCS2, 0x2a)
		if err != nil || len(parts) != 3 {
			t.Fatalf("split: %d %v", len(parts), err)
		}
		for _, part := range parts {
			s := &Submit{MsgFormat: FmtUCS2, SrcTermID: "106900001234", DestTermID: []string{"13300000001"}, MsgContent: part.Content()}
			s.TLVs.SetByte(TagTPUDHI, 1)
			s.TLVs.SetByte(TagPkTotal, uint8(part.Total))
			s.TLVs.SetByte(TagPkNumber, uint8(part.Seq))
			if r, err := c.Submit(ctx, s); err != nil || r.Status != 0 {
				t.Fatalf("part %d: %+v %v", part.Seq, r, err)
			}
		}
		var got []byte
		for i, s := range h.submitted()[1:] {
			cc, ok, payload, err := sms.ParseUDH(s.MsgContent)
			if err != nil || !ok || cc.Seq != i+1 || cc.Total != 3 || cc.Ref != 0x2a {
				t.Fatalf("part %d UDH %+v %v %v", i, cc, ok, err)
			}
			if cv.HasTLV() && (!s.UDHI() || s.TLVs.Byte(TagPkTotal) != 3 || s.TLVs.Byte(TagPkNumber) != uint8(i+1)) {
				t.Fatalf("part %d TLVs %+v", i, s.TLVs)
			}
			if !cv.HasTLV() && s.TLVs != nil {
				t.Fatalf("TLVs sent in %s: %+v", cv, s.TLVs)
			}
			got = append(got, payload...)
		}
		if back, err := sms.Decode(got, sms.UCS2); err != nil || back != text {
			t.Fatalf("reassembled %q %v", back, err)
		}

	})
}

// Login modes: a receive-only client cannot submit (locally refused; a raw
// one gets status 11) but takes Delivers; a send-only one takes none.
func TestLoginModes(t *testing.T) {
	h := newTestSMGW()
	_, addr := startServer(t, V30, h, nil)
	got := make(chan *Deliver, 1)
	cfg := clientConfig(addr, V30)
	cfg.LoginMode = LoginReceive
	rc := startClient(t, cfg, func(_ context.Context, d *Deliver) uint32 { got <- d; return 0 })
	waitReady(t, rc)
	sc := prototest.Recv(t, h.Logins)
	if sc.LoginMode() != LoginReceive {
		t.Fatalf("mode %s", sc.LoginMode())
	}
	if _, err := rc.Submit(prototest.Ctx(t), &Submit{DestTermID: []string{"1"}}); !errors.Is(err, ErrLoginMode) {
		t.Fatalf("receive-only submit: %v", err)
	}
	if _, err := sc.Deliver(prototest.Ctx(t), &Deliver{MsgContent: []byte("mo")}); err != nil {
		t.Fatal(err)
	}
	prototest.Recv(t, got)

	cfg.LoginMode = LoginSend
	sendOnly := startClient(t, cfg, nil)
	waitReady(t, sendOnly)
	sc2 := prototest.Recv(t, h.Logins)
	if _, err := sc2.Deliver(prototest.Ctx(t), &Deliver{}); !errors.Is(err, ErrLoginMode) {
		t.Fatalf("deliver to send-only: %v", err)
	}
	if r, err := sendOnly.Submit(prototest.Ctx(t), &Submit{DestTermID: []string{"1"}}); err != nil || r.Status != 0 {
		t.Fatalf("send-only submit: %+v %v", r, err)
	}

	p := dialRaw(t, addr, V30)
	p.Send(1, NewLogin(testClientID, testSecret, LoginReceive, V30, time.Now()))
	if _, _, err := p.Read(); err != nil {
		t.Fatal(err)
	}
	p.Send(2, &Submit{DestTermID: []string{"1"}})
	if _, pdu, err := p.Read(); err != nil || pdu.(*SubmitResp).Status != StatusBadCommand {
		t.Fatalf("%+v %v", pdu, err)
	}
}

func TestQuery(t *testing.T) {
	h := &querySMGW{testSMGW: newTestSMGW()}
	_, addr := startServer(t, V30, h, nil)
	c := startClient(t, clientConfig(addr, V30), nil)
	waitReady(t, c)
	r, err := c.Query(prototest.Ctx(t), &Query{QueryTime: "20250116", QueryType: 1, QueryCode: "HELP"})
	if err != nil || r.MTTLMsg != 42 || r.QueryCode != "HELP" {
		t.Fatalf("%+v %v", r, err)
	}
	// Without a QueryHandler: zero counts, echoed keys.
	_, addr2 := startServer(t, V30, newTestSMGW(), nil)
	c2 := startClient(t, clientConfig(addr2, V30), nil)
	waitReady(t, c2)
	r, err = c2.Query(prototest.Ctx(t), &Query{QueryTime: "20250116"})
	if err != nil || r.MTTLMsg != 0 || r.QueryTime != "20250116" {
		t.Fatalf("%+v %v", r, err)
	}
}

type querySMGW struct{ *testSMGW }

func (q *querySMGW) Query(_ context.Context, _ *ServerConn, r *Query) *QueryResp {
	return &QueryResp{QueryTime: r.QueryTime, QueryType: r.QueryType, QueryCode: r.QueryCode, MTTLMsg: 42}
}

// An MO's LinkID TLV reaches the client in the versions that have TLVs.
func TestDeliverLinkID(t *testing.T) {
	prototest.ForPairs(t, suite().Pairs, func(t *testing.T, cv, sv Version) {
		h := newTestSMGW()
		_, addr := startServer(t, sv, h, nil)
		got := make(chan *Deliver, 1)
		c := startClient(t, clientConfig(addr, cv), func(_ context.Context, d *Deliver) uint32 { got <- d; return 0 })
		waitReady(t, c)
		sc := prototest.Recv(t, h.Logins)
		mo := &Deliver{MsgID: h.gen.Next(), RecvTime: "20250116170000", SrcTermID: "13300000001", MsgContent: []byte("x")}
		mo.TLVs.SetString(TagLinkID, "L1", 20)
		if r, err := sc.Deliver(prototest.Ctx(t), mo); err != nil || r.Status != 0 || r.MsgID != mo.MsgID {
			t.Fatalf("MO: %+v %v", r, err)
		}
		if d := prototest.Recv(t, got); cv.HasTLV() && d.TLVs.String(TagLinkID) != "L1" {
			t.Fatalf("LinkID %+v", d.TLVs)
		}
	})
}
