package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/store/pgtest"
)

func TestPlanStats(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15", s, store.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type p struct{ table, from, to string }
	for _, tc := range []struct {
		from, to string
		g        store.Grain
		want     []p
	}{
		{"2026-11-01 00", "2026-12-01 00", store.GrainNone, []p{{statsMonthly, "2026-11-01 00", "2026-12-01 00"}}},
		{"2026-11-01 00", "2026-12-01 00", store.GrainDay, []p{{statsDaily, "2026-11-01 00", "2026-12-01 00"}}},
		{"2026-11-01 00", "2026-12-01 00", store.GrainHour, []p{{statsHourly, "2026-11-01 00", "2026-12-01 00"}}},
		{"2026-10-31 22", "2026-12-02 03", store.GrainNone, []p{
			{statsHourly, "2026-10-31 22", "2026-11-01 00"}, {statsMonthly, "2026-11-01 00", "2026-12-01 00"},
			{statsDaily, "2026-12-01 00", "2026-12-02 00"}, {statsHourly, "2026-12-02 00", "2026-12-02 03"}}},
		{"2026-11-03 10", "2026-11-20 15", store.GrainMonth, []p{
			{statsHourly, "2026-11-03 10", "2026-11-04 00"}, {statsDaily, "2026-11-04 00", "2026-11-20 00"},
			{statsHourly, "2026-11-20 00", "2026-11-20 15"}}},
		{"2026-11-03 10", "2026-11-03 15", store.GrainNone, []p{{statsHourly, "2026-11-03 10", "2026-11-03 15"}}},
		{"2025-01-01 00", "2027-01-01 00", store.GrainMonth, []p{{statsMonthly, "2025-01-01 00", "2027-01-01 00"}}},
	} {
		var want []statsPiece
		for _, w := range tc.want {
			want = append(want, statsPiece{w.table, at(w.from).Unix(), at(w.to).Unix()})
		}
		if got := planStats(at(tc.from), at(tc.to), tc.g); !slices.Equal(got, want) {
			t.Errorf("planStats(%s, %s, %q) = %v, want %v", tc.from, tc.to, tc.g, got, want)
		}
	}
}

func TestStatsBuckets(t *testing.T) {
	for _, s := range []string{"2026-11-25T15:59:59Z", "2026-11-25T16:00:00Z", "2026-11-30T23:30:00+08:00", "1969-12-31T23:30:00Z", "2024-02-29T23:59:59.999999+08:00"} {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hourOfMicros(tm.UnixMicro()), store.HourStart(tm).Unix(); got != want {
			t.Errorf("hour of %s: %d, want %d", s, got, want)
		}
		h := store.HourStart(tm)
		if got, want := dayOf(h.Unix()), store.DayStart(tm).Unix(); got != want {
			t.Errorf("day of %s: %s, want %s", s, time.Unix(got, 0).In(store.Shanghai), time.Unix(want, 0).In(store.Shanghai))
		}
	}
	if d := store.DayStart(time.Date(2026, 11, 25, 16, 30, 0, 0, time.UTC)); d.Format("2006-01-02 15:04") != "2026-11-26 00:00" {
		t.Fatalf("16:30 UTC is the next day in Shanghai: %s", d)
	}
}

// TestSQLiteStatsQueryPlans: a report reads its range through the counter
// tables' primary key, never the whole table.
func TestSQLiteStatsQueryPlans(t *testing.T) {
	s := openSQLiteT(t, filepath.Join(t.TempDir(), "plan.db"))
	for _, table := range []string{statsHourly, statsDaily, statsMonthly} {
		for _, tc := range []struct {
			g    store.Grain
			list []int64
		}{{store.GrainDay, nil}, {store.GrainNone, []int64{3, 5, 8}}, {store.GrainMonth, []int64{1}}} {
			text, args := statsSQL(statsPiece{table, 0, 3600}, tc.g, tc.list)
			rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+text, args...)
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			all := strings.Join(plan, " | ")
			if !strings.Contains(all, "SEARCH "+table+" USING PRIMARY KEY (bucket>? AND bucket<?)") {
				t.Errorf("%s does not read a range of its primary key:\n  %s\n  plan: %s", table, text, all)
			}
			if tc.g != store.GrainNone && strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("%s sorts what its primary key gives in order:\n  %s\n  plan: %s", table, text, all)
			}
		}
	}
}

// The migration counts the messages stored before it exactly as the hot
// path counts new ones: run a few messages through their lives, forget the
// counters, run the migration's statements, and compare.
func TestSQLiteStatsBackfill(t *testing.T) {
	testStatsBackfill(t, openSQLiteT(t, filepath.Join(t.TempDir(), "backfill.db")))
}

func TestPostgresStatsBackfill(t *testing.T) {
	testStatsBackfill(t, openPostgresT(t, pgtest.DSN(t)))
}

func testStatsBackfill(t *testing.T, s *Store) {
	ctx := context.Background()
	org := &store.Org{Level: store.LevelCity, Code: "BF", Name: "回填"}
	if err := s.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	var accts []int64
	for i, o := range []int64{org.ID, 0} {
		a := &store.Account{Name: fmt.Sprint("bf-", i), OrgID: o, Balance: 100_000}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a.ID)
	}
	t0 := time.Date(2026, 11, 30, 23, 40, 0, 0, store.Shanghai)
	id := int64(5000)
	var ids []int64
	var items []*store.AcceptItem
	for i := range 12 {
		id++
		it := &store.AcceptItem{Batch: store.Batch{ID: id, AccountID: accts[i%2], CreatedAt: t0}}
		id++
		m := &store.Message{ID: id, AccountID: accts[i%2], To: "13800138000", Business: []string{"notice", "verify"}[i%2],
			Segments: 1 + i%3, Operator: []string{"cmcc", "cucc", "ctcc"}[i%3], State: store.Accepted, CreatedAt: t0,
			Fee: int64(10 * (1 + i%3)), ChargeOn: []string{store.ChargeDelivered, store.ChargeSubmitted}[i/6]}
		if i == 11 {
			m.State, m.DoneAt, m.Fee, m.ChargeOn = store.Blacklisted, t0, 0, ""
		}
		it.Messages = []*store.Message{m}
		items = append(items, it)
		ids = append(ids, id)
	}
	if err := s.Accept(ctx, items); err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(30 * time.Minute) // the next day and month
	ws := &store.WriteSet{}
	for i, it := range items[:10] {
		m := it.Messages[0]
		gw := m.Operator + "-1"
		ws.Queued = append(ws.Queued, store.QueuedMark{MessageID: m.ID, Operator: m.Operator, Gateway: gw, At: t0})
		for seq := 1; seq <= m.Segments; seq++ {
			if i == 9 && seq == 2 {
				continue // never answered: the message stays queued, then fails
			}
			op := fmt.Sprintf("B%d-%d", m.ID, seq)
			ws.Submits = append(ws.Submits, store.SubmitResult{MessageID: m.ID, Seq: seq, Gateway: gw, OpMsgID: op, OK: true, Code: "0", At: t0.Add(time.Duration(seq) * 10 * time.Minute)})
			st := store.Delivered
			if i%4 == 1 {
				st = store.Undelivered
			}
			if i < 8 {
				ws.Reports = append(ws.Reports, store.Report{Gateway: gw, OpMsgID: op, State: st, Code: "X", At: t1})
			}
		}
	}
	ws.Finishes = []store.Finish{{MessageID: ids[9], State: store.Failed, At: t1}, {MessageID: ids[10], State: store.Expired, At: t1}}
	if err := s.Write(ctx, ws); err != nil {
		t.Fatal(err)
	}
	q := store.StatsQuery{From: t0.Add(-time.Hour).Truncate(time.Hour), To: t1.Add(2 * time.Hour).Truncate(time.Hour),
		Grain: store.GrainHour, GroupBy: []store.StatDim{store.DimAccount, store.DimOrg, store.DimBusiness, store.DimOperator, store.DimGateway}}
	month := store.StatsQuery{From: time.Date(2026, 11, 1, 0, 0, 0, 0, store.Shanghai), To: time.Date(2027, 1, 1, 0, 0, 0, 0, store.Shanghai),
		Grain: store.GrainMonth, GroupBy: q.GroupBy}
	day := month
	day.Grain = store.GrainDay
	var before [3][]store.StatRow
	for i, q := range []store.StatsQuery{q, day, month} {
		rows, err := s.Stats(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 10 {
			t.Fatalf("only %d counters: %+v", len(rows), rows)
		}
		before[i] = rows
	}
	mig, err := fs.ReadFile(s.d.migrations(), "0008_stats.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{statsHourly, statsDaily, statsMonthly, "stats_series"} {
		if _, err := s.w.Exec(`DELETE FROM ` + table); err != nil {
			t.Fatal(err)
		}
	}
	s.stats.ids = nil // forget the series: the backfill numbers them afresh
	n := 0
	backfill := false
	tx, err := s.w.Begin() // as the migration runs: one transaction, one connection
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range splitStatements(string(mig)) {
		backfill = backfill || strings.HasPrefix(stmt, "CREATE TEMP TABLE stats_backfill")
		if backfill {
			if _, err := tx.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
			n++
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("%d backfill statements in the migration, want 6", n)
	}
	for i, q := range []store.StatsQuery{q, day, month} {
		rows, err := s.Stats(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows, before[i]) {
			t.Fatalf("grain %q: backfilled counters\n  %+v\ndiffer from those kept\n  %+v", q.Grain, rows, before[i])
		}
	}
}
