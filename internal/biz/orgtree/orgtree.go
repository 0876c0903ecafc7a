// Package orgtree is the organisation tree (A1) in memory: province, its
// cities, their counties. It answers the questions administration asks of
// the tree — who is below whom, may this organisation hang there — from
// the whole list the store returns (a province has a few hundred
// organisations at most, so the tree is rebuilt per request, never stale).
package orgtree

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"hongyan/internal/store"
)

// Tree indexes organisations by id, code and parent.
type Tree struct {
	byID   map[int64]*store.Org
	byCode map[string]*store.Org
	kids   map[int64][]*store.Org // parent id → children, by id; 0 = the roots
}

// New builds the tree of orgs.
func New(orgs []*store.Org) *Tree {
	t := &Tree{byID: map[int64]*store.Org{}, byCode: map[string]*store.Org{}, kids: map[int64][]*store.Org{}}
	sorted := slices.Clone(orgs)
	slices.SortFunc(sorted, func(a, b *store.Org) int { return cmp.Compare(a.ID, b.ID) })
	for _, o := range sorted {
		t.byID[o.ID] = o
		t.byCode[o.Code] = o
	}
	for _, o := range sorted {
		parent := o.ParentID
		if _, ok := t.byID[parent]; !ok {
			parent = 0 // an orphan shows as a root rather than vanishing
		}
		t.kids[parent] = append(t.kids[parent], o)
	}
	return t
}

// Get returns the organisation with id, or nil.
func (t *Tree) Get(id int64) *store.Org { return t.byID[id] }

// ByCode returns the organisation with code, or nil.
func (t *Tree) ByCode(code string) *store.Org { return t.byCode[code] }

// Children lists the organisations directly below id (0 = the roots), by id.
func (t *Tree) Children(id int64) []*store.Org { return t.kids[id] }

// Subtree lists id and every organisation below it, parents before
// children; nil when id is unknown.
func (t *Tree) Subtree(id int64) []int64 {
	if t.byID[id] == nil {
		return nil
	}
	out := []int64{id}
	seen := map[int64]bool{id: true} // a corrupt (cyclic) tree still ends
	for i := 0; i < len(out); i++ {
		for _, c := range t.kids[out[i]] {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c.ID)
			}
		}
	}
	return out
}

// Within says whether id is root or below it.
func (t *Tree) Within(root, id int64) bool {
	seen := 0
	for o := t.byID[id]; o != nil && seen <= len(t.byID); o, seen = t.byID[o.ParentID], seen+1 {
		if o.ID == root {
			return true
		}
	}
	return false
}

// Node is an organisation with its children, for the tree view.
type Node struct {
	Org      *store.Org
	Children []*Node
}

// Nodes returns the trees rooted at roots (in the order given).
func (t *Tree) Nodes(roots []int64) []*Node {
	var out []*Node
	for _, id := range roots {
		if o := t.byID[id]; o != nil {
			out = append(out, t.node(o, 0))
		}
	}
	return out
}

func (t *Tree) node(o *store.Org, depth int) *Node {
	n := &Node{Org: o}
	if depth > store.LevelCounty { // a corrupt tree cannot recurse forever
		return n
	}
	for _, c := range t.kids[o.ID] {
		n.Children = append(n.Children, t.node(c, depth+1))
	}
	return n
}

// Roots lists the organisations without a parent, by id.
func (t *Tree) Roots() []int64 {
	var out []int64
	for _, o := range t.kids[0] {
		out = append(out, o.ID)
	}
	return out
}

// ErrPlacement is wrapped by Place's refusals.
var ErrPlacement = errors.New("invalid placement")

// Place checks that an organisation of level may hang below parentID: a
// province has no parent, a city's parent is a province and a county's a
// city. It returns the level an organisation below parentID has when level
// is 0 (not given).
func (t *Tree) Place(level int, parentID int64) (int, error) {
	if parentID == 0 {
		if level != 0 && level != store.LevelProvince {
			return 0, fmt.Errorf("%w: a %s needs a parent (a %s)", ErrPlacement, LevelName(level), LevelName(level-1))
		}
		return store.LevelProvince, nil
	}
	p := t.byID[parentID]
	if p == nil {
		return 0, fmt.Errorf("%w: no parent organisation %d", ErrPlacement, parentID)
	}
	if level == 0 {
		level = p.Level + 1
	}
	if level == store.LevelProvince {
		return 0, fmt.Errorf("%w: a province has no parent", ErrPlacement)
	}
	if level > store.LevelCounty {
		return 0, fmt.Errorf("%w: %s %s is a county; nothing hangs below a county", ErrPlacement, p.Code, p.Name)
	}
	if p.Level != level-1 {
		return 0, fmt.Errorf("%w: a %s's parent must be a %s, and %s is a %s", ErrPlacement,
			LevelName(level), LevelName(level-1), p.Code, LevelName(p.Level))
	}
	return level, nil
}

var levelNames = map[int]string{store.LevelProvince: "province", store.LevelCity: "city", store.LevelCounty: "county"}

// LevelName is "province", "city" or "county" ("level N" otherwise).
func LevelName(l int) string {
	if n, ok := levelNames[l]; ok {
		return n
	}
	return fmt.Sprintf("level %d", l)
}

// ParseLevel reads a level name (or its number); false when it is neither.
func ParseLevel(s string) (int, bool) {
	for l, n := range levelNames {
		if s == n || s == fmt.Sprint(l) {
			return l, true
		}
	}
	return 0, false
}
