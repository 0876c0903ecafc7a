package gateway_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/proto/cngp"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
)

// cngpInbound records what a CNGP driver hands the core.
type cngpInbound struct {
	mu      sync.Mutex
	reports []gateway.Report
	mos     []gateway.MO
}

func (in *cngpInbound) Report(_ context.Context, _ *gateway.Gateway, r gateway.Report) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.reports = append(in.reports, r)
	return nil
}

func (in *cngpInbound) MO(_ context.Context, _ *gateway.Gateway, m gateway.MO) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.mos = append(in.mos, m)
	return nil
}

func (in *cngpInbound) snapshot() ([]gateway.Report, []gateway.MO) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]gateway.Report(nil), in.reports...), append([]gateway.MO(nil), in.mos...)
}

// cngpDriver builds and starts a driver for addr; mod adjusts its config.
func cngpDriver(t *testing.T, addr string, mod func(*gateway.Config)) (gateway.Driver, *cngpInbound, *gateway.Gateway) {
	t.Helper()
	g := &gateway.Gateway{Config: gateway.Config{Name: "cnc-1", Operator: gateway.CUCC, Protocol: "cngp2", Addr: addr,
		Account: "1234567890", Secret: "pw", ServiceID: "HELP", Window: 16, RequestTimeout: 2 * time.Second}}
	if mod != nil {
		mod(&g.Config)
	}
	in := &cngpInbound{}
	d, err := gateway.NewCNGP(g, in, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	g.Driver = d
	ctx, cancel := context.WithCancel(context.Background())
	d.Start(ctx)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer ccancel()
		_ = d.Close(cctx)
		cancel()
	})
	return d, in, g
}

func cngpSim(t *testing.T, v cngp.Version, cfg sim.Config) *sim.CNGP {
	t.Helper()
	s := sim.NewCNGP(sim.CNGPConfig{Config: cfg, Version: v, Accounts: map[string]string{"1234567890": "pw"},
		Logger: slog.New(slog.DiscardHandler)})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// Both versions against the simulator: a submit is answered with the
// MsgID its report carries, a refusal is retryable, and a long Chinese MO
// arrives with its UDH recognised from the content.
func TestCNGPDriverSubmitReportAndMO(t *testing.T) {
	for _, proto := range []string{"cngp2", "cngp1"} {
		t.Run(proto, func(t *testing.T) {
			s := cngpSim(t, cngp.V20, sim.Config{ReportDelay: 10 * time.Millisecond})
			d, in, _ := cngpDriver(t, s.Addr(), func(c *gateway.Config) { c.Protocol = proto })
			waitUntil(t, "CNGP login", d.Available)

			res, err := d.Submit(context.Background(), &gateway.Submit{Src: "10658000", To: "13312345678", Coding: sms.UCS2,
				Content: []byte{0x4f, 0x60}, WantReport: true})
			if err != nil || !res.OK || res.Code != "0" || len(res.OpMsgID) != 20 {
				t.Fatalf("submit: %+v %v", res, err)
			}
			waitUntil(t, "status report", func() bool { r, _ := in.snapshot(); return len(r) == 1 })
			if r, _ := in.snapshot(); r[0].OpMsgID != res.OpMsgID || r[0].Stat != "DELIVRD" || r[0].To != "13312345678" {
				t.Fatalf("report %+v for %s", r[0], res.OpMsgID)
			}

			s.RejectNext(1)
			res, err = d.Submit(context.Background(), &gateway.Submit{To: "13312345678", Content: []byte("x")})
			if err != nil || res.OK || res.Code != "1" || !res.Retryable {
				t.Fatalf("refusal: %+v %v", res, err)
			}

			text := strings.Repeat("网通长回复", 20)
			if err := s.SendMO(context.Background(), "13312345678", "10658000", text); err != nil {
				t.Fatal(err)
			}
			_, mos := in.snapshot()
			if len(mos) != 2 {
				t.Fatalf("%d MO parts, want 2", len(mos))
			}
			var got []byte
			for i, m := range mos {
				cc, has, payload, err := sms.ParseUDH(m.Content)
				if !m.UDHI || !has || err != nil || cc.Seq != i+1 || m.From != "13312345678" || m.To != "10658000" || m.Coding != sms.UCS2 {
					t.Fatalf("MO part %d: %+v %+v", i, m, cc)
				}
				got = append(got, payload...)
			}
			if back, _ := sms.Decode(got, sms.UCS2); back != text {
				t.Fatalf("MO text %q", back)
			}
		})
	}
}

// A 1.0-only SMGW refuses a 2.0 login (22); cngp_login_version sends the
// byte it wants without leaving cngp2.
func TestCNGPDriverLoginVersionSetting(t *testing.T) {
	s := cngpSim(t, cngp.V10, sim.Config{})
	refused, _, _ := cngpDriver(t, s.Addr(), nil)
	time.Sleep(300 * time.Millisecond)
	if refused.Available() || !strings.Contains(refused.Stats().LastError, "status 22") {
		t.Fatalf("2.0 login to a 1.0 SMGW: available=%v %q", refused.Available(), refused.Stats().LastError)
	}
	ok, _, _ := cngpDriver(t, s.Addr(), func(c *gateway.Config) { c.CNGPLoginVersion = 0x10 })
	waitUntil(t, "login with version 0x10", ok.Available)
}

// recordingSMGW keeps the Submits a cngp.Server receives.
type recordingSMGW struct {
	mu   sync.Mutex
	subs []*cngp.Submit
}

func (h *recordingSMGW) Submit(_ context.Context, _ *cngp.ServerConn, s *cngp.Submit) *cngp.SubmitResp {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs = append(h.subs, s)
	return &cngp.SubmitResp{MsgID: cngp.NewMsgID(1, time.Now(), uint32(len(h.subs)))}
}
func (*recordingSMGW) Connected(*cngp.ServerConn)    {}
func (*recordingSMGW) Disconnected(*cngp.ServerConn) {}

func (h *recordingSMGW) last() *cngp.Submit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs[len(h.subs)-1]
}

// The per-gateway settings reach the wire: SubType, the TP_udhi tag, bare
// bodies, SPID = account and the validity period.
func TestCNGPDriverSettingsOnTheWire(t *testing.T) {
	h := &recordingSMGW{}
	srv := cngp.NewServer(cngp.ServerConfig{Logger: slog.New(slog.DiscardHandler),
		Auth: func(string) (string, bool) { return "pw", true }}, h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	part := &gateway.Submit{To: "13312345678", Coding: sms.UCS2, UDHI: true, Seq: 1, Total: 2,
		Content: []byte{5, 0, 3, 1, 2, 1, 0x4f, 0x60}, ValidUntil: time.Date(2025, 1, 16, 9, 0, 0, 0, time.UTC)}

	plain, _, _ := cngpDriver(t, ln.Addr().String(), nil)
	waitUntil(t, "login", plain.Available)
	if res, err := plain.Submit(context.Background(), part); err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	s := h.last()
	if s.SubType != cngp.SubTypeOnDemand || s.SPID != "1234567890" || s.ServiceID != "HELP" || s.FeeType != "00" ||
		s.ValidTime != "250116170000032+" || len(s.TLVs) != 1 || !s.TLVs.Has(cngp.TagProtocolID) {
		t.Fatalf("default submit %+v", s)
	}

	tuned, _, _ := cngpDriver(t, ln.Addr().String(), func(c *gateway.Config) {
		c.CNGPSubType, c.CNGPUDHITag, c.CNGPNoTLVs = 3, 0x0002, true
	})
	waitUntil(t, "login", tuned.Available)
	if res, err := tuned.Submit(context.Background(), part); err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	s = h.last()
	if s.SubType != cngp.SubTypeSubscription || len(s.TLVs) != 1 || s.TLVs.Byte(0x0002) != 1 {
		t.Fatalf("tuned submit %+v", s)
	}
}

func TestCNGPDriverConfigRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*gateway.Config)
		want string
	}{
		{"not cngp", func(c *gateway.Config) { c.Protocol = "cngp3" }, "not CNGP"},
		{"account too long", func(c *gateway.Config) { c.Account = "12345678901" }, "1-10 characters"},
		{"no account", func(c *gateway.Config) { c.Account = "" }, "1-10 characters"},
		{"login version", func(c *gateway.Config) { c.CNGPLoginVersion = 256 }, "cngp_login_version"},
		{"sub type", func(c *gateway.Config) { c.CNGPSubType = 4 }, "cngp_sub_type"},
	} {
		g := &gateway.Gateway{Config: gateway.Config{Name: "x", Protocol: "cngp2", Account: "1234567890"}}
		tc.mod(&g.Config)
		if _, err := gateway.NewCNGP(g, &cngpInbound{}, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
}
