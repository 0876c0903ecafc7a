package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/store/pgtest"
	"hongyan/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openSQLiteT(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := OpenStore(context.Background(), "sqlite:"+path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openSQLiteT(t, filepath.Join(t.TempDir(), "hongyan.db"))
	})
}

// The suite once more on an in-memory database (one connection for both
// reads and writes), which tests and tools use.
func TestSQLiteMemoryConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), "sqlite::memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestSQLitePragmas(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		sync int
	}{{nil, 2}, {[]Option{WithSynchronous(SyncNormal)}, 1}} {
		s := openSQLiteT(t, filepath.Join(t.TempDir(), "p.db"), tc.opts...)
		var mode string
		var fk, syncv, qo int
		if err := s.w.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode %q %v", mode, err)
		}
		if err := s.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys %d %v", fk, err)
		}
		if err := s.w.QueryRow(`PRAGMA synchronous`).Scan(&syncv); err != nil || syncv != tc.sync {
			t.Fatalf("synchronous %d %v, want %d", syncv, err, tc.sync)
		}
		if s.w.Stats().MaxOpenConnections != 1 {
			t.Fatalf("writer pool max %d, want 1", s.w.Stats().MaxOpenConnections)
		}
		// Readers are read-only.
		if err := s.r.QueryRow(`PRAGMA query_only`).Scan(&qo); err != nil || qo != 1 {
			t.Fatalf("reader query_only %d %v", qo, err)
		}
		if _, err := s.r.Exec(`DELETE FROM accounts`); err == nil {
			t.Fatal("a read connection could write")
		}
	}
}

// A read is not blocked by an open write transaction.
func TestSQLiteReadsDuringWrite(t *testing.T) {
	s := openSQLiteT(t, filepath.Join(t.TempDir(), "rw.db"))
	ctx := context.Background()
	if err := s.CreateAccount(ctx, &store.Account{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO accounts (name) VALUES ('b')`); err != nil {
		t.Fatal(err)
	}
	as, err := s.Accounts(ctx) // on the read pool: sees the last commit, does not wait
	if err != nil || len(as) != 1 {
		t.Fatalf("Accounts during a write: %d %v", len(as), err)
	}
}

func TestSQLiteMigrateIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	s := openSQLiteT(t, path)
	if err := s.CreateAccount(ctx, &store.Account{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openSQLiteT(t, path) // applies nothing, keeps the data
	if _, err := s2.AccountByName(ctx, "keep"); err != nil {
		t.Fatal(err)
	}
	checkMigrations(t, s2.w)
	if err := migrate(ctx, s2.w, s2.d); err != nil {
		t.Fatal(err)
	}
	checkMigrations(t, s2.w)
}

func TestSQLiteRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.db")
	s := openSQLiteT(t, path)
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("opened a database whose schema is newer than the program")
	}
}

func checkMigrations(t *testing.T, db *sql.DB) {
	t.Helper()
	ms, err := loadMigrations(sqliteDialect{}.migrations())
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("schema_migrations rows %d (%v), want %d", n, err, len(ms))
	}
}

func TestOpenDSNs(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "bare.db"), "sqlite:" + filepath.Join(dir, "sub", "prefixed.db")} {
		s, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		if s.Dialect() != "sqlite" {
			t.Fatalf("%s: dialect %s", dsn, s.Dialect())
		}
		s.Close()
	}
	for _, dsn := range []string{"", "mysql://x", "sqlite:", "sqlite:/tmp/x.db?_pragma=foo"} {
		if _, err := Open(context.Background(), dsn); err == nil {
			t.Fatalf("Open(%q) succeeded", dsn)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- c\nCREATE TABLE a (\n  x INT -- note\n);\n\nCREATE INDEX i ON a (x);\n")
	if len(got) != 2 || got[1] != "CREATE INDEX i ON a (x);" {
		t.Fatalf("%q", got)
	}
}

func TestRebind(t *testing.T) {
	if got := (postgresDialect{}).rebind("a = ? AND b IN (?, ?)"); got != "a = $1 AND b IN ($2, $3)" {
		t.Fatal(got)
	}
}

// The writer remembers messages between transactions (msgCache); a change
// committed by another connection (another process) must make it forget.
func TestSQLiteSeesOtherWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	s := openSQLiteT(t, path)
	ctx := context.Background()
	a := &store.Account{Name: "a"}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	it := &store.AcceptItem{Batch: store.Batch{ID: 1, AccountID: a.ID}, Messages: []*store.Message{{ID: 2, To: "13800138000"}}}
	if err := s.Accept(ctx, []*store.AcceptItem{it}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkQueued(ctx, []store.QueuedMark{{MessageID: 2, Gateway: "gw", Segments: 1}}); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`UPDATE messages SET state = 'expired', done_at = 1, attempts = 7 WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	// The store must see the message final now: a mark leaves it alone.
	if err := s.MarkQueued(ctx, []store.QueuedMark{{MessageID: 2, Gateway: "gw2", Segments: 1}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMessage(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != store.Expired || m.Attempts != 7 || m.Gateway != "gw" {
		t.Fatalf("message = %+v, want it as the other connection left it", m)
	}
}

// The checkpointer, not the writer, copies the WAL into the database file.
func TestSQLiteCheckpointer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ck.db")
	s := openSQLiteT(t, path, withCheckpointEvery(5*time.Millisecond))
	var pages int
	if err := s.w.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil || pages != writerCheckpointPages {
		t.Fatalf("writer wal_autocheckpoint %d %v, want %d", pages, err, writerCheckpointPages)
	}
	ctx := context.Background()
	for i := range 20 {
		if err := s.CreateAccount(ctx, &store.Account{Name: fmt.Sprint("a", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// The WAL-index header (see SQLite's wal.c): mxFrame at 16, then the
	// checkpoint info's nBackfill at 96, native byte order.
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(path + "-shm")
		if err != nil {
			t.Fatal(err)
		}
		mx, backfill := binary.NativeEndian.Uint32(b[16:]), binary.NativeEndian.Uint32(b[96:])
		if mx > 0 && backfill == mx {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("WAL not checkpointed: %d frames, %d backfilled", mx, backfill)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
