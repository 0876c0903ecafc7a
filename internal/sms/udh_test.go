package sms

import (
	"bytes"
	"errors"
	"testing"
)

func TestConcatUDHVectors(t *testing.T) {
	tests := []struct {
		c    Concat
		want string
	}{
		{Concat{Ref: 0x2a, Total: 3, Seq: 1}, "05 00 03 2a 03 01"},
		{Concat{Ref: 0x1234, Total: 3, Seq: 1, Ref16: true}, "06 08 04 12 34 03 01"},
		{Concat{Ref: 0x1234, Total: 255, Seq: 255}, "05 00 03 34 ff ff"}, // 8-bit: low byte of Ref
	}
	for _, tt := range tests {
		want := unhex(t, tt.want)
		if got := ConcatUDH(tt.c); !bytes.Equal(got, want) {
			t.Errorf("ConcatUDH(%+v) = % x, want % x", tt.c, got, want)
		}
	}
}

func TestParseUDH(t *testing.T) {
	tests := []struct {
		name      string
		hex       string
		c         Concat
		hasConcat bool
		payload   string
	}{
		{"8-bit vector", "05 00 03 2a 03 01 4e2d", Concat{Ref: 0x2a, Total: 3, Seq: 1}, true, "4e2d"},
		{"16-bit vector", "06 08 04 12 34 03 01 41", Concat{Ref: 0x1234, Total: 3, Seq: 1, Ref16: true}, true, "41"},
		{"no payload", "05 00 03 01 02 02", Concat{Ref: 1, Total: 2, Seq: 2}, true, ""},
		{"empty header", "00 41 42", Concat{}, false, "4142"},
		{"only port addressing", "06 05 04 0b84 23f0 ff", Concat{}, false, "ff"},
		{"port addressing then concat", "0b 05 04 0b84 23f0 00 03 07 02 01 aa", Concat{Ref: 7, Total: 2, Seq: 1}, true, "aa"},
		{"concat then unknown IE of length 0", "07 00 03 07 02 02 70 00 bb", Concat{Ref: 7, Total: 2, Seq: 2}, true, "bb"},
		{"repeated concat: last counts", "0b 00 03 01 02 01 08 04 00 09 03 02 cc", Concat{Ref: 9, Total: 3, Seq: 2, Ref16: true}, true, "cc"},
		{"total 0 ignored", "05 00 03 01 00 01 dd", Concat{}, false, "dd"},
		{"seq 0 ignored", "05 00 03 01 02 00 dd", Concat{}, false, "dd"},
		{"seq beyond total ignored", "05 00 03 01 02 03 dd", Concat{}, false, "dd"},
		{"valid then invalid: ignored", "0a 00 03 01 02 01 00 03 01 02 05 dd", Concat{}, false, "dd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, has, payload, err := ParseUDH(unhex(t, tt.hex))
			if err != nil {
				t.Fatal(err)
			}
			if c != tt.c || has != tt.hasConcat || !bytes.Equal(payload, unhex(t, tt.payload)) {
				t.Errorf("ParseUDH(%s) = %+v, %v, % x; want %+v, %v, %s", tt.hex, c, has, payload, tt.c, tt.hasConcat, tt.payload)
			}
		})
	}
}

func TestParseUDHMalformed(t *testing.T) {
	tests := []struct{ name, hex string }{
		{"empty", ""},
		{"UDHL past the end", "05 00 03 2a 03"},
		{"UDHL 255 with one byte", "ff 00"},
		{"IE length past UDHL", "05 00 04 2a 03 01 41"},
		{"second IE length past UDHL", "07 00 03 2a 03 01 05 04 00 00 00 00"},
		{"IE without length byte", "01 00 41"},
		{"8-bit concat with 4 data bytes", "06 00 04 2a 03 01 00"},
		{"16-bit concat with 3 data bytes", "05 08 03 2a 03 01"},
		{"concat with no data", "02 00 00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, has, payload, err := ParseUDH(unhex(t, tt.hex))
			if !errors.Is(err, ErrMalformedUDH) {
				t.Fatalf("ParseUDH(%s) = %+v, %v, % x, %v; want ErrMalformedUDH", tt.hex, c, has, payload, err)
			}
			if has || payload != nil {
				t.Errorf("error result carries concat %v / payload % x", has, payload)
			}
		})
	}
}
