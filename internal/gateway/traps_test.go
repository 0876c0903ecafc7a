package gateway_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/session"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
)

// Traps operators set for SPs, through each protocol's driver and
// simulator: a peer that stops answering without closing, one that
// crashes and comes back, one that reports a message twice (it split it
// into more parts than we sent), reports before the submit response,
// reports ids it never gave out, and appends its signature to MO text.

// trapSim is what these tests need of a simulator.
type trapSim interface {
	Close(ctx context.Context) error
	Kill()
	Restart() error
	GoSilent(n int)
	Speak()
	SendMO(ctx context.Context, from, to, text string) error
	SendStrayReport(ctx context.Context, dest string) error
	Stats() sim.Stats
}

// recInbound records what a driver hands the core, in order.
type recInbound struct {
	mu      sync.Mutex
	reports []gateway.Report
	mos     []gateway.MO
}

func (in *recInbound) Report(_ context.Context, _ *gateway.Gateway, r gateway.Report) error {
	in.mu.Lock()
	in.reports = append(in.reports, r)
	in.mu.Unlock()
	return nil
}

func (in *recInbound) MO(_ context.Context, _ *gateway.Gateway, m gateway.MO) error {
	in.mu.Lock()
	in.mos = append(in.mos, m)
	in.mu.Unlock()
	return nil
}

func (in *recInbound) reportsFor(id string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, r := range in.reports {
		if r.OpMsgID == id {
			n++
		}
	}
	return n
}

func (in *recInbound) snapshot() ([]gateway.Report, []gateway.MO) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]gateway.Report(nil), in.reports...), append([]gateway.MO(nil), in.mos...)
}

// trapProtocols are the four protocols, each with a number of its
// operator.
var trapProtocols = []struct{ proto, to string }{
	{"cmpp3", "13800138000"}, {"sgip", "13012345678"}, {"smgp3", "13312345678"}, {"smpp34", "19212345678"},
}

const trapTimeout = 150 * time.Millisecond // per attempt; the engine tries 3 times

// trapPair starts a simulator of proto and a gateway driving it.
func trapPair(t *testing.T, proto string, cfg sim.Config) (trapSim, *gateway.Gateway, *recInbound) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	in := &recInbound{}
	g := &gateway.Gateway{Config: gateway.Config{Name: proto + "-t", Protocol: proto, ServiceID: "HY", SrcID: "10658000",
		Window: 8, RequestTimeout: trapTimeout}}
	var (
		s   trapSim
		err error
		d   gateway.Driver
	)
	switch proto {
	case "cmpp3":
		c := sim.NewCMPP(sim.CMPPConfig{Config: cfg, Accounts: map[string]string{"901234": "cmpppw"}, Logger: log})
		err = c.Listen("127.0.0.1:0")
		g.Operator, g.Account, g.Secret, g.Addr = gateway.CMCC, "901234", "cmpppw", c.Addr()
		s = c
		if err == nil {
			d, err = gateway.NewCMPP(g, in, log)
		}
	case "smgp3":
		c := sim.NewSMGP(sim.SMGPConfig{Config: cfg, Accounts: map[string]string{"10601234": "smgppw"}, Logger: log})
		err = c.Listen("127.0.0.1:0")
		g.Operator, g.Account, g.Secret, g.Addr = gateway.CTCC, "10601234", "smgppw", c.Addr()
		s = c
		if err == nil {
			d, err = gateway.NewSMGP(g, in, log)
		}
	case "smpp34":
		c := sim.NewSMPP(sim.SMPPConfig{Config: cfg, Accounts: map[string]string{"hongyan": "smpppw"}, Logger: log})
		err = c.Listen("127.0.0.1:0")
		g.Operator, g.Account, g.Secret, g.Addr, g.SMPPIDFormat = gateway.CBN, "hongyan", "smpppw", c.Addr(), "hex-dec"
		s = c
		if err == nil {
			d, err = gateway.NewSMPP(g, in, log)
		}
	case "sgip":
		listen := freeAddr(t)
		c := sim.NewSGIP(sim.SGIPConfig{Config: cfg, Accounts: map[string]string{"sp": "sppw"},
			SPAddr: listen, SPLogin: "smg", SPPassword: "smgpw", Logger: log})
		err = c.Listen("127.0.0.1:0")
		g.Operator, g.Account, g.Secret, g.Addr = gateway.CUCC, "sp", "sppw", c.Addr()
		g.Listen, g.NodeID, g.SMGLogin, g.SMGPassword = listen, 3010012345, "smg", "smgpw"
		s = c
		if err == nil {
			d, err = gateway.NewSGIP(g, in, log)
		}
	default:
		t.Fatalf("no protocol %s", proto)
	}
	if err != nil {
		t.Fatal(err)
	}
	g.Driver = d
	ctx, cancel := context.WithCancel(context.Background())
	d.Start(ctx)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		_ = d.Close(cctx)
		cancel()
		_ = s.Close(cctx)
	})
	waitUntil(t, proto+" gateway connected", func() bool { return d.Stats().Connected > 0 && d.Available() })
	return s, g, in
}

type testLogWriter struct{ t *testing.T }

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func trapSubmit(to string) *gateway.Submit {
	return &gateway.Submit{MessageID: 1, Seq: 1, Total: 1, Src: "10658000", To: to, Coding: sms.UCS2,
		Content: []byte{0x4f, 0x60, 0x59, 0x7d}, WantReport: true}
}

// A peer that stops answering mid-window without closing: the submits it
// leaves unanswered fail with a timeout (in doubt: it has them) while its
// sessions stay up; DemoteAfter of them in a row take the gateway out of
// the pool although its driver is still available. When the peer answers
// again, the probe the pool lets through puts the gateway back.
func TestTrapSilentPeerTimesOutAndDemotes(t *testing.T) {
	for _, tp := range trapProtocols {
		t.Run(tp.proto, func(t *testing.T) {
			t.Parallel()
			s, g, _ := trapPair(t, tp.proto, sim.Config{NoReports: true})
			gateway.SetProbeAfter(g, 200*time.Millisecond)
			other := &gateway.Gateway{Config: gateway.Config{Name: "other", Operator: g.Operator}, Driver: alwaysUp{}}
			p, err := gateway.NewPool([]*gateway.Gateway{g, other})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			s.GoSilent(2)
			// The window holds 8; 2 answered, then silence for the rest.
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Go(func() {
					_, errs[i] = g.Submit(ctx, trapSubmit(tp.to))
				})
			}
			start := time.Now()
			wg.Wait()
			var ok, timedOut int
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, session.ErrTimeout) && gateway.InDoubt(err):
					timedOut++
				default:
					t.Errorf("submit error %v, want a timeout", err)
				}
			}
			if ok != 2 || timedOut != 4 {
				t.Fatalf("%d answered, %d timed out; want 2 and 4", ok, timedOut)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Fatalf("timeouts took %s", el)
			}
			if st := s.Stats(); st.Unanswered < 4 || st.Submits != 2 {
				t.Fatalf("simulator stats %+v: want 2 answered, at least 4 (with resends) left unanswered", st)
			}
			if !g.Driver.Available() || g.Driver.Stats().Connected == 0 {
				t.Fatal("the silent peer's session went down; this trap keeps it up")
			}
			if !g.Demoted() || g.Healthy() {
				t.Fatalf("after %d timeouts in a row: demoted=%v healthy=%v", timedOut, g.Demoted(), g.Healthy())
			}
			for range 5 {
				if got, err := p.Pick(g.Operator); err != nil || got != other {
					t.Fatalf("Pick with %s demoted = %v, %v; want the other gateway", g.Name, got, err)
				}
			}
			// Still silent: the probe times out and keeps it out.
			time.Sleep(250 * time.Millisecond)
			if n := pickCount(p, g, 4); n != 1 {
				t.Fatalf("%d probes in 4 picks after the wait, want 1", n)
			}
			if _, err := g.Submit(ctx, trapSubmit(tp.to)); !errors.Is(err, session.ErrTimeout) {
				t.Fatalf("probe to a silent peer = %v, want a timeout", err)
			}
			if !g.Demoted() {
				t.Fatal("a failed probe put the gateway back")
			}
			// Answering again: the next probe succeeds, fail-back.
			s.Speak()
			time.Sleep(250 * time.Millisecond)
			if n := pickCount(p, g, 4); n != 1 {
				t.Fatalf("%d probes in 4 picks after the wait, want 1", n)
			}
			if res, err := g.Submit(ctx, trapSubmit(tp.to)); err != nil || !res.OK {
				t.Fatalf("probe after the peer recovered = %+v, %v", res, err)
			}
			if g.Demoted() || !g.Healthy() {
				t.Fatal("an answered probe did not put the gateway back")
			}
			if n := pickCount(p, g, 10); n < 4 {
				t.Fatalf("after fail-back %s got %d of 10 picks, want its share", g.Name, n)
			}
		})
	}
}

// pickCount picks n times and counts the picks of g.
func pickCount(p *gateway.Pool, g *gateway.Gateway, n int) int {
	got := 0
	for range n {
		if x, _ := p.Pick(g.Operator); x == g {
			got++
		}
	}
	return got
}

// alwaysUp is a driver that is always available (the pool's other choice).
type alwaysUp struct{}

func (alwaysUp) Start(context.Context)       {}
func (alwaysUp) Close(context.Context) error { return nil }
func (alwaysUp) Available() bool             { return true }
func (alwaysUp) Stats() session.Stats        { return session.Stats{Connected: 1} }
func (alwaysUp) Submit(context.Context, *gateway.Submit) (gateway.Result, error) {
	return gateway.Result{OK: true, Code: "0"}, nil
}

// A peer that crashes (listener and connections gone, no goodbye): the
// driver is no longer available and the gateway fails fast with
// ErrNoGateway, nothing sent; Stats count no session. Back on the same
// address, the driver reconnects and submits go through again.
func TestTrapKilledPeerUnavailableUntilBack(t *testing.T) {
	for _, tp := range trapProtocols {
		t.Run(tp.proto, func(t *testing.T) {
			t.Parallel()
			s, g, _ := trapPair(t, tp.proto, sim.Config{NoReports: true})
			ctx := context.Background()
			if res, err := g.Submit(ctx, trapSubmit(tp.to)); err != nil || !res.OK {
				t.Fatalf("submit before the kill: %+v %v", res, err)
			}
			s.Kill()
			waitUntil(t, "driver unavailable after the kill", func() bool { return !g.Driver.Available() })
			if st := g.Driver.Stats(); st.Connected != 0 || st.LastError == "" {
				t.Fatalf("stats after the kill %+v: want no session and the reason", st)
			}
			if g.Healthy() {
				t.Fatal("healthy with the peer gone")
			}
			before := s.Stats().Submits
			if _, err := g.Submit(ctx, trapSubmit(tp.to)); !errors.Is(err, gateway.ErrNoGateway) || gateway.InDoubt(err) {
				t.Fatalf("submit with the peer gone = %v, want ErrNoGateway (not in doubt)", err)
			}
			if err := s.Restart(); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "driver back after the restart", func() bool { return g.Driver.Available() && g.Driver.Stats().Connected > 0 })
			if res, err := g.Submit(ctx, trapSubmit(tp.to)); err != nil || !res.OK {
				t.Fatalf("submit after the restart: %+v %v", res, err)
			}
			if n := s.Stats().Submits; n != before+1 {
				t.Fatalf("simulator answered %d submits after the restart, want 1", n-before)
			}
		})
	}
}

// Reports the operator sends its own way: before the submit response (the
// driver hands it on before Submit returns, with the id the response then
// gives), twice for one message id (it split the MT into one more part),
// and for an id it never gave out. Each arrives at the Inbound with the
// canonical id, none refused. Its signature is appended to MO text.
func TestTrapReportsOutOfOrderDoubledAndStray(t *testing.T) {
	for _, tp := range trapProtocols {
		t.Run(tp.proto, func(t *testing.T) {
			t.Parallel()
			s, g, in := trapPair(t, tp.proto, sim.Config{ReportFirst: true, ExtraReports: 1, Signature: "【中国移动】"})
			ctx := context.Background()
			res, err := g.Submit(ctx, trapSubmit(tp.to))
			if err != nil || !res.OK || res.OpMsgID == "" {
				t.Fatalf("submit: %+v %v", res, err)
			}
			// ReportFirst: the first report was stored before the response.
			if n := in.reportsFor(res.OpMsgID); n < 1 {
				t.Fatalf("no report for %s before the submit returned", res.OpMsgID)
			}
			waitUntil(t, "both reports", func() bool { return in.reportsFor(res.OpMsgID) == 2 })
			if err := s.SendStrayReport(ctx, tp.to); err != nil {
				t.Fatalf("stray report refused: %v", err)
			}
			if err := s.SendMO(ctx, tp.to, "10658000", "TD"); err != nil {
				t.Fatal(err)
			}
			reports, mos := in.snapshot()
			if len(reports) != 3 {
				t.Fatalf("reports %+v, want 2 for %s and a stray one", reports, res.OpMsgID)
			}
			for i, r := range reports {
				if r.Stat != "DELIVRD" || r.To != tp.to {
					t.Errorf("report %d = %+v", i, r)
				}
			}
			if reports[2].OpMsgID == res.OpMsgID || reports[2].OpMsgID == "" {
				t.Fatalf("stray report id %q", reports[2].OpMsgID)
			}
			if len(mos) != 1 {
				t.Fatalf("MO parts %+v", mos)
			}
			text := sms.DecodeLossy(mos[0].Content, mos[0].Coding)
			if text != "TD【中国移动】" || mos[0].From != tp.to || mos[0].UDHI {
				t.Fatalf("MO %q from %s (%+v), want the text with the operator's signature", text, mos[0].From, mos[0])
			}
		})
	}
}
