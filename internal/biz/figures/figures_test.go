package figures

import (
	"context"
	"slices"
	"testing"
	"time"

	"hongyan/internal/store"
)

// fakeStats answers with fixed rows and records the queries.
type fakeStats struct {
	rows    map[bool][]store.StatRow // by "grouped by account"
	queries []store.StatsQuery
}

func (f *fakeStats) Stats(_ context.Context, q store.StatsQuery) ([]store.StatRow, error) {
	f.queries = append(f.queries, q)
	return f.rows[len(q.GroupBy) > 0], nil
}

func TestTallyAndGrain(t *testing.T) {
	var tl Tally
	for _, r := range []store.StatRow{
		{State: store.Accepted, Messages: 10, Fees: 50},
		{State: store.Submitted, Messages: 8, Segments: 9},
		{State: store.Delivered, Messages: 6},
		{State: store.Undelivered, Messages: 1}, {State: store.Expired, Messages: 1},
		{State: store.Filtered, Messages: 2}, {State: store.Blacklisted, Messages: 1},
		{State: store.Queued, Messages: 99}, // not a figure
	} {
		tl.Add(r)
	}
	want := Tally{Accepted: 10, Submitted: 8, Segments: 9, Delivered: 6, Failed: 2, Blocked: 3, Fees: 50}
	if tl != want {
		t.Fatalf("tally = %+v, want %+v", tl, want)
	}
	if f, ok := tl.Rate(); !ok || f != 0.75 {
		t.Fatalf("rate = %v %v", f, ok)
	}
	if _, ok := (Tally{Accepted: 3}).Rate(); ok {
		t.Fatal("a rate without outcomes")
	}
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, store.Shanghai)
	for _, c := range []struct {
		to   time.Time
		want store.Grain
	}{{day.AddDate(0, 0, 1), store.GrainHour}, {day.AddDate(0, 0, 2), store.GrainDay}, {day.AddDate(0, 0, 92), store.GrainDay},
		{day.AddDate(0, 0, 93), store.GrainMonth}} {
		if g := Grain(day, c.to); g != c.want {
			t.Errorf("Grain(%s) = %s, want %s", c.to.Format(time.DateOnly), g, c.want)
		}
	}
}

// The report: accounts out of reach are not counted; buckets run to now,
// zeros included; per account every counted one; no account reads nothing.
func TestEnterprise(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, store.Shanghai)
	to := from.AddDate(0, 0, 5)
	now := from.AddDate(0, 0, 2).Add(time.Hour) // in the third day
	e := &store.Enterprise{AccountIDs: []int64{3, 5, 9}}
	accts := Accounts(e, func(id int64) bool { return id != 9 })
	if !slices.Equal(accts, []int64{3, 5}) {
		t.Fatalf("accounts = %v", accts)
	}
	st := &fakeStats{rows: map[bool][]store.StatRow{
		false: {{Bucket: from, State: store.Delivered, Messages: 2}, {Bucket: from.AddDate(0, 0, 2), State: store.Undelivered, Messages: 1}},
		true:  {{AccountID: 5, State: store.Delivered, Messages: 2}, {AccountID: 5, State: store.Undelivered, Messages: 1}},
	}}
	rp, err := Enterprise(context.Background(), st, accts, from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	if rp.Grain != store.GrainDay || len(rp.Buckets) != 3 || rp.Buckets[0].Delivered != 2 || rp.Buckets[1] != (Bucket{Start: from.AddDate(0, 0, 1)}) ||
		rp.Buckets[2].Failed != 1 {
		t.Fatalf("buckets = %+v", rp.Buckets)
	}
	if rp.Total.Delivered != 2 || rp.Total.Failed != 1 {
		t.Fatalf("total = %+v", rp.Total)
	}
	if len(rp.ByAcct) != 2 || rp.ByAcct[0] != (AccountTally{AccountID: 3}) || rp.ByAcct[1].Delivered != 2 {
		t.Fatalf("by account = %+v", rp.ByAcct)
	}
	if q := st.queries[0]; !slices.Equal(q.Accounts, []int64{3, 5}) || q.Grain != store.GrainDay || !q.From.Equal(from) || !q.To.Equal(to) {
		t.Fatalf("query = %+v", q)
	}
	st.queries = nil
	if rp, err = Enterprise(context.Background(), st, Accounts(e, func(int64) bool { return false }), from, to, now); err != nil || len(st.queries) != 0 || rp.Total != (Tally{}) {
		t.Fatalf("no account: %+v %v, %d queries", rp, err, len(st.queries))
	}
}
