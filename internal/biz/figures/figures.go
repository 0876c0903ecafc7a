// Package figures is the report of an enterprise customer (A6, B4): the
// statistics counters of the sending accounts linked to the customer that
// the reader still reaches, per time bucket and per account, over a
// period. The console's customer page (internal/web/enterprises.go) and
// the admin API (GET /api/v1/admin/enterprises/{id}/report) read the same
// accounts with the same query, so they show the same numbers.
package figures

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"hongyan/internal/store"
)

// Tally is a group's figures, summed over the states the store counts:
// the columns of the console's reports.
type Tally struct {
	Accepted  int64 // messages accepted (refused at accept included)
	Submitted int64 // messages the operator accepted whole
	Segments  int64 // segments the operator accepted (what it bills)
	Delivered int64
	Failed    int64 // undelivered, expired, rejected, failed, unknown
	Blocked   int64 // filtered, blacklisted
	Fees      int64 // li charged
}

// Add counts one row of the store's counters.
func (t *Tally) Add(r store.StatRow) {
	switch r.State {
	case store.Accepted:
		t.Accepted += r.Messages
	case store.Submitted:
		t.Submitted += r.Messages
		t.Segments += r.Segments
	case store.Delivered:
		t.Delivered += r.Messages
	case store.Undelivered, store.Expired, store.Rejected, store.Failed, store.Unknown:
		t.Failed += r.Messages
	case store.Filtered, store.Blacklisted:
		t.Blocked += r.Messages
	}
	t.Fees += r.Fees
}

// Rate is the success rate: delivered among the messages that reached an
// outcome with the operators (delivered or failed); false when none did.
func (t Tally) Rate() (float64, bool) {
	n := t.Delivered + t.Failed
	if n == 0 {
		return 0, false
	}
	return float64(t.Delivered) / float64(n), true
}

// Accounts are the customer's linked accounts that reach allows (the
// reader's scope): an account moved out of it since it was linked is not
// counted. Never nil: no account reads nothing, not everything.
func Accounts(e *store.Enterprise, reach func(accountID int64) bool) []int64 {
	out := []int64{}
	for _, id := range e.AccountIDs {
		if reach(id) {
			out = append(out, id)
		}
	}
	return out
}

// Grain is the time unit of a period's rows: hours for one day, days up
// to a quarter, months beyond (the console dashboard's rule).
func Grain(from, to time.Time) store.Grain {
	days := int(math.Round(to.Sub(from).Hours() / 24))
	switch {
	case days <= 1:
		return store.GrainHour
	case days <= 92:
		return store.GrainDay
	}
	return store.GrainMonth
}

// StatsReader is what the report reads: the store's counters.
type StatsReader interface {
	Stats(ctx context.Context, q store.StatsQuery) ([]store.StatRow, error)
}

// Stats reads the counters of accts over [from, to): per bucket of grain,
// or, byAccount, per account over the whole period. No accounts, no rows.
func Stats(ctx context.Context, st StatsReader, accts []int64, from, to time.Time, grain store.Grain, byAccount bool) ([]store.StatRow, error) {
	if len(accts) == 0 {
		return nil, nil
	}
	sq := store.StatsQuery{From: from, To: to, Accounts: accts}
	if byAccount {
		sq.GroupBy = []store.StatDim{store.DimAccount}
	} else {
		sq.Grain = grain
	}
	rows, err := st.Stats(ctx, sq)
	if err != nil {
		return nil, fmt.Errorf("enterprise report: %w", err)
	}
	return rows, nil
}

// Bucket is one hour, day or month of a report.
type Bucket struct {
	Start time.Time
	Tally
}

// AccountTally is one account's figures over the period.
type AccountTally struct {
	AccountID int64
	Tally
}

// Report is a customer's figures over [From, To).
type Report struct {
	From, To time.Time
	Grain    store.Grain
	Accounts []int64        // the accounts counted
	Buckets  []Bucket       // every bucket up to now, zeros included
	ByAcct   []AccountTally // the counted accounts, by id, zeros included
	Total    Tally
}

// Enterprise computes the report of accts (Accounts) over [from, to),
// whole hours; buckets starting after now are left out, as the console
// leaves them out of its table and exports.
func Enterprise(ctx context.Context, st StatsReader, accts []int64, from, to, now time.Time) (*Report, error) {
	rp := &Report{From: from, To: to, Grain: Grain(from, to), Accounts: accts}
	rows, err := Stats(ctx, st, accts, from, to, rp.Grain, false)
	if err != nil {
		return nil, err
	}
	by := map[int64]*Tally{}
	for _, r := range rows {
		k := r.Bucket.Unix()
		if by[k] == nil {
			by[k] = &Tally{}
		}
		by[k].Add(r)
	}
	for b := from; b.Before(to) && !b.After(now); b = next(b, rp.Grain) {
		bk := Bucket{Start: b}
		if t := by[b.Unix()]; t != nil {
			bk.Tally = *t
		}
		rp.Buckets = append(rp.Buckets, bk)
		rp.Total.Plus(bk.Tally)
	}
	if rows, err = Stats(ctx, st, accts, from, to, rp.Grain, true); err != nil {
		return nil, err
	}
	per := map[int64]*Tally{}
	for _, id := range accts {
		per[id] = &Tally{}
	}
	for _, r := range rows {
		if t := per[r.AccountID]; t != nil {
			t.Add(r)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(per)) {
		rp.ByAcct = append(rp.ByAcct, AccountTally{AccountID: id, Tally: *per[id]})
	}
	return rp, nil
}

// next is the start of the bucket after b.
func next(b time.Time, g store.Grain) time.Time {
	switch g {
	case store.GrainHour:
		return b.Add(time.Hour)
	case store.GrainDay:
		return b.AddDate(0, 0, 1)
	}
	return b.AddDate(0, 1, 0)
}

// Plus adds another group's figures.
func (t *Tally) Plus(o Tally) {
	t.Accepted += o.Accepted
	t.Submitted += o.Submitted
	t.Segments += o.Segments
	t.Delivered += o.Delivered
	t.Failed += o.Failed
	t.Blocked += o.Blocked
	t.Fees += o.Fees
}
