package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"hongyan/internal/store"
	"hongyan/internal/store/pgtest"
)

// Reports over a year of counters. The store is filled with what a busy
// provincial platform keeps in a year: every hour of it, 50 accounts in
// 10 organisations, each using 2 or 3 of 5 business types, to the 3 big
// operators all day and to China Broadnet and international numbers in the
// daytime, on 6 gateways, with the states such traffic ends in — 14.7
// million hourly counters, 1.26 million daily and 46,000 monthly, counting
// 813 million messages (67 million in November 2026, the month the
// monthly reports ask for). Then each report is timed through Stats.
//
//	go test ./internal/store/sqlstore -run '^$' -bench StatsReport -benchtime 20x
//
// Filling SQLite takes a minute or two; the file is kept in the temporary
// directory (hongyan-statsbench-v2.db, 0.3 GB) for the next run, or
// where HONGYAN_STATS_BENCH_DB says. PostgreSQL is filled afresh (COPY)
// in a schema of its own each run.

var benchYear = time.Date(2025, 12, 1, 0, 0, 0, 0, store.Shanghai) // the year is [benchYear, +12 months)

type benchCounter struct {
	bucket, series           int64
	messages, segments, fees int64
}

// genStats produces the year's counters, table by table in batches: the
// hours as they are generated, each day's and month's sums when it ends,
// and last the series (rows of stats_series: id, account, business,
// operator, gateway, state). Accounts 1–50 belong to organisations 1–10.
func genStats(emit func(table string, rows [][]any) error) error {
	r := rand.New(rand.NewPCG(2026, 11))
	bizs := []string{"verify", "notice", "marketing", "parcel", "finance"}
	ids := map[seriesKey]int64{}
	seriesOf := func(k seriesKey) int64 {
		id, ok := ids[k]
		if !ok {
			id = int64(len(ids) + 1)
			ids[k] = id
		}
		return id
	}
	rowsOf := func(cs []benchCounter) [][]any {
		out := make([][]any, len(cs))
		for i, c := range cs {
			out[i] = []any{c.bucket, c.series, c.messages, c.segments, c.fees}
		}
		return out
	}
	day, month := map[int64]*benchCounter{}, map[int64]*benchCounter{}
	flush := func(table string, m map[int64]*benchCounter, bucket int64) error {
		rows := make([]benchCounter, 0, len(m))
		for _, c := range m {
			c.bucket = bucket
			rows = append(rows, *c)
		}
		clear(m)
		return emit(table, rowsOf(rows))
	}
	var hour []benchCounter
	end := benchYear.AddDate(1, 0, 0)
	for h := benchYear; h.Before(end); h = h.Add(time.Hour) {
		hod := h.Hour()
		load := 1.0
		switch {
		case hod < 7:
			load = 0.15
		case hod >= 22:
			load = 0.4
		}
		for a := int64(1); a <= 50; a++ {
			nb := 2 + int(a%2)
			for bi := range nb {
				biz := bizs[(int(a)+bi)%len(bizs)]
				for _, op := range []string{"cmcc", "cucc", "ctcc", "cbn", "intl"} {
					if op == "cbn" && (a%3 != 0 || hod < 8 || hod > 21) || op == "intl" && (a%10 != 0 || hod < 9 || hod > 18) {
						continue
					}
					gw := op + "-1"
					if op == "cmcc" && a%2 == 0 {
						gw = "cmcc-2"
					}
					n := int64(float64(20+r.IntN(600)) * load)
					if n == 0 {
						continue
					}
					segs := n + n/5
					fee := segs * 50
					type cnt struct {
						state, gateway           string
						messages, segments, fees int64
					}
					counts := []cnt{
						{"accepted", "", n, segs, 0},
						{"submitted", gw, n - n/50, segs - segs/50, 0},
						{"delivered", gw, n - n/20, segs - segs/20, fee - fee/20},
					}
					if r.IntN(3) > 0 {
						counts = append(counts, cnt{"undelivered", gw, n/30 + 1, segs/30 + 1, 0})
					}
					for _, x := range []struct {
						st  string
						one int
					}{{"expired", 6}, {"rejected", 10}, {"failed", 15}, {"unknown", 30}, {"blacklisted", 8}} {
						if r.IntN(x.one) == 0 {
							g := gw
							if x.st == "blacklisted" {
								g = ""
							}
							counts = append(counts, cnt{x.st, g, 1 + n/200, 1 + segs/200, 0})
						}
					}
					for _, c := range counts {
						id := seriesOf(seriesKey{a, biz, op, c.gateway, store.State(c.state)})
						bc := benchCounter{h.Unix(), id, c.messages, c.segments, c.fees}
						hour = append(hour, bc)
						for _, m := range []map[int64]*benchCounter{day, month} {
							t := m[id]
							if t == nil {
								cc := bc
								m[id] = &cc
								continue
							}
							t.messages += c.messages
							t.segments += c.segments
							t.fees += c.fees
						}
					}
				}
			}
		}
		if err := emit(statsHourly, rowsOf(hour)); err != nil {
			return err
		}
		hour = hour[:0]
		next := h.Add(time.Hour)
		if next.Equal(store.DayStart(next)) {
			if err := flush(statsDaily, day, store.DayStart(h).Unix()); err != nil {
				return err
			}
		}
		if next.Equal(store.MonthStart(next)) {
			if err := flush(statsMonthly, month, store.MonthStart(h).Unix()); err != nil {
				return err
			}
		}
	}
	var series [][]any
	for k, id := range ids {
		series = append(series, []any{id, k.account, k.business, k.operator, k.gateway, string(k.state)})
	}
	return emit("stats_series", series)
}

var seriesCols = []string{"id", "account_id", "business", "operator", "gateway", "state"}

func statsColsOf(table string) []string {
	if table == "stats_series" {
		return seriesCols
	}
	return []string{"bucket", "series", "messages", "segments", "fees"}
}

var sqliteStatsBench struct {
	once sync.Once
	path string
	err  error
}

// statsBenchSQLite returns the filled SQLite file, filling it if needed.
func statsBenchSQLite(b *testing.B) string {
	sb := &sqliteStatsBench
	sb.once.Do(func() {
		sb.path = os.Getenv("HONGYAN_STATS_BENCH_DB")
		if sb.path == "" {
			sb.path = filepath.Join(os.TempDir(), "hongyan-statsbench-v2.db")
		}
		ctx := context.Background()
		s, err := OpenStore(ctx, "sqlite:"+sb.path)
		if err != nil {
			sb.err = err
			return
		}
		var done int
		err = s.r.QueryRow(`SELECT COUNT(*) FROM stats_monthly WHERE bucket = ?`, benchYear.AddDate(0, 11, 0).Unix()).Scan(&done)
		s.Close()
		if err != nil || done > 0 {
			sb.err = err
			return
		}
		b.Logf("filling %s with a year of counters (once; kept for later runs)", sb.path)
		start := time.Now()
		db, err := sql.Open("sqlite", sb.path+"?_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
		if err != nil {
			sb.err = err
			return
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`WITH RECURSIVE g(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM g WHERE v < 10) INSERT OR IGNORE INTO orgs (id, level, code, name) SELECT v, 2, 'B' || v, 'B' || v FROM g`); err != nil {
			sb.err = err
			return
		}
		if _, err := db.Exec(`WITH RECURSIVE g(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM g WHERE v < 50) INSERT OR IGNORE INTO accounts (id, name, org_id) SELECT v, 'bench-' || v, 1 + v % 10 FROM g`); err != nil {
			sb.err = err
			return
		}
		for _, t := range []string{statsHourly, statsDaily, statsMonthly, "stats_series"} {
			if _, err := db.Exec(`DELETE FROM ` + t); err != nil {
				sb.err = err
				return
			}
		}
		const per = 100
		tx, err := db.Begin()
		if err != nil {
			sb.err = err
			return
		}
		n := 0
		sb.err = genStats(func(table string, rows [][]any) error {
			cols := statsColsOf(table)
			tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + "), "
			for len(rows) > 0 {
				k := min(len(rows), per)
				q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(tuple, k), ", ")
				args := make([]any, 0, k*len(cols))
				for _, c := range rows[:k] {
					args = append(args, c...)
				}
				if _, err := tx.Exec(q, args...); err != nil {
					return err
				}
				rows, n = rows[k:], n+k
			}
			if n > 500_000 {
				if err := tx.Commit(); err != nil {
					return err
				}
				var err error
				tx, err = db.Begin()
				n = 0
				return err
			}
			return nil
		})
		if sb.err == nil {
			sb.err = tx.Commit()
		} else {
			_ = tx.Rollback()
		}
		if sb.err == nil {
			_, sb.err = db.Exec(`ANALYZE`)
		}
		b.Logf("filled in %s", time.Since(start).Round(time.Second))
	})
	if sb.err != nil {
		b.Fatal(sb.err)
	}
	return sb.path
}

// The reports a platform's users ask for, over the filled year.
func statsBenchQueries() []struct {
	name string
	q    store.StatsQuery
} {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, store.Shanghai)
	dec := nov.AddDate(0, 1, 0)
	all := []store.StatDim{store.DimAccount, store.DimOrg, store.DimBusiness, store.DimOperator, store.DimGateway}
	return []struct {
		name string
		q    store.StatsQuery
	}{
		{"month_by_day_business", store.StatsQuery{From: nov, To: dec, Grain: store.GrainDay, GroupBy: []store.StatDim{store.DimBusiness}}},
		{"month_settlement_all_dims", store.StatsQuery{From: nov, To: dec, GroupBy: all}},
		{"month_by_org", store.StatsQuery{From: nov, To: dec, GroupBy: []store.StatDim{store.DimOrg}}},
		{"month_one_account_by_day", store.StatsQuery{From: nov, To: dec, Grain: store.GrainDay, Accounts: []int64{17}}},
		{"month_org_scope_by_account", store.StatsQuery{From: nov, To: dec, GroupBy: []store.StatDim{store.DimAccount}, Accounts: []int64{3, 13, 23, 33, 43}}},
		{"ragged_range_by_business", store.StatsQuery{From: nov.Add(2*24*time.Hour + 10*time.Hour), To: nov.Add(19*24*time.Hour + 15*time.Hour), GroupBy: []store.StatDim{store.DimBusiness}}},
		{"month_by_hour", store.StatsQuery{From: nov, To: dec, Grain: store.GrainHour}},
		{"day_by_hour_operator", store.StatsQuery{From: nov.Add(24 * 24 * time.Hour), To: nov.Add(25 * 24 * time.Hour), Grain: store.GrainHour, GroupBy: []store.StatDim{store.DimOperator}}},
		{"year_by_month_business_operator", store.StatsQuery{From: benchYear, To: benchYear.AddDate(1, 0, 0), Grain: store.GrainMonth, GroupBy: []store.StatDim{store.DimBusiness, store.DimOperator}}},
		{"year_by_account", store.StatsQuery{From: benchYear, To: benchYear.AddDate(1, 0, 0), GroupBy: []store.StatDim{store.DimAccount}}},
		{"year_by_day", store.StatsQuery{From: benchYear, To: benchYear.AddDate(1, 0, 0), Grain: store.GrainDay}},
	}
}

func benchStatsReports(b *testing.B, s store.Store) {
	ctx := context.Background()
	for _, tc := range statsBenchQueries() {
		b.Run(tc.name, func(b *testing.B) {
			var rows []store.StatRow
			var msgs int64
			for b.Loop() {
				var err error
				if rows, err = s.Stats(ctx, tc.q); err != nil {
					b.Fatal(err)
				}
			}
			for _, r := range rows {
				if r.State == store.Accepted {
					msgs += r.Messages
				}
			}
			if len(rows) == 0 {
				b.Fatal("no rows")
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
			b.ReportMetric(float64(len(rows)), "rows")
			b.ReportMetric(float64(msgs)/1e6, "Mmsgs")
		})
	}
}

func BenchmarkSQLiteStatsReport(b *testing.B) {
	path := statsBenchSQLite(b)
	s, err := Open(context.Background(), "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	benchStatsReports(b, s)
}

func BenchmarkPostgresStatsReport(b *testing.B) {
	dsn := pgtest.DSN(b)
	s, err := OpenStore(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	start := time.Now()
	if err := fillPostgresStats(s); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled PostgreSQL in %s", time.Since(start).Round(time.Second))
	benchStatsReports(b, s)
}

func fillPostgresStats(s *Store) error {
	ctx := context.Background()
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `INSERT INTO orgs (id, level, code, name) SELECT g, 2, 'B' || g, 'B' || g FROM generate_series(1, 10) g ON CONFLICT DO NOTHING`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO accounts (id, name, org_id) SELECT g, 'bench-' || g, 1 + g % 10 FROM generate_series(1, 50) g ON CONFLICT DO NOTHING`); err != nil {
		return err
	}
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		pc := sc.Conn()
		return genStats(func(table string, rows [][]any) error {
			_, err := pc.CopyFrom(ctx, pgx.Identifier{table}, statsColsOf(table), pgx.CopyFromRows(rows))
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	_, err = s.w.ExecContext(ctx, `ANALYZE stats_hourly; ANALYZE stats_daily; ANALYZE stats_monthly; ANALYZE stats_series`)
	return err
}
