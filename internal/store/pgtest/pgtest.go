// Package pgtest gives tests a PostgreSQL database of their own.
//
// The server is found once per test binary, in this order:
//
//  1. HONGYAN_TEST_PG, a DSN (postgres://… or key=value). It must answer:
//     a configured server that does not is a failure, not a skip.
//     HONGYAN_TEST_PG=none skips straight to step 3 (to test that path).
//  2. A local trust-auth server: postgres://ROLE@127.0.0.1:5432/test, then
//     database postgres, for ROLE postgres, the current OS user, and root.
//  3. A throwaway server started from Debian's binaries
//     (/usr/lib/postgresql/*/bin, or HONGYAN_PG_BINDIR) in a temp dir on a
//     free port, fsync off.
//     As root it runs as the "postgres" OS user (initdb refuses root). It
//     dies with the test binary (parent-death signal) and Main stops it and
//     removes its files.
//
// When none works, a test that asks for a database fails if CI is set (or
// HONGYAN_REQUIRE_PG=1) and is skipped otherwise, saying why.
//
// Each DSN(t) is a fresh schema (search_path in the DSN) dropped when the
// test ends, so tests are independent and may run in parallel; Database(t)
// is a fresh database, for the rare test that needs one.
//
// Use from a package's tests:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//	…
//	dsn := pgtest.DSN(t)
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// EnvDSN names the environment variable holding the server's DSN.
const EnvDSN = "HONGYAN_TEST_PG"

var (
	once     sync.Once
	adminDSN string  // a DSN for the server, as found
	admin    *sql.DB // pool on adminDSN for CREATE/DROP
	findErr  error
	srv      *server // the throwaway server, if one was started
	how      string  // how the server was found, for Describe
	// configured: HONGYAN_TEST_PG named a server; its absence is a failure.
	configured bool
)

// Main runs the tests and then stops the throwaway server, if one was
// started. Use it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	Stop()
	return code
}

// Stop stops the throwaway server (if any) and closes the admin pool.
func Stop() {
	if admin != nil {
		admin.Close()
	}
	if srv != nil {
		srv.stop()
		srv = nil
	}
}

// Required reports whether a missing server fails tests instead of
// skipping them: in CI, or with HONGYAN_REQUIRE_PG=1.
func Required() bool {
	ci := strings.ToLower(os.Getenv("CI"))
	return (ci != "" && ci != "0" && ci != "false") || os.Getenv("HONGYAN_REQUIRE_PG") == "1"
}

// Describe says which server the tests use ("" before one was looked for).
func Describe() string { return how }

// Server returns the DSN of the server found (database "test" or
// "postgres"), or skips/fails t when there is none.
func Server(t testing.TB) string {
	t.Helper()
	once.Do(find)
	if findErr != nil {
		if configured {
			t.Fatalf("pgtest: %v", findErr)
		}
		if Required() {
			t.Fatalf("pgtest: PostgreSQL is required here (CI or HONGYAN_REQUIRE_PG=1) but none is available: %v", findErr)
		}
		t.Skipf("pgtest: no PostgreSQL available, skipping (set %s to a server DSN): %v", EnvDSN, findErr)
	}
	return adminDSN
}

// DSN returns a DSN whose search_path is a new, empty schema, dropped with
// everything in it when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := Server(t)
	name := uniqueName("t")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			t.Logf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return withParam(base, "search_path", name)
}

// Database returns a DSN for a new, empty database, dropped when t ends.
func Database(t testing.TB) string {
	t.Helper()
	base := Server(t)
	name := uniqueName("hongyan_test")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// FORCE (PostgreSQL 13+) ends sessions a test left open.
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

func uniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%d_%s", prefix, os.Getpid(), hex.EncodeToString(b))
}

func find() {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	env := strings.TrimSpace(os.Getenv(EnvDSN))
	switch env {
	case "":
		var errs []error
		for _, dsn := range candidates() {
			if err := use(ctx, dsn); err != nil {
				errs = append(errs, err)
				continue
			}
			how = "local server " + dsn
			return
		}
		s, err := startServer(ctx)
		if err != nil {
			findErr = fmt.Errorf("no local server (%v); throwaway server: %w", errors.Join(errs...), err)
			return
		}
		srv = s
		if err := use(ctx, s.dsn); err != nil {
			findErr = fmt.Errorf("throwaway server: %w", err)
			return
		}
		how = "throwaway server " + s.dsn
	case "none":
		s, err := startServer(ctx)
		if err != nil {
			findErr = fmt.Errorf("%s=none: throwaway server: %w", EnvDSN, err)
			return
		}
		srv = s
		if err := use(ctx, s.dsn); err != nil {
			findErr = fmt.Errorf("throwaway server: %w", err)
			return
		}
		how = "throwaway server " + s.dsn
	default:
		if err := use(ctx, env); err != nil {
			// Configured explicitly: a failure to connect is a failure.
			findErr = fmt.Errorf("%s is set but the server does not answer: %w", EnvDSN, err)
			configured = true
			return
		}
		how = EnvDSN + " " + env
	}
}

func candidates() []string {
	roles := []string{"postgres"}
	if u, err := user.Current(); err == nil && u.Username != "" && u.Username != "postgres" {
		roles = append(roles, u.Username)
	}
	if !contains(roles, "root") {
		roles = append(roles, "root")
	}
	var out []string
	for _, db := range []string{"test", "postgres"} {
		for _, r := range roles {
			out = append(out, "postgres://"+url.User(r).String()+"@127.0.0.1:5432/"+db+"?sslmode=disable&connect_timeout=3")
		}
	}
	return out
}

func contains(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

// use connects and checks that the role may create schemas and databases.
func use(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return fmt.Errorf("%s: %w", dsn, err)
	}
	var canSchema, canDB bool
	if err := db.QueryRowContext(pctx, `SELECT has_database_privilege(current_database(), 'CREATE'),
  (SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user)`).Scan(&canSchema, &canDB); err != nil {
		db.Close()
		return fmt.Errorf("%s: %w", dsn, err)
	}
	if !canSchema || !canDB {
		db.Close()
		return fmt.Errorf("%s: role may not create schemas and databases", dsn)
	}
	db.SetMaxOpenConns(4)
	adminDSN, admin = dsn, db
	return nil
}

// withParam adds a connection parameter to a URL or key=value DSN; pgx
// sends parameters it does not know (search_path) to the server.
func withParam(dsn, key, val string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, val)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + val
}

func withDatabase(dsn, db string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		return u.String()
	}
	return dsn + " dbname=" + db
}

func ping(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return db.PingContext(pctx)
}
