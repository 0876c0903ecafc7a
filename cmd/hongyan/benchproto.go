package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/app"
	"hongyan/internal/gateway"
	"hongyan/internal/proto/cmpp"
	"hongyan/internal/proto/sgip"
	"hongyan/internal/proto/smpp"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
)

// `hongyan bench --proto P` measures one protocol's client session alone:
// a gateway Driver (app.NewDriver, as the platform builds it) against that
// protocol's simulator in the same process on loopback, with no store, core
// or HTTP in the way. Enough submitters keep the window full for the
// duration; every submit is one single-segment message without a status
// report.

// benchSim is what the protocol bench needs of a simulator.
type benchSim interface {
	Listen(addr string) error
	Addr() string
	Close(ctx context.Context) error
	Stats() sim.Stats
}

// benchProto is one row of the protocol table: the name `hongyan sim
// --proto` accepts (also the gateway protocol), an account valid for the
// protocol, the simulator, and any extra gateway settings the protocol
// needs. Adding a protocol is adding a row.
type benchProto struct {
	name    string
	account string
	newSim  func(c sim.Config, accounts map[string]string, log *slog.Logger) benchSim
	gateway func(g *gateway.Config) error // optional
}

// benchSecret is the password of every bench account: loopback only, and
// short enough for SMPP's 8 characters.
const benchSecret = "benchpw"

var benchProtos = []benchProto{
	{name: "cmpp3", account: "901234", newSim: benchCMPP(cmpp.V30)},
	{name: "cmpp2", account: "901234", newSim: benchCMPP(cmpp.V20)},
	{name: "sgip", account: "hongyan", newSim: benchSGIP, gateway: benchSGIPGateway},
	{name: "smgp3", account: "10601234", newSim: func(c sim.Config, a map[string]string, log *slog.Logger) benchSim {
		return sim.NewSMGP(sim.SMGPConfig{Config: c, Accounts: a, Logger: log})
	}},
	{name: "cngp2", account: "1234567890", newSim: func(c sim.Config, a map[string]string, log *slog.Logger) benchSim {
		return sim.NewCNGP(sim.CNGPConfig{Config: c, Accounts: a, Logger: log})
	}},
	{name: "smpp34", account: "hongyan", newSim: benchSMPP(smpp.V34), gateway: benchSMPPGateway},
	{name: "smpp33", account: "hongyan", newSim: benchSMPP(smpp.V33), gateway: benchSMPPGateway},
}

func benchCMPP(v cmpp.Version) func(sim.Config, map[string]string, *slog.Logger) benchSim {
	return func(c sim.Config, a map[string]string, log *slog.Logger) benchSim {
		return sim.NewCMPP(sim.CMPPConfig{Version: v, Config: c, Accounts: a, Logger: log})
	}
}

func benchSMPP(v smpp.Version) func(sim.Config, map[string]string, *slog.Logger) benchSim {
	return func(c sim.Config, a map[string]string, log *slog.Logger) benchSim {
		return sim.NewSMPP(sim.SMPPConfig{Version: v, Config: c, Accounts: a, Logger: log})
	}
}

// benchSMPPGateway: the simulator's message ids (as the sandbox configures it).
func benchSMPPGateway(g *gateway.Config) error {
	g.SMPPIDFormat = "hex-dec"
	return nil
}

// benchSGIP: no SP address, so the simulator never connects back (no
// reports, no MO); only the MT direction is measured.
func benchSGIP(c sim.Config, a map[string]string, log *slog.Logger) benchSim {
	return sim.NewSGIP(sim.SGIPConfig{Config: c, Accounts: a, Logger: log})
}

// benchSGIPGateway gives the driver the Receiver address and node id it
// requires; the Receiver listens but nothing connects to it.
func benchSGIPGateway(g *gateway.Config) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("pick a port for the SGIP receiver: %w", err)
	}
	g.Listen = ln.Addr().String()
	if err := ln.Close(); err != nil {
		return err
	}
	g.NodeID, err = sgip.SPNodeID("010", "90121")
	return err
}

func benchProtoNames() []string {
	names := make([]string, len(benchProtos))
	for i, p := range benchProtos {
		names[i] = p.name
	}
	return names
}

// pickProtos resolves --proto: one name or "all".
func pickProtos(name string) ([]benchProto, error) {
	if name == "all" {
		return benchProtos, nil
	}
	for _, p := range benchProtos {
		if p.name == name {
			return []benchProto{p}, nil
		}
	}
	return nil, fmt.Errorf("--proto %q: want %s or all", name, strings.Join(benchProtoNames(), ", "))
}

// protoBenchOptions are the knobs of one protocol run.
type protoBenchOptions struct {
	Latency    time.Duration // simulator's delay before answering each submit
	Window     int           // per connection
	Conns      int
	Submitters int // goroutines calling Submit; 0 = window × conns
	Log        *slog.Logger
}

// submitters defaults to one per window slot: each submits again the
// moment its answer arrives, so the window stays full, and the latency
// measured is the request's round trip, not time spent queueing for a
// slot (more submitters add only that queueing: same throughput).
func (o protoBenchOptions) submitters() int {
	if o.Submitters > 0 {
		return o.Submitters
	}
	return o.Window * o.Conns
}

// protoRig is a started simulator and a connected driver.
type protoRig struct {
	sim benchSim
	drv gateway.Driver
}

// benchInbound takes whatever the simulator sends (nothing, with reports off).
type benchInbound struct{}

func (benchInbound) Report(context.Context, *gateway.Gateway, gateway.Report) error { return nil }
func (benchInbound) MO(context.Context, *gateway.Gateway, gateway.MO) error         { return nil }

// startProtoRig starts p's simulator on 127.0.0.1:0 and a driver against
// it, and waits until every connection is logged in.
func startProtoRig(ctx context.Context, p benchProto, o protoBenchOptions) (*protoRig, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	accounts := map[string]string{p.account: benchSecret}
	// The simulator's window also bounds how many submits it serves at
	// once: make it at least the client's, so it is never the limit.
	s := p.newSim(sim.Config{Latency: o.Latency, NoReports: true, Window: max(o.Window, 16)}, accounts, log.With("sim", p.name))
	if err := s.Listen("127.0.0.1:0"); err != nil {
		return nil, err
	}
	g := gateway.Config{Name: "bench-" + p.name, Operator: gateway.CMCC, Protocol: p.name, Addr: s.Addr(),
		Account: p.account, Secret: benchSecret, ServiceID: "HYBENCH", SrcID: app.SandboxServiceCode,
		Conns: o.Conns, Window: o.Window}
	if p.gateway != nil {
		if err := p.gateway(&g); err != nil {
			_ = s.Close(context.Background())
			return nil, err
		}
	}
	gw := &gateway.Gateway{Config: g}
	drv, err := app.NewDriver(gw, benchInbound{}, log)
	if err != nil {
		_ = s.Close(context.Background())
		return nil, err
	}
	gw.Driver = drv
	r := &protoRig{sim: s, drv: drv}
	drv.Start(ctx)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for drv.Stats().Connected < o.Conns {
		select {
		case <-wctx.Done():
			st := drv.Stats()
			r.close()
			return nil, fmt.Errorf("%s: %d of %d connections logged in after 10 s (last error: %s)", p.name, st.Connected, o.Conns, st.LastError)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return r, nil
}

func (r *protoRig) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.drv.Close(ctx)
	_ = r.sim.Close(ctx)
}

// benchText is one UCS2 segment (well under 70 characters).
const benchText = "【鸿雁】您的验证码是 834127，5 分钟内有效，请勿告诉他人。"

func benchSubmit(r *rand.Rand) *gateway.Submit {
	content, err := sms.Encode(benchText, sms.UCS2)
	if err != nil {
		panic(err) // a constant text
	}
	return &gateway.Submit{MessageID: r.Int64(), Seq: 1, Total: 1, Src: app.SandboxServiceCode, To: benchNumber(r),
		Coding: sms.UCS2, Content: content}
}

// protoLoad is what one timed load saw.
type protoLoad struct {
	elapsed      time.Duration
	ok, refused  int64
	errs         int64
	lastErr      string
	latMs        []float64 // sorted, successful submits only
	meanMs       float64
	firstRefusal string
}

// load runs n submitters against the rig until dur has passed; submits in
// flight at the end are waited for and counted.
func (r *protoRig) load(ctx context.Context, n int, dur time.Duration) protoLoad {
	var ok, refused, errs atomic.Int64
	var mu sync.Mutex
	var lats []float64
	var lastErr, firstRefusal string
	start := time.Now()
	stop := start.Add(dur)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			sub := benchSubmit(rnd)
			mine := make([]float64, 0, 1024)
			var myErr, myRefusal string
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(stop) {
					break
				}
				res, err := r.drv.Submit(ctx, sub)
				switch {
				case err != nil:
					errs.Add(1)
					myErr = err.Error()
					if ctx.Err() == nil {
						time.Sleep(time.Millisecond) // do not spin on a dead session
					}
				case !res.OK:
					refused.Add(1)
					if myRefusal == "" {
						myRefusal = res.Code
					}
				default:
					ok.Add(1)
					mine = append(mine, float64(time.Since(t0))/float64(time.Millisecond))
				}
			}
			mu.Lock()
			lats = append(lats, mine...)
			if myErr != "" {
				lastErr = myErr
			}
			if myRefusal != "" && firstRefusal == "" {
				firstRefusal = myRefusal
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Float64s(lats)
	mean := 0.0
	for _, l := range lats {
		mean += l
	}
	if len(lats) > 0 {
		mean /= float64(len(lats))
	}
	return protoLoad{elapsed: elapsed, ok: ok.Load(), refused: refused.Load(), errs: errs.Load(), lastErr: lastErr,
		latMs: lats, meanMs: mean, firstRefusal: firstRefusal}
}

// protoBenchResult is one protocol's line of `hongyan bench --proto`.
type protoBenchResult struct {
	Mode        string  `json:"mode"` // "proto"
	Proto       string  `json:"proto"`
	DurationS   float64 `json:"duration_s"`
	Window      int     `json:"window"` // per connection
	Conns       int     `json:"conns"`
	Submitters  int     `json:"submitters"`
	LatencyMs   float64 `json:"latency_ms"` // the simulator's answer delay
	Submits     int64   `json:"submits"`    // answered OK
	Refused     int64   `json:"refused"`    // answered with a refusal
	Errors      int64   `json:"errors"`     // not answered
	SubmitsPerS float64 `json:"submits_per_s"`
	// TheoryPerS is window × conns ÷ latency, the most a full window can
	// carry when every answer takes the latency; absent at zero latency.
	TheoryPerS float64 `json:"theory_per_s,omitempty"`
	// TargetPerS is the bar: 5,000/s at zero latency, TheoryPerS
	// otherwise.
	TargetPerS float64 `json:"target_per_s"`
	P50ms      float64 `json:"p50_ms"` // submit → response, successful submits
	P99ms      float64 `json:"p99_ms"`
	MeanMs     float64 `json:"mean_ms"`
	// Occupancy is submits/s × mean latency ÷ (window × conns): the share
	// of the window in flight on average (Little's law). Near 1 means the
	// window is full all the time, so throughput is window ÷ the measured
	// round trip and nothing else limits it.
	Occupancy float64 `json:"occupancy"`
	Cores     int     `json:"cores"`
	At        string  `json:"at"`
}

// protoTargetZeroLatency is the bar for one session against a
// zero-latency simulator.
const protoTargetZeroLatency = 5000

// benchProtoOnce measures one protocol: start, warm up, load, stop.
func benchProtoOnce(ctx context.Context, p benchProto, o protoBenchOptions, dur time.Duration) (protoBenchResult, error) {
	rig, err := startProtoRig(ctx, p, o)
	if err != nil {
		return protoBenchResult{}, err
	}
	defer rig.close()
	n := o.submitters()
	// Warm up (connections, buffers, the scheduler) untimed.
	rig.load(ctx, n, min(max(dur/20, 100*time.Millisecond), 500*time.Millisecond))
	if err := ctx.Err(); err != nil {
		return protoBenchResult{}, err
	}
	l := rig.load(ctx, n, dur)
	if err := ctx.Err(); err != nil {
		return protoBenchResult{}, err
	}
	if l.errs > 0 {
		o.Log.Warn("submits not answered", "proto", p.name, "count", l.errs, "last_error", l.lastErr)
	}
	if l.refused > 0 {
		o.Log.Warn("submits refused by the simulator", "proto", p.name, "count", l.refused, "code", l.firstRefusal)
	}
	res := protoBenchResult{Mode: "proto", Proto: p.name, DurationS: round(l.elapsed.Seconds()), Window: o.Window, Conns: o.Conns,
		Submitters: n, LatencyMs: round2(float64(o.Latency.Microseconds()) / 1000), Submits: l.ok, Refused: l.refused, Errors: l.errs,
		SubmitsPerS: round(float64(l.ok) / l.elapsed.Seconds()), P50ms: round2(pct(l.latMs, 0.50)), P99ms: round2(pct(l.latMs, 0.99)),
		MeanMs: round2(l.meanMs), Occupancy: round2(float64(l.ok) / l.elapsed.Seconds() * l.meanMs / 1000 / float64(o.Window*o.Conns)),
		TargetPerS: protoTargetZeroLatency, Cores: numCPU(), At: time.Now().Format(time.RFC3339)}
	if o.Latency > 0 {
		res.TheoryPerS = round(float64(o.Window*o.Conns) / o.Latency.Seconds())
		res.TargetPerS = res.TheoryPerS
	}
	return res, nil
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// runProtoBench is `hongyan bench --proto`: fs is the parsed bench flag
// set (for which flags were given), the rest its values.
func runProtoBench(ctx context.Context, fs *flag.FlagSet, proto string, o protoBenchOptions, dur time.Duration,
	asJSON bool, out, cpuprofile string) error {
	for _, name := range []string{"mode", "db", "sqlite-sync"} {
		if flagSet(fs, name) {
			return fmt.Errorf("--%s is for the end-to-end bench; --proto measures a protocol session alone", name)
		}
	}
	if !flagSet(fs, "duration") {
		dur = 10 * time.Second
	}
	switch {
	case dur <= 0:
		return fmt.Errorf("--duration %s: want more than zero", dur)
	case o.Window <= 0:
		return fmt.Errorf("--window %d: want at least 1", o.Window)
	case o.Conns <= 0:
		return fmt.Errorf("--conns %d: want at least 1", o.Conns)
	case o.Submitters < 0:
		return fmt.Errorf("--concurrency %d: want at least 1", o.Submitters)
	case o.Latency < 0:
		return fmt.Errorf("--latency %s: want zero or more", o.Latency)
	}
	protos, err := pickProtos(proto)
	if err != nil {
		return err
	}
	if o.Log == nil {
		o.Log = newLogger("warn", "text")
	}
	var outFile *os.File
	if out != "" {
		if outFile, err = os.OpenFile(out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
			return err
		}
		defer outFile.Close()
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if !asJSON {
		printProtoHeader(os.Stdout)
	}
	var errs []error
	for _, p := range protos {
		res, err := benchProtoOnce(ctx, p, o, dur)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
			continue
		}
		b, _ := json.Marshal(res)
		if outFile != nil {
			if _, err := fmt.Fprintln(outFile, string(b)); err != nil {
				return err
			}
		}
		if asJSON {
			fmt.Println(string(b))
		} else {
			printProtoRow(os.Stdout, res)
		}
	}
	return errors.Join(errs...)
}

func printProtoHeader(w io.Writer) {
	fmt.Fprintf(w, "%-8s %6s %5s %7s %10s %8s %8s %10s %9s %9s\n",
		"proto", "window", "conns", "latency", "submits/s", "p50 ms", "p99 ms", "target/s", "of target", "occupancy")
}

func printProtoRow(w io.Writer, r protoBenchResult) {
	lat := "0"
	if r.LatencyMs > 0 {
		lat = fmt.Sprintf("%gms", r.LatencyMs)
	}
	share := "-"
	if r.TargetPerS > 0 {
		share = fmt.Sprintf("%.0f%%", 100*r.SubmitsPerS/r.TargetPerS)
	}
	note := ""
	if r.Errors > 0 || r.Refused > 0 {
		note = fmt.Sprintf("  (%d unanswered, %d refused)", r.Errors, r.Refused)
	}
	fmt.Fprintf(w, "%-8s %6d %5d %7s %10.0f %8.2f %8.2f %10.0f %9s %8.0f%%%s\n",
		r.Proto, r.Window, r.Conns, lat, r.SubmitsPerS, r.P50ms, r.P99ms, r.TargetPerS, share, 100*r.Occupancy, note)
}
