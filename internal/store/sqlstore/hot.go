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
// so a group commit of a hundred messages costs one fsync. What a call
// needs to know of its messages is read (and, on PostgreSQL, locked) with
// one IN query in ascending id order, so two concurrent calls always lock
// in the same order and cannot deadlock, and only for messages not already
// known (msgcache.go). Rows are inserted with multi-row VALUES. Updates go
// through updateRows: on PostgreSQL one UPDATE … FROM (VALUES …) …
// RETURNING per chunk, a handful of round trips per hundred messages
// instead of several hundred; on SQLite, with no round trips to save, one
// prepared statement per row, which is cheaper there. Statements are
// prepared once and rebound per transaction.
//
// Per message, in the common case (one segment, no retry), the writer
// does: Accept, a batch row (one per request) and a message row; MarkQueued,
// one message update (its segments get rows only when answered); RecordSubmits,
// a segment row and a message update; ApplyReports, a look-up by operator
// id, a segment update and a message update. The four routine timeline
// lines ride along in those rows (see below).

// pendingIn is the SQL list of non-final states. Per-row statements test
// done_at = 0 instead, which is equivalent (the store keeps done_at = 0
// exactly while a message or segment is not final) and cheaper.
var pendingIn = "('" + string(store.Accepted) + "', '" + string(store.Queued) + "', '" + string(store.Submitted) + "')"

const msgColList = `id, batch_id, account_id, to_number, src, content, business, priority, segments, operator,
gateway, state, attempts, next_attempt, schedule_at, in_flight, created_at, submitted_at, done_at, operator_code,
fee, charge_on, charged`

// The timeline. The lines every message has — "accepted", "queued" for
// its first attempt, "submitted" per segment, the final "report" per
// segment — are not rows of events: each is kept in columns of the message
// or segment row that the hot path writes anyway (its line id and the data
// its detail is made of), and Events puts them back together. Everything
// else is a row of events. Every line, wherever it is kept, has an id from
// one sequence (dialect.lineIDs), so Events returns them in the order they
// were written; when a row's data that a kept line is made of is about to
// change (the first "queued" line, made of the message's gateway, when the
// message is queued again), the line is first moved to events, with its id.

// inserts holds one Store's multi-row insert statements.
type inserts struct {
	batches, batchIgnore, messages, events, segRefused, segAcked, unmatched *bulkInsert
}

func newInserts(d dialect) inserts {
	segCols := []string{"message_id", "seq", "gateway", "op_msg_id", "state", "code", "submitted_at", "done_at"}
	batchCols := []string{"id", "account_id", "client_ref", "total", "created_at"}
	msgCols := strings.Split(strings.ReplaceAll(strings.ReplaceAll(msgColList, "\n", " "), " ", ""), ",")
	queued := "segments.state = '" + string(store.Queued) + "'"
	return inserts{
		batches:     &bulkInsert{table: "batches", cols: batchCols},
		batchIgnore: &bulkInsert{table: "batches", cols: batchCols, ignore: true},
		messages:    &bulkInsert{table: "messages", cols: append(msgCols, "accept_ev", "accept_note")},
		events:      &bulkInsert{table: "events", cols: []string{"id", "message_id", "at", "kind", "segment", "detail"}},
		// RecordSubmits, a refused segment: its code on a queued row.
		segRefused: &bulkInsert{table: "segments", cols: segCols,
			suffix: d.upsert([]string{"message_id", "seq"}, []string{"code"}, queued)},
		// RecordSubmits, an acknowledged segment: its row, unless it has one
		// acknowledged already (a repeated answer changes nothing).
		segAcked: &bulkInsert{table: "segments", cols: append(slices.Clone(segCols), "submit_ev", "submit_code"),
			suffix: d.upsert([]string{"message_id", "seq"},
				[]string{"gateway", "op_msg_id", "state", "code", "submitted_at", "submit_ev", "submit_code"}, queued)},
		unmatched: &bulkInsert{table: "unmatched_reports",
			cols: []string{"gateway", "op_msg_id", "state", "code", "to_number", "at", "received_at"}},
	}
}

// msgInfo is what the hot paths need to know of a message: its row as this
// transaction has left it (every hot path keeps it current as it writes).
type msgInfo struct {
	id       int64 // 0 where not known
	account  int64
	state    store.State
	segments int
	attempts int
	operator string
	gateway  string
	queueEv  int64 // line id of the first "queued" line kept on the row (0 = none)
	queuedAt int64 // its time
	fee      int64 // reserved at accept; settled when final (billing.go)
	chargeOn string
	business string // for the statistics counters (stats.go)
}

// msgInfoCols are the columns of messages that make a msgInfo.
const msgInfoCols = `account_id, state, segments, attempts, operator, gateway, queue_ev, queued_at, fee, charge_on, business`

// loadMessages returns the given messages that exist, reading (and, on
// PostgreSQL, locking) only those the transaction knows nothing of yet
// (see msgcache.go). Ids are sorted so that locks are always taken in
// ascending order.
func (w *wtx) loadMessages(ids []int64) (map[int64]*msgInfo, error) {
	ids = sortedUnique(ids)
	out := make(map[int64]*msgInfo, len(ids))
	var missing []int64
	for _, id := range ids {
		if m := w.msg(id); m != nil {
			out[id] = m
		} else {
			missing = append(missing, id)
		}
	}
	err := chunks(missing, func(c []int64) error {
		list, args := inList(c)
		rows, err := w.query(`SELECT id, `+msgInfoCols+` FROM messages WHERE id IN `+
			list+` ORDER BY id`+w.s.d.lockSuffix(), args...)
		if err != nil {
			return fmt.Errorf("load messages: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			m := &msgInfo{}
			if err := rows.Scan(&m.id, &m.account, &m.state, &m.segments, &m.attempts, &m.operator, &m.gateway, &m.queueEv, &m.queuedAt, &m.fee, &m.chargeOn, &m.business); err != nil {
				return fmt.Errorf("load messages: %w", err)
			}
			out[m.id] = m
			w.keep(m.id, m)
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

// eventRow is a row of events: line id, message, time (now when zero) …
func eventRow(line, msg int64, at time.Time, kind string, seg int, detail string) []any {
	return []any{line, msg, us(orNow(at)), kind, seg, detail}
}

// The details of the routine lines, whether written as rows or made up
// from the columns they are kept in (Events).

func queuedDetail(gateway, operator string, attempt int) string {
	return fmt.Sprintf("gateway %s (%s), attempt %d", gateway, operator, attempt)
}

func submittedDetail(gateway, opMsgID, code string) string {
	return gateway + ": operator id " + opMsgID + ", result " + code
}

// reportDetail: final is the message's state when this report made it
// final, else "".
func reportDetail(code string, state store.State, gateway string, final store.State) string {
	if !state.Final() {
		return code + " from " + gateway + " (not final)"
	}
	d := code + " (" + string(state) + ") from " + gateway
	if final != "" {
		d += "; message " + string(final)
	}
	return d
}

// lines hands out reserved line ids in order.
type lines struct {
	ids []int64
	i   int
}

func (w *wtx) reserveLines(n int) (*lines, error) {
	ids, err := w.s.d.lineIDs(w, n)
	return &lines{ids: ids}, err
}

func (l *lines) next() int64 {
	id := l.ids[l.i]
	l.i++
	return id
}

// Accept inserts batches, messages and events of many requests in one
// transaction. An item whose (AccountID, ClientRef) already exists, or
// repeats an earlier item of the same call, is marked Dup with
// ExistingBatch set and nothing of it is written. Defaults filled in:
// Batch.Total (len(Messages)), CreatedAt (now; messages take the batch's),
// Message.BatchID/AccountID (the batch's), State (Accepted), Segments (1).
// A message or batch id that already exists fails the whole call with
// store.ErrDuplicate. A message's first "accepted" line at its creation
// time is kept on its row; other lines are rows of events.
func (s *Store) Accept(ctx context.Context, items []*store.AcceptItem) error {
	if len(items) == 0 {
		return nil
	}
	return s.write(ctx, "accept", func(w *wtx) error {
		type refKey struct {
			account int64
			ref     string
		}
		nev := 0
		for _, it := range items {
			nev += len(it.Events)
		}
		ls, err := w.reserveLines(nev)
		if err != nil {
			return err
		}
		seen := map[refKey]int64{}
		if err := w.loadSubs(items); err != nil { // subscriber months and subscriptions (subscriptions.go)
			return err
		}
		var batches, msgs, evs []any
		type acceptLine struct {
			ev   int64
			note string
		}
		var acc []acceptLine
		daily := dailyCounts{} // business.go
		// The content filter's frequency limits and review holds (frequency.go).
		extras, err := w.prepareExtras(items)
		if err != nil {
			return err
		}
		for _, it := range items {
			it.Dup, it.ExistingBatch, it.NoFunds, it.OverQuota = false, 0, false, false
			if extras.decide(it); it.FreqRefused {
				continue
			}
			b := &it.Batch
			w.subPrice(it) // fees per subscriber and month; numbers not subscribed final (subscriptions.go)
			over, err := daily.overQuota(w, it)
			if err != nil {
				return err
			}
			if over {
				it.OverQuota = true
				continue
			}
			var fee int64
			for _, m := range it.Messages {
				if !m.State.Final() {
					fee += m.Fee
				}
			}
			if fee > 0 {
				ok, err := w.canReserve(b.AccountID, fee)
				if err != nil {
					return err
				}
				if !ok {
					it.NoFunds = true
					continue
				}
			}
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
			if fee > 0 {
				w.money(b.AccountID).reserve += fee
			}
			daily.count(it)
			if err := w.subCommit(it); err != nil {
				return err
			}
			extras.written(it)
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
			}
			// The accepted lines: a message's first one at its creation
			// time goes on its row, any other line is a row of events.
			acc = append(acc[:0], make([]acceptLine, len(it.Messages))...)
			var byID map[int64]int
			find := func(i int, id int64) int {
				if i < len(it.Messages) && it.Messages[i].ID == id { // the usual layout: one line per message, in order
					return i
				}
				if byID == nil {
					byID = make(map[int64]int, len(it.Messages))
					for j, m := range it.Messages {
						if _, dup := byID[m.ID]; !dup {
							byID[m.ID] = j
						}
					}
				}
				if j, ok := byID[id]; ok {
					return j
				}
				return -1
			}
			for i, e := range it.Events {
				line := ls.next()
				at := orNow(e.At)
				if e.Kind == "accepted" && e.Segment == 0 {
					if j := find(i, e.MessageID); j >= 0 && acc[j].ev == 0 && us(at) == us(it.Messages[j].CreatedAt) {
						acc[j] = acceptLine{line, e.Detail}
						continue
					}
				}
				evs = append(evs, eventRow(line, e.MessageID, at, e.Kind, e.Segment, e.Detail)...)
			}
			for j, m := range it.Messages {
				msgs = append(msgs, m.ID, m.BatchID, m.AccountID, m.To, m.Src, m.Content, m.Business, m.Priority, m.Segments,
					m.Operator, m.Gateway, string(m.State), m.Attempts, us(m.NextAttempt), us(m.ScheduleAt), b2i(m.InFlight),
					us(m.CreatedAt), us(m.SubmittedAt), us(m.DoneAt), m.OperatorCode, m.Fee, m.ChargeOn, m.Charged, acc[j].ev, acc[j].note)
				w.countAccepted(m)
				// Later parts of the same Write, and on SQLite later
				// Writes, need not read it back.
				if !m.State.Final() {
					w.keep(m.ID, &msgInfo{id: m.ID, account: m.AccountID, state: m.State, segments: m.Segments, attempts: m.Attempts,
						operator: m.Operator, gateway: m.Gateway, fee: m.Fee, chargeOn: m.ChargeOn, business: m.Business})
				}
			}
		}
		if err := w.insert(w.s.ins.batches, batches); err != nil {
			return err
		}
		if err := w.insert(w.s.ins.messages, msgs); err != nil {
			return err
		}
		if err := w.insert(w.s.ins.events, evs); err != nil {
			return err
		}
		if err := extras.flush(w); err != nil {
			return err
		}
		return daily.flush(w)
	})
}

// MarkQueued hands messages to gateways: state → Queued (if lower),
// Operator/Gateway set (kept when given empty), Attempts+1, InFlight, and
// segments 1..Segments on the new gateway unless already acknowledged. A
// final or unknown message is left alone. Each mark writes a "queued"
// line: kept on the message row for the first attempt, a row of events for
// the others (and the first one moves there then, since the row's gateway
// it is made of changes).
//
// A segment not acknowledged yet has no row of its own: it is queued on its
// message's gateway, with no code (Segments makes it up). It gets a row
// when the operator answers its submit (RecordSubmits), and a refusal's
// code is kept on a queued row until the message is queued again, which
// deletes such rows. So queuing a message writes no segment rows.
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
		ls, err := w.reserveLines(len(marks))
		if err != nil {
			return err
		}
		var evs []any
		var marked []int64
		before := make(map[int64]msgInfo, len(marks)) // as the row was before this call
		for _, mk := range marks {
			m := info[mk.MessageID]
			if m == nil || m.state.Final() {
				continue
			}
			n := mk.Segments
			if n <= 0 {
				n = m.segments
			}
			again := m.queuedAt != 0 // queued before
			if again {
				// Segments refused on the way (queued rows with a code)
				// start afresh on the new gateway; those beyond n go.
				if _, err := w.exec(`DELETE FROM segments WHERE message_id = ? AND state = ?`, mk.MessageID, string(store.Queued)); err != nil {
					return fmt.Errorf("message %d: %w", mk.MessageID, err)
				}
			}
			if _, ok := before[mk.MessageID]; !ok {
				before[mk.MessageID] = *m
				marked = append(marked, mk.MessageID)
			}
			if m.state.Rank() < store.Queued.Rank() {
				m.state = store.Queued
			}
			m.attempts++ // counted here, not in SQL: the rows are ours (locked, or SQLite's one writer)
			at, line := us(orNow(mk.At)), ls.next()
			op, gw := cmp.Or(mk.Operator, m.operator), cmp.Or(mk.Gateway, m.gateway)
			if !again {
				m.queuedAt = at
			}
			if m.attempts == 1 && !again {
				m.queueEv = line
			} else {
				if m.queueEv != 0 { // made of the gateway about to change: move it to events
					evs = append(evs, m.queueEv, mk.MessageID, m.queuedAt, "queued", 0, queuedDetail(m.gateway, m.operator, 1))
					m.queueEv = 0
				}
				evs = append(evs, line, mk.MessageID, at, "queued", 0, queuedDetail(gw, op, m.attempts))
			}
			m.operator, m.gateway = op, gw
			m.segments = n
		}
		slices.Sort(marked)
		rows := make([][]any, len(marked))
		for i, id := range marked {
			m, was := info[id], before[id]
			// Operator and gateway only when they change (NULL keeps the
			// row's): fewer strings to bind. The state is computed as
			// above (final messages are not marked).
			var op, gw any
			if m.operator != was.operator {
				op = m.operator
			}
			if m.gateway != was.gateway {
				gw = m.gateway
			}
			rows[i] = []any{id, op, gw, int64(m.segments), int64(m.attempts), m.queueEv, m.queuedAt}
		}
		_, err = w.updateRows("messages", "issiiii", idKey,
			"state = CASE WHEN messages.state IN ('"+string(store.Queued)+"', '"+string(store.Submitted)+"') THEN messages.state ELSE '"+string(store.Queued)+"' END, "+
				"operator = COALESCE(v.column2, messages.operator), gateway = COALESCE(v.column3, messages.gateway), "+
				"segments = v.column4, attempts = v.column5, in_flight = 1, queue_ev = v.column6, queued_at = v.column7",
			"", rows)
		if err != nil {
			return fmt.Errorf("update messages: %w", err)
		}
		return w.insert(w.s.ins.events, evs)
	})
}

type segKey struct {
	msg int64
	seq int
}

var (
	idKey      = []string{"id"}
	segKeyCols = []string{"message_id", "seq"}
)

// updateSegments updates segments found by (message_id, seq) = (v.column1,
// v.column2) and cond, and returns the keys of those it changed.
func (w *wtx) updateSegments(kinds, set, cond string, rows [][]any) (map[segKey]bool, error) {
	changed, err := w.updateRows("segments", kinds, segKeyCols, set, cond, rows)
	done := make(map[segKey]bool, len(rows))
	for i, ok := range changed {
		if ok {
			done[segKey{rows[i][0].(int64), int(rows[i][1].(int64))}] = true
		}
	}
	return done, err
}

// upsertSegments runs b (an insert of segments with an upsert clause) for
// rows, which start with (message_id, seq) and are distinct on them, and
// says which rows inserted or updated a segment. SQLite: one row at a time
// (see updateRows); PostgreSQL: many per statement, with RETURNING.
func (w *wtx) upsertSegments(b *bulkInsert, rows [][]any) ([]bool, error) {
	changed := make([]bool, len(rows))
	if w.s.d.name() == "sqlite" {
		q := b.sql(w.s.d, 1)
		for i, r := range rows {
			n, err := w.execN(q, r...)
			if err != nil {
				return nil, err
			}
			changed[i] = n > 0
		}
		return changed, nil
	}
	at := make(map[segKey]int, len(rows))
	for i, r := range rows {
		at[segKey{r[0].(int64), int(r[1].(int64))}] = i
	}
	for rest := rows; len(rest) > 0; {
		n := chunkSize(len(rest))
		rs, err := w.query(b.sql(w.s.d, n)+" RETURNING message_id, seq", slices.Concat(rest[:n]...)...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var k segKey
			if err := rs.Scan(&k.msg, &k.seq); err != nil {
				rs.Close()
				return nil, err
			}
			if i, ok := at[k]; ok {
				changed[i] = true
			}
		}
		err = rs.Err()
		if cerr := rs.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	return changed, nil
}

// RecordSubmits stores submit answers. An OK answer gives the segment its
// OpMsgID and state Submitted (a repeated answer changes nothing); a failed
// one records its code on the segment, which stays Queued for the core to
// retry or finish. A message whose every segment is acknowledged becomes
// Submitted. Reports kept as unmatched for the recorded OpMsgIDs are then
// applied, and their outcomes returned. The "submitted" line is kept on the
// segment row; "submit_error" is a row of events.
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
		ls, err := w.reserveLines(len(rs))
		if err != nil {
			return err
		}
		var evs []any
		var oks []store.SubmitResult
		seen := map[segKey]bool{}
		for _, r := range rs {
			if info[r.MessageID] == nil {
				continue // unknown message: nothing to attach the answer to
			}
			at := orNow(r.At)
			if !r.OK {
				// Rare: one statement each. The code goes on the queued
				// segment (given a row if it has none yet).
				var err error
				if m := info[r.MessageID]; m.queuedAt != 0 && r.Seq >= 1 && r.Seq <= m.segments {
					_, err = w.exec(w.s.ins.segRefused.sql(w.s.d, 1),
						r.MessageID, int64(r.Seq), m.gateway, "", string(store.Queued), r.Code, int64(0), int64(0))
				} else {
					_, err = w.exec(`UPDATE segments SET code = ? WHERE message_id = ? AND seq = ? AND state = ?`,
						r.Code, r.MessageID, int64(r.Seq), string(store.Queued))
				}
				if err != nil {
					return fmt.Errorf("segment %d/%d: %w", r.MessageID, r.Seq, err)
				}
				evs = append(evs, eventRow(ls.next(), r.MessageID, at, "submit_error", r.Seq, fmt.Sprintf("%s refused: result %s", r.Gateway, r.Code))...)
				continue
			}
			k := segKey{r.MessageID, r.Seq}
			if seen[k] {
				continue // repeated in this call: the first answer counts
			}
			seen[k] = true
			r.At = at
			oks = append(oks, r)
		}
		// Line ids in the order the lines were written before (refusals
		// first, then acknowledgements by message and seq).
		okRows := make([][]any, len(oks))
		for i, r := range oks {
			okRows[i] = []any{r.MessageID, int64(r.Seq), r.Gateway, r.OpMsgID, string(store.Submitted), r.Code, us(r.At), int64(0),
				ls.next(), r.Code}
		}
		done, err := w.upsertSegments(w.s.ins.segAcked, okRows)
		if err != nil {
			return fmt.Errorf("acknowledge segments: %w", err)
		}
		var opIDs []string
		// Messages to move to Submitted: those of one segment whose seq 1
		// was acknowledged now (known without looking), and the others
		// with a segment acknowledged now, which are Submitted once no
		// segment 1..segments is missing or unacknowledged.
		var single, multi [][]any // (message id, submitted at), ascending ids
		var multiGw []string      // the gateway of multi's last acknowledgement (statistics)
		for i, r := range oks {
			if !done[i] {
				continue // acknowledged before: a repeated answer changes nothing
			}
			opIDs = append(opIDs, r.OpMsgID)
			m := info[r.MessageID]
			w.count(us(r.At), m.account, m.business, m.operator, r.Gateway, store.Submitted, 0, 1, 0) // a segment sent
			if m.state.Rank() >= store.Submitted.Rank() {
				continue
			}
			if m.segments == 1 && r.Seq == 1 {
				m.state = store.Submitted
				single = append(single, []any{r.MessageID, us(r.At)})
				w.count(us(r.At), m.account, m.business, m.operator, r.Gateway, store.Submitted, 1, 0, 0)
				continue
			}
			if n := len(multi); n > 0 && multi[n-1][0] == r.MessageID {
				multi[n-1][1] = us(r.At)
				multiGw[n-1] = r.Gateway
			} else {
				multi = append(multi, []any{r.MessageID, us(r.At)})
				multiGw = append(multiGw, r.Gateway)
			}
		}
		const submitted = "state = '" + string(store.Submitted) + "', submitted_at = v.column2, in_flight = 0"
		if _, err := w.updateRows("messages", "ii", idKey, submitted, "", single); err != nil {
			return fmt.Errorf("submitted messages: %w", err)
		}
		changed, err := w.updateRows("messages", "ii", idKey, submitted,
			"messages.done_at = 0 AND messages.state <> '"+string(store.Submitted)+"'"+
				" AND messages.segments <= (SELECT COUNT(*) FROM segments s WHERE s.message_id = messages.id AND s.seq <= messages.segments AND s.state <> '"+string(store.Queued)+"')",
			multi)
		if err != nil {
			return fmt.Errorf("submitted messages: %w", err)
		}
		for i, ok := range changed {
			if ok {
				m := info[multi[i][0].(int64)]
				m.state = store.Submitted
				w.count(multi[i][1].(int64), m.account, m.business, m.operator, multiGw[i], store.Submitted, 1, 0, 0)
			}
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
	if len(opIDs) == 0 {
		return nil, nil
	}
	// Reports arrive before their submit response only now and then: on
	// SQLite, one look at the (usually empty) table first instead of a
	// look-up per id. (On PostgreSQL that would be one more round trip.)
	if w.s.d.name() == "sqlite" {
		var one int
		switch err := w.scanOne(`SELECT 1 FROM unmatched_reports LIMIT 1`, nil, &one); {
		case errors.Is(err, sql.ErrNoRows):
			return nil, nil
		case err != nil:
			return nil, fmt.Errorf("read unmatched reports: %w", err)
		}
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
		rows, err := w.s.d.queryPlanned(w, `SELECT op_msg_id, gateway, message_id, seq FROM segments WHERE op_msg_id IN `+list, args...)
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
	matched := 0
	for i := range reps {
		if c := chosen[i]; c != nil && info[c.msg] != nil {
			matched++
		}
	}
	ls, err := w.reserveLines(matched)
	if err != nil {
		return nil, err
	}

	// The first final report for a segment is the one that may apply; any
	// later one in this call is a duplicate, as it would be one by one. The
	// line of the final report that applies is kept on its segment row
	// (report_ev), unless it names another gateway than the segment's (a
	// report naming none): that one is a row of events, as are reports
	// that are not final.
	var unmatched [][]any
	now := time.Now()
	first := map[segKey]int{}
	var tries [][]any
	lineOf := make([]int64, len(reps))
	ats := make([]int64, len(reps))
	for i, r := range reps {
		c := chosen[i]
		ats[i] = us(orNow(r.At))
		if c == nil || info[c.msg] == nil {
			if !fromKept {
				unmatched = append(unmatched, []any{r.Gateway, r.OpMsgID, string(r.State), r.Code, r.To, us(r.At), us(now)})
			}
			continue
		}
		o := &outs[i]
		o.Matched, o.MessageID, o.AccountID, o.Seq = true, c.msg, info[c.msg].account, c.seq
		lineOf[i] = ls.next()
		if !r.State.Final() {
			continue
		}
		k := segKey{c.msg, c.seq}
		if _, dup := first[k]; dup {
			o.Duplicate = true
			continue
		}
		first[k] = i
		kept := int64(0)
		if r.Gateway == c.gateway {
			kept = lineOf[i]
		}
		tries = append(tries, []any{c.msg, int64(c.seq), string(r.State), r.Code, ats[i], kept})
	}
	// done_at = 0: the segment is not final yet.
	applied, err := w.updateSegments("iissii", "state = v.column3, code = v.column4, done_at = v.column5, report_ev = v.column6", "segments.done_at = 0", tries)
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
		charged := feeTaken(m, m.state, final)
		w.settleFinal(m, charged)
		w.countFinal(m, final, ats[i], charged)
		m.state = final
		w.final(id)
		outs[i].Final = final
		finals = append(finals, []any{id, string(final), code, ats[i], int64(outs[i].Seq), charged})
	}
	slices.SortFunc(finals, func(a, b []any) int { return cmp.Compare(a[0].(int64), b[0].(int64)) })
	_, err = w.updateRows("messages", "issiii", idKey,
		"state = v.column2, operator_code = v.column3, done_at = v.column4, in_flight = 0, final_seg = v.column5, charged = v.column6",
		"messages.done_at = 0", finals)
	if err != nil {
		return nil, fmt.Errorf("final messages: %w", err)
	}

	var evs []any
	for i, r := range reps {
		o := outs[i]
		if !o.Matched || o.Duplicate || r.State.Final() && r.Gateway == chosen[i].gateway {
			continue // nothing to say, or kept on the segment row
		}
		evs = append(evs, lineOf[i], o.MessageID, ats[i], "report", o.Seq, reportDetail(r.Code, r.State, r.Gateway, o.Final))
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
		var done []store.Retry
		for _, r := range rs {
			n, err := w.execN(`UPDATE messages SET in_flight = 0, next_attempt = ? WHERE id = ? AND done_at = 0`, us(r.NextAttempt), r.MessageID)
			if err != nil {
				return fmt.Errorf("message %d: %w", r.MessageID, err)
			}
			if n > 0 {
				done = append(done, r)
			}
		}
		ls, err := w.reserveLines(len(done)) // after the updates locked the rows
		if err != nil {
			return err
		}
		var evs []any
		for _, r := range done {
			evs = append(evs, eventRow(ls.next(), r.MessageID, r.At, "retry", 0,
				fmt.Sprintf("next attempt at %s: %s", r.NextAttempt.Format(time.RFC3339), r.Reason))...)
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
		type fin struct {
			f      store.Finish
			at     time.Time
			detail string
		}
		var done []fin
		ids := make([]int64, len(fs))
		for i, f := range fs {
			ids[i] = f.MessageID
		}
		info, err := w.loadMessages(ids) // for the money a final state settles
		if err != nil {
			return err
		}
		for _, f := range fs {
			at := orNow(f.At)
			m := info[f.MessageID]
			if m == nil || m.state.Final() {
				continue // no such message, or final already: forward only
			}
			charged := feeTaken(m, m.state, f.State)
			n, err := w.execN(`UPDATE messages SET state = ?, operator_code = ?, done_at = ?, in_flight = 0, charged = ? WHERE id = ? AND done_at = 0`,
				string(f.State), f.Code, us(at), charged, f.MessageID)
			if err != nil {
				return fmt.Errorf("message %d: %w", f.MessageID, err)
			}
			if n > 0 {
				w.settleFinal(m, charged)
				w.countFinal(m, f.State, us(at), charged)
				m.state = f.State
				w.final(f.MessageID)
				detail := string(f.State)
				if f.Code != "" {
					detail += " (" + f.Code + ")"
				}
				if f.Reason != "" {
					detail += ": " + f.Reason
				}
				done = append(done, fin{f, at, detail})
			}
		}
		ls, err := w.reserveLines(len(done)) // after the updates locked the rows
		if err != nil {
			return err
		}
		var evs []any
		for _, d := range done {
			evs = append(evs, eventRow(ls.next(), d.f.MessageID, d.at, "state", 0, d.detail)...)
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
		ls, err := w.reserveLines(len(evs))
		if err != nil {
			return err
		}
		rows := make([]any, 0, len(evs)*6)
		for _, e := range evs {
			rows = append(rows, eventRow(ls.next(), e.MessageID, e.At, e.Kind, e.Segment, e.Detail)...)
		}
		return w.insert(w.s.ins.events, rows)
	})
}
