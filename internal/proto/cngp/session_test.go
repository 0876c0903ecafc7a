package cngp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// versionPairs are the (client, server) versions the session tests run.
var versionPairs = []struct{ client, server Version }{
	{V20, V20}, {V10, V10}, {V10, V20},
}

func forEachPair(t *testing.T, f func(t *testing.T, cv, sv Version)) {
	for _, p := range versionPairs {
		t.Run("client"+p.client.String()+"_server"+p.server.String(), func(t *testing.T) {
			t.Parallel()
			f(t, p.client, p.server)
		})
	}
}

func TestLoginOK(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
		h := newTestSMGW()
		srv, addr := startServer(t, sv, h, nil)
		c := startClient(t, clientConfig(addr, cv), nil)
		waitReady(t, c)
		sc := prototest.Recv(t, h.connected)
		if sc.ClientID() != testClientID || sc.Version() != cv || sc.LoginMode() != LoginTransmit {
			t.Fatalf("server sees %q %s %s", sc.ClientID(), sc.Version(), sc.LoginMode())
		}
		if conns := srv.Conns(); len(conns) != 1 || conns[0] != sc {
			t.Fatalf("Conns() = %v", conns)
		}
		if st := c.Stats(); st.Connected != 1 || st.Window != 16 {
			t.Fatalf("stats %+v", st)
		}
	})
}

// Refused logins: the client reports the header status and never becomes
// ready; the server closes the connection.
func TestLoginRefused(t *testing.T) {
	for _, tc := range []struct {
		name         string
		cv, sv       Version
		id, secret   string
		want         string
		serverConfig func(*ServerConfig)
	}{
		{"wrong secret", V20, V20, testClientID, "nope", "status 21 (authentication error)", nil},
		{"wrong secret 1.0", V10, V20, testClientID, "nope", "status 21 (authentication error)", nil},
		{"unknown client", V20, V20, "9999999999", testSecret, "status 21 (authentication error)", nil},
		{"version too high", V20, V10, testClientID, testSecret, "status 22 (version too high)", nil},
		{"nil Auth", V20, V20, testClientID, testSecret, "status 21", func(c *ServerConfig) { c.Auth = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestSMGW()
			var mods []func(*ServerConfig)
			if tc.serverConfig != nil {
				mods = append(mods, tc.serverConfig)
			}
			_, addr := startServer(t, tc.sv, h, nil, mods...)
			cfg := clientConfig(addr, tc.cv)
			cfg.ClientID, cfg.Secret = tc.id, tc.secret
			c := startClient(t, cfg, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if err := c.WaitReady(ctx); !errors.Is(err, session.ErrNoSession) {
				t.Fatalf("WaitReady = %v", err)
			}
			if got := c.Stats().LastError; !strings.Contains(got, tc.want) {
				t.Fatalf("last error %q, want %q", got, tc.want)
			}
			select {
			case <-h.connected:
				t.Fatal("server reported a refused login as connected")
			default:
			}
		})
	}
}

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
		if sc := prototest.Recv(t, h.connected); sc.Version() != lv {
			t.Fatalf("server sees version %s, want %s", sc.Version(), lv)
		}
		if r, err := c.Submit(prototest.Ctx(t), &Submit{DestTermID: []string{"13300000001"}, MsgContent: []byte("x")}); err != nil || r.Status != 0 {
			t.Fatalf("submit after login with version %s: %+v %v", lv, r, err)
		}
	}
}

// Submit: short text (SPID and ProtocolID filled in), then a 3-part
// Chinese UCS2 text whose UDH rides in the content (CNGP has no TP_udhi);
// a refusal comes back as a header status, not an error.
func TestSubmitShortAndLong(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
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

		h.mu.Lock()
		h.status = StatusBusy
		h.mu.Unlock()
		r, err = c.Submit(ctx, &Submit{DestTermID: []string{"13300000001"}, MsgContent: []byte("x")})
		if err != nil || r.Status != StatusBusy {
			t.Fatalf("refused submit: %+v %v", r, err)
		}
	})
}

// Deliver: an MO (Chinese, UCS2) and a status report whose Id matches the
// Submit_Resp's MsgID, both answered with the handler's status and the
// CongestionState TLV.
func TestDeliverMOAndReport(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
		h := newTestSMGW()
		_, addr := startServer(t, sv, h, nil)
		got := make(chan *Deliver, 4)
		c := startClient(t, clientConfig(addr, cv), func(_ context.Context, d *Deliver) uint32 {
			got <- d
			return 0
		})
		waitReady(t, c)
		sc := prototest.Recv(t, h.connected)
		ctx := prototest.Ctx(t)

		moText := "退订 谢谢"
		mo := &Deliver{MsgID: h.gen.Next(), MsgFormat: FmtUCS2, RecvTime: "20250116170000", SrcTermID: "13300000001",
			DestTermID: "1069000012345", MsgContent: mustEncode(t, moText)}
		r, err := sc.Deliver(ctx, mo)
		if err != nil || r.Status != 0 || r.MsgID != mo.MsgID || !r.TLVs.Has(TagCongestionState) {
			t.Fatalf("MO: %+v %v", r, err)
		}
		d := prototest.Recv(t, got)
		if back, _ := sms.Decode(d.MsgContent, sms.UCS2); back != moText || d.IsReport != 0 || d.SrcTermID != "13300000001" || !d.TLVs.Has(TagProtocolID) {
			t.Fatalf("MO seen as %+v", d)
		}
		if mo.TLVs != nil {
			t.Fatal("caller's Deliver modified")
		}

		sr, err := c.Submit(ctx, &Submit{NeedReport: 1, DestTermID: []string{"13300000001"}, MsgContent: []byte("hi")})
		if err != nil {
			t.Fatal(err)
		}
		rpt := &Deliver{MsgID: h.gen.Next(), SrcTermID: "13300000001", DestTermID: "106900001234",
			Report: &Report{MsgID: sr.MsgID, SubmitDate: "2501161700", DoneDate: "2501161701", Stat: StatDelivered, Err: "000"}}
		if r, err := sc.Deliver(ctx, rpt); err != nil || r.Status != 0 {
			t.Fatalf("report: %+v %v", r, err)
		}
		d = prototest.Recv(t, got)
		if d.IsReport != 1 || d.Report == nil || d.Report.MsgID.String() != sr.MsgID.String() || !d.Report.Delivered() {
			t.Fatalf("report seen as %+v / %+v", d, d.Report)
		}
	})
}

func mustEncode(t *testing.T, s string) []byte {
	b, err := sms.Encode(s, sms.UCS2)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The handler's status goes back to the SMGW in the header.
func TestDeliverHandlerStatus(t *testing.T) {
	h := newTestSMGW()
	_, addr := startServer(t, V20, h, nil)
	c := startClient(t, clientConfig(addr, V20), func(context.Context, *Deliver) uint32 { return StatusBusy })
	waitReady(t, c)
	sc := prototest.Recv(t, h.connected)
	r, err := sc.Deliver(prototest.Ctx(t), &Deliver{MsgContent: []byte("x")})
	if err != nil || r.Status != StatusBusy {
		t.Fatalf("%+v %v", r, err)
	}
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
	sc := prototest.Recv(t, h.connected)
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
	sc := prototest.Recv(t, h.connected)
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
	sc2 := prototest.Recv(t, h.connected)
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

// Exit both ways: the client's Close sends Exit; the server's Exit is
// answered and the client reconnects.
func TestExit(t *testing.T) {
	h := newTestSMGW()
	var logs prototest.LogBuf
	_, addr := startServer(t, V20, h, logs.Logger())
	c := NewClient(clientConfig(addr, V20), nil)
	c.Start(context.Background())
	waitReady(t, c)
	sc := prototest.Recv(t, h.connected)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := sc.Close(ctx); err != nil {
		t.Fatalf("server Exit: %v", err)
	}
	prototest.Recv(t, h.disconnected)
	prototest.Recv(t, h.connected) // the client came back
	waitReady(t, c)
	if st := c.Stats(); st.Reconnects < 1 {
		t.Fatalf("stats %+v", st)
	}

	if err := c.Close(ctx); err != nil {
		t.Fatalf("client Close: %v", err)
	}
	prototest.Recv(t, h.disconnected)
	logs.WaitLog(t, "client sent Exit")
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
