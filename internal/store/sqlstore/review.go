package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// The review queue (store/review.go): holds are written by Accept
// (frequency.go) and decided here, each decision one transaction that also
// moves the messages, their money and their counters.

const holdCols = `batch_id, account_id, business, src, content, words, messages, held_at, decision, decided_by, decided_at, reason`

func scanHold(sc scanner) (*store.Hold, error) {
	h := &store.Hold{}
	var words string
	var held, decided int64
	if err := sc.Scan(&h.BatchID, &h.AccountID, &h.Business, &h.Src, &h.Content, &words, &h.Messages, &held,
		&h.Decision, &h.DecidedBy, &decided, &h.Reason); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(words), &h.Words); err != nil {
		return nil, fmt.Errorf("hold of batch %d: words: %w", h.BatchID, err)
	}
	h.HeldAt, h.DecidedAt = tm(held), tm(decided)
	return h, nil
}

// Holds lists the waiting holds, oldest first, or the decided ones, newest
// decision first.
func (s *Store) Holds(ctx context.Context, q store.HoldQuery) ([]*store.Hold, error) {
	if q.AccountIDs != nil && len(q.AccountIDs) == 0 {
		return nil, nil
	}
	where, order := `decided_at = 0`, ` ORDER BY held_at, batch_id`
	if q.Decided {
		where, order = `decided_at <> 0`, ` ORDER BY decided_at DESC, batch_id DESC`
	}
	var args []any
	if q.AccountIDs != nil {
		in, a := anyInList(q.AccountIDs)
		where += ` AND account_id IN ` + in
		args = a
	}
	lim, largs := limitClause(q.Limit)
	rows, err := s.rquery(ctx, `SELECT `+holdCols+` FROM holds WHERE `+where+order+lim, append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	defer rows.Close()
	var out []*store.Hold
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, fmt.Errorf("store: holds: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	return out, nil
}

// GetHold returns one batch's hold.
func (s *Store) GetHold(ctx context.Context, batchID int64) (*store.Hold, error) {
	rows, err := s.rquery(ctx, `SELECT `+holdCols+` FROM holds WHERE batch_id = ?`, batchID)
	if err != nil {
		return nil, fmt.Errorf("store: hold: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: hold: %w", err)
		}
		return nil, fmt.Errorf("store: hold of batch %d: %w", batchID, store.ErrNotFound)
	}
	h, err := scanHold(rows)
	if err != nil {
		return nil, fmt.Errorf("store: hold: %w", err)
	}
	return h, nil
}

// DecideHold applies an auditor's decision. The hold's row is read locked
// (PostgreSQL) or under the one writer (SQLite), so of two decisions at
// once the second finds it decided.
func (s *Store) DecideHold(ctx context.Context, d store.HoldDecision) (*store.Hold, []*store.Message, error) {
	if d.Decision != store.HoldApproved && d.Decision != store.HoldRejected {
		return nil, nil, fmt.Errorf("store: decide hold: decision %q: want %s or %s", d.Decision, store.HoldApproved, store.HoldRejected)
	}
	at := orNow(d.At)
	var h *store.Hold
	var msgs []*store.Message
	err := s.write(ctx, "decide hold", func(w *wtx) error {
		h, msgs = nil, nil
		rows, err := w.query(`SELECT `+holdCols+` FROM holds WHERE batch_id = ?`+w.s.d.lockSuffix(), d.BatchID)
		if err != nil {
			return err
		}
		if rows.Next() {
			h, err = scanHold(rows)
		}
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		switch {
		case err != nil:
			return err
		case h == nil:
			return fmt.Errorf("hold of batch %d: %w", d.BatchID, store.ErrNotFound)
		case h.Decision != "":
			return fmt.Errorf("hold of batch %d: %s by %s: %w", d.BatchID, h.Decision, h.DecidedBy, store.ErrDecided)
		}
		if msgs, err = w.heldMessages(d.BatchID); err != nil {
			return err
		}
		ids := make([]int64, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		info, err := w.loadMessages(ids) // what money and counters need, on SQLite from the cache
		if err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE holds SET decision = ?, decided_by = ?, decided_at = ?, reason = ? WHERE batch_id = ?`,
			d.Decision, d.By, us(at), d.Reason, d.BatchID); err != nil {
			return fmt.Errorf("hold of batch %d: %w", d.BatchID, err)
		}
		h.Decision, h.DecidedBy, h.DecidedAt, h.Reason = d.Decision, d.By, tm(us(at)), d.Reason
		ls, err := w.reserveLines(len(msgs)) // after the rows are locked
		if err != nil {
			return err
		}
		var evs []any
		if d.Decision == store.HoldApproved {
			nb := us(d.NotBefore)
			if _, err := w.exec(`UPDATE messages SET state = ?, schedule_at = CASE WHEN schedule_at < ? THEN ? ELSE schedule_at END
WHERE batch_id = ? AND state = ?`, string(store.Accepted), nb, nb, d.BatchID, string(store.Held)); err != nil {
				return fmt.Errorf("approve batch %d: %w", d.BatchID, err)
			}
			detail := "approved by " + d.By
			if nb > 0 {
				detail += "; waits for its business type's sending hours until " + d.NotBefore.Format(time.RFC3339)
			}
			for _, m := range msgs {
				m.State = store.Accepted
				if us(m.ScheduleAt) < nb {
					m.ScheduleAt = d.NotBefore
				}
				if mi := info[m.ID]; mi != nil {
					mi.state = store.Accepted
				}
				evs = append(evs, eventRow(ls.next(), m.ID, at, "review", 0, detail)...)
			}
			return w.insert(w.s.ins.events, evs)
		}
		if _, err := w.exec(`UPDATE messages SET state = ?, operator_code = ?, done_at = ?, in_flight = 0, charged = 0
WHERE batch_id = ? AND state = ?`, string(store.Filtered), store.ReviewRejectedCode, us(at), d.BatchID, string(store.Held)); err != nil {
			return fmt.Errorf("reject batch %d: %w", d.BatchID, err)
		}
		detail := string(store.Filtered) + " (" + store.ReviewRejectedCode + "): rejected by " + d.By
		if d.Reason != "" {
			detail += ": " + d.Reason
		}
		var nums []string
		for _, m := range msgs {
			if mi := info[m.ID]; mi != nil {
				w.settleFinal(mi, 0) // never charged: held messages were never sent
				w.countFinal(mi, store.Filtered, us(at), 0)
				mi.state = store.Filtered
			}
			w.final(m.ID)
			m.State, m.OperatorCode, m.DoneAt = store.Filtered, store.ReviewRejectedCode, tm(us(at))
			nums = append(nums, m.To)
			evs = append(evs, eventRow(ls.next(), m.ID, at, "state", 0, detail)...)
		}
		if err := w.insert(w.s.ins.events, evs); err != nil {
			return err
		}
		// A rejected message was never sent: it stops counting against its
		// number's frequency limit.
		for i := 0; i < len(msgs); i += maxChunk {
			part := msgs[i:min(i+maxChunk, len(msgs))]
			nl, nargs := inList(nums[i : i+len(part)])
			il, iargs := inList(ids[i : i+len(part)])
			args := append(append([]any{h.Business}, nargs...), iargs...)
			if _, err := w.exec(`DELETE FROM freq_sends WHERE business = ? AND to_number IN `+nl+` AND message_id IN `+il, args...); err != nil {
				return fmt.Errorf("frequency counts of batch %d: %w", d.BatchID, err)
			}
		}
		why := fmt.Sprintf("%d message(s) held for review rejected by %s", len(msgs), d.By)
		if d.Reason != "" {
			why += ": " + d.Reason
		}
		return w.insertRefusals([]store.Refusal{{AccountID: h.AccountID, Business: h.Business, Kind: "review_rejected", Detail: why, At: at}})
	})
	if err != nil {
		if errors.Is(err, store.ErrDecided) {
			return h, nil, err
		}
		return nil, nil, err
	}
	return h, msgs, nil
}

// heldMessages reads (and on PostgreSQL locks) a batch's held messages, by id.
func (w *wtx) heldMessages(batchID int64) ([]*store.Message, error) {
	rows, err := w.query(`SELECT `+msgColList+` FROM messages WHERE batch_id = ? AND state = ? ORDER BY id`+w.s.d.lockSuffix(),
		batchID, string(store.Held))
	if err != nil {
		return nil, fmt.Errorf("held messages of batch %d: %w", batchID, err)
	}
	defer rows.Close()
	var out []*store.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("held messages of batch %d: %w", batchID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("held messages of batch %d: %w", batchID, err)
	}
	return out, nil
}
