package sgip

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"hongyan/internal/session"
)

func TestTimestampBeijing(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want uint32
	}{
		{time.Date(2025, 11, 20, 20, 32, 25, 0, beijing), 1120203225},
		{time.Date(2025, 11, 20, 12, 32, 25, 0, time.UTC), 1120203225}, // same instant in UTC
		{time.Date(2025, 1, 5, 8, 30, 0, 0, beijing), 105083000},
		{time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC), 101000000}, // already 1 Jan in Beijing
		{time.Date(2025, 12, 31, 23, 59, 59, 0, beijing), 1231235959},
	} {
		if got := Timestamp(tc.t); got != tc.want {
			t.Errorf("Timestamp(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
}

func TestSequencer(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 7, 0, beijing)
	s := pinnedSequencer(testNode, at, 0xfffffffe)
	var got []session.Seq
	for range 4 {
		got = append(got, s.Next())
	}
	want := []session.Seq{{Node: testNode, Time: 301000007, N: 0xfffffffe}, {Node: testNode, Time: 301000007, N: 0xffffffff},
		{Node: testNode, Time: 301000007, N: 0}, {Node: testNode, Time: 301000007, N: 1}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Next #%d = %+v, want %+v (counter must wrap to 0)", i, got[i], want[i])
		}
	}
	if s.Node() != testNode {
		t.Fatal(s.Node())
	}

	// Time moves with the clock.
	s.now = func() time.Time { return at.Add(time.Hour + 2*time.Second) }
	if n := s.Next(); n.Time != 301010009 {
		t.Fatalf("time word %d", n.Time)
	}

	// The default counter starts at a random value, the clock is real.
	a, b := NewSequencer(1), NewSequencer(1)
	a1, b1 := a.Next().N, b.Next().N
	a2, b2 := a.Next().N, b.Next().N
	if a1 == b1 && a2 == b2 {
		t.Fatal("two sequencers start at the same counter")
	}
	before := Timestamp(time.Now())
	x := a.Next().Time
	if after := Timestamp(time.Now()); x != before && x != after {
		t.Fatalf("default clock: %d not in {%d, %d}", x, before, after)
	}
}

// Every connection of one Protocol draws from one counter: the engine's
// per-connection counter n is ignored, so two connections never send the
// same triple.
func TestProtocolSeqUniqueAcrossConns(t *testing.T) {
	p := NewProtocol(NewSequencer(testNode))
	const conns, per = 8, 2000
	var (
		mu   sync.Mutex
		seen = make(map[session.Seq]bool, conns*per)
		wg   sync.WaitGroup
	)
	for range conns {
		wg.Go(func() {
			for n := uint32(1); n <= per; n++ {
				s := p.NextSeq(n) // every "connection" passes the same n
				mu.Lock()
				if seen[s] || s.Node != testNode {
					mu.Unlock()
					t.Errorf("duplicate or foreign %+v", s)
					return
				}
				seen[s] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestSPNodeID(t *testing.T) {
	for _, tc := range []struct {
		area, corp string
		want       uint32
	}{
		{"010", "12345", 3010012345}, // the vectors' node: Beijing 010 → 0100
		{"0755", "1", 3075500001},
		{"20", "99999", 3200099999},
	} {
		got, err := SPNodeID(tc.area, tc.corp)
		if err != nil || got != tc.want {
			t.Errorf("SPNodeID(%q, %q) = %d, %v; want %d", tc.area, tc.corp, got, err, tc.want)
		}
		if CorpIDOf(got) != fmt5(tc.corp) {
			t.Errorf("CorpIDOf(%d) = %q", got, CorpIDOf(got))
		}
	}
	for _, bad := range [][2]string{{"", "1"}, {"01234", "1"}, {"0a0", "1"}, {"010", ""}, {"010", "123456"}, {"010", "1-2"}} {
		if _, err := SPNodeID(bad[0], bad[1]); err == nil {
			t.Errorf("SPNodeID(%q, %q) accepted", bad[0], bad[1])
		}
	}
	if CorpIDOf(testSMGNode) != "" || CorpIDOf(4010012345) != "" {
		t.Error("CorpIDOf of a non-SP node")
	}
}

func fmt5(s string) string {
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}

func TestFormatParseSeq(t *testing.T) {
	for _, tc := range []struct {
		s    session.Seq
		want string
	}{
		{vector5Seq, "3010012345-1120203225-1"},
		{session.Seq{Node: 3010012345, Time: 105083000, N: 7}, "3010012345-0105083000-7"},
		{session.Seq{}, "0-0000000000-0"},
		{session.Seq{Node: 0xffffffff, Time: 0xffffffff, N: 0xffffffff}, "4294967295-4294967295-4294967295"},
	} {
		if got := FormatSeq(tc.s); got != tc.want {
			t.Errorf("FormatSeq(%+v) = %q, want %q", tc.s, got, tc.want)
		}
		if got, err := ParseSeq(tc.want); err != nil || got != tc.s {
			t.Errorf("ParseSeq(%q) = %+v, %v", tc.want, got, err)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		s := session.Seq{Node: r.Uint32(), Time: r.Uint32(), N: r.Uint32()}
		if got, err := ParseSeq(FormatSeq(s)); err != nil || got != s {
			t.Fatalf("round trip %+v: %+v %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "1-2", "1-2-3-4", "3010012345-105083000-7", "03010012345-0105083000-7",
		"3010012345-0105083000-07", "+1-0000000001-1", "1-0000000001-", "4294967296-0000000000-1", "a-0000000000-1"} {
		if _, err := ParseSeq(bad); err == nil {
			t.Errorf("ParseSeq(%q) accepted", bad)
		}
	}
}
