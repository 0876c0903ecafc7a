package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Business administration: types with every field, grants, account
// limits, and the daily count Accept keeps and enforces.

func testBusinessTypeAdmin(t *testing.T, s store.Store) {
	f := newFx(t, s)
	mk := &store.BusinessType{Code: "marketing", Name: "营销推广", Priority: 2, MaxRetries: 1, RetryInterval: 10 * time.Second,
		MaxSegments: 4, Validity: 6 * time.Hour, Enabled: true, FeePerSegment: 40, ChargeOn: store.ChargeSubmitted,
		ChargeMode: store.ChargeMonthlyCapped, MonthlyFee: 0, MonthlyCap: 5000, ReportRequired: true,
		ServiceCode: "106580002", MOKeywords: []string{"YX", "营销"}, SendFrom: 8 * 60, SendUntil: 21 * 60}
	f.must(s.CreateBusinessType(f.ctx, mk))
	err := s.CreateBusinessType(f.ctx, &store.BusinessType{Code: "marketing", Name: "again"})
	wantErr(t, err, store.ErrDuplicate, "CreateBusinessType with a taken code")
	plain := &store.BusinessType{Code: "plain", Enabled: true}
	f.must(s.CreateBusinessType(f.ctx, plain))
	if plain.ChargeMode != store.ChargePerMessage || plain.ChargeOn != store.ChargeDelivered {
		t.Fatalf("defaults filled in: mode %q charge_on %q", plain.ChargeMode, plain.ChargeOn)
	}
	get := func(code string) *store.BusinessType {
		t.Helper()
		bts, err := s.BusinessTypes(f.ctx)
		f.must(err)
		for _, b := range bts {
			if b.Code == code {
				return b
			}
		}
		t.Fatalf("business type %s missing", code)
		return nil
	}
	if got := get("marketing"); !reflect.DeepEqual(got, mk) {
		t.Fatalf("marketing = %+v\nwant %+v", got, mk)
	}
	if got := get("plain"); got.MOKeywords != nil || got.ServiceCode != "" || got.SendFrom != 0 || got.SendUntil != 0 || got.ReportRequired {
		t.Fatalf("plain = %+v", got)
	}

	// Update replaces every setting; the keywords may go.
	mk.Name, mk.Enabled, mk.ChargeMode, mk.MonthlyFee, mk.MonthlyCap = "营销", false, store.ChargeMonthly, 3000, 0
	mk.MOKeywords, mk.SendFrom, mk.SendUntil, mk.ServiceCode, mk.ReportRequired = nil, 22*60, 6*60, "", false
	f.must(s.UpdateBusinessType(f.ctx, mk))
	if got := get("marketing"); !reflect.DeepEqual(got, mk) {
		t.Fatalf("after update = %+v\nwant %+v", got, mk)
	}
	err = s.UpdateBusinessType(f.ctx, &store.BusinessType{Code: "nothing"})
	wantErr(t, err, store.ErrNotFound, "UpdateBusinessType of a missing type")

	// What cannot be kept is refused, whatever the method.
	for _, bad := range []*store.BusinessType{
		{Code: "x", ChargeMode: "weekly"},
		{Code: "x", ChargeOn: "sometimes"},
		{Code: "x", MOKeywords: []string{"A,B"}},
		{Code: "x", SendFrom: 24 * 60},
		{Code: "x", SendUntil: -1},
	} {
		if err := s.CreateBusinessType(f.ctx, bad); err == nil {
			t.Errorf("CreateBusinessType(%+v) accepted", bad)
		}
		if err := s.UpsertBusinessType(f.ctx, bad); err == nil {
			t.Errorf("UpsertBusinessType(%+v) accepted", bad)
		}
	}
	// Upsert keeps working for configured types, with the new fields.
	mk.MOKeywords = []string{"TG"}
	f.must(s.UpsertBusinessType(f.ctx, mk))
	if got := get("marketing"); !reflect.DeepEqual(got.MOKeywords, []string{"TG"}) {
		t.Fatalf("upsert keywords %v", got.MOKeywords)
	}
}

func testGrants(t *testing.T, s store.Store) {
	f := newFx(t, s)
	list := func() []store.Grant {
		t.Helper()
		gs, err := s.Grants(f.ctx)
		f.must(err)
		for i := range gs {
			gs[i].CreatedAt = time.Time{}
		}
		return gs
	}
	// The fixture's account, created after the schema, has no grant.
	if gs := list(); len(gs) != 0 {
		t.Fatalf("grants of a fresh store: %+v", gs)
	}
	f.must(s.SetGrants(f.ctx, store.GrantOrg, 7, []string{"notice", "verify", "notice"}))
	f.must(s.SetGrants(f.ctx, store.GrantAccount, f.acct, []string{store.GrantAll}))
	f.must(s.SetGrants(f.ctx, store.GrantOrg, 3, []string{"marketing"}))
	want := []store.Grant{
		{Subject: store.GrantAccount, SubjectID: f.acct, Business: store.GrantAll},
		{Subject: store.GrantOrg, SubjectID: 3, Business: "marketing"},
		{Subject: store.GrantOrg, SubjectID: 7, Business: "notice"},
		{Subject: store.GrantOrg, SubjectID: 7, Business: "verify"},
	}
	if gs := list(); !reflect.DeepEqual(gs, want) {
		t.Fatalf("grants = %+v\nwant %+v", gs, want)
	}
	gs, _ := s.Grants(f.ctx)
	if gs[0].CreatedAt.IsZero() {
		t.Fatal("a grant has no time")
	}
	// Replacing one subject's list leaves the others alone; an empty list clears it.
	f.must(s.SetGrants(f.ctx, store.GrantOrg, 7, []string{"marketing"}))
	f.must(s.SetGrants(f.ctx, store.GrantOrg, 3, nil))
	want = []store.Grant{
		{Subject: store.GrantAccount, SubjectID: f.acct, Business: store.GrantAll},
		{Subject: store.GrantOrg, SubjectID: 7, Business: "marketing"},
	}
	if gs := list(); !reflect.DeepEqual(gs, want) {
		t.Fatalf("after replace = %+v\nwant %+v", gs, want)
	}
	if err := s.SetGrants(f.ctx, "user", 1, []string{"notice"}); err == nil {
		t.Fatal("grant to a subject that is neither org nor account")
	}
	if err := s.SetGrants(f.ctx, store.GrantOrg, 7, []string{"notice", ""}); err == nil {
		t.Fatal("grant of an empty code")
	}
	if gs := list(); !reflect.DeepEqual(gs, want) {
		t.Fatalf("a refused SetGrants changed the grants: %+v", gs)
	}
}

func testAccountLimits(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("partner").ID
	ls, err := s.AccountLimits(f.ctx)
	f.must(err)
	if len(ls) != 0 {
		t.Fatalf("limits of a fresh store: %+v", ls)
	}
	l := &store.AccountLimits{AccountID: other, IPAllow: []string{"10.1.0.0/16", "192.0.2.7"}, TPS: 50, DailyQuota: 100000, UpdatedAt: base}
	f.must(s.SetAccountLimits(f.ctx, l))
	f.must(s.SetAccountLimits(f.ctx, &store.AccountLimits{AccountID: f.acct, TPS: 5}))
	ls, err = s.AccountLimits(f.ctx)
	f.must(err)
	if len(ls) != 2 || ls[0].AccountID != f.acct || ls[0].TPS != 5 || ls[0].IPAllow != nil || ls[0].UpdatedAt.IsZero() {
		t.Fatalf("limits = %+v", ls)
	}
	if got := ls[1]; got.AccountID != other || !reflect.DeepEqual(got.IPAllow, l.IPAllow) || got.TPS != 50 || got.DailyQuota != 100000 || !got.UpdatedAt.Equal(base) {
		t.Fatalf("partner limits = %+v, want %+v", ls[1], l)
	}
	// Setting again replaces every limit.
	f.must(s.SetAccountLimits(f.ctx, &store.AccountLimits{AccountID: other, DailyQuota: 10, UpdatedAt: base}))
	ls, _ = s.AccountLimits(f.ctx)
	if got := ls[1]; got.IPAllow != nil || got.TPS != 0 || got.DailyQuota != 10 {
		t.Fatalf("after replace = %+v", got)
	}
	for _, bad := range []*store.AccountLimits{
		{AccountID: other, TPS: -1},
		{AccountID: other, DailyQuota: -1},
		{AccountID: other, IPAllow: []string{"10.0.0.0/8,10.1.0.0/16"}},
	} {
		if err := s.SetAccountLimits(f.ctx, bad); err == nil {
			t.Errorf("SetAccountLimits(%+v) accepted", bad)
		}
	}
}

func (f *fx) daily(acct int64, day int) int64 {
	f.t.Helper()
	n, err := f.s.DailyCount(f.ctx, acct, day)
	f.must(err)
	return n
}

func testDailyQuota(t *testing.T, s store.Store) {
	f := newFx(t, s)
	const day, next = 20260304, 20260305
	acct := f.account("quota").ID // balance 1000 li
	quota := func(it *store.AcceptItem, d int, q int64) *store.AcceptItem {
		it.Day, it.DailyQuota = d, q
		return it
	}
	if n := f.daily(acct, day); n != 0 {
		t.Fatalf("count of a day without messages: %d", n)
	}
	// Counted without a quota too.
	a := quota(f.priced(acct, 2, 100, store.ChargeDelivered), day, 0)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{a}))
	if a.OverQuota || f.daily(acct, day) != 2 {
		t.Fatalf("over %v, count %d, want 2", a.OverQuota, f.daily(acct, day))
	}
	f.wantMoney(acct, 1000, 200)

	// Past the quota: refused whole, nothing written, no money held, nothing counted.
	b := quota(f.priced(acct, 2, 100, store.ChargeDelivered), day, 3)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{b}))
	if !b.OverQuota || b.Dup || b.NoFunds {
		t.Fatalf("4 messages on a quota of 3: %+v", b)
	}
	if _, err := s.GetBatch(f.ctx, 0, b.Batch.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an over-quota item's batch was stored: %v", err)
	}
	if _, err := s.GetMessage(f.ctx, 0, b.Messages[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an over-quota item's message was stored: %v", err)
	}
	f.wantMoney(acct, 1000, 200)
	if n := f.daily(acct, day); n != 2 {
		t.Fatalf("a refused item counted: %d", n)
	}

	// A number refused at accept (final, not sent) does not count; several
	// items of one call share the quota in order.
	c := quota(f.item(acct, "", 2, 1), day, 4)
	c.Messages[1].State, c.Messages[1].OperatorCode = store.Blacklisted, "BLACKLIST"
	d := quota(f.item(acct, "", 1, 1), day, 4)
	e := quota(f.item(acct, "", 1, 1), day, 4)
	f.must(s.Write(f.ctx, &store.WriteSet{Accept: []*store.AcceptItem{c, d, e}}))
	if c.OverQuota || d.OverQuota || !e.OverQuota {
		t.Fatalf("one call: over %v %v %v, want false false true", c.OverQuota, d.OverQuota, e.OverQuota)
	}
	if n := f.daily(acct, day); n != 4 {
		t.Fatalf("count %d, want 4", n)
	}

	// A replay of a client_ref is not counted again; without a Day nothing counts.
	r1 := quota(f.item(acct, "ref-1", 1, 1), next, 10)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{r1}))
	r2 := quota(f.item(acct, "ref-1", 1, 1), next, 10)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{r2}))
	f.must(s.Accept(f.ctx, []*store.AcceptItem{f.item(acct, "", 3, 1)}))
	if !r2.Dup || f.daily(acct, next) != 1 || f.daily(acct, day) != 4 {
		t.Fatalf("dup %v, counts %d and %d, want 1 and 4", r2.Dup, f.daily(acct, next), f.daily(acct, day))
	}
	// Another account's count is its own.
	if n := f.daily(f.acct, day); n != 0 {
		t.Fatalf("other account's count %d", n)
	}

	// Concurrent accepts never pass the quota together (several nodes on
	// PostgreSQL; one writer on SQLite).
	const q = 7
	items := make([]*store.AcceptItem, 20)
	for i := range items {
		items[i] = quota(f.item(acct, "", 1, 1), 20260306, q)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(items))
	for i, it := range items {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.Accept(f.ctx, []*store.AcceptItem{it}) }()
	}
	wg.Wait()
	took := 0
	for i, it := range items {
		f.must(errs[i])
		if !it.OverQuota {
			took++
		}
	}
	if took != q || f.daily(acct, 20260306) != q {
		t.Fatalf("concurrent: %d accepted, count %d, want %d", took, f.daily(acct, 20260306), q)
	}
}
