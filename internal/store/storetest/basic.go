package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"hongyan/internal/store"
)

func testAccounts(t *testing.T, s store.Store) {
	f := newFx(t, s)
	a := &store.Account{Name: "post-office", Balance: 123456, ServiceCode: "1065800012", CallbackURL: "http://127.0.0.1/cb",
		Secret: "s3cret", PasswordHash: "$2a$hash", CreatedAt: base}
	f.must(s.CreateAccount(f.ctx, a))
	if a.ID == 0 || a.ID == f.acct {
		t.Fatalf("CreateAccount set ID %d (first account %d)", a.ID, f.acct)
	}
	got, err := s.GetAccount(f.ctx, a.ID)
	f.must(err)
	if !(got.ID == a.ID && got.Name == a.Name && got.Balance == a.Balance && got.ServiceCode == a.ServiceCode &&
		got.CallbackURL == a.CallbackURL && got.Secret == a.Secret && got.PasswordHash == a.PasswordHash && got.CreatedAt.Equal(a.CreatedAt)) {
		t.Fatalf("GetAccount = %+v, want %+v", got, a)
	}
	byName, err := s.AccountByName(f.ctx, "post-office")
	f.must(err)
	if byName.ID != a.ID {
		t.Fatalf("AccountByName id %d, want %d", byName.ID, a.ID)
	}
	err = s.CreateAccount(f.ctx, &store.Account{Name: "post-office"})
	wantErr(t, err, store.ErrDuplicate, "CreateAccount with a taken name")
	_, err = s.GetAccount(f.ctx, 987654321)
	wantErr(t, err, store.ErrNotFound, "GetAccount(missing)")
	_, err = s.AccountByName(f.ctx, "nobody")
	wantErr(t, err, store.ErrNotFound, "AccountByName(missing)")

	// An id chosen by the caller, then generated ones that must not collide.
	ex := &store.Account{ID: 5000, Name: "explicit"}
	f.must(s.CreateAccount(f.ctx, ex))
	if ex.ID != 5000 {
		t.Fatalf("explicit id became %d", ex.ID)
	}
	after := &store.Account{Name: "after-explicit"}
	f.must(s.CreateAccount(f.ctx, after))
	if after.ID == 5000 || after.ID == 0 {
		t.Fatalf("generated id after an explicit one: %d", after.ID)
	}
	all, err := s.Accounts(f.ctx)
	f.must(err)
	if len(all) != 4 {
		t.Fatalf("Accounts: %d, want 4", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].ID >= all[i].ID {
			t.Fatalf("Accounts not in id order: %d then %d", all[i-1].ID, all[i].ID)
		}
	}
}

func testAPIKeys(t *testing.T, s store.Store) {
	f := newFx(t, s)
	k1 := &store.APIKey{Hash: bytes.Repeat([]byte{1}, 32), Prefix: "hy_aaaaa", AccountID: f.acct, CreatedAt: base}
	k2 := &store.APIKey{Hash: bytes.Repeat([]byte{2}, 32), Prefix: "hy_bbbbb", AccountID: f.acct, CreatedAt: base.Add(time.Second), Revoked: true}
	f.must(s.CreateAPIKey(f.ctx, k1))
	f.must(s.CreateAPIKey(f.ctx, k2))
	err := s.CreateAPIKey(f.ctx, &store.APIKey{Hash: k1.Hash, Prefix: "x", AccountID: f.acct})
	wantErr(t, err, store.ErrDuplicate, "CreateAPIKey with an existing hash")
	ks, err := s.APIKeys(f.ctx)
	f.must(err)
	if len(ks) != 2 {
		t.Fatalf("APIKeys: %d keys, want 2 (revoked included)", len(ks))
	}
	for _, want := range []*store.APIKey{k1, k2} {
		found := false
		for _, k := range ks {
			if bytes.Equal(k.Hash, want.Hash) {
				found = true
				if k.Prefix != want.Prefix || k.AccountID != want.AccountID || k.Revoked != want.Revoked || !k.CreatedAt.Equal(want.CreatedAt) {
					t.Fatalf("key %s = %+v, want %+v", want.Prefix, k, want)
				}
			}
		}
		if !found {
			t.Fatalf("key %s missing", want.Prefix)
		}
	}
}

func testBusinessTypes(t *testing.T, s store.Store) {
	f := newFx(t, s)
	b := &store.BusinessType{Code: "verify", Name: "验证码", Priority: 0, MaxRetries: 3, RetryInterval: 5 * time.Second,
		MaxSegments: 2, AtLeastOnce: true, Validity: 10 * time.Minute, Enabled: true}
	f.must(s.UpsertBusinessType(f.ctx, b))
	f.must(s.UpsertBusinessType(f.ctx, &store.BusinessType{Code: "marketing", Name: "营销", Priority: 2}))
	b.Name, b.MaxRetries, b.Enabled = "验证码短信", 5, false
	f.must(s.UpsertBusinessType(f.ctx, b))
	bts, err := s.BusinessTypes(f.ctx)
	f.must(err)
	if len(bts) != 2 || bts[0].Code != "marketing" || bts[1].Code != "verify" {
		t.Fatalf("BusinessTypes = %+v, want marketing, verify", bts)
	}
	if !reflect.DeepEqual(bts[1], b) {
		t.Fatalf("verify = %+v, want %+v", *bts[1], *b)
	}
}

func testEvents(t *testing.T, s store.Store) {
	f := newFx(t, s)
	id := f.accept(1, 1)[0]
	f.must(s.AddEvents(f.ctx, []store.Event{
		{MessageID: id, At: base.Add(2 * time.Second), Kind: "push", Detail: "b"},
		{MessageID: id, At: base.Add(time.Second), Kind: "recovered", Segment: 2, Detail: "c"},
		{MessageID: id, Kind: "note"}, // At defaults to now
	}))
	es := f.events(id)
	if got := kinds(es); len(got) != 4 || got[0] != "accepted" || got[1] != "push" || got[2] != "recovered" || got[3] != "note" {
		t.Fatalf("events in write order: %v", got)
	}
	if es[2].Segment != 2 || es[2].Detail != "c" || !es[2].At.Equal(base.Add(time.Second)) {
		t.Fatalf("event = %+v", es[2])
	}
	if es[3].At.IsZero() || time.Since(es[3].At) > time.Hour {
		t.Fatalf("event without At got %v, want now", es[3].At)
	}
}

func testMO(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("other").ID
	mos := []*store.MO{
		{AccountID: f.acct, From: "13800138000", To: "1065800001", Content: "TD", Operator: "cmcc", Gateway: "cmcc1", Keyword: "TD", Business: "notice", RouteID: 7, ReceivedAt: base},
		{AccountID: other, From: "13900139000", To: "10690000", Content: "你好", Operator: "cucc", Gateway: "sgip1", ReceivedAt: base},
		{AccountID: 0, From: "13700137000", To: "999", Content: "nobody's", ReceivedAt: base},
		{AccountID: f.acct, From: "13800138001", To: "10658000", Content: "second", ReceivedAt: base.Add(time.Second)},
	}
	f.must(s.InsertMO(f.ctx, mos[:2]))
	f.must(s.InsertMO(f.ctx, mos[2:]))
	for i := 1; i < len(mos); i++ {
		if mos[i].ID <= mos[i-1].ID {
			t.Fatalf("MO ids not increasing: %d then %d", mos[i-1].ID, mos[i].ID)
		}
	}
	mine, err := s.ListMO(f.ctx, f.acct, 0, 10)
	f.must(err)
	if len(mine) != 2 || mine[0].ID != mos[0].ID || mine[1].ID != mos[3].ID {
		t.Fatalf("ListMO(acct) = %v", mine)
	}
	m := mine[0]
	if m.From != "13800138000" || m.To != "1065800001" || m.Content != "TD" || m.Operator != "cmcc" || m.Gateway != "cmcc1" ||
		m.Keyword != "TD" || m.Business != "notice" || m.RouteID != 7 || !m.ReceivedAt.Equal(base) || m.AccountID != f.acct {
		t.Fatalf("MO = %+v", m)
	}
	after, err := s.ListMO(f.ctx, f.acct, mos[0].ID, 10)
	f.must(err)
	if len(after) != 1 || after[0].ID != mos[3].ID {
		t.Fatalf("ListMO after %d = %v", mos[0].ID, after)
	}
	all, err := s.ListMO(f.ctx, 0, 0, 0)
	f.must(err)
	if len(all) != 4 {
		t.Fatalf("ListMO(any) = %d, want 4", len(all))
	}
	lim, err := s.ListMO(f.ctx, 0, 0, 3)
	f.must(err)
	if len(lim) != 3 || lim[2].ID != mos[2].ID {
		t.Fatalf("ListMO(limit 3) = %v", lim)
	}
	theirs, err := s.ListMO(f.ctx, other, 0, 10)
	f.must(err)
	if len(theirs) != 1 || theirs[0].Content != "你好" {
		t.Fatalf("ListMO(other) = %v", theirs)
	}
}

func testPushes(t *testing.T, s store.Store) {
	f := newFx(t, s)
	now := base.Add(time.Hour)
	ps := []*store.Push{
		{AccountID: f.acct, Kind: "status", RefID: 42, URL: "http://127.0.0.1/a", Body: []byte(`{"a":1}`), NextAt: now.Add(-time.Minute), CreatedAt: base},
		{AccountID: f.acct, Kind: "mo", RefID: 42, URL: "http://127.0.0.1/b", Body: []byte(`{"b":2}`), NextAt: now.Add(-2 * time.Minute), CreatedAt: base},
		{AccountID: f.acct, Kind: "status", RefID: 43, URL: "http://127.0.0.1/c", NextAt: now.Add(time.Minute), CreatedAt: base},
	}
	f.must(s.InsertPushes(f.ctx, ps))
	for _, p := range ps {
		if p.ID == 0 {
			t.Fatal("InsertPushes left an ID 0")
		}
	}
	due, err := s.DuePushes(f.ctx, now, 10)
	f.must(err)
	if len(due) != 2 || due[0].ID != ps[1].ID || due[1].ID != ps[0].ID {
		t.Fatalf("DuePushes = %v, want [%d %d] (earliest NextAt first)", due, ps[1].ID, ps[0].ID)
	}
	if string(due[1].Body) != `{"a":1}` || due[1].URL != ps[0].URL || due[1].Kind != "status" || due[1].RefID != 42 || !due[1].NextAt.Equal(ps[0].NextAt) {
		t.Fatalf("push = %+v", due[1])
	}
	// A failed try: later again.
	p := due[1]
	p.NextAt, p.LastError = now.Add(time.Hour), "HTTP 500"
	f.must(s.RecordPushAttempt(f.ctx, p, store.PushAttempt{PushID: p.ID, At: now, HTTPStatus: 500, Error: "HTTP 500", Duration: 1500 * time.Microsecond}))
	if p.Attempts != 1 {
		t.Fatalf("Attempts after one try: %d", p.Attempts)
	}
	// A successful try: done.
	q := due[0]
	q.Done = true
	f.must(s.RecordPushAttempt(f.ctx, q, store.PushAttempt{PushID: q.ID, At: now, HTTPStatus: 200, Duration: time.Millisecond}))
	due, err = s.DuePushes(f.ctx, now, 10)
	f.must(err)
	if len(due) != 0 {
		t.Fatalf("DuePushes after tries = %v, want none", due)
	}
	due, err = s.DuePushes(f.ctx, now.Add(2*time.Hour), 0)
	f.must(err)
	if len(due) != 2 || due[0].ID != ps[2].ID || due[1].ID != ps[0].ID || due[1].Attempts != 1 || due[1].LastError != "HTTP 500" {
		t.Fatalf("DuePushes later = %+v", due)
	}
	p.Attempts = 0 // stale copy: the store counts, not the caller
	f.must(s.RecordPushAttempt(f.ctx, p, store.PushAttempt{PushID: p.ID, At: now.Add(time.Hour), Error: "timeout"}))
	if p.Attempts != 2 {
		t.Fatalf("Attempts after two tries: %d", p.Attempts)
	}
	as, err := s.PushAttempts(f.ctx, p.ID)
	f.must(err)
	if len(as) != 2 || as[0].HTTPStatus != 500 || as[0].Duration != 1500*time.Microsecond || !as[0].At.Equal(now) || as[1].Error != "timeout" {
		t.Fatalf("PushAttempts = %+v", as)
	}
	for42, err := s.PushesFor(f.ctx, "status", 42)
	f.must(err)
	if len(for42) != 1 || for42[0].ID != ps[0].ID {
		t.Fatalf("PushesFor(status, 42) = %v", for42)
	}
	mo42, err := s.PushesFor(f.ctx, "mo", 42)
	f.must(err)
	if len(mo42) != 1 || mo42[0].ID != ps[1].ID || !mo42[0].Done {
		t.Fatalf("PushesFor(mo, 42) = %+v", mo42)
	}
	err = s.RecordPushAttempt(f.ctx, &store.Push{ID: 99999999}, store.PushAttempt{PushID: 99999999})
	wantErr(t, err, store.ErrNotFound, "RecordPushAttempt(missing push)")
}

func testTimes(t *testing.T, s store.Store) {
	f := newFx(t, s)
	it := f.item(f.acct, "", 2, 1)
	far := time.Date(2099, 12, 31, 23, 59, 59, 999999000, time.UTC)
	it.Messages[0].ScheduleAt, it.Messages[0].NextAttempt = far, base.Add(-time.Hour)
	it.Messages[1].CreatedAt = time.Time{} // defaults to the batch's
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	m := f.msg(it.Messages[0].ID)
	if !m.ScheduleAt.Equal(far) || !m.NextAttempt.Equal(base.Add(-time.Hour)) {
		t.Fatalf("times: schedule %v next %v", m.ScheduleAt, m.NextAttempt)
	}
	if !m.SubmittedAt.IsZero() || !m.DoneAt.IsZero() {
		t.Fatalf("zero times came back as %v / %v", m.SubmittedAt, m.DoneAt)
	}
	if m2 := f.msg(it.Messages[1].ID); !m2.CreatedAt.Equal(base) {
		t.Fatalf("CreatedAt default %v, want the batch's %v", m2.CreatedAt, base)
	}
	// Sub-microsecond precision is dropped, never rounded into another second.
	f.must(s.AddEvents(f.ctx, []store.Event{{MessageID: m.ID, At: base.Add(999 * time.Nanosecond), Kind: "x"}}))
	es := f.events(m.ID)
	if !es[len(es)-1].At.Equal(base) {
		t.Fatalf("event at %v, want %v", es[len(es)-1].At, base)
	}
}

func testScoping(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("other").ID
	it := f.item(f.acct, "", 1, 1)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	id, bid := it.Messages[0].ID, it.Batch.ID
	if _, err := s.GetMessage(f.ctx, f.acct, id); err != nil {
		t.Fatalf("GetMessage(owner): %v", err)
	}
	_, err := s.GetMessage(f.ctx, other, id)
	wantErr(t, err, store.ErrNotFound, "GetMessage(other account)")
	_, err = s.GetMessage(f.ctx, 0, 424242)
	wantErr(t, err, store.ErrNotFound, "GetMessage(missing)")
	if _, err := s.GetBatch(f.ctx, f.acct, bid); err != nil {
		t.Fatalf("GetBatch(owner): %v", err)
	}
	if _, err := s.GetBatch(f.ctx, 0, bid); err != nil {
		t.Fatalf("GetBatch(any): %v", err)
	}
	_, err = s.GetBatch(f.ctx, other, bid)
	wantErr(t, err, store.ErrNotFound, "GetBatch(other account)")
	_, err = s.BatchMessages(f.ctx, other, bid, 0)
	wantErr(t, err, store.ErrNotFound, "BatchMessages(other account)")
	ms, err := s.BatchMessages(f.ctx, f.acct, bid, 0)
	f.must(err)
	sameIDs(t, "BatchMessages(owner)", ids(ms), []int64{id})
	to, err := s.MessagesTo(f.ctx, other, it.Messages[0].To, 10)
	f.must(err)
	if len(to) != 0 {
		t.Fatalf("MessagesTo(other account) = %v", ids(to))
	}
}

func testMessagesTo(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("other").ID
	var mine []int64
	for range 3 {
		it := f.item(f.acct, "", 2, 1) // numbers …0000 and …0001
		f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
		mine = append(mine, it.Messages[0].ID)
	}
	it := f.item(other, "", 1, 1)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	theirs := it.Messages[0].ID
	num := it.Messages[0].To

	got, err := s.MessagesTo(f.ctx, f.acct, num, 10)
	f.must(err)
	sameIDs(t, "MessagesTo(acct), newest first", ids(got), []int64{mine[2], mine[1], mine[0]})
	got, err = s.MessagesTo(f.ctx, f.acct, num, 2)
	f.must(err)
	sameIDs(t, "MessagesTo(acct, limit 2)", ids(got), []int64{mine[2], mine[1]})
	got, err = s.MessagesTo(f.ctx, 0, num, 0)
	f.must(err)
	sameIDs(t, "MessagesTo(any)", ids(got), []int64{theirs, mine[2], mine[1], mine[0]})
	got, err = s.MessagesTo(f.ctx, 0, "19999999999", 0)
	f.must(err)
	if len(got) != 0 {
		t.Fatalf("MessagesTo(unknown number) = %v", ids(got))
	}
}

func testAcceptRoundTrip(t *testing.T, s store.Store) {
	f := newFx(t, s)
	it := f.item(f.acct, "ref-1", 2, 3)
	m0 := it.Messages[0]
	m0.Content, m0.Business, m0.Gateway, m0.Attempts = "鸿雁传书 long text", "verify", "cmcc-1", 0
	m0.ScheduleAt = base.Add(time.Hour)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	if it.Dup || it.ExistingBatch != 0 {
		t.Fatalf("fresh item marked Dup=%v Existing=%d", it.Dup, it.ExistingBatch)
	}
	got := f.msg(m0.ID)
	want := *m0
	if got.ID != want.ID || got.BatchID != want.BatchID || got.AccountID != want.AccountID || got.To != want.To || got.Src != want.Src ||
		got.Content != want.Content || got.Business != want.Business || got.Priority != want.Priority || got.Segments != 3 ||
		got.Operator != want.Operator || got.Gateway != want.Gateway || got.State != store.Accepted || got.Attempts != 0 ||
		!got.NextAttempt.IsZero() || !got.ScheduleAt.Equal(want.ScheduleAt) || got.InFlight || !got.CreatedAt.Equal(want.CreatedAt) ||
		!got.SubmittedAt.IsZero() || !got.DoneAt.IsZero() || got.OperatorCode != "" {
		t.Fatalf("GetMessage =\n%+v\nwant\n%+v", got, want)
	}
	b, err := s.GetBatch(f.ctx, f.acct, it.Batch.ID)
	f.must(err)
	if b.ID != it.Batch.ID || b.AccountID != f.acct || b.ClientRef != "ref-1" || b.Total != 2 || !b.CreatedAt.Equal(base) {
		t.Fatalf("GetBatch = %+v", b)
	}
	if k := kinds(f.events(m0.ID)); len(k) != 1 || k[0] != "accepted" {
		t.Fatalf("events after accept: %v", k)
	}
	if ss := f.segs(m0.ID); len(ss) != 0 {
		t.Fatalf("segments before MarkQueued: %v", ss)
	}
	ms, err := s.BatchMessages(f.ctx, f.acct, it.Batch.ID, 0)
	f.must(err)
	sameIDs(t, "BatchMessages", ids(ms), []int64{it.Messages[0].ID, it.Messages[1].ID})
	ms, err = s.BatchMessages(f.ctx, 0, it.Batch.ID, 1)
	f.must(err)
	sameIDs(t, "BatchMessages(limit 1)", ids(ms), []int64{it.Messages[0].ID})
	// Final at accept (content filter, blacklist): never pending.
	fl := f.item(f.acct, "", 1, 1)
	fl.Messages[0].State, fl.Messages[0].DoneAt, fl.Messages[0].OperatorCode = store.Filtered, base, "KEYWORD"
	f.must(s.Accept(f.ctx, []*store.AcceptItem{fl}))
	if m := f.state(fl.Messages[0].ID, store.Filtered); !m.DoneAt.Equal(base) || m.OperatorCode != "KEYWORD" {
		t.Fatalf("filtered message = %+v", m)
	}
}

func testAcceptDefaults(t *testing.T, s store.Store) {
	f := newFx(t, s)
	it := &store.AcceptItem{Batch: store.Batch{ID: f.id(), AccountID: f.acct}}
	it.Messages = []*store.Message{{ID: f.id(), To: "13800138000"}}
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	m := f.msg(it.Messages[0].ID)
	if m.BatchID != it.Batch.ID || m.AccountID != f.acct || m.State != store.Accepted || m.Segments != 1 || m.CreatedAt.IsZero() {
		t.Fatalf("defaults: %+v", m)
	}
	b, err := s.GetBatch(f.ctx, 0, it.Batch.ID)
	f.must(err)
	if b.Total != 1 || b.CreatedAt.IsZero() {
		t.Fatalf("batch defaults: %+v", b)
	}
	if f.s.Accept(f.ctx, nil) != nil {
		t.Fatal("Accept(nil) failed")
	}
	// DoneAt is set exactly for final states: given for a pending message it
	// is dropped; missing for a message final at accept it is CreatedAt.
	odd := f.item(f.acct, "", 2, 1)
	odd.Messages[0].DoneAt = base
	odd.Messages[1].State = store.Blacklisted
	f.must(s.Accept(f.ctx, []*store.AcceptItem{odd}))
	if m := f.msg(odd.Messages[0].ID); !m.DoneAt.IsZero() {
		t.Fatalf("pending message kept DoneAt %v", m.DoneAt)
	}
	if m := f.msg(odd.Messages[1].ID); !m.DoneAt.Equal(odd.Messages[1].CreatedAt) {
		t.Fatalf("final-at-accept message DoneAt %v, want its CreatedAt %v", m.DoneAt, odd.Messages[1].CreatedAt)
	}
}

func testClientRef(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("other").ID
	first := f.item(f.acct, "order-7", 2, 1)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{first}))

	// Across calls, and inside one call; the same ref of another account,
	// and items without a ref, are independent.
	again := f.item(f.acct, "order-7", 3, 1)
	fresh := f.item(f.acct, "order-8", 1, 1)
	freshDup := f.item(f.acct, "order-8", 1, 1)
	theirs := f.item(other, "order-7", 1, 1)
	noRef1 := f.item(f.acct, "", 1, 1)
	noRef2 := f.item(f.acct, "", 1, 1)
	items := []*store.AcceptItem{again, fresh, freshDup, theirs, noRef1, noRef2}
	again.Dup, again.ExistingBatch = false, 0
	f.must(s.Accept(f.ctx, items))

	if !again.Dup || again.ExistingBatch != first.Batch.ID {
		t.Fatalf("dup across calls: Dup=%v Existing=%d, want true %d", again.Dup, again.ExistingBatch, first.Batch.ID)
	}
	if fresh.Dup {
		t.Fatal("first use of order-8 marked Dup")
	}
	if !freshDup.Dup || freshDup.ExistingBatch != fresh.Batch.ID {
		t.Fatalf("dup inside one call: Dup=%v Existing=%d, want true %d", freshDup.Dup, freshDup.ExistingBatch, fresh.Batch.ID)
	}
	for _, it := range []*store.AcceptItem{theirs, noRef1, noRef2} {
		if it.Dup {
			t.Fatalf("item %d (account %d, ref %q) marked Dup", it.Batch.ID, it.Batch.AccountID, it.Batch.ClientRef)
		}
	}
	// Nothing of a dup is written.
	for _, it := range []*store.AcceptItem{again, freshDup} {
		_, err := s.GetBatch(f.ctx, 0, it.Batch.ID)
		wantErr(t, err, store.ErrNotFound, "batch of a dup item")
		for _, m := range it.Messages {
			_, err := s.GetMessage(f.ctx, 0, m.ID)
			wantErr(t, err, store.ErrNotFound, "message of a dup item")
			if es := f.events(m.ID); len(es) != 0 {
				t.Fatalf("events of a dup item's message: %v", kinds(es))
			}
		}
	}
	// Everything else is.
	for _, it := range []*store.AcceptItem{fresh, theirs, noRef1, noRef2} {
		ms, err := s.BatchMessages(f.ctx, it.Batch.AccountID, it.Batch.ID, 0)
		f.must(err)
		if len(ms) != len(it.Messages) {
			t.Fatalf("batch %d: %d messages written, want %d", it.Batch.ID, len(ms), len(it.Messages))
		}
	}
	// Results are reset on every call.
	again2 := f.item(f.acct, "order-9", 1, 1)
	again2.Dup, again2.ExistingBatch = true, 77
	f.must(s.Accept(f.ctx, []*store.AcceptItem{again2}))
	if again2.Dup || again2.ExistingBatch != 0 {
		t.Fatalf("stale results kept: Dup=%v Existing=%d", again2.Dup, again2.ExistingBatch)
	}
}

func testAcceptDuplicateID(t *testing.T, s store.Store) {
	f := newFx(t, s)
	first := f.item(f.acct, "", 1, 1)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{first}))
	ok := f.item(f.acct, "a-ref", 1, 1)
	clash := f.item(f.acct, "", 1, 1)
	clash.Messages[0].ID = first.Messages[0].ID
	err := s.Accept(f.ctx, []*store.AcceptItem{ok, clash})
	wantErr(t, err, store.ErrDuplicate, "Accept with an existing message id")
	// One transaction: the good item was not written either.
	_, err = s.GetBatch(f.ctx, 0, ok.Batch.ID)
	wantErr(t, err, store.ErrNotFound, "batch of the failed call")
	// And its client_ref is still free.
	f.must(s.Accept(f.ctx, []*store.AcceptItem{ok}))
	if ok.Dup {
		t.Fatal("client_ref of a rolled-back call was taken")
	}
	if !errors.Is(s.Accept(f.ctx, []*store.AcceptItem{f.item(f.acct, "", 1, 1), {Batch: first.Batch}}), store.ErrDuplicate) {
		t.Fatal("Accept with an existing batch id: want ErrDuplicate")
	}
}
