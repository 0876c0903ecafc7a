package gateway

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync/atomic"
)

// Operators the platform routes to.
const (
	CMCC = "cmcc" // China Mobile
	CUCC = "cucc" // China Unicom
	CTCC = "ctcc" // China Telecom
	CBN  = "cbn"  // China Broadnet
	Intl = "intl" // international / SMPP aggregator
)

// ValidOperator reports whether op is one of the five operator codes.
func ValidOperator(op string) bool {
	switch op {
	case CMCC, CUCC, CTCC, CBN, Intl:
		return true
	}
	return false
}

//go:embed data/cn-number-segments.csv
var defaultSegments []byte

// Segments maps a normalised number to its operator: exact overrides
// (ported numbers) first, then the longest matching prefix. It is read on
// every message, so lookups are lock-free; Replace swaps the whole table.
type Segments struct {
	t    atomic.Pointer[segTable]
	base *segTable // the table as loaded, under the edits (segedits.go)
}

type segTable struct {
	prefix    map[string]string
	maxLen    int
	overrides map[string]string
}

// DefaultSegments returns the table shipped with Hongyan.
func DefaultSegments() *Segments {
	s, err := ParseSegments(bytes.NewReader(defaultSegments), nil)
	if err != nil {
		panic(fmt.Sprintf("gateway: shipped segment table is broken: %v", err))
	}
	return s
}

// ParseSegments reads "prefix,operator[,kind]" lines (# comments and a
// "prefix,…" header allowed) plus an override map number → operator.
func ParseSegments(r io.Reader, overrides map[string]string) (*Segments, error) {
	t := &segTable{prefix: map[string]string{}, overrides: map[string]string{}}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "prefix,") {
			continue
		}
		f := strings.Split(l, ",")
		if len(f) < 2 {
			return nil, fmt.Errorf("segments line %d: want prefix,operator: %q", line, l)
		}
		p, op := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return nil, fmt.Errorf("segments line %d: prefix %q is not digits", line, p)
		}
		if !ValidOperator(op) {
			return nil, fmt.Errorf("segments line %d: unknown operator %q", line, op)
		}
		t.prefix[p] = op
		t.maxLen = max(t.maxLen, len(p))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	for n, op := range overrides {
		if !ValidOperator(op) {
			return nil, fmt.Errorf("segments override %s: unknown operator %q", n, op)
		}
		t.overrides[n] = op
	}
	s := &Segments{base: t}
	s.t.Store(t)
	return s, nil
}

// WithOverrides returns a copy of the table with ported numbers added.
func (s *Segments) WithOverrides(ov map[string]string) (*Segments, error) {
	old := s.t.Load()
	t := &segTable{prefix: old.prefix, maxLen: old.maxLen, overrides: map[string]string{}}
	for n, op := range old.overrides {
		t.overrides[n] = op
	}
	for n, op := range ov {
		if !ValidOperator(op) {
			return nil, fmt.Errorf("segments override %s: unknown operator %q", n, op)
		}
		t.overrides[n] = op
	}
	ns := &Segments{base: t}
	ns.t.Store(t)
	return ns, nil
}

// Operator returns the operator of a normalised number, or "" if no
// segment matches. Numbers in E.164 form ("+…") go to Intl.
func (s *Segments) Operator(number string) string {
	t := s.t.Load()
	if op, ok := t.overrides[number]; ok {
		return op
	}
	if strings.HasPrefix(number, "+") {
		return Intl
	}
	for l := min(t.maxLen, len(number)); l > 0; l-- {
		if op, ok := t.prefix[number[:l]]; ok {
			return op
		}
	}
	return ""
}

// Len is the number of prefixes (for status pages).
func (s *Segments) Len() int { return len(s.t.Load().prefix) }

// Entries returns copies of the table: prefix → operator, and the
// overrides (ported numbers) → operator, for the console's segment page.
func (s *Segments) Entries() (prefixes, overrides map[string]string) {
	t := s.t.Load()
	return maps.Clone(t.prefix), maps.Clone(t.overrides)
}
