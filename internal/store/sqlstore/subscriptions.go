package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hongyan/internal/store"
)

// Subscriptions (store/subscriptions.go): services, subscriptions, and the
// per-subscriber month totals that Accept prices monthly and capped
// messages with.
//
// In the accept transaction: loadSubs, before the items, reads which
// numbers are subscribed to subscription services and locks and reads the
// (account, business, month, number) months every item may charge
// (PostgreSQL row locks in key order; nothing on SQLite's one writer);
// subPrice
// prices an item's messages against what is stored plus what this
// transaction already took; subCommit keeps the item's charges once it is
// written (a refused item leaves nothing). A message whose reservation is
// released without a charge gives its part back (subSettled). flushSubs,
// after the accounts are written, adds it all up: one upsert per touched
// key, one sub_charges row per message that carries a fee.

type subKey struct {
	account  int64
	business string
	month    int
	number   string
}

func cmpSubKey(a, b subKey) int {
	return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.business, b.business),
		cmp.Compare(a.month, b.month), cmp.Compare(a.number, b.number))
}

// subTotal is a key's month: as stored when loaded, and what this
// transaction adds (negative: gives back).
type subTotal struct {
	total, monthly       int64 // stored
	addTotal, addMonthly int64
	addMessages          int64
}

func (t *subTotal) now() (total, monthly int64) {
	return t.total + t.addTotal, t.monthly + t.addMonthly
}

// subCharge is one message's part of a key's month.
type subCharge struct {
	msg     int64
	key     subKey
	amount  int64
	monthly int64
}

type subTx struct {
	totals   map[subKey]*subTotal
	active   map[[2]string]bool // (business, number) → subscribed; absent = not read
	pending  []subCharge        // the item being accepted (subPrice → subCommit)
	refusals []store.Refusal    // its numbers refused as not subscribed
	charges  map[int64]subCharge
	released []int64 // messages released without a charge (subSettled)
	dirty    map[subKey]bool
}

func (w *wtx) subState() *subTx {
	if w.sub == nil {
		w.sub = &subTx{totals: map[subKey]*subTotal{}, active: map[[2]string]bool{}, charges: map[int64]subCharge{}, dirty: map[subKey]bool{}}
	}
	return w.sub
}

// perMonth says whether a charging mode counts per subscriber and month.
func perMonth(mode string) bool {
	return mode == store.ChargeMonthly || mode == store.ChargeMonthlyCapped
}

// loadSubs locks and reads what the items' subscription pricing needs:
// which numbers are subscribed, then the months of the keys that may be
// charged. Where there are several writers (PostgreSQL) the months are
// locked as rows: their accounts first (the order every transaction
// takes: accounts, then months — flushSubs gives back after flushMoney),
// then the month rows, created empty when missing so there is a row to
// lock, in key order so two nodes pushing to the same subscribers never
// deadlock. Row locks, not advisory ones: a push of ten thousand numbers
// would overflow PostgreSQL's lock table.
func (w *wtx) loadSubs(items []*store.AcceptItem) error {
	var st *subTx
	subs := map[string][]string{} // business → numbers whose subscription to read
	for _, it := range items {
		if it.Sub == nil || !it.Sub.Subscribers {
			continue
		}
		for _, m := range it.Messages {
			if !m.State.Final() || m.OperatorCode == store.NotSubscribed {
				subs[m.Business] = append(subs[m.Business], m.To)
			}
		}
	}
	if len(subs) > 0 {
		st = w.subState()
		if err := w.readSubscribed(st, subs); err != nil {
			return err
		}
	}
	var keys []subKey
	for _, it := range items {
		sc := it.Sub
		if sc == nil || !perMonth(sc.Mode) {
			continue
		}
		for _, m := range it.Messages {
			if m.State.Final() && m.OperatorCode != store.NotSubscribed {
				continue
			}
			if sc.Subscribers && (st == nil || !st.active[[2]string{m.Business, m.To}]) {
				continue // refused at accept: nothing to price
			}
			keys = append(keys, subKey{it.Batch.AccountID, m.Business, sc.Month, m.To})
		}
	}
	if len(keys) == 0 {
		return nil
	}
	st = w.subState()
	slices.SortFunc(keys, cmpSubKey)
	keys = slices.Compact(keys)
	keys = slices.DeleteFunc(keys, func(k subKey) bool { return st.totals[k] != nil })
	lock := w.s.d.lockSuffix()
	if lock != "" && len(keys) > 0 {
		var accts []int64
		for _, k := range keys {
			accts = append(accts, k.account)
		}
		accts = slices.Compact(accts) // keys are sorted by account
		list, args := inList(accts)
		rows, err := w.query(`SELECT id FROM accounts WHERE id IN `+list+` ORDER BY id`+lock, args...)
		if err != nil {
			return fmt.Errorf("lock accounts of subscriber months: %w", err)
		}
		for rows.Next() { // every row read: every lock taken
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("lock accounts of subscriber months: %w", err)
		}
		empty := make([]any, 0, len(keys)*7)
		for _, k := range keys {
			empty = append(empty, k.account, k.business, k.month, k.number, 0, 0, 0)
		}
		if err := w.insert(subMonthsEnsure, empty); err != nil {
			return fmt.Errorf("subscriber months: %w", err)
		}
	}
	// Read (and lock) per (account, business, month), numbers in chunks.
	for len(keys) > 0 {
		k0 := keys[0]
		n := 1
		for n < len(keys) && keys[n].account == k0.account && keys[n].business == k0.business && keys[n].month == k0.month {
			n++
		}
		group := keys[:n]
		keys = keys[n:]
		nums := make([]string, len(group))
		for i, k := range group {
			nums[i] = k.number
			st.totals[k] = &subTotal{}
		}
		err := chunks(nums, func(c []string) error {
			list, args := inList(c)
			rows, err := w.query(`SELECT number, total, monthly FROM sub_months WHERE account_id = ? AND business = ? AND month = ? AND number IN `+list+
				` ORDER BY number`+lock, append([]any{k0.account, k0.business, k0.month}, args...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var num string
				var total, monthly int64
				if err := rows.Scan(&num, &total, &monthly); err != nil {
					return err
				}
				t := st.totals[subKey{k0.account, k0.business, k0.month, num}]
				t.total, t.monthly = total, monthly
			}
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("subscriber months: %w", err)
		}
	}
	return nil
}

// readSubscribed reads which of the numbers are active subscribers.
func (w *wtx) readSubscribed(st *subTx, subs map[string][]string) error {
	for business, nums := range subs {
		slices.Sort(nums)
		nums = slices.DeleteFunc(slices.Compact(nums), func(n string) bool {
			_, known := st.active[[2]string{business, n}]
			return known
		})
		for _, n := range nums {
			st.active[[2]string{business, n}] = false
		}
		err := chunks(nums, func(c []string) error {
			list, args := inList(c)
			rows, err := w.query(`SELECT number FROM subscriptions WHERE business = ? AND active = 1 AND number IN `+list,
				append([]any{business}, args...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var num string
				if err := rows.Scan(&num); err != nil {
					return err
				}
				st.active[[2]string{business, num}] = true
			}
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("subscriptions: %w", err)
		}
	}
	return nil
}

// subPrice sets the fees of an item's messages per SubCharge (and refuses
// its numbers that are not subscribed). It may run again for the same item
// when the transaction is retried, so it starts from the item as the core
// made it.
func (w *wtx) subPrice(it *store.AcceptItem) {
	sc := it.Sub
	if sc == nil {
		return
	}
	st := w.subState()
	st.pending, st.refusals = st.pending[:0], st.refusals[:0]
	delta := map[subKey]*subTotal{}
	for i, m := range it.Messages {
		if m.OperatorCode == store.NotSubscribed { // refused by an earlier try of this transaction
			// Back to the state the core gave it: held for review, or accepted.
			m.State, m.OperatorCode, m.DoneAt = store.Accepted, "", time.Time{}
			if it.Hold != nil {
				m.State = store.Held
			}
		}
		if m.State.Final() {
			continue
		}
		if sc.Subscribers && !st.active[[2]string{m.Business, m.To}] {
			m.State, m.OperatorCode, m.DoneAt, m.Fee, m.ChargeOn = store.Blacklisted, store.NotSubscribed, time.Time{}, 0, ""
			for j := range it.Events {
				if e := &it.Events[j]; e.MessageID == m.ID && e.Kind == "accepted" && !strings.HasSuffix(e.Detail, notSubscribedNote) {
					e.Detail += notSubscribedNote
				}
			}
			st.refusals = append(st.refusals, store.Refusal{AccountID: it.Batch.AccountID, Business: m.Business, Kind: "not_subscribed",
				Number: m.To, Detail: "not subscribed to " + m.Business, At: it.Batch.CreatedAt})
			continue
		}
		base := int64(max(m.Segments, 1)) * sc.FeePerSegment
		fee, monthly := base, int64(0)
		var k subKey
		switch sc.Mode {
		case store.ChargeFree:
			fee = 0
		case store.ChargeMonthly, store.ChargeMonthlyCapped:
			k = subKey{it.Batch.AccountID, m.Business, sc.Month, m.To}
			t := st.totals[k]
			if t == nil { // not loaded: the item came without loadSubs (cannot happen in Accept)
				t = &subTotal{}
				st.totals[k] = t
			}
			d := delta[k]
			if d == nil {
				d = &subTotal{}
				delta[k] = d
			}
			total, paid := t.now()
			total, paid = total+d.addTotal, paid+d.addMonthly
			if sc.Mode == store.ChargeMonthly {
				if paid <= 0 && sc.MonthlyFee > 0 {
					fee, monthly = base+sc.MonthlyFee, 1
				}
			} else {
				fee = min(base, max(sc.MonthlyCap-total, 0))
			}
			if fee > 0 {
				d.addTotal += fee
				d.addMonthly += monthly
			}
		}
		m.Fee, m.ChargeOn = fee, ""
		if fee > 0 {
			m.ChargeOn = cmp.Or(sc.ChargeOn, store.ChargeDelivered)
			if perMonth(sc.Mode) {
				st.pending = append(st.pending, subCharge{msg: it.Messages[i].ID, key: k, amount: fee, monthly: monthly})
			}
		}
	}
}

const notSubscribedNote = "; not subscribed to this service: not sent, not charged"

// subCommit keeps the charges (and refusals) of the item subPrice priced
// last, now that it is written.
func (w *wtx) subCommit(it *store.AcceptItem) error {
	if it.Sub == nil || w.sub == nil {
		return nil
	}
	st := w.sub
	for _, c := range st.pending {
		t := st.totals[c.key]
		t.addTotal += c.amount
		t.addMonthly += c.monthly
		t.addMessages++
		st.charges[c.msg] = c
		st.dirty[c.key] = true
	}
	st.pending = st.pending[:0]
	if len(st.refusals) > 0 {
		if err := w.insertRefusals(st.refusals); err != nil {
			return err
		}
		st.refusals = st.refusals[:0]
	}
	return nil
}

// subSettled notes a message whose reservation was released without a
// charge: its part of its subscriber's month is given back at the flush.
func (w *wtx) subSettled(m *msgInfo, charged int64) {
	if m == nil || m.id == 0 || m.fee == 0 || charged != 0 {
		return
	}
	st := w.subState()
	st.released = append(st.released, m.id)
}

var (
	subMonthsUpsert = &bulkInsert{table: "sub_months", cols: []string{"account_id", "business", "month", "number", "total", "monthly", "messages"},
		suffix: ` ON CONFLICT (account_id, business, month, number) DO UPDATE SET total = sub_months.total + excluded.total, ` +
			`monthly = sub_months.monthly + excluded.monthly, messages = sub_months.messages + excluded.messages`}
	// subMonthsEnsure creates missing month rows (to lock them).
	subMonthsEnsure = &bulkInsert{table: "sub_months", cols: []string{"account_id", "business", "month", "number", "total", "monthly", "messages"},
		suffix: ` ON CONFLICT DO NOTHING`}
	subChargesInsert = &bulkInsert{table: "sub_charges", cols: []string{"message_id", "account_id", "business", "month", "number", "amount", "monthly"}}
)

// flushSubs writes the transaction's subscriber months (after the
// accounts, so that every transaction locks accounts, then months).
func (w *wtx) flushSubs() error {
	st := w.sub
	if st == nil || len(st.charges) == 0 && len(st.released) == 0 {
		return nil
	}
	// Given back: charged in this transaction (forget it), or earlier (its row).
	var earlier []int64
	for _, id := range st.released {
		if c, ok := st.charges[id]; ok {
			delete(st.charges, id)
			t := st.totals[c.key]
			t.addTotal, t.addMonthly, t.addMessages = t.addTotal-c.amount, t.addMonthly-c.monthly, t.addMessages-1
			continue
		}
		earlier = append(earlier, id)
	}
	slices.Sort(earlier)
	earlier = slices.Compact(earlier)
	var back []subCharge
	err := chunks(earlier, func(c []int64) error {
		list, args := inList(c)
		rows, err := w.query(`SELECT message_id, account_id, business, month, number, amount, monthly FROM sub_charges WHERE message_id IN `+list, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sc subCharge
			if err := rows.Scan(&sc.msg, &sc.key.account, &sc.key.business, &sc.key.month, &sc.key.number, &sc.amount, &sc.monthly); err != nil {
				return err
			}
			back = append(back, sc)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("subscriber charges given back: %w", err)
	}
	for _, c := range back {
		t := st.totals[c.key]
		if t == nil {
			t = &subTotal{}
			st.totals[c.key] = t
		}
		t.addTotal, t.addMonthly, t.addMessages = t.addTotal-c.amount, t.addMonthly-c.monthly, t.addMessages-1
		st.dirty[c.key] = true
		if _, err := w.exec(`DELETE FROM sub_charges WHERE message_id = ?`, c.msg); err != nil {
			return fmt.Errorf("subscriber charge of message %d: %w", c.msg, err)
		}
	}
	keys := make([]subKey, 0, len(st.dirty))
	for k := range st.dirty {
		if t := st.totals[k]; t.addTotal != 0 || t.addMonthly != 0 || t.addMessages != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, cmpSubKey)
	rows := make([]any, 0, len(keys)*7)
	for _, k := range keys {
		t := st.totals[k]
		rows = append(rows, k.account, k.business, k.month, k.number, t.addTotal, t.addMonthly, t.addMessages)
	}
	if err := w.insert(subMonthsUpsert, rows); err != nil {
		return fmt.Errorf("subscriber months: %w", err)
	}
	ids := make([]int64, 0, len(st.charges))
	for id := range st.charges {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rows = rows[:0]
	for _, id := range ids {
		c := st.charges[id]
		rows = append(rows, id, c.key.account, c.key.business, c.key.month, c.key.number, c.amount, c.monthly)
	}
	if err := w.insert(subChargesInsert, rows); err != nil {
		return fmt.Errorf("subscriber charges: %w", err)
	}
	return nil
}

// ---- services and subscriptions ----

// PutSubService creates or replaces a business type's subscription service.
func (s *Store) PutSubService(ctx context.Context, svc *store.SubService) error {
	if svc.Business == "" || svc.Code == "" || svc.AccountID == 0 {
		return fmt.Errorf("store: subscription service: business, code and account are required")
	}
	if svc.CreatedAt.IsZero() {
		svc.CreatedAt = time.Now()
	}
	return s.write(ctx, "put subscription service", func(w *wtx) error {
		_, err := w.exec(`INSERT INTO sub_services (business, code, account_id, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (business) DO UPDATE SET code = excluded.code, account_id = excluded.account_id`,
			svc.Business, svc.Code, svc.AccountID, us(svc.CreatedAt))
		return s.dupOr(err)
	})
}

// DeleteSubService removes a service; its subscriptions stay.
func (s *Store) DeleteSubService(ctx context.Context, business string) error {
	return s.write(ctx, "delete subscription service", func(w *wtx) error {
		n, err := w.execN(`DELETE FROM sub_services WHERE business = ?`, business)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("subscription service %q: %w", business, store.ErrNotFound)
		}
		return nil
	})
}

// SubServices lists the services, with their subscriber counts if asked.
func (s *Store) SubServices(ctx context.Context, counts bool) ([]*store.SubService, error) {
	q := `SELECT business, code, account_id, created_at, 0, 0 FROM sub_services ORDER BY business`
	if counts {
		q = `SELECT v.business, v.code, v.account_id, v.created_at,
COALESCE(SUM(CASE WHEN x.active = 1 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN x.active = 0 THEN 1 ELSE 0 END), 0)
FROM sub_services v LEFT JOIN subscriptions x ON x.business = v.business
GROUP BY v.business, v.code, v.account_id, v.created_at ORDER BY v.business`
	}
	rows, err := s.rquery(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: subscription services: %w", err)
	}
	defer rows.Close()
	var out []*store.SubService
	for rows.Next() {
		v := &store.SubService{}
		var created int64
		if err := rows.Scan(&v.Business, &v.Code, &v.AccountID, &created, &v.Active, &v.Cancelled); err != nil {
			return nil, fmt.Errorf("store: subscription services: %w", err)
		}
		v.CreatedAt = tm(created)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscription services: %w", err)
	}
	return out, nil
}

// Subscribe makes number an active subscriber (idempotent).
func (s *Store) Subscribe(ctx context.Context, business, number, source string, at time.Time) (bool, error) {
	at = orNow(at)
	var changed bool
	err := s.write(ctx, "subscribe", func(w *wtx) error {
		n, err := w.execN(`INSERT INTO subscriptions (business, number, active, source, since, cancelled_at, created_at) VALUES (?, ?, 1, ?, ?, 0, ?)
ON CONFLICT (business, number) DO UPDATE SET active = 1, source = excluded.source, since = excluded.since, cancelled_at = 0
WHERE subscriptions.active = 0`, business, number, source, us(at), us(at))
		changed = n > 0
		return err
	})
	return changed, err
}

// Unsubscribe cancels an active subscription.
func (s *Store) Unsubscribe(ctx context.Context, business, number, source string, at time.Time) (bool, error) {
	at = orNow(at)
	var changed bool
	err := s.write(ctx, "unsubscribe", func(w *wtx) error {
		n, err := w.execN(`UPDATE subscriptions SET active = 0, source = ?, cancelled_at = ? WHERE business = ? AND number = ? AND active = 1`,
			source, us(at), business, number)
		changed = n > 0
		return err
	})
	return changed, err
}

// Subscriptions lists subscriptions by business and number.
func (s *Store) Subscriptions(ctx context.Context, q store.SubQuery) ([]*store.Subscription, error) {
	if q.AccountIDs != nil && len(q.AccountIDs) == 0 {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var sb strings.Builder
	var args []any
	sb.WriteString(`SELECT x.business, x.number, x.active, x.source, x.since, x.cancelled_at, x.created_at`)
	if q.Month != 0 {
		sb.WriteString(`, COALESCE(m.total, 0), COALESCE(m.monthly, 0)`)
	}
	sb.WriteString(` FROM subscriptions x LEFT JOIN sub_services v ON v.business = x.business`)
	if q.Month != 0 {
		sb.WriteString(` LEFT JOIN sub_months m ON m.account_id = v.account_id AND m.business = x.business AND m.month = ? AND m.number = x.number`)
		args = append(args, q.Month)
	}
	sb.WriteString(` WHERE 1 = 1`)
	if q.Business != "" {
		sb.WriteString(` AND x.business = ?`)
		args = append(args, q.Business)
	}
	if q.Number != "" {
		sb.WriteString(` AND x.number = ?`)
		args = append(args, q.Number)
	}
	switch q.State {
	case "active":
		sb.WriteString(` AND x.active = 1`)
	case "cancelled":
		sb.WriteString(` AND x.active = 0`)
	}
	if q.AccountIDs != nil {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(q.AccountIDs)), ", ")
		sb.WriteString(` AND v.account_id IN (` + ph + `)`)
		for _, id := range q.AccountIDs {
			args = append(args, id)
		}
	}
	if q.After != "" {
		b, n, _ := strings.Cut(q.After, "/")
		sb.WriteString(` AND (x.business > ? OR x.business = ? AND x.number > ?)`)
		args = append(args, b, b, n)
	}
	sb.WriteString(` ORDER BY x.business, x.number LIMIT ?`)
	args = append(args, limit)
	rows, err := s.rquery(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []*store.Subscription
	for rows.Next() {
		x := &store.Subscription{}
		var active, since, cancelled, created, monthly int64
		dest := []any{&x.Business, &x.Number, &active, &x.Source, &since, &cancelled, &created}
		if q.Month != 0 {
			dest = append(dest, &x.MonthCharged, &monthly)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: subscriptions: %w", err)
		}
		x.Active, x.MonthlyPaid = active != 0, monthly > 0
		x.Since, x.CancelledAt, x.CreatedAt = tm(since), tm(cancelled), tm(created)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	return out, nil
}

// SubscriberNumbers pages through a service's active subscribers.
func (s *Store) SubscriberNumbers(ctx context.Context, business, after string, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.rquery(ctx, `SELECT number FROM subscriptions WHERE business = ? AND active = 1 AND number > ? ORDER BY number LIMIT ?`,
		business, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers of %s: %w", business, err)
	}
	defer rows.Close()
	out := make([]string, 0, min(limit, 1024))
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: subscribers of %s: %w", business, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscribers of %s: %w", business, err)
	}
	return out, nil
}

// SubMonths lists a business type's month totals for one account.
func (s *Store) SubMonths(ctx context.Context, accountID int64, business string, month int, number string) ([]store.SubMonth, error) {
	q := `SELECT number, total, monthly, messages FROM sub_months WHERE account_id = ? AND business = ? AND month = ?`
	args := []any{accountID, business, month}
	if number != "" {
		q += ` AND number = ?`
		args = append(args, number)
	}
	rows, err := s.rquery(ctx, q+` ORDER BY number`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: subscriber months: %w", err)
	}
	defer rows.Close()
	var out []store.SubMonth
	for rows.Next() {
		m := store.SubMonth{AccountID: accountID, Business: business, Month: month}
		if err := rows.Scan(&m.Number, &m.Total, &m.Monthly, &m.Messages); err != nil {
			return nil, fmt.Errorf("store: subscriber months: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscriber months: %w", err)
	}
	return out, nil
}
