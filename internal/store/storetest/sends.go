package storetest

import (
	"errors"
	"testing"
	"time"

	"hongyan/internal/store"
)

// A console send ties batches together: counts, failure reasons and the
// failed messages come from all of them; lists are scoped and paged.
func testSends(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("elsewhere").ID
	b1, b2, b3 := f.item(f.acct, "", 3, 1), f.item(f.acct, "", 2, 2), f.item(other, "", 1, 1)
	b2.Messages[1].State, b2.Messages[1].OperatorCode = store.Blacklisted, "BLACKLIST"
	f.must(s.Accept(f.ctx, []*store.AcceptItem{b1, b2, b3}))

	sched := base.Add(48 * time.Hour)
	sd := &store.Send{ID: b1.Batch.ID, AccountID: f.acct, UserID: 7, Username: "ops", Kind: store.SendFile, Business: "notice",
		Content: "{name}，您的包裹已到", FileName: "list.xlsx", Total: 5, Skipped: 3, ScheduleAt: sched, CreatedAt: base}
	f.must(s.CreateSend(f.ctx, sd, []int64{b1.Batch.ID}))
	wantErr(t, s.CreateSend(f.ctx, &store.Send{ID: b1.Batch.ID, AccountID: f.acct, Kind: store.SendSingle}, nil), store.ErrDuplicate, "a second send with the same id")
	f.must(s.UpdateSend(f.ctx, sd.ID, store.SendProgress{Batches: []int64{b2.Batch.ID, b1.Batch.ID}, Accepted: 5, Refused: 1,
		State: store.SendDone, At: base.Add(time.Second)}))
	wantErr(t, s.UpdateSend(f.ctx, 42, store.SendProgress{State: store.SendDone}), store.ErrNotFound, "update of no send")

	got, err := s.GetSend(f.ctx, sd.ID)
	f.must(err)
	if got.AccountID != f.acct || got.UserID != 7 || got.Username != "ops" || got.Kind != store.SendFile || got.Content != sd.Content ||
		got.FileName != "list.xlsx" || got.Total != 5 || got.Skipped != 3 || got.Accepted != 5 || got.Refused != 1 || got.State != store.SendDone ||
		!got.ScheduleAt.Equal(sched) || !got.CreatedAt.Equal(base) || !got.UpdatedAt.Equal(base.Add(time.Second)) || got.Error != "" {
		t.Fatalf("GetSend = %+v", got)
	}
	if _, err := s.GetSend(f.ctx, 42); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSend(42): %v, want ErrNotFound", err)
	}
	// A stopped send keeps its error; an update without a state keeps the state.
	f.must(s.UpdateSend(f.ctx, sd.ID, store.SendProgress{Accepted: 5, Refused: 1, State: store.SendStopped, Error: "insufficient_balance"}))
	f.must(s.UpdateSend(f.ctx, sd.ID, store.SendProgress{Accepted: 5, Refused: 1}))
	if got, _ := s.GetSend(f.ctx, sd.ID); got.State != store.SendStopped || got.Error != "insufficient_balance" {
		t.Fatalf("after stop: %+v", got)
	}

	bs, err := s.SendBatches(f.ctx, sd.ID)
	f.must(err)
	want := []int64{b1.Batch.ID, b2.Batch.ID}
	sameIDs(t, "send batches", bs, want)

	// Outcomes: one delivered, one rejected, one blacklisted at accept.
	f.queue(b1.Messages[0].ID, "gw", 1)
	f.submit(b1.Messages[0].ID, 1, "gw", "S1")
	f.report("gw", "S1", store.Delivered, "DELIVRD")
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: b1.Messages[1].ID, State: store.Rejected, Code: "MK:0005", At: base}}))
	counts, err := s.SendCounts(f.ctx, sd.ID)
	f.must(err)
	if counts[store.Delivered] != 1 || counts[store.Rejected] != 1 || counts[store.Blacklisted] != 1 || counts[store.Accepted] != 2 || len(counts) != 4 {
		t.Fatalf("SendCounts = %v", counts)
	}
	reasons, err := s.SendReasons(f.ctx, sd.ID)
	f.must(err)
	if len(reasons) != 2 || reasons[0].Count != 1 || reasons[1].Count != 1 {
		t.Fatalf("SendReasons = %+v", reasons)
	}
	byState := map[store.State]string{}
	for _, r := range reasons {
		byState[r.State] = r.Code
	}
	if byState[store.Rejected] != "MK:0005" || byState[store.Blacklisted] != "BLACKLIST" {
		t.Fatalf("SendReasons = %+v", reasons)
	}
	var failed []int64
	f.must(s.SendFailures(f.ctx, sd.ID, 0, func(m *store.Message) error { failed = append(failed, m.ID); return nil }))
	sameIDs(t, "send failures", failed, []int64{b1.Messages[1].ID, b2.Messages[1].ID})
	failed = nil
	f.must(s.SendFailures(f.ctx, sd.ID, 1, func(m *store.Message) error { failed = append(failed, m.ID); return nil }))
	sameIDs(t, "send failures, limit 1", failed, []int64{b1.Messages[1].ID})
	stop := errors.New("stop")
	if err := s.SendFailures(f.ctx, sd.ID, 0, func(*store.Message) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("SendFailures did not pass fn's error on: %v", err)
	}
	// A send with no batch beyond its own and no message counts nothing.
	if c, err := s.SendCounts(f.ctx, 42); err != nil || len(c) != 0 {
		t.Fatalf("SendCounts(42) = %v, %v", c, err)
	}

	// Lists: scoped to accounts, scheduled ones, paged.
	s2 := &store.Send{ID: b3.Batch.ID, AccountID: other, Kind: store.SendSingle, Content: "hi", Total: 1, CreatedAt: base}
	f.must(s.CreateSend(f.ctx, s2, []int64{b3.Batch.ID}))
	list := func(q store.SendQuery) []int64 {
		t.Helper()
		ss, err := s.Sends(f.ctx, q)
		f.must(err)
		var out []int64
		for _, x := range ss {
			out = append(out, x.ID)
		}
		return out
	}
	newest := []int64{max(sd.ID, s2.ID), min(sd.ID, s2.ID)}
	sameIDs(t, "all sends", list(store.SendQuery{}), newest)
	sameIDs(t, "one account's sends", list(store.SendQuery{Accounts: []int64{other}}), []int64{s2.ID})
	sameIDs(t, "no account's sends", list(store.SendQuery{Accounts: []int64{}}), nil)
	sameIDs(t, "scheduled sends", list(store.SendQuery{ScheduledAfter: base}), []int64{sd.ID})
	sameIDs(t, "sends scheduled after it started", list(store.SendQuery{ScheduledAfter: sched}), nil)
	sameIDs(t, "first page", list(store.SendQuery{Limit: 1}), newest[:1])
	sameIDs(t, "next page", list(store.SendQuery{Limit: 1, BeforeID: newest[0]}), newest[1:])
}
