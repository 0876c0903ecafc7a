package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Statistics counters (store/stats.go): kept in the hot path's
// transactions, they always equal a recount from the messages themselves.

// statsBase is 21:00 in Shanghai on the last day of a month: a run from
// here crosses hours, a day and a month.
var statsBase = time.Date(2026, 3, 31, 21, 0, 0, 0, store.Shanghai)

type statCell struct{ messages, segments, fees int64 }

type statKey struct {
	bucket                      int64
	account, org                int64
	business, operator, gateway string
	state                       store.State
}

// statMap turns report rows into a map (zero rows left out).
func statMap(rows []store.StatRow) map[statKey]statCell {
	m := map[statKey]statCell{}
	for _, r := range rows {
		k := statKey{0, r.AccountID, r.OrgID, r.Business, r.Operator, r.Gateway, r.State}
		if !r.Bucket.IsZero() {
			k.bucket = r.Bucket.Unix()
		}
		c := m[k]
		c.messages += r.Messages
		c.segments += r.Segments
		c.fees += r.Fees
		if c != (statCell{}) {
			m[k] = c
		} else {
			delete(m, k)
		}
	}
	return m
}

func (f *fx) stats(q store.StatsQuery) []store.StatRow {
	f.t.Helper()
	rows, err := f.s.Stats(f.ctx, q)
	f.must(err)
	return rows
}

var allDims = []store.StatDim{store.DimAccount, store.DimOrg, store.DimBusiness, store.DimOperator, store.DimGateway}

func diffStats(t *testing.T, what string, got, want map[statKey]statCell) {
	t.Helper()
	var bad []string
	for _, k := range slices.Collect(maps.Keys(want)) {
		if got[k] != want[k] {
			bad = append(bad, fmt.Sprintf("%+v: got %+v, want %+v", k, got[k], want[k]))
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			bad = append(bad, fmt.Sprintf("%+v: got %+v, want nothing", k, v))
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		if len(bad) > 20 {
			bad = append(bad[:20], fmt.Sprintf("… %d more", len(bad)-20))
		}
		t.Fatalf("%s: counters differ from the recount:\n  %s", what, strings.Join(bad, "\n  "))
	}
}

// testStatsCounters follows a few messages through every path that counts.
func testStatsCounters(t *testing.T, s store.Store) {
	f := newFx(t, s)
	org := &store.Org{Level: store.LevelCity, Code: "ST-1", Name: "统计"}
	f.must(s.CreateOrg(f.ctx, org))
	a := &store.Account{Name: "stats-a", OrgID: org.ID, Balance: 10_000, CreatedAt: base}
	f.must(s.CreateAccount(f.ctx, a))
	t0 := statsBase.Add(10 * time.Minute) // 21:10
	mk := func(segs int, fee int64) *store.Message {
		return &store.Message{ID: f.id(), AccountID: a.ID, To: "13800138000", Business: "notice", Segments: segs,
			Operator: "cmcc", State: store.Accepted, CreatedAt: t0, Fee: fee, ChargeOn: store.ChargeDelivered}
	}
	m1, m2, m3 := mk(1, 50), mk(2, 100), mk(1, 50)
	black := mk(1, 0)
	black.State, black.OperatorCode, black.DoneAt, black.Fee, black.ChargeOn = store.Blacklisted, "BLACKLIST", t0, 0, ""
	it := &store.AcceptItem{Batch: store.Batch{ID: f.id(), AccountID: a.ID, CreatedAt: t0}, Messages: []*store.Message{m1, m2, m3, black}}
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	// Refused for funds, and a duplicate client_ref: nothing counted.
	poor := &store.Account{Name: "stats-poor", CreatedAt: base}
	f.must(s.CreateAccount(f.ctx, poor))
	nf := &store.AcceptItem{Batch: store.Batch{ID: f.id(), AccountID: poor.ID, CreatedAt: t0},
		Messages: []*store.Message{{ID: f.id(), AccountID: poor.ID, To: "13800138001", Business: "notice", Operator: "cmcc", CreatedAt: t0, Fee: 10, ChargeOn: store.ChargeDelivered}}}
	f.must(s.Accept(f.ctx, []*store.AcceptItem{nf}))
	if !nf.NoFunds {
		t.Fatal("an account without money accepted a priced message")
	}

	t1 := statsBase.Add(70 * time.Minute) // 22:10
	f.must(s.MarkQueued(f.ctx, []store.QueuedMark{
		{MessageID: m1.ID, Operator: "cmcc", Gateway: "cm1", At: t1}, {MessageID: m2.ID, Operator: "cmcc", Gateway: "cm1", At: t1},
		{MessageID: m3.ID, Operator: "cmcc", Gateway: "cm1", At: t1}}))
	_, err := s.RecordSubmits(f.ctx, []store.SubmitResult{
		{MessageID: m1.ID, Seq: 1, Gateway: "cm1", OpMsgID: "S1", OK: true, Code: "0", At: t1},
		{MessageID: m2.ID, Seq: 1, Gateway: "cm1", OpMsgID: "S2a", OK: true, Code: "0", At: t1},
		{MessageID: m3.ID, Seq: 1, Gateway: "cm1", OK: false, Code: "8", At: t1},               // refused: not sent
		{MessageID: m1.ID, Seq: 1, Gateway: "cm1", OpMsgID: "S1", OK: true, Code: "0", At: t1}, // repeated: counted once
	})
	f.must(err)
	t2 := statsBase.Add(3*time.Hour + 5*time.Minute) // 00:05 the next day, and month
	_, err = s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: m2.ID, Seq: 2, Gateway: "cm1", OpMsgID: "S2b", OK: true, Code: "0", At: t2}})
	f.must(err)
	_, err = s.ApplyReports(f.ctx, []store.Report{
		{Gateway: "cm1", OpMsgID: "S1", State: store.Delivered, Code: "DELIVRD", At: t2},
		{Gateway: "cm1", OpMsgID: "S2a", State: store.Delivered, Code: "DELIVRD", At: t2},
		{Gateway: "cm1", OpMsgID: "S2b", State: store.Undelivered, Code: "UNDELIV", At: t2},
		{Gateway: "cm1", OpMsgID: "S1", State: store.Delivered, Code: "DELIVRD", At: t2}, // duplicate: nothing
	})
	f.must(err)
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: m3.ID, State: store.Failed, Code: "8", At: t2},
		{MessageID: m1.ID, State: store.Failed, At: t2}})) // m1 is final already: nothing
	// A Write that fails is rolled back whole, its counters too.
	bad := &store.AcceptItem{Batch: store.Batch{ID: f.id(), AccountID: a.ID, CreatedAt: t2},
		Messages: []*store.Message{{ID: m1.ID, AccountID: a.ID, To: "13800138000", Business: "notice", Operator: "cmcc", CreatedAt: t2}}}
	if err := s.Write(f.ctx, &store.WriteSet{Accept: []*store.AcceptItem{bad}, Finishes: []store.Finish{{MessageID: m2.ID, State: store.Expired, At: t2}}}); err == nil {
		t.Fatal("a Write accepting an existing message id succeeded")
	}

	h := func(t time.Time) int64 { return store.HourStart(t).Unix() }
	k := func(at time.Time, gw string, st store.State) statKey {
		return statKey{h(at), a.ID, org.ID, "notice", "cmcc", gw, st}
	}
	want := map[statKey]statCell{
		k(t0, "", store.Accepted):       {4, 5, 0},
		k(t0, "", store.Blacklisted):    {1, 1, 0},
		k(t1, "cm1", store.Submitted):   {1, 2, 0}, // m1 whole; S1, S2a
		k(t2, "cm1", store.Submitted):   {1, 1, 0}, // m2 whole; S2b
		k(t2, "cm1", store.Delivered):   {1, 1, 50},
		k(t2, "cm1", store.Undelivered): {1, 2, 0},
		k(t2, "cm1", store.Failed):      {1, 1, 0},
	} // and nothing from the rolled-back Write, the refused or the duplicates
	from, to := statsBase, statsBase.Add(6*time.Hour)
	got := statMap(f.stats(store.StatsQuery{From: from, To: to, Grain: store.GrainHour, GroupBy: allDims}))
	diffStats(t, "hourly", got, want)

	// The same counts by day and by month (the range is not whole days:
	// its edges come from the hours, the rest from the days).
	rollups := func(g store.Grain, from, to time.Time, dims []store.StatDim) {
		t.Helper()
		wantG := map[statKey]statCell{}
		for k, v := range want {
			if k.bucket < from.Unix() || k.bucket >= to.Unix() {
				continue
			}
			k.bucket = store.BucketStart(g, time.Unix(k.bucket, 0)).Unix()
			if g == store.GrainNone {
				k.bucket = 0
			}
			k = project(k, dims)
			wantG[k] = addCell(wantG[k], v)
		}
		got := statMap(f.stats(store.StatsQuery{From: from, To: to, Grain: g, GroupBy: dims}))
		diffStats(t, fmt.Sprintf("grain %q over [%s, %s) by %v", g, from.Format(time.RFC3339), to.Format(time.RFC3339), dims), got, wantG)
	}
	month := time.Date(2026, 3, 1, 0, 0, 0, 0, store.Shanghai)
	for _, g := range []store.Grain{store.GrainHour, store.GrainDay, store.GrainMonth, store.GrainNone} {
		rollups(g, from, to, allDims)
		rollups(g, month, month.AddDate(0, 2, 0), []store.StatDim{store.DimBusiness})
		rollups(g, statsBase.Add(time.Hour), statsBase.Add(4*time.Hour), nil)
	}
	// What settlement reads: fees are what the messages were charged.
	var charged int64
	for _, id := range []int64{m1.ID, m2.ID, m3.ID, black.ID} {
		charged += f.msg(id).Charged
	}
	tot := f.stats(store.StatsQuery{From: month, To: month.AddDate(0, 2, 0)})
	var fees int64
	for _, r := range tot {
		fees += r.Fees
	}
	if fees != charged || charged != 50 {
		t.Fatalf("fees counted %d, messages charged %d, want 50", fees, charged)
	}

	// Scoping and filters.
	if rows := f.stats(store.StatsQuery{From: month, To: month.AddDate(0, 2, 0), Accounts: []int64{}}); len(rows) != 0 {
		t.Fatalf("an empty scope sees %v", rows)
	}
	if rows := f.stats(store.StatsQuery{From: month, To: month.AddDate(0, 2, 0), Accounts: []int64{poor.ID}}); len(rows) != 0 {
		t.Fatalf("another account's scope sees %v", rows)
	}
	rows := f.stats(store.StatsQuery{From: month, To: month.AddDate(0, 2, 0), Accounts: []int64{a.ID, poor.ID}, Orgs: []int64{org.ID},
		Business: "notice", Operator: "cmcc", Gateway: "cm1", GroupBy: []store.StatDim{store.DimGateway}})
	if len(rows) != 4 || rows[0].State != store.Submitted || rows[0].Messages != 2 || rows[0].Segments != 3 || rows[1].State != store.Delivered || rows[3].State != store.Failed {
		t.Fatalf("filtered rows %+v", rows)
	}
	if rows := f.stats(store.StatsQuery{From: month, To: month.AddDate(0, 2, 0), Business: "verify"}); len(rows) != 0 {
		t.Fatalf("business filter: %+v", rows)
	}

	// Bad queries are refused.
	for _, q := range []store.StatsQuery{
		{From: to, To: from},
		{From: from, To: from},
		{From: from.Add(time.Minute), To: to},
		{From: from, To: to, Grain: "week"},
		{From: from, To: to, GroupBy: []store.StatDim{"colour"}},
		{From: from, To: to, GroupBy: []store.StatDim{store.DimOrg, store.DimOrg}},
	} {
		if _, err := s.Stats(f.ctx, q); err == nil {
			t.Fatalf("query %+v accepted", q)
		}
	}

	// The segments reconciliation reads.
	var sent []store.SentSegment
	f.must(s.SentSegments(f.ctx, "cmcc", from, to, func(sg store.SentSegment) error { sent = append(sent, sg); return nil }))
	slices.SortFunc(sent, func(a, b store.SentSegment) int { return cmp.Compare(a.OpMsgID, b.OpMsgID) })
	if len(sent) != 3 || sent[0].OpMsgID != "S1" || sent[2].OpMsgID != "S2b" || sent[2].Seq != 2 || sent[2].Gateway != "cm1" ||
		!sent[2].SubmittedAt.Equal(t2) || sent[0].AccountID != a.ID || sent[0].Operator != "cmcc" {
		t.Fatalf("sent segments %+v", sent)
	}
	sent = nil
	f.must(s.SentSegments(f.ctx, "cmcc", from, t2, func(sg store.SentSegment) error { sent = append(sent, sg); return nil }))
	f.must(s.SentSegments(f.ctx, "cucc", from, to, func(sg store.SentSegment) error { sent = append(sent, sg); return nil }))
	if len(sent) != 2 {
		t.Fatalf("sent segments before %s, or of cucc: %+v", t2, sent)
	}
	byID, err := s.SegmentsByOpID(f.ctx, []string{"S2b", "nope", "S1", "S1"})
	f.must(err)
	if len(byID) != 2 {
		t.Fatalf("segments by operator id: %+v", byID)
	}
}

func addCell(a, b statCell) statCell {
	return statCell{a.messages + b.messages, a.segments + b.segments, a.fees + b.fees}
}

// project keeps only the dimensions in dims.
func project(k statKey, dims []store.StatDim) statKey {
	has := func(d store.StatDim) bool { return slices.Contains(dims, d) }
	if !has(store.DimAccount) {
		k.account = 0
	}
	if !has(store.DimOrg) {
		k.org = 0
	}
	if !has(store.DimBusiness) {
		k.business = ""
	}
	if !has(store.DimOperator) {
		k.operator = ""
	}
	if !has(store.DimGateway) {
		k.gateway = ""
	}
	return k
}

// testStatsRandomised drives messages of several accounts, organisations,
// business types, operators and gateways through a random run of accepts
// (some blacklisted, some refused for funds), queuing, submits (some
// refused, some repeated), reports (some duplicate, some before the
// submit's answer), re-queues and finishes, in random groups and Writes,
// over three days across a month's end; then the counters must equal a
// recount from the messages and their segments — per hour, account,
// organisation, business type, operator, gateway and state — and the fees
// what the messages were charged and the ledgers say.
func testStatsRandomised(t *testing.T, s store.Store) {
	r := rand.New(rand.NewPCG(randSeed(t), 8))
	f := newFx(t, s)
	o1 := &store.Org{Level: store.LevelCity, Code: "SR-1", Name: "一"}
	o2 := &store.Org{Level: store.LevelCounty, Code: "SR-2", Name: "二"}
	f.must(s.CreateOrg(f.ctx, o1))
	f.must(s.CreateOrg(f.ctx, o2))
	var accts []*store.Account
	for i, org := range []int64{o1.ID, o2.ID, 0, o1.ID} {
		a := &store.Account{Name: fmt.Sprint("sr-", i), OrgID: org, Balance: 1_000_000, CreatedAt: base}
		if i == 3 {
			a.Balance = 300 // runs out: some items refused for funds
		}
		f.must(s.CreateAccount(f.ctx, a))
		accts = append(accts, a)
	}
	orgOf := map[int64]int64{}
	for _, a := range accts {
		orgOf[a.ID] = a.OrgID
	}
	gws := map[string][]string{"cmcc": {"cm1", "cm2"}, "cucc": {"cu1"}, "ctcc": {"ct1"}}
	ops := []string{"cmcc", "cucc", "ctcc"}
	bizs := []string{"notice", "verify", "marketing"}

	type seg struct {
		msg  int64
		seq  int
		gw   string
		op   string // operator id once submitted
		done bool
	}
	type msgT struct {
		m      *store.Message
		gw     string
		queued bool
		segs   []*seg
	}
	var all []*msgT
	var sent []*seg
	now := statsBase
	opSeq := 0
	var deferred []store.SubmitResult // answers that come after their report
	// recent picks mostly the messages of the last rounds, as in a live system.
	recent := func() *msgT {
		return all[len(all)-1-r.IntN(min(len(all), 20))]
	}
	for range 600 {
		now = now.Add(time.Duration(r.IntN(12*60)) * time.Second) // ~60 h in all
		ws := &store.WriteSet{Submits: deferred}
		deferred = nil
		for range 1 + r.IntN(4) {
			switch k := r.IntN(12); {
			case k < 2: // accept 1–3 messages
				a := accts[r.IntN(len(accts))]
				it := &store.AcceptItem{Batch: store.Batch{ID: f.id(), AccountID: a.ID, CreatedAt: now}}
				if r.IntN(10) == 0 {
					it.Batch.ClientRef = fmt.Sprint("ref-", r.IntN(5)) // some repeat: duplicates count nothing
				}
				for range 1 + r.IntN(3) {
					op := ops[r.IntN(len(ops))]
					m := &store.Message{ID: f.id(), AccountID: a.ID, To: "13900139000", Business: bizs[r.IntN(len(bizs))],
						Segments: 1 + r.IntN(3), Operator: op, State: store.Accepted, CreatedAt: now}
					switch r.IntN(4) {
					case 0:
						m.Fee, m.ChargeOn = int64(10*m.Segments), store.ChargeDelivered
					case 1:
						m.Fee, m.ChargeOn = int64(7*m.Segments), store.ChargeSubmitted
					}
					if r.IntN(12) == 0 {
						m.State, m.OperatorCode, m.DoneAt, m.Fee, m.ChargeOn = store.Blacklisted, "BLACKLIST", now, 0, ""
					}
					it.Messages = append(it.Messages, m)
				}
				ws.Accept = append(ws.Accept, it)
			case k < 5 && len(all) > 0: // queue (again) on one of the operator's gateways
				mt := recent()
				g := gws[mt.m.Operator]
				mt.gw, mt.queued = g[r.IntN(len(g))], true
				for _, sg := range mt.segs {
					if sg.op == "" {
						sg.gw = mt.gw
					}
				}
				ws.Queued = append(ws.Queued, store.QueuedMark{MessageID: mt.m.ID, Operator: mt.m.Operator, Gateway: mt.gw, At: now})
			case k < 8 && len(all) > 0: // the answers to a message's submits
				mt := recent()
				if !mt.queued {
					continue
				}
				for _, sg := range mt.segs {
					if sg.op != "" && r.IntN(5) > 0 {
						continue // answered before; now and then repeated
					}
					res := store.SubmitResult{MessageID: sg.msg, Seq: sg.seq, Gateway: sg.gw, At: now}
					if sg.op == "" && r.IntN(8) == 0 {
						res.Code = "8" // refused
						ws.Submits = append(ws.Submits, res)
						continue
					}
					if sg.op == "" {
						opSeq++
						sg.op = fmt.Sprint("OP", opSeq)
						sent = append(sent, sg)
					}
					res.OK, res.OpMsgID, res.Code = true, sg.op, "0"
					if !sg.done && r.IntN(10) == 0 { // its report comes first, the answer next round
						sg.done = true
						ws.Reports = append(ws.Reports, store.Report{Gateway: sg.gw, OpMsgID: sg.op, State: store.Delivered, Code: "DELIVRD", At: now})
						deferred = append(deferred, res)
						continue
					}
					ws.Submits = append(ws.Submits, res)
				}
			case k < 10 && len(sent) > 0: // a report (sometimes again)
				sg := sent[r.IntN(len(sent))]
				if sg.done && r.IntN(4) > 0 {
					continue
				}
				sg.done = true
				st, code := store.Delivered, "DELIVRD"
				if r.IntN(4) == 0 {
					fl := failures[r.IntN(len(failures))]
					st, code = fl.state, fl.code
				}
				ws.Reports = append(ws.Reports, store.Report{Gateway: sg.gw, OpMsgID: sg.op, State: st, Code: code, At: now})
			case k < 11 && len(all) > 0: // the platform gives one up
				mt := recent()
				st := []store.State{store.Failed, store.Expired, store.Rejected, store.Unknown}[r.IntN(4)]
				ws.Finishes = append(ws.Finishes, store.Finish{MessageID: mt.m.ID, State: st, Code: "X", At: now})
			}
		}
		// Half the rounds as one Write, half method by method.
		if r.IntN(2) == 0 {
			f.must(s.Write(f.ctx, ws))
		} else {
			f.must(s.Accept(f.ctx, ws.Accept))
			f.must(s.MarkQueued(f.ctx, ws.Queued))
			_, err := s.RecordSubmits(f.ctx, ws.Submits)
			f.must(err)
			_, err = s.ApplyReports(f.ctx, ws.Reports)
			f.must(err)
			f.must(s.FinishMessages(f.ctx, ws.Finishes))
		}
		for _, it := range ws.Accept {
			if it.Dup || it.NoFunds {
				continue
			}
			for _, m := range it.Messages {
				mt := &msgT{m: m}
				for seq := 1; seq <= m.Segments; seq++ {
					mt.segs = append(mt.segs, &seg{msg: m.ID, seq: seq})
				}
				all = append(all, mt)
			}
		}
	}
	if len(deferred) > 0 {
		_, err := s.RecordSubmits(f.ctx, deferred)
		f.must(err)
	}

	// The recount, from what the store says of every message.
	want := map[statKey]statCell{}
	add := func(at time.Time, m *store.Message, gw string, st store.State, c statCell) {
		k := statKey{store.HourStart(at).Unix(), m.AccountID, orgOf[m.AccountID], m.Business, m.Operator, gw, st}
		want[k] = addCell(want[k], c)
	}
	charged := map[int64]int64{}
	subMsgs := map[statKey]int64{} // submitted messages, without their gateway
	for _, mt := range all {
		m := f.msg(mt.m.ID)
		add(m.CreatedAt, m, "", store.Accepted, statCell{1, int64(m.Segments), 0})
		if m.State.Final() {
			add(m.DoneAt, m, m.Gateway, m.State, statCell{1, int64(m.Segments), m.Charged})
		}
		charged[m.AccountID] += m.Charged
		if !m.SubmittedAt.IsZero() {
			subMsgs[statKey{store.HourStart(m.SubmittedAt).Unix(), m.AccountID, orgOf[m.AccountID], m.Business, m.Operator, "", store.Submitted}]++
		}
		for _, sg := range f.segs(m.ID) {
			if !sg.SubmittedAt.IsZero() {
				add(sg.SubmittedAt, m, sg.Gateway, store.Submitted, statCell{0, 1, 0})
			}
		}
	}
	t.Logf("%d messages, %d segments sent, %d hour counters", len(all), len(sent), len(want))
	if len(all) < 100 || len(sent) < 100 {
		t.Fatalf("the run made only %d messages and %d sent segments", len(all), len(sent))
	}
	from, to := store.DayStart(statsBase), store.DayStart(now).AddDate(0, 0, 1)
	hourly := f.stats(store.StatsQuery{From: from, To: to, Grain: store.GrainHour, GroupBy: allDims})
	// Messages fully submitted are counted on the gateway of the answer
	// that completed them, which the rows do not keep: compare their
	// segments per gateway, and their messages without the gateway.
	got := statMap(hourly)
	gotSub := map[statKey]int64{}
	for k, c := range got {
		if k.state == store.Submitted {
			if c.messages != 0 {
				gotSub[statKey{k.bucket, k.account, k.org, k.business, k.operator, "", k.state}] += c.messages
			}
			c.messages = 0
			got[k] = c
		}
	}
	diffStats(t, "per hour and every dimension", got, want)
	if !maps.Equal(gotSub, subMsgs) {
		t.Fatalf("submitted messages per hour: counted %v, recount %v", gotSub, subMsgs)
	}
	// Coarser grains and ranges agree with the hours.
	wantAll := statMap(hourly)
	for _, g := range []store.Grain{store.GrainDay, store.GrainMonth, store.GrainNone} {
		for range 4 {
			a := from.Add(time.Duration(r.IntN(int(to.Sub(from).Hours()))) * time.Hour)
			b := a.Add(time.Duration(1+r.IntN(int(to.Sub(a).Hours()))) * time.Hour)
			dims := slices.DeleteFunc(slices.Clone(allDims), func(store.StatDim) bool { return r.IntN(2) == 0 })
			w := map[statKey]statCell{}
			for k, v := range wantAll {
				if k.bucket < a.Unix() || k.bucket >= b.Unix() {
					continue
				}
				k.bucket = store.BucketStart(g, time.Unix(k.bucket, 0)).Unix()
				if g == store.GrainNone {
					k.bucket = 0
				}
				k = project(k, dims)
				w[k] = addCell(w[k], v)
			}
			diffStats(t, fmt.Sprintf("grain %q over [%s, %s) by %v", g, a.Format(time.RFC3339), b.Format(time.RFC3339), dims),
				statMap(f.stats(store.StatsQuery{From: a, To: b, Grain: g, GroupBy: dims})), w)
		}
	}
	// Fees: the counters, the messages' charges and the ledgers agree, per account.
	feeRows := f.stats(store.StatsQuery{From: from, To: to, GroupBy: []store.StatDim{store.DimAccount}})
	fees := map[int64]int64{}
	for _, row := range feeRows {
		fees[row.AccountID] += row.Fees
	}
	for _, a := range accts {
		led, err := s.Ledger(f.ctx, a.ID, 0)
		f.must(err)
		var ledger int64
		for _, e := range led {
			if e.Kind == "charge" {
				ledger -= e.Amount
			}
		}
		if fees[a.ID] != charged[a.ID] || ledger != charged[a.ID] {
			t.Fatalf("account %s: fees counted %d, messages charged %d, ledger charges %d", a.Name, fees[a.ID], charged[a.ID], ledger)
		}
	}
	// Every segment sent is what SentSegments lists.
	n := 0
	for _, op := range ops {
		f.must(s.SentSegments(f.ctx, op, from, to, func(store.SentSegment) error { n++; return nil }))
	}
	var segsCounted int64
	for k, c := range want {
		if k.state == store.Submitted {
			segsCounted += c.segments
		}
	}
	if int64(n) != segsCounted || n == 0 {
		t.Fatalf("SentSegments lists %d segments, the recount %d", n, segsCounted)
	}
}
