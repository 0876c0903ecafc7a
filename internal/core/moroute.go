package core

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"hongyan/internal/store"
)

// MO routing, in the manner of an SMS router's MO table: a reply is matched
// by the number the user sent to and the keyword it starts with.
//
// Order: the route with the longest service code prefixing the destination
// wins; among routes of that service code, one whose keyword starts the
// text (longest keyword first) beats the catch-all (empty keyword). An
// account's own service code is an implicit catch-all route to it. So an
// extension given to one business (1065800012) keeps all its replies even if
// the parent number (10658000) has keyword routes.

// moRouteTable is the sorted route list; built on every cache reload.
type moRouteTable []*store.MORoute

func newMORouteTable(routes []*store.MORoute, accounts map[int64]*store.Account) moRouteTable {
	t := make(moRouteTable, 0, len(routes)+len(accounts))
	explicit := map[string]bool{}
	for _, r := range routes {
		t = append(t, r)
		if r.Keyword == "" {
			explicit[r.ServiceCode] = true
		}
	}
	for _, a := range accounts {
		if a.ServiceCode != "" && !explicit[a.ServiceCode] {
			t = append(t, &store.MORoute{ServiceCode: a.ServiceCode, AccountID: a.ID})
		}
	}
	sort.SliceStable(t, func(i, j int) bool {
		a, b := t[i], t[j]
		if len(a.ServiceCode) != len(b.ServiceCode) {
			return len(a.ServiceCode) > len(b.ServiceCode)
		}
		if len(a.Keyword) != len(b.Keyword) {
			return len(a.Keyword) > len(b.Keyword)
		}
		if a.ServiceCode != b.ServiceCode {
			return a.ServiceCode < b.ServiceCode
		}
		return a.ID < b.ID
	})
	return t
}

// match finds the route of an MO to `to` with text; nil when none.
func (t moRouteTable) match(to, text string) *store.MORoute {
	norm := NormalizeKeyword(text)
	best := -1
	for i, r := range t {
		if !strings.HasPrefix(to, r.ServiceCode) {
			continue
		}
		if best >= 0 && len(r.ServiceCode) < len(t[best].ServiceCode) {
			break // every later route has a shorter service code
		}
		if r.Keyword == "" {
			if best < 0 {
				best = i
			}
			continue
		}
		if keywordStarts(norm, r.Keyword) {
			return r // sorted: the longest matching keyword comes first
		}
	}
	if best < 0 {
		return nil
	}
	return t[best]
}

// NormalizeKeyword folds what users type into one form for matching:
// full-width letters and digits to half-width (ＴＤ → TD), upper case,
// leading spaces and punctuation dropped.
func NormalizeKeyword(s string) string {
	s = strings.ToUpper(width.Fold.String(s))
	return strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

// keywordStarts reports whether the normalised text starts with the
// keyword as a word: "CX123" and "查询余额" start with CX and 查询, but
// "TEST" does not start with the keyword T — a Latin keyword must not run
// on into more Latin letters.
func keywordStarts(text, kw string) bool {
	if !strings.HasPrefix(text, kw) {
		return false
	}
	rest := text[len(kw):]
	if rest == "" || !isLatin(lastRune(kw)) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(rest)
	return !isLatin(next)
}

func isLatin(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// MOKeyword is the keyword an MO starts with: its first run of letters,
// digits and CJK characters, normalised — so an operator's appended
// signature ("TD【中国移动】") or a user's punctuation never becomes part of it.
func MOKeyword(text string) string {
	n := NormalizeKeyword(text)
	end := strings.IndexFunc(n, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	if end >= 0 {
		n = n[:end]
	}
	return n
}
