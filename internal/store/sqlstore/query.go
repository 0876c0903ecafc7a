package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"hongyan/internal/store"
)

// Queries run on the read pool (SQLite: read-only connections that never
// wait for the writer). "Scoped by account; accountID 0 = any": another
// account's message or batch is ErrNotFound, exactly as a missing one.

type scanner interface{ Scan(dest ...any) error }

func scanMessage(sc scanner) (*store.Message, error) {
	m := &store.Message{}
	var state string
	var next, sched, inflight, created, submitted, done int64
	if err := sc.Scan(&m.ID, &m.BatchID, &m.AccountID, &m.To, &m.Src, &m.Content, &m.Business, &m.Priority, &m.Segments,
		&m.Operator, &m.Gateway, &state, &m.Attempts, &next, &sched, &inflight, &created, &submitted, &done, &m.OperatorCode,
		&m.Fee, &m.ChargeOn, &m.Charged); err != nil {
		return nil, err
	}
	m.State = store.State(state)
	m.NextAttempt, m.ScheduleAt, m.InFlight = tm(next), tm(sched), inflight != 0
	m.CreatedAt, m.SubmittedAt, m.DoneAt = tm(created), tm(submitted), tm(done)
	return m, nil
}

func (s *Store) messages(ctx context.Context, op, q string, args ...any) ([]*store.Message, error) {
	rows, err := s.rquery(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	defer rows.Close()
	var out []*store.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", op, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	return out, nil
}

func notFound(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", op, store.ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// scope adds the account condition for accountID != 0.
func scope(q string, args []any, accountID int64) (string, []any) {
	if accountID == 0 {
		return q, args
	}
	return q + " AND account_id = ?", append(args, accountID)
}

// PendingMessages calls fn for every message not in a final state, oldest
// first (created_at, then id). It reads in pages and calls fn between
// pages with no query open, so fn may use the store.
func (s *Store) PendingMessages(ctx context.Context, fn func(*store.Message) error) error {
	const page = 500
	lastAt, lastID := int64(math.MinInt64), int64(math.MinInt64)
	for {
		// done_at = 0 selects the partial index; the state test is the
		// definition and costs nothing on the few rows the index yields.
		ms, err := s.messages(ctx, "pending messages", `SELECT `+msgColList+` FROM messages
WHERE done_at = 0 AND state IN `+pendingIn+` AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`, lastAt, lastID, page)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := fn(m); err != nil {
				return err
			}
		}
		if len(ms) < page {
			return nil
		}
		last := ms[len(ms)-1]
		lastAt, lastID = us(last.CreatedAt), last.ID
	}
}

func (s *Store) GetMessage(ctx context.Context, accountID, id int64) (*store.Message, error) {
	q, args := scope(`SELECT `+msgColList+` FROM messages WHERE id = ?`, []any{id}, accountID)
	st, err := s.rst.get(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: get message: %w", err)
	}
	m, err := scanMessage(st.QueryRowContext(ctx, args...))
	if err != nil {
		return nil, notFound(fmt.Sprintf("get message %d", id), err)
	}
	return m, nil
}

// segmentsQuery reads a message's segment rows with what makes up those
// that have none (one statement: one snapshot). A message queued at least
// once (queued_at set) has segments 1..segments; one not acknowledged yet
// has no row until the operator answers (see MarkQueued): it is queued on
// the message's gateway.
const segmentsQuery = `SELECT m.segments, m.gateway, m.queued_at, s.seq, s.gateway, s.op_msg_id, s.state, s.code, s.submitted_at, s.done_at
FROM messages m LEFT JOIN segments s ON s.message_id = m.id WHERE m.id = ? ORDER BY s.seq`

// Segments lists a message's segments by seq.
func (s *Store) Segments(ctx context.Context, messageID int64) ([]store.Segment, error) {
	rows, err := s.rquery(ctx, segmentsQuery, messageID)
	if err != nil {
		return nil, fmt.Errorf("store: segments: %w", err)
	}
	defer rows.Close()
	var out []store.Segment
	var n int
	var gateway string
	var queuedAt int64
	for rows.Next() {
		var seq, sub, done sql.NullInt64
		var gw, op, state, code sql.NullString
		if err := rows.Scan(&n, &gateway, &queuedAt, &seq, &gw, &op, &state, &code, &sub, &done); err != nil {
			return nil, fmt.Errorf("store: segments: %w", err)
		}
		if !seq.Valid {
			continue // no rows: only the message's
		}
		out = append(out, store.Segment{MessageID: messageID, Seq: int(seq.Int64), Gateway: gw.String, OpMsgID: op.String,
			State: store.State(state.String), Code: code.String, SubmittedAt: tm(sub.Int64), DoneAt: tm(done.Int64)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: segments: %w", err)
	}
	if queuedAt == 0 {
		return out, nil
	}
	// The segments 1..n without a row of their own, in seq order.
	all := make([]store.Segment, 0, max(n, len(out)))
	next := 1 // the next seq that may lack a row
	for _, sg := range out {
		for ; next <= n && next < sg.Seq; next++ {
			all = append(all, store.Segment{MessageID: messageID, Seq: next, Gateway: gateway, State: store.Queued})
		}
		next = max(next, sg.Seq+1)
		all = append(all, sg)
	}
	for ; next <= n; next++ {
		all = append(all, store.Segment{MessageID: messageID, Seq: next, Gateway: gateway, State: store.Queued})
	}
	return all, nil
}

// eventsQuery reads a message's whole timeline in one statement (one
// snapshot): the rows of events and the lines kept on the message and
// segment rows (see hot.go), in line id order. Columns: line id, time,
// kind, segment, detail, and for kept lines the parts their detail is made
// of (kept = 1; a, b, c).
const eventsQuery = `SELECT id, at, kind, segment, detail, 0 AS kept, '' AS a, '' AS b, '' AS c FROM events WHERE message_id = ?
UNION ALL SELECT accept_ev, created_at, 'accepted', 0, accept_note, 1, '', '', '' FROM messages WHERE id = ? AND accept_ev <> 0
UNION ALL SELECT queue_ev, queued_at, 'queued', 0, '', 1, gateway, operator, '' FROM messages WHERE id = ? AND queue_ev <> 0
UNION ALL SELECT submit_ev, submitted_at, 'submitted', seq, '', 1, gateway, op_msg_id, submit_code FROM segments WHERE message_id = ? AND submit_ev <> 0
UNION ALL SELECT s.report_ev, s.done_at, 'report', s.seq, s.code, 1, s.state, s.gateway, CASE WHEN m.final_seg = s.seq THEN m.state ELSE '' END
  FROM segments s JOIN messages m ON m.id = s.message_id WHERE s.message_id = ? AND s.report_ev <> 0
ORDER BY 1`

// Events lists a message's timeline in the order it was written.
func (s *Store) Events(ctx context.Context, messageID int64) ([]store.Event, error) {
	rows, err := s.rquery(ctx, eventsQuery, messageID, messageID, messageID, messageID, messageID)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var id, at, kept int64
		var a, b, c string
		if err := rows.Scan(&id, &at, &e.Kind, &e.Segment, &e.Detail, &kept, &a, &b, &c); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		e.MessageID, e.At = messageID, tm(at)
		if kept != 0 {
			switch e.Kind { // "accepted": its detail is as given
			case "queued":
				e.Detail = queuedDetail(a, b, 1)
			case "submitted":
				e.Detail = submittedDetail(a, b, c)
			case "report":
				e.Detail = reportDetail(e.Detail, store.State(a), b, store.State(c))
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}

func (s *Store) GetBatch(ctx context.Context, accountID, id int64) (*store.Batch, error) {
	q, args := scope(`SELECT id, account_id, client_ref, total, created_at FROM batches WHERE id = ?`, []any{id}, accountID)
	b := &store.Batch{}
	var created int64
	if err := s.rscanOne(ctx, q, args, &b.ID, &b.AccountID, &b.ClientRef, &b.Total, &created); err != nil {
		return nil, notFound(fmt.Sprintf("get batch %d", id), err)
	}
	b.CreatedAt = tm(created)
	return b, nil
}

// BatchCounts counts a batch's messages by state; ErrNotFound for no such batch.
func (s *Store) BatchCounts(ctx context.Context, batchID int64) (map[store.State]int, error) {
	if _, err := s.GetBatch(ctx, 0, batchID); err != nil {
		return nil, err
	}
	rows, err := s.rquery(ctx, `SELECT state, COUNT(*) FROM messages WHERE batch_id = ? GROUP BY state`, batchID)
	if err != nil {
		return nil, fmt.Errorf("store: batch counts: %w", err)
	}
	defer rows.Close()
	out := map[store.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: batch counts: %w", err)
		}
		out[store.State(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: batch counts: %w", err)
	}
	return out, nil
}

// failedIn lists the final states other than Delivered.
var failedIn = "('" + string(store.Undelivered) + "', '" + string(store.Expired) + "', '" + string(store.Rejected) + "', '" +
	string(store.Failed) + "', '" + string(store.Unknown) + "', '" + string(store.Filtered) + "', '" + string(store.Blacklisted) + "')"

// BatchFailures lists a batch's messages that ended in a final state other
// than Delivered, in id order; limit <= 0 = all. ErrNotFound for no such batch.
func (s *Store) BatchFailures(ctx context.Context, batchID int64, limit int) ([]*store.Message, error) {
	if _, err := s.GetBatch(ctx, 0, batchID); err != nil {
		return nil, err
	}
	lim, largs := limitClause(limit)
	return s.messages(ctx, "batch failures", `SELECT `+msgColList+` FROM messages WHERE batch_id = ? AND state IN `+failedIn+` ORDER BY id`+lim,
		append([]any{batchID}, largs...)...)
}

// BatchMessages lists a batch's messages in id order; limit <= 0 = all.
// ErrNotFound when the batch does not exist or belongs to another account.
func (s *Store) BatchMessages(ctx context.Context, accountID, batchID int64, limit int) ([]*store.Message, error) {
	if _, err := s.GetBatch(ctx, accountID, batchID); err != nil {
		return nil, err
	}
	lim, largs := limitClause(limit)
	return s.messages(ctx, "batch messages", `SELECT `+msgColList+` FROM messages WHERE batch_id = ? ORDER BY id`+lim,
		append([]any{batchID}, largs...)...)
}

// MessagesTo lists messages to a number, newest first; limit <= 0 = all.
func (s *Store) MessagesTo(ctx context.Context, accountID int64, to string, limit int) ([]*store.Message, error) {
	lim, largs := limitClause(limit)
	if accountID == 0 {
		// Through the (account_id, to_number) index once per account
		// rather than a scan: accounts are few, messages many.
		return s.messages(ctx, "messages to", `SELECT `+msgColList+` FROM messages
WHERE account_id IN (SELECT id FROM accounts) AND to_number = ? ORDER BY id DESC`+lim, append([]any{to}, largs...)...)
	}
	return s.messages(ctx, "messages to", `SELECT `+msgColList+` FROM messages WHERE account_id = ? AND to_number = ? ORDER BY id DESC`+lim,
		append([]any{accountID, to}, largs...)...)
}

// UnmatchedReports lists kept reports, oldest first; limit <= 0 = all.
func (s *Store) UnmatchedReports(ctx context.Context, limit int) ([]store.Report, error) {
	lim, largs := limitClause(limit)
	rows, err := s.rquery(ctx, `SELECT gateway, op_msg_id, state, code, to_number, at FROM unmatched_reports ORDER BY id`+lim, largs...)
	if err != nil {
		return nil, fmt.Errorf("store: unmatched reports: %w", err)
	}
	defer rows.Close()
	var out []store.Report
	for rows.Next() {
		var r store.Report
		var state string
		var at int64
		if err := rows.Scan(&r.Gateway, &r.OpMsgID, &state, &r.Code, &r.To, &at); err != nil {
			return nil, fmt.Errorf("store: unmatched reports: %w", err)
		}
		r.State, r.At = store.State(state), tm(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unmatched reports: %w", err)
	}
	return out, nil
}

// CountUnmatched counts the reports kept unmatched right now.
func (s *Store) CountUnmatched(ctx context.Context) (int64, error) {
	var n int64
	if err := s.rscanOne(ctx, `SELECT COUNT(*) FROM unmatched_reports`, nil, &n); err != nil {
		return 0, fmt.Errorf("store: count unmatched: %w", err)
	}
	return n, nil
}
