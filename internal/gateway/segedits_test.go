package gateway

import (
	"sync"
	"testing"
)

// Edits lie on the loaded table: each Apply starts again from it, a
// removed prefix falls to a shorter one, a ported number beats its prefix,
// and a bad edit leaves the table as it was.
func TestSegmentEditsApply(t *testing.T) {
	s, err := DefaultSegments().WithOverrides(map[string]string{"13800138000": CTCC})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Apply(SegmentEdits{
		Prefixes: map[string]string{"1390": CUCC, "1349": "", "12012345": CBN},
		Ported:   map[string]string{"13900139555": CTCC, "13800138000": ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]string{
		"13900139000": CUCC, "13910000000": CMCC, "13491234567": CMCC, "12012345678": CBN,
		"13900139555": CTCC, "13800138000": CMCC,
	} {
		if got := s.Operator(n); got != want {
			t.Errorf("with edits: Operator(%s) = %q, want %q", n, got, want)
		}
	}
	if p, n := s.Loaded("1349", "13800138000"); p != CTCC || n != CTCC {
		t.Errorf("Loaded = %q, %q: the loaded table must not change", p, n)
	}
	if p, n := s.Current("1349", "13900139555"); p != "" || n != CTCC {
		t.Errorf("Current = %q, %q", p, n)
	}
	if err := s.Apply(SegmentEdits{Prefixes: map[string]string{"1391": "mobile"}}); err == nil {
		t.Fatal("an unknown operator was applied")
	}
	if got := s.Operator("13900139000"); got != CUCC {
		t.Fatalf("after a refused Apply: Operator = %q, want the edits still in force", got)
	}
	// A new Apply replaces the edits, it does not add to them.
	if err := s.Apply(SegmentEdits{}); err != nil {
		t.Fatal(err)
	}
	if s.Operator("13900139000") != CMCC || s.Operator("13491234567") != CTCC || s.Operator("13800138000") != CTCC {
		t.Fatal("Apply of no edits did not give the loaded table back")
	}
}

// The lookup stays allocation-free, and Apply swapping while lookups run
// is safe (go test -race).
func TestSegmentLookupCheapWhileApplying(t *testing.T) {
	s := DefaultSegments()
	if n := testing.AllocsPerRun(1000, func() { _ = s.Operator("13900139000") }); n != 0 {
		t.Fatalf("Operator allocates %.1f times a lookup", n)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			op := CUCC
			if i%2 == 0 {
				op = CMCC
			}
			if err := s.Apply(SegmentEdits{Prefixes: map[string]string{"1390": op}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 20000 {
		if op := s.Operator("13900139000"); op != CMCC && op != CUCC {
			t.Fatalf("mid-swap lookup = %q", op)
		}
	}
	wg.Wait()
}
