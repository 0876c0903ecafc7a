package smgp

import (
	"testing"
)

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
	if _, _, _, ok := odd.Parts(); ok {
		t.Fatal("non-BCD reported ok")
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
