package app

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"hongyan/internal/store"
)

// The demo's shared group and inbox replies are seeded once.
func TestSeedAddressBook(t *testing.T) {
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
	for range 2 {
		if err := sb.SeedAddressBook(ctx); err != nil {
			t.Fatal(err)
		}
	}
	gs, err := sb.Store.Groups(ctx, store.GroupQuery{AllOrgs: true})
	if err != nil || len(gs) != 1 || gs[0].Name != DemoGroup || gs[0].Contacts != len(demoContacts) {
		t.Fatalf("groups: %v %+v", err, gs)
	}
	mos, err := sb.Store.MOs(ctx, store.MOQuery{Accounts: []int64{sb.Account.ID}})
	if err != nil || len(mos) != len(demoReplies) {
		t.Fatalf("replies: %v %d", err, len(mos))
	}
}
