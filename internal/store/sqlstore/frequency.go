package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"hongyan/internal/store"
)

// What Accept does for the rest of the content filter (store/review.go):
// frequency limits decided per item inside the accept transaction, and the
// rows an item written brings with it — its frequency counts (freq_sends),
// its review-queue entry (holds), the refusals and timeline lines of the
// messages the limit made final.
//
// The counts are rows of freq_sends, one per message of a limited business
// type, read per (business, number) with one IN query per chunk. On
// PostgreSQL the (business, number) pairs of the whole call are locked
// first (advisory locks, in key order, before any other lock the accept
// takes), so two nodes accepting for one number at once take turns and
// cannot both take its last place; SQLite's one writer serialises them
// anyway. Within one call, items are decided in order and each counts the
// items written before it.

// acceptExtras is one Accept call's part of the content filter.
type acceptExtras struct {
	counts map[freqKey][]int64 // times (µs) of counted messages, ascending: stored within reach and written by this call
	refs   map[refOf]bool      // client refs of limited items that exist (a replay is a duplicate, not limited)
	stamps []any               // freq_sends rows to insert
	holds  []*store.AcceptItem // written items with a hold
	limits []*store.AcceptItem // written items with limited messages
}

type freqKey struct{ business, number string }

type refOf struct {
	account int64
	ref     string
}

var freqSends = &bulkInsert{table: "freq_sends", cols: []string{"business", "to_number", "at", "message_id"}}

// prepareExtras locks and reads the frequency counts the items need.
func (w *wtx) prepareExtras(items []*store.AcceptItem) (*acceptExtras, error) {
	ex := &acceptExtras{counts: map[freqKey][]int64{}, refs: map[refOf]bool{}}
	since := map[string]int64{} // business → earliest time any of its counts can matter
	var keys []int64
	numbers := map[string][]string{}
	for _, it := range items {
		if it.Freq.Limit <= 0 {
			continue
		}
		// The defaults Accept fills in later, now: the counts are by time.
		if it.Batch.CreatedAt.IsZero() {
			it.Batch.CreatedAt = time.Now()
		}
		for _, m := range it.Messages {
			if m.CreatedAt.IsZero() {
				m.CreatedAt = it.Batch.CreatedAt
			}
			k := freqKey{m.Business, m.To}
			from := us(m.CreatedAt) - it.Freq.Window.Microseconds()
			if s, ok := since[k.business]; !ok || from < s {
				since[k.business] = from
			}
			if _, seen := ex.counts[k]; seen {
				continue
			}
			ex.counts[k] = nil
			keys = append(keys, lockKey("freq", k.business+"\x00"+k.number))
			numbers[k.business] = append(numbers[k.business], k.number)
		}
		if ref := it.Batch.ClientRef; ref != "" {
			ex.refs[refOf{it.Batch.AccountID, ref}] = false
		}
	}
	if len(keys) == 0 {
		return ex, nil
	}
	if err := w.s.d.lockKeys(w.ctx, w.tx, sortedUnique(keys)); err != nil {
		return nil, fmt.Errorf("lock frequency counts: %w", err)
	}
	for business, nums := range numbers {
		slices.Sort(nums)
		err := chunks(nums, func(c []string) error {
			list, args := inList(c)
			rows, err := w.query(`SELECT to_number, at FROM freq_sends WHERE business = ? AND at > ? AND to_number IN `+list,
				append([]any{business, since[business]}, args...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var n string
				var at int64
				if err := rows.Scan(&n, &at); err != nil {
					return err
				}
				k := freqKey{business, n}
				ex.counts[k] = append(ex.counts[k], at)
			}
			return rows.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("frequency counts of %s: %w", business, err)
		}
	}
	for k := range ex.counts {
		slices.Sort(ex.counts[k])
	}
	for r := range ex.refs {
		var id int64
		err := w.scanOne(`SELECT id FROM batches WHERE account_id = ? AND client_ref = ? AND client_ref <> ''`, []any{r.account, r.ref}, &id)
		ex.refs[r] = err == nil
	}
	return ex, nil
}

// decide applies the frequency limit to an item: a message whose number
// has Limit counted messages within Window before it becomes Filtered
// (FrequencyLimitedCode), and an item left with nothing to send is
// FreqRefused. It first undoes what an earlier run of a retried
// transaction did to the item.
func (ex *acceptExtras) decide(it *store.AcceptItem) {
	for _, l := range it.Limited {
		m := it.Messages[l.Index]
		m.State, m.OperatorCode, m.DoneAt = l.Was, "", time.Time{}
	}
	it.Limited, it.FreqRefused = nil, false
	if it.Freq.Limit <= 0 {
		return
	}
	if ref := it.Batch.ClientRef; ref != "" {
		r := refOf{it.Batch.AccountID, ref}
		if ex.refs[r] {
			return // a replay: answered with the stored batch, not limited again
		}
		ex.refs[r] = true // a second item with the ref in this call is a replay too
	}
	win := it.Freq.Window.Microseconds()
	own := map[freqKey][]int64{} // the item's earlier messages
	sendable := 0
	for i, m := range it.Messages {
		if m.State.Final() {
			continue
		}
		k := freqKey{m.Business, m.To}
		at := us(m.CreatedAt)
		var in []int64 // counted messages within the window before at
		for _, t := range ex.counts[k] {
			if t > at-win {
				in = append(in, t)
			}
		}
		for _, t := range own[k] {
			if t > at-win {
				in = append(in, t)
			}
		}
		if len(in) < it.Freq.Limit {
			own[k] = append(own[k], at)
			sendable++
			continue
		}
		slices.Sort(in)
		// The number may have another once all but Limit-1 of them are
		// out of the window.
		next := tm(in[len(in)-it.Freq.Limit] + win)
		it.Limited = append(it.Limited, store.Limited{Index: i, Number: m.To, Count: len(in), NextAt: next, Was: m.State})
		m.State, m.OperatorCode, m.DoneAt = store.Filtered, store.FrequencyLimitedCode, m.CreatedAt
	}
	it.FreqRefused = sendable == 0 && len(it.Limited) > 0
}

// written notes an item that Accept writes: its counts, its hold, its
// limited messages' refusals and lines.
func (ex *acceptExtras) written(it *store.AcceptItem) {
	if it.Freq.Limit > 0 {
		for _, m := range it.Messages {
			if m.State.Final() {
				continue
			}
			k := freqKey{m.Business, m.To}
			at := us(m.CreatedAt)
			c := ex.counts[k]
			i, _ := slices.BinarySearch(c, at)
			ex.counts[k] = slices.Insert(c, i, at)
			ex.stamps = append(ex.stamps, m.Business, m.To, at, m.ID)
		}
	}
	if it.Hold != nil {
		ex.holds = append(ex.holds, it)
	}
	if len(it.Limited) > 0 {
		ex.limits = append(ex.limits, it)
	}
}

// flush writes the rows of the items written.
func (ex *acceptExtras) flush(w *wtx) error {
	if err := w.insert(freqSends, ex.stamps); err != nil {
		return err
	}
	for _, it := range ex.holds {
		h := it.Hold
		n := 0
		for _, m := range it.Messages {
			if m.State == store.Held {
				n++
			}
		}
		words, err := json.Marshal(h.Words)
		if err != nil {
			return fmt.Errorf("hold of batch %d: %w", it.Batch.ID, err)
		}
		h.BatchID, h.AccountID, h.Messages = it.Batch.ID, it.Batch.AccountID, n
		if h.HeldAt.IsZero() {
			h.HeldAt = it.Batch.CreatedAt
		}
		if _, err := w.exec(`INSERT INTO holds (batch_id, account_id, business, src, content, words, messages, held_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			h.BatchID, h.AccountID, h.Business, h.Src, h.Content, string(words), n, us(h.HeldAt)); err != nil {
			return fmt.Errorf("hold of batch %d: %w", it.Batch.ID, err)
		}
	}
	n := 0
	for _, it := range ex.limits {
		n += len(it.Limited)
	}
	if n == 0 {
		return nil
	}
	ls, err := w.reserveLines(n) // after the accept lines: the timeline reads accepted, then filtered
	if err != nil {
		return err
	}
	var evs []any
	var rs []store.Refusal
	for _, it := range ex.limits {
		for _, l := range it.Limited {
			m := it.Messages[l.Index]
			why := fmt.Sprintf("%d message(s) of business type %s to %s within %s (the limit is %d); the next is allowed at %s",
				l.Count, m.Business, m.To, it.Freq.Window, it.Freq.Limit, l.NextAt.Format(time.RFC3339))
			evs = append(evs, eventRow(ls.next(), m.ID, m.CreatedAt, "state", 0,
				string(store.Filtered)+" ("+store.FrequencyLimitedCode+"): "+why+": not sent, not charged")...)
			rs = append(rs, store.Refusal{AccountID: it.Batch.AccountID, Business: m.Business, Kind: "frequency_limited",
				Number: m.To, Detail: why, At: m.CreatedAt})
		}
	}
	if err := w.insert(w.s.ins.events, evs); err != nil {
		return err
	}
	return w.insertRefusals(rs)
}

// PruneFrequency deletes the counts of messages accepted before the given time.
func (s *Store) PruneFrequency(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "prune frequency counts", func(w *wtx) error {
		var err error
		n, err = w.execN(`DELETE FROM freq_sends WHERE at < ?`, us(before))
		return err
	})
	return n, err
}
