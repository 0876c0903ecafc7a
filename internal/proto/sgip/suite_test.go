package sgip

import (
	"context"
	"testing"

	"hongyan/internal/proto/prototest"
	"hongyan/internal/session"
)

// TestSessionSuite runs the protocols' shared session scenarios against
// an SP's Client and an SMG server. SGIP has no heartbeat (an idle
// connection is closed), no login timeout, no goodbye from the server, and
// its Client takes no Delivers (the SMG connects back to a Receiver):
// those scenarios are skipped, and session_test.go covers SGIP's own.
func TestSessionSuite(t *testing.T) { prototest.RunSessionSuite(t, suite()) }

func suite() *prototest.Adapter[Variant, *ServerConn] {
	sub, _ := (&Submit{UserNumber: []string{"8613012345678"}, MessageContent: []byte("x")}).Marshal(nil, Standard)
	noHeartbeat := "SGIP has no heartbeat: an idle connection is closed (TestServerIdleClose)"
	return &prototest.Adapter[Variant, *ServerConn]{
		Proto:   func(Variant) session.Protocol { return Protocol{} },
		Pairs:   []prototest.Pair[Variant]{{Client: Standard, Server: Standard}},
		Account: testLogin, Secret: testPassword,
		LoginCmd: CmdBind, SubmitCmd: CmdSubmit, DeliverCmd: CmdDeliver, GoodbyeCmd: CmdUnbind,
		LoginName: "Bind", LengthName: "Message_Length",
		Refusals: []prototest.Refusal[Variant]{
			{Name: "unknown login", Account: "sp999", Want: "result 1 (illegal login)"},
			{Name: "nil Auth", NoAuth: true, Want: "result 1 (illegal login)"},
		},
		Malformed: []prototest.Malformed{{Name: "unknown command", Login: true, Bytes: rawHeader(HeaderLen, 0x7777), Log: "unknown command"}},
		BadSubmit: []prototest.Bad{{Body: sub[:60], Status: uint32(ResultBadParameter)}},
		// A result the SMG may answer.
		SubmitRefused: uint32(ResultNodeBusy),
		Skip: map[string]string{
			"DeliverMOAndReport":     "the SP's Client takes no Delivers: the SMG connects back (TestSMGConnectsBackWithMOAndReport)",
			"ClientMalformedPeer":    "the SP's Client takes no Delivers; TestClientHostileSMG covers a hostile SMG",
			"GoodbyeBothWays":        "the server sends no Unbind; TestCloseUnbinds covers the client's",
			"HeartbeatClientWire":    noHeartbeat,
			"HeartbeatServerWire":    noHeartbeat,
			"HeartbeatKeepsAndDrops": noHeartbeat,
			"ServerLoginTimeout":     "SGIP servers close idle connections instead (TestServerIdleClose)",
		},

		Server: func(t testing.TB, o prototest.ServerOptions[Variant]) prototest.TestServer[*ServerConn] {
			rec := prototest.NewRecorder[*ServerConn]()
			h := &testSMG{rec: rec, bound: rec.Logins, unbound: rec.Logouts}
			cfg := smgServerConfig(o.Log)
			cfg.Session = o.Session
			if o.NoAuth {
				cfg.Auth = nil
			}
			srv := NewSMGServer(cfg, h)
			return prototest.TestServer[*ServerConn]{Recorder: rec, Addr: serve(t, srv), Conns: srv.Conns, Close: srv.Close}
		},
		NewClient: func(o prototest.ClientOptions[Variant]) prototest.Client {
			cfg := spConfig(o.Addr)
			cfg.LoginName, cfg.LoginPassword, cfg.LinkIDVariant = o.Account, o.Secret, o.Version == LinkIDVariant
			cfg.Conns, cfg.Window, cfg.Session, cfg.Logger = o.Conns, o.Window, o.Session, o.Log
			cfg.BackoffMin, cfg.BackoffMax = o.Backoff, 5*o.Backoff
			return NewClient(cfg)
		},
		Submit: func(ctx context.Context, c prototest.Client, m prototest.Message) (string, uint32, error) {
			r, err := c.(*Client).Submit(ctx, &Submit{UserNumber: []string{m.To}, MessageContent: []byte(m.Text)})
			if err != nil {
				return "", 0, err
			}
			return r.MsgID, uint32(r.Result), nil
		},
		AccountOf: (*ServerConn).LoginName,
		VersionOf: func(*ServerConn) Variant { return Standard },
		RawLogin: func(r *prototest.Raw, _ Variant) {
			if res := (&rawPeer{t: r.T, nc: r.NC}).bind(LoginSPToSMG, testLogin, testPassword); res != ResultOK {
				r.T.Fatalf("bind: result %d", res)
			}
		},
		RawAccept: func(r *prototest.Raw, _ bool) bool { return (&rawPeer{t: r.T, nc: r.NC}).acceptBind() },
		RawSubmit: func(seq uint32, v Variant) []byte {
			b, _ := AppendPDU(nil, session.Seq{Node: testNode, Time: 1120203225, N: seq}, &Submit{UserNumber: []string{"8613012345678"}, MessageContent: []byte("x")}, v)
			return b
		},
		Answer: func(b []byte, _ Variant) (uint32, string) {
			if _, pdu, err := DecodePDU(b); err == nil {
				if r, ok := pdu.(*SubmitResp); ok {
					return uint32(r.Result), ""
				}
			}
			return 0xffffffff, ""
		},
	}
}
