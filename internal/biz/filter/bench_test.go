package filter

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// benchPool is the characters benchmark words and texts are drawn from:
// 3,500, about the size of the list of common Chinese characters, so that
// nearly every character of a clean text starts some word, as in real lists.
var benchPool = func() []rune {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := make([]rune, 3500)
	for i := range pool {
		pool[i] = 0x4E00 + rune(rng.IntN(0x9FA5-0x4E00))
	}
	return pool
}()

// benchRules is n random Chinese words of 2 to 4 characters, a third of
// them rejects.
func benchRules(n int) []Rule {
	rng := rand.New(rand.NewPCG(3, 4))
	rules := make([]Rule, n)
	for i := range rules {
		w := make([]rune, 2+rng.IntN(3))
		for j := range w {
			w[j] = benchPool[rng.IntN(len(benchPool))]
		}
		a := Review
		if i%3 == 0 {
			a = Reject
		}
		rules[i] = Rule{ID: int64(i), Word: string(w), Action: a}
	}
	return rules
}

var benchOnce = sync.OnceValue(func() *Filter {
	f, err := New(benchRules(10000))
	if err != nil {
		panic(err)
	}
	return f
})

func benchFilter(tb testing.TB, n int) *Filter {
	tb.Helper()
	if n != 10000 {
		tb.Fatal("only the 10,000-word filter is cached")
	}
	return benchOnce()
}

// cleanText is n characters of SMS-like text from the pool, with a comma or
// full stop every so often, that f finds clean.
func cleanText(f *Filter, rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; {
		var r rune
		switch {
		case i%17 == 16:
			r = '，'
		case i%29 == 28:
			r = '。'
		default:
			r = benchPool[rng.IntN(len(benchPool))]
		}
		prev := b.Len()
		b.WriteRune(r)
		if _, hit := f.Check(b.String()); hit {
			s := b.String()[:prev] // drop the rune that completed a word
			b.Reset()
			b.WriteString(s)
			continue
		}
		i++
	}
	return b.String()
}

// benchTexts: a 70-character clean message (one SMS part), a 500-character
// clean one (a long concatenated message) and the 500-character one with a
// review word spaced out in the middle and a reject word near the end.
func benchTexts(tb testing.TB, f *Filter) map[string]string {
	rng := rand.New(rand.NewPCG(5, 6))
	rules := benchRules(10000)
	clean := cleanText(f, rng, 500)
	spaced := strings.Join(strings.Split(rules[1].Word, ""), " ")
	r := []rune(clean)
	hits := string(r[:250]) + spaced + string(r[250:450]) + rules[0].Word + string(r[450:])
	if h, ok := f.Check(hits); !ok || h.Rule.Action != Reject {
		tb.Fatalf("hits text: Check = %v, %v", h, ok)
	}
	return map[string]string{"clean70": cleanText(f, rng, 70), "clean500": clean, "hits": hits}
}

func BenchmarkCheck(b *testing.B) {
	f := benchFilter(b, 10000)
	texts := benchTexts(b, f)
	for _, name := range []string{"clean70", "clean500", "hits"} {
		text := texts[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				f.Check(text)
			}
		})
	}
}

func BenchmarkFindAll(b *testing.B) {
	f := benchFilter(b, 10000)
	text := benchTexts(b, f)["hits"]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		f.FindAll(text)
	}
}

func BenchmarkNew(b *testing.B) {
	rules := benchRules(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(rules); err != nil {
			b.Fatal(err)
		}
	}
}
