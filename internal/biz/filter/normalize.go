package filter

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Normalize returns s as matching sees it (see the package documentation):
// widths and case folded, white space, invisible characters, punctuation and
// symbols removed. The admin UI shows it as a word's "normalised as" preview.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if c, ok := fold(r); ok {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// fold maps one rune of text or word to what matching sees; ok is false when
// the rune is skipped. The fast paths cover ASCII and the CJK ideographs that
// make up most Chinese text; the exhaustive test checks them against
// foldSlow for every rune.
func fold(r rune) (c rune, ok bool) {
	switch {
	case r < utf8.RuneSelf:
		b := asciiFold[r]
		return rune(b), b != 0
	case 0x4E00 <= r && r <= 0x9FFF, 0x3400 <= r && r <= 0x4DBF:
		return r, true
	}
	return foldSlow(r)
}

// asciiFold is foldSlow over ASCII; 0 marks a skipped rune (NUL is skipped).
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for r := range rune(utf8.RuneSelf) {
		if c, ok := foldSlow(r); ok {
			t[r] = byte(c)
		}
	}
	return t
}()

func foldSlow(r rune) (rune, bool) {
	// Width first, so the full-width space is seen as a space and Ａ as A.
	if w := width.LookupRune(r).Folded(); w != 0 {
		r = w
	}
	if skipped(r) {
		return 0, false
	}
	// lower(upper(r)) rather than lower(r) also folds ς, ſ, ı and the like
	// with their look-alikes while staying one rune for one rune.
	return unicode.ToLower(unicode.ToUpper(r)), true
}

// skipped reports the runes an evader can insert without changing how the
// text reads: spaces, punctuation, symbols and invisible characters. Letters
// and digits are never skipped, whatever their script.
func skipped(r rune) bool {
	switch {
	case unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsSymbol(r):
		return true
	case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r):
		// Invisible too, but a few of these are Hangul filler letters.
		return !unicode.IsLetter(r)
	}
	return false
}
