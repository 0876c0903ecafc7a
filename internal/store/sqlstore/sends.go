package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hongyan/internal/store"
)

// The console's sends (store.SendStore): a row per send and a row per
// batch it made. Counts are read from the messages themselves, through
// messages_batch, so they are never behind.

const sendCols = `id, account_id, user_id, username, kind, business, content, file_name, total, accepted, refused,
schedule_at, state, error, created_at, updated_at, skipped`

// sendBatchesOf selects a send's batches, for "batch_id IN (…)".
const sendBatchesOf = `SELECT batch_id FROM console_send_batches WHERE send_id = ?`

// CreateSend stores a send and ties batches to it.
func (s *Store) CreateSend(ctx context.Context, sd *store.Send, batches []int64) error {
	now := time.Now()
	if sd.CreatedAt.IsZero() {
		sd.CreatedAt = now
	}
	if sd.UpdatedAt.IsZero() {
		sd.UpdatedAt = sd.CreatedAt
	}
	if sd.State == "" {
		sd.State = store.SendSending
	}
	return s.write(ctx, "create send", func(w *wtx) error {
		_, err := w.exec(`INSERT INTO console_sends (`+sendCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sd.ID, sd.AccountID, sd.UserID, sd.Username, sd.Kind, sd.Business, sd.Content, sd.FileName, sd.Total, sd.Accepted,
			sd.Refused, us(sd.ScheduleAt), sd.State, sd.Error, us(sd.CreatedAt), us(sd.UpdatedAt), sd.Skipped)
		if err != nil {
			return fmt.Errorf("send %d: %w", sd.ID, s.dupOr(err))
		}
		return w.addSendBatches(sd.ID, batches)
	})
}

// addSendBatches ties batches to a send (a batch already tied is kept).
func (w *wtx) addSendBatches(sendID int64, batches []int64) error {
	for rest := sortedUnique(batches); len(rest) > 0; {
		n := chunkSize(len(rest))
		q := w.s.d.insertIgnore(`INSERT INTO console_send_batches (send_id, batch_id) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", "))
		args := make([]any, 0, 2*n)
		for _, b := range rest[:n] {
			args = append(args, sendID, b)
		}
		if _, err := w.exec(q, args...); err != nil {
			return fmt.Errorf("batches of send %d: %w", sendID, err)
		}
		rest = rest[n:]
	}
	return nil
}

// UpdateSend records a send's progress.
func (s *Store) UpdateSend(ctx context.Context, id int64, p store.SendProgress) error {
	return s.write(ctx, "update send", func(w *wtx) error {
		n, err := w.execN(`UPDATE console_sends SET accepted = ?, refused = ?,
state = CASE WHEN ? <> '' THEN ? ELSE state END, error = CASE WHEN ? <> '' THEN ? ELSE error END, updated_at = ? WHERE id = ?`,
			p.Accepted, p.Refused, p.State, p.State, p.Error, p.Error, us(orNow(p.At)), id)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("send %d: %w", id, store.ErrNotFound)
		}
		return w.addSendBatches(id, p.Batches)
	})
}

func scanSend(sc scanner) (*store.Send, error) {
	sd := &store.Send{}
	var sched, created, updated int64
	if err := sc.Scan(&sd.ID, &sd.AccountID, &sd.UserID, &sd.Username, &sd.Kind, &sd.Business, &sd.Content, &sd.FileName,
		&sd.Total, &sd.Accepted, &sd.Refused, &sched, &sd.State, &sd.Error, &created, &updated, &sd.Skipped); err != nil {
		return nil, err
	}
	sd.ScheduleAt, sd.CreatedAt, sd.UpdatedAt = tm(sched), tm(created), tm(updated)
	return sd, nil
}

// GetSend reads one send.
func (s *Store) GetSend(ctx context.Context, id int64) (*store.Send, error) {
	rows, err := s.rquery(ctx, `SELECT `+sendCols+` FROM console_sends WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: get send %d: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: get send %d: %w", id, err)
		}
		return nil, fmt.Errorf("store: get send %d: %w", id, store.ErrNotFound)
	}
	sd, err := scanSend(rows)
	if err != nil {
		return nil, fmt.Errorf("store: get send %d: %w", id, err)
	}
	return sd, nil
}

// Sends lists sends, newest first.
func (s *Store) Sends(ctx context.Context, q store.SendQuery) ([]*store.Send, error) {
	if q.Accounts != nil && len(q.Accounts) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	if q.Accounts != nil {
		list, largs := inList(sortedUnique(q.Accounts))
		where, args = append(where, "account_id IN "+list), append(args, largs...)
	}
	if !q.ScheduledAfter.IsZero() {
		where, args = append(where, "schedule_at > ?"), append(args, us(q.ScheduledAfter))
	}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	sql := `SELECT ` + sendCols + ` FROM console_sends`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	lim, largs := limitClause(q.Limit)
	rows, err := s.rquery(ctx, sql+" ORDER BY id DESC"+lim, append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: sends: %w", err)
	}
	defer rows.Close()
	var out []*store.Send
	for rows.Next() {
		sd, err := scanSend(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sends: %w", err)
		}
		out = append(out, sd)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sends: %w", err)
	}
	return out, nil
}

// SendBatches lists a send's batches.
func (s *Store) SendBatches(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.rquery(ctx, sendBatchesOf+` ORDER BY batch_id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: send batches: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var b int64
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("store: send batches: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: send batches: %w", err)
	}
	return out, nil
}

// SendCounts counts a send's messages by state.
func (s *Store) SendCounts(ctx context.Context, id int64) (map[store.State]int, error) {
	rows, err := s.rquery(ctx, `SELECT state, COUNT(*) FROM messages WHERE batch_id IN (`+sendBatchesOf+`) GROUP BY state`, id)
	if err != nil {
		return nil, fmt.Errorf("store: send counts: %w", err)
	}
	defer rows.Close()
	out := map[store.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: send counts: %w", err)
		}
		out[store.State(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: send counts: %w", err)
	}
	return out, nil
}

// SendReasons counts a send's failed messages by state and code.
func (s *Store) SendReasons(ctx context.Context, id int64) ([]store.FailureReason, error) {
	rows, err := s.rquery(ctx, `SELECT state, operator_code, COUNT(*) AS n FROM messages
WHERE batch_id IN (`+sendBatchesOf+`) AND state IN `+failedIn+`
GROUP BY state, operator_code ORDER BY n DESC, state, operator_code`, id)
	if err != nil {
		return nil, fmt.Errorf("store: send reasons: %w", err)
	}
	defer rows.Close()
	var out []store.FailureReason
	for rows.Next() {
		var r store.FailureReason
		var st string
		if err := rows.Scan(&st, &r.Code, &r.Count); err != nil {
			return nil, fmt.Errorf("store: send reasons: %w", err)
		}
		r.State = store.State(st)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: send reasons: %w", err)
	}
	return out, nil
}

// SendFailures streams a send's failed messages in id order.
func (s *Store) SendFailures(ctx context.Context, id int64, limit int, fn func(*store.Message) error) error {
	lim, largs := limitClause(limit)
	rows, err := s.rquery(ctx, `SELECT `+msgColList+` FROM messages WHERE batch_id IN (`+sendBatchesOf+`) AND state IN `+
		failedIn+` ORDER BY id`+lim, append([]any{id}, largs...)...)
	if err != nil {
		return fmt.Errorf("store: send failures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return fmt.Errorf("store: send failures: %w", err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: send failures: %w", err)
	}
	return nil
}
