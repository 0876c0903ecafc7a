package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hongyan/internal/store"
)

// The message hot paths. Each call is one transaction for the whole slice,
// so a group commit of a hundred messages costs one fsync. Work is done in
// sets, not row by row: the messages a call touches are read (and, on
// PostgreSQL, locked) with one IN query in ascending id order, so two
// concurrent calls always lock in the same order and cannot deadlock; the
// rows are inserted with multi-row VALUES and updated with one
// UPDATE … FROM (VALUES …) … RETURNING per chunk; statements are prepared
// once and rebound per transaction. On PostgreSQL that is a handful of
// round trips per hundred messages instead of several hundred; on SQLite it
// leaves the time to SQLite's own b-tree work.

// pendingIn is the SQL list of non-final states. Per-row statements test
// done_at = 0 instead, which is equivalent (the store keeps done_at = 0
// exactly while a message or segment is not final) and cheaper.
var pendingIn = "('" + string(store.Accepted) + "', '" + string(store.Queued) + "', '" + string(store.Submitted) + "')"

const msgColList = `id, batch_id, account_id, to_number, src, content, business, priority, segments, operator,
gateway, state, attempts, next_attempt, schedule_at, in_flight, created_at, submitted_at, done_at, operator_code`

// inserts holds one Store's multi-row insert statements.
type inserts struct {
	batches, batchIgnore, messages, events, segments, segmentIgnore, unmatched *bulkInsert
}

func newInserts(d dialect) inserts {
	segCols := []string{"message_id", "seq", "gateway", "op_msg_id", "state", "code", "submitted_at", "done_at"}
	batchCols := []string{"id", "account_id", "client_ref", "total", "created_at"}
	return inserts{
		batches:     &bulkInsert{table: "batches", cols: batchCols},
		batchIgnore: &bulkInsert{table: "batches", cols: batchCols, ignore: true},
		messages:    &bulkInsert{table: "messages", cols: strings.Split(strings.ReplaceAll(strings.ReplaceAll(msgColList, "\n", " "), " ", ""), ",")},
		events:      &bulkInsert{table: "events", cols: []string{"message_id", "at", "kind", "segment", "detail"}},
		// MarkQueued: create the segments, or move those not yet
		// acknowledged to the new gateway; acknowledged ones keep theirs.
		segments: &bulkInsert{table: "segments", cols: segCols,
			suffix: d.upsert([]string{"message_id", "seq"}, []string{"gateway", "code"}, "segments.state = '"+string(store.Queued)+"'")},
		segmentIgnore: &bulkInsert{table: "segments", cols: segCols, ignore: true},
		unmatched: &bulkInsert{table: "unmatched_reports",
			cols: []string{"gateway", "op_msg_id", "state", "code", "to_number", "at", "received_at"}},
	}
}

// msgInfo is what the hot paths need to know of a message.
type msgInfo struct {
	account   int64
	state     store.State
	segments  int
	attempts  int
	attempts0 int // as read
	operator  string
	gateway   string
}

// loadMessages reads the given messages, locking them on PostgreSQL. Ids
// are sorted so that locks are always taken in ascending order.
func (w *wtx) loadMessages(ids []int64) (map[int64]*msgInfo, error) {
	ids = sortedUnique(ids)
	out := make(map[int64]*msgInfo, len(ids))
	err := chunks(ids, func(c []int64) error {
		list, args := inList(c)
		rows, err := w.query(`SELECT id, account_id, state, segments, attempts, operator, gateway FROM messages WHERE id IN `+
			list+` ORDER BY id`+w.s.d.lockSuffix(), args...)
		if err != nil {
			return fmt.Errorf("load messages: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			m := &msgInfo{}
			if err := rows.Scan(&id, &m.account, &m.state, &m.segments, &m.attempts, &m.operator, &m.gateway); err != nil {
				return fmt.Errorf("load messages: %w", err)
			}
			m.attempts0 = m.attempts
			out[id] = m
		}
		return rows.Err()
	})
	return out, err
}

func sortedUnique[T cmp.Ordered](v []T) []T {
	v = slices.Clone(v)
	slices.Sort(v)
	return slices.Compact(v)
}

func eventRow(id int64, at time.Time, kind string, seg int, detail string) []any {
	return []any{id, us(orNow(at)), kind, seg, detail}
}

// Accept inserts batches, messages and events of many requests in one
// transaction. An item whose (AccountID, ClientRef) already exists, or
// repeats an earlier item of the same call, is marked Dup with
// ExistingBatch set and nothing of it is written. Defaults filled in:
// Batch.Total (len(Messages)), CreatedAt (now; messages take the batch's),
// Message.BatchID/AccountID (the batch's), State (Accepted), Segments (1).
// A message or batch id that already exists fails the whole call with
// store.ErrDuplicate.
func (s *Store) Accept(ctx context.Context, items []*store.AcceptItem) error {
	if len(items) == 0 {
		return nil
	}
	return s.write(ctx, "accept", func(w *wtx) error {
		type refKey struct {
			account int64
			ref     string
		}
		seen := map[refKey]int64{}
		var batches, msgs, evs []any
		for _, it := range items {
			it.Dup, it.ExistingBatch = false, 0
			b := &it.Batch
			if b.Total == 0 {
				b.Total = len(it.Messages)
			}
			if b.CreatedAt.IsZero() {
				b.CreatedAt = time.Now()
			}
			row := []any{b.ID, b.AccountID, b.ClientRef, b.Total, us(b.CreatedAt)}
			if b.ClientRef != "" {
				k := refKey{b.AccountID, b.ClientRef}
				if id, ok := seen[k]; ok {
					it.Dup, it.ExistingBatch = true, id
					continue
				}
				// Conflict-ignoring insert rather than look-then-insert: on
				// PostgreSQL a concurrent insert of the same ref waits for
				// the other transaction and then sees its row.
				n, err := w.execN(w.s.ins.batchIgnore.sql(w.s.d, 1), row...)
				if err != nil {
					return fmt.Errorf("batch %d: %w", b.ID, err)
				}
				if n == 0 {
					var id int64
					// "client_ref <> ''" lets the planner use the partial unique index.
					err := w.scanOne(`SELECT id FROM batches WHERE account_id = ? AND client_ref = ? AND client_ref <> ''`, []any{b.AccountID, b.ClientRef}, &id)
					if errors.Is(err, sql.ErrNoRows) { // the conflict was on the batch id
						return fmt.Errorf("batch %d: %w", b.ID, store.ErrDuplicate)
					}
					if err != nil {
						return fmt.Errorf("batch %d: %w", b.ID, err)
					}
					it.Dup, it.ExistingBatch = true, id
					seen[k] = id
					continue
				}
				seen[k] = b.ID
			} else {
				batches = append(batches, row...)
			}
			for _, m := range it.Messages {
				if m.BatchID == 0 {
					m.BatchID = b.ID
				}
				if m.AccountID == 0 {
					m.AccountID = b.AccountID
				}
				if m.State == "" {
					m.State = store.Accepted
				}
				if m.Segments <= 0 {
					m.Segments = 1
				}
				if m.CreatedAt.IsZero() {
					m.CreatedAt = b.CreatedAt
				}
				// done_at = 0 exactly while not final (see messages_pending).
				switch {
				case !m.State.Final():
					m.DoneAt = time.Time{}
				case m.DoneAt.IsZero():
					m.DoneAt = m.CreatedAt
				}
				msgs = append(msgs, m.ID, m.BatchID, m.AccountID, m.To, m.Src, m.Content, m.Business, m.Priority, m.Segments,
					m.Operator, m.Gateway, string(m.State), m.Attempts, us(m.NextAttempt), us(m.ScheduleAt), b2i(m.InFlight),
					us(m.CreatedAt), us(m.SubmittedAt), us(m.DoneAt), m.OperatorCode)
			}
			for _, e := range it.Events {
				evs = append(evs, eventRow(e.MessageID, e.At, e.Kind, e.Segment, e.Detail)...)
			}
		}
		if err := w.insert(w.s.ins.batches, batches); err != nil {
			return err
		}
		if err := w.insert(w.s.ins.messages, msgs); err != nil {
			return err
		}
		return w.insert(w.s.ins.events, evs)
	})
}

// MarkQueued hands messages to gateways: state → Queued (if lower),
// Operator/Gateway set (kept when given empty), Attempts+1, InFlight, and
// segments 1..Segments created or, when not yet acknowledged, moved to the
// new gateway. A final or unknown message is left alone. Each mark writes a
// "queued" event.
func (s *Store) MarkQueued(ctx context.Context, marks []store.QueuedMark) error {
	if len(marks) == 0 {
		return nil
	}
	return s.write(ctx, "mark queued", func(w *wtx) error {
		ids := make([]int64, len(marks))
		for i, mk := range marks {
			ids[i] = mk.MessageID
		}
		info, err := w.loadMessages(ids)
		if err != nil {
			return err
		}
		type segKey struct {
			id  int64
			seq int
		}
		segAt := map[segKey]int{} // index into segs, so a message marked twice in one call upserts once
		var segs [][]any
		var evs []any
		var marked []int64
		for _, mk := range marks {
			m := info[mk.MessageID]
			if m == nil || m.state.Final() {
				continue
			}
			n := mk.Segments
			if n <= 0 {
				n = m.segments
			}
			if n < m.segments { // re-split into fewer parts: drop the unsent extra ones
				if _, err := w.exec(`DELETE FROM segments WHERE message_id = ? AND seq > ? AND state = ?`, mk.MessageID, n, string(store.Queued)); err != nil {
					return fmt.Errorf("message %d: %w", mk.MessageID, err)
				}
			}
			if m.state.Rank() < store.Queued.Rank() {
				m.state = store.Queued
			}
			if m.attempts == m.attempts0 { // first mark of it in this call
				marked = append(marked, mk.MessageID)
			}
			m.operator, m.gateway = cmp.Or(mk.Operator, m.operator), cmp.Or(mk.Gateway, m.gateway)
			m.segments = n
			m.attempts++ // counted here, not in SQL: the rows are ours (locked, or SQLite's one writer)
			for seq := 1; seq <= n; seq++ {
				row := []any{mk.MessageID, seq, m.gateway, "", string(store.Queued), "", int64(0), int64(0)}
				if i, ok := segAt[segKey{mk.MessageID, seq}]; ok {
					segs[i] = row
					continue
				}
				segAt[segKey{mk.MessageID, seq}] = len(segs)
				segs = append(segs, row)
			}
			evs = append(evs, eventRow(mk.MessageID, mk.At, "queued", 0, fmt.Sprintf("gateway %s (%s), attempt %d", m.gateway, m.operator, m.attempts))...)
		}
		slices.Sort(marked)
		err = chunks(marked, func(c []int64) error {
			rows := make([][]any, len(c))
			for i, id := range c {
				m := info[id]
				rows[i] = []any{id, string(m.state), m.operator, m.gateway, m.segments, m.attempts}
			}
			vals, args := valuesTable("isssii", rows)
			_, err := w.exec(w.s.d.updateFrom("messages",
				"state = v.column2, operator = v.column3, gateway = v.column4, segments = v.column5, attempts = v.column6, in_flight = 1",
				vals, "messages.id = v.column1", ""), args...)
			return err
		})
		if err != nil {
			return fmt.Errorf("update messages: %w", err)
		}
		if err := w.insert(w.s.ins.segments, slices.Concat(segs...)); err != nil {
			return err
		}
		return w.insert(w.s.ins.events, evs)
	})
}

type segKey struct {
	msg int64
	seq int
}

// updateSegments runs a set-based UPDATE of segments joined on
// (message_id, seq) = (v.column1, v.column2) and returns the keys of the
// rows it changed.
func (w *wtx) updateSegments(kinds, set, cond string, rows [][]any) (map[segKey]bool, error) {
	done := map[segKey]bool{}
	err := chunks(rows, func(c [][]any) error {
		vals, args := valuesTable(kinds, c)
		rs, err := w.query(w.s.d.updateFrom("segments", set, vals,
			"segments.message_id = v.column1 AND segments.seq = v.column2 AND "+cond, "segments.message_id, segments.seq"), args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var k segKey
			if err := rs.Scan(&k.msg, &k.seq); err != nil {
				return err
			}
			done[k] = true
		}
		return rs.Err()
	})
	return done, err
}

// RecordSubmits stores submit answers. An OK answer gives the segment its
// OpMsgID and state Submitted (a repeated answer changes nothing); a failed
// one records its code on the segment, which stays Queued for the core to
// retry or finish. A message whose every segment is acknowledged becomes
// Submitted. Reports kept as unmatched for the recorded OpMsgIDs are then
// applied, and their outcomes returned.
func (s *Store) RecordSubmits(ctx context.Context, results []store.SubmitResult) ([]store.ReportOutcome, error) {
	if len(results) == 0 {
		return nil, nil
	}
	var outs []store.ReportOutcome
	err := s.write(ctx, "record submits", func(w *wtx) error {
		outs = nil
		rs := slices.Clone(results)
		slices.SortStableFunc(rs, func(a, b store.SubmitResult) int {
			return cmp.Or(cmp.Compare(a.MessageID, b.MessageID), cmp.Compare(a.Seq, b.Seq))
		})
		// Serialise with ApplyReports on the same operator ids, so that a
		// report filed as unmatched by a concurrent transaction is seen here.
		var keys []int64
		ids := make([]int64, len(rs))
		for i, r := range rs {
			ids[i] = r.MessageID
			if r.OK && r.OpMsgID != "" {
				keys = append(keys, lockKey("op", r.OpMsgID))
			}
		}
		if err := w.s.d.lockKeys(w.ctx, w.tx, sortedUnique(keys)); err != nil {
			return fmt.Errorf("lock operator ids: %w", err)
		}
		info, err := w.loadMessages(ids)
		if err != nil {
			return err
		}
		var evs []any
		var oks []store.SubmitResult
		var okRows [][]any
		seen := map[segKey]bool{}
		for _, r := range rs {
			if info[r.MessageID] == nil {
				continue // unknown message: nothing to attach the answer to
			}
			at := orNow(r.At)
			if !r.OK {
				// Rare: one statement each.
				if _, err := w.exec(`UPDATE segments SET code = ? WHERE message_id = ? AND seq = ? AND state = ?`,
					r.Code, r.MessageID, r.Seq, string(store.Queued)); err != nil {
					return fmt.Errorf("segment %d/%d: %w", r.MessageID, r.Seq, err)
				}
				evs = append(evs, eventRow(r.MessageID, at, "submit_error", r.Seq, fmt.Sprintf("%s refused: result %s", r.Gateway, r.Code))...)
				continue
			}
			k := segKey{r.MessageID, r.Seq}
			if seen[k] {
				continue // repeated in this call: the first answer counts
			}
			seen[k] = true
			r.At = at
			oks = append(oks, r)
			okRows = append(okRows, []any{r.MessageID, r.Seq, r.Gateway, r.OpMsgID, r.Code, us(at)})
		}
		done, err := w.updateSegments("iisssi",
			"gateway = v.column3, op_msg_id = v.column4, state = '"+string(store.Submitted)+"', code = v.column5, submitted_at = v.column6",
			"segments.state = '"+string(store.Queued)+"'", okRows)
		if err != nil {
			return fmt.Errorf("acknowledge segments: %w", err)
		}
		var opIDs []string
		var touched [][]any // (message id, submitted at), ascending ids
		for _, r := range oks {
			k := segKey{r.MessageID, r.Seq}
			if !done[k] {
				// Never marked queued (create it acknowledged), or already
				// acknowledged (a repeated answer: leave it). Rare.
				n, err := w.execN(w.s.ins.segmentIgnore.sql(w.s.d, 1),
					r.MessageID, r.Seq, r.Gateway, r.OpMsgID, string(store.Submitted), r.Code, us(r.At), int64(0))
				if err != nil {
					return fmt.Errorf("segment %d/%d: %w", r.MessageID, r.Seq, err)
				}
				if n == 0 {
					continue
				}
			}
			evs = append(evs, eventRow(r.MessageID, r.At, "submitted", r.Seq, fmt.Sprintf("%s: operator id %s, result %s", r.Gateway, r.OpMsgID, r.Code))...)
			opIDs = append(opIDs, r.OpMsgID)
			if info[r.MessageID].state.Rank() >= store.Submitted.Rank() {
				continue
			}
			if n := len(touched); n > 0 && touched[n-1][0] == r.MessageID {
				touched[n-1][1] = us(r.At)
			} else {
				touched = append(touched, []any{r.MessageID, us(r.At)})
			}
		}
		// Submitted once no segment 1..segments is missing or unacknowledged.
		err = chunks(touched, func(c [][]any) error {
			vals, args := valuesTable("ii", c)
			_, err := w.exec(w.s.d.updateFrom("messages",
				"state = '"+string(store.Submitted)+"', submitted_at = v.column2, in_flight = 0", vals,
				"messages.id = v.column1 AND messages.done_at = 0 AND messages.state <> '"+string(store.Submitted)+"'"+
					" AND messages.segments <= (SELECT COUNT(*) FROM segments s WHERE s.message_id = messages.id AND s.seq <= messages.segments AND s.state <> '"+string(store.Queued)+"')",
				""), args...)
			return err
		})
		if err != nil {
			return fmt.Errorf("submitted messages: %w", err)
		}
		if err := w.insert(w.s.ins.events, evs); err != nil {
			return err
		}
		outs, err = w.applyKeptReports(sortedUnique(opIDs))
		return err
	})
	return outs, err
}

// applyKeptReports applies the unmatched reports for opIDs that now match,
// removes them from unmatched_reports and returns their outcomes.
func (w *wtx) applyKeptReports(opIDs []string) ([]store.ReportOutcome, error) {
	type kept struct {
		id int64
		r  store.Report
	}
	var ks []kept
	err := chunks(opIDs, func(c []string) error {
		list, args := inList(c)
		rows, err := w.query(`SELECT id, gateway, op_msg_id, state, code, to_number, at FROM unmatched_reports WHERE op_msg_id IN `+list, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k kept
			var at int64
			if err := rows.Scan(&k.id, &k.r.Gateway, &k.r.OpMsgID, &k.r.State, &k.r.Code, &k.r.To, &at); err != nil {
				return err
			}
			k.r.At = tm(at)
			ks = append(ks, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read unmatched reports: %w", err)
	}
	if len(ks) == 0 {
		return nil, nil
	}
	slices.SortFunc(ks, func(a, b kept) int { return cmp.Compare(a.id, b.id) }) // in arrival order
	reps := make([]store.Report, len(ks))
	for i, k := range ks {
		reps[i] = k.r
	}
	all, err := w.applyReports(reps, true)
	if err != nil {
		return nil, err
	}
	var outs []store.ReportOutcome
	var done []int64
	for i, o := range all {
		if o.Matched {
			outs = append(outs, o)
			done = append(done, ks[i].id)
		}
	}
	err = chunks(done, func(c []int64) error {
		list, args := inList(c)
		_, err := w.exec(`DELETE FROM unmatched_reports WHERE id IN `+list, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete applied unmatched reports: %w", err)
	}
	return outs, nil
}

// ApplyReports matches reports to segments by OpMsgID within the reporting
// gateway (the most recent message first), sets the segment's final state
// (a segment already final makes the report a Duplicate that changes
// nothing), and finalises the message once every segment is final:
// Delivered if all are, else the lowest failed segment's state and code. A
// message already final never changes. A report whose State is not final is
// only written to the timeline. Unmatched reports are kept for
// RecordSubmits and UnmatchedReports. Within one call reports take effect
// in order, as if applied one by one.
func (s *Store) ApplyReports(ctx context.Context, reports []store.Report) ([]store.ReportOutcome, error) {
	if len(reports) == 0 {
		return nil, nil
	}
	var outs []store.ReportOutcome
	err := s.write(ctx, "apply reports", func(w *wtx) error {
		var err error
		outs, err = w.applyReports(reports, false)
		return err
	})
	return outs, err
}

type segState struct {
	state store.State
	code  string
}

func (w *wtx) applyReports(reps []store.Report, fromKept bool) ([]store.ReportOutcome, error) {
	outs := make([]store.ReportOutcome, len(reps))
	var opIDs []string
	for _, r := range reps {
		if r.OpMsgID != "" {
			opIDs = append(opIDs, r.OpMsgID)
		}
	}
	opIDs = sortedUnique(opIDs)
	if !fromKept { // RecordSubmits already holds these locks
		keys := make([]int64, len(opIDs))
		for i, id := range opIDs {
			keys[i] = lockKey("op", id)
		}
		if err := w.s.d.lockKeys(w.ctx, w.tx, sortedUnique(keys)); err != nil {
			return nil, fmt.Errorf("lock operator ids: %w", err)
		}
	}
	type cand struct {
		gateway string
		msg     int64
		seq     int
	}
	cands := map[string][]cand{}
	err := chunks(opIDs, func(c []string) error {
		list, args := inList(c)
		rows, err := w.query(`SELECT op_msg_id, gateway, message_id, seq FROM segments WHERE op_msg_id IN `+list, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var op string
			var c cand
			if err := rows.Scan(&op, &c.gateway, &c.msg, &c.seq); err != nil {
				return err
			}
			cands[op] = append(cands[op], c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("match reports: %w", err)
	}
	chosen := make([]*cand, len(reps))
	var ids []int64
	for i, r := range reps {
		// Operator ids are unique per gateway (ISMG) only, and not even that
		// forever: match the reporting gateway's segments, the newest first.
		// Another gateway's segment with the same id is never a match.
		var best *cand
		for j := range cands[r.OpMsgID] {
			c := &cands[r.OpMsgID][j]
			if r.Gateway != "" && c.gateway != r.Gateway {
				continue
			}
			if best == nil || c.msg > best.msg || c.msg == best.msg && c.seq < best.seq {
				best = c
			}
		}
		if best != nil {
			chosen[i] = best
			ids = append(ids, best.msg)
		}
	}
	info, err := w.loadMessages(ids)
	if err != nil {
		return nil, err
	}

	// The first final report for a segment is the one that may apply; any
	// later one in this call is a duplicate, as it would be one by one.
	var unmatched [][]any
	now := time.Now()
	first := map[segKey]int{}
	var tries [][]any
	for i, r := range reps {
		c := chosen[i]
		if c == nil || info[c.msg] == nil {
			if !fromKept {
				unmatched = append(unmatched, []any{r.Gateway, r.OpMsgID, string(r.State), r.Code, r.To, us(r.At), us(now)})
			}
			continue
		}
		o := &outs[i]
		o.Matched, o.MessageID, o.AccountID, o.Seq = true, c.msg, info[c.msg].account, c.seq
		if !r.State.Final() {
			continue
		}
		k := segKey{c.msg, c.seq}
		if _, dup := first[k]; dup {
			o.Duplicate = true
			continue
		}
		first[k] = i
		tries = append(tries, []any{c.msg, c.seq, string(r.State), r.Code, us(orNow(r.At))})
	}
	// done_at = 0: the segment is not final yet.
	applied, err := w.updateSegments("iissi", "state = v.column3, code = v.column4, done_at = v.column5", "segments.done_at = 0", tries)
	if err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	lastFor := map[int64]int{} // message → its last applied report in this call
	var multi []int64
	for k, i := range first {
		if !applied[k] {
			outs[i].Duplicate = true
			continue
		}
		if j, ok := lastFor[k.msg]; !ok || i > j {
			lastFor[k.msg] = i
		}
	}
	for id := range lastFor {
		if m := info[id]; !m.state.Final() && m.segments > 1 {
			multi = append(multi, id)
		}
	}
	segs, err := w.segmentStates(multi)
	if err != nil {
		return nil, err
	}
	var finals [][]any
	for id, i := range lastFor {
		m := info[id]
		if m.state.Final() {
			continue // finished already (expired, rejected …): it stays as it is
		}
		var final store.State
		code := reps[i].Code
		if m.segments <= 1 {
			final = reps[i].State
		} else {
			final, code = outcome(segs[id], m.segments, code)
		}
		if final == "" {
			continue
		}
		m.state = final
		outs[i].Final = final
		finals = append(finals, []any{id, string(final), code, us(orNow(reps[i].At))})
	}
	slices.SortFunc(finals, func(a, b []any) int { return cmp.Compare(a[0].(int64), b[0].(int64)) })
	err = chunks(finals, func(c [][]any) error {
		vals, args := valuesTable("issi", c)
		_, err := w.exec(w.s.d.updateFrom("messages", "state = v.column2, operator_code = v.column3, done_at = v.column4, in_flight = 0",
			vals, "messages.id = v.column1 AND messages.done_at = 0", ""), args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("final messages: %w", err)
	}

	var evs []any
	for i, r := range reps {
		o := outs[i]
		if !o.Matched || o.Duplicate {
			continue
		}
		detail := fmt.Sprintf("%s (%s) from %s", r.Code, r.State, r.Gateway)
		if !r.State.Final() {
			detail = fmt.Sprintf("%s from %s (not final)", r.Code, r.Gateway)
		} else if o.Final != "" {
			detail += "; message " + string(o.Final)
		}
		evs = append(evs, eventRow(o.MessageID, orNow(r.At), "report", o.Seq, detail)...)
	}
	if err := w.insert(w.s.ins.unmatched, slices.Concat(unmatched...)); err != nil {
		return nil, err
	}
	if err := w.insert(w.s.ins.events, evs); err != nil {
		return nil, err
	}
	return outs, nil
}

// segmentStates reads the segments of the given messages, by seq.
func (w *wtx) segmentStates(ids []int64) (map[int64][]segState, error) {
	out := map[int64][]segState{}
	slices.Sort(ids)
	err := chunks(ids, func(c []int64) error {
		list, args := inList(c)
		rows, err := w.query(`SELECT message_id, seq, state, code FROM segments WHERE message_id IN `+list+` ORDER BY message_id, seq`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var seq int
			var st segState
			if err := rows.Scan(&id, &seq, &st.state, &st.code); err != nil {
				return err
			}
			if len(out[id]) == seq-1 { // seq 1, 2, … without gaps
				out[id] = append(out[id], st)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	return out, nil
}

// outcome decides a message's final state from its segments: "" while any
// of 1..n is missing or not final; Delivered when all are (with the code of
// the report that completed it); else the lowest failed segment's state
// and code.
func outcome(segs []segState, n int, lastCode string) (store.State, string) {
	if len(segs) < n {
		return "", ""
	}
	for _, sg := range segs[:n] {
		if !sg.state.Final() {
			return "", ""
		}
	}
	for _, sg := range segs[:n] {
		if sg.state != store.Delivered {
			return sg.state, sg.code
		}
	}
	return store.Delivered, lastCode
}

// ScheduleRetries puts messages back to wait: InFlight = false, NextAttempt
// set, a "retry" event. Final messages are left alone.
func (s *Store) ScheduleRetries(ctx context.Context, retries []store.Retry) error {
	if len(retries) == 0 {
		return nil
	}
	rs := slices.Clone(retries)
	slices.SortStableFunc(rs, func(a, b store.Retry) int { return cmp.Compare(a.MessageID, b.MessageID) })
	return s.write(ctx, "schedule retries", func(w *wtx) error {
		var evs []any
		for _, r := range rs {
			n, err := w.execN(`UPDATE messages SET in_flight = 0, next_attempt = ? WHERE id = ? AND done_at = 0`, us(r.NextAttempt), r.MessageID)
			if err != nil {
				return fmt.Errorf("message %d: %w", r.MessageID, err)
			}
			if n > 0 {
				evs = append(evs, eventRow(r.MessageID, r.At, "retry", 0,
					fmt.Sprintf("next attempt at %s: %s", r.NextAttempt.Format(time.RFC3339), r.Reason))...)
			}
		}
		return w.insert(w.s.ins.events, evs)
	})
}

// FinishMessages sets final states without a report. Forward only: a
// message already final is left alone (and gets no event). A non-final
// State is an error.
func (s *Store) FinishMessages(ctx context.Context, fins []store.Finish) error {
	if len(fins) == 0 {
		return nil
	}
	for _, f := range fins {
		if !f.State.Final() {
			return fmt.Errorf("store: finish messages: message %d: state %q is not final", f.MessageID, f.State)
		}
	}
	fs := slices.Clone(fins)
	slices.SortStableFunc(fs, func(a, b store.Finish) int { return cmp.Compare(a.MessageID, b.MessageID) })
	return s.write(ctx, "finish messages", func(w *wtx) error {
		var evs []any
		for _, f := range fs {
			at := orNow(f.At)
			n, err := w.execN(`UPDATE messages SET state = ?, operator_code = ?, done_at = ?, in_flight = 0 WHERE id = ? AND done_at = 0`,
				string(f.State), f.Code, us(at), f.MessageID)
			if err != nil {
				return fmt.Errorf("message %d: %w", f.MessageID, err)
			}
			if n > 0 {
				detail := string(f.State)
				if f.Code != "" {
					detail += " (" + f.Code + ")"
				}
				if f.Reason != "" {
					detail += ": " + f.Reason
				}
				evs = append(evs, eventRow(f.MessageID, at, "state", 0, detail)...)
			}
		}
		return w.insert(w.s.ins.events, evs)
	})
}

// AddEvents appends timeline lines (At defaults to now).
func (s *Store) AddEvents(ctx context.Context, evs []store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	return s.write(ctx, "add events", func(w *wtx) error {
		rows := make([]any, 0, len(evs)*5)
		for _, e := range evs {
			rows = append(rows, eventRow(e.MessageID, e.At, e.Kind, e.Segment, e.Detail)...)
		}
		return w.insert(w.s.ins.events, rows)
	})
}
