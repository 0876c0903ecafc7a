package gateway

import (
	"fmt"
	"maps"
)

// Edits of the segment table made by administrators (kept in the database,
// store.SegmentStore) lie on top of the table as loaded: the effective
// table is the loaded one with each edited prefix or ported number set to
// its operator, or removed. Applying edits builds a whole new table and
// swaps it in at once: lookups never lock and never see half a change.

// SegmentEdits are the edits to apply: prefix or number → operator, ""
// removing it from the loaded table.
type SegmentEdits struct {
	Prefixes map[string]string
	Ported   map[string]string
}

// Apply replaces the edits in force with e (the loaded table plus e is the
// table from now on). An edit naming an unknown operator is refused, and
// the table stays as it was.
func (s *Segments) Apply(e SegmentEdits) error {
	t := &segTable{prefix: maps.Clone(s.base.prefix), maxLen: s.base.maxLen, overrides: maps.Clone(s.base.overrides)}
	for p, op := range e.Prefixes {
		if err := checkEdit("prefix", p, op); err != nil {
			return err
		}
		if op == "" {
			delete(t.prefix, p)
			continue
		}
		t.prefix[p] = op
		t.maxLen = max(t.maxLen, len(p))
	}
	for n, op := range e.Ported {
		if err := checkEdit("ported number", n, op); err != nil {
			return err
		}
		if op == "" {
			delete(t.overrides, n)
			continue
		}
		t.overrides[n] = op
	}
	s.t.Store(t)
	return nil
}

func checkEdit(kind, key, op string) error {
	if key == "" {
		return fmt.Errorf("segments: an edited %s is empty", kind)
	}
	if op != "" && !ValidOperator(op) {
		return fmt.Errorf("segments: edited %s %s: unknown operator %q", kind, key, op)
	}
	return nil
}

// Loaded returns what the table as loaded (the data file and the
// configured overrides, without edits) says of a prefix and of a number:
// its operator, "" if it has none there.
func (s *Segments) Loaded(prefix, number string) (prefixOp, numberOp string) {
	if prefix != "" {
		prefixOp = s.base.prefix[prefix]
	}
	if number != "" {
		numberOp = s.base.overrides[number]
	}
	return prefixOp, numberOp
}

// Current is Loaded for the table in force (edits applied).
func (s *Segments) Current(prefix, number string) (prefixOp, numberOp string) {
	t := s.t.Load()
	if prefix != "" {
		prefixOp = t.prefix[prefix]
	}
	if number != "" {
		numberOp = t.overrides[number]
	}
	return prefixOp, numberOp
}
