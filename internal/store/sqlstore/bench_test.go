package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/store/pgtest"
)

// The hot paths in batches of 100, as the core's group committers call
// them. ns/msg is the store's cost per message of each step; the pipeline
// benchmark runs all four steps and reports messages per second, and
// cpu-ns/msg, the process's CPU time per message (the steadier figure on a
// shared machine). Run with:
//
//	go test ./internal/store/sqlstore -run '^$' -bench . -benchtime 200x
//
// The database grows as the benchmark runs, as it would in production, and
// the numbers sent to are scattered, as real ones are (the index by number
// takes a page write per message).

const benchBatch = 100

type benchEnv struct {
	s    store.Store
	ctx  context.Context
	acct int64
	next int64
	n    int // messages per call (0 = benchBatch)
}

func (e *benchEnv) batch() int { return cmp.Or(e.n, benchBatch) }

func newBenchEnv(b *testing.B, s store.Store) *benchEnv {
	e := &benchEnv{s: s, ctx: context.Background(), next: time.Now().UnixNano()}
	a := &store.Account{Name: "bench"}
	if err := s.CreateAccount(e.ctx, a); err != nil {
		b.Fatal(err)
	}
	e.acct = a.ID
	return e
}

func benchSQLite(b *testing.B, opts ...Option) *benchEnv {
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return newBenchEnv(b, s)
}

// items is one group commit of API requests of one message each.
func (e *benchEnv) items() ([]*store.AcceptItem, []int64) {
	now := time.Now()
	items := make([]*store.AcceptItem, e.batch())
	ids := make([]int64, e.batch())
	for i := range items {
		e.next += 2
		bid, mid := e.next-1, e.next
		items[i] = &store.AcceptItem{
			Batch: store.Batch{ID: bid, AccountID: e.acct, Total: 1, CreatedAt: now},
			Messages: []*store.Message{{ID: mid, BatchID: bid, AccountID: e.acct, To: fmt.Sprintf("138%08d", uint64(mid)*0x9E3779B97F4A7C15>>40%100000000), // scattered, as real numbers are
				Src: "10658000", Content: "【鸿雁】您的验证码是 123456，五分钟内有效。", Business: "verify", Segments: 1,
				Operator: "cmcc", State: store.Accepted, CreatedAt: now}},
			Events: []store.Event{{MessageID: mid, At: now, Kind: "accepted", Detail: "verify, 1 segment(s), UCS2, operator cmcc"}},
		}
		ids[i] = mid
	}
	return items, ids
}

func (e *benchEnv) accept(b *testing.B) []int64 {
	items, ids := e.items()
	if err := e.s.Accept(e.ctx, items); err != nil {
		b.Fatal(err)
	}
	return ids
}

func (e *benchEnv) markQueued(b *testing.B, ids []int64) {
	marks := make([]store.QueuedMark, len(ids))
	for i, id := range ids {
		marks[i] = store.QueuedMark{MessageID: id, Operator: "cmcc", Gateway: "cmcc-1", Segments: 1, At: time.Now()}
	}
	if err := e.s.MarkQueued(e.ctx, marks); err != nil {
		b.Fatal(err)
	}
}

func (e *benchEnv) submits(b *testing.B, ids []int64) {
	rs := make([]store.SubmitResult, len(ids))
	for i, id := range ids {
		rs[i] = store.SubmitResult{MessageID: id, Seq: 1, Gateway: "cmcc-1", OpMsgID: fmt.Sprintf("%020d", id), OK: true, Code: "0", At: time.Now()}
	}
	if _, err := e.s.RecordSubmits(e.ctx, rs); err != nil {
		b.Fatal(err)
	}
}

func (e *benchEnv) reports(b *testing.B, ids []int64) {
	rs := make([]store.Report, len(ids))
	for i, id := range ids {
		rs[i] = store.Report{Gateway: "cmcc-1", OpMsgID: fmt.Sprintf("%020d", id), State: store.Delivered, Code: "DELIVRD", At: time.Now()}
	}
	outs, err := e.s.ApplyReports(e.ctx, rs)
	if err != nil {
		b.Fatal(err)
	}
	if outs[0].Final != store.Delivered {
		b.Fatalf("outcome %+v", outs[0])
	}
}

// perMessage reports wall time per message (per step, for steps > 1) and,
// for the whole pipeline, messages per second and the process's CPU time
// per message (all cores, GC included; robust when the machine is shared).
func perMessage(b *testing.B, steps int, cpu time.Duration) {
	msgs := float64(b.N * benchBatch)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs/float64(steps), "ns/msg")
	if steps > 1 {
		b.ReportMetric(msgs/b.Elapsed().Seconds(), "msgs/s")
		if cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/msgs, "cpu-ns/msg")
		}
	}
}

// benchSteps runs one step timed, with the steps before it untimed.
func benchSteps(b *testing.B, e *benchEnv, step int) {
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		var ids []int64
		if step > 0 {
			ids = e.accept(b)
		}
		if step > 1 {
			e.markQueued(b, ids)
		}
		if step > 2 {
			e.submits(b, ids)
		}
		b.StartTimer()
		switch step {
		case 0:
			e.accept(b)
		case 1:
			e.markQueued(b, ids)
		case 2:
			e.submits(b, ids)
		case 3:
			e.reports(b, ids)
		}
	}
	perMessage(b, 1, 0)
}

func syncModes() []struct {
	name string
	opt  Option
} {
	return []struct {
		name string
		opt  Option
	}{{"full", WithSynchronous(SyncFull)}, {"normal", WithSynchronous(SyncNormal)}}
}

func BenchmarkSQLiteAccept(b *testing.B) {
	for _, m := range syncModes() {
		b.Run("sync="+m.name, func(b *testing.B) { benchSteps(b, benchSQLite(b, m.opt), 0) })
	}
}

func BenchmarkSQLiteMarkQueued(b *testing.B) {
	for _, m := range syncModes() {
		b.Run("sync="+m.name, func(b *testing.B) { benchSteps(b, benchSQLite(b, m.opt), 1) })
	}
}

func BenchmarkSQLiteRecordSubmits(b *testing.B) {
	for _, m := range syncModes() {
		b.Run("sync="+m.name, func(b *testing.B) { benchSteps(b, benchSQLite(b, m.opt), 2) })
	}
}

func BenchmarkSQLiteApplyReports(b *testing.B) {
	for _, m := range syncModes() {
		b.Run("sync="+m.name, func(b *testing.B) { benchSteps(b, benchSQLite(b, m.opt), 3) })
	}
}

// BenchmarkSQLitePipeline is one message's whole life in the store:
// accept, queue, submit, report, in batches of 100.
func BenchmarkSQLitePipeline(b *testing.B) {
	for _, m := range syncModes() {
		b.Run("sync="+m.name, func(b *testing.B) { benchPipeline(b, benchSQLite(b, m.opt)) })
	}
}

func benchPipeline(b *testing.B, e *benchEnv) {
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		ids := e.accept(b)
		e.markQueued(b, ids)
		e.submits(b, ids)
		e.reports(b, ids)
	}
	perMessage(b, 4, cpuTime()-cpu0)
}

// BenchmarkPostgresPipeline is the same against PostgreSQL, when one is
// available (see pgtest).
func BenchmarkPostgresPipeline(b *testing.B) {
	s, err := Open(context.Background(), pgtest.DSN(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	benchPipeline(b, newBenchEnv(b, s))
}

// BenchmarkSQLiteWriteSet is the core's group commit in steady state: one
// Write per round carrying per (100) accepts, queued marks, submit results
// and reports, each step for a different set of messages (the ones
// accepted 1, 2 and 3 rounds earlier), as the committer sees them under
// load. ns/msg is the wall time of one round per message carried
// through the whole pipeline (a round moves per messages one step each of
// four, so one message's whole life costs one round's share).
//
// With per=10 the rounds are small, as they are when the API sends one
// message per request (the per-round costs show: statements, commit).
func BenchmarkSQLiteWriteSet(b *testing.B) {
	for _, per := range []int{100, 10} {
		for _, m := range syncModes() {
			b.Run(fmt.Sprintf("per=%d/sync=%s", per, m.name), func(b *testing.B) {
				e := benchSQLite(b, m.opt)
				e.n = per
				benchWriteSet(b, e)
			})
		}
	}
}

// BenchmarkPostgresWriteSet is the same against PostgreSQL.
func BenchmarkPostgresWriteSet(b *testing.B) {
	s, err := Open(context.Background(), pgtest.DSN(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	benchWriteSet(b, newBenchEnv(b, s))
}

func (e *benchEnv) round(b *testing.B, stages *[3][]int64) {
	items, ids := e.items()
	now := time.Now()
	ws := &store.WriteSet{Accept: items}
	for _, id := range stages[0] {
		ws.Queued = append(ws.Queued, store.QueuedMark{MessageID: id, Operator: "cmcc", Gateway: "cmcc-1", Segments: 1, At: now})
	}
	for _, id := range stages[1] {
		ws.Submits = append(ws.Submits, store.SubmitResult{MessageID: id, Seq: 1, Gateway: "cmcc-1", OpMsgID: fmt.Sprintf("%020d", id), OK: true, Code: "0", At: now})
	}
	for _, id := range stages[2] {
		ws.Reports = append(ws.Reports, store.Report{Gateway: "cmcc-1", OpMsgID: fmt.Sprintf("%020d", id), State: store.Delivered, Code: "DELIVRD", At: now})
	}
	if err := e.s.Write(e.ctx, ws); err != nil {
		b.Fatal(err)
	}
	for i, o := range ws.ReportOutcomes {
		if o.Final != store.Delivered {
			b.Fatalf("report %d: outcome %+v", i, o)
		}
	}
	stages[0], stages[1], stages[2] = ids, stages[0], stages[1]
}

func benchWriteSet(b *testing.B, e *benchEnv) {
	var stages [3][]int64
	for range 3 { // fill the pipeline
		e.round(b, &stages)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		e.round(b, &stages)
	}
	msgs := float64(b.N * e.batch())
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
	b.ReportMetric(msgs/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/msgs, "cpu-ns/msg")
}
