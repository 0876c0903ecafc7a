package cmpp

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
)

// versionPairs are the (client, server) versions every session test runs.
var versionPairs = []struct{ client, server Version }{
	{V30, V30}, {V20, V20}, {V20, V30}, {V21, V30},
}

func forEachPair(t *testing.T, f func(t *testing.T, cv, sv Version)) {
	for _, p := range versionPairs {
		t.Run("client"+p.client.String()+"_server"+p.server.String(), func(t *testing.T) {
			t.Parallel()
			f(t, p.client, p.server)
		})
	}
}

func TestConnectOK(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
		h := newTestISMG()
		srv, addr := startServer(t, sv, h, nil)
		c := startClient(t, clientConfig(addr, cv), nil)
		waitReady(t, c)
		sc := prototest.Recv(t, h.connected)
		if sc.SourceAddr() != testSP || sc.Version() != cv {
			t.Fatalf("server sees %q %s", sc.SourceAddr(), sc.Version())
		}
		if conns := srv.Conns(); len(conns) != 1 || conns[0] != sc {
			t.Fatalf("Conns() = %v", conns)
		}
		if st := c.Stats(); st.Connected != 1 || st.Window != 16 {
			t.Fatalf("stats %+v", st)
		}
	})
}

// Refused logins: the client reports the status meaning and never becomes
// ready; the server closes the connection.
func TestConnectRefused(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cv, sv     Version
		sp, secret string
		want       string
	}{
		{"wrong secret 3.0", V30, V30, testSP, "nope", "status 3 (authentication error)"},
		{"wrong secret 2.0", V20, V20, testSP, "nope", "status 3 (authentication error)"},
		{"unknown SP", V30, V30, "999999", testSecret, "status 2 (illegal source address)"},
		{"version too high", V30, V20, testSP, testSecret, "status 4 (version too high)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestISMG()
			_, addr := startServer(t, tc.sv, h, nil)
			cfg := clientConfig(addr, tc.cv)
			cfg.SourceAddr, cfg.Secret = tc.sp, tc.secret
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

// The client rejects an ISMG that cannot prove it knows the secret.
func TestClientRejectsBadAuthISMG(t *testing.T) {
	// A fake ISMG that accepts anyone but does not know our secret.
	ln, addr := prototest.Listen(t)
	go fakeISMG(t, ln, "other")
	cfg := clientConfig(addr, V30)
	c := startClient(t, cfg, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := c.WaitReady(ctx); err == nil {
		t.Fatal("client accepted a forged AuthenticatorISMG")
	}
	if got := c.Stats().LastError; !strings.Contains(got, "AuthenticatorISMG mismatch") {
		t.Fatalf("last error %q", got)
	}
}

func TestSubmitSingleAndMulti(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
		h := newTestISMG()
		_, addr := startServer(t, sv, h, nil)
		c := startClient(t, clientConfig(addr, cv), nil)
		waitReady(t, c)
		ctx := prototest.Ctx(t)

		one := &Submit{RegisteredDelivery: 1, ServiceID: "HELP", FeeType: "01", SrcID: "10658000",
			MsgFmt: FmtASCII, DestTerminalID: []string{"13800138000"}, MsgContent: []byte("hello")}
		r1, err := c.Submit(ctx, one)
		if err != nil || r1.Result != 0 || r1.MsgID == 0 {
			t.Fatalf("single: %+v %v", r1, err)
		}
		multi := &Submit{SrcID: "10658000", MsgFmt: FmtUCS2,
			DestTerminalID: []string{"13800138000", "13800138001", "8613800138002"}, MsgContent: ucs2("你好")}
		r2, err := c.Submit(ctx, multi)
		if err != nil || r2.Result != 0 {
			t.Fatalf("multi: %+v %v", r2, err)
		}
		// Three destinations reserve three consecutive ids.
		_, _, _, _, _, _, s1 := UnpackMsgID(r1.MsgID)
		_, _, _, _, _, _, s2 := UnpackMsgID(r2.MsgID)
		if s2 != s1+1 {
			t.Fatalf("seq %d then %d", s1, s2)
		}
		if r3, _ := c.Submit(ctx, one); r3.MsgID != r2.MsgID+3 {
			t.Fatalf("next id %#x, want %#x", r3.MsgID, r2.MsgID+3)
		}
		got := h.submitted()
		if len(got) != 3 {
			t.Fatalf("server saw %d submits", len(got))
		}
		// The client filled Msg_src and Pk_*; the caller's struct is untouched.
		if got[0].MsgSrc != testSP || got[0].PkTotal != 1 || got[0].PkNumber != 1 || one.MsgSrc != "" {
			t.Fatalf("defaults: server %+v, caller %+v", got[0], one)
		}
		if !reflect.DeepEqual(got[1].DestTerminalID, multi.DestTerminalID) || string(got[1].MsgContent) != string(multi.MsgContent) {
			t.Fatalf("multi at server: %+v", got[1])
		}
	})
}

// A refused SUBMIT is a SubmitResp with a Result, not an error.
func TestSubmitResultNotError(t *testing.T) {
	h := newTestISMG()
	h.result = SubmitFlowControl
	_, addr := startServer(t, V30, h, nil)
	c := startClient(t, clientConfig(addr, V30), nil)
	waitReady(t, c)
	r, err := c.Submit(prototest.Ctx(t), &Submit{DestTerminalID: []string{"13800138000"}, MsgContent: []byte("x")})
	if err != nil || r.Result != SubmitFlowControl {
		t.Fatalf("%+v %v", r, err)
	}
	// An encoding failure is an error and sends nothing.
	if _, err := c.Submit(prototest.Ctx(t), &Submit{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty submit: %v", err)
	}
}

// A 3-part UCS2 long message with TP_udhi=1 and UDH 05 00 03 ref 03 n
// arrives intact and reassembles.
func TestLongMessageUCS2(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
		h := newTestISMG()
		_, addr := startServer(t, sv, h, nil)
		c := startClient(t, clientConfig(addr, cv), nil)
		waitReady(t, c)
		text := strings.Repeat("鸿雁传书，", 30) + "完" // 151 characters → 3 parts of ≤ 67
		parts := splitUCS2(text, 0x2a)
		if len(parts) != 3 {
			t.Fatalf("%d parts", len(parts))
		}
		for i, p := range parts {
			r, err := c.Submit(prototest.Ctx(t), &Submit{PkTotal: 3, PkNumber: uint8(i + 1), TPUDHI: 1, MsgFmt: FmtUCS2,
				RegisteredDelivery: 1, SrcID: "10658000", DestTerminalID: []string{"13800138000"}, MsgContent: p})
			if err != nil || r.Result != 0 {
				t.Fatalf("part %d: %+v %v", i+1, r, err)
			}
		}
		var payload []byte
		for i, s := range h.submitted() {
			udh := s.MsgContent[:6]
			if s.TPUDHI != 1 || s.PkTotal != 3 || int(s.PkNumber) != i+1 ||
				udh[0] != 5 || udh[1] != 0 || udh[2] != 3 || udh[3] != 0x2a || udh[4] != 3 || int(udh[5]) != i+1 {
				t.Fatalf("part %d at server: udhi %d pk %d/%d udh % x", i+1, s.TPUDHI, s.PkNumber, s.PkTotal, udh)
			}
			if len(s.MsgContent) > 140 {
				t.Fatalf("part %d is %d bytes", i+1, len(s.MsgContent))
			}
			payload = append(payload, s.MsgContent[6:]...)
		}
		if got := fromUCS2(payload); got != text {
			t.Fatalf("reassembled %q", got)
		}
	})
}

// The server pushes an MO and a status report; the client's handler sees
// both and its result travels back in DELIVER_RESP.
func TestDeliverMOAndReport(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
		h := newTestISMG()
		_, addr := startServer(t, sv, h, nil)
		got := make(chan *Deliver, 4)
		c := startClient(t, clientConfig(addr, cv), func(_ context.Context, d *Deliver) uint32 {
			got <- d
			if string(d.MsgContent) == "fail me" {
				return DeliverOther
			}
			return 0
		})
		waitReady(t, c)
		sc := prototest.Recv(t, h.connected)
		ctx := prototest.Ctx(t)

		mo := &Deliver{MsgID: 77, DestID: "10658000123", ServiceID: "HELP", MsgFmt: FmtUCS2,
			SrcTerminalID: "13800138000", MsgContent: ucs2("退订")}
		r, err := sc.Deliver(ctx, mo)
		if err != nil || r.Result != 0 || r.MsgID != 77 {
			t.Fatalf("MO: %+v %v", r, err)
		}
		d := prototest.Recv(t, got)
		if d.IsReport() || fromUCS2(d.MsgContent) != "退订" || d.DestID != "10658000123" || d.SrcTerminalID != "13800138000" {
			t.Fatalf("MO at client: %+v", d)
		}

		sub, _ := c.Submit(ctx, &Submit{RegisteredDelivery: 1, DestTerminalID: []string{"13800138000"}, MsgContent: []byte("x")})
		rep := &Report{MsgID: sub.MsgID, Stat: "DELIVRD", SubmitTime: "2501161700", DoneTime: "2501161701",
			DestTerminalID: "13800138000", SMSCSequence: 9}
		if r, err := sc.Deliver(ctx, &Deliver{MsgID: 78, DestID: "10658000", SrcTerminalID: "13800138000", Report: rep}); err != nil || r.Result != 0 {
			t.Fatalf("report: %+v %v", r, err)
		}
		d = prototest.Recv(t, got)
		if !d.IsReport() || !reflect.DeepEqual(d.Report, rep) || d.Report.MsgID != sub.MsgID || !d.Report.Delivered() {
			t.Fatalf("report at client: %+v / %+v", d, d.Report)
		}

		// A handler that could not store the message gets it resent later.
		if r, err := sc.Deliver(ctx, &Deliver{MsgID: 79, MsgContent: []byte("fail me")}); err != nil || r.Result != DeliverOther {
			t.Fatalf("failing handler: %+v %v", r, err)
		}
		prototest.Recv(t, got)
	})
}

// Client.Close sends TERMINATE; the server answers, closes and reports the
// disconnect. A server-side TERMINATE is answered by the client.
func TestTerminateBothWays(t *testing.T) {
	forEachPair(t, func(t *testing.T, cv, sv Version) {
		h := newTestISMG()
		_, addr := startServer(t, sv, h, nil)
		cfg := clientConfig(addr, cv)
		cfg.BackoffMin, cfg.BackoffMax = time.Hour, time.Hour // no reconnect during the test
		c := NewClient(cfg, nil)
		c.Start(context.Background())
		waitReady(t, c)
		sc := prototest.Recv(t, h.connected)

		// Server → client TERMINATE: answered, then both sides close.
		if err := sc.terminate(prototest.Ctx(t)); err != nil {
			t.Fatalf("server TERMINATE unanswered: %v", err)
		}
		if prototest.Recv(t, h.disconnected) != sc {
			t.Fatal("wrong conn disconnected")
		}
		if err := c.Close(prototest.Ctx(t)); err != nil {
			t.Fatal(err)
		}

		// Client → server TERMINATE on Close.
		c2 := NewClient(clientConfig(addr, cv), nil)
		c2.Start(context.Background())
		waitReady(t, c2)
		sc2 := prototest.Recv(t, h.connected)
		if err := c2.Close(prototest.Ctx(t)); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if prototest.Recv(t, h.disconnected) != sc2 {
			t.Fatal("wrong conn disconnected")
		}
		if _, err := c2.Submit(prototest.Ctx(t), &Submit{DestTerminalID: []string{"1"}}); !errors.Is(err, session.ErrClosed) {
			t.Fatalf("submit after close: %v", err)
		}
	})
}

// QUERY gets zero counts and CANCEL fails without hooks.
func TestQueryCancelDefaults(t *testing.T) {
	for _, v := range []Version{V20, V30} {
		_, addr := startServer(t, V30, newTestISMG(), nil)
		p := dialRaw(t, addr, v)
		p.login()
		p.Send(2, &Query{Time: "20250116", QueryType: 1, QueryCode: "HELP"})
		_, pdu, err := p.Read()
		if qr, ok := pdu.(*QueryResp); err != nil || !ok || qr.QueryCode != "HELP" || qr.Time != "20250116" || qr.MTTLMsg != 0 {
			t.Fatalf("%s query: %+v %v", v, pdu, err)
		}
		p.Send(3, &Cancel{MsgID: 5})
		h, pdu, err := p.Read()
		if cr, ok := pdu.(*CancelResp); err != nil || !ok || cr.SuccessID != 1 || h.Seq.N != 3 {
			t.Fatalf("%s cancel: %+v %v", v, pdu, err)
		}
		if want := map[Version]uint32{V20: 13, V30: 16}[v]; h.Length != want {
			t.Fatalf("%s CANCEL_RESP length %d, want %d", v, h.Length, want)
		}
	}
}

// Many concurrent submits over several connections all get answers.
func TestConcurrentSubmits(t *testing.T) {
	h := newTestISMG()
	_, addr := startServer(t, V30, h, nil)
	cfg := clientConfig(addr, V30)
	cfg.Conns = 3
	c := startClient(t, cfg, nil)
	waitReady(t, c)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			r, err := c.Submit(prototest.Ctx(t), &Submit{DestTerminalID: []string{"13800138000"}, MsgContent: []byte{byte(i)}})
			if err == nil && r.Result != 0 {
				err = errors.New("non-zero result")
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(h.submitted()); n != 200 {
		t.Fatalf("server saw %d", n)
	}
}

// Client.Query and Client.Cancel against hooks on the server.
func TestClientQueryCancel(t *testing.T) {
	for _, v := range []Version{V20, V30} {
		h := &hookISMG{testISMG: newTestISMG()}
		_, addr := startServer(t, V30, h, nil)
		c := startClient(t, clientConfig(addr, v), nil)
		waitReady(t, c)
		qr, err := c.Query(prototest.Ctx(t), &Query{Time: "20250116", QueryType: 0})
		if err != nil || qr.MTTLMsg != 12 || qr.Time != "20250116" {
			t.Fatalf("%s query: %+v %v", v, qr, err)
		}
		cr, err := c.Cancel(prototest.Ctx(t), 77)
		if err != nil || cr.SuccessID != 0 {
			t.Fatalf("%s cancel 77: %+v %v", v, cr, err)
		}
		if cr, _ := c.Cancel(prototest.Ctx(t), 78); cr.SuccessID != 1 {
			t.Fatalf("%s cancel 78: %+v", v, cr)
		}
	}
}

type hookISMG struct{ *testISMG }

func (hookISMG) Query(_ context.Context, _ *ServerConn, q *Query) *QueryResp {
	return &QueryResp{Time: q.Time, MTTLMsg: 12}
}

func (hookISMG) Cancel(_ context.Context, _ *ServerConn, k *Cancel) *CancelResp {
	if k.MsgID == 77 {
		return &CancelResp{SuccessID: 0}
	}
	return &CancelResp{SuccessID: 1}
}
