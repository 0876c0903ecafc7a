package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"hongyan/internal/store"
)

// Statistics counters (store/stats.go), kept like money (billing.go): the
// hot paths add to a map in the transaction (wtx.count), keyed by hour and
// series — account × business type × operator × gateway × state — and
// flushStats writes each touched counter once at the end of the
// transaction: one multi-row upsert per table (hourly, daily, monthly) per
// group commit, however many messages the round carried. A series is a row
// of stats_series, created the first time it is counted; its id is cached
// once the transaction that created it (or read it) has committed, so the
// counters' rows are two integers and three counts, cheap to upsert and to
// sum.

type seriesKey struct {
	account  int64
	business string
	operator string
	gateway  string
	state    store.State
}

func compareSeries(a, b seriesKey) int {
	return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.business, b.business), cmp.Compare(a.operator, b.operator),
		cmp.Compare(a.gateway, b.gateway), cmp.Compare(a.state, b.state))
}

type statKey struct {
	hour   int64 // unix seconds of the hour's start
	series seriesKey
}

type statVal struct{ messages, segments, fees int64 }

func (v *statVal) add(o *statVal) {
	v.messages += o.messages
	v.segments += o.segments
	v.fees += o.fees
}

// statsCache holds the ids of series known to exist (committed).
type statsCache struct {
	mu  sync.Mutex
	ids map[seriesKey]int64
}

func (c *statsCache) get(k seriesKey) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.ids[k]
	return id, ok
}

func (c *statsCache) put(m map[seriesKey]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[seriesKey]int64{}
	}
	for k, id := range m {
		c.ids[k] = id
	}
}

// The counter tables, finest first: the order every transaction writes them in.
const (
	statsHourly  = "stats_hourly"
	statsDaily   = "stats_daily"
	statsMonthly = "stats_monthly"
)

// hourOfMicros is the start (unix seconds) of the hour of a time in unix
// microseconds, as the store keeps times.
func hourOfMicros(t int64) int64 {
	const h = 3600_000_000
	q := t / h
	if t%h < 0 {
		q--
	}
	return q * 3600
}

// dayOf is the start (unix seconds) of the Shanghai day of a time in unix seconds.
func dayOf(t int64) int64 {
	const day, off = 86400, 8 * 3600
	q := (t + off) / day
	if (t+off)%day < 0 {
		q--
	}
	return q*day - off
}

// count adds to the counter of the hour of at (unix microseconds).
func (w *wtx) count(at, account int64, business, operator, gateway string, state store.State, messages, segments, fees int64) {
	if w.s.noStats {
		return
	}
	if w.stats == nil {
		w.stats = map[statKey]*statVal{}
	}
	k := statKey{hourOfMicros(at), seriesKey{account, business, operator, gateway, state}}
	v := w.stats[k]
	if v == nil {
		v = &statVal{}
		w.stats[k] = v
	}
	v.add(&statVal{messages, segments, fees})
}

// countAccepted counts a message written by Accept: accepted, and, if it
// is final already (blacklisted, filtered), its final state too.
func (w *wtx) countAccepted(m *store.Message) {
	w.count(us(m.CreatedAt), m.AccountID, m.Business, m.Operator, m.Gateway, store.Accepted, 1, int64(m.Segments), 0)
	if m.State.Final() {
		w.count(us(m.DoneAt), m.AccountID, m.Business, m.Operator, m.Gateway, m.State, 1, int64(m.Segments), m.Charged)
	}
}

// countFinal counts a message going final in state at (unix
// microseconds, its done_at), charged what settleFinal took.
func (w *wtx) countFinal(m *msgInfo, state store.State, at, charged int64) {
	w.count(at, m.account, m.business, m.operator, m.gateway, state, 1, int64(m.segments), charged)
}

// seriesIDs returns the ids of the series in keys, creating those that do
// not exist yet (in key order, so that concurrent PostgreSQL transactions
// lock new series in one order).
func (w *wtx) seriesIDs(keys []seriesKey) (map[seriesKey]int64, error) {
	ids := make(map[seriesKey]int64, len(keys))
	var missing []seriesKey
	for _, k := range keys {
		if id, ok := w.s.stats.get(k); ok {
			ids[k] = id
		} else if _, seen := ids[k]; !seen {
			ids[k] = 0
			missing = append(missing, k)
		}
	}
	slices.SortFunc(missing, compareSeries)
	for _, k := range missing {
		args := []any{k.account, k.business, k.operator, k.gateway, string(k.state)}
		if _, err := w.exec(w.s.d.insertIgnore(`INSERT INTO stats_series (account_id, business, operator, gateway, state) VALUES (?, ?, ?, ?, ?)`), args...); err != nil {
			return nil, fmt.Errorf("series: %w", err)
		}
		var id int64
		if err := w.scanOne(`SELECT id FROM stats_series WHERE account_id = ? AND business = ? AND operator = ? AND gateway = ? AND state = ?`, args, &id); err != nil {
			return nil, fmt.Errorf("series: %w", err)
		}
		ids[k] = id
		if w.newSeries == nil {
			w.newSeries = map[seriesKey]int64{}
		}
		w.newSeries[k] = id
	}
	return ids, nil
}

// settleStats runs after the transaction: the series it created or read
// are known from now on if it committed.
func (w *wtx) settleStats(committed bool) {
	if committed && len(w.newSeries) > 0 {
		w.s.stats.put(w.newSeries)
	}
}

// flushStats writes the transaction's counters: hours, then days, then
// months, each in (bucket, series) order (so that PostgreSQL transactions
// lock counter rows in one order and cannot deadlock).
func (w *wtx) flushStats() error {
	if len(w.stats) == 0 {
		return nil
	}
	keys := make([]seriesKey, 0, len(w.stats))
	for k := range w.stats {
		keys = append(keys, k.series)
	}
	ids, err := w.seriesIDs(keys)
	if err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	type row struct{ bucket, series int64 }
	grains := [3]map[row]*statVal{{}, {}, {}}
	monthOf := map[int64]int64{} // day → month
	add := func(m map[row]*statVal, k row, v *statVal) {
		t := m[k]
		if t == nil {
			t = &statVal{}
			m[k] = t
		}
		t.add(v)
	}
	for k, v := range w.stats {
		id := ids[k.series]
		add(grains[0], row{k.hour, id}, v)
		day := dayOf(k.hour)
		add(grains[1], row{day, id}, v)
		mo, ok := monthOf[day]
		if !ok {
			mo = store.MonthStart(time.Unix(day, 0)).Unix()
			monthOf[day] = mo
		}
		add(grains[2], row{mo, id}, v)
	}
	for i, table := range []string{statsHourly, statsDaily, statsMonthly} {
		rows := make([][]any, 0, len(grains[i]))
		for k, v := range grains[i] {
			rows = append(rows, []any{k.bucket, k.series, v.messages, v.segments, v.fees})
		}
		slices.SortFunc(rows, func(a, b []any) int {
			return cmp.Or(cmp.Compare(a[0].(int64), b[0].(int64)), cmp.Compare(a[1].(int64), b[1].(int64)))
		})
		if err := w.upsertStats(table, rows); err != nil {
			return fmt.Errorf("statistics: %w", err)
		}
	}
	return nil
}

// upsertStats adds rows (bucket, series, messages, segments, fees) to
// table: one INSERT … SELECT FROM (VALUES …) … ON CONFLICT DO UPDATE per
// chunk (on SQLite too: for the few dozen counters of a round one statement
// costs less than one per row). The VALUES are padded with rows of NULLs
// to a power of two (few statement shapes), which the WHERE leaves out;
// the WHERE also settles SQLite's parse of ON CONFLICT after a SELECT.
func (w *wtx) upsertStats(table string, rows [][]any) error {
	return chunks(rows, func(c [][]any) error {
		vals, args := valuesTable("iiiii", c)
		q := `INSERT INTO ` + table + ` (bucket, series, messages, segments, fees) SELECT v.column1, v.column2, v.column3, v.column4, v.column5 FROM ` +
			vals + ` WHERE v.column1 IS NOT NULL ON CONFLICT (bucket, series) DO UPDATE SET messages = ` + table + `.messages + excluded.messages, ` +
			`segments = ` + table + `.segments + excluded.segments, fees = ` + table + `.fees + excluded.fees`
		if _, err := w.exec(q, args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		return nil
	})
}

// ---- reports ----

// statsPiece is a part of a report's range read from one table.
type statsPiece struct {
	table    string
	from, to int64 // unix seconds, [from, to)
}

// planStats tiles [from, to) with the coarsest counters the grain allows:
// whole months from the monthly table, whole days from the daily one, the
// hours left at the edges from the hourly one. Adjacent pieces of one
// table are merged, so a range is at most five queries.
func planStats(from, to time.Time, g store.Grain) []statsPiece {
	useMonth := g == store.GrainNone || g == store.GrainMonth
	useDay := useMonth || g == store.GrainDay
	var ps []statsPiece
	add := func(table string, a, b time.Time) {
		if n := len(ps); n > 0 && ps[n-1].table == table && ps[n-1].to == a.Unix() {
			ps[n-1].to = b.Unix()
			return
		}
		ps = append(ps, statsPiece{table, a.Unix(), b.Unix()})
	}
	cur := from.In(store.Shanghai)
	for cur.Before(to) {
		if useMonth && cur.Equal(store.MonthStart(cur)) {
			if next := cur.AddDate(0, 1, 0); !next.After(to) {
				add(statsMonthly, cur, next)
				cur = next
				continue
			}
		}
		if useDay && cur.Equal(store.DayStart(cur)) {
			if next := cur.AddDate(0, 0, 1); !next.After(to) {
				add(statsDaily, cur, next)
				cur = next
				continue
			}
		}
		next := store.DayStart(cur).AddDate(0, 0, 1)
		if next.After(to) {
			next = to.In(store.Shanghai)
		}
		add(statsHourly, cur, next)
		cur = next
	}
	return ps
}

// maxSeriesIn is the longest list of series a report's query names; a
// longer selection reads the range whole and filters as it sums.
const maxSeriesIn = 2000

// statsSQL is the query of one piece: sums per series (and bucket, unless
// the grain is none), of the series in list (nil = all).
func statsSQL(p statsPiece, grain store.Grain, list []int64) (string, []any) {
	cols := "series"
	if grain != store.GrainNone {
		cols = "bucket, series"
	}
	q := "SELECT " + cols + ", CAST(SUM(messages) AS BIGINT), CAST(SUM(segments) AS BIGINT), CAST(SUM(fees) AS BIGINT) FROM " + p.table +
		" WHERE bucket >= ? AND bucket < ?"
	args := []any{p.from, p.to}
	if list != nil {
		q += " AND series IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(list)), ", ") + ")"
		for _, id := range list {
			args = append(args, id)
		}
	}
	return q + " GROUP BY " + cols, args
}

// Stats sums the counters (see store.StatsStore).
func (s *Store) Stats(ctx context.Context, q store.StatsQuery) ([]store.StatRow, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	if q.Accounts != nil && len(q.Accounts) == 0 {
		return nil, nil
	}
	// The series the query covers, and each account's organisation.
	orgOf := map[int64]int64{}
	rows, err := s.r.QueryContext(ctx, `SELECT id, org_id FROM accounts`)
	if err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	for rows.Next() {
		var id, org int64
		if err := rows.Scan(&id, &org); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: stats: %w", err)
		}
		orgOf[id] = org
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	var accounts, orgs map[int64]bool
	if q.Accounts != nil {
		accounts = map[int64]bool{}
		for _, id := range q.Accounts {
			accounts[id] = true
		}
	}
	if len(q.Orgs) > 0 {
		orgs = map[int64]bool{}
		for _, id := range q.Orgs {
			orgs[id] = true
		}
	}
	series := map[int64]seriesKey{}
	filtered := false
	rows, err = s.r.QueryContext(ctx, `SELECT id, account_id, business, operator, gateway, state FROM stats_series`)
	if err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	for rows.Next() {
		var id int64
		var k seriesKey
		if err := rows.Scan(&id, &k.account, &k.business, &k.operator, &k.gateway, &k.state); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: stats: %w", err)
		}
		if accounts != nil && !accounts[k.account] || orgs != nil && !orgs[orgOf[k.account]] ||
			q.Business != "" && k.business != q.Business || q.Operator != "" && k.operator != q.Operator ||
			q.Gateway != "" && k.gateway != q.Gateway {
			filtered = true
			continue
		}
		series[id] = k
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	if len(series) == 0 {
		return nil, nil
	}
	var list []int64 // the series to read; nil = every one
	if filtered && len(series) <= maxSeriesIn {
		list = make([]int64, 0, len(series))
		for id := range series {
			list = append(list, id)
		}
		slices.Sort(list)
	}

	// Each series belongs to one group of the report: its values of the
	// dimensions grouped by, and its state.
	by := map[store.StatDim]bool{}
	for _, d := range q.GroupBy {
		by[d] = true
	}
	type groupKey struct {
		account, org                int64
		business, operator, gateway string
		state                       store.State
	}
	var groups []groupKey
	groupOf := make(map[int64]int64, len(series)) // series → index in groups
	index := map[groupKey]int64{}
	for id, sk := range series {
		g := groupKey{state: sk.state}
		if by[store.DimAccount] {
			g.account = sk.account
		}
		if by[store.DimOrg] {
			g.org = orgOf[sk.account]
		}
		if by[store.DimBusiness] {
			g.business = sk.business
		}
		if by[store.DimOperator] {
			g.operator = sk.operator
		}
		if by[store.DimGateway] {
			g.gateway = sk.gateway
		}
		i, ok := index[g]
		if !ok {
			i = int64(len(groups))
			index[g] = i
			groups = append(groups, g)
		}
		groupOf[id] = i
	}
	agg := map[aggKey]*statVal{}
	for _, p := range planStats(q.From, q.To, q.Grain) {
		if err := s.statsPart(ctx, p, q.Grain, list, groupOf, agg); err != nil {
			return nil, fmt.Errorf("store: stats: %w", err)
		}
	}
	out := make([]store.StatRow, 0, len(agg))
	for k, v := range agg {
		if *v == (statVal{}) {
			continue
		}
		g := groups[k.group]
		r := store.StatRow{AccountID: g.account, OrgID: g.org, Business: g.business, Operator: g.operator, Gateway: g.gateway,
			State: g.state, Messages: v.messages, Segments: v.segments, Fees: v.fees}
		if q.Grain != store.GrainNone {
			r.Bucket = time.Unix(k.bucket, 0).In(store.Shanghai)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, compareStatRows)
	return out, nil
}

// aggKey is a report's row: its bucket (in the report's grain) and group.
type aggKey struct{ bucket, group int64 }

// statsPart adds one piece of a report to agg: per bucket (rolled up into
// grain) and group (groupOf: series → group; series not in it are left out).
func (s *Store) statsPart(ctx context.Context, p statsPiece, grain store.Grain, list []int64, groupOf map[int64]int64, agg map[aggKey]*statVal) error {
	text, args := statsSQL(p, grain, list)
	rows, err := s.r.QueryContext(ctx, s.d.rebind(text), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var bucket, id int64
	var v statVal
	dest := []any{&id, &v.messages, &v.segments, &v.fees}
	if grain != store.GrainNone {
		dest = append([]any{&bucket}, dest...)
	}
	lastBucket, rolled := int64(-1), int64(0)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		g, ok := groupOf[id]
		if !ok {
			continue // filtered out, or created after the series were read
		}
		// Buckets of a finer table roll up into the report's grain.
		if bucket != lastBucket {
			lastBucket = bucket
			switch {
			case grain == store.GrainDay && p.table == statsHourly:
				rolled = dayOf(bucket)
			case grain == store.GrainMonth && p.table != statsMonthly:
				rolled = store.MonthStart(time.Unix(bucket, 0)).Unix()
			default:
				rolled = bucket
			}
		}
		k := aggKey{rolled, g}
		t := agg[k]
		if t == nil {
			t = &statVal{}
			agg[k] = t
		}
		t.add(&v)
	}
	return rows.Err()
}

func stateOrder(s store.State) int {
	if i := slices.Index(store.StatStates, s); i >= 0 {
		return i
	}
	return len(store.StatStates)
}

func compareStatRows(a, b store.StatRow) int {
	return cmp.Or(a.Bucket.Compare(b.Bucket), cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.OrgID, b.OrgID),
		cmp.Compare(a.Business, b.Business), cmp.Compare(a.Operator, b.Operator), cmp.Compare(a.Gateway, b.Gateway),
		cmp.Compare(stateOrder(a.State), stateOrder(b.State)), cmp.Compare(a.State, b.State))
}

// ---- segments for reconciliation ----

const sentCols = `s.message_id, s.seq, m.account_id, m.operator, s.gateway, s.op_msg_id, s.submitted_at`

func scanSent(rows interface{ Scan(...any) error }) (store.SentSegment, error) {
	var sg store.SentSegment
	var at int64
	err := rows.Scan(&sg.MessageID, &sg.Seq, &sg.AccountID, &sg.Operator, &sg.Gateway, &sg.OpMsgID, &at)
	sg.SubmittedAt = tm(at)
	return sg, err
}

// SentSegments calls fn for every segment of operator's messages
// acknowledged in [from, to). It reads every segment row (there is no index
// by submit time: it would cost every submit a write to serve a monthly task).
func (s *Store) SentSegments(ctx context.Context, operator string, from, to time.Time, fn func(store.SentSegment) error) error {
	rows, err := s.rquery(ctx, `SELECT `+sentCols+` FROM segments s JOIN messages m ON m.id = s.message_id
WHERE s.submitted_at >= ? AND s.submitted_at < ? AND s.submitted_at <> 0 AND m.operator = ?`, us(from), us(to), operator)
	if err != nil {
		return fmt.Errorf("store: sent segments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		sg, err := scanSent(rows)
		if err != nil {
			return fmt.Errorf("store: sent segments: %w", err)
		}
		if err := fn(sg); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: sent segments: %w", err)
	}
	return nil
}

// SegmentsByOpID finds acknowledged segments by operator message id.
func (s *Store) SegmentsByOpID(ctx context.Context, opIDs []string) ([]store.SentSegment, error) {
	var out []store.SentSegment
	err := chunks(sortedUnique(opIDs), func(c []string) error {
		list, args := inList(c)
		rows, err := s.rquery(ctx, `SELECT `+sentCols+` FROM segments s JOIN messages m ON m.id = s.message_id
WHERE s.op_msg_id IN `+list+` AND s.submitted_at <> 0`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sg, err := scanSent(rows)
			if err != nil {
				return err
			}
			out = append(out, sg)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: segments by operator id: %w", err)
	}
	return out, nil
}
