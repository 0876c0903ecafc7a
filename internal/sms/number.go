package sms

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidNumber is wrapped by every NormalizeNumber error.
var ErrInvalidNumber = errors.New("invalid number")

// NormalizeNumber strips spaces, dashes, dots and parentheses (full-width
// forms too, as pasted from Chinese documents) and the prefixes +86, 0086
// and 86 (when 13 digits), and returns an 11-digit mainland mobile number
// 1[3-9]XXXXXXXXX. A number starting with + or 00 and another country code
// is returned as "+" and 8-15 digits (E.164). Anything else is an error
// wrapping ErrInvalidNumber whose text says why.
func NormalizeNumber(s string) (string, error) {
	var d [32]byte // digits and at most one leading '+'
	n := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r == '+' || r == '＋':
			if n != 0 {
				return "", invalidNumber(s, "'+' inside the number")
			}
			r = '+'
		case isNumberPunct(r):
			continue
		default:
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return "", invalidNumber(s, "not valid UTF-8")
				}
			}
			return "", invalidNumber(s, fmt.Sprintf("contains %q, only digits are allowed", r))
		}
		if n == len(d) {
			return "", invalidNumber(s, fmt.Sprintf("too long (over %d digits)", len(d)))
		}
		d[n] = byte(r)
		n++
	}
	num := string(d[:n])
	if num == "" {
		return "", invalidNumber(s, "empty")
	}

	intl := false
	switch {
	case strings.HasPrefix(num, "+"):
		num, intl = num[1:], true
	case strings.HasPrefix(num, "00"):
		num, intl = num[2:], true
	}
	if intl {
		if strings.HasPrefix(num, "86") {
			return mainland(s, num[2:])
		}
		switch {
		case num == "":
			return "", invalidNumber(s, "no digits after the international prefix")
		case num[0] == '0':
			return "", invalidNumber(s, "country code cannot start with 0")
		case len(num) < 8 || len(num) > 15:
			return "", invalidNumber(s, fmt.Sprintf("international number has %d digits, want 8 to 15", len(num)))
		}
		return "+" + num, nil
	}
	if len(num) == 13 && strings.HasPrefix(num, "86") {
		num = num[2:]
	}
	return mainland(s, num)
}

// mainland checks an 11-digit mainland mobile number.
func mainland(orig, num string) (string, error) {
	if len(num) != 11 {
		return "", invalidNumber(orig, fmt.Sprintf("%d digits, a mainland mobile number has 11", len(num)))
	}
	if !IsMainland(num) {
		return "", invalidNumber(orig, fmt.Sprintf("prefix %s is not a mainland mobile prefix (13x-19x)", num[:3]))
	}
	return num, nil
}

// IsMainland reports whether n (as NormalizeNumber returns it) is a mainland
// mobile number: 11 digits, 1[3-9]XXXXXXXXX.
func IsMainland(n string) bool {
	if len(n) != 11 || n[0] != '1' || n[1] < '3' || n[1] > '9' {
		return false
	}
	for i := 2; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

// isNumberPunct is what people put between digits: spaces, dashes, dots and
// parentheses, in ASCII and full-width forms.
func isNumberPunct(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '\u00A0', '\u3000', // spaces, NBSP, ideographic space
		'-', '‐', '‑', '–', '—', '－', // dashes
		'.', '．', '·',
		'(', ')', '（', '）':
		return true
	}
	return false
}

// invalidNumber words the error; the input is quoted (shortened when long)
// so a log line says which number of a batch was wrong.
func invalidNumber(s, why string) error {
	const keep = 40
	if len(s) > keep {
		cut := keep
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidNumber, s, why)
}
