package cngp

import (
	"bytes"
	"testing"
	"time"
)

// Our SMGW side packs ids in SMGP's BCD layout (CNGP's own is unknown):
// gateway 010061, 16 Jan 17:00, sequence 012345.
func TestNewMsgID(t *testing.T) {
	id := NewMsgID(10061, time.Date(2025, 1, 16, 17, 0, 0, 0, time.UTC), 12345)
	if want := unhex(t, "01 00 61 01 16 17 00 01 23 45"); !bytes.Equal(id[:], want) {
		t.Fatalf("MsgID %x", id[:])
	}
	if s := id.String(); s != "01006101161700012345" {
		t.Fatalf("String %q", s)
	}
}

func TestMsgIDGenerator(t *testing.T) {
	g := NewMsgIDGenerator(10061)
	g.now = func() time.Time { return time.Date(2025, 1, 16, 9, 0, 0, 0, time.UTC) } // 17:00 in Beijing
	a, b := g.Next(), g.Next()
	if a.String() != "01006101161700000000" || b.String() != "01006101161700000001" {
		t.Fatalf("%s %s", a, b)
	}
	g.seq = 999999
	if c, d := g.Next(), g.Next(); c.String()[14:] != "999999" || d.String()[14:] != "000000" {
		t.Fatalf("wrap: %s %s", c, d)
	}
	seen := map[MsgID]bool{}
	for range 1000 {
		id := g.Next()
		if seen[id] {
			t.Fatalf("duplicate %s", id)
		}
		seen[id] = true
	}
}

func TestMsgIDText(t *testing.T) {
	var zero MsgID
	if !zero.IsZero() || zero.String() != "00000000000000000000" {
		t.Fatal("zero")
	}
	// Not BCD: still one-to-one through the text form.
	odd := MsgID{0xab, 0xcd, 0xef, 0, 0, 0, 0, 0, 0, 0x0f}
	back, err := ParseMsgID(odd.String())
	if err != nil || back != odd {
		t.Fatalf("%s: %v", odd, err)
	}
	if back, err := ParseMsgID("0100610116170001234A"); err != nil || back.String() != "0100610116170001234a" {
		t.Fatal("upper case")
	}
	for _, bad := range []string{"", "0100", "0100610116170001234g", "010061011617000123456"} {
		if _, err := ParseMsgID(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
