package app

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store/pgtest"
)

// TestMain hashes passwords cheaply (the tests create and log in hundreds
// of users) and gives the tests a PostgreSQL server.
func TestMain(m *testing.M) {
	core.LightPasswordHashing()
	os.Exit(pgtest.Main(m))
}

// The same end-to-end path on PostgreSQL: the store is the only difference.
func TestEndToEndOnPostgres(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{Database: pgtest.DSN(t)})
	if d := sb.Store.Dialect(); d != "postgres" {
		t.Fatalf("dialect %s, want postgres", d)
	}
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"PostgreSQL 上的通知"}`))
	long := firstID(t, send(t, sb, `{"to":["13312345678"],"content":"`+strings.Repeat("邮政", 150)+`"}`))
	sb.SimFor("cucc").RejectNext(1)
	retried := firstID(t, send(t, sb, `{"to":["13012345678"],"content":"重试","business":"verify"}`))
	waitState(t, sb, id, "delivered", 10*time.Second)
	waitState(t, sb, long, "delivered", 10*time.Second)
	if m := waitState(t, sb, retried, "delivered", 15*time.Second); m["attempts"] != float64(2) {
		t.Fatalf("retried message attempts = %v, want 2", m["attempts"])
	}
	if err := sb.SendMO(context.Background(), "13800138000", "10658000", "收到"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "MO in inbox", func() bool {
		_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
		return len(inbox["mo"].([]any)) == 1
	})
}
