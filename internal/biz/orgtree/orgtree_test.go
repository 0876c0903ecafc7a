package orgtree

import (
	"errors"
	"slices"
	"testing"

	"hongyan/internal/store"
)

// province 1 → cities 2, 3 → counties 4, 5 (below 2) and 6 (below 3).
func sample() *Tree {
	return New([]*store.Org{
		{ID: 6, ParentID: 3, Level: store.LevelCounty, Code: "P-B-1"},
		{ID: 1, Level: store.LevelProvince, Code: "P"},
		{ID: 2, ParentID: 1, Level: store.LevelCity, Code: "P-A"},
		{ID: 3, ParentID: 1, Level: store.LevelCity, Code: "P-B"},
		{ID: 4, ParentID: 2, Level: store.LevelCounty, Code: "P-A-1"},
		{ID: 5, ParentID: 2, Level: store.LevelCounty, Code: "P-A-2"},
	})
}

func TestSubtreeAndWithin(t *testing.T) {
	tr := sample()
	for _, tc := range []struct {
		id   int64
		want []int64
	}{{1, []int64{1, 2, 3, 4, 5, 6}}, {2, []int64{2, 4, 5}}, {6, []int64{6}}, {99, nil}} {
		if got := tr.Subtree(tc.id); !slices.Equal(got, tc.want) {
			t.Errorf("Subtree(%d) = %v, want %v", tc.id, got, tc.want)
		}
	}
	for _, tc := range []struct {
		root, id int64
		want     bool
	}{{1, 6, true}, {2, 4, true}, {2, 2, true}, {2, 6, false}, {4, 2, false}, {3, 99, false}} {
		if got := tr.Within(tc.root, tc.id); got != tc.want {
			t.Errorf("Within(%d, %d) = %v", tc.root, tc.id, got)
		}
	}
	if tr.ByCode("P-B").ID != 3 || tr.Get(5).Code != "P-A-2" || tr.ByCode("nope") != nil {
		t.Fatal("look-ups")
	}
	if got := tr.Roots(); !slices.Equal(got, []int64{1}) {
		t.Fatalf("Roots = %v", got)
	}
}

func TestNodes(t *testing.T) {
	ns := sample().Nodes([]int64{1})
	if len(ns) != 1 || len(ns[0].Children) != 2 || len(ns[0].Children[0].Children) != 2 || ns[0].Children[1].Children[0].Org.ID != 6 {
		t.Fatalf("tree shape wrong: %+v", ns)
	}
	if sample().Nodes([]int64{42}) != nil {
		t.Fatal("an unknown root gave a node")
	}
}

// A cycle in stored data (never made through Place) does not hang the tree.
func TestCorruptTreeTerminates(t *testing.T) {
	tr := New([]*store.Org{{ID: 1, ParentID: 2, Level: 2}, {ID: 2, ParentID: 1, Level: 2}})
	if tr.Within(3, 1) {
		t.Fatal("Within on a cycle")
	}
	_ = tr.Subtree(1)
	_ = tr.Nodes([]int64{1})
}

func TestPlace(t *testing.T) {
	tr := sample()
	for _, tc := range []struct {
		level  int
		parent int64
		want   int
		bad    bool
	}{
		{0, 0, store.LevelProvince, false},
		{store.LevelProvince, 0, store.LevelProvince, false},
		{0, 1, store.LevelCity, false},
		{store.LevelCity, 1, store.LevelCity, false},
		{0, 2, store.LevelCounty, false},
		{store.LevelCounty, 3, store.LevelCounty, false},
		{store.LevelCity, 0, 0, true},     // a city needs a parent
		{store.LevelCounty, 1, 0, true},   // a county's parent must be a city
		{store.LevelCity, 2, 0, true},     // a city's parent must be the province
		{store.LevelProvince, 1, 0, true}, // a province has no parent
		{0, 4, 0, true},                   // nothing below a county
		{store.LevelCounty, 99, 0, true},  // no such parent
	} {
		got, err := tr.Place(tc.level, tc.parent)
		if tc.bad != (err != nil) || got != tc.want {
			t.Errorf("Place(%d, %d) = %d, %v", tc.level, tc.parent, got, err)
		}
		if err != nil && !errors.Is(err, ErrPlacement) {
			t.Errorf("Place(%d, %d): %v does not wrap ErrPlacement", tc.level, tc.parent, err)
		}
	}
}

func TestLevels(t *testing.T) {
	for _, s := range []string{"province", "city", "county", "1", "3"} {
		if l, ok := ParseLevel(s); !ok || (LevelName(l) != s && s[0] > '9') {
			t.Errorf("ParseLevel(%q) = %d, %v", s, l, ok)
		}
	}
	if _, ok := ParseLevel("town"); ok {
		t.Error("town is a level")
	}
	if LevelName(7) != "level 7" {
		t.Error(LevelName(7))
	}
}
