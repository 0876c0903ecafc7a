package storetest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

// randSeed is HONGYAN_STORETEST_SEED when set (to replay a failure), else
// the clock.
func randSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("HONGYAN_STORETEST_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("HONGYAN_STORETEST_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d (replay with HONGYAN_STORETEST_SEED=%d)", seed, seed)
	return seed
}

var failures = []struct {
	state store.State
	code  string
}{{store.Undelivered, "UNDELIV"}, {store.Expired, "EXPIRED"}, {store.Rejected, "REJECTD"}}

// testRandomised drives N messages of random segment counts through a
// random interleaving of submit responses, reports (before or after their
// submit response), duplicate responses and reports, and re-queues, in
// random group sizes, and checks that every message ends exactly where its
// segments' reports say.
func testRandomised(t *testing.T, s store.Store) {
	r := rand.New(rand.NewPCG(randSeed(t), 1))
	f := newFx(t, s)
	const n = 80
	it := f.item(f.acct, "", n, 1)
	type seg struct {
		msg   int64
		seq   int
		op    string
		state store.State
		code  string
	}
	var segs []seg
	expect := map[int64]struct {
		state store.State
		code  string
	}{}
	for _, m := range it.Messages {
		m.Segments = 1 + r.IntN(4)
		final, code := store.Delivered, "DELIVRD"
		for seq := 1; seq <= m.Segments; seq++ {
			sg := seg{msg: m.ID, seq: seq, op: fmt.Sprintf("R%d-%d", m.ID, seq), state: store.Delivered, code: "DELIVRD"}
			if r.IntN(5) == 0 {
				fl := failures[r.IntN(len(failures))]
				sg.state, sg.code = fl.state, fl.code
				if final == store.Delivered {
					final, code = fl.state, fl.code // the lowest failed segment decides
				}
			}
			segs = append(segs, sg)
		}
		expect[m.ID] = struct {
			state store.State
			code  string
		}{final, code}
	}
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	var marks []store.QueuedMark
	for _, m := range it.Messages {
		marks = append(marks, store.QueuedMark{MessageID: m.ID, Operator: "cmcc", Gateway: "gw", Segments: m.Segments, At: base})
	}
	f.must(s.MarkQueued(f.ctx, marks))

	// Actions: kind 0 = submit response, 1 = report, 2 = re-queue.
	type action struct {
		kind int
		seg  seg
	}
	var acts []action
	dupReports := 0
	for _, sg := range segs {
		acts = append(acts, action{0, sg}, action{1, sg})
		if r.IntN(4) == 0 {
			acts = append(acts, action{0, sg}) // repeated submit response
		}
		for range r.IntN(3) {
			acts = append(acts, action{1, sg})
			dupReports++
		}
		if r.IntN(6) == 0 {
			acts = append(acts, action{2, sg})
		}
	}
	r.Shuffle(len(acts), func(i, j int) { acts[i], acts[j] = acts[j], acts[i] })

	var outs []store.ReportOutcome
	for len(acts) > 0 {
		// A group of consecutive actions of one kind goes in one call.
		k, size := acts[0].kind, 1+r.IntN(8)
		var group []action
		for len(acts) > 0 && acts[0].kind == k && len(group) < size {
			group, acts = append(group, acts[0]), acts[1:]
		}
		switch k {
		case 0:
			var rs []store.SubmitResult
			for _, a := range group {
				rs = append(rs, store.SubmitResult{MessageID: a.seg.msg, Seq: a.seg.seq, Gateway: "gw", OpMsgID: a.seg.op, OK: true, Code: "0", At: base})
			}
			o, err := s.RecordSubmits(f.ctx, rs)
			f.must(err)
			outs = append(outs, o...)
		case 1:
			var rs []store.Report
			for _, a := range group {
				rs = append(rs, store.Report{Gateway: "gw", OpMsgID: a.seg.op, State: a.seg.state, Code: a.seg.code, At: base})
			}
			o, err := s.ApplyReports(f.ctx, rs)
			f.must(err)
			if len(o) != len(rs) {
				t.Fatalf("ApplyReports: %d outcomes for %d reports", len(o), len(rs))
			}
			outs = append(outs, o...)
		case 2:
			var ms []store.QueuedMark
			for _, a := range group {
				ms = append(ms, store.QueuedMark{MessageID: a.seg.msg, Operator: "cmcc", Gateway: "gw-retry", Segments: 0, At: base})
			}
			f.must(s.MarkQueued(f.ctx, ms))
		}
	}

	// Every report ends matched exactly once: non-duplicates one per
	// segment, the rest duplicates; one Final per message, the right one.
	finals := map[int64]store.State{}
	matched, dups := 0, 0
	for _, o := range outs {
		if !o.Matched {
			continue
		}
		matched++
		if o.Duplicate {
			dups++
		}
		if o.Final != "" {
			if prev, ok := finals[o.MessageID]; ok {
				t.Fatalf("message %d went final twice (%s, %s)", o.MessageID, prev, o.Final)
			}
			finals[o.MessageID] = o.Final
		}
	}
	if matched != len(segs)+dupReports || dups != dupReports {
		t.Fatalf("matched outcomes %d (duplicates %d), want %d (%d)", matched, dups, len(segs)+dupReports, dupReports)
	}
	if c := f.unmatched(); c != 0 {
		t.Fatalf("%d reports left unmatched", c)
	}
	for _, m := range it.Messages {
		want := expect[m.ID]
		got := f.msg(m.ID)
		if got.State != want.state || got.OperatorCode != want.code || finals[m.ID] != want.state {
			t.Fatalf("message %d (%d segments): state %s/%s, final outcome %q; want %s/%s\nsegments %+v",
				m.ID, m.Segments, got.State, got.OperatorCode, finals[m.ID], want.state, want.code, f.segs(m.ID))
		}
		if got.SubmittedAt.IsZero() || got.DoneAt.IsZero() || got.InFlight {
			t.Fatalf("message %d: %+v", m.ID, got)
		}
		ss := f.segs(m.ID)
		if len(ss) != m.Segments {
			t.Fatalf("message %d: %d segments, want %d", m.ID, len(ss), m.Segments)
		}
	}
	for _, sg := range segs {
		got := f.segs(sg.msg)[sg.seq-1]
		if got.State != sg.state || got.Code != sg.code || got.OpMsgID != sg.op {
			t.Fatalf("segment %d/%d = %+v, want %s %s %s", sg.msg, sg.seq, got, sg.state, sg.code, sg.op)
		}
	}
	pending := 0
	f.must(s.PendingMessages(f.ctx, func(*store.Message) error { pending++; return nil }))
	if pending != 0 {
		t.Fatalf("%d messages still pending", pending)
	}
	counts, err := s.BatchCounts(f.ctx, it.Batch.ID)
	f.must(err)
	total := 0
	for _, c := range counts {
		total += c
	}
	if total != n {
		t.Fatalf("BatchCounts %v sum to %d, want %d", counts, total, n)
	}
}

// testConcurrent races submit responses against the reports for the same
// segments, each in its own call from its own goroutine. On a database
// with concurrent writers this is where a report filed as unmatched beside
// an uncommitted submit, or two segments finishing at once, would be lost.
func testConcurrent(t *testing.T, s store.Store) {
	f := newFx(t, s)
	const n = 30
	it := f.item(f.acct, "", n, 2)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	var marks []store.QueuedMark
	for _, m := range it.Messages {
		marks = append(marks, store.QueuedMark{MessageID: m.ID, Operator: "cmcc", Gateway: "gw", Segments: 2, At: base})
	}
	f.must(s.MarkQueued(f.ctx, marks))

	var mu sync.Mutex
	var outs []store.ReportOutcome
	var errs []error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, m := range it.Messages {
		for seq := 1; seq <= 2; seq++ {
			op := fmt.Sprintf("C%d-%d", m.ID, seq)
			wg.Go(func() {
				<-start
				o, err := s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: m.ID, Seq: seq, Gateway: "gw", OpMsgID: op, OK: true, Code: "0", At: base}})
				mu.Lock()
				outs, errs = append(outs, o...), append(errs, err)
				mu.Unlock()
			})
			wg.Go(func() {
				<-start
				o, err := s.ApplyReports(f.ctx, []store.Report{{Gateway: "gw", OpMsgID: op, State: store.Delivered, Code: "DELIVRD", At: base}})
				mu.Lock()
				outs, errs = append(outs, o...), append(errs, err)
				mu.Unlock()
			})
		}
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		f.must(err)
	}
	finals := 0
	for _, o := range outs {
		if o.Final != "" {
			finals++
		}
	}
	if c := f.unmatched(); c != 0 {
		t.Fatalf("%d reports stranded as unmatched", c)
	}
	for _, m := range it.Messages {
		f.state(m.ID, store.Delivered)
	}
	if finals != n {
		t.Fatalf("%d final outcomes, want %d", finals, n)
	}
}
