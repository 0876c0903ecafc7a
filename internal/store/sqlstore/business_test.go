package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"hongyan/internal/store"
	"hongyan/internal/store/pgtest"
)

// migrateUpTo applies the dialect's migrations before version `before`, as
// an older program would have.
func migrateUpTo(t *testing.T, db *sql.DB, d dialect, before int) {
	t.Helper()
	ms, err := loadMigrations(d.migrations())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version >= before {
			continue
		}
		for _, stmt := range splitStatements(m.sql) {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%04d: %v", m.version, err)
			}
		}
		if _, err := db.ExecContext(ctx, d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)`), m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
}

// An account that existed before grants keeps sending every business type
// after the upgrade; one created afterwards starts with nothing.
func testGrantsMigration(t *testing.T, driver, dsn string, d dialect, open func() *Store) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	migrateUpTo(t, db, d, 7)
	for _, q := range []string{`INSERT INTO accounts (name) VALUES ('old-system')`, `INSERT INTO business_types (code) VALUES ('notice')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s := open()
	ctx := context.Background()
	old, err := s.AccountByName(ctx, "old-system")
	if err != nil {
		t.Fatal(err)
	}
	fresh := &store.Account{Name: "new-partner", Kind: store.KindPartner}
	if err := s.CreateAccount(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	gs, err := s.Grants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Subject != store.GrantAccount || gs[0].SubjectID != old.ID || gs[0].Business != store.GrantAll {
		t.Fatalf("grants after the upgrade: %+v", gs)
	}
	bts, err := s.BusinessTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bts) != 1 {
		t.Fatalf("business types after the upgrade: %+v", bts)
	}
	for _, b := range bts {
		if !b.ReportRequired || b.ChargeMode != store.ChargePerMessage {
			t.Fatalf("an existing type after the upgrade: %+v", b)
		}
	}
}

func TestSQLiteGrantsMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	testGrantsMigration(t, "sqlite", path, sqliteDialect{}, func() *Store { return openSQLiteT(t, path) })
}

func TestPostgresGrantsMigration(t *testing.T) {
	dsn := pgtest.DSN(t)
	testGrantsMigration(t, "pgx", dsn, postgresDialect{}, func() *Store { return openPostgresT(t, dsn) })
}
