package gateway_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
)

type sgipInbound struct {
	mu      sync.Mutex
	reports []gateway.Report
	mos     []gateway.MO
	fail    int // refuse this many items first
}

func (in *sgipInbound) Report(_ context.Context, _ *gateway.Gateway, r gateway.Report) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fail > 0 {
		in.fail--
		return errors.New("store down")
	}
	in.reports = append(in.reports, r)
	return nil
}

func (in *sgipInbound) MO(_ context.Context, _ *gateway.Gateway, m gateway.MO) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fail > 0 {
		in.fail--
		return errors.New("store down")
	}
	in.mos = append(in.mos, m)
	return nil
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sgipPair starts an SGIP SMG simulator and a driver wired to each other.
func sgipPair(t *testing.T, cfg sim.Config, mod func(*gateway.Config)) (*sim.SGIP, gateway.Driver, *sgipInbound) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(&strings.Builder{}, nil))
	listen := freeAddr(t)
	g := &gateway.Gateway{Config: gateway.Config{Name: "cucc-sgip-t", Operator: "cucc", Protocol: "sgip",
		Account: "sp", Secret: "sppw", Listen: listen, NodeID: 3010012345, SMGLogin: "smg", SMGPassword: "smgpw",
		ServiceID: "HY", Window: 16}}
	if mod != nil {
		mod(&g.Config)
	}
	s := sim.NewSGIP(sim.SGIPConfig{Config: cfg, Accounts: map[string]string{"sp": "sppw"},
		SPAddr: listen, SPLogin: "smg", SPPassword: "smgpw", Logger: log})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	g.Addr = s.Addr()
	in := &sgipInbound{}
	d, err := gateway.NewSGIP(g, in, log)
	if err != nil {
		t.Fatal(err)
	}
	g.Driver = d
	ctx, cancel := context.WithCancel(context.Background())
	d.Start(ctx)
	t.Cleanup(func() {
		cancel()
		_ = d.Close(context.Background())
		_ = s.Close(context.Background())
	})
	waitUntil(t, "SGIP gateway connected", func() bool { return d.Stats().Connected > 0 })
	return s, d, in
}

func TestSGIPDriverSubmitReportAndMO(t *testing.T) {
	s, d, in := sgipPair(t, sim.Config{ReportMix: map[string]float64{"UNDELIV": 1}}, nil)
	var dests []string
	var mu sync.Mutex
	s.OnSubmit(func(dest string, _ []byte) { mu.Lock(); dests = append(dests, dest); mu.Unlock() })
	in.mu.Lock()
	in.fail = 1 // the first report is refused: the SMG must resend it
	in.mu.Unlock()
	res, err := d.Submit(context.Background(), &gateway.Submit{To: "13012345678", Src: "10658000", Coding: sms.UCS2,
		Content: []byte{0x4f, 0x60}, WantReport: true, Seq: 1, Total: 1})
	if err != nil || !res.OK || !strings.HasPrefix(res.OpMsgID, "3010012345-") {
		t.Fatalf("submit = %+v, %v", res, err)
	}
	waitUntil(t, "report", func() bool { in.mu.Lock(); defer in.mu.Unlock(); return len(in.reports) == 1 })
	r := in.reports[0]
	if r.OpMsgID != res.OpMsgID || r.Stat != "ERR:25" || r.To != "13012345678" {
		t.Fatalf("report %+v, want id %s stat ERR:25 to 13012345678", r, res.OpMsgID)
	}
	mu.Lock()
	if len(dests) != 1 || dests[0] != "13012345678" {
		t.Fatalf("simulator saw %v", dests)
	}
	mu.Unlock()
	if err := s.SendMO(context.Background(), "13012345678", "10658000123", strings.Repeat("长回复", 40)); err != nil {
		t.Fatal(err)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.mos) != 2 || in.mos[0].From != "13012345678" || in.mos[0].To != "10658000123" || !in.mos[0].UDHI || in.mos[0].Coding != sms.UCS2 {
		t.Fatalf("MO parts %+v", in.mos)
	}
}

func TestSGIPDriverRefusalRetryable(t *testing.T) {
	s, d, _ := sgipPair(t, sim.Config{}, nil)
	s.RejectNext(1)
	res, err := d.Submit(context.Background(), &gateway.Submit{To: "13012345678", Src: "10658000", Content: []byte("hi"), Seq: 1, Total: 1})
	if err != nil || res.OK || res.Code != "11" || !res.Retryable {
		t.Fatalf("refused submit = %+v, %v; want code 11 retryable", res, err)
	}
}

func TestSGIPDriverSourceIPChecked(t *testing.T) {
	s, _, _ := sgipPair(t, sim.Config{}, func(g *gateway.Config) { g.SMGIPs = []string{"10.1.2.0/24"} })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.SendMO(ctx, "13012345678", "10658000", "hi"); err == nil {
		t.Fatal("MO from an address outside smg_ips accepted")
	}
}

func TestSGIPDriverConfigAndListenError(t *testing.T) {
	log := slog.New(slog.NewTextHandler(&strings.Builder{}, nil))
	for name, c := range map[string]gateway.Config{
		"no listen":  {Name: "x", Protocol: "sgip", Account: "sp", NodeID: 1},
		"no node id": {Name: "x", Protocol: "sgip", Account: "sp", Listen: "127.0.0.1:0"},
		"bad ips":    {Name: "x", Protocol: "sgip", Account: "sp", Listen: "127.0.0.1:0", NodeID: 1, SMGIPs: []string{"nope"}},
	} {
		if _, err := gateway.NewSGIP(&gateway.Gateway{Config: c}, &sgipInbound{}, log); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	d, err := gateway.NewSGIP(&gateway.Gateway{Config: gateway.Config{Name: "x", Protocol: "sgip", Account: "sp",
		Addr: freeAddr(t), Listen: busy.Addr().String(), NodeID: 3010012345}}, &sgipInbound{}, log)
	if err != nil {
		t.Fatal(err)
	}
	d.Start(context.Background())
	defer d.Close(context.Background())
	waitUntil(t, "listen error in stats", func() bool { return strings.Contains(d.Stats().LastError, "sgip receiver: listen") })
}

func TestSGIPStat(t *testing.T) {
	for _, c := range []struct {
		state, code uint8
		want        string
	}{{0, 0, "DELIVRD"}, {1, 0, ""}, {2, 29, "ERR:29"}, {7, 0, "STATE:7"}} {
		if got := gateway.SGIPStat(c.state, c.code); got != c.want {
			t.Errorf("SGIPStat(%d, %d) = %q, want %q", c.state, c.code, got, c.want)
		}
	}
}

// SGIP health is honest: Stats count only sessions bound now, and
// Available says whether a submit would be tried — before Start (the
// first submit connects) yes; while backing off after a refused Bind no,
// and the pool skips the gateway; bound, yes.
func TestSGIPDriverAvailability(t *testing.T) {
	log := slog.New(slog.NewTextHandler(&strings.Builder{}, nil))
	s := sim.NewSGIP(sim.SGIPConfig{Accounts: map[string]string{"sp": "sppw"}, Logger: log})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	mk := func(secret string) *gateway.Gateway {
		g := &gateway.Gateway{Config: gateway.Config{Name: "cucc-" + secret, Operator: gateway.CUCC, Protocol: "sgip",
			Addr: s.Addr(), Account: "sp", Secret: secret, Listen: freeAddr(t), NodeID: 3010012345}}
		d, err := gateway.NewSGIP(g, &sgipInbound{}, log)
		if err != nil {
			t.Fatal(err)
		}
		g.Driver = d
		return g
	}
	bad, good := mk("wrong"), mk("sppw")
	if !bad.Driver.Available() || bad.Driver.Stats().Connected != 0 {
		t.Fatalf("before Start: available=%v stats %+v; want available with no session", bad.Driver.Available(), bad.Driver.Stats())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, g := range []*gateway.Gateway{bad, good} {
		g.Driver.Start(ctx)
		defer g.Driver.Close(context.Background())
	}
	waitUntil(t, "refused bind seen", func() bool { return bad.Driver.Stats().LastError != "" })
	if bad.Driver.Available() || bad.Healthy() || bad.Driver.Stats().Connected != 0 {
		t.Fatalf("after a refused bind: available=%v stats %+v", bad.Driver.Available(), bad.Driver.Stats())
	}
	waitUntil(t, "good gateway bound", func() bool { return good.Driver.Stats().Connected == 1 })
	if !good.Driver.Available() {
		t.Fatal("bound gateway not available")
	}
	p, err := gateway.NewPool([]*gateway.Gateway{bad, good})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if g, err := p.Pick(gateway.CUCC); err != nil || g != good {
			t.Fatalf("Pick = %v, %v; want the gateway that can bind", g, err)
		}
	}
}
