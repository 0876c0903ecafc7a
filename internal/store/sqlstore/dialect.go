package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between databases. The SQL in this
// package is written once, with ? placeholders and standard syntax; a
// dialect rewrites what has to differ. A third database (MySQL/MariaDB) is a
// new implementation of this interface plus a migrations directory.
type dialect interface {
	name() string
	// rebind turns ? placeholders into the database's own ($1, $2 … for
	// PostgreSQL). The queries here never contain a literal '?'.
	rebind(q string) string
	// upsert returns the clause appended to an INSERT so that a conflict on
	// key updates cols to the new row's values, but only where the existing
	// row satisfies cond ("" = always; columns qualified by the table name).
	upsert(key, cols []string, cond string) string
	// insertIgnore turns "INSERT INTO …" into its conflict-ignoring form.
	insertIgnore(insert string) string
	// updateFrom updates many rows in one statement: table's rows joined
	// with the rows of values (a "(VALUES …) AS v" whose columns are
	// v.column1, v.column2 …) on where, returning returning ("" = none).
	// SQLite (3.33+/3.35+) and PostgreSQL share the syntax; MySQL would
	// write UPDATE … JOIN (VALUES ROW(…)) and have no RETURNING, falling
	// back to one statement per row.
	updateFrom(table, set, values, where, returning string) string
	// lockSuffix is appended to a SELECT that must lock the rows it reads
	// until commit ("" where a single writer already serialises everything).
	lockSuffix() string
	// lockKeys takes transaction-scoped locks on arbitrary keys, in the order
	// given (callers sort them so that two transactions never deadlock).
	lockKeys(ctx context.Context, tx *sql.Tx, keys []int64) error
	// lineIDs returns n new timeline line ids, ascending, each greater than
	// every id handed out by a committed transaction before (see the events
	// table). Holes are allowed: callers reserve an upper bound.
	lineIDs(w *wtx, n int) ([]int64, error)
	// queryPlanned runs a query planned for its arguments and the table as it
	// is now, where a plan cached when the table was small could scan it
	// whole once it is large.
	queryPlanned(w *wtx, q string, args ...any) (*sql.Rows, error)
	// afterExplicitID runs after a row was inserted into table with an id
	// chosen by the caller, so that later generated ids do not collide.
	afterExplicitID(ctx context.Context, tx *sql.Tx, table string) error
	// migrationLock serialises concurrent migrators (several nodes starting).
	migrationLock(ctx context.Context, tx *sql.Tx) error
	isUniqueViolation(err error) bool
	// retryable says whether a transaction that failed with err may simply be
	// run again (deadlock victim, serialisation failure).
	retryable(err error) bool
	migrations() fs.FS
}

// ---- SQLite ----

type sqliteDialect struct{}

func (sqliteDialect) name() string           { return "sqlite" }
func (sqliteDialect) rebind(q string) string { return q }
func (sqliteDialect) upsert(key, cols []string, cond string) string {
	return onConflictUpsert(key, cols, cond)
}
func (sqliteDialect) insertIgnore(insert string) string { return insert + " ON CONFLICT DO NOTHING" }
func (sqliteDialect) updateFrom(table, set, values, where, returning string) string {
	return standardUpdateFrom(table, set, values, where, returning)
}
func (sqliteDialect) lockSuffix() string { return "" }

// SQLite has one writer connection and BEGIN IMMEDIATE: every write
// transaction is already serialised, so there is nothing to lock.
func (sqliteDialect) lockKeys(context.Context, *sql.Tx, []int64) error { return nil }

// Line ids are handed out from a block of lineBlock ids reserved in the
// counters row (high/low allocation): the row is written once per block,
// not in every transaction, and the ids of a block are below the row's
// value, so after a restart new ids are above all earlier ones. The block
// is reserved inside the write transaction (BEGIN IMMEDIATE: no other
// process can reserve the same one) and forgotten if that transaction
// rolls back (writeOnce). The ids left of a block at shutdown are holes.
func (sqliteDialect) lineIDs(w *wtx, n int) ([]int64, error) {
	if n <= 0 {
		return nil, nil
	}
	s := w.s
	s.lineMu.Lock()
	defer s.lineMu.Unlock()
	if s.lineNext+int64(n) > s.lineLimit {
		var v int64
		if err := w.scanOne(`SELECT value FROM counters WHERE name = 'timeline'`, nil, &v); err != nil {
			return nil, fmt.Errorf("timeline counter: %w", err)
		}
		limit := v + max(lineBlock, int64(n))
		if _, err := w.exec(`UPDATE counters SET value = ? WHERE name = 'timeline'`, limit); err != nil {
			return nil, fmt.Errorf("timeline counter: %w", err)
		}
		s.lineNext, s.lineLimit = v, limit
		w.lineBlock = true
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = s.lineNext
		s.lineNext++
	}
	return ids, nil
}

// lineBlock is how many line ids SQLite reserves at once (about four per
// message).
const lineBlock = 1 << 16

// SQLite plans a statement when it is prepared, and with an index at hand
// for an equality or IN it uses it whatever the table's size.
func (sqliteDialect) queryPlanned(w *wtx, q string, args ...any) (*sql.Rows, error) {
	return w.query(q, args...)
}

// SQLite's rowid allocation is max(rowid)+1: explicit ids need no fix-up.
func (sqliteDialect) afterExplicitID(context.Context, *sql.Tx, string) error { return nil }

// BEGIN IMMEDIATE already excludes other writers, other processes included.
func (sqliteDialect) migrationLock(context.Context, *sql.Tx) error { return nil }

func (sqliteDialect) isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// SQLITE_BUSY past busy_timeout is not retried: it means another process
// holds the file for longer than we are willing to wait.
func (sqliteDialect) retryable(error) bool { return false }
func (sqliteDialect) migrations() fs.FS    { return mustSub("migrations/sqlite") }

// ---- PostgreSQL ----

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) rebind(q string) string {
	n := strings.Count(q, "?")
	if n == 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + n*4)
	i := 0
	for _, c := range []byte(q) {
		if c == '?' {
			i++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(i))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (postgresDialect) upsert(key, cols []string, cond string) string {
	return onConflictUpsert(key, cols, cond)
}
func (postgresDialect) insertIgnore(insert string) string { return insert + " ON CONFLICT DO NOTHING" }
func (postgresDialect) updateFrom(table, set, values, where, returning string) string {
	return standardUpdateFrom(table, set, values, where, returning)
}

// FOR NO KEY UPDATE, not FOR UPDATE: it does not conflict with the KEY SHARE
// locks that foreign-key checks take (inserting an event for a message), so
// a writer inserting child rows never waits on, or deadlocks with, a
// transaction holding the message.
func (postgresDialect) lockSuffix() string { return " FOR NO KEY UPDATE" }

func (postgresDialect) lockKeys(ctx context.Context, tx *sql.Tx, keys []int64) error {
	if len(keys) == 0 {
		return nil
	}
	// Volatile functions in the target list run after ORDER BY, so the
	// locks are taken in the order the caller sorted them.
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS t(k) ORDER BY k`, keys)
	return err
}

// One round trip per call. The sequence is not transactional, so
// concurrent transactions never wait for each other here; the callers take
// ids after locking the messages the lines belong to, so the lines of one
// message are numbered in the order they are written.
func (postgresDialect) lineIDs(w *wtx, n int) ([]int64, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := w.query(`SELECT nextval('timeline_ids') FROM generate_series(1, CAST(? AS BIGINT)) ORDER BY 1`, int64(n))
	if err != nil {
		return nil, fmt.Errorf("timeline ids: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("timeline ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline ids: %w", err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("timeline ids: got %d, want %d", len(ids), n)
	}
	return ids, nil
}

// A prepared statement's plan is cached (after five runs, a generic one),
// and made while the table was small — on a fresh database, a sequential
// scan — it stays until the table is next analysed. An unnamed statement
// (pgx's exec mode) is planned each time, for its arguments.
func (d postgresDialect) queryPlanned(w *wtx, q string, args ...any) (*sql.Rows, error) {
	return w.tx.QueryContext(w.ctx, d.rebind(q), append([]any{pgx.QueryExecModeExec}, args...)...)
}

func (postgresDialect) afterExplicitID(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'), GREATEST((SELECT MAX(id) FROM `+table+`), 1))`)
	return err
}

func (postgresDialect) migrationLock(ctx context.Context, tx *sql.Tx) error {
	// Per schema, so that test schemas in one database migrate in parallel.
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('hongyan.migrate.' || current_schema()))`)
	return err
}

func (postgresDialect) isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

func (postgresDialect) retryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

func (postgresDialect) migrations() fs.FS { return mustSub("migrations/postgres") }

// onConflictUpsert is the standard form SQLite and PostgreSQL share. (MySQL:
// ON DUPLICATE KEY UPDATE c = IF(cond, VALUES(c), c).)
func onConflictUpsert(key, cols []string, cond string) string {
	var b strings.Builder
	b.WriteString(" ON CONFLICT (")
	b.WriteString(strings.Join(key, ", "))
	b.WriteString(") DO UPDATE SET ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = excluded." + c)
	}
	if cond != "" {
		b.WriteString(" WHERE " + cond)
	}
	return b.String()
}

func standardUpdateFrom(table, set, values, where, returning string) string {
	q := "UPDATE " + table + " SET " + set + " FROM " + values + " WHERE " + where
	if returning != "" {
		q += " RETURNING " + returning
	}
	return q
}

// lockKey maps a string to an advisory-lock key. Collisions only make two
// unrelated transactions wait for each other.
func lockKey(ns, s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(ns))
	h.Write([]byte{0})
	h.Write([]byte(s))
	return int64(h.Sum64())
}
