// Package sim simulates operator gateways for the demo, tests and
// benchmarks: it accepts binds, answers submits (with configurable latency
// and refusals), sends status reports after a delay with a configurable mix
// of outcomes, and sends MO messages on demand. The operator behaviour is
// protocol-neutral; each protocol adds a thin server adapter.
package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Config tunes a simulated operator.
type Config struct {
	Latency     time.Duration      // before answering a submit
	RejectRatio float64            // share of submits refused with RejectCode
	RejectCode  uint32             // protocol result code for refusals [8: flow control]
	ReportDelay time.Duration      // submit → status report
	ReportMix   map[string]float64 // stat → weight [DELIVRD: 1]
	NoReports   bool               // never send status reports
	Window      int                // outstanding DELIVERs (reports, MO) per connection [16, the CMPP spec's W]
	// Operator habits that trap SPs:
	// Signature is appended to every MO text, as operators append their
	// signature or 退订 text ("【中国移动】").
	Signature string
	// ExtraReports sends this many more status reports per submit, all
	// with the submit's message id and the same stat: an operator that
	// appends its text to the MT and splits it into more parts than were
	// sent reports once per part it made.
	ExtraReports int
	// ReportFirst sends the status report before the submit response (an
	// operator that delivers locally answers late).
	ReportFirst bool
}

// Stats counts what the simulator did.
type Stats struct {
	Submits  int64 `json:"submits"`
	Rejected int64 `json:"rejected"`
	Reports  int64 `json:"reports"`
	MO       int64 `json:"mo"`
	// Unanswered counts submits received while silent or killed and
	// left without a response (not in Submits).
	Unanswered int64 `json:"unanswered,omitempty"`
}

// behaviour is the protocol-neutral operator logic shared by adapters.
type behaviour struct {
	cfg        Config
	stats      struct{ submits, rejected, reports, mo, unanswered atomic.Int64 }
	rejectNext atomic.Int64
	// quota is how many more submits are answered; negative = no limit
	// (GoSilent).
	quota atomic.Int64
	// down is set while the simulator is killed: submits being handled
	// get no answer.
	down     atomic.Bool
	onSubmit atomic.Pointer[func(dest string, content []byte)]
	statKeys []string // sorted stats of the mix, for a stable pick
}

func newBehaviour(cfg Config) *behaviour {
	if cfg.RejectCode == 0 {
		cfg.RejectCode = 8
	}
	if len(cfg.ReportMix) == 0 {
		cfg.ReportMix = map[string]float64{"DELIVRD": 1}
	}
	b := &behaviour{cfg: cfg}
	b.quota.Store(-1)
	for k := range cfg.ReportMix {
		b.statKeys = append(b.statKeys, k)
	}
	sort.Strings(b.statKeys)
	return b
}

// RejectNext makes the next n submits be refused (tests of retry).
func (b *behaviour) RejectNext(n int) { b.rejectNext.Add(int64(n)) }

// decide says whether to refuse a submit.
func (b *behaviour) decide() (reject bool) {
	b.stats.submits.Add(1)
	for {
		n := b.rejectNext.Load()
		if n <= 0 {
			break
		}
		if b.rejectNext.CompareAndSwap(n, n-1) {
			b.stats.rejected.Add(1)
			return true
		}
	}
	if b.cfg.RejectRatio > 0 && rand.Float64() < b.cfg.RejectRatio {
		b.stats.rejected.Add(1)
		return true
	}
	return false
}

// pickStat draws a report outcome from the mix.
func (b *behaviour) pickStat() string {
	if len(b.statKeys) == 1 {
		return b.statKeys[0]
	}
	total := 0.0
	for _, k := range b.statKeys {
		total += b.cfg.ReportMix[k]
	}
	x := rand.Float64() * total
	for _, k := range b.statKeys {
		x -= b.cfg.ReportMix[k]
		if x < 0 {
			return k
		}
	}
	return b.statKeys[len(b.statKeys)-1]
}

func (b *behaviour) Stats() Stats {
	return Stats{Submits: b.stats.submits.Load(), Rejected: b.stats.rejected.Load(),
		Reports: b.stats.reports.Load(), MO: b.stats.mo.Load(), Unanswered: b.stats.unanswered.Load()}
}

// GoSilent makes the operator answer n more submits and then none, its
// connections left open and heartbeats still answered: a peer that stops
// answering mid-window. Speak ends it.
func (b *behaviour) GoSilent(n int) { b.quota.Store(int64(max(n, 0))) }

// Speak makes a silent operator answer submits again.
func (b *behaviour) Speak() { b.quota.Store(-1) }

// answers says whether to answer a submit just received (after received):
// false while silent (GoSilent) or killed, and the submit is counted as
// unanswered. Each protocol's handler then returns no response.
func (b *behaviour) answers() bool {
	if b.down.Load() {
		b.stats.unanswered.Add(1)
		return false
	}
	for {
		q := b.quota.Load()
		if q < 0 {
			return true
		}
		if q == 0 {
			b.stats.unanswered.Add(1)
			return false
		}
		if b.quota.CompareAndSwap(q, q-1) {
			return true
		}
	}
}

// reportCopies is how many status reports one submit gets (ExtraReports).
func (b *behaviour) reportCopies() int { return 1 + max(b.cfg.ExtraReports, 0) }

// moText is the MO text as the operator delivers it: with its signature.
func (b *behaviour) moText(text string) string { return text + b.cfg.Signature }

// ParseMix reads "DELIVRD:0.9,UNDELIV:0.1".
func ParseMix(s string) (map[string]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("report mix %q: want STAT:WEIGHT", part)
		}
		var w float64
		if _, err := fmt.Sscanf(v, "%g", &w); err != nil || w < 0 {
			return nil, fmt.Errorf("report mix %q: weight must be a non-negative number", part)
		}
		if len(k) == 0 || len(k) > 7 {
			return nil, fmt.Errorf("report mix %q: stat must be 1-7 characters", part)
		}
		m[k] = w
	}
	return m, nil
}

// reportPatience is how long an undeliverable status report is retried.
const reportPatience = 10 * time.Minute

// keepTrying calls try until it succeeds, like a real gateway that keeps a
// status report until the SP takes it (the SP may be restarting); it gives
// up after reportPatience or when ctx ends, and counts a delivered report.
func (b *behaviour) keepTrying(ctx context.Context, try func(context.Context) bool) bool {
	deadline := time.Now().Add(reportPatience)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ok := try(tctx)
		cancel()
		if ok {
			b.stats.reports.Add(1)
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(time.Duration(attempt+1)*200*time.Millisecond, 2*time.Second)):
		}
	}
	return false
}

// report runs send, which delivers a submit's status reports: at once,
// before the submit is answered, with ReportFirst; else after ReportDelay
// in its own goroutine.
func (b *behaviour) report(send func()) {
	if b.cfg.ReportFirst {
		send()
		return
	}
	b.after(b.cfg.ReportDelay, send)
}

// killCtx is an already-ended context: closing a server with it drops
// every connection at once, without the protocol's goodbye.
func killCtx() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// after runs fn after d (at once, in its own goroutine, when d ≤ 0).
func (b *behaviour) after(d time.Duration, fn func()) {
	if d <= 0 {
		go fn()
		return
	}
	time.AfterFunc(d, fn)
}

// OnSubmit sets a function called for every submit received, per
// destination (tests count what reached the "operator").
func (b *behaviour) OnSubmit(fn func(dest string, content []byte)) { b.onSubmit.Store(&fn) }

// received is the start of every protocol's submit handling: tell the
// observer, then wait the configured latency.
func (b *behaviour) received(dests []string, content []byte) {
	if fn := b.onSubmit.Load(); fn != nil {
		for _, d := range dests {
			(*fn)(d, content)
		}
	}
	if b.cfg.Latency > 0 {
		time.Sleep(b.cfg.Latency)
	}
}
