package sqlstore

import (
	"context"
	"testing"

	"hongyan/internal/store"
	"hongyan/internal/store/pgtest"
	"hongyan/internal/store/storetest"
)

func openPostgresT(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := OpenStore(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	pgtest.Server(t) // skip (or fail in CI) once, not per subtest
	t.Logf("PostgreSQL: %s", pgtest.Describe())
	storetest.Run(t, func(t *testing.T) store.Store {
		return openPostgresT(t, pgtest.DSN(t))
	})
}

func TestPostgresMigrateIdempotent(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	s := openPostgresT(t, dsn)
	if s.Dialect() != "postgres" {
		t.Fatal(s.Dialect())
	}
	if err := s.CreateAccount(ctx, &store.Account{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Two nodes starting together: both migrate (one waits for the other).
	errc := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := Open(ctx, dsn)
			if err == nil {
				_, err = s.AccountByName(ctx, "keep")
				s.Close()
			}
			errc <- err
		}()
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	s2 := openPostgresT(t, dsn)
	ms, err := loadMigrations(postgresDialect{}.migrations())
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s2.w.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("schema_migrations rows %d (%v), want %d", n, err, len(ms))
	}
}

// A fresh database (not only a schema) works too.
func TestPostgresFreshDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s := openPostgresT(t, pgtest.Database(t))
	if err := s.CreateAccount(context.Background(), &store.Account{Name: "x"}); err != nil {
		t.Fatal(err)
	}
}
