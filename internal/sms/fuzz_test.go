package sms

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

var textCodings = []Coding{ASCII, GSM7, UCS2, GBK, Latin1}

// FuzzDecode runs every coding over the same bytes.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"", "41", "4e2d 6587", "d83d de00", "d83d", "de00 d83d", "4e2d 65",
		"1b 65 1b 14", "1b", "1b 1b", "1b 80", "80", "ff", "d6d0 cec4", "9439 fc36",
		"8431 a437", "fe39 fe39", "8139", "05 00 03 2a 03 01",
	} {
		f.Add(unhex(f, seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range textCodings {
			s, err := Decode(b, c)
			lossy := DecodeLossy(b, c)
			if !utf8.ValidString(lossy) {
				t.Fatalf("DecodeLossy(% x, %v) is not UTF-8: %q", b, c, lossy)
			}
			if err != nil {
				if !errors.Is(err, ErrUndecodable) {
					t.Fatalf("Decode(% x, %v) error %v does not wrap ErrUndecodable", b, c, err)
				}
				continue
			}
			if s != lossy {
				t.Fatalf("Decode(% x, %v) = %q but DecodeLossy = %q", b, c, s, lossy)
			}
			if !utf8.ValidString(s) {
				t.Fatalf("Decode(% x, %v) is not UTF-8: %q", b, c, s)
			}
			enc, err := Encode(s, c)
			if err != nil {
				// Only GB18030's four-byte forms lie outside what GBK encodes.
				if c == GBK && errors.Is(err, ErrUnencodable) {
					continue
				}
				t.Fatalf("Encode(Decode(% x, %v) = %q): %v", b, c, s, err)
			}
			// Byte-exact where the coding has one form per character.
			if (c == ASCII || c == UCS2 || c == Latin1) && !bytes.Equal(enc, b) {
				t.Fatalf("%v round trip: % x → %q → % x", c, b, s, enc)
			}
			if back, err := Decode(enc, c); err != nil || back != s {
				t.Fatalf("%v round trip: % x → %q → % x → %q, %v", c, b, s, enc, back, err)
			}
		}
		if _, err := Decode(b, Binary); !errors.Is(err, ErrNotText) {
			t.Fatalf("Decode(Binary) error %v", err)
		}
	})
}

func FuzzParseUDH(f *testing.F) {
	for _, seed := range []string{
		"05 00 03 2a 03 01 4e2d", "06 08 04 12 34 03 01", "00", "", "ff", "05 00 04 2a 03 01 41",
		"0b 05 04 0b84 23f0 00 03 07 02 01 aa", "01 00", "05 00 03 01 00 01",
	} {
		f.Add(unhex(f, seed))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		orig := bytes.Clone(content)
		c, has, payload, err := ParseUDH(content)
		if !bytes.Equal(content, orig) {
			t.Fatal("ParseUDH modified its input")
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedUDH) || has || payload != nil {
				t.Fatalf("error %v with concat %v payload % x", err, has, payload)
			}
			return
		}
		if want := content[1+int(content[0]):]; !bytes.Equal(payload, want) {
			t.Fatalf("payload % x, want the bytes after the header % x", payload, want)
		}
		if !has {
			if c != (Concat{}) {
				t.Fatalf("no concat but %+v", c)
			}
			return
		}
		if c.Total < 1 || c.Total > MaxParts || c.Seq < 1 || c.Seq > c.Total || (!c.Ref16 && c.Ref > 0xFF) {
			t.Fatalf("concat out of range: %+v", c)
		}
		// What we would send for it parses back the same.
		rebuilt := append(ConcatUDH(c), payload...)
		c2, has2, payload2, err := ParseUDH(rebuilt)
		if err != nil || !has2 || c2 != c || !bytes.Equal(payload2, payload) {
			t.Fatalf("rebuilt % x parses as %+v %v % x %v, want %+v", rebuilt, c2, has2, payload2, err, c)
		}
	})
}

func FuzzNormalizeNumber(f *testing.F) {
	for _, seed := range []string{
		"+86 138 0013 8000", "0086-13800138000", "8613800138000", "12345", "", "abc",
		"+447911123456", "00447911123456", "１３８００１３８０００", "+", "00", "138\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeNumber(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidNumber) || n != "" {
				t.Fatalf("NormalizeNumber(%q) = %q, %v", s, n, err)
			}
			return
		}
		if IsMainland(n) {
			// fine
		} else if !strings.HasPrefix(n, "+") || len(n) < 9 || len(n) > 16 || n[1] == '0' ||
			strings.HasPrefix(n, "+86") || strings.Trim(n[1:], "0123456789") != "" {
			t.Fatalf("NormalizeNumber(%q) = %q: neither mainland nor E.164", s, n)
		}
		// Normalising is idempotent.
		if again, err := NormalizeNumber(n); err != nil || again != n {
			t.Fatalf("NormalizeNumber(%q) = %q, but NormalizeNumber(%q) = %q, %v", s, n, n, again, err)
		}
	})
}

// FuzzSplit checks that Count agrees with Split and that parts join back.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{"", "hello", strings.Repeat("中", 71), strings.Repeat("中", 66) + "😀", strings.Repeat("a", 152) + "€€"} {
		f.Add(seed, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		n, pc := Count(text)
		if parts, err := Split(text, pc, 1); err == nil && len(parts) != n {
			t.Fatalf("Count = %d, Split = %d parts", n, len(parts))
		} else if err != nil && (!errors.Is(err, ErrTooLong) || n <= MaxParts) {
			t.Fatalf("Split(%v): %v with Count %d", pc, err, n)
		}
		c := textCodings[int(which)%len(textCodings)]
		parts, err := Split(text, c, 1)
		if err != nil {
			if !errors.Is(err, ErrUnencodable) && !errors.Is(err, ErrTooLong) {
				t.Fatalf("Split(%v): %v", c, err)
			}
			return
		}
		var joined []byte
		_, per := byteLimits(c)
		for _, p := range parts {
			if len(parts) > 1 && len(p.Payload) > per {
				t.Fatalf("part of %d bytes", len(p.Payload))
			}
			joined = append(joined, p.Payload...)
		}
		got, err := Decode(joined, c)
		if err != nil {
			t.Fatalf("Decode(joined, %v): %v", c, err)
		}
		if utf8.ValidString(text) && got != text {
			t.Fatalf("%v: %q came back as %q", c, text, got)
		}
	})
}
