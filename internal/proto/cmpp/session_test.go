package cmpp

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"hongyan/internal/proto/prototest"
)

func TestSubmitSingleAndMulti(t *testing.T) {
	prototest.ForPairs(t, suite().Pairs, func(t *testing.T, cv, sv Version) {
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

// An encoding failure is an error and sends nothing.
func TestSubmitEncodingError(t *testing.T) {
	_, addr := startServer(t, V30, newTestISMG(), nil)
	c := startClient(t, clientConfig(addr, V30), nil)
	waitReady(t, c)
	if _, err := c.Submit(prototest.Ctx(t), &Submit{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty submit: %v", err)
	}
}

// A 3-part UCS2 long message with TP_udhi=1 and UDH 05 00 03 ref 03 n
// arrives intact and reassembles.
func TestLongMessageUCS2(t *testing.T) {
	prototest.ForPairs(t, suite().Pairs, func(t *testing.T, cv, sv Version) {
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
