package filter

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"违禁词", "违禁词"},
		{"违 禁 词", "违禁词"},
		{"违*禁*词", "违禁词"},
		{"违\u200b禁词", "违禁词"},                   // zero-width space
		{"违\u200c\u200d\u2060\ufeff禁词", "违禁词"}, // ZWNJ, ZWJ, word joiner, BOM
		{"违\u00ad禁\u200e词\u202e", "违禁词"},       // soft hyphen, bidi marks
		{"违\ufe0f禁\U000e0041词", "违禁词"},         // variation selector, tag letter
		{"违\t禁\n词\r\u3000\u00a0\u2003", "违禁词"}, // ASCII, ideographic, no-break, em spaces
		{"违，禁。词、【】！★|_-.", "违禁词"},              // CJK and ASCII punctuation, symbols
		{"违😀禁🇨🇳词", "违禁词"},                      // emoji, flags
		{"ＦＡＬＵＮ", "falun"},                     // full-width upper case
		{"f.a.l.u.n", "falun"},
		{"FaLuN", "falun"},
		{"ＡＢＣ１２３", "abc123"},
		{"ｶﾀｶﾅ", "カタカナ"},    // half-width katakana to wide
		{"ΣΑΣ ς", "σασσ"},   // final sigma folds with sigma
		{"ſ\u212aı", "ski"}, // long s, Kelvin sign, dotless i
		{"Straße", "straße"},
		{"微信 ID：abc_123", "微信idabc123"},
		{"٣ Ⅻ ①", "٣ⅻ①"}, // digits and numbers of any script are kept
		{"e\u0301", "e\u0301"},
		{"a\xffb\xc0", "ab"}, // invalid UTF-8 is skipped
		{"", ""},
		{" ,.!?★\u200b", ""},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFoldEveryRune checks the fast paths, idempotence and the promise never
// to skip a letter or digit, over the whole code space.
func TestFoldEveryRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			continue // surrogates cannot occur in a Go string
		}
		c, ok := fold(r)
		sc, sok := foldSlow(r)
		if c != sc || ok != sok {
			t.Fatalf("fold(%U) = %U, %v; foldSlow = %U, %v", r, c, ok, sc, sok)
		}
		if !ok {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				t.Fatalf("letter or digit %U is skipped", r)
			}
			continue
		}
		if !utf8.ValidRune(c) {
			t.Fatalf("fold(%U) = invalid %U", r, c)
		}
		if c2, ok2 := fold(c); !ok2 || c2 != c {
			t.Fatalf("fold is not idempotent: %U → %U → %U, %v", r, c, c2, ok2)
		}
	}
}
