package app

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"hongyan/internal/store"
)

// The demo's past traffic is real traffic as far as the store knows: every
// message final, the statistics count each one, the fees in the counters
// are what left the accounts, and a second start adds nothing.
func TestSeedHistory(t *testing.T) {
	ctx := context.Background()
	sb, err := NewSandbox(ctx, SandboxOptions{DataDir: t.TempDir(), SQLiteSync: "normal",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Store.Close()
	if err := sb.SeedProvince(ctx); err != nil {
		t.Fatal(err)
	}
	balance := func() int64 {
		var sum int64
		for _, name := range []string{SandboxAccount, DemoPartner} {
			a, err := sb.Store.AccountByName(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if a.Reserved != 0 {
				t.Fatalf("%s has %d li reserved after the history: a message is not final", name, a.Reserved)
			}
			sum += a.Balance
		}
		return sum
	}
	before := balance()
	n, err := sb.SeedHistory(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n < 300 {
		t.Fatalf("3 days of history are %d messages", n)
	}
	loc := sb.Core.TimeZone()
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	rows, err := sb.Store.Stats(ctx, store.StatsQuery{From: today.AddDate(0, 0, -3), To: today, Grain: store.GrainDay})
	if err != nil {
		t.Fatal(err)
	}
	byState := map[store.State]int64{}
	var fees int64
	days := map[time.Time]bool{}
	for _, r := range rows {
		byState[r.State] += r.Messages
		fees += r.Fees
		days[r.Bucket] = true
	}
	final := byState[store.Delivered] + byState[store.Undelivered] + byState[store.Expired] + byState[store.Rejected]
	if byState[store.Accepted] != int64(n) || final != int64(n) || len(days) != 3 {
		t.Fatalf("%d messages written; counted %v over %d days", n, byState, len(days))
	}
	if byState[store.Delivered] < int64(n)*9/10 || byState[store.Undelivered] == 0 {
		t.Fatalf("states %v: want mostly delivered, some undelivered", byState)
	}
	if spent := before - balance(); spent != fees || fees <= 0 {
		t.Fatalf("the accounts paid %d li; the counters say %d", spent, fees)
	}
	if again, err := sb.SeedHistory(ctx, 3); err != nil || again != 0 {
		t.Fatalf("second seeding wrote %d (%v); want nothing", again, err)
	}
}
