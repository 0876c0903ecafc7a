package storetest

import (
	"slices"
	"testing"
	"time"

	"hongyan/internal/store"
)

func testStaleSubmitted(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(4, 1) // created at base + a few µs
	for i, id := range ids[:3] {
		f.queue(id, "gw", 1)
		f.submit(id, 1, "gw", "S"+string(rune('a'+i)))
	}
	f.report("gw", "Sc", store.Delivered, "DELIVRD") // ids[2] final; ids[3] only accepted
	got, err := s.StaleSubmitted(f.ctx, base.Add(time.Hour), 10)
	f.must(err)
	if !slices.Equal(got, ids[:2]) {
		t.Fatalf("StaleSubmitted = %v, want %v (submitted, not final)", got, ids[:2])
	}
	if got, _ := s.StaleSubmitted(f.ctx, base.Add(time.Hour), 1); len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("limit 1 gave %v, want the oldest %d", got, ids[0])
	}
	if got, _ := s.StaleSubmitted(f.ctx, base, 10); len(got) != 0 {
		t.Fatalf("nothing is older than base, got %v", got)
	}
}
