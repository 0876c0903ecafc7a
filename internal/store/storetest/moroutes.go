package storetest

import (
	"errors"
	"testing"

	"hongyan/internal/store"
)

func testMORoutes(t *testing.T, s store.Store) {
	f := newFx(t, s)
	none, err := s.MORoutes(f.ctx)
	f.must(err)
	if len(none) != 0 {
		t.Fatalf("MORoutes on an empty store = %v", none)
	}
	a := &store.MORoute{ServiceCode: "10658000", Keyword: "CX", AccountID: f.acct, Business: "query", URL: "http://q.example/mo", CreatedAt: base}
	b := &store.MORoute{ServiceCode: "10658000", AccountID: f.acct, Business: "notice", CreatedAt: base}
	f.must(s.CreateMORoute(f.ctx, a))
	f.must(s.CreateMORoute(f.ctx, b))
	if a.ID == 0 || b.ID <= a.ID {
		t.Fatalf("route ids = %d, %d: want set and increasing", a.ID, b.ID)
	}
	dup := &store.MORoute{ServiceCode: "10658000", Keyword: "CX", AccountID: f.acct}
	if err := s.CreateMORoute(f.ctx, dup); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second route for the same service code and keyword: err = %v, want ErrDuplicate", err)
	}
	got, err := s.MORoutes(f.ctx)
	f.must(err)
	if len(got) != 2 {
		t.Fatalf("MORoutes = %d routes, want 2", len(got))
	}
	g := got[0]
	if g.ID != a.ID || g.ServiceCode != "10658000" || g.Keyword != "CX" || g.AccountID != f.acct || g.Business != "query" ||
		g.URL != "http://q.example/mo" || !g.CreatedAt.Equal(base) {
		t.Fatalf("route = %+v, want %+v", g, a)
	}
	if got[1].Keyword != "" || got[1].URL != "" {
		t.Fatalf("catch-all route = %+v", got[1])
	}
	f.must(s.DeleteMORoute(f.ctx, a.ID))
	if err := s.DeleteMORoute(f.ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting a deleted route: err = %v, want ErrNotFound", err)
	}
	left, err := s.MORoutes(f.ctx)
	f.must(err)
	if len(left) != 1 || left[0].ID != b.ID {
		t.Fatalf("after delete: %v", left)
	}
	// The pair is free again once deleted.
	f.must(s.CreateMORoute(f.ctx, &store.MORoute{ServiceCode: "10658000", Keyword: "CX", AccountID: f.acct}))
}
