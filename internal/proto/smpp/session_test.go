package smpp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

func TestBindModes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		v        Version
		mode     BindMode
		resolved BindMode
		server   []BindMode // what the server sees bound
	}{
		{"3.4 auto", V34, BindAuto, BindTransceiver, []BindMode{BindTransceiver}},
		{"3.4 trx", V34, BindTransceiver, BindTransceiver, []BindMode{BindTransceiver}},
		{"3.4 tx+rx", V34, BindTxRx, BindTxRx, []BindMode{BindTransmitter, BindReceiver}},
		{"3.3 auto", V33, BindAuto, BindTxRx, []BindMode{BindTransmitter, BindReceiver}},
		{"3.3 tx", V33, BindTransmitter, BindTransmitter, []BindMode{BindTransmitter}},
		{"3.4 rx", V34, BindReceiver, BindReceiver, []BindMode{BindReceiver}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestSMSC()
			srv, addr := startServer(t, serverConfig(V34, nil), h)
			cfg := clientConfig(addr, tc.v)
			cfg.BindMode, cfg.Conns = tc.mode, 2
			c := startClient(t, cfg, nil)
			waitReady(t, c)
			if c.BindMode() != tc.resolved {
				t.Fatalf("resolved %s", c.BindMode())
			}
			seen := map[BindMode]int{}
			for range 2 * len(tc.server) {
				sc := prototest.Recv(t, h.Logins)
				seen[sc.BindMode()]++
				if sc.SystemID() != testSysID || sc.Version() != tc.v {
					t.Fatalf("server sees %q %s", sc.SystemID(), sc.Version())
				}
			}
			for _, m := range tc.server {
				if seen[m] != 2 {
					t.Fatalf("server saw %v", seen)
				}
			}
			if n := len(srv.Conns()); n != 2*len(tc.server) {
				t.Fatalf("%d server conns", n)
			}
			st := waitConnected(t, c.Stats, 2)
			if st.Connected != 2 || st.Window != 32 {
				t.Fatalf("stats %+v", st)
			}
			if tc.resolved == BindTxRx && waitConnected(t, c.ReceiverStats, 2).Connected != 2 {
				t.Fatalf("receiver stats %+v", c.ReceiverStats())
			}
			_, err := c.Submit(prototest.Ctx(t), &SubmitSM{DestinationAddr: "1", ShortMessage: []byte("x")})
			if tc.resolved == BindReceiver {
				if !errors.Is(err, ErrBindMode) {
					t.Fatalf("submit on receiver: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Refused binds beside the shared suite's (wrong password, unknown
// system_id, nil Auth): the client reports the status and never becomes
// ready.
func TestBindRefused(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cv, sv   Version
		mode     BindMode
		sys, pwd string
		want     string
	}{
		{"3.3 server refuses trx", V34, V33, BindTransceiver, testSysID, testPassword, "ESME_RINVCMDID"},
		{"3.3 client wrong password tx+rx", V33, V34, BindTxRx, testSysID, "x", "ESME_RINVPASWD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestSMSC()
			_, addr := startServer(t, serverConfig(tc.sv, nil), h)
			cfg := clientConfig(addr, tc.cv)
			cfg.BindMode, cfg.SystemID, cfg.Password = tc.mode, tc.sys, tc.pwd
			c := startClient(t, cfg, nil)
			waitLastError(t, c, tc.want)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			if err := c.WaitReady(ctx); !errors.Is(err, session.ErrNoSession) {
				t.Fatalf("WaitReady = %v", err)
			}
			select {
			case <-h.Logins:
				t.Fatal("server reported a refused bind as connected")
			default:
			}
		})
	}
	// 3.3 has no bind_transceiver: refused before dialling.
	if _, err := NewClient(ClientConfig{Version: V33, BindMode: BindTransceiver}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("3.3 trx config: %v", err)
	}
	if _, err := NewClient(ClientConfig{SystemID: strings.Repeat("x", 16)}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("long system_id: %v", err)
	}
	if _, err := NewClient(ClientConfig{Version: 0x50}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("version 5.0: %v", err)
	}
}

// Short and long Chinese UCS2 text, with UDH, with SAR and in
// message_payload; the server reassembles each.
func TestSubmitShortAndLong(t *testing.T) {
	for _, v := range versions {
		for _, mode := range []LongMode{LongUDH, LongSAR, LongPayload} {
			if !v.HasTLV() && mode != LongUDH {
				continue
			}
			t.Run(v.String()+"/"+mode.String(), func(t *testing.T) {
				t.Parallel()
				h := newTestSMSC()
				_, addr := startServer(t, serverConfig(V34, nil), h)
				c := startClient(t, clientConfig(addr, v), nil)
				waitReady(t, c)
				base := &SubmitSM{SourceAddrTON: 5, SourceAddr: "Hongyan", DestAddrTON: 1, DestAddrNPI: 1,
					DestinationAddr: "8613800138000", RegisteredDelivery: RegDeliveryReceipt}
				for _, text := range []string{"你好，鸿雁", longChinese} {
					pdus, err := SplitSubmit(base, text, sms.UCS2, 0x5a, mode)
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range pdus {
						r, err := c.Submit(prototest.Ctx(t), p)
						if err != nil || r.Status != 0 || r.MessageID == "" {
							t.Fatalf("%+v %v", r, err)
						}
					}
				}
				got := h.submitted()
				ra := sms.NewReassembler(time.Minute)
				var texts []string
				for _, s := range got {
					c, err := s.Content()
					if err != nil {
						t.Fatal(err)
					}
					if s.DataCoding != 8 || s.DestinationAddr != "8613800138000" || s.SourceAddr != "Hongyan" {
						t.Fatalf("at server %+v", s)
					}
					if !c.HasConcat {
						texts = append(texts, fromUCS2(c.Payload))
					} else if whole, done := ra.Add(s.SourceAddr, c.Concat, c.Payload, time.Now()); done {
						texts = append(texts, fromUCS2(whole))
					}
				}
				if len(texts) != 2 || texts[0] != "你好，鸿雁" || texts[1] != longChinese {
					t.Fatalf("server got %q", texts)
				}
			})
		}
	}
}

// A refused submit is a response with a Status, not an error; so is a
// generic_nack; 3.3 refuses what it cannot carry before sending.
func TestSubmitStatusNotError(t *testing.T) {
	h := newTestSMSC()
	h.SetStatus(ESME_RTHROTTLED)
	_, addr := startServer(t, serverConfig(V34, nil), h)
	c := startClient(t, clientConfig(addr, V34), nil)
	waitReady(t, c)
	r, err := c.Submit(prototest.Ctx(t), &SubmitSM{DestinationAddr: "8613800138000", ShortMessage: []byte("x")})
	if err != nil || r.Status != ESME_RTHROTTLED || r.MessageID != "" || !Retryable(r.Status) {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := c.Submit(prototest.Ctx(t), &SubmitSM{SourceAddr: strings.Repeat("9", 30)}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad field: %v", err)
	}

	// generic_nack from a raw SMSC for our submit.
	ln, addr2 := prototest.Listen(t)
	go rawSMSC(t, ln, V34, func(p *rawPeer) {
		for {
			h, _, err := p.Read()
			if err != nil {
				return
			}
			switch h.Command {
			case CmdSubmitSM:
				p.Send(h.Seq.N, &GenericNack{Status: ESME_RINVCMDLEN})
			case CmdUnbind:
				p.Send(h.Seq.N, &UnbindResp{})
				return
			}
		}
	})
	c2 := startClient(t, clientConfig(addr2, V34), nil)
	waitReady(t, c2)
	r, err = c2.Submit(prototest.Ctx(t), &SubmitSM{DestinationAddr: "1"})
	if err != nil || r.Status != ESME_RINVCMDLEN {
		t.Fatalf("generic_nack: %+v %v", r, err)
	}

	cfg := clientConfig(addr, V33)
	cfg.BindMode = BindTransmitter
	c3 := startClient(t, cfg, nil)
	waitReady(t, c3)
	if _, err := c3.Submit(prototest.Ctx(t), &SubmitSM{TLVs: TLVs{{TagMessagePayload, []byte("x")}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("3.3 payload: %v", err)
	}
}

// The SMSC sends an MO (Chinese, UCS2) and receipts back; the receipt
// matches the submit_sm_resp id through the configured id format whether
// the TLVs are present (3.4) or only the text is (3.3).
func TestDeliverMOAndReceipt(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			h := newTestSMSC()
			h.hexIDs = true // submit_sm_resp in hex, receipt text in decimal
			_, addr := startServer(t, serverConfig(V34, nil), h)
			got := make(chan *DeliverSM, 4)
			cfg := clientConfig(addr, v)
			cfg.IDFormat = IDHexToDec
			c := startClient(t, cfg, func(_ context.Context, d *DeliverSM) uint32 {
				got <- d
				if string(d.ShortMessage) == "fail me" {
					return ESME_RX_T_APPN
				}
				return ESME_ROK
			})
			waitReady(t, c)
			var rx *ServerConn
			for range map[Version]int{V34: 1, V33: 2}[v] {
				if sc := prototest.Recv(t, h.Logins); sc.BindMode().CanReceive() {
					rx = sc
				}
			}
			ctx := prototest.Ctx(t)

			mo := &DeliverSM{SourceAddrTON: 1, SourceAddr: "8613800138000", DestinationAddr: "10658000123",
				DataCoding: 8, ShortMessage: ucs2("退订")}
			r, err := rx.Deliver(ctx, mo)
			if err != nil || r.Status != 0 {
				t.Fatalf("MO: %+v %v", r, err)
			}
			d := prototest.Recv(t, got)
			if rc, _ := d.Receipt(); rc != nil || fromUCS2(d.ShortMessage) != "退订" || d.DestinationAddr != "10658000123" {
				t.Fatalf("MO at client: %+v", d)
			}

			sub := &SubmitSM{SourceAddr: "Hongyan", DestinationAddr: "8613800138000", RegisteredDelivery: 1, ShortMessage: []byte("x")}
			resp, err := c.Submit(ctx, sub)
			if err != nil || resp.Status != 0 {
				t.Fatal(resp, err)
			}
			dec := fmt.Sprint(mustParseHex(t, resp.MessageID))
			rcpt := NewReceipt(sub, &Receipt{ID: resp.MessageID, TextID: "000" + dec, Stat: "DELIVRD",
				SubmitDate: "2501161700", DoneDate: "2501161701"})
			if r, err := rx.Deliver(ctx, rcpt); err != nil || r.Status != 0 {
				t.Fatalf("receipt: %+v %v", r, err)
			}
			d = prototest.Recv(t, got)
			rc, ok := d.Receipt()
			if !ok || !rc.Delivered() || rc.Key(c.IDFormat()) != c.IDFormat().RespKey(resp.MessageID) {
				t.Fatalf("receipt at client %+v (key %q, resp %q)", rc, rc.Key(c.IDFormat()), resp.MessageID)
			}
			if rc.IDFromTLV != v.HasTLV() {
				t.Fatalf("IDFromTLV %v on %s", rc.IDFromTLV, v)
			}

			// A handler that could not store the message: the SMSC gets
			// the temporary error and will redeliver.
			if r, err := rx.Deliver(ctx, &DeliverSM{SourceAddr: "1", ShortMessage: []byte("fail me")}); err != nil || r.Status != ESME_RX_T_APPN {
				t.Fatalf("failing handler: %+v %v", r, err)
			}
			prototest.Recv(t, got)
		})
	}
}

func mustParseHex(t *testing.T, s string) uint64 {
	t.Helper()
	var n uint64
	if _, err := fmt.Sscanf(s, "%x", &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// data_sm both ways, submit_multi fanned out, and the default refusals of
// query_sm, cancel_sm and replace_sm.
func TestOtherOperations(t *testing.T) {
	h := newTestSMSC()
	_, addr := startServer(t, serverConfig(V34, nil), h)
	got := make(chan *DeliverSM, 2)
	c := startClient(t, clientConfig(addr, V34), func(_ context.Context, d *DeliverSM) uint32 { got <- d; return 0 })
	waitReady(t, c)
	sc := prototest.Recv(t, h.Logins)
	ctx := prototest.Ctx(t)

	ds := &DataSM{SourceAddr: "Hongyan", DestinationAddr: "8613800138000", DataCoding: 8,
		TLVs: TLVs{{TagMessagePayload, ucs2(longChinese)}}}
	r, err := c.DataSM(ctx, ds)
	if err != nil || r.Status != 0 || r.MessageID == "" {
		t.Fatalf("data_sm: %+v %v", r, err)
	}
	at := h.submitted()[0]
	if cont, _ := at.Content(); fromUCS2(cont.Payload) != longChinese || !cont.FromPayload {
		t.Fatalf("data_sm at server: %+v", at)
	}

	mr, err := c.SubmitMulti(ctx, &SubmitMulti{SourceAddr: "Hongyan", ShortMessage: []byte("hi"), Dests: []DestAddress{
		{Flag: DestFlagSME, TON: 1, NPI: 1, Addr: "8613800138000"}, {Flag: DestFlagDistList, Addr: "staff"},
		{Flag: DestFlagSME, Addr: "8613800138001"}}})
	if err != nil || mr.Status != 0 || mr.MessageID == "" || len(mr.Unsuccess) != 1 || mr.Unsuccess[0].Status != ESME_RINVDLNAME {
		t.Fatalf("submit_multi: %+v %v", mr, err)
	}
	if n := len(h.submitted()); n != 3 {
		t.Fatalf("fan-out submitted %d", n)
	}
	if qr, err := c.QuerySM(ctx, &QuerySM{MessageID: "1"}); err != nil || qr.Status != ESME_RQUERYFAIL {
		t.Fatalf("query: %+v %v", qr, err)
	}
	if cr, err := c.CancelSM(ctx, &CancelSM{MessageID: "1"}); err != nil || cr.Status != ESME_RCANCELFAIL {
		t.Fatalf("cancel: %+v %v", cr, err)
	}
	if rr, err := c.ReplaceSM(ctx, &ReplaceSM{MessageID: "1"}); err != nil || rr.Status != ESME_RREPLACEFAIL {
		t.Fatalf("replace: %+v %v", rr, err)
	}

	// data_sm from the SMSC reaches the DeliverHandler as a deliver_sm.
	dr, err := sc.DataSM(ctx, &DataSM{SourceAddr: "8613800138000", DestinationAddr: "10658000", ESMClass: EsmDeliveryReceipt,
		TLVs: TLVs{{TagReceiptedMessageID, []byte("77\x00")}, {TagMessageState, []byte{StateDelivered}}}})
	if err != nil || dr.Status != 0 {
		t.Fatalf("server data_sm: %+v %v", dr, err)
	}
	if rc, ok := prototest.Recv(t, got).Receipt(); !ok || rc.ID != "77" || !rc.Delivered() {
		t.Fatalf("data_sm receipt %+v", rc)
	}
}

// Outbind: the SMSC dials the ESME, which binds as a receiver on that
// connection and then gets deliver_sm; a wrong outbind password is hung up.
func TestOutbind(t *testing.T) {
	h := newTestSMSC()
	srv, _ := startServer(t, serverConfig(V34, nil), h)
	got := make(chan *DeliverSM, 1)
	cfg := clientConfig("127.0.0.1:1", V34) // its own dialling fails: only the outbind path works
	cfg.BackoffMin, cfg.BackoffMax = time.Hour, time.Hour
	c := startClient(t, cfg, func(_ context.Context, d *DeliverSM) uint32 { got <- d; return 0 })
	ln, addr := prototest.Listen(t)
	go func() { _ = c.ServeOutbind(ln) }()

	if err := srv.Outbind(prototest.Ctx(t), addr, "SMSC", "wrong"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Outbind(prototest.Ctx(t), addr, "SMSC", testPassword); err != nil {
		t.Fatal(err)
	}
	sc := prototest.Recv(t, h.Logins)
	if sc.BindMode() != BindReceiver || sc.SystemID() != testSysID {
		t.Fatalf("outbind bound %s %q", sc.BindMode(), sc.SystemID())
	}
	if r, err := sc.Deliver(prototest.Ctx(t), &DeliverSM{SourceAddr: "8613800138000", ShortMessage: []byte("hello")}); err != nil || r.Status != 0 {
		t.Fatalf("deliver: %+v %v", r, err)
	}
	if d := prototest.Recv(t, got); string(d.ShortMessage) != "hello" {
		t.Fatalf("%+v", d)
	}
	select {
	case sc2 := <-h.Logins:
		t.Fatalf("wrong outbind password bound %+v", sc2)
	case <-time.After(100 * time.Millisecond):
	}
	// Client.Close unbinds the outbind connection too.
	if err := c.Close(prototest.Ctx(t)); err != nil {
		t.Fatal(err)
	}
	if prototest.Recv(t, h.Logouts) != sc {
		t.Fatal("outbind connection not closed")
	}
}
