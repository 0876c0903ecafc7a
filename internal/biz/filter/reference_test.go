package filter

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveFindAll is the reference matcher: normalise the text rune by rune,
// remembering where each kept rune came from, then strings.Index every
// distinct normalised word at every position.
func naiveFindAll(rules []Rule, text string) []Hit {
	byNorm := map[string]Rule{}
	for _, r := range rules {
		n := Normalize(r.Word)
		if old, ok := byNorm[n]; !ok || r.Action == Reject && old.Action == Review {
			byNorm[n] = r
		}
	}
	var ns strings.Builder
	startAt := map[int]int{} // normalised byte offset → original start of that rune
	endAt := map[int]int{}   // normalised byte offset just past a rune → original end
	for i, r := range text {
		n := Normalize(string(r))
		if n == "" {
			continue
		}
		startAt[ns.Len()] = i
		ns.WriteString(n)
		endAt[ns.Len()] = i + len(string(r))
	}
	s := ns.String()
	var hits []Hit
	for n, r := range byNorm {
		for from := 0; ; {
			i := strings.Index(s[from:], n)
			if i < 0 {
				break
			}
			i += from
			hits = append(hits, Hit{Rule: r, Start: startAt[i], End: endAt[i+len(n)]})
			from = i + 1
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	return hits
}

// naiveCheck picks the decisive hit by the documented order.
func naiveCheck(rules []Rule, text string) (Hit, bool) {
	hits := naiveFindAll(rules, text)
	if len(hits) == 0 {
		return Hit{}, false
	}
	best := hits[0] // already leftmost, then longest
	for _, h := range hits {
		if h.Rule.Action == Reject && best.Rule.Action == Review {
			best = h
		}
	}
	return best, true
}

// compare checks the automaton against the reference on one input.
func compare(t *testing.T, rules []Rule, text string) {
	t.Helper()
	f, err := New(rules)
	if err != nil {
		t.Fatalf("New(%+v): %v", rules, err)
	}
	got, want := f.FindAll(text), naiveFindAll(rules, text)
	if !slices.Equal(got, want) {
		t.Fatalf("rules %+v\ntext %q\nFindAll = %v\nwant      %v", rules, text, got, want)
	}
	gh, gok := f.Check(text)
	wh, wok := naiveCheck(rules, text)
	if gh != wh || gok != wok {
		t.Fatalf("rules %+v\ntext %q\nCheck = %v, %v\nwant    %v, %v", rules, text, gh, gok, wh, wok)
	}
}

// propAlphabet is small so that random words overlap and nest often; it mixes
// runes that fold together (a A Ａ, ς σ Σ, ß ẞ, k K, ｶ カ) with skipped ones
// and has a letter beyond the Basic Multilingual Plane (𠀀).
var propAlphabet = []string{
	"a", "b", "A", "Ａ", "ｂ", "违", "禁", "词", "ς", "σ", "Σ", "ß", "ẞ", "k", "\u212a", "1", "１",
	"ｶ", "カ", "𠀀", " ", ".", "，", "\u200b", "★", "\xff",
}

func randString(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(propAlphabet[rng.IntN(len(propAlphabet))])
	}
	return b.String()
}

// TestAgainstReference compares Check and FindAll with the naive reference
// on random word lists and texts, including words longer than the ring of
// start offsets kept on the stack.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240601, 7))
	for iter := range 3000 {
		var rules []Rule
		for id := range 1 + rng.IntN(12) {
			w := randString(rng, 1+rng.IntN(5))
			if iter%50 == 0 && id == 0 {
				w = strings.Repeat("a ", ringSize+rng.IntN(40)) // longer than the ring
			}
			if Normalize(w) == "" {
				continue
			}
			a := Review
			if rng.IntN(3) == 0 {
				a = Reject
			}
			rules = append(rules, Rule{ID: int64(id), Word: w, Action: a})
		}
		text := randString(rng, rng.IntN(60))
		if iter%50 == 0 {
			text += strings.Repeat("Ａ.", 2*ringSize) + text
		}
		compare(t, rules, text)
	}
}
