package smgp

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// TestSessionSuite runs the protocols' shared session scenarios (login,
// round trips, goodbye, window, heartbeats, hostile peers) against SMGP.
func TestSessionSuite(t *testing.T) { prototest.RunSessionSuite(t, suite()) }

func suite() *prototest.Adapter[Version, *ServerConn] {
	rptID := NewMsgIDFromString("01006101161700000042")
	bad, _ := (&Deliver{MsgID: rptID, SrcTermID: "13300000001", MsgContent: []byte("x")}).Marshal(nil, V30)
	good, _ := (&Submit{DestTermID: []string{"1"}}).Marshal(nil, V30)
	return &prototest.Adapter[Version, *ServerConn]{
		Proto:   func(Version) session.Protocol { return Protocol{} },
		Pairs:   []prototest.Pair[Version]{{Client: V30, Server: V30}, {Client: V20, Server: V20}, {Client: V20, Server: V30}, {Client: V13, Server: V30}},
		Account: testClientID, Secret: testSecret,
		LoginCmd: CmdLogin, SubmitCmd: CmdSubmit, DeliverCmd: CmdDeliver, GoodbyeCmd: CmdExit,
		LoginName: "Login", DeliverName: "Deliver", GoodbyeLog: "client sent Exit", LengthName: "PacketLength",
		Refusals: []prototest.Refusal[Version]{
			{Name: "wrong secret", Client: V30, Server: V30, Secret: "nope", Want: "status 21 (authentication error)"},
			{Name: "wrong secret 1.3", Client: V13, Server: V30, Secret: "nope", Want: "status 21 (authentication error)"},
			{Name: "unknown client", Client: V30, Server: V30, Account: "99999999", Want: "status 21 (authentication error)"},
			{Name: "version too high", Client: V30, Server: V20, Want: "status 22 (version too high)"},
			{Name: "nil Auth", Client: V30, Server: V30, NoAuth: true, Want: "status 21"},
		},
		ForgedAuth: "AuthenticatorServer mismatch",
		Malformed: []prototest.Malformed{
			{Name: "bad login mode", Bytes: loginWithMode(7), Log: "status=10"},
			{Name: "second login", Login: true, Bytes: loginWithMode(2), Log: "second Login"},
		},
		BadSubmit: []prototest.Bad{
			{Body: []byte{6, 1, 0}, Status: StatusBadStructure},             // truncated after Priority
			{Body: append(good, 0, 2, 0, 9, 1), Status: StatusBadStructure}, // TP_udhi claiming 9 bytes
		},
		BadDeliver:     prototest.Bad{Body: bad[:40], ID: rptID.String(), Status: StatusBadStructure},
		SubmitRefused:  StatusSPDailyLimit,
		DeliverRefused: StatusBusy,

		Server: func(t testing.TB, o prototest.ServerOptions[Version]) prototest.TestServer[*ServerConn] {
			h := newTestSMGW()
			srv, addr := startServer(t, o.Version, h, o.Log, func(c *ServerConfig) {
				c.Session, c.LoginTimeout = o.Session, o.LoginTimeout
				if o.NoAuth {
					c.Auth = nil
				}
			})
			return prototest.TestServer[*ServerConn]{Recorder: h.Recorder, Addr: addr, Conns: srv.Conns, Close: srv.Close}
		},
		NewClient: func(o prototest.ClientOptions[Version]) prototest.Client {
			cfg := ClientConfig{Name: "test", Addr: o.Addr, ClientID: o.Account, Secret: o.Secret, Version: o.Version,
				Conns: o.Conns, Window: o.Window, Session: o.Session, Logger: o.Log, BackoffMin: o.Backoff, BackoffMax: 5 * o.Backoff}
			var h DeliverHandler
			if o.Deliver != nil {
				h = func(_ context.Context, d *Deliver) uint32 { return o.Deliver(message(d)) }
			}
			return NewClient(cfg, h)
		},
		Submit: func(ctx context.Context, c prototest.Client, m prototest.Message) (string, uint32, error) {
			r, err := c.(*Client).Submit(ctx, &Submit{NeedReport: 1, SrcTermID: "106900001234", DestTermID: []string{m.To}, MsgContent: []byte(m.Text)})
			if err != nil {
				return "", 0, err
			}
			return r.MsgID.String(), r.Status, nil
		},
		AccountOf: (*ServerConn).ClientID,
		VersionOf: (*ServerConn).Version,
		Deliver: func(ctx context.Context, sc *ServerConn, m prototest.Message) (uint32, error) {
			d := &Deliver{MsgID: NewMsgIDGenerator(1).Next(), MsgFormat: FmtUCS2, RecvTime: "20250116170000",
				SrcTermID: m.From, DestTermID: m.To, MsgContent: mustEncode(m.Text)}
			if m.Report {
				d.MsgFormat, d.MsgContent = 0, nil
				d.Report = &Report{MsgID: NewMsgIDFromString(m.ID), SubmitDate: "2501161700", DoneDate: "2501161701", Stat: StatDelivered, Err: "000"}
			}
			r, err := sc.Deliver(ctx, d)
			if err != nil {
				return 0, err
			}
			if r.MsgID != d.MsgID {
				return 0, fmt.Errorf("Deliver_Resp names %s, want %s", r.MsgID, d.MsgID)
			}
			return r.Status, nil
		},
		RawLogin: func(r *prototest.Raw, v Version) { newRawPeer(r.T, r.NC, v).login() },
		RawAccept: func(r *prototest.Raw, forged bool) bool {
			secret := testSecret
			if forged {
				secret = "other"
			}
			return newRawPeer(r.T, r.NC, V30).acceptLogin(func(req *Login) [16]byte {
				return AuthServer(0, req.AuthenticatorClient, secret, StatusWidth4)
			})
		},
		RawSubmit: func(seq uint32, v Version) []byte {
			b, _ := AppendPDU(nil, seq, &Submit{DestTermID: []string{"13300000001"}, MsgContent: []byte("x")}, v)
			return b
		},
		Answer: func(b []byte, v Version) (uint32, string) {
			switch _, pdu, _ := DecodePDU(b, v); r := pdu.(type) {
			case *SubmitResp:
				return r.Status, r.MsgID.String()
			case *DeliverResp:
				return r.Status, r.MsgID.String()
			}
			return 0xffffffff, ""
		},
		// A Deliver flagged as a report whose text is not one is refused too.
		ClientMalformedExtra: func(t *testing.T, r *prototest.Raw, _ prototest.Client) {
			p := newRawPeer(t, r.NC, V30)
			p.Send(6, &Deliver{MsgID: rptID, IsReport: 1, MsgContent: []byte("not a report")})
			if _, pdu, err := p.Read(); err != nil || pdu.(*DeliverResp).Status != StatusBadStructure {
				t.Fatalf("unreadable report: %+v %v", pdu, err)
			}
		},
	}
}

// message is d as the session suite sees it.
func message(d *Deliver) prototest.Message {
	m := prototest.Message{Report: d.IsReport == 1, From: d.SrcTermID, To: d.DestTermID, Text: string(d.MsgContent)}
	if d.MsgFormat == FmtUCS2 {
		m.Text, _ = sms.Decode(d.MsgContent, sms.UCS2)
	}
	if d.Report != nil {
		m.ID, m.Delivered, m.Text = d.Report.MsgID.String(), d.Report.Delivered(), ""
	}
	return m
}

func mustEncode(s string) []byte {
	b, err := sms.Encode(s, sms.UCS2)
	if err != nil {
		panic(err)
	}
	return b
}

func loginWithMode(mode uint8) []byte {
	l := NewLogin(testClientID, testSecret, LoginTransmit, V30, time.Now())
	l.LoginMode = mode
	b, err := AppendPDU(nil, 1, l, V30)
	if err != nil {
		panic(err)
	}
	return b
}
