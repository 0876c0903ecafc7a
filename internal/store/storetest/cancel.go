package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// CancelMessages cancels only waiting messages of the named batch, gives
// their reservations back, counts them, writes their timeline line, and a
// cancelled message stays cancelled whatever the dispatcher does next.
func testCancelMessages(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("scheduler").ID // balance 1000 li
	it := f.priced(acct, 4, 100, store.ChargeDelivered)
	for _, m := range it.Messages {
		m.ScheduleAt = base.Add(24 * time.Hour)
	}
	other := f.priced(acct, 1, 100, store.ChargeDelivered)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it, other}))
	f.wantMoney(acct, 1000, 500)
	ids := []int64{it.Messages[0].ID, it.Messages[1].ID, it.Messages[2].ID, it.Messages[3].ID}
	f.queue(ids[0], "gw", 1) // the dispatcher took this one first

	at := base.Add(time.Hour)
	got, err := s.CancelMessages(f.ctx, []int64{it.Batch.ID}, append([]int64{other.Messages[0].ID, 999}, ids...), at, "called off by tester")
	f.must(err)
	sameIDs(t, "cancelled", got, ids[1:])
	f.wantMoney(acct, 1000, 200) // three reservations back, nothing charged
	for _, id := range ids[1:] {
		m := f.state(id, store.Cancelled)
		if m.OperatorCode != store.CancelCode || !m.DoneAt.Equal(at) || m.Charged != 0 || m.InFlight {
			t.Fatalf("cancelled message %d: %+v", id, m)
		}
		es := f.events(id)
		last := es[len(es)-1]
		if last.Kind != "state" || !strings.Contains(last.Detail, "cancelled") || !strings.Contains(last.Detail, "called off by tester") {
			t.Fatalf("message %d timeline %+v lacks the cancel line", id, es)
		}
	}
	f.state(ids[0], store.Queued)
	f.state(other.Messages[0].ID, store.Accepted)
	if !store.Cancelled.Final() {
		t.Fatal("cancelled is not final")
	}

	// Again: nothing is waiting any more.
	got, err = s.CancelMessages(f.ctx, []int64{it.Batch.ID}, ids, at, "")
	f.must(err)
	if len(got) != 0 {
		t.Fatalf("second cancel cancelled %v", got)
	}
	// The dispatcher marking a cancelled message queued changes nothing;
	// nor does a late finish.
	f.queue(ids[1], "gw", 1)
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: ids[2], State: store.Failed, Code: "X", At: at}}))
	f.state(ids[1], store.Cancelled)
	f.state(ids[2], store.Cancelled)
	f.wantMoney(acct, 1000, 200)

	counts, err := s.BatchCounts(f.ctx, it.Batch.ID)
	f.must(err)
	if counts[store.Cancelled] != 3 || counts[store.Queued] != 1 {
		t.Fatalf("batch counts %v, want 3 cancelled and 1 queued", counts)
	}
	var pending []int64
	f.must(s.PendingMessages(f.ctx, func(m *store.Message) error { pending = append(pending, m.ID); return nil }))
	slices.Sort(pending)
	want := []int64{ids[0], other.Messages[0].ID}
	slices.Sort(want)
	sameIDs(t, "pending after cancel", pending, want)

	// Statistics: accepted stays, the cancelled state is counted in its hour.
	rows, err := s.Stats(f.ctx, store.StatsQuery{From: store.HourStart(base), To: store.HourStart(base).Add(3 * time.Hour),
		Accounts: []int64{acct}})
	f.must(err)
	n := map[store.State]int64{}
	for _, r := range rows {
		n[r.State] += r.Messages
	}
	if n[store.Cancelled] != 3 || n[store.Accepted] != 5 {
		t.Fatalf("statistics %v, want 3 cancelled and 5 accepted", n)
	}
	if !slices.Contains(store.StatStates, store.Cancelled) {
		t.Fatal("StatStates lacks cancelled")
	}
	if got, err := s.CancelMessages(f.ctx, []int64{it.Batch.ID}, nil, at, ""); err != nil || len(got) != 0 {
		t.Fatalf("cancel of no ids: %v, %v", got, err)
	}
	// Several batches at once; a message of a batch not named is kept.
	b1, b2, b3 := f.priced(acct, 2, 100, store.ChargeDelivered), f.priced(acct, 1, 100, store.ChargeDelivered), f.priced(acct, 1, 100, store.ChargeDelivered)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{b1, b2, b3}))
	all := []int64{b1.Messages[0].ID, b1.Messages[1].ID, b2.Messages[0].ID, b3.Messages[0].ID}
	got, err = s.CancelMessages(f.ctx, []int64{b1.Batch.ID, b2.Batch.ID}, all, at, "")
	f.must(err)
	sameIDs(t, "cancelled of two batches", got, all[:3])
	f.state(b3.Messages[0].ID, store.Accepted)
	if got, err := s.CancelMessages(f.ctx, nil, all, at, ""); err != nil || len(got) != 0 {
		t.Fatalf("cancel of no ids: %v, %v", got, err)
	}
}
