package filter

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzCheck compares the automaton with the reference: words is a
// newline-separated list, bit i of actions makes word i a reject.
func FuzzCheck(f *testing.F) {
	f.Add("he\nshe\nhis\nhers", uint64(0b0101), "ushers")
	f.Add("违禁词\n违禁\n禁词", uint64(1), "这是违 禁 词，违禁。")
	f.Add("ＦＡＬＵＮ\nfa", uint64(2), "f.a.l.u.n FALUN")
	f.Add("ab\nb\n\u200b", uint64(0), "a\xffb")
	f.Add("ς\nß", uint64(3), "ΣΣ ẞ")
	f.Add("𠀀a\nｶ", uint64(1), "𠀀 Ａ カ")
	f.Fuzz(func(t *testing.T, words string, actions uint64, text string) {
		var rules []Rule
		empty := false
		for i, w := range strings.Split(words, "\n") {
			if i == 64 {
				break
			}
			if Normalize(w) == "" {
				empty = true
				continue
			}
			a := Review
			if actions&(1<<i) != 0 {
				a = Reject
			}
			rules = append(rules, Rule{ID: int64(i), Word: w, Action: a})
		}
		if empty {
			bad := append(slices.Clone(rules), Rule{ID: -1, Word: "\u200b", Action: Reject})
			if _, err := New(bad); !errors.Is(err, ErrEmptyWord) {
				t.Fatalf("New with an empty word: %v", err)
			}
		}
		compare(t, rules, text)
	})
}
