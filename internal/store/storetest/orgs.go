package storetest

import (
	"errors"
	"testing"

	"hongyan/internal/store"
)

func testOrgs(t *testing.T, s store.Store) {
	f := newFx(t, s)
	prov := &store.Org{Level: store.LevelProvince, Code: "GD", Name: "广东省分公司", CreatedAt: base}
	f.must(s.CreateOrg(f.ctx, prov))
	city := &store.Org{ParentID: prov.ID, Level: store.LevelCity, Code: "GD-GZ", Name: "广州市分公司"}
	f.must(s.CreateOrg(f.ctx, city))
	if prov.ID == 0 || city.ID <= prov.ID {
		t.Fatalf("org ids %d, %d", prov.ID, city.ID)
	}
	if err := s.CreateOrg(f.ctx, &store.Org{Level: 2, Code: "GD-GZ", Name: "again"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("taken code: %v", err)
	}
	city.Name = "广州分公司"
	f.must(s.UpdateOrg(f.ctx, city))
	if err := s.UpdateOrg(f.ctx, &store.Org{ID: 987654, Code: "X", Name: "x", Level: 3}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing org: %v", err)
	}
	os, err := s.Orgs(f.ctx)
	f.must(err)
	if len(os) != 2 || os[0].Code != "GD" || !os[0].CreatedAt.Equal(base) || os[1].ParentID != prov.ID || os[1].Name != "广州分公司" || os[1].Level != store.LevelCity {
		t.Fatalf("orgs = %+v %+v", os[0], os[1])
	}

	// Accounts and users belong to organisations.
	a := &store.Account{Name: "gz-partner", OrgID: city.ID, Kind: store.KindPartner, CreatedAt: base}
	f.must(s.CreateAccount(f.ctx, a))
	got, err := s.GetAccount(f.ctx, a.ID)
	f.must(err)
	if got.OrgID != city.ID || got.Kind != store.KindPartner {
		t.Fatalf("account org %d kind %q", got.OrgID, got.Kind)
	}
	got.Kind = ""
	got.OrgID = prov.ID
	f.must(s.UpdateAccount(f.ctx, got))
	if got, _ = s.GetAccount(f.ctx, a.ID); got.OrgID != prov.ID || got.Kind != store.KindUnit {
		t.Fatalf("after update: org %d kind %q", got.OrgID, got.Kind)
	}
	if plain, _ := s.GetAccount(f.ctx, f.acct); plain.Kind != store.KindUnit || plain.OrgID != 0 {
		t.Fatalf("default account kind %q org %d", plain.Kind, plain.OrgID)
	}
	u := &store.User{Username: "gzadmin", Role: store.RoleOrgAdmin, OrgID: city.ID, CreatedAt: base}
	f.must(s.CreateUser(f.ctx, u))
	gu, err := s.UserByName(f.ctx, "gzadmin")
	f.must(err)
	if gu.OrgID != city.ID || gu.Role != store.RoleOrgAdmin {
		t.Fatalf("user %+v", gu)
	}
	gu.OrgID = prov.ID
	f.must(s.UpdateUser(f.ctx, gu))
	if gu, _ = s.UserByName(f.ctx, "gzadmin"); gu.OrgID != prov.ID {
		t.Fatalf("user org after update %d", gu.OrgID)
	}
}
