package cngp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/sms"
)

// The client accepts AuthenticatorServer over a raw, ASCII or 4-byte
// Status and refuses a wrong one unless told to skip it; our server sends
// the configured form.
func TestLoginAuthServerReadings(t *testing.T) {
	for _, tc := range []struct {
		name string
		auth func(*Login) [16]byte
		skip bool
		ok   bool
	}{
		{"raw byte", authAs(AuthStatusByte), false, true},
		{"ascii digit", authAs(AuthStatusASCII), false, true},
		{"4 bytes", authAs(authStatus4), false, true},
		{"wrong secret", func(r *Login) [16]byte { return AuthServer(0, r.AuthenticatorClient, "other", AuthStatusByte) }, false, false},
		{"zero, skipped", func(*Login) [16]byte { return [16]byte{} }, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ln, addr := prototest.Listen(t)
			go rawSMGW(t, ln, tc.auth, func(p *rawPeer) { p.serveBasic() })
			cfg := clientConfig(addr, V20)
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
	for _, a := range []AuthStatus{AuthStatusByte, AuthStatusASCII} {
		_, addr := startServer(t, V20, newTestSMGW(), nil, func(c *ServerConfig) { c.AuthStatus = a })
		p := dialRaw(t, addr, V20)
		req := NewLogin(testClientID, testSecret, LoginTransmit, V20, time.Now())
		p.Send(1, req)
		h, pdu, err := p.Read()
		if err != nil {
			t.Fatal(err)
		}
		if got := pdu.(*LoginResp); h.Status != 0 || got.Version != V20 || got.AuthenticatorServer != AuthServer(0, req.AuthenticatorClient, testSecret, a) {
			t.Fatalf("form %d: server sent %+v (status %d)", a, got, h.Status)
		}
	}
}

// LoginVersion sends another Version byte (SPs are seen sending 1 and
// 0x12); a server serves any byte up to its own.
func TestLoginVersionOverride(t *testing.T) {
	for _, lv := range []Version{1, 0x12} {
		h := newTestSMGW()
		_, addr := startServer(t, V20, h, nil)
		cfg := clientConfig(addr, V10)
		cfg.LoginVersion = lv
		c := startClient(t, cfg, nil)
		waitReady(t, c)
		if sc := prototest.Recv(t, h.Logins); sc.Version() != lv {
			t.Fatalf("server sees version %s, want %s", sc.Version(), lv)
		}
		if r, err := c.Submit(prototest.Ctx(t), &Submit{DestTermID: []string{"13300000001"}, MsgContent: []byte("x")}); err != nil || r.Status != 0 {
			t.Fatalf("submit after login with version %s: %+v %v", lv, r, err)
		}
	}
}

// Submit: short text (SPID and ProtocolID filled in), then a 3-part
// Chinese UCS2 text whose UDH rides in the content (CNGP has no TP_udhi).
func TestSubmitShortAndLong(t *testing.T) {
	prototest.ForPairs(t, suite().Pairs, func(t *testing.T, cv, sv Version) {
		h := newTestSMGW()
		_, addr := startServer(t, sv, h, nil)
		c := startClient(t, clientConfig(addr, cv), nil)
		waitReady(t, c)
		ctx := prototest.Ctx(t)

		in := &Submit{SubType: SubTypeOnDemand, NeedReport: 1, SrcTermID: "106900001234", DestTermID: []string{"13300000001"},
			MsgContent: []byte("hello")}
		r, err := c.Submit(ctx, in)
		if err != nil || r.Status != 0 || r.MsgID.IsZero() || !r.TLVs.Has(TagCongestionState) {
			t.Fatalf("%+v %v", r, err)
		}
		if in.SPID != "" || in.TLVs != nil {
			t.Fatalf("caller's Submit modified: %+v", in)
		}
		s := h.submitted()[0]
		if s.SPID != testClientID || !s.TLVs.Has(TagProtocolID) || s.SubType != SubTypeOnDemand || string(s.MsgContent) != "hello" || s.DestTermID[0] != "13300000001" {
			t.Fatalf("server got %+v", s)
		}

		text := strings.Repeat("鸿雁传书，网通短信网关互通测试。", 10) // 160 characters → 3 parts
		parts, err := sms.Split(text, sms.UCS2, 0x2a)
		if err != nil || len(parts) != 3 {
			t.Fatalf("split: %d %v", len(parts), err)
		}
		for _, part := range parts {
			s := &Submit{SPID: "901234", MsgFormat: FmtUCS2, SrcTermID: "106900001234", DestTermID: []string{"13300000001"}, MsgContent: part.Content()}
			if r, err := c.Submit(ctx, s); err != nil || r.Status != 0 {
				t.Fatalf("part %d: %+v %v", part.Seq, r, err)
			}
		}
		var got []byte
		for i, s := range h.submitted()[1:] {
			cc, ok, payload, err := sms.ParseUDH(s.MsgContent)
			if err != nil || !ok || cc.Seq != i+1 || cc.Total != 3 || cc.Ref != 0x2a || s.SPID != "901234" {
				t.Fatalf("part %d UDH %+v %v %v", i, cc, ok, err)
			}
			got = append(got, payload...)
		}
		if back, err := sms.Decode(got, sms.UCS2); err != nil || back != text {
			t.Fatalf("reassembled %q %v", back, err)
		}

	})
}

// OmitTLVs on both sides: bare fixed bodies go out and are understood.
func TestOmitTLVs(t *testing.T) {
	h := newTestSMGW()
	_, addr := startServer(t, V20, h, nil, func(c *ServerConfig) { c.OmitTLVs = true })
	got := make(chan *Deliver, 1)
	cfg := clientConfig(addr, V20)
	cfg.OmitTLVs = true
	c := startClient(t, cfg, func(_ context.Context, d *Deliver) uint32 { got <- d; return 0 })
	waitReady(t, c)
	sc := prototest.Recv(t, h.Logins)
	r, err := c.Submit(prototest.Ctx(t), &Submit{DestTermID: []string{"13300000001"}, MsgContent: []byte("x")})
	if err != nil || r.Status != 0 || r.TLVs != nil || h.submitted()[0].TLVs != nil {
		t.Fatalf("%+v %v / server got %+v", r, err, h.submitted()[0].TLVs)
	}
	dr, err := sc.Deliver(prototest.Ctx(t), &Deliver{MsgContent: []byte("mo")})
	if err != nil || dr.TLVs != nil || prototest.Recv(t, got).TLVs != nil {
		t.Fatalf("%+v %v", dr, err)
	}
}

// Login modes: a receive-only client cannot submit (locally refused; a raw
// one gets status 11) but takes Delivers; a send-only one takes none.
func TestLoginModes(t *testing.T) {
	h := newTestSMGW()
	_, addr := startServer(t, V20, h, nil)
	got := make(chan *Deliver, 1)
	cfg := clientConfig(addr, V20)
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

	p := dialRaw(t, addr, V20)
	p.Send(1, NewLogin(testClientID, testSecret, LoginReceive, V20, time.Now()))
	if _, _, err := p.Read(); err != nil {
		t.Fatal(err)
	}
	p.Send(2, &Submit{DestTermID: []string{"1"}})
	if hd, pdu, err := p.Read(); err != nil || hd.Status != StatusBadCommand || pdu.(*SubmitResp).Status != StatusBadCommand {
		t.Fatalf("%+v %+v %v", hd, pdu, err)
	}
}

// Requests neither side serves are refused with Command_Status 11 at once
// instead of being left to time out: Forward (with its MsgID) and the
// prepaid commands, at our Server and at our Client.
func TestUnmodelledRequestsRefused(t *testing.T) {
	fwd := sampleForward()
	check := func(t *testing.T, p *rawPeer) {
		t.Helper()
		p.Send(5, fwd)
		h, pdu, err := p.Read()
		if err != nil || h.Command != CmdForwardResp || h.Status != StatusBadCommand || h.Seq.N != 5 || pdu.(*ForwardResp).MsgID != fwd.MsgID {
			t.Fatalf("Forward: %+v %+v %v", h, pdu, err)
		}
		p.Write(hdr(HeaderLen+27, CmdQueryUserState, 0, 6))
		p.Write(make([]byte, 27))
		b, err := p.ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := (Protocol{}).DecodeHeader(b); h.Command != CmdQueryUserStateResp || h.Status != StatusBadCommand || h.Seq.N != 6 || len(b) != HeaderLen {
			t.Fatalf("Query_UserState: %x", b)
		}
	}
	t.Run("server", func(t *testing.T) {
		_, addr := startServer(t, V20, newTestSMGW(), nil)
		p := dialRaw(t, addr, V20)
		p.login()
		check(t, p)
	})
	t.Run("client", func(t *testing.T) {
		ln, addr := prototest.Listen(t)
		conns := make(chan *rawPeer, 1)
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop) })
		go rawSMGW(t, ln, authAs(AuthStatusByte), func(p *rawPeer) { conns <- p; <-stop })
		c := startClient(t, clientConfig(addr, V20), nil)
		waitReady(t, c)
		check(t, prototest.Recv(t, conns))
	})
}
