package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

// sendWithRun creates a sending send and saves n units for it, leased to
// lease; unit i goes to number 1390000000i, with variables when tpl is set.
func (f *fx) sendWithRun(n int, tpl string, lease store.SendLease) (*store.Send, []store.SendUnit) {
	f.t.Helper()
	sd := &store.Send{ID: f.id(), AccountID: f.acct, Kind: store.SendFile, Business: "notice", Total: n, State: store.SendSending, CreatedAt: base}
	f.must(f.s.CreateSend(f.ctx, sd, nil))
	units := make([]store.SendUnit, n)
	for i := range units {
		u := store.SendUnit{Unit: i, Text: fmt.Sprintf("您好 %d，包裹已到", i), Numbers: []string{fmt.Sprintf("139%08d", i), fmt.Sprintf("138%08d", i)}}
		if tpl != "" {
			u.Text = ""
			u.Vars = []map[string]string{{"姓名": fmt.Sprintf("用户%d", i)}, {"姓名": "x,y\"z"}}
		}
		units[i] = u
	}
	f.must(f.s.SaveSendRun(f.ctx, &store.SendRun{SendID: sd.ID, Template: tpl, Personal: true, Lease: lease, CreatedAt: base}, units))
	return sd, units
}

// unitsLeft lists a send's units not done, in order.
func (f *fx) unitsLeft(sendID int64) []store.SendUnit {
	f.t.Helper()
	var out []store.SendUnit
	f.must(f.s.SendRunUnits(f.ctx, sendID, func(u *store.SendUnit) error { out = append(out, *u); return nil }))
	return out
}

// A run of 10,000 units is saved in several transactions and read back
// whole, in order, texts, numbers and variables intact.
func testSendRunSave(t *testing.T, s store.Store) {
	f := newFx(t, s)
	lease := store.SendLease{Node: 1, Token: "a", Until: base.Add(time.Minute)}
	start := time.Now()
	sd, units := f.sendWithRun(10_000, "tpl-7", lease)
	t.Logf("saved 10,000 units in %s", time.Since(start).Round(time.Millisecond))
	run, err := s.GetSendRun(f.ctx, sd.ID)
	f.must(err)
	if run.SendID != sd.ID || run.Template != "tpl-7" || !run.Personal || run.Units != 10_000 || !run.Ready ||
		run.Lease.Node != 1 || run.Lease.Token != "a" || !run.Lease.Until.Equal(lease.Until) || !run.CreatedAt.Equal(base) {
		t.Fatalf("GetSendRun = %+v", run)
	}
	got := f.unitsLeft(sd.ID)
	if len(got) != len(units) {
		t.Fatalf("%d units read back, want %d", len(got), len(units))
	}
	for _, i := range []int{0, 1, 4095, 4096, 4097, 9999} {
		g, w := got[i], units[i]
		if g.Unit != w.Unit || g.Text != w.Text || !slices.Equal(g.Numbers, w.Numbers) || len(g.Vars) != 2 ||
			g.Vars[0]["姓名"] != w.Vars[0]["姓名"] || g.Vars[1]["姓名"] != "x,y\"z" {
			t.Fatalf("unit %d = %+v, want %+v", i, g, w)
		}
	}
	for i, u := range got {
		if u.Unit != i {
			t.Fatalf("unit %d read at %d", u.Unit, i)
		}
	}
	// Free text: no variables.
	sd2, _ := f.sendWithRun(3, "", lease)
	if got := f.unitsLeft(sd2.ID); len(got) != 3 || got[2].Vars != nil || got[2].Text != "您好 2，包裹已到" || got[2].Numbers[1] != "13800000002" {
		t.Fatalf("free-text units = %+v", got)
	}
	wantErr(t, s.SaveSendRun(f.ctx, &store.SendRun{SendID: sd.ID, Lease: lease}, units[:1]), store.ErrDuplicate, "a second run for one send")
	if _, err := s.GetSendRun(f.ctx, 42); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSendRun(42): %v, want ErrNotFound", err)
	}
}

// Claims: a live lease is not taken, except by its own node's next
// process (ownNode); an ended one is, by exactly one of two claimers.
func testSendRunClaim(t *testing.T, s store.Store) {
	f := newFx(t, s)
	now := base.Add(time.Hour)
	live := store.SendLease{Node: 1, Token: "a", Until: now.Add(30 * time.Second)}
	sd, _ := f.sendWithRun(2, "", live)
	claim := func(l store.SendLease, at time.Time, own bool) []int64 {
		t.Helper()
		runs, err := s.ClaimSendRuns(f.ctx, l, at, own, 10)
		f.must(err)
		var ids []int64
		for _, r := range runs {
			if r.Lease.Node != l.Node || r.Lease.Token != l.Token || !r.Lease.Until.Equal(l.Until) {
				t.Fatalf("claimed run's lease %+v, want %+v", r.Lease, l)
			}
			ids = append(ids, r.SendID)
		}
		return ids
	}
	other := store.SendLease{Node: 2, Token: "b", Until: now.Add(time.Minute)}
	if ids := claim(other, now, true); len(ids) != 0 {
		t.Fatalf("a live lease of another node was claimed: %v", ids)
	}
	if ids := claim(store.SendLease{Node: 1, Token: "a", Until: now.Add(time.Minute)}, now, true); len(ids) != 0 {
		t.Fatalf("the holder claimed its own run again: %v", ids)
	}
	next := store.SendLease{Node: 1, Token: "a2", Until: now.Add(time.Minute)}
	if ids := claim(next, now, false); len(ids) != 0 {
		t.Fatalf("a live lease was claimed without ownNode: %v", ids)
	}
	if ids := claim(next, now, true); !slices.Equal(ids, []int64{sd.ID}) {
		t.Fatalf("the node's next process claimed %v, want [%d]", ids, sd.ID)
	}
	if r, _ := s.GetSendRun(f.ctx, sd.ID); r.Lease.Token != "a2" || !r.Lease.Until.Equal(next.Until) {
		t.Fatalf("after the claim: %+v", r.Lease)
	}
	// Once the lease ended anyone may claim: of two at once, exactly one.
	var more []int64
	for range 6 {
		sd, _ := f.sendWithRun(1, "", store.SendLease{Node: 9, Token: "gone", Until: now.Add(-time.Second)})
		more = append(more, sd.ID)
	}
	later := now.Add(2 * time.Minute) // sd's lease (a2) ended too
	var wg sync.WaitGroup
	got := make([][]int64, 2)
	for i := range got {
		wg.Go(func() {
			runs, err := s.ClaimSendRuns(f.ctx, store.SendLease{Node: 3 + i, Token: fmt.Sprint("c", i), Until: later.Add(time.Minute)}, later, false, 0)
			if err != nil {
				t.Error(err)
			}
			for _, r := range runs {
				got[i] = append(got[i], r.SendID)
			}
		})
	}
	wg.Wait()
	all := append(slices.Clone(got[0]), got[1]...)
	slices.Sort(all)
	if want := append([]int64{sd.ID}, more...); !slices.Equal(all, want) {
		t.Fatalf("two claimers got %v and %v; want each of %v exactly once", got[0], got[1], want)
	}
	for i, ids := range got {
		for _, id := range ids {
			if r, _ := s.GetSendRun(f.ctx, id); r.Lease.Token != fmt.Sprint("c", i) {
				t.Fatalf("run %d claimed by c%d is leased to %q", id, i, r.Lease.Token)
			}
		}
	}
	// Limit.
	if runs, err := s.ClaimSendRuns(f.ctx, other, later.Add(time.Hour), false, 3); err != nil || len(runs) != 3 {
		t.Fatalf("claim with limit 3: %d runs, %v", len(runs), err)
	}
}

// Flushes renew the lease, mark units done with the send's counts in one
// go, and a final state deletes the run; a lost lease is refused.
func testSendRunFlush(t *testing.T, s store.Store) {
	f := newFx(t, s)
	lease := store.SendLease{Node: 1, Token: "a", Until: base.Add(time.Minute)}
	sd, units := f.sendWithRun(300, "", lease) // more units than one IN list carries
	b1, b2 := f.item(f.acct, "", 1, 1), f.item(f.acct, "", 1, 1)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{b1, b2}))

	stranger := store.SendLease{Node: 2, Token: "b", Until: base.Add(time.Hour)}
	wantErr(t, s.FlushSendRun(f.ctx, sd.ID, stranger, []store.UnitDone{{Unit: 0}}, store.SendProgress{Accepted: 2}), store.ErrLeaseLost, "a flush without the lease")
	if got := f.unitsLeft(sd.ID); len(got) != 300 {
		t.Fatalf("a refused flush marked units done: %d pending", len(got))
	}
	var done []store.UnitDone
	for i := range 200 {
		if i != 3 && i != 4 && i != 6 {
			done = append(done, store.UnitDone{Unit: i})
		}
	}
	done = append(done, store.UnitDone{Unit: 6, Code: "content_filtered"}, store.UnitDone{Unit: 250, Code: "content_filtered"},
		store.UnitDone{Unit: 251, Code: "blacklisted"})
	renewed := lease
	renewed.Until = base.Add(2 * time.Minute)
	f.must(s.FlushSendRun(f.ctx, sd.ID, renewed, done, store.SendProgress{Batches: []int64{b1.Batch.ID, b2.Batch.ID},
		Accepted: 2*197 - 1, Refused: 6, At: base.Add(time.Second)}))
	r, err := s.GetSendRun(f.ctx, sd.ID)
	f.must(err)
	if !r.Lease.Until.Equal(renewed.Until) {
		t.Fatalf("lease until %v, want %v", r.Lease.Until, renewed.Until)
	}
	got := f.unitsLeft(sd.ID)
	var at []int
	for _, u := range got {
		at = append(at, u.Unit)
	}
	want := []int{3, 4}
	for i := 200; i < 300; i++ {
		if i != 250 && i != 251 {
			want = append(want, i)
		}
	}
	if !slices.Equal(at, want) {
		t.Fatalf("pending after the flush: %v, want %v", at, want)
	}
	if got[0].Text != units[3].Text {
		t.Fatalf("resumed unit 3 = %+v", got[0])
	}
	refused, err := s.SendRunRefusals(f.ctx, sd.ID)
	f.must(err)
	if len(refused) != 2 || refused["content_filtered"] != 4 || refused["blacklisted"] != 2 {
		t.Fatalf("refusals = %v", refused)
	}
	sent, err := s.GetSend(f.ctx, sd.ID)
	f.must(err)
	if sent.Accepted != 393 || sent.Refused != 6 || sent.State != store.SendSending || !sent.UpdatedAt.Equal(base.Add(time.Second)) {
		t.Fatalf("send after the flush: %+v", sent)
	}
	bs, err := s.SendBatches(f.ctx, sd.ID)
	f.must(err)
	sameIDs(t, "send batches", bs, []int64{b1.Batch.ID, b2.Batch.ID})

	// A clean stop: the lease released, another node claims at once.
	f.must(s.ReleaseSendRun(f.ctx, sd.ID, "not-the-holder"))
	if r, _ := s.GetSendRun(f.ctx, sd.ID); r.Lease.Until.IsZero() {
		t.Fatal("a stranger released the lease")
	}
	f.must(s.ReleaseSendRun(f.ctx, sd.ID, "a"))
	next := store.SendLease{Node: 2, Token: "b", Until: base.Add(time.Minute)}
	runs, err := s.ClaimSendRuns(f.ctx, next, base, false, 0)
	f.must(err)
	if len(runs) != 1 || runs[0].SendID != sd.ID {
		t.Fatalf("claim after release: %+v", runs)
	}
	wantErr(t, s.FlushSendRun(f.ctx, sd.ID, renewed, nil, store.SendProgress{Accepted: 393, Refused: 6}), store.ErrLeaseLost, "the old holder's flush")

	// The last flush: done, and the rows are gone.
	var rest []store.UnitDone
	for _, u := range got {
		rest = append(rest, store.UnitDone{Unit: u.Unit})
	}
	f.must(s.FlushSendRun(f.ctx, sd.ID, next, rest, store.SendProgress{Accepted: 594, Refused: 6, State: store.SendDone}))
	if _, err := s.GetSendRun(f.ctx, sd.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("run after the last flush: %v, want ErrNotFound", err)
	}
	if got := f.unitsLeft(sd.ID); len(got) != 0 {
		t.Fatalf("%d units left after the last flush", len(got))
	}
	if refused, _ := s.SendRunRefusals(f.ctx, sd.ID); len(refused) != 0 {
		t.Fatalf("refusals left after the last flush: %v", refused)
	}
	if sent, _ := s.GetSend(f.ctx, sd.ID); sent.State != store.SendDone || sent.Accepted != 594 {
		t.Fatalf("send after the last flush: %+v", sent)
	}
	wantErr(t, s.FlushSendRun(f.ctx, sd.ID, next, nil, store.SendProgress{}), store.ErrLeaseLost, "a flush of a finished run")
}

// A run stopped from elsewhere (a cancel on another node) loses its rows
// and its send is stopped; cleaning removes runs of sends no longer
// sending and leaves the others.
func testSendRunStopAndClean(t *testing.T, s store.Store) {
	f := newFx(t, s)
	lease := store.SendLease{Node: 1, Token: "a", Until: base.Add(time.Minute)}
	sd, _ := f.sendWithRun(5, "", lease)
	had, err := s.StopSendRun(f.ctx, sd.ID, "cancelled: by ops", base.Add(time.Second))
	f.must(err)
	if !had {
		t.Fatal("StopSendRun found no run")
	}
	if sent, _ := s.GetSend(f.ctx, sd.ID); sent.State != store.SendStopped || sent.Error != "cancelled: by ops" {
		t.Fatalf("stopped send: %+v", sent)
	}
	if got := f.unitsLeft(sd.ID); len(got) != 0 {
		t.Fatalf("%d units left after the stop", len(got))
	}
	if had, err := s.StopSendRun(f.ctx, sd.ID, "again", base); err != nil || had {
		t.Fatalf("second stop: %v, %v", had, err)
	}
	wantErr(t, s.FlushSendRun(f.ctx, sd.ID, lease, nil, store.SendProgress{}), store.ErrLeaseLost, "the holder's flush after a stop")

	keep, _ := f.sendWithRun(2, "", lease)
	over, _ := f.sendWithRun(2, "", lease)
	f.must(s.UpdateSend(f.ctx, over.ID, store.SendProgress{State: store.SendDone}))
	n, err := s.CleanSendRuns(f.ctx, base)
	f.must(err)
	if n != 1 {
		t.Fatalf("cleaned %d runs, want 1", n)
	}
	if _, err := s.GetSendRun(f.ctx, over.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("run of a finished send after cleaning: %v", err)
	}
	if got := f.unitsLeft(over.ID); len(got) != 0 {
		t.Fatalf("units of a finished send after cleaning: %d", len(got))
	}
	if got := f.unitsLeft(keep.ID); len(got) != 2 {
		t.Fatalf("a running send lost units to cleaning: %d left", len(got))
	}
}
