package cmpp

import (
	"sync"
	"testing"
	"time"
)

func TestMsgIDPackUnpack(t *testing.T) {
	cases := []struct{ mo, d, h, mi, s, gw uint32 }{
		{1, 1, 0, 0, 0, 0}, {12, 31, 23, 59, 59, MaxGatewayCode}, {6, 15, 12, 30, 30, 10061},
	}
	for _, c := range cases {
		for _, seq := range []uint16{0, 1, 0xffff} {
			id := PackMsgID(c.mo, c.d, c.h, c.mi, c.s, c.gw, seq)
			mo, d, h, mi, s, gw, sq := UnpackMsgID(id)
			if mo != c.mo || d != c.d || h != c.h || mi != c.mi || s != c.s || gw != c.gw || sq != seq {
				t.Fatalf("%+v seq %d → %#x → %d %d %d %d %d %d %d", c, seq, id, mo, d, h, mi, s, gw, sq)
			}
		}
	}
	// Out-of-range inputs are masked, never spill into neighbours.
	if id := PackMsgID(0, 0, 0, 0, 0, MaxGatewayCode+1, 0); id != 0 {
		t.Fatalf("oversized gateway spilled: %#x", id)
	}
}

func TestMsgIDGenerator(t *testing.T) {
	g := NewMsgIDGenerator(10061)
	g.now = func() time.Time { return time.Date(2025, 1, 16, 17, 0, 0, 0, time.UTC) }
	if id := g.Next(); id != 0x18440000274D0000 {
		t.Fatalf("first id %#x", id)
	}
	if id := g.Next(); id != 0x18440000274D0001 {
		t.Fatalf("second id %#x", id)
	}
	// A run of 3 ids for a 3-destination SUBMIT stays inside the sequence field.
	g.seq = 0xfffe
	first := g.NextN(3)
	if _, _, _, _, _, gw, seq := UnpackMsgID(first); seq != 0 || gw != 10061 {
		t.Fatalf("run did not restart at 0: seq %d gw %d", seq, gw)
	}
	// Single ids wrap after 0xffff.
	g.seq = 0xffff
	if _, _, _, _, _, _, seq := UnpackMsgID(g.Next()); seq != 0xffff {
		t.Fatalf("seq %d", seq)
	}
	if _, _, _, _, _, _, seq := UnpackMsgID(g.Next()); seq != 0 {
		t.Fatalf("wrap seq %d", seq)
	}
}

func TestMsgIDGeneratorConcurrent(t *testing.T) {
	g := NewMsgIDGenerator(1)
	g.now = func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				id := g.Next()
				mu.Lock()
				if seen[id] {
					t.Errorf("duplicate %#x", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
