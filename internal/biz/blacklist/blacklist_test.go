package blacklist

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

func TestBlocked(t *testing.T) {
	s := New()
	s.Add(Entry{"13700137000", Global}, Entry{"13900139000", "marketing"})
	s.Add(Entry{"13900139000", "marketing"}) // twice: one entry
	s.Add(Entry{"13900139000", "survey"})
	cases := []struct {
		number, business string
		blocked, global  bool
	}{
		{"13700137000", "notice", true, true},
		{"13700137000", "", true, true},
		{"13900139000", "marketing", true, false},
		{"13900139000", "survey", true, false},
		{"13900139000", "notice", false, false},
		{"13800138000", "marketing", false, false},
	}
	for _, c := range cases {
		if b, g := s.Blocked(c.number, c.business); b != c.blocked || g != c.global {
			t.Errorf("Blocked(%s, %s) = %v, %v; want %v, %v", c.number, c.business, b, g, c.blocked, c.global)
		}
	}
	if s.Len() != 3 {
		t.Fatalf("Len = %d, want 3", s.Len())
	}
	s.Remove("13900139000", "marketing")
	if b, _ := s.Blocked("13900139000", "marketing"); b {
		t.Fatal("removed entry still blocks")
	}
	if b, _ := s.Blocked("13900139000", "survey"); !b {
		t.Fatal("removing one business lifted another")
	}
	s.Remove("13900139000", "survey")
	s.Remove("13800000000", Global) // absent: no-op
	if s.Len() != 1 {
		t.Fatalf("Len = %d after removals, want 1", s.Len())
	}
	s.Replace([]Entry{{"13600136000", Global}})
	if b, _ := s.Blocked("13700137000", "notice"); b {
		t.Fatal("Replace kept an old entry")
	}
	if b, _ := s.Blocked("13600136000", "x"); !b {
		t.Fatal("Replace lost a new entry")
	}
}

// Readers see either the old or the new list while writers change it (-race).
func TestConcurrentReadersAndWriters(t *testing.T) {
	s := New()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					s.Blocked("13700137001", "notice")
				}
			}
		}()
	}
	for i := range 200 {
		n := fmt.Sprintf("137001370%02d", i%100)
		s.Add(Entry{n, Global})
		if i%3 == 0 {
			s.Remove(n, Global)
		}
	}
	close(stop)
	wg.Wait()
	if b, _ := s.Blocked("13700137001", "x"); !b {
		t.Fatal("13700137001 added last (i=101) should be blocked")
	}
}

// Numbers that pack into an integer and numbers that do not (too long, not
// all digits) are kept apart correctly, and leading zeros count.
func TestNumberForms(t *testing.T) {
	s := New()
	forms := []string{"138", "0138", "00138", "13800138000", "8613800138000", "1234567890123456",
		"12345678901234567", "123456789012345678901", "+8613800138000", "10086a"}
	for i, n := range forms {
		if i%2 == 0 {
			s.Add(Entry{n, Global})
		} else {
			s.Add(Entry{n, "notice"}, Entry{n, "marketing"})
		}
	}
	for i, n := range forms {
		b, g := s.Blocked(n, "notice")
		if !b || g != (i%2 == 0) {
			t.Errorf("Blocked(%q) = %v, %v", n, b, g)
		}
		if b, _ := s.Blocked(n, "survey"); b != (i%2 == 0) {
			t.Errorf("Blocked(%q, survey) = %v", n, b)
		}
	}
	for _, n := range []string{"13", "1380", "038", "000138", "123456789012345", "1234567890123457", "+861380013800", ""} {
		if b, _ := s.Blocked(n, "notice"); b {
			t.Errorf("%q is blocked but was never added", n)
		}
	}
	if want := 5 + 2*5; s.Len() != want {
		t.Fatalf("Len = %d, want %d", s.Len(), want)
	}
	for _, n := range forms[1:2] {
		s.Remove(n, "notice")
		if b, _ := s.Blocked(n, "notice"); b {
			t.Fatalf("%q still blocked for notice", n)
		}
		if b, _ := s.Blocked(n, "marketing"); !b {
			t.Fatalf("%q lost its marketing entry", n)
		}
	}
}

func BenchmarkBlocked(b *testing.B) {
	s := New()
	es := make([]Entry, 1_000_000)
	for i := range es {
		es[i] = Entry{fmt.Sprintf("137%08d", i), Global}
	}
	s.Replace(es)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Blocked("13800138000", "notice")
	}
}

// The garbage collector's cost of a million entries: a full collection with
// the set alive (with strings and slices in its maps it took ~70× longer: 57 ms against 0.8 ms).
func BenchmarkGCWithMillion(b *testing.B) {
	s := New()
	es := make([]Entry, 1_000_000)
	for i := range es {
		es[i] = Entry{fmt.Sprintf("137%08d", i), "marketing"}
	}
	s.Replace(es)
	es = nil
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
	}
	runtime.KeepAlive(s)
}
