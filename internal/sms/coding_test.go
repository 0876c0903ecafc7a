package sms

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestCodingBytes(t *testing.T) {
	tests := []struct {
		c        Coding
		name     string
		format   uint8
		smpp     uint8
		fromFmt  Coding // CodingFromFormat(format)
		fromSMPP Coding // CodingFromSMPP(smpp)
	}{
		{ASCII, "ASCII", 0, 1, ASCII, ASCII},
		{GSM7, "GSM7", 0, 0, ASCII, GSM7},
		{Binary, "Binary", 4, 4, Binary, Binary},
		{UCS2, "UCS2", 8, 8, UCS2, UCS2},
		{GBK, "GBK", 15, 15, GBK, GBK},
		{Latin1, "Latin1", 4, 3, Binary, Latin1},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.name {
			t.Errorf("%d.String() = %q, want %q", tt.c, got, tt.name)
		}
		if got, err := ParseCoding(strings.ToLower(tt.name)); err != nil || got != tt.c {
			t.Errorf("ParseCoding(%q) = %v, %v", tt.name, got, err)
		}
		if got := tt.c.FormatByte(); got != tt.format {
			t.Errorf("%v.FormatByte() = %d, want %d", tt.c, got, tt.format)
		}
		if got := tt.c.SMPPDataCoding(); got != tt.smpp {
			t.Errorf("%v.SMPPDataCoding() = %d, want %d", tt.c, got, tt.smpp)
		}
		if got := CodingFromFormat(tt.format); got != tt.fromFmt {
			t.Errorf("CodingFromFormat(%d) = %v, want %v", tt.format, got, tt.fromFmt)
		}
		if got := CodingFromSMPP(tt.smpp); got != tt.fromSMPP {
			t.Errorf("CodingFromSMPP(%d) = %v, want %v", tt.smpp, got, tt.fromSMPP)
		}
	}
	if got := Coding(200).String(); got != "Coding(200)" {
		t.Errorf("unknown coding String() = %q", got)
	}
	if _, err := ParseCoding("utf8"); err == nil {
		t.Error("ParseCoding(utf8) succeeded")
	}
	if got := Coding(200).FormatByte(); got != 4 {
		t.Errorf("unknown coding FormatByte() = %d, want 4 (binary)", got)
	}
}

func TestCodingFromFormat(t *testing.T) {
	tests := map[uint8]Coding{
		0: ASCII, 3: Binary, 4: Binary, 8: UCS2, 15: GBK, 245: Binary, 246: Binary,
		0x18: UCS2, // UCS2 flash (GSM 03.38 class 0)
		1:    Binary, 2: Binary, 9: Binary, 0x19: UCS2, 0x10: Binary, 0x28: Binary, 99: Binary, 0x80: Binary, 0xF0: Binary, 255: Binary,
	}
	for b, want := range tests {
		if got := CodingFromFormat(b); got != want {
			t.Errorf("CodingFromFormat(%#x) = %v, want %v", b, got, want)
		}
	}
}

func TestCodingFromSMPP(t *testing.T) {
	tests := map[uint8]Coding{
		0: GSM7, 1: ASCII, 2: Binary, 3: Latin1, 4: Binary, 5: Binary, 6: Binary, 9: Binary, 0x0A: Binary, 0x0E: Binary, 8: UCS2, 15: GBK,
		0x10: GSM7, 0x11: GSM7, 0x14: Binary, 0x18: UCS2, 0x30: Binary, // 0x30: compressed
		0x80: Binary, 0xC0: GSM7, 0xD0: GSM7, 0xE0: UCS2, 0xF0: GSM7, 0xF1: GSM7, 0xF4: Binary, 0xF5: Binary,
	}
	for dc, want := range tests {
		if got := CodingFromSMPP(dc); got != want {
			t.Errorf("CodingFromSMPP(%#x) = %v, want %v", dc, got, want)
		}
	}
	// No input may yield an undefined coding.
	for dc := 0; dc < 256; dc++ {
		if c := CodingFromSMPP(uint8(dc)); c > Latin1 {
			t.Errorf("CodingFromSMPP(%#x) = %v", dc, c)
		}
		if c := CodingFromFormat(uint8(dc)); c > Latin1 {
			t.Errorf("CodingFromFormat(%#x) = %v", dc, c)
		}
	}
}

func TestPickCoding(t *testing.T) {
	tests := []struct {
		text string
		want Coding
	}{
		{"", ASCII},
		{"Hello, world! 1234 ~`{}", ASCII},
		{"line1\r\nline2", ASCII},
		{"tab\there", UCS2},
		{"bell\a", UCS2},
		{"del\x7f", UCS2},
		{"café", UCS2},
		{"您好", UCS2},
		{"取件码 1234", UCS2},
		{"😀", UCS2},
		{"bad \xff utf8", UCS2},
	}
	for _, tt := range tests {
		if got := PickCoding(tt.text); got != tt.want {
			t.Errorf("PickCoding(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name string
		text string
		c    Coding
		hex  string
	}{
		{"ascii", "Hi 1\r\n", ASCII, "48 69 20 31 0d 0a"},
		{"ascii control", "\t\x00", ASCII, "09 00"},
		{"ascii empty", "", ASCII, ""},
		{"ucs2 chinese", "中文", UCS2, "4e2d 6587"},
		{"ucs2 mixed", "A邮政", UCS2, "0041 90ae 653f"},
		{"ucs2 emoji surrogate pair", "😀", UCS2, "d83d de00"},
		{"ucs2 emoji between", "a😀b", UCS2, "0061 d83d de00 0062"},
		{"ucs2 plane 2 ideograph", "𠀀", UCS2, "d840 dc00"},
		{"ucs2 U+FFFF", "\uffff", UCS2, "ffff"},
		{"gbk chinese", "中文", GBK, "d6d0 cec4"},
		{"gbk mixed", "a邮政b", GBK, "61 d3ca d5fe 62"},
		{"gbk euro cp936", "€", GBK, "80"},
		{"gbk fullwidth", "，", GBK, "a3ac"},
		{"gsm7 basic", "@£$¥Δ_ Aa", GSM7, "00 01 02 03 10 11 20 41 61"},
		{"gsm7 extension", "^{}\\[~]|€", GSM7, "1b14 1b28 1b29 1b2f 1b3c 1b3d 1b3e 1b40 1b65"},
		{"gsm7 form feed", "\f", GSM7, "1b0a"},
		{"gsm7 accents", "èéùìòÇÅåÄÖÑÜ§¿äöñüà", GSM7, "04 05 06 07 08 09 0e 0f 5b 5c 5d 5e 5f 60 7b 7c 7d 7e 7f"},
		{"latin1", "café ÿ", Latin1, "63 61 66 e9 20 ff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.hex)
			got, err := Encode(tt.text, tt.c)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Encode(%q, %v) = % x, want % x", tt.text, tt.c, got, want)
			}
			back, err := Decode(want, tt.c)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if back != tt.text {
				t.Fatalf("Decode(% x, %v) = %q, want %q", want, tt.c, back, tt.text)
			}
			if lossy := DecodeLossy(want, tt.c); lossy != tt.text {
				t.Fatalf("DecodeLossy = %q, want %q", lossy, tt.text)
			}
		})
	}
}

func TestEncodeInvalidUTF8(t *testing.T) {
	// An invalid byte is U+FFFD, which only UCS2 can carry.
	got, err := Encode("a\xffb", UCS2)
	if err != nil || !bytes.Equal(got, unhex(t, "0061 fffd 0062")) {
		t.Errorf("Encode(invalid, UCS2) = % x, %v", got, err)
	}
	for _, c := range []Coding{ASCII, GSM7, GBK, Latin1} {
		_, err := Encode("a\xffb", c)
		if !errors.Is(err, ErrUnencodable) || !strings.Contains(err.Error(), "invalid UTF-8 byte 0xff at offset 1") {
			t.Errorf("Encode(invalid, %v) error = %v", c, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		text string
		c    Coding
		want error
		msg  string
	}{
		{"abc中", ASCII, ErrUnencodable, "'中' (U+4E2D) at offset 3 has no ASCII form"},
		{"é", ASCII, ErrUnencodable, "U+00E9"},
		{"中", GSM7, ErrUnencodable, "no GSM7 form"},
		{"`", GSM7, ErrUnencodable, "U+0060"},
		{"\x1b", GSM7, ErrUnencodable, "U+001B"},
		{"中😀", GBK, ErrUnencodable, "'😀' (U+1F600) at offset 3 has no GBK form"},
		{"中", Latin1, ErrUnencodable, "no Latin1 form"},
		{"abc", Binary, ErrNotText, "Binary"},
		{"abc", Coding(99), ErrNotText, "Coding(99)"},
	}
	for _, tt := range tests {
		b, err := Encode(tt.text, tt.c)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Encode(%q, %v) = % x, %v; want %v containing %q", tt.text, tt.c, b, err, tt.want, tt.msg)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		hex   string
		c     Coding
		want  error
		lossy string
	}{
		{"ucs2 odd trailing byte", "4e2d 65", UCS2, ErrUndecodable, "中\ufffd"},
		{"ucs2 single byte", "41", UCS2, ErrUndecodable, "\ufffd"},
		{"ucs2 lone high surrogate at end", "0041 d83d", UCS2, ErrUndecodable, "A\ufffd"},
		{"ucs2 high surrogate then BMP", "d83d 0041", UCS2, ErrUndecodable, "\ufffdA"},
		{"ucs2 lone low surrogate", "de00 0041", UCS2, ErrUndecodable, "\ufffdA"},
		{"ucs2 reversed pair", "de00 d83d", UCS2, ErrUndecodable, "\ufffd\ufffd"},
		{"ascii high byte", "41 80", ASCII, ErrUndecodable, "A\ufffd"},
		{"gsm7 high octet", "41 c1", GSM7, ErrUndecodable, "A\ufffd"},
		{"gsm7 trailing escape", "41 1b", GSM7, ErrUndecodable, "A\ufffd"},
		{"gsm7 escape then high octet", "1b 80 41", GSM7, ErrUndecodable, "\ufffdA"},
		{"gbk 0xff", "ff", GBK, ErrUndecodable, "\ufffd"},
		{"gbk truncated double byte", "d6d0 ce", GBK, ErrUndecodable, "中\ufffd"},
		{"gbk bad trail byte", "d6 20 41", GBK, ErrUndecodable, "\ufffd A"},
		{"gbk truncated four byte", "8139", GBK, ErrUndecodable, "\ufffd9"},
		{"gbk four byte out of range", "fe39 fe39", GBK, ErrUndecodable, "\ufffd9\ufffd9"},
		{"binary", "0102", Binary, ErrNotText, ""},
		{"unknown coding", "41", Coding(77), ErrNotText, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := unhex(t, tt.hex)
			s, err := Decode(b, tt.c)
			if !errors.Is(err, tt.want) {
				t.Errorf("Decode(% x, %v) = %q, %v; want %v", b, tt.c, s, err, tt.want)
			}
			if got := DecodeLossy(b, tt.c); got != tt.lossy {
				t.Errorf("DecodeLossy(% x, %v) = %q, want %q", b, tt.c, got, tt.lossy)
			}
		})
	}
}

func TestDecodeGSM7Escapes(t *testing.T) {
	tests := []struct{ hex, want string }{
		{"1b 41", "A"},     // unknown extension: the basic character
		{"1b 1b 41", " A"}, // escape to a further table: a space
		{"1b 65 1b 14", "€^"},
		{"00", "@"},
	}
	for _, tt := range tests {
		got, err := Decode(unhex(t, tt.hex), GSM7)
		if err != nil || got != tt.want {
			t.Errorf("Decode(%s, GSM7) = %q, %v; want %q", tt.hex, got, err, tt.want)
		}
	}
}

func TestGSM7TablesRoundTrip(t *testing.T) {
	for i, r := range gsmBasic {
		if i == gsmEscape {
			continue
		}
		b, err := Encode(string(r), GSM7)
		if err != nil || len(b) != 1 || int(b[0]) != i {
			t.Errorf("Encode(%q) = % x, %v; want %02x", r, b, err, i)
		}
	}
	for code, r := range gsmExt {
		b, err := Encode(string(r), GSM7)
		if err != nil || !bytes.Equal(b, []byte{gsmEscape, code}) {
			t.Errorf("Encode(%q) = % x, %v; want 1b %02x", r, b, err, code)
		}
		if n, ok := GSM7Len(string(r)); !ok || n != 2 {
			t.Errorf("GSM7Len(%q) = %d, %v; want 2", r, n, ok)
		}
	}
	if n, ok := GSM7Len("Hello €"); !ok || n != 8 {
		t.Errorf("GSM7Len(Hello €) = %d, %v; want 8, true", n, ok)
	}
	if _, ok := GSM7Len("Hello 中"); ok {
		t.Error("GSM7Len accepted a Chinese character")
	}
}

func TestDecodeGBKForms(t *testing.T) {
	tests := []struct{ hex, want string }{
		{"9439 fc36", "😀"},      // GB18030 four-byte form of a supplementary character
		{"8431 a437", "\ufffd"}, // the real GB18030 encoding of U+FFFD is not an error
		{"a2e3", "€"},           // GB18030's two-byte euro
		{"80", "€"},             // code page 936's one-byte euro
		{"8130 8130", "\u0080"}, // first four-byte BMP code
		{"b0a1 d3ca d5fe", "啊邮政"},
	}
	for _, tt := range tests {
		got, err := Decode(unhex(t, tt.hex), GBK)
		if err != nil || got != tt.want {
			t.Errorf("Decode(%s, GBK) = %q, %v; want %q", tt.hex, got, err, tt.want)
		}
	}
	// The constant the decoder relies on is the encoder's own output.
	if b, err := gb18030Encode("\ufffd"); err != nil || !bytes.Equal(b, gb18030FFFD) {
		t.Errorf("GB18030(U+FFFD) = % x, %v; want % x", b, err, gb18030FFFD)
	}
}

// TestGBKExhaustiveDoubleBytes checks every two-byte sequence: Decode either
// rejects it or yields one character that Encode (where it can) turns back
// into bytes decoding to the same character, and never disagrees with
// DecodeLossy.
func TestGBKExhaustiveDoubleBytes(t *testing.T) {
	ok, bad := 0, 0
	for c0 := 0x81; c0 <= 0xFE; c0++ {
		for c1 := 0x00; c1 <= 0xFF; c1++ {
			b := []byte{byte(c0), byte(c1)}
			s, err := Decode(b, GBK)
			if err != nil {
				bad++
				continue
			}
			ok++
			if utf8.RuneCountInString(s) != 1 || s == "\ufffd" || s != DecodeLossy(b, GBK) {
				t.Fatalf("Decode(% x) = %q", b, s)
			}
			enc, err := Encode(s, GBK)
			if errors.Is(err, ErrUnencodable) {
				continue // assigned in GB18030 only
			}
			if err != nil {
				t.Fatalf("Encode(%q): %v", s, err)
			}
			if back, err := Decode(enc, GBK); err != nil || back != s {
				t.Fatalf("% x → %q → % x → %q, %v", b, s, enc, back, err)
			}
		}
	}
	// GBK has 21,886 code points in its two-byte area; the rest are rejected.
	if ok < 21000 || bad == 0 {
		t.Errorf("decoded %d, rejected %d two-byte sequences", ok, bad)
	}
}

func gb18030Encode(s string) ([]byte, error) {
	return simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
}
