package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"hongyan/internal/store"
)

// CancelMessages finalises waiting messages of a batch as Cancelled (see
// store.CancelStore). The messages are read (on PostgreSQL locked) in
// ascending id order like every hot path, so a cancel and a concurrent
// MarkQueued of the same messages serialise: whichever commits first wins
// and the other leaves the message alone.
func (s *Store) CancelMessages(ctx context.Context, batchIDs, ids []int64, at time.Time, reason string) ([]int64, error) {
	if len(ids) == 0 || len(batchIDs) == 0 {
		return nil, nil
	}
	batches := make(map[int64]bool, len(batchIDs))
	for _, b := range batchIDs {
		batches[b] = true
	}
	ids = sortedUnique(ids)
	at = orNow(at)
	detail := string(store.Cancelled) + " (" + store.CancelCode + ")"
	if reason != "" {
		detail += ": " + reason
	}
	var done []int64
	err := s.write(ctx, "cancel messages", func(w *wtx) error {
		done = done[:0]
		info, err := w.loadMessages(ids)
		if err != nil {
			return err
		}
		var cand []int64
		for _, id := range ids {
			// attempts 0: never handed to a gateway (MarkQueued counts
			// attempts); the UPDATE checks the row itself again.
			if m := info[id]; m != nil && m.state == store.Accepted && m.attempts == 0 {
				cand = append(cand, id)
			}
		}
		// Only messages of the named batches.
		var mine []int64
		err = chunks(cand, func(c []int64) error {
			list, args := inList(c)
			rows, err := w.query(`SELECT id, batch_id FROM messages WHERE id IN `+list, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, b int64
				if err := rows.Scan(&id, &b); err != nil {
					return err
				}
				if batches[b] {
					mine = append(mine, id)
				}
			}
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
		slices.Sort(mine)
		err = chunks(mine, func(c []int64) error {
			list, args := inList(c)
			rows, err := w.query(`UPDATE messages SET state = ?, operator_code = ?, done_at = ?, in_flight = 0, charged = 0
WHERE id IN `+list+` AND state = ? AND attempts = 0 AND in_flight = 0 AND done_at = 0 RETURNING id`,
				append(append([]any{string(store.Cancelled), store.CancelCode, us(at)}, args...), string(store.Accepted))...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				done = append(done, id)
			}
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
		slices.Sort(done)
		ls, err := w.reserveLines(len(done)) // after the update locked the rows
		if err != nil {
			return err
		}
		evs := make([]any, 0, len(done)*6)
		for _, id := range done {
			m := info[id]
			w.settleFinal(m, 0) // nothing was sent: the whole reservation goes back
			w.countFinal(m, store.Cancelled, us(at), 0)
			m.state = store.Cancelled
			w.final(id)
			evs = append(evs, eventRow(ls.next(), id, at, "state", 0, detail)...)
		}
		return w.insert(w.s.ins.events, evs)
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}
