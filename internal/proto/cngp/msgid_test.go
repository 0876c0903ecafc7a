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

// The generator is wire.BCDIDGenerator (tested there); ids it hands out
// are distinct MsgIDs in the SMGW code's BCD layout.
func TestMsgIDGenerator(t *testing.T) {
	g := NewMsgIDGenerator(10061)
	a, b := g.Next(), g.Next()
	if a == b || a.String()[:6] != "010061" || b.IsZero() {
		t.Fatalf("%s %s", a, b)
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
