// Package sqlstore implements store.Store over database/sql for SQLite
// (modernc.org/sqlite, pure Go, so the one binary cross-compiles without
// cgo) and PostgreSQL (pgx). The SQL is written once; a small dialect
// rewrites placeholders, upserts and locking where the databases differ, and
// each dialect has its own directory of embedded migrations.
//
// Open picks the database from the DSN:
//
//	sqlite:PATH, or a bare file path     SQLite (":memory:" works for tests)
//	postgres://…, postgresql://…         PostgreSQL
//
// SQLite runs in WAL mode with one writer connection (writes are serialised
// in the process instead of fighting over the file lock) and a separate
// read-only pool, so queries never wait behind a write transaction.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"hongyan/internal/store"
)

// Sync is SQLite's durability level for commits in WAL mode.
type Sync int

const (
	// SyncFull fsyncs the WAL at every commit: a committed transaction
	// survives power loss and OS crashes. The default, because Q2 says no
	// message is lost; the hot paths group-commit, so one fsync carries many
	// messages and the cost is per batch, not per message.
	SyncFull Sync = iota
	// SyncNormal fsyncs only at checkpoints. Still safe against a crash of
	// the process (the WAL is in the OS page cache) and never corrupts the
	// database, but the last transactions before a power loss or kernel
	// crash may be rolled back. Faster on slow disks; choose it only when
	// the machine has a UPS or a battery-backed write cache, or when losing
	// the last instant of traffic on power failure is acceptable.
	SyncNormal
)

// Option configures Open.
type Option func(*options)

type options struct {
	sync            Sync
	busyTimeout     time.Duration
	readConns       int
	maxConns        int
	checkpointEvery time.Duration // SQLite: checkpointer interval; 0 = none (the writer checkpoints)
	noStats         bool
}

// WithoutStatistics stops the statistics counters (B4) being kept: reports
// then show nothing new. Only for measuring what the counters cost
// (`hongyan bench --bare`); a platform keeps them.
func WithoutStatistics() Option { return func(o *options) { o.noStats = true } }

// WithSynchronous sets SQLite's synchronous level (default SyncFull).
// Ignored for PostgreSQL, whose durability is the server's configuration.
func WithSynchronous(s Sync) Option { return func(o *options) { o.sync = s } }

// WithBusyTimeout sets how long SQLite waits for a lock held by another
// process (default 10s). In-process writers never contend: they share one
// connection.
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// withCheckpointEvery sets the SQLite checkpointer's interval; 0 leaves
// checkpoints to the writer (SQLite's default). For tests.
func withCheckpointEvery(d time.Duration) Option { return func(o *options) { o.checkpointEvery = d } }

// WithReadConns sets the size of SQLite's read-only pool (default
// max(4, GOMAXPROCS)).
func WithReadConns(n int) Option { return func(o *options) { o.readConns = n } }

// WithMaxConns sets the PostgreSQL pool size (default 16). Several group
// committers and queries run at once; each holds a connection only for the
// length of one transaction.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// Store is the database/sql implementation of store.Store.
type Store struct {
	d   dialect
	w   *sql.DB // writes; SQLite: exactly one connection
	r   *sql.DB // reads; SQLite: read-only pool; PostgreSQL: same as w
	wst *stmtCache
	rst *stmtCache
	ins inserts

	// SQLite's block of timeline line ids (see sqliteDialect.lineIDs).
	lineMu              sync.Mutex
	lineNext, lineLimit int64

	// SQLite: what the hot paths know of messages, across transactions
	// (see msgcache.go); nil on PostgreSQL.
	mc *msgCache

	// stats: the statistics series known to exist (stats.go).
	stats   statsCache
	noStats bool // WithoutStatistics

	// SQLite's checkpointer goroutine (nil channels: none).
	ckStop, ckDone chan struct{}

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database named by dsn and brings its
// schema up to date.
func Open(ctx context.Context, dsn string, opts ...Option) (store.Store, error) {
	return OpenStore(ctx, dsn, opts...)
}

// OpenStore is Open returning the concrete type (for tests and tools that
// need more than the interface).
func OpenStore(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{busyTimeout: 10 * time.Second, readConns: max(4, runtime.GOMAXPROCS(0)), maxConns: 16, checkpointEvery: 100 * time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	var s *Store
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err = openPostgres(ctx, dsn, o)
	case strings.HasPrefix(dsn, "sqlite:"):
		s, err = openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//"), o)
	case dsn == "":
		return nil, errors.New("store: open: empty DSN")
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("store: open: unsupported DSN scheme in %q (want sqlite:PATH, a file path, or postgres://…)", redact(dsn))
	default:
		s, err = openSQLite(ctx, dsn, o)
	}
	if err != nil {
		return nil, err
	}
	s.noStats = o.noStats
	return s, nil
}

func openSQLite(ctx context.Context, path string, o options) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: open sqlite: empty path")
	}
	if strings.ContainsRune(path, '?') {
		// The driver's parameters are ours to set (see Option).
		return nil, fmt.Errorf("store: open sqlite %q: no parameters in the path; use Open's options", path)
	}
	memory := path == ":memory:"
	if !memory {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: open sqlite: %w", err)
			}
		}
	}
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds()))
	common.Add("_pragma", "foreign_keys(1)")

	wq := url.Values{}
	for k, v := range common {
		wq[k] = append([]string(nil), v...)
	}
	syncMode := "FULL"
	if o.sync == SyncNormal {
		syncMode = "NORMAL"
	}
	// IMMEDIATE: a write transaction takes the write lock at BEGIN, so
	// another process writing the same file makes us wait (busy_timeout)
	// rather than fail mid-transaction with SQLITE_BUSY on lock upgrade.
	wq.Set("_txlock", "immediate")
	if !memory {
		wq.Add("_pragma", "journal_mode(WAL)")
		// Keep the WAL file from staying huge after a burst.
		wq.Add("_pragma", "journal_size_limit(67108864)")
		// Checkpoints run on a connection of their own (checkpointer), so
		// that no commit waits for one; the writer checkpoints only if the
		// WAL still outgrows this (the checkpointer cannot keep up, or is
		// held back by a long read).
		wq.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages))
	}
	wq.Add("_pragma", "synchronous("+syncMode+")")
	// 16 MiB of page cache for the writer. Not more: below 1 GiB of
	// database, a commit after a b-tree split that renumbered pages (which
	// SQLite does through a temporary page number at the 1 GiB mark) scans
	// the writer's whole page cache, so a big cache costs more CPU on every
	// such commit than it saves in reads; above 1 GiB the scan does not
	// happen and the OS cache serves the misses.
	wq.Add("_pragma", "cache_size(-16384)")
	wq.Add("_pragma", "temp_store(MEMORY)")

	w, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// One connection: SQLite allows one writer at a time anyway, and a
	// single connection lets its prepared statements be reused forever.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	d := sqliteDialect{}
	// The writer migrates before any reader opens, so readers always see
	// the WAL-mode file with its schema.
	if err := migrate(ctx, w, d); err != nil {
		w.Close()
		return nil, err
	}
	r := w
	if !memory {
		rq := url.Values{}
		for k, v := range common {
			rq[k] = append([]string(nil), v...)
		}
		rq.Set("_query_only", "1") // a read connection can never write by mistake
		r, err = sql.Open("sqlite", path+"?"+rq.Encode())
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite readers: %w", err)
		}
		r.SetMaxOpenConns(o.readConns)
		r.SetMaxIdleConns(o.readConns)
		r.SetConnMaxIdleTime(5 * time.Minute)
		if err := r.PingContext(ctx); err != nil {
			w.Close()
			r.Close()
			return nil, fmt.Errorf("store: open sqlite readers %s: %w", path, err)
		}
	}
	s := newStore(d, w, r)
	s.mc = newMsgCache(msgCacheGen)
	if !memory && o.checkpointEvery > 0 {
		cq := url.Values{}
		for k, v := range common {
			cq[k] = append([]string(nil), v...)
		}
		cq.Set("_query_only", "1")                     // checkpoints are allowed; changing data is not
		cq.Add("_pragma", "synchronous("+syncMode+")") // a checkpoint syncs the database file as the writer would
		ck, err := sql.Open("sqlite", path+"?"+cq.Encode())
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
		}
		ck.SetMaxOpenConns(1)
		ck.SetMaxIdleConns(1)
		ck.SetConnMaxIdleTime(0)
		s.ckStop, s.ckDone = make(chan struct{}), make(chan struct{})
		go s.checkpointer(ck, o.checkpointEvery)
	}
	return s, nil
}

// writerCheckpointPages is the WAL size (pages) past which the writer
// checkpoints after a commit itself: a safety valve, normally never reached.
const writerCheckpointPages = 16384

// checkpointer copies the WAL into the database file every interval (a
// PASSIVE checkpoint: it waits for no one, and no one waits for it), on a
// connection of its own. Left to the writer (SQLite's default), a
// checkpoint runs inside a commit every thousand pages and the group commit
// that triggered it, and every caller waiting on it, waits for the copy
// and the database file's fsync. The WAL restarts from its beginning at
// the first write after a checkpoint has copied all of it.
func (s *Store) checkpointer(ck *sql.DB, interval time.Duration) {
	defer close(s.ckDone)
	defer ck.Close()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.ckStop:
			return
		case <-t.C:
		}
		// Errors (SQLITE_BUSY while the writer checkpoints itself, I/O)
		// are left to the next round and, ultimately, to the writer.
		var busy, log, done int
		_ = ck.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done)
	}
}

func openPostgres(ctx context.Context, dsn string, o options) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres %s: %w", redact(dsn), err)
	}
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour) // follow failovers and DNS changes eventually
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open postgres %s: %w", redact(dsn), err)
	}
	d := postgresDialect{}
	if err := migrate(ctx, db, d); err != nil {
		db.Close()
		return nil, err
	}
	return newStore(d, db, db), nil
}

func newStore(d dialect, w, r *sql.DB) *Store {
	return &Store{d: d, w: w, r: r, wst: newStmtCache(w, d), rst: newStmtCache(r, d), ins: newInserts(d)}
}

// redact hides a password in a DSN for error messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect names the implementation: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

// Close releases the database. SQLite is asked to refresh its planner
// statistics first (cheap; it only analyses what changed a lot).
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.ckStop != nil {
			close(s.ckStop)
			<-s.ckDone
		}
		if s.d.name() == "sqlite" {
			_, _ = s.w.Exec(`PRAGMA optimize`)
		}
		s.wst.close()
		s.rst.close()
		err := s.w.Close()
		if s.r != s.w {
			err = errors.Join(err, s.r.Close())
		}
		s.closeErr = err
	})
	return s.closeErr
}

// ---- prepared statements ----

// stmtCache prepares each query text once per pool. On SQLite's single
// writer connection a statement is compiled once and reused by every
// transaction (tx.StmtContext binds it without re-preparing).
//
// A pool-level statement can only be prepared while a connection is free,
// and inside a write transaction SQLite's only connection is not: so a
// transaction that meets a new query prepares it on its own connection for
// that once, and the query is prepared for the pool after the commit.
type stmtCache struct {
	db *sql.DB
	d  dialect
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB, d dialect) *stmtCache {
	return &stmtCache{db: db, d: d, m: map[string]*sql.Stmt{}}
}

// lookup returns the prepared statement for q, or nil.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// get returns the statement for q, preparing it on the pool if needed.
// Never call it while holding the pool's last connection.
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := c.lookup(q); st != nil {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, c.d.rebind(q))
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(q), err)
	}
	c.mu.Lock()
	old, ok := c.m[q]
	if !ok {
		c.m[q] = st
	}
	c.mu.Unlock()
	if ok { // another goroutine won the race
		// Outside c.mu: Close waits for connections in use, whose
		// transactions may be waiting for c.mu.
		st.Close()
		return old, nil
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	m := c.m
	c.m = map[string]*sql.Stmt{}
	c.mu.Unlock()
	for _, st := range m {
		st.Close()
	}
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i >= 0 {
		q = q[:i] + " …"
	}
	if len(q) > 120 {
		q = q[:120] + " …"
	}
	return q
}

// ---- transactions ----

// wtx is one write transaction with its statements bound.
type wtx struct {
	s     *Store
	ctx   context.Context
	tx    *sql.Tx
	bound map[string]*sql.Stmt // query → statement usable in tx
	fresh []string             // queries to prepare for the pool after the transaction

	// msgs holds what this transaction knows of the messages it read or
	// wrote (kept current by every hot path as it writes), so that the
	// parts of one Write read a message once (see loadMessages).
	msgs map[int64]*msgInfo
	// finals: messages that went final in this transaction (see wtx.final).
	finals []int64
	// acct: money this transaction reserves, releases and charges (billing.go).
	acct map[int64]*acctMoney
	// sub: subscriber months this transaction prices and gives back (subscriptions.go).
	sub *subTx
	// stats: counters this transaction adds to, flushed once per key at its end (stats.go).
	stats     map[statKey]*statVal
	newSeries map[seriesKey]int64 // statistics series it created or looked up
	// lineBlock: this transaction reserved SQLite's current block of line
	// ids (see sqliteDialect.lineIDs), to be forgotten if it rolls back.
	lineBlock bool
}

func (w *wtx) stmt(q string) (*sql.Stmt, error) {
	if b, ok := w.bound[q]; ok {
		return b, nil
	}
	var b *sql.Stmt
	if st := w.s.wst.lookup(q); st != nil {
		b = w.tx.StmtContext(w.ctx, st)
	} else {
		var err error
		if b, err = w.tx.PrepareContext(w.ctx, w.s.d.rebind(q)); err != nil {
			return nil, fmt.Errorf("prepare %q: %w", firstLine(q), err)
		}
		w.fresh = append(w.fresh, q)
	}
	w.bound[q] = b
	return b, nil
}

func (w *wtx) exec(q string, args ...any) (sql.Result, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

// execN runs q and returns the number of rows it affected.
func (w *wtx) execN(q string, args ...any) (int64, error) {
	res, err := w.exec(q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (w *wtx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(w.ctx, args...)
}

// scanOne runs a one-row query; sql.ErrNoRows when there is none.
func (w *wtx) scanOne(q string, args []any, dest ...any) error {
	st, err := w.stmt(q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(w.ctx, args...).Scan(dest...)
}

// write runs fn in one transaction, retrying a few times when the database
// chose it as a deadlock or serialisation victim. fn must reset whatever it
// reports to the caller, since it may run more than once.
func (s *Store) write(ctx context.Context, op string, fn func(w *wtx) error) error {
	// Inside Write, every hot-path method joins the one transaction.
	if w, ok := ctx.Value(wtxKey{}).(*wtx); ok && w.s == s {
		if err := fn(w); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	}
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if err == nil {
			return nil
		}
		if attempt < 4 && s.d.retryable(err) && ctx.Err() == nil {
			time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
			continue
		}
		return fmt.Errorf("store: %s: %w", op, err)
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(w *wtx) error) error {
	if s.mc != nil {
		s.mc.mu.Lock()
		defer s.mc.mu.Unlock()
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	w := &wtx{s: s, ctx: ctx, tx: tx, bound: map[string]*sql.Stmt{}}
	if s.mc != nil {
		err = s.mc.begin(w)
	}
	if err == nil {
		err = fn(w)
	}
	if err == nil {
		err = w.flushMoney()
	}
	if err == nil {
		err = w.flushSubs() // after the accounts: every transaction locks accounts, then subscriber months
	}
	if err == nil {
		err = w.flushStats()
	}
	var audited func() // an administrative change's audit entry rides in the same transaction (audit.go)
	if err == nil {
		audited, err = w.writeAudit()
	}
	if err != nil {
		_ = tx.Rollback()
	} else if err = tx.Commit(); err != nil {
		err = fmt.Errorf("commit: %w", err)
	} else if audited != nil {
		audited()
	}
	w.settle(err == nil)
	w.settleStats(err == nil)
	if err != nil && w.lineBlock {
		s.lineMu.Lock()
		s.lineNext, s.lineLimit = 0, 0
		s.lineMu.Unlock()
	}
	// The connection is free again: keep the new statements for next time.
	// A failure here only means preparing again later.
	for _, q := range w.fresh {
		_, _ = s.wst.get(ctx, q)
	}
	return err
}

// wtxKey carries the transaction of Write to the methods it calls.
type wtxKey struct{}

// Write applies a whole hot-path batch in ONE transaction (one commit, one
// fsync), in the order of WriteSet's fields.
func (s *Store) Write(ctx context.Context, b *store.WriteSet) error {
	return s.write(ctx, "write", func(w *wtx) error {
		ctx := context.WithValue(w.ctx, wtxKey{}, w)
		b.SubmitOutcomes, b.ReportOutcomes = nil, nil
		if err := s.Accept(ctx, b.Accept); err != nil {
			return err
		}
		if err := s.MarkQueued(ctx, b.Queued); err != nil {
			return err
		}
		outs, err := s.RecordSubmits(ctx, b.Submits)
		if err != nil {
			return err
		}
		b.SubmitOutcomes = outs
		if outs, err = s.ApplyReports(ctx, b.Reports); err != nil {
			return err
		}
		b.ReportOutcomes = outs
		if err := s.ScheduleRetries(ctx, b.Retries); err != nil {
			return err
		}
		if err := s.FinishMessages(ctx, b.Finishes); err != nil {
			return err
		}
		if err := s.AddEvents(ctx, b.Events); err != nil {
			return err
		}
		return w.insertRefusals(b.Refusals)
	})
}

// ---- reads ----

func (s *Store) rquery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.rst.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (s *Store) rscanOne(ctx context.Context, q string, args []any, dest ...any) error {
	st, err := s.rst.get(ctx, q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// ---- bulk inserts ----

// bulkInsert inserts many rows with multi-row VALUES statements: one
// statement carries up to maxChunk rows, which on PostgreSQL is one round
// trip instead of a hundred, and on SQLite one bind-and-step instead of many
// calls through database/sql. Row counts are cut into powers of two so that
// only a handful of statement shapes are ever prepared.
type bulkInsert struct {
	table  string
	cols   []string
	suffix string // appended after VALUES (conflict clause)
	ignore bool   // conflict-ignoring insert

	mu sync.Mutex
	q  map[int]string // rows → SQL
}

const maxChunk = 128

func (b *bulkInsert) sql(d dialect, rows int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if q, ok := b.q[rows]; ok {
		return q
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(tuple)
	}
	q := sb.String()
	if b.ignore {
		q = d.insertIgnore(q)
	}
	q += b.suffix
	if b.q == nil {
		b.q = map[int]string{}
	}
	b.q[rows] = q
	return q
}

// insert inserts the rows in args (len(cols) values per row).
func (w *wtx) insert(b *bulkInsert, args []any) error {
	per := len(b.cols)
	if len(args)%per != 0 {
		return fmt.Errorf("insert %s: %d values for %d columns", b.table, len(args), per)
	}
	for rows := len(args) / per; rows > 0; {
		n := chunkSize(rows)
		if _, err := w.exec(b.sql(w.s.d, n), args[:n*per]...); err != nil {
			if w.s.d.isUniqueViolation(err) {
				return fmt.Errorf("insert %s: %w: %w", b.table, store.ErrDuplicate, err)
			}
			return fmt.Errorf("insert %s: %w", b.table, err)
		}
		args = args[n*per:]
		rows -= n
	}
	return nil
}

// chunkSize is the largest power of two <= min(n, maxChunk).
func chunkSize(n int) int {
	c := maxChunk
	for c > n {
		c >>= 1
	}
	return c
}

// inList returns "(?, ?, …)" for n values, padded to a power of two with
// NULLs (which match nothing, and cost far less to bind than a repeated
// string), and the padded arguments.
func inList[T any](vals []T) (string, []any) {
	n := 1
	for n < len(vals) {
		n <<= 1
	}
	args := make([]any, n)
	for i, v := range vals {
		args[i] = v
	}
	return inLists[n], args
}

// inLists[n] is "(?, ?, …)" with n placeholders, for the powers of two up
// to maxChunk.
var inLists = func() map[int]string {
	m := map[int]string{}
	for n := 1; n <= maxChunk; n <<= 1 {
		m[n] = "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	}
	return m
}()

// valuesTable returns "(VALUES (…), …) AS v" for rows, whose columns are
// described by kinds: 'i' an integer (cast, so that PostgreSQL knows the
// type of the parameter), 's' text. Like inList it pads to a power of two
// with rows of NULLs, which join nothing (the callers join on v.column1).
func valuesTable(kinds string, rows [][]any) (string, []any) {
	n := 1
	for n < len(rows) {
		n <<= 1
	}
	args := make([]any, n*len(kinds))
	for i, r := range rows {
		copy(args[i*len(kinds):], r)
	}
	key := valuesKey{kinds, n}
	if q, ok := valuesSQL.Load(key); ok {
		return q.(string), args
	}
	var tb strings.Builder
	tb.WriteByte('(')
	for i, k := range kinds {
		if i > 0 {
			tb.WriteString(", ")
		}
		if k == 'i' {
			tb.WriteString("CAST(? AS BIGINT)")
		} else {
			tb.WriteByte('?')
		}
	}
	tb.WriteByte(')')
	tuple := tb.String()
	var sb strings.Builder
	sb.WriteString("(VALUES ")
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(tuple)
	}
	sb.WriteString(") AS v")
	valuesSQL.Store(key, sb.String())
	return sb.String(), args
}

// updateRows updates rows of table from rows of values, one table row per
// values row, found by the first len(keyCols) values (integers, matched to
// table's keyCols) and cond ("" = none). set and cond refer to the values
// as v.column1, v.column2 … (kinds as in valuesTable) and to the table's
// columns qualified by its name. It reports which values rows changed a
// table row (the rows' keys must be distinct).
//
// PostgreSQL: one UPDATE … FROM (VALUES …) … RETURNING per chunk, one round
// trip for many rows. SQLite: the same UPDATE for one row (?N parameters in
// place of v.columnN), prepared once and run per row, which there costs
// less than joining a VALUES table (no round trip to save, no ephemeral
// table to build).
func (w *wtx) updateRows(table, kinds string, keyCols []string, set, cond string, rows [][]any) ([]bool, error) {
	changed := make([]bool, len(rows))
	var where, returning []string
	for i, c := range keyCols {
		where = append(where, fmt.Sprintf("%s.%s = v.column%d", table, c, i+1))
		returning = append(returning, table+"."+c)
	}
	if cond != "" {
		where = append(where, cond)
	}
	if w.s.d.name() == "sqlite" {
		q, n := perRowUpdate(table, set, strings.Join(where, " AND "))
		for i, r := range rows {
			k, err := w.execN(q, r[:n]...)
			if err != nil {
				return nil, err
			}
			changed[i] = k > 0
		}
		return changed, nil
	}
	at := make(map[[2]int64]int, len(rows))
	key := func(r []any) (k [2]int64) {
		for i := range keyCols {
			k[i] = r[i].(int64)
		}
		return k
	}
	for i, r := range rows {
		at[key(r)] = i
	}
	err := chunks(rows, func(c [][]any) error {
		vals, args := valuesTable(kinds, c)
		rs, err := w.query(w.s.d.updateFrom(table, set, vals, strings.Join(where, " AND "), strings.Join(returning, ", ")), args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var k [2]int64
			dest := make([]any, len(keyCols))
			for i := range dest {
				dest[i] = &k[i]
			}
			if err := rs.Scan(dest...); err != nil {
				return err
			}
			if i, ok := at[k]; ok {
				changed[i] = true
			}
		}
		return rs.Err()
	})
	return changed, err
}

// perRowUpdate turns set and where written against v.column1 … into the
// UPDATE of one row with parameters ?1 …, and says how many it takes.
func perRowUpdate(table, set, where string) (string, int) {
	k := table + "\x00" + set + "\x00" + where
	if v, ok := perRowSQL.Load(k); ok {
		p := v.(perRow)
		return p.q, p.n
	}
	q := "UPDATE " + table + " SET " + strings.ReplaceAll(set, "v.column", "?") + " WHERE " + strings.ReplaceAll(where, "v.column", "?")
	n := 0
	for rest := q; ; {
		i := strings.IndexByte(rest, '?')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if v, err := strconv.Atoi(rest[:j]); err == nil {
			n = max(n, v)
		}
	}
	perRowSQL.Store(k, perRow{q, n})
	return q, n
}

type perRow struct {
	q string
	n int
}

var perRowSQL sync.Map

type valuesKey struct {
	kinds string
	rows  int
}

// valuesSQL caches valuesTable's SQL by shape.
var valuesSQL sync.Map

// chunks calls fn with consecutive slices of at most maxChunk values.
func chunks[T any](vals []T, fn func([]T) error) error {
	for len(vals) > 0 {
		n := min(len(vals), maxChunk)
		if err := fn(vals[:n]); err != nil {
			return err
		}
		vals = vals[n:]
	}
	return nil
}

// ---- values ----

// Times are unix microseconds; the zero time is 0.
func us(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func tm(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// orNow is t, or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// limitClause is " LIMIT n" for n > 0; n <= 0 means no limit.
func limitClause(n int) (string, []any) {
	if n <= 0 {
		return "", nil
	}
	return " LIMIT ?", []any{n}
}
