package smpp

import (
	"bytes"
	"context"
	"testing"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
)

// TestSessionSuite runs the protocols' shared session scenarios (login,
// round trips, goodbye, window, heartbeats, hostile peers) against SMPP
// 3.4 transceivers; the bind modes and 3.3 have tests of their own.
func TestSessionSuite(t *testing.T) { prototest.RunSessionSuite(t, suite()) }

func suite() *prototest.Adapter[Version, *ServerConn] {
	good, _ := (&SubmitSM{SourceAddr: "1", DestinationAddr: "2", ShortMessage: []byte("x")}).Marshal(nil, V34)
	overlong := append([]byte{0, 1, 1}, bytes.Repeat([]byte{'9'}, 30)...)
	overlong = append(append(overlong, 0), good[5:]...)
	deliver, _ := (&DeliverSM{SourceAddr: "8613800138000", ShortMessage: []byte("x")}).Marshal(nil, V34)
	badPassword, _ := AppendPDU(nil, 1, &Bind{Mode: BindTransmitter, SystemID: testSysID, Password: "x", InterfaceVersion: 0x34}, V34)
	return &prototest.Adapter[Version, *ServerConn]{
		Proto:   func(v Version) session.Protocol { return NewProtocol(v) },
		Pairs:   []prototest.Pair[Version]{{Client: V34, Server: V34}},
		Account: testSysID, Secret: testPassword,
		LoginCmd: CmdBindTransmitter, SubmitCmd: CmdSubmitSM, DeliverCmd: CmdDeliverSM, GoodbyeCmd: CmdUnbind,
		LoginName: "bind", DeliverName: "deliver_sm", GoodbyeLog: "ESME sent unbind", LengthName: "command_length",
		OpenBeforeLogin: true, // answered ESME_RINVBNDSTS (TestServerBindRules)
		Refusals: []prototest.Refusal[Version]{
			{Name: "wrong password", Client: V34, Server: V34, Secret: "nope", Want: "ESME_RINVPASWD"},
			{Name: "unknown system id", Client: V34, Server: V34, Account: "nobody", Want: "ESME_RINVSYSID"},
			{Name: "nil Auth", Client: V34, Server: V34, NoAuth: true, Want: "ESME_RBINDFAIL"},
		},
		Malformed: []prototest.Malformed{{Name: "wrong password", Bytes: badPassword, Log: "bind refused"}},
		BadSubmit: []prototest.Bad{ // refused with the field's status
			{Body: good[:10], Status: ESME_RINVCMDLEN},
			{Body: overlong, Status: ESME_RINVSRCADR},
			{Body: append(bytes.Clone(good), 0x02, 0x04, 0x00), Status: ESME_RINVOPTPARSTREAM}, // 3 trailing bytes
		},
		BadDeliver:     prototest.Bad{Body: deliver[:8], Status: ESME_RINVCMDLEN},
		SubmitRefused:  ESME_RTHROTTLED,
		DeliverRefused: ESME_RX_T_APPN,

		Server: func(t testing.TB, o prototest.ServerOptions[Version]) prototest.TestServer[*ServerConn] {
			cfg := serverConfig(o.Version, o.Log)
			cfg.Session, cfg.LoginTimeout = o.Session, o.LoginTimeout
			if o.NoAuth {
				cfg.Auth = nil
			}
			h := newTestSMSC()
			srv, addr := startServer(t, cfg, h)
			return prototest.TestServer[*ServerConn]{Recorder: h.Recorder, Addr: addr, Conns: srv.Conns, Close: srv.Close}
		},
		NewClient: func(o prototest.ClientOptions[Version]) prototest.Client {
			cfg := ClientConfig{Name: "test", Addr: o.Addr, SystemID: o.Account, Password: o.Secret, Version: o.Version,
				BindMode: BindTransceiver, Conns: o.Conns, Window: o.Window, Session: o.Session, Logger: o.Log,
				BackoffMin: o.Backoff, BackoffMax: 5 * o.Backoff}
			var h DeliverHandler
			if o.Deliver != nil {
				h = func(_ context.Context, d *DeliverSM) uint32 { return o.Deliver(message(d)) }
			}
			c, err := NewClient(cfg, h)
			if err != nil {
				panic(err)
			}
			return c
		},
		Submit: func(ctx context.Context, c prototest.Client, m prototest.Message) (string, uint32, error) {
			r, err := c.(*Client).Submit(ctx, &SubmitSM{SourceAddr: "Hongyan", DestinationAddr: m.To, RegisteredDelivery: 1, ShortMessage: []byte(m.Text)})
			if err != nil {
				return "", 0, err
			}
			return r.MessageID, r.Status, nil
		},
		AccountOf: (*ServerConn).SystemID,
		VersionOf: (*ServerConn).Version,
		Deliver: func(ctx context.Context, sc *ServerConn, m prototest.Message) (uint32, error) {
			d := &DeliverSM{SourceAddrTON: 1, SourceAddr: m.From, DestinationAddr: m.To, DataCoding: 8, ShortMessage: ucs2(m.Text)}
			if m.Report {
				d = NewReceipt(&SubmitSM{SourceAddr: m.To, DestinationAddr: m.From},
					&Receipt{ID: m.ID, TextID: m.ID, Stat: "DELIVRD", SubmitDate: "2501161700", DoneDate: "2501161701"})
			}
			r, err := sc.Deliver(ctx, d)
			if err != nil {
				return 0, err
			}
			return r.Status, nil
		},
		RawLogin:  func(r *prototest.Raw, v Version) { newRawPeer(r.T, r.NC, v).bind(BindTransceiver) },
		RawAccept: func(r *prototest.Raw, _ bool) bool { return newRawPeer(r.T, r.NC, V34).acceptBind() },
		RawSubmit: func(seq uint32, v Version) []byte {
			b, _ := AppendPDU(nil, seq, &SubmitSM{DestinationAddr: "1", ShortMessage: []byte("x")}, v)
			return b
		},
		// The status is the header's; a refused submit_sm_resp is a bare
		// header.
		Answer: func(b []byte, v Version) (uint32, string) {
			h, pdu, err := DecodePDU(b, v)
			if err != nil {
				return 0xffffffff, ""
			}
			if r, ok := pdu.(*SubmitSMResp); ok {
				if h.Status != 0 && h.Length != HeaderLen {
					return 0xffffffff, ""
				}
				return h.Status, r.MessageID
			}
			return h.Status, ""
		},
		// An SMSC does not submit to us: generic_nack.
		ClientMalformedExtra: func(t *testing.T, r *prototest.Raw, _ prototest.Client) {
			r.Write(hdr(16, CmdSubmitSM, 6))
			if h, _, err := r.Read(); err != nil || h.Command != CmdGenericNack || h.Status != ESME_RINVCMDID || h.Seq.N != 6 {
				t.Fatalf("%+v %v", h, err)
			}
		},
	}
}

// message is d as the session suite sees it.
func message(d *DeliverSM) prototest.Message {
	m := prototest.Message{From: d.SourceAddr, To: d.DestinationAddr, Text: string(d.ShortMessage)}
	if d.DataCoding == 8 {
		m.Text = fromUCS2(d.ShortMessage)
	}
	if rc, ok := d.Receipt(); ok {
		m = prototest.Message{ID: rc.ID, Report: true, Delivered: rc.Delivered(), From: d.SourceAddr, To: d.DestinationAddr}
	}
	return m
}
