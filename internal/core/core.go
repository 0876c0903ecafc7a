// Package core is the message lifecycle: accept (validate, idempotency, one
// durable group-committed write), the in-memory outbox rebuilt from the
// database, the dispatcher (route by number segment → gateway pool, split
// long text, retry with back-off), status-report matching, MO routing and
// signed pushes to business systems. It sees gateways only through the
// gateway package, never a protocol.
package core

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Config tunes the core; zero values take the defaults in brackets.
type Config struct {
	NodeID          int           // 0..1023, unique per node [0]
	DefaultBusiness string        // business type when a request names none ["default"]
	MaxSegments     int           // platform limit on segments per message [10]
	MaxRecipients   int           // numbers per request [10000]
	Validity        time.Duration // default validity of a message [48h]
	DispatchBatch   int           // messages marked queued per transaction [128]
	PushTimeout     time.Duration // one push attempt [10s]
	PushMaxAttempts int           // [10]
	MOReassembly    time.Duration // wait for missing MO segments [5m]
	ReportWait      time.Duration // a submitted message without a report for this long ends unknown [48h, CMPP's advice]
	SweepEvery      time.Duration // how often to look for such messages [min(1m, ReportWait/4)]
	// UnsubscribeWords are the replies that put the user on the sending
	// business type's blacklist [DefaultUnsubscribeWords].
	UnsubscribeWords []string
	// UnsubscribeReply confirms it; %s = the business type's name; "-" = send none [DefaultUnsubscribeReply].
	UnsubscribeReply string
	Logger           *slog.Logger
	HTTPClient       *http.Client // for pushes [a client with PushTimeout]
	// TimeZone is the platform's: business types' sending hours and the
	// days of daily quotas [Asia/Shanghai].
	TimeZone *time.Location
	// Now is the clock (tests move it: frequency windows, quotas) [time.Now].
	Now func() time.Time

	// SubscribeWords precede a subscription code to subscribe (TD + code
	// unsubscribes) [DefaultSubscribeWords]; SubscriptionReplies answer
	// them [DefaultSubscriptionReplies, per reply left empty] (subscribe.go).
	SubscribeWords      []string
	SubscriptionReplies SubscriptionReplies
}

func (c *Config) defaults() {
	if c.DefaultBusiness == "" {
		c.DefaultBusiness = "default"
	}
	if c.MaxSegments <= 0 {
		c.MaxSegments = 10
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = 10000
	}
	if c.Validity <= 0 {
		c.Validity = 48 * time.Hour
	}
	if c.DispatchBatch <= 0 {
		c.DispatchBatch = 128
	}
	if c.PushTimeout <= 0 {
		c.PushTimeout = 10 * time.Second
	}
	if c.PushMaxAttempts <= 0 {
		c.PushMaxAttempts = 10
	}
	if c.MOReassembly <= 0 {
		c.MOReassembly = 5 * time.Minute
	}
	if c.ReportWait <= 0 {
		c.ReportWait = 48 * time.Hour
	}
	if c.SweepEvery <= 0 {
		c.SweepEvery = min(time.Minute, c.ReportWait/4)
	}
	if len(c.UnsubscribeWords) == 0 {
		c.UnsubscribeWords = DefaultUnsubscribeWords
	}
	if c.UnsubscribeReply == "" {
		c.UnsubscribeReply = DefaultUnsubscribeReply
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.PushTimeout}
	}
}

// Core runs the lifecycle. Create with New, then Start; Stop drains.
type Core struct {
	survey surveyCache // survey keywords (survey.go)
	cfg    Config
	st     store.Store
	pool   *gateway.Pool
	segs   *gateway.Segments
	sege   segEditState // edits of the segment table (segedits.go)
	ids    *IDGen
	log    *slog.Logger
	out    *outbox
	delay  *delayQueue
	reasm  *sms.Reassembler
	caches *caches
	rules  *rules
	biz    *bizState // grants, account limits, sending hours (business.go)
	subs   subState  // subscription services (subscribe.go)
	tpl    tmplState // signatures and templates (templates.go)
	m      *metrics

	// writer group-commits every hot-path write (accepts, marks, submit
	// results, reports, retries, finishes) into one transaction per round:
	// SQLite has one writer, so one commit for all kinds beats one per kind.
	writer *committer[writeOp]

	// pending maps an operator id whose submit result is not yet committed to
	// a channel closed at commit, so a report that overtakes it waits instead
	// of becoming "unmatched" (reports often beat the database write).
	pendingMu sync.Mutex
	pending   map[string]chan struct{}

	pushWake chan struct{}
	statusQ  *idQueue

	// OnFinal, if set, is called after a message reaches a final state (bench, tests).
	OnFinal func(messageID int64, state store.State)

	// Loops (dispatch, delay, push) stop first; submits in flight finish;
	// committers stop last, after draining, so nothing answered is lost.
	stopLoops, stopCommit    context.CancelFunc
	loops, commits, inflight sync.WaitGroup
	gwSem                    map[string]chan struct{}
}

// New builds a core over a store and gateway pool.
func New(cfg Config, st store.Store, pool *gateway.Pool, segs *gateway.Segments) *Core {
	cfg.defaults()
	c := &Core{
		cfg: cfg, st: st, pool: pool, segs: segs,
		ids:      NewIDGen(cfg.NodeID),
		log:      cfg.Logger,
		out:      newOutbox(),
		reasm:    sms.NewReassembler(cfg.MOReassembly),
		pending:  map[string]chan struct{}{},
		pushWake: make(chan struct{}, 1),
		statusQ:  newIDQueue(),
		gwSem:    map[string]chan struct{}{},
		m:        newMetrics(),
	}
	c.delay = newDelayQueue(c.out)
	c.caches = newCaches(st)
	c.rules = newRules()
	c.biz = newBizState(cfg.TimeZone)
	c.writer = newCommitter(4096, c.flushWrites)
	for _, g := range pool.All() {
		c.gwSem[g.Name] = make(chan struct{}, g.Capacity())
	}
	return c
}

// Store returns the store (for the API's queries).
func (c *Core) Store() store.Store { return c.st }

// NodeID is this node's number (Config.NodeID): what a node's leases on
// shared work are taken in the name of.
func (c *Core) NodeID() int { return c.cfg.NodeID }

// Pool returns the gateway pool.
func (c *Core) Pool() *gateway.Pool { return c.pool }

// Segments returns the routing table.
func (c *Core) Segments() *gateway.Segments { return c.segs }

// Start recovers pending messages from the store and starts the workers.
// Gateways are started by the caller (they need the core as their Inbound).
func (c *Core) Start(ctx context.Context) error {
	if err := c.caches.reload(ctx); err != nil {
		return fmt.Errorf("core: load caches: %w", err)
	}
	if err := c.loadRules(ctx); err != nil {
		return err
	}
	if err := c.loadBusiness(ctx); err != nil {
		return err
	}
	if err := c.ReloadSegments(ctx); err != nil { // segedits.go
		return err
	}
	commitCtx, stopCommit := context.WithCancel(context.WithoutCancel(ctx))
	c.stopCommit = stopCommit
	c.commits.Add(1)
	go func() { defer c.commits.Done(); c.writer.run(commitCtx) }()
	if err := c.recover(ctx); err != nil {
		stopCommit()
		c.commits.Wait()
		return fmt.Errorf("core: recover: %w", err)
	}
	ctx, c.stopLoops = context.WithCancel(ctx)
	c.loops.Add(1)
	go func() { defer c.loops.Done(); c.delay.run(ctx) }()
	for _, op := range c.pool.Operators() {
		c.loops.Add(1)
		go func() { defer c.loops.Done(); c.dispatchLoop(ctx, op) }()
	}
	c.loops.Add(4)
	go func() { defer c.loops.Done(); c.sweepLoop(ctx) }()
	go func() { defer c.loops.Done(); c.pushLoop(ctx) }()
	go func() { defer c.loops.Done(); c.statusPushLoop(ctx) }()
	go func() { defer c.loops.Done(); c.reassemblyLoop(ctx) }()
	c.loops.Add(1)
	go func() { defer c.loops.Done(); c.pruneLoop(ctx) }() // frequency counts (frequency.go)
	c.loops.Add(1)
	go func() { defer c.loops.Done(); c.segmentEditsLoop(ctx) }() // segedits.go
	return nil
}

// Stop stops taking messages from the outbox, waits (until ctx ends) for
// submits in flight to be answered and recorded, then drains the
// committers. Call it before closing the gateways.
func (c *Core) Stop(ctx context.Context) {
	if c.stopLoops != nil {
		c.stopLoops()
	}
	c.loops.Wait()
	done := make(chan struct{})
	go func() { c.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		c.log.Warn("stopping with submits still in flight; they are in doubt and will be recovered at start")
	}
	if c.stopCommit != nil {
		c.stopCommit()
	}
	c.commits.Wait()
}

// Backlog reports messages waiting in memory (outbox, delay queue).
func (c *Core) Backlog() (ready, delayed int) { return c.out.Len(), c.delay.Len() }

func (c *Core) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}
