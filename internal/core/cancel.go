package core

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"hongyan/internal/store"
)

// Cancelling a batch (M7: a scheduled send called off before it starts).
//
// A message may be cancelled while it waits in this node's memory: in the
// delay queue until its scheduled time, or in the outbox until a
// dispatcher takes it. Whoever takes the item out of memory owns it: the
// dispatcher (popBatch) to send it, or the cancel (claim) to finalise it —
// never both, since both hold the queue's lock. A message the dispatcher
// took has started and is left alone. The store checks again (only an
// accepted message never handed to a gateway is cancelled), so even a
// message this node does not hold cannot be cancelled after it started;
// one it holds but the store would not cancel goes back where it was.

// CancelResult says what a cancel did.
type CancelResult struct {
	BatchID   int64
	Cancelled int // messages finalised as cancelled now
	Pending   int // messages of the batch still on their way (started, or not held here)
	Total     int // messages of the batch
}

// CancelBatch cancels the messages of batch batchID (of account accountID;
// 0 = any) that have not started: finalised as store.Cancelled, their
// reservations released, a status push queued for receive URLs. Refusals:
// 404 not_found for no such batch, 409 not_cancellable when nothing is
// left to cancel (the result still says how many are pending).
func (c *Core) CancelBatch(ctx context.Context, accountID, batchID int64, reason string) (*CancelResult, error) {
	b, err := c.st.GetBatch(ctx, accountID, batchID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(http.StatusNotFound, "not_found", "no batch with id %d", batchID)
	}
	if err != nil {
		return nil, fmt.Errorf("core: cancel batch %d: %w", batchID, err)
	}
	n, err := c.CancelBatches(ctx, b.AccountID, []int64{batchID}, reason)
	if err != nil {
		return nil, err
	}
	counts, err := c.st.BatchCounts(ctx, batchID)
	if err != nil {
		return nil, fmt.Errorf("core: cancel batch %d: counts: %w", batchID, err)
	}
	res := &CancelResult{BatchID: batchID, Cancelled: n, Total: b.Total}
	for st, k := range counts {
		if !st.Final() {
			res.Pending += k
		}
	}
	if n == 0 {
		return res, refuse(http.StatusConflict, "not_cancellable",
			"batch %d has no message waiting to be sent: %d of %d are on their way to the operator and the rest are final",
			batchID, res.Pending, b.Total)
	}
	return res, nil
}

// cancelChunk bounds one store transaction of a cancel, so a cancel of
// 100,000 messages does not hold the database's writer for long.
const cancelChunk = 4096

// CancelBatches cancels the waiting messages of several batches of account
// accountID at once (a console send made of many batches): one pass over
// the queues, a few store transactions. Messages of other accounts are
// left alone. It returns how many it cancelled.
func (c *Core) CancelBatches(ctx context.Context, accountID int64, batchIDs []int64, reason string) (int, error) {
	want := make(map[int64]bool, len(batchIDs))
	for _, id := range batchIDs {
		want[id] = true
	}
	claimed := c.claim(func(m *store.Message) bool {
		return want[m.BatchID] && m.AccountID == accountID && m.State == store.Accepted && m.Attempts == 0 && !m.InFlight
	})
	slices.SortFunc(claimed, func(a, b *item) int { return cmp.Compare(a.msg.ID, b.msg.ID) })
	if reason == "" {
		reason = "cancelled by the sender before it was sent"
	}
	now := c.now()
	total := 0
	for len(claimed) > 0 {
		part := claimed[:min(len(claimed), cancelChunk)]
		claimed = claimed[len(part):]
		ids := make([]int64, len(part))
		for i, it := range part {
			ids[i] = it.msg.ID
		}
		done, err := c.st.CancelMessages(ctx, batchIDs, ids, now, reason)
		if err != nil {
			c.requeue(part, nil, now)    // nothing of this part changed: it goes back,
			c.requeue(claimed, nil, now) // and so does the rest
			return total, fmt.Errorf("core: cancel batches: %w", err)
		}
		c.requeue(part, done, now)
		for _, id := range done {
			c.finalized(ctx, id, store.Cancelled)
		}
		total += len(done)
	}
	if total > 0 {
		c.log.Info("messages cancelled", "account", accountID, "batches", len(batchIDs), "cancelled", total)
	}
	return total, nil
}

// requeue puts back the claimed items the store did not cancel.
func (c *Core) requeue(claimed []*item, cancelled []int64, now time.Time) {
	gone := make(map[int64]bool, len(cancelled))
	for _, id := range cancelled {
		gone[id] = true
	}
	for _, it := range claimed {
		if !gone[it.msg.ID] {
			c.enqueue(it, now)
		}
	}
}

// claim takes the items f selects out of the delay queue and the outbox.
func (c *Core) claim(f func(*store.Message) bool) []*item {
	sel := func(it *item) bool { return f(it.msg) }
	out := c.delay.claim(sel)
	return append(out, c.out.claim(sel)...)
}

// claim removes and returns the delayed items f selects.
func (d *delayQueue) claim(f func(*item) bool) []*item {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*item
	keep := d.h[:0]
	for _, x := range d.h {
		if f(x.it) {
			out = append(out, x.it)
		} else {
			keep = append(keep, x)
		}
	}
	clear(d.h[len(keep):])
	d.h = keep
	if len(out) > 0 {
		heap.Init(&d.h)
	}
	return out
}

// claim removes and returns the ready items f selects.
func (o *outbox) claim(f func(*item) bool) []*item {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*item
	for _, q := range o.ops {
		for l := range q.lanes {
			items := q.lanes[l].items
			keep := items[:0]
			for _, it := range items {
				if f(it) {
					out = append(out, it)
				} else {
					keep = append(keep, it)
				}
			}
			clear(items[len(keep):])
			if len(keep) == 0 {
				keep = nil
			}
			q.lanes[l].items = keep
		}
	}
	o.count -= len(out)
	return out
}
