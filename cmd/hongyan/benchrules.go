package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"hongyan/internal/store"
)

// seedBenchRules loads what the business rules look like in production
// before a bench run: thousands of forbidden words and a blacklist of a
// million numbers (none of them the bench's own: those use other number
// segments, and no word occurs in its text), so the run measures the cost
// of checking them, not of refusing.
func seedBenchRules(ctx context.Context, st store.Store, words, numbers int, text string) error {
	start := time.Now()
	r := rand.New(rand.NewPCG(1, 2))
	// Characters of common forbidden words, minus those of the bench text.
	const pool = "赌博彩票代开发票枪支弹药毒品贷款套现刷单兼职裸聊黑客病毒诈骗传销办证假币窃听迷药催情高利"
	var usable []rune
	for _, c := range pool {
		if !strings.ContainsRune(text, c) {
			usable = append(usable, c)
		}
	}
	seen := map[string]bool{}
	for len(seen) < words {
		n := 2 + r.IntN(3)
		w := make([]rune, n)
		for i := range w {
			w[i] = usable[r.IntN(len(usable))]
		}
		s := string(w)
		if seen[s] {
			continue
		}
		seen[s] = true
		if err := st.AddFilterWord(ctx, &store.FilterWord{Word: s, Action: "reject"}); err != nil {
			return fmt.Errorf("bench rules: word %q: %w", s, err)
		}
	}
	const chunk = 20000
	es := make([]store.BlacklistEntry, 0, chunk)
	for i := 0; i < numbers; i++ {
		// 137, 147 and 199 segments: the bench sends to none of them.
		num := fmt.Sprintf("%s%08d", []string{"137", "147", "199"}[i%3], i/3)
		es = append(es, store.BlacklistEntry{Number: num, Source: "bench"})
		if len(es) == chunk || i == numbers-1 {
			if _, err := st.AddBlacklist(ctx, es); err != nil {
				return fmt.Errorf("bench rules: blacklist: %w", err)
			}
			es = es[:0]
			fmt.Fprintf(os.Stderr, "\rbench: rules: %d forbidden words, blacklist %d / %d", words, i+1, numbers)
		}
	}
	fmt.Fprintf(os.Stderr, " (%.1f s)\n", time.Since(start).Seconds())
	return nil
}
