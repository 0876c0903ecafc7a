package filter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Filter is a compiled word list: an Aho–Corasick automaton over normalised
// runes. It is immutable once built and safe for concurrent use.
type Filter struct {
	// states[s] for every trie node, root 0, plus a sentinel so that the
	// edges of s are always edges[states[s].lo:states[s+1].lo].
	states []state
	// edges holds each state's edge labels sorted, searched by bisection:
	// most states have one or two edges, and CJK rules out a dense table
	// per state. Edge i leads to state i+1 (see link).
	edges []rune
	// rootDense is the root's transition for runes rootLo+i, 0 meaning no
	// edge. The root is the only wide state and the one a clean text sits in,
	// so its step is an index instead of a bisection over thousands of edges.
	rootDense []int32
	rootLo    rune
	rootFar   int32 // root edges from here on lie past the dense window
	words     []word
	maxLen    int // longest word in runes
}

type state struct {
	lo   int32 // first edge
	fail int32 // longest proper suffix that is also a trie node
	out  int32 // first state on the suffix chain (itself included) that ends a word; -1 none
	word int32 // word ending exactly here; -1 none
}

type word struct {
	rule Rule
	n    int // length in normalised runes
}

// New compiles rules into a Filter. A rule whose word normalises to nothing
// or whose action is neither Reject nor Review is an error. Rules whose
// words normalise the same are one word: the stronger action wins (reject
// over review), then the rule given first.
func New(rules []Rule) (*Filter, error) {
	ws, norms, err := dedup(rules)
	if err != nil {
		return nil, err
	}
	f := &Filter{words: ws}
	parent, label, term := trie(norms)
	f.link(parent, label, term)
	for _, w := range ws {
		f.maxLen = max(f.maxLen, w.n)
	}
	return f, nil
}

// dedup validates and normalises the rules and returns one word per
// distinct normalised string, sorted by it (the order trie needs).
func dedup(rules []Rule) ([]word, []string, error) {
	type entry struct {
		norm     string
		strength int
		i        int
	}
	es := make([]entry, 0, len(rules))
	for i, r := range rules {
		if r.Action.strength() == 0 {
			return nil, nil, fmt.Errorf("filter: rule %d (%q): %w %q", r.ID, r.Word, ErrUnknownAction, r.Action)
		}
		n := Normalize(r.Word)
		if n == "" {
			return nil, nil, fmt.Errorf("filter: rule %d (%q): %w", r.ID, r.Word, ErrEmptyWord)
		}
		es = append(es, entry{n, r.Action.strength(), i})
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := strings.Compare(a.norm, b.norm); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(b.strength, a.strength), cmp.Compare(a.i, b.i))
	})
	ws := make([]word, 0, len(es))
	norms := make([]string, 0, len(es))
	for j, e := range es {
		if j > 0 && e.norm == es[j-1].norm {
			continue // sorted strongest and earliest first
		}
		ws = append(ws, word{rules[e.i], utf8.RuneCountInString(e.norm)})
		norms = append(norms, e.norm)
	}
	return ws, norms, nil
}

// trie builds the keyword trie of sorted, distinct words as parallel arrays:
// node v hangs below parent[v] by rune label[v] and ends word term[v] (-1
// none). Sorted input means a node's existing child for a rune can only be
// its latest one, so no map is needed, and each node's children come out in
// rune order.
func trie(norms []string) (parent []int32, label []rune, term []int32) {
	parent, label, term = []int32{-1}, []rune{0}, []int32{-1}
	latest := []int32{-1}
	for wi, w := range norms {
		u := int32(0)
		for _, r := range w {
			v := latest[u]
			if v < 0 || label[v] != r {
				v = int32(len(parent))
				parent, label, term = append(parent, u), append(label, r), append(term, -1)
				latest = append(latest, -1)
				latest[u] = v
			}
			u = v
		}
		term[u] = int32(wi)
	}
	return parent, label, term
}

// link lays the trie out as the automaton. States are numbered breadth
// first, which puts the shallow states a clean text keeps visiting next to
// each other in memory and makes edge i lead to state i+1. Failure and
// output links follow in the same order, each depth needing only shallower
// ones.
func (f *Filter) link(parent []int32, label []rune, term []int32) {
	n := len(parent)
	// Children of each trie node, in rune order since nodes were created so.
	first := make([]int32, n+1)
	for v := 1; v < n; v++ {
		first[parent[v]+1]++
	}
	for u := 1; u <= n; u++ {
		first[u] += first[u-1]
	}
	kids := make([]int32, n-1)
	pos := slices.Clone(first[:n])
	for v := 1; v < n; v++ {
		kids[pos[parent[v]]] = int32(v)
		pos[parent[v]]++
	}

	order, id := make([]int32, 1, n), make([]int32, n)
	for qi := 0; qi < len(order); qi++ {
		for _, v := range kids[first[order[qi]]:first[order[qi]+1]] {
			id[v] = int32(len(order))
			order = append(order, v)
		}
	}
	f.states = make([]state, n+1)
	f.edges = make([]rune, 0, n-1)
	for s, u := range order {
		f.states[s] = state{lo: int32(len(f.edges)), word: term[u]}
		for _, v := range kids[first[u]:first[u+1]] {
			f.edges = append(f.edges, label[v])
		}
	}
	f.states[n] = state{lo: int32(n - 1), out: -1, word: -1}
	f.buildRootDense() // step below needs it

	f.states[0].out = -1
	for u := range int32(n) {
		for i := f.states[u].lo; i < f.states[u+1].lo; i++ {
			v, fv := i+1, int32(0)
			if u != 0 {
				fv = f.step(f.states[u].fail, f.edges[i])
			}
			f.states[v].fail = fv
			f.states[v].out = f.states[fv].out
			if f.states[v].word >= 0 {
				f.states[v].out = v
			}
		}
	}
}

// buildRootDense indexes the root's edges for runes in the Basic
// Multilingual Plane (at most 256 KiB); rarer runes beyond it are bisected.
func (f *Filter) buildRootDense() {
	root := f.edges[:f.states[1].lo]
	far, _ := slices.BinarySearch(root, 0x10000)
	f.rootFar = int32(far)
	if far == 0 {
		return
	}
	f.rootLo = root[0]
	f.rootDense = make([]int32, root[far-1]-f.rootLo+1)
	for i, r := range root[:far] {
		f.rootDense[r-f.rootLo] = int32(i + 1)
	}
}
