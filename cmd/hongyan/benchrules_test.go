package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"hongyan/internal/biz/filter"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
)

// The bench's rules are real rules that its own traffic passes: no word
// matches its text and no blacklisted number is one it sends to.
func TestSeedBenchRules(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := seedBenchRules(ctx, st, 300, 3000, e2eBenchText); err != nil {
		t.Fatal(err)
	}
	words, err := st.FilterWords(ctx)
	if err != nil || len(words) != 300 {
		t.Fatalf("%d words (%v), want 300", len(words), err)
	}
	rs := make([]filter.Rule, len(words))
	for i, w := range words {
		rs[i] = filter.Rule{ID: w.ID, Word: w.Word, Action: filter.Reject}
	}
	f, err := filter.New(rs)
	if err != nil {
		t.Fatal(err)
	}
	if hit, ok := f.Check(e2eBenchText); ok {
		t.Fatalf("the bench text hits its own forbidden word %q", hit.Rule.Word)
	}
	n := 0
	err = st.Blacklist(ctx, func(e store.BlacklistEntry) error {
		n++
		for _, p := range benchPrefixes {
			if strings.HasPrefix(e.Number, p) {
				t.Fatalf("blacklisted %s is in a segment the bench sends to", e.Number)
			}
		}
		return nil
	})
	if err != nil || n != 3000 {
		t.Fatalf("%d blacklist entries (%v), want 3000", n, err)
	}
}
