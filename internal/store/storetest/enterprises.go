package storetest

import (
	"errors"
	"slices"
	"testing"

	"hongyan/internal/store"
)

func enterpriseNames(es []*store.Enterprise) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

// testEnterprises: enterprise customers with their linked accounts —
// created, found by scope and text, updated, deleted.
func testEnterprises(t *testing.T, s store.Store) {
	f := newFx(t, s)
	a := &store.Enterprise{OrgID: 7, Name: "鸿运物流", Contact: "张经理", Phone: "13800138000", Address: "广州", Note: "VIP",
		AccountIDs: []int64{12, 3, 12}, CreatedAt: base}
	f.must(s.CreateEnterprise(f.ctx, a))
	if a.ID == 0 {
		t.Fatal("no id")
	}
	if err := s.CreateEnterprise(f.ctx, &store.Enterprise{OrgID: 7, Name: "鸿运物流"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("same name in one organisation: %v, want ErrDuplicate", err)
	}
	b := &store.Enterprise{OrgID: 8, Name: "鸿运物流", Contact: "李四"}
	f.must(s.CreateEnterprise(f.ctx, b))
	c := &store.Enterprise{OrgID: 7, Name: "阿尔法科技", Phone: "020-1234"}
	f.must(s.CreateEnterprise(f.ctx, c))

	got, err := s.Enterprise(f.ctx, a.ID)
	f.must(err)
	if got.Name != a.Name || got.OrgID != 7 || got.Contact != "张经理" || got.Phone != "13800138000" || got.Address != "广州" ||
		got.Note != "VIP" || !slices.Equal(got.AccountIDs, []int64{3, 12}) || !got.CreatedAt.Equal(base) {
		t.Fatalf("enterprise = %+v", got)
	}
	if _, err := s.Enterprise(f.ctx, a.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing: %v, want ErrNotFound", err)
	}
	find := func(q store.EnterpriseQuery, want ...string) {
		t.Helper()
		es, err := s.Enterprises(f.ctx, q)
		f.must(err)
		if got := enterpriseNames(es); !slices.Equal(got, want) {
			t.Fatalf("Enterprises(%+v) = %v, want %v", q, got, want)
		}
	}
	find(store.EnterpriseQuery{OrgIDs: []int64{7}}, "阿尔法科技", "鸿运物流")
	find(store.EnterpriseQuery{OrgIDs: []int64{}})
	find(store.EnterpriseQuery{}, "阿尔法科技", "鸿运物流", "鸿运物流")
	find(store.EnterpriseQuery{Text: "李四"}, "鸿运物流")
	find(store.EnterpriseQuery{OrgIDs: []int64{7, 8}, Text: "1380013"}, "鸿运物流")
	find(store.EnterpriseQuery{Limit: 1}, "阿尔法科技")
	es, err := s.Enterprises(f.ctx, store.EnterpriseQuery{OrgIDs: []int64{7}})
	f.must(err)
	if len(es) != 2 || !slices.Equal(es[1].AccountIDs, []int64{3, 12}) || len(es[0].AccountIDs) != 0 {
		t.Fatalf("listed accounts: %+v %+v", es[0], es[1])
	}

	// Update: details and accounts replaced; a taken name is refused.
	a.Contact, a.AccountIDs = "王五", []int64{5}
	f.must(s.UpdateEnterprise(f.ctx, a))
	got, err = s.Enterprise(f.ctx, a.ID)
	f.must(err)
	if got.Contact != "王五" || !slices.Equal(got.AccountIDs, []int64{5}) {
		t.Fatalf("updated = %+v", got)
	}
	c.Name = "鸿运物流"
	if err := s.UpdateEnterprise(f.ctx, c); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("renaming onto a taken name: %v, want ErrDuplicate", err)
	}
	if err := s.UpdateEnterprise(f.ctx, &store.Enterprise{ID: a.ID + 1000, Name: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("updating a missing one: %v, want ErrNotFound", err)
	}

	// Delete: gone with its links; a new one does not inherit them.
	f.must(s.DeleteEnterprise(f.ctx, a.ID))
	if err := s.DeleteEnterprise(f.ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting twice: %v, want ErrNotFound", err)
	}
	if _, err := s.Enterprise(f.ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	find(store.EnterpriseQuery{OrgIDs: []int64{7}}, "阿尔法科技")
}
