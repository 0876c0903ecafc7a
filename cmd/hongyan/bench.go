package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/app"
	"hongyan/internal/sim"
	"hongyan/internal/store"
)

type benchResult struct {
	Mode          string  `json:"mode"`
	Database      string  `json:"database"`
	DurationS     float64 `json:"duration_s"`
	Concurrency   int     `json:"concurrency"`
	Requests      int64   `json:"requests"`
	Errors        int64   `json:"errors"`
	Accepted      int64   `json:"accepted"`
	Delivered     int64   `json:"delivered"`
	AcceptedPerS  float64 `json:"accepted_per_s"`
	DeliveredPerS float64 `json:"delivered_per_s"`
	P50ms         float64 `json:"p50_ms"`
	P99ms         float64 `json:"p99_ms"`
	Rules         bool    `json:"rules,omitempty"` // 5,000 forbidden words and a 1M-number blacklist loaded
	Bare          bool    `json:"bare,omitempty"`  // no billing, no statistics: the baseline --rules is compared with
	// CPUPerMsgUS is the whole process's CPU time (platform, simulators and
	// load generator) per delivered message, from the first request to the
	// end of the drain: steadier than throughput on a shared machine.
	CPUPerMsgUS float64 `json:"cpu_us_per_msg,omitempty"`
	Cores       int     `json:"cores"`
	At          string  `json:"at"`
}

// runBench drives the HTTP API of an in-process platform wired to
// zero-latency simulators and measures accept and accept-to-delivered.
func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	dur := fs.Duration("duration", 15*time.Second, "how long to send")
	mode := fs.String("mode", "single", "single: one number per request; batch: 100 numbers per request")
	conc := fs.Int("concurrency", 0, "concurrent HTTP clients [single 64, batch 16]")
	asJSON := fs.Bool("json", false, "print one JSON object (last line)")
	db := fs.String("db", "", "database DSN (default: SQLite in a temporary directory)")
	sqliteSync := fs.String("sqlite-sync", "full", "SQLite synchronous: full or normal")
	out := fs.String("out", "", "also append the JSON result to this file")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	rules := fs.Bool("rules", false, "every business rule on: 5,000 forbidden words, a 1,000,000-number blacklist, prepaid billing, statistics")
	bare := fs.Bool("bare", false, "no business rules: free business types (no billing) and no statistics counters, the baseline of --rules")
	proto := fs.String("proto", "", "measure one protocol's client session alone instead: "+strings.Join(benchProtoNames(), ", ")+
		" or all (a driver against its simulator on loopback; --duration defaults to 10s per protocol, --concurrency is the number of submitters [window × conns])")
	latency := fs.Duration("latency", 0, "--proto: the simulator's delay before answering each submit")
	window := fs.Int("window", 16, "--proto: window per connection")
	conns := fs.Int("conns", 1, "--proto: connections")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *proto != "" {
		return runProtoBench(ctx, fs, *proto, protoBenchOptions{Latency: *latency, Window: *window, Conns: *conns, Submitters: *conc},
			*dur, *asJSON, *out, *cpuprofile)
	}
	for _, name := range []string{"latency", "window", "conns"} {
		if flagSet(fs, name) {
			return fmt.Errorf("--%s needs --proto", name)
		}
	}
	if *rules && *bare {
		return errors.New("--rules and --bare exclude each other: run one, then the other")
	}
	per := 1
	switch *mode {
	case "single":
		if *conc == 0 {
			*conc = 64
		}
	case "batch":
		per = 100
		if *conc == 0 {
			*conc = 16
		}
	default:
		return fmt.Errorf("--mode %q: want single or batch", *mode)
	}
	dir, err := os.MkdirTemp("", "hongyan-bench-")
	if err != nil {
		return err
	}
	if os.Getenv("HONGYAN_BENCH_KEEP") == "" {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintln(os.Stderr, "bench: data kept in", dir)
	}
	log := newLogger("warn", "text")
	sb, err := app.NewSandbox(ctx, app.SandboxOptions{DataDir: dir, Database: *db, Logger: log, SQLiteSync: *sqliteSync,
		Sim: sim.Config{Window: 64}, Window: 64, Bare: *bare})
	if err != nil {
		return err
	}
	if *rules {
		if err := seedBenchRules(ctx, sb.Store, 5000, 1_000_000, e2eBenchText); err != nil {
			return err
		}
	}
	var delivered atomic.Int64
	var lastDelivered atomic.Int64
	var latMu sync.Mutex
	lats := make([]float64, 0, 1<<16)
	sb.Core.OnFinal = func(id int64, st store.State) {
		if st != store.Delivered {
			return
		}
		now := time.Now()
		delivered.Add(1)
		lastDelivered.Store(now.UnixNano())
		ms := float64(now.UnixMilli()-idMillis(id)) + 0.5 // id holds the accept millisecond
		latMu.Lock()
		lats = append(lats, ms)
		latMu.Unlock()
	}
	if err := sb.Start(ctx); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Stop(sctx)
	}()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	for _, g := range sb.Pool.All() {
		for !g.Healthy() && wctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	cancel()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	url := "http://" + sb.Addr() + "/api/v1/messages"
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: *conc * 2, MaxIdleConnsPerHost: *conc * 2}, Timeout: 30 * time.Second}
	var requests, errs, accepted atomic.Int64
	start, cpuStart := time.Now(), cpuTime()
	lctx, stopLoad := context.WithTimeout(ctx, *dur)
	defer stopLoad()
	var wg sync.WaitGroup
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			var body bytes.Buffer
			for lctx.Err() == nil {
				body.Reset()
				body.WriteString(`{"to":[`)
				for i := 0; i < per; i++ {
					if i > 0 {
						body.WriteByte(',')
					}
					body.WriteString(`"`)
					body.WriteString(benchNumber(r))
					body.WriteString(`"`)
				}
				body.WriteString(`],"content":"` + e2eBenchText + `"}`)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body.Bytes()))
				req.Header.Set("Authorization", "Bearer "+sb.APIKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				requests.Add(1)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					errs.Add(1)
					continue
				}
				accepted.Add(int64(per))
			}
		}()
	}
	wg.Wait()
	sendTime := time.Since(start)
	// Let what was accepted finish (bounded), so delivered/s counts the tail.
	deadline := time.Now().Add(20 * time.Second)
	for delivered.Load() < accepted.Load() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	if d, a := delivered.Load(), accepted.Load(); d < a {
		// Say where the rest are, so a stall is diagnosable from the output.
		pending := map[store.State]int{}
		inflight := 0
		_ = sb.Store.PendingMessages(ctx, func(m *store.Message) error {
			pending[m.State]++
			if m.InFlight {
				inflight++
			}
			return nil
		})
		ready, delayed := sb.Core.Backlog()
		unmatched, _ := sb.Store.CountUnmatched(ctx)
		var simStats []sim.Stats
		for _, s := range sb.Sims {
			simStats = append(simStats, s.Stats())
		}
		fmt.Fprintf(os.Stderr, "bench: %d accepted messages not delivered after the drain: pending %v (in flight %d), outbox %d, delay queue %d, unmatched reports %d, simulators %+v\n",
			a-d, pending, inflight, ready, delayed, unmatched, simStats)
	}
	cpu := cpuTime() - cpuStart
	deliverTime := time.Duration(lastDelivered.Load() - start.UnixNano())
	if deliverTime <= 0 {
		deliverTime = sendTime
	}
	latMu.Lock()
	sort.Float64s(lats)
	p50, p99 := pct(lats, 0.50), pct(lats, 0.99)
	latMu.Unlock()
	res := benchResult{Mode: *mode, Database: sb.Store.Dialect(), DurationS: round(sendTime.Seconds()), Concurrency: *conc,
		Requests: requests.Load(), Errors: errs.Load(), Accepted: accepted.Load(), Delivered: delivered.Load(),
		AcceptedPerS: round(float64(accepted.Load()) / sendTime.Seconds()), DeliveredPerS: round(float64(delivered.Load()) / deliverTime.Seconds()),
		P50ms: round(p50), P99ms: round(p99), Rules: *rules, Bare: *bare, Cores: numCPU(), At: time.Now().Format(time.RFC3339)}
	if n := delivered.Load(); n > 0 && cpu > 0 {
		res.CPUPerMsgUS = round(float64(cpu.Microseconds()) / float64(n))
	}
	b, _ := json.Marshal(res)
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		fmt.Fprintln(f, string(b))
		f.Close()
	}
	if !*asJSON {
		fmt.Printf("mode            %s (%d per request, %d clients, %s)\n", res.Mode, per, res.Concurrency, res.Database)
		fmt.Printf("requests        %d (%d errors) in %.1f s\n", res.Requests, res.Errors, res.DurationS)
		fmt.Printf("accepted        %d  (%.0f msg/s)\n", res.Accepted, res.AcceptedPerS)
		fmt.Printf("delivered       %d  (%.0f msg/s)\n", res.Delivered, res.DeliveredPerS)
		fmt.Printf("accept→delivered p50 %.1f ms, p99 %.1f ms\n", res.P50ms, res.P99ms)
		fmt.Printf("CPU             %.0f µs per delivered message (whole process)\n", res.CPUPerMsgUS)
	}
	fmt.Println(string(b))
	return nil
}

// e2eBenchText is what every message of the end-to-end bench says.
const e2eBenchText = "【鸿雁】您的包裹已到达邮政网点，请凭取件码 8341 领取。"

// flagSet reports whether the command line gave flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// idMillis recovers the accept millisecond from a snowflake id (see core.IDGen).
func idMillis(id int64) int64 {
	return (id >> 22) + time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

var benchPrefixes = []string{"138", "139", "150", "130", "186", "133", "189", "192"}

func benchNumber(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString(benchPrefixes[r.IntN(len(benchPrefixes))])
	s := strconv.Itoa(r.IntN(100000000))
	b.WriteString(strings.Repeat("0", 8-len(s)))
	b.WriteString(s)
	return b.String()
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(int(float64(len(sorted))*p), len(sorted)-1)]
}

func round(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
