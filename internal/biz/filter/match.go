package filter

import (
	"cmp"
	"math"
	"slices"
	"unicode/utf8"
)

// Len is the number of distinct normalised words.
func (f *Filter) Len() int { return len(f.words) }

// Check returns the decisive hit in text: any Reject hit beats every Review
// hit; among hits of the same action the leftmost wins, and of those the
// longest. ok is false when the text is clean. It makes one pass over the
// text and does not allocate (unless a word is longer than ringSize runes).
func (f *Filter) Check(text string) (Hit, bool) {
	if len(f.words) == 0 {
		return Hit{}, false
	}
	var m matcher
	m.init(f, text)
	var best match
	found := false
	for {
		h, ok := m.next()
		if !ok {
			break
		}
		if found && !f.beats(h, best) {
			continue
		}
		best, found = h, true
		if f.words[h.word].rule.Action == Reject {
			// Nothing ending more than maxLen runes later can start at or
			// before this hit, and only such a hit could still beat it.
			m.stop = h.k + f.maxLen - 1
		}
	}
	if !found {
		return Hit{}, false
	}
	return f.hit(best), true
}

// beats reports whether hit a is more decisive than hit b.
func (f *Filter) beats(a, b match) bool {
	sa, sb := f.words[a.word].rule.Action.strength(), f.words[b.word].rule.Action.strength()
	if sa != sb {
		return sa > sb
	}
	if a.start != b.start {
		return a.start < b.start
	}
	return a.end > b.end
}

// FindAll returns every hit in text, overlapping ones included, ordered by
// Start and, for the same Start, longest first. Two hits never share both
// Start and End. It returns nil for a clean text.
func (f *Filter) FindAll(text string) []Hit {
	if len(f.words) == 0 {
		return nil
	}
	var m matcher
	m.init(f, text)
	var hits []Hit
	for {
		h, ok := m.next()
		if !ok {
			break
		}
		hits = append(hits, f.hit(h))
	}
	// The automaton reports hits by where they end.
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	return hits
}

func (f *Filter) hit(m match) Hit {
	return Hit{Rule: f.words[m.word].rule, Start: m.start, End: m.end}
}

// step is the automaton's transition: follow failure links until a state
// has an edge for r, ending at the root.
func (f *Filter) step(s int32, r rune) int32 {
	for s != 0 {
		if t := f.child(s, r); t >= 0 {
			return t
		}
		s = f.states[s].fail
	}
	if i := uint32(r - f.rootLo); i < uint32(len(f.rootDense)) {
		return f.rootDense[i]
	}
	if r < 0x10000 {
		return 0 // the dense table covers every root edge in the BMP
	}
	if t := f.childIn(f.rootFar, f.states[1].lo, r); t >= 0 {
		return t
	}
	return 0
}

// child is the target of s's edge for r, or -1.
func (f *Filter) child(s int32, r rune) int32 {
	return f.childIn(f.states[s].lo, f.states[s+1].lo, r)
}

func (f *Filter) childIn(lo, end int32, r rune) int32 {
	hi := end
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		if f.edges[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < end && f.edges[lo] == r {
		return lo + 1
	}
	return -1
}

// match is a hit before it becomes a Hit: word index, the kept-rune index
// where it starts, and its byte span in the original text.
type match struct {
	word       int32
	k          int
	start, end int
}

// ringSize is how many start offsets of recent kept runes a matcher keeps on
// the stack, enough for words up to that many runes. A list with a longer
// word gets a ring from the heap on every scan; no real list has one.
const ringSize = 64

// matcher runs the automaton over a text, one hit per next call. It maps
// each normalised rune back to the original text's byte offsets: the start
// of the last maxLen kept runes is remembered in a ring, the end of a hit is
// where the current rune ends.
type matcher struct {
	f    *Filter
	text string
	i    int   // next byte to read
	end  int   // byte offset just past the current rune
	k    int   // kept runes consumed
	s    int32 // automaton state
	t    int32 // next state to report a word at the current rune, -1 none
	stop int   // Check's early exit: consume no kept rune past this index
	ring [ringSize]int
	big  []int // instead of ring when maxLen > ringSize
	mask int   // len(big)-1
}

func (m *matcher) init(f *Filter, text string) {
	m.f, m.text, m.t, m.stop = f, text, -1, math.MaxInt
	if f.maxLen > ringSize {
		n := 1
		for n < f.maxLen {
			n <<= 1
		}
		m.big, m.mask = make([]int, n), n-1
	}
}

func (m *matcher) next() (match, bool) {
	f := m.f
	for m.t < 0 {
		if m.i >= len(m.text) {
			return match{}, false
		}
		r, size := rune(m.text[m.i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(m.text[m.i:])
		}
		start := m.i
		m.i += size
		c, ok := fold(r)
		if !ok {
			continue
		}
		if m.k > m.stop {
			m.i = len(m.text)
			return match{}, false
		}
		if m.big != nil {
			m.big[m.k&m.mask] = start
		} else {
			m.ring[m.k&(ringSize-1)] = start
		}
		m.k++
		m.end = m.i
		m.s = f.step(m.s, c)
		m.t = f.states[m.s].out
	}
	t := m.t
	m.t = f.states[f.states[t].fail].out
	w := f.states[t].word
	k := m.k - f.words[w].n
	var start int
	if m.big != nil {
		start = m.big[k&m.mask]
	} else {
		start = m.ring[k&(ringSize-1)]
	}
	return match{word: w, k: k, start: start, end: m.end}, true
}
