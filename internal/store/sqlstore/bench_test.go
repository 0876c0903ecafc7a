package sqlstore

import (
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
// benchmark runs all four steps (each with its event row) and reports
// messages per second. Run with:
//
//	go test ./internal/store/sqlstore -run '^$' -bench . -benchtime 200x
//
// The database grows as the benchmark runs, as it would in production.

const benchBatch = 100

type benchEnv struct {
	s    store.Store
	ctx  context.Context
	acct int64
	next int64
}

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
	items := make([]*store.AcceptItem, benchBatch)
	ids := make([]int64, benchBatch)
	for i := range items {
		e.next += 2
		bid, mid := e.next-1, e.next
		items[i] = &store.AcceptItem{
			Batch: store.Batch{ID: bid, AccountID: e.acct, Total: 1, CreatedAt: now},
			Messages: []*store.Message{{ID: mid, BatchID: bid, AccountID: e.acct, To: fmt.Sprintf("138%08d", mid%100000000),
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
