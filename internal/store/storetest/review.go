package storetest

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

// The rest of the content filter: the review queue and frequency limits
// (store/review.go).

// held builds an item of n priced messages held for review.
func (f *fx) held(acct int64, n int, fee int64, words ...string) *store.AcceptItem {
	it := f.priced(acct, n, fee, store.ChargeDelivered)
	for _, m := range it.Messages {
		m.State = store.Held
	}
	it.Hold = &store.Hold{Business: "notice", Src: "10658000", Content: "hello", Words: words, HeldAt: base}
	return it
}

func (f *fx) pending() map[int64]store.State {
	f.t.Helper()
	out := map[int64]store.State{}
	f.must(f.s.PendingMessages(f.ctx, func(m *store.Message) error { out[m.ID] = m.State; return nil }))
	return out
}

// counted sums the statistics counters of an account per state.
func (f *fx) counted(acct int64) map[store.State]int64 {
	f.t.Helper()
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, store.Shanghai)
	out := map[store.State]int64{}
	for _, r := range f.stats(store.StatsQuery{From: day, To: day.AddDate(0, 1, 0), Accounts: []int64{acct}}) {
		out[r.State] += r.Messages
	}
	return out
}

func testReviewQueue(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("reviewed").ID // balance 1000 li
	it := f.held(acct, 3, 100, "中奖", "免费")
	black := it.Messages[2]
	black.State, black.OperatorCode, black.DoneAt, black.Fee = store.Blacklisted, "BLACKLIST", base, 0
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	if it.NoFunds || it.Dup {
		t.Fatalf("held item refused: %+v", it)
	}
	held := []int64{it.Messages[0].ID, it.Messages[1].ID}
	for _, id := range held {
		f.state(id, store.Held)
	}
	f.wantMoney(acct, 1000, 200) // reserved as any accepted message
	if p := f.pending(); len(p) != 0 {
		t.Fatalf("held messages are pending (recovery would send them): %v", p)
	}
	if c := f.counted(acct); c[store.Accepted] != 3 || c[store.Blacklisted] != 1 || c[store.Filtered] != 0 {
		t.Fatalf("counters after a held accept: %v", c)
	}
	hs, err := s.Holds(f.ctx, store.HoldQuery{})
	f.must(err)
	if len(hs) != 1 {
		t.Fatalf("%d holds waiting, want 1", len(hs))
	}
	h := hs[0]
	if h.BatchID != it.Batch.ID || h.AccountID != acct || h.Messages != 2 || !slices.Equal(h.Words, []string{"中奖", "免费"}) ||
		h.Content != "hello" || h.Src != "10658000" || h.Business != "notice" || !h.HeldAt.Equal(base) || h.Decision != "" {
		t.Fatalf("hold %+v", h)
	}
	if g, err := s.GetHold(f.ctx, it.Batch.ID); err != nil || g.Messages != 2 {
		t.Fatalf("GetHold = %+v, %v", g, err)
	}
	_, err = s.GetHold(f.ctx, 42)
	wantErr(t, err, store.ErrNotFound, "GetHold of no hold")
	_, _, err = s.DecideHold(f.ctx, store.HoldDecision{BatchID: 42, Decision: store.HoldApproved, By: "x"})
	wantErr(t, err, store.ErrNotFound, "deciding no hold")
	if _, _, err := s.DecideHold(f.ctx, store.HoldDecision{BatchID: it.Batch.ID, Decision: "maybe"}); err == nil {
		t.Fatal("a decision that is neither approved nor rejected was taken")
	}
	if hs, _ := s.Holds(f.ctx, store.HoldQuery{AccountIDs: []int64{}}); len(hs) != 0 {
		t.Fatalf("an empty scope sees %d holds", len(hs))
	}
	if hs, _ := s.Holds(f.ctx, store.HoldQuery{AccountIDs: []int64{f.acct}}); len(hs) != 0 {
		t.Fatalf("another account's scope sees %d holds", len(hs))
	}

	// Approved: the held messages go to the outbox (and not the blacklisted one).
	later := base.Add(time.Hour)
	notBefore := base.Add(2 * time.Hour)
	dh, msgs, err := s.DecideHold(f.ctx, store.HoldDecision{BatchID: it.Batch.ID, Decision: store.HoldApproved, By: "auditor", At: later, NotBefore: notBefore})
	f.must(err)
	if dh.Decision != store.HoldApproved || dh.DecidedBy != "auditor" || !dh.DecidedAt.Equal(later) {
		t.Fatalf("decided hold %+v", dh)
	}
	sameIDs(t, "approved messages", ids(msgs), held)
	for _, m := range msgs {
		if m.State != store.Accepted || !m.ScheduleAt.Equal(notBefore) {
			t.Fatalf("approved message %+v", m)
		}
		if got := f.state(m.ID, store.Accepted); !got.ScheduleAt.Equal(notBefore) || got.Fee != 100 {
			t.Fatalf("stored approved message %+v", got)
		}
		es := f.events(m.ID)
		if k := kinds(es); !slices.Equal(k, []string{"accepted", "review"}) || es[1].Detail == "" {
			t.Fatalf("approved message's timeline %v", es)
		}
	}
	f.state(black.ID, store.Blacklisted)
	if p := f.pending(); len(p) != 2 || p[held[0]] != store.Accepted {
		t.Fatalf("approved messages pending: %v", p)
	}
	f.wantMoney(acct, 1000, 200)
	// Decided: a second decision, either way, changes nothing and says who decided.
	for _, d := range []string{store.HoldApproved, store.HoldRejected} {
		dh, msgs, err := s.DecideHold(f.ctx, store.HoldDecision{BatchID: it.Batch.ID, Decision: d, By: "late"})
		wantErr(t, err, store.ErrDecided, "deciding twice")
		if dh == nil || dh.DecidedBy != "auditor" || dh.Decision != store.HoldApproved || msgs != nil {
			t.Fatalf("second decision answered %+v %v", dh, msgs)
		}
	}
	f.state(held[0], store.Accepted)
	if c := f.counted(acct); c[store.Accepted] != 3 || c[store.Filtered] != 0 {
		t.Fatalf("counters after approval: %v", c)
	}

	// Rejected: final, the reservation released, nothing charged, counted, recorded.
	it2 := f.held(acct, 2, 150, "中奖")
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it2}))
	f.wantMoney(acct, 1000, 500)
	dh, msgs, err = s.DecideHold(f.ctx, store.HoldDecision{BatchID: it2.Batch.ID, Decision: store.HoldRejected, By: "auditor", Reason: "lottery spam", At: later})
	f.must(err)
	if dh.Reason != "lottery spam" || len(msgs) != 2 {
		t.Fatalf("rejected hold %+v, %d messages", dh, len(msgs))
	}
	for _, m := range it2.Messages {
		got := f.state(m.ID, store.Filtered)
		if got.OperatorCode != store.ReviewRejectedCode || got.Charged != 0 || !got.DoneAt.Equal(later) {
			t.Fatalf("rejected message %+v", got)
		}
		if es := f.events(m.ID); es[len(es)-1].Kind != "state" || es[len(es)-1].Detail != "filtered (REVIEW_REJECTED): rejected by auditor: lottery spam" {
			t.Fatalf("rejected message's timeline %v", es)
		}
	}
	f.wantMoney(acct, 1000, 200)
	led, err := s.Ledger(f.ctx, acct, 0)
	f.must(err)
	for _, e := range led {
		if e.Kind == "charge" {
			t.Fatalf("a rejection charged: %+v", e)
		}
	}
	if c := f.counted(acct); c[store.Accepted] != 5 || c[store.Filtered] != 2 {
		t.Fatalf("counters after a rejection: %v", c)
	}
	rs, err := s.Refusals(f.ctx, acct, 0)
	f.must(err)
	if len(rs) != 1 || rs[0].Kind != "review_rejected" || rs[0].Detail != "2 message(s) held for review rejected by auditor: lottery spam" {
		t.Fatalf("refusals %+v", rs)
	}
	_, _, err = s.DecideHold(f.ctx, store.HoldDecision{BatchID: it2.Batch.ID, Decision: store.HoldApproved, By: "late"})
	wantErr(t, err, store.ErrDecided, "approving a rejected hold")
	if p := f.pending(); len(p) != 2 {
		t.Fatalf("pending after the rejection: %v", p)
	}
	dec, err := s.Holds(f.ctx, store.HoldQuery{Decided: true})
	f.must(err)
	if len(dec) != 2 || dec[0].BatchID != it2.Batch.ID || dec[1].BatchID != it.Batch.ID {
		t.Fatalf("decided holds %+v", dec)
	}
	if w, _ := s.Holds(f.ctx, store.HoldQuery{}); len(w) != 0 {
		t.Fatalf("%d holds still waiting", len(w))
	}

	// A held item refused for funds or replayed writes no hold.
	poor := f.held(acct, 10, 100)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{poor}))
	if !poor.NoFunds {
		t.Fatal("held messages beyond the funds accepted")
	}
	_, err = s.GetHold(f.ctx, poor.Batch.ID)
	wantErr(t, err, store.ErrNotFound, "hold of a refused item")
}

// Two auditors deciding one hold at once: one decision wins whole.
func testReviewRace(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("raced").ID
	for round := range 5 {
		it := f.held(acct, 3, 10)
		f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			d := []string{store.HoldApproved, store.HoldRejected}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = s.DecideHold(f.ctx, store.HoldDecision{BatchID: it.Batch.ID, Decision: d, By: fmt.Sprint("auditor", i)})
			}()
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won < 0:
				won = i
			case err == nil:
				t.Fatalf("round %d: decisions %d and %d both won", round, won, i)
			case !errors.Is(err, store.ErrDecided):
				t.Fatalf("round %d: decision %d: %v", round, i, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: no decision won", round)
		}
		want := store.Accepted
		if won%2 == 1 {
			want = store.Filtered
		}
		for _, m := range it.Messages {
			f.state(m.ID, want)
		}
		h, err := s.GetHold(f.ctx, it.Batch.ID)
		f.must(err)
		if h.DecidedBy != fmt.Sprint("auditor", won) {
			t.Fatalf("round %d: hold decided by %q, the winner was auditor%d", round, h.DecidedBy, won)
		}
	}
}

// freqItem is one request of business type biz to numbers at t, under a
// limit of limit per window.
func (f *fx) freqItem(biz string, limit int, window time.Duration, t time.Time, numbers ...string) *store.AcceptItem {
	b := store.Batch{ID: f.id(), AccountID: f.acct, Total: len(numbers), CreatedAt: t}
	it := &store.AcceptItem{Batch: b, Freq: store.FreqLimit{Limit: limit, Window: window}}
	for _, n := range numbers {
		m := &store.Message{ID: f.id(), BatchID: b.ID, AccountID: f.acct, To: n, Business: biz, Segments: 1, Operator: "cmcc",
			State: store.Accepted, CreatedAt: t, Fee: 10, ChargeOn: store.ChargeDelivered}
		it.Messages = append(it.Messages, m)
		it.Events = append(it.Events, store.Event{MessageID: m.ID, At: t, Kind: "accepted", Detail: "test"})
	}
	return it
}

func testFrequencyLimit(t *testing.T, s store.Store) {
	f := newFx(t, s)
	const x, y = "13800138000", "13900139000"
	hour := time.Hour
	acc := func(its ...*store.AcceptItem) {
		t.Helper()
		f.must(s.Accept(f.ctx, its))
	}
	t0 := base
	a, b := f.freqItem("mkt", 2, hour, t0, x), f.freqItem("mkt", 2, hour, t0.Add(10*time.Minute), x)
	acc(a)
	acc(b)
	if a.FreqRefused || b.FreqRefused || len(a.Limited)+len(b.Limited) != 0 {
		t.Fatalf("first two to %s limited: %+v %+v", x, a.Limited, b.Limited)
	}
	// The third within the hour: x's message is kept final, y's goes.
	c := f.freqItem("mkt", 2, hour, t0.Add(20*time.Minute), x, y)
	acc(c)
	if c.FreqRefused || len(c.Limited) != 1 {
		t.Fatalf("third to %s: refused %v, limited %+v", x, c.FreqRefused, c.Limited)
	}
	l := c.Limited[0]
	if l.Index != 0 || l.Number != x || l.Count != 2 || !l.NextAt.Equal(t0.Add(hour)) || l.Was != store.Accepted {
		t.Fatalf("limited %+v, want index 0, %s, count 2, next at %s", l, x, t0.Add(hour))
	}
	lm := f.state(c.Messages[0].ID, store.Filtered)
	if lm.OperatorCode != store.FrequencyLimitedCode || lm.Charged != 0 || !lm.DoneAt.Equal(lm.CreatedAt) {
		t.Fatalf("limited message %+v", lm)
	}
	if es := f.events(lm.ID); !slices.Equal(kinds(es), []string{"accepted", "state"}) {
		t.Fatalf("limited message's timeline %v", es)
	}
	f.state(c.Messages[1].ID, store.Accepted)
	f.wantMoney(f.acct, 1000, 30) // a, b, and y's: the limited one reserves nothing
	rs, err := s.Refusals(f.ctx, f.acct, 0)
	f.must(err)
	if len(rs) != 1 || rs[0].Kind != "frequency_limited" || rs[0].Number != x || rs[0].Business != "mkt" {
		t.Fatalf("refusals %+v", rs)
	}
	if cnt := f.counted(f.acct); cnt[store.Accepted] != 4 || cnt[store.Filtered] != 1 {
		t.Fatalf("counters %v", cnt)
	}
	// Every number over: nothing written.
	d := f.freqItem("mkt", 2, hour, t0.Add(30*time.Minute), x)
	acc(d)
	if !d.FreqRefused || len(d.Limited) != 1 || !d.Limited[0].NextAt.Equal(t0.Add(hour)) {
		t.Fatalf("fourth to %s: refused %v, limited %+v", x, d.FreqRefused, d.Limited)
	}
	if _, err := s.GetBatch(f.ctx, 0, d.Batch.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused item's batch was stored: %v", err)
	}
	f.wantMoney(f.acct, 1000, 30)
	if cnt := f.counted(f.acct); cnt[store.Accepted] != 4 {
		t.Fatalf("a refused item was counted: %v", cnt)
	}
	// Another business type, or a number, has its own count.
	e := f.freqItem("notice", 2, hour, t0.Add(30*time.Minute), x)
	acc(e)
	if e.FreqRefused || len(e.Limited) != 0 {
		t.Fatalf("another business type limited by mkt's count: %+v", e.Limited)
	}
	// Once the first has left the window, one more may go; then two later.
	at := t0.Add(hour)
	g := f.freqItem("mkt", 2, hour, at, x)
	acc(g)
	if g.FreqRefused {
		t.Fatalf("at %s (the first has left the hour) still limited: %+v", at, g.Limited)
	}
	h := f.freqItem("mkt", 2, hour, at.Add(time.Minute), x)
	acc(h)
	if !h.FreqRefused || !h.Limited[0].NextAt.Equal(t0.Add(10*time.Minute+hour)) {
		t.Fatalf("after the window moved: refused %v %+v, want next at %s", h.FreqRefused, h.Limited, t0.Add(10*time.Minute+hour))
	}

	// Several messages to one number in one item, and items in one call.
	const z, w = "13700137000", "13600136000"
	one := f.freqItem("mkt", 2, hour, t0, z, z, z, y)
	acc(one)
	if len(one.Limited) != 1 || one.Limited[0].Index != 2 {
		t.Fatalf("three to one number in one item: %+v", one.Limited)
	}
	i1, i2, i3 := f.freqItem("mkt", 2, hour, t0, w), f.freqItem("mkt", 2, hour, t0, w), f.freqItem("mkt", 2, hour, t0, w)
	acc(i1, i2, i3)
	if i1.FreqRefused || i2.FreqRefused || !i3.FreqRefused {
		t.Fatalf("three items to one number in one call: refused %v %v %v", i1.FreqRefused, i2.FreqRefused, i3.FreqRefused)
	}

	// A replay of a request (its client_ref) is its batch, not a new message over the limit.
	const v = "13500135000"
	r1 := f.freqItem("mkt", 1, hour, t0, v)
	r1.Batch.ClientRef = "ref-1"
	acc(r1)
	r2 := f.freqItem("mkt", 1, hour, t0.Add(time.Minute), v)
	r2.Batch.ClientRef = "ref-1"
	acc(r2)
	if r2.FreqRefused || !r2.Dup || r2.ExistingBatch != r1.Batch.ID {
		t.Fatalf("replay: refused %v dup %v batch %d", r2.FreqRefused, r2.Dup, r2.ExistingBatch)
	}

	// A transaction that fails is run again from the items as given.
	const u = "13400134000"
	acc(f.freqItem("mkt", 1, hour, t0, u))
	retry := f.freqItem("mkt", 1, hour, t0.Add(time.Minute), u, "13100131000")
	bad := f.freqItem("mkt", 1, hour, t0, "13300133000")
	bad.Messages[0].ID = a.Messages[0].ID // an existing id fails the whole call
	if err := s.Accept(f.ctx, []*store.AcceptItem{retry, bad}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("accept with an existing message id: %v", err)
	}
	acc(retry)
	if len(retry.Limited) != 1 || retry.Limited[0].Was != store.Accepted || retry.Messages[1].State != store.Accepted {
		t.Fatalf("accept run again: limited %+v, y %s", retry.Limited, retry.Messages[1].State)
	}
	f.state(retry.Messages[0].ID, store.Filtered)

	// A held message counts; rejected, it no longer does.
	const q = "13200132000"
	hi := f.freqItem("mkt", 1, hour, t0, q)
	hi.Messages[0].State = store.Held
	hi.Hold = &store.Hold{Business: "mkt", Content: "x"}
	acc(hi)
	again := f.freqItem("mkt", 1, hour, t0.Add(time.Minute), q)
	if acc(again); !again.FreqRefused {
		t.Fatal("a held message did not count against the limit")
	}
	_, _, err = s.DecideHold(f.ctx, store.HoldDecision{BatchID: hi.Batch.ID, Decision: store.HoldRejected, By: "a", At: t0.Add(2 * time.Minute)})
	f.must(err)
	again = f.freqItem("mkt", 1, hour, t0.Add(3*time.Minute), q)
	if acc(again); again.FreqRefused {
		t.Fatal("a rejected message still counts against the limit")
	}

	// Pruning forgets what no window reaches any more.
	n, err := s.PruneFrequency(f.ctx, t0.Add(time.Minute))
	f.must(err)
	if n < 5 {
		t.Fatalf("pruned %d counts before %s, want at least 5", n, t0.Add(time.Minute))
	}
	if n2, err := s.PruneFrequency(f.ctx, t0.Add(time.Minute)); err != nil || n2 != 0 {
		t.Fatalf("pruning again: %d, %v", n2, err)
	}
}

// Concurrent requests to one number never pass its last place.
func testFrequencyConcurrent(t *testing.T, s store.Store) {
	f := newFx(t, s)
	const limit, tries = 3, 12
	its := make([]*store.AcceptItem, tries)
	for i := range its {
		its[i] = f.freqItem("mkt", limit, time.Hour, base.Add(time.Duration(i)*time.Second), "13800138000")
	}
	var wg sync.WaitGroup
	errs := make(chan error, tries)
	for _, it := range its {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Accept(f.ctx, []*store.AcceptItem{it})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.must(err)
	}
	passed := 0
	for _, it := range its {
		if !it.FreqRefused {
			passed++
		}
	}
	if passed != limit {
		t.Fatalf("%d of %d concurrent requests passed a limit of %d", passed, tries, limit)
	}
}

// testReviewRandomised drives an account through a random run of plain,
// held and frequency-limited accepts, approvals and rejections, sends,
// reports, finishes and recharges, checking the money invariants after
// every step and, at the end, that the counters equal a recount.
func testReviewRandomised(t *testing.T, s store.Store) {
	r := rand.New(rand.NewPCG(randSeed(t), 9))
	f := newFx(t, s)
	acct := f.account("random-reviewed").ID // 1000 li
	numbers := []string{"13800138000", "13800138001", "13800138002", "13800138003"}
	var msgs, pending []int64 // every message; those accepted and not final
	var holds []*store.AcceptItem
	submitted := map[int64]string{}
	op := 0
	for step := range 300 {
		at := base.Add(time.Duration(step) * time.Minute)
		switch k := r.IntN(12); {
		case k < 4: // accept 1–3 messages, maybe held, maybe limited (2 per 30 minutes)
			b := store.Batch{ID: f.id(), AccountID: acct, CreatedAt: at}
			it := &store.AcceptItem{Batch: b}
			if r.IntN(2) == 0 {
				it.Freq = store.FreqLimit{Limit: 2, Window: 30 * time.Minute}
			}
			held := r.IntN(3) == 0
			if held {
				it.Hold = &store.Hold{Business: "mkt", Content: "中奖", Words: []string{"中奖"}}
			}
			for range 1 + r.IntN(3) {
				m := &store.Message{ID: f.id(), BatchID: b.ID, AccountID: acct, To: numbers[r.IntN(len(numbers))], Business: "mkt",
					Segments: 1, Operator: "cmcc", State: store.Accepted, CreatedAt: at, Fee: int64(20 + r.IntN(80)), ChargeOn: store.ChargeDelivered}
				if held {
					m.State = store.Held
				}
				it.Messages = append(it.Messages, m)
			}
			f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
			if it.NoFunds || it.FreqRefused {
				continue
			}
			for _, m := range it.Messages {
				msgs = append(msgs, m.ID)
				if m.State == store.Accepted {
					pending = append(pending, m.ID)
				}
			}
			if held {
				holds = append(holds, it)
			}
		case k < 6 && len(holds) > 0: // an auditor decides one
			i := r.IntN(len(holds))
			it := holds[i]
			holds = append(holds[:i], holds[i+1:]...)
			d := store.HoldDecision{BatchID: it.Batch.ID, Decision: store.HoldRejected, By: "auditor", Reason: "no", At: at}
			if r.IntN(2) == 0 {
				d.Decision = store.HoldApproved
			}
			_, out, err := s.DecideHold(f.ctx, d)
			f.must(err)
			if d.Decision == store.HoldApproved {
				pending = append(pending, ids(out)...)
			}
		case k < 8 && len(pending) > 0: // submit one
			id := pending[r.IntN(len(pending))]
			if _, ok := submitted[id]; ok {
				continue
			}
			op++
			submitted[id] = fmt.Sprint("V", op)
			f.queue(id, "gw", 1)
			f.submit(id, 1, "gw", submitted[id])
		case k < 10 && len(pending) > 0: // a report, or the platform gives one up
			i := r.IntN(len(pending))
			id := pending[i]
			if opID, ok := submitted[id]; ok && k == 8 {
				st, code := store.Delivered, "DELIVRD"
				if r.IntN(3) == 0 {
					st, code = store.Undelivered, "UNDELIV"
				}
				f.report("gw", opID, st, code)
			} else {
				f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: id, State: store.Failed, Code: "X", At: at}}))
			}
			pending = append(pending[:i], pending[i+1:]...)
		default:
			_, err := s.Recharge(f.ctx, acct, int64(100+r.IntN(300)), "recharge", fmt.Sprint("step ", step), "test")
			f.must(err)
		}
		f.checkLedger(acct, msgs)
	}
	if len(msgs) == 0 {
		t.Fatal("the run accepted nothing")
	}
	// The counters equal a recount from the messages.
	want := map[store.State][2]int64{} // messages, fees
	for _, id := range msgs {
		m := f.msg(id)
		w := want[store.Accepted]
		want[store.Accepted] = [2]int64{w[0] + 1, w[1]}
		if m.State.Final() {
			w = want[m.State]
			want[m.State] = [2]int64{w[0] + 1, w[1] + m.Charged}
		}
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, store.Shanghai)
	got := map[store.State][2]int64{}
	for _, row := range f.stats(store.StatsQuery{From: day, To: day.AddDate(0, 1, 0), Accounts: []int64{acct}}) {
		if row.State == store.Submitted {
			continue
		}
		g := got[row.State]
		got[row.State] = [2]int64{g[0] + row.Messages, g[1] + row.Fees}
	}
	if !maps.Equal(got, want) {
		t.Fatalf("counters %v, recount %v", got, want)
	}
}

// reviewTests are this file's tests (Tests lists them).
var reviewTests = []Test{
	{"ReviewQueue", testReviewQueue},
	{"ReviewRace", testReviewRace},
	{"ReviewRandomised", testReviewRandomised},
	{"FrequencyLimit", testFrequencyLimit},
	{"FrequencyConcurrent", testFrequencyConcurrent},
}
