package cmpp

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"
	"time"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
)

// TestSessionSuite runs the protocols' shared session scenarios (login,
// round trips, goodbye, window, heartbeats, hostile peers) against CMPP.
func TestSessionSuite(t *testing.T) { prototest.RunSessionSuite(t, suite()) }

func suite() *prototest.Adapter[Version, *ServerConn] {
	bad, _ := (&Deliver{MsgID: 42, SrcTerminalID: "13800138000", MsgContent: []byte("x")}).Marshal(nil, V30)
	second, _ := AppendPDU(nil, 2, NewConnect(testSP, testSecret, V30, time.Now()), V30)
	return &prototest.Adapter[Version, *ServerConn]{
		Proto:   func(v Version) session.Protocol { return NewProtocol(v) },
		Pairs:   []prototest.Pair[Version]{{Client: V30, Server: V30}, {Client: V20, Server: V20}, {Client: V20, Server: V30}, {Client: V21, Server: V30}},
		Account: testSP, Secret: testSecret,
		LoginCmd: CmdConnect, SubmitCmd: CmdSubmit, DeliverCmd: CmdDeliver, GoodbyeCmd: CmdTerminate,
		LoginName: "CONNECT", DeliverName: "DELIVER", GoodbyeLog: "client sent TERMINATE", LengthName: "Total_Length",
		Refusals: []prototest.Refusal[Version]{
			{Name: "wrong secret 3.0", Client: V30, Server: V30, Secret: "nope", Want: "status 3 (authentication error)"},
			{Name: "wrong secret 2.0", Client: V20, Server: V20, Secret: "nope", Want: "status 3 (authentication error)"},
			{Name: "unknown SP", Client: V30, Server: V30, Account: "999999", Want: "status 2 (illegal source address)"},
			{Name: "version too high", Client: V30, Server: V20, Want: "status 4 (version too high)"},
			{Name: "nil Auth", Client: V30, Server: V30, NoAuth: true, Want: "status 2"},
		},
		ForgedAuth: "AuthenticatorISMG mismatch",
		Malformed:  []prototest.Malformed{{Name: "second connect", Login: true, Bytes: second, Log: "second CONNECT"}},
		BadSubmit: []prototest.Bad{ // truncated after Registered_Delivery; the refusal names its Msg_Id
			{Body: append(binary.BigEndian.AppendUint64(nil, 0x1122334455667788), 1, 1, 0), ID: strconv.FormatUint(0x1122334455667788, 10), Status: SubmitBadStructure},
		},
		BadDeliver:     prototest.Bad{Body: bad[:50], ID: "42", Status: DeliverBadStructure}, // cut inside Src_terminal_Id
		SubmitRefused:  SubmitFlowControl,
		DeliverRefused: DeliverOther,

		Server: func(t testing.TB, o prototest.ServerOptions[Version]) prototest.TestServer[*ServerConn] {
			h := newTestISMG()
			srv, addr := startServer(t, o.Version, h, o.Log, func(c *ServerConfig) {
				c.Session, c.LoginTimeout = o.Session, o.LoginTimeout
				if o.NoAuth {
					c.Auth = nil
				}
			})
			return prototest.TestServer[*ServerConn]{Recorder: h.Recorder, Addr: addr, Conns: srv.Conns, Close: srv.Close}
		},
		NewClient: func(o prototest.ClientOptions[Version]) prototest.Client {
			cfg := ClientConfig{Name: "test", Addr: o.Addr, SourceAddr: o.Account, Secret: o.Secret, Version: o.Version,
				Conns: o.Conns, Window: o.Window, Session: o.Session, Logger: o.Log, BackoffMin: o.Backoff, BackoffMax: 5 * o.Backoff}
			var h DeliverHandler
			if o.Deliver != nil {
				h = func(_ context.Context, d *Deliver) uint32 { return o.Deliver(message(d)) }
			}
			return NewClient(cfg, h)
		},
		Submit: func(ctx context.Context, c prototest.Client, m prototest.Message) (string, uint32, error) {
			r, err := c.(*Client).Submit(ctx, &Submit{RegisteredDelivery: 1, SrcID: "10658000", DestTerminalID: []string{m.To}, MsgContent: []byte(m.Text)})
			if err != nil {
				return "", 0, err
			}
			return strconv.FormatUint(r.MsgID, 10), r.Result, nil
		},
		AccountOf: (*ServerConn).SourceAddr,
		VersionOf: (*ServerConn).Version,
		Deliver: func(ctx context.Context, sc *ServerConn, m prototest.Message) (uint32, error) {
			d := &Deliver{MsgID: 77, DestID: m.To, ServiceID: "HELP", MsgFmt: FmtUCS2, SrcTerminalID: m.From, MsgContent: ucs2(m.Text)}
			if m.Report {
				id, _ := strconv.ParseUint(m.ID, 10, 64)
				d.MsgFmt, d.MsgContent = 0, nil
				d.Report = &Report{MsgID: id, Stat: "DELIVRD", SubmitTime: "2501161700", DoneTime: "2501161701", DestTerminalID: m.From, SMSCSequence: 9}
			}
			r, err := sc.Deliver(ctx, d)
			if err != nil {
				return 0, err
			}
			if r.MsgID != d.MsgID {
				return 0, fmt.Errorf("DELIVER_RESP names %d, want %d", r.MsgID, d.MsgID)
			}
			return r.Result, nil
		},
		RawLogin: func(r *prototest.Raw, v Version) { newRawPeer(r.T, r.NC, v).login() },
		RawAccept: func(r *prototest.Raw, forged bool) bool {
			secret := testSecret
			if forged {
				secret = "other"
			}
			return newRawPeer(r.T, r.NC, V30).acceptConnect(secret, V30) != nil
		},
		RawSubmit: func(seq uint32, v Version) []byte {
			b, _ := AppendPDU(nil, seq, &Submit{DestTerminalID: []string{"13800138000"}, MsgContent: []byte("x")}, v)
			return b
		},
		Answer: func(b []byte, v Version) (uint32, string) {
			switch _, pdu, _ := DecodePDU(b, v); r := pdu.(type) {
			case *SubmitResp:
				return r.Result, strconv.FormatUint(r.MsgID, 10)
			case *DeliverResp:
				return r.Result, strconv.FormatUint(r.MsgID, 10)
			}
			return 0xffffffff, ""
		},
	}
}

// message is d as the session suite sees it.
func message(d *Deliver) prototest.Message {
	m := prototest.Message{Report: d.IsReport(), From: d.SrcTerminalID, To: d.DestID, Text: string(d.MsgContent)}
	if d.MsgFmt == FmtUCS2 {
		m.Text = fromUCS2(d.MsgContent)
	}
	if d.Report != nil {
		m.ID, m.Delivered, m.Text = strconv.FormatUint(d.Report.MsgID, 10), d.Report.Delivered(), ""
	}
	return m
}
