package wire

import (
	"bytes"
	"testing"
	"time"
)

// SMGP's BCD layout: gateway 010061, 16 Jan 17:00, sequence 012345.
func TestNewBCDID(t *testing.T) {
	id := NewBCDID(10061, time.Date(2025, 1, 16, 17, 0, 0, 0, time.UTC), 12345)
	if want := []byte{0x01, 0x00, 0x61, 0x01, 0x16, 0x17, 0x00, 0x01, 0x23, 0x45}; !bytes.Equal(id[:], want) {
		t.Fatalf("id % x", id[:])
	}
	if id := NewBCDID(1010061, time.Date(2025, 1, 16, 17, 0, 0, 0, time.UTC), 1012345); id[0] != 0x01 || id[9] != 0x45 {
		t.Fatalf("gateway and sequence not taken mod 10^6: % x", id[:])
	}
}

func TestBCDIDGenerator(t *testing.T) {
	g := NewBCDIDGenerator(10061)
	g.Now = func() time.Time { return time.Date(2025, 1, 16, 9, 0, 0, 0, time.UTC) } // 17:00 in Beijing
	a, b := g.Next(), g.Next()
	if want := NewBCDID(10061, time.Date(2025, 1, 16, 17, 0, 0, 0, time.UTC), 0); a != want {
		t.Fatalf("first id % x, want % x", a[:], want[:])
	}
	if b[9] != 0x01 {
		t.Fatalf("second id % x", b[:])
	}
	g.Seq = 999999
	if c, d := g.Next(), g.Next(); !bytes.Equal(c[7:], []byte{0x99, 0x99, 0x99}) || !bytes.Equal(d[7:], []byte{0, 0, 0}) {
		t.Fatalf("wrap: % x % x", c[:], d[:])
	}
	seen := map[[BCDIDLen]byte]bool{}
	for range 1000 {
		id := g.Next()
		if seen[id] {
			t.Fatalf("duplicate % x", id[:])
		}
		seen[id] = true
	}
}

func TestParseHexID(t *testing.T) {
	var id [BCDIDLen]byte
	if err := ParseHexID(id[:], "abcdef0000000000000F", "smgp"); err != nil || id != [BCDIDLen]byte{0xab, 0xcd, 0xef, 9: 0x0f} {
		t.Fatalf("% x %v", id[:], err)
	}
	for _, bad := range []string{"", "0100", "0100610116170001234g", "010061011617000123456"} {
		if err := ParseHexID(id[:], bad, "smgp"); err == nil || err.Error()[:12] != "smgp msgid \"" {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}
