package scope

import (
	"slices"
	"testing"

	"hongyan/internal/biz/orgtree"
	"hongyan/internal/store"
)

// province 1 → cities 2, 3 → county 4 below 2.
var tree = orgtree.New([]*store.Org{
	{ID: 1, Level: store.LevelProvince, Code: "P"},
	{ID: 2, ParentID: 1, Level: store.LevelCity, Code: "P-A"},
	{ID: 3, ParentID: 1, Level: store.LevelCity, Code: "P-B"},
	{ID: 4, ParentID: 2, Level: store.LevelCounty, Code: "P-A-1"},
})

var accounts = []*store.Account{
	{ID: 10, OrgID: 1}, {ID: 11, OrgID: 2}, {ID: 12, OrgID: 3}, {ID: 13, OrgID: 4, Kind: store.KindPartner}, {ID: 14},
}

func visible(s Scope) []int64 {
	var out []int64
	for _, a := range accounts {
		if s.Account(a) {
			out = append(out, a.ID)
		}
	}
	return out
}

func TestScopePerRole(t *testing.T) {
	for _, tc := range []struct {
		name   string
		user   store.User
		all    bool
		orgs   []int64
		accts  []int64
		orgIDs []int64
	}{
		{"platform admin", store.User{ID: 1, Role: store.RolePlatformAdmin}, true, []int64{0, 1, 2, 3, 4}, []int64{10, 11, 12, 13, 14}, nil},
		{"province admin", store.User{ID: 2, Role: store.RoleOrgAdmin, OrgID: 1}, false, []int64{1, 2, 3, 4}, []int64{10, 11, 12, 13}, []int64{1, 2, 3, 4}},
		{"city admin", store.User{ID: 3, Role: store.RoleOrgAdmin, OrgID: 2}, false, []int64{2, 4}, []int64{11, 13}, []int64{2, 4}},
		{"county operator", store.User{ID: 4, Role: store.RoleOperator, OrgID: 4}, false, []int64{4}, []int64{13}, []int64{4}},
		{"city auditor", store.User{ID: 5, Role: store.RoleAuditor, OrgID: 3}, false, []int64{3}, []int64{12}, []int64{3}},
		{"platform auditor", store.User{ID: 6, Role: store.RoleAuditor}, true, []int64{0, 1, 2, 3, 4}, []int64{10, 11, 12, 13, 14}, nil},
		{"operator without org", store.User{ID: 7, Role: store.RoleOperator}, false, nil, nil, []int64{}},
		{"partner", store.User{ID: 8, Role: store.RolePartner, AccountID: 13, OrgID: 4}, false, nil, []int64{13}, []int64{}},
		{"partner without account", store.User{ID: 9, Role: store.RolePartner}, false, nil, nil, []int64{}},
		{"disabled admin", store.User{ID: 10, Role: store.RolePlatformAdmin, Disabled: true}, false, nil, nil, []int64{}},
		{"admin of a gone org", store.User{ID: 11, Role: store.RoleOrgAdmin, OrgID: 99}, false, nil, nil, []int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := For(&tc.user, tree)
			if s.All() != tc.all {
				t.Errorf("All = %v", s.All())
			}
			var orgs []int64
			for _, id := range []int64{0, 1, 2, 3, 4} {
				if s.Org(id) {
					orgs = append(orgs, id)
				}
			}
			if !slices.Equal(orgs, tc.orgs) {
				t.Errorf("orgs %v, want %v", orgs, tc.orgs)
			}
			if got := visible(s); !slices.Equal(got, tc.accts) {
				t.Errorf("accounts %v, want %v", got, tc.accts)
			}
			if got := s.OrgIDs(); !slices.Equal(got, tc.orgIDs) || (tc.orgIDs == nil) != (got == nil) {
				t.Errorf("OrgIDs %v, want %v", got, tc.orgIDs)
			}
		})
	}
}

func TestScopeUsers(t *testing.T) {
	cityAdmin := &store.User{ID: 3, Role: store.RoleOrgAdmin, OrgID: 2}
	s := For(cityAdmin, tree)
	for _, tc := range []struct {
		u    store.User
		want bool
	}{
		{store.User{ID: 3, OrgID: 2}, true},                           // themselves
		{store.User{ID: 20, OrgID: 2}, true},                          // a colleague
		{store.User{ID: 21, OrgID: 4}, true},                          // below
		{store.User{ID: 22, OrgID: 1}, false},                         // above
		{store.User{ID: 23, OrgID: 3}, false},                         // beside
		{store.User{ID: 24, Role: store.RolePlatformAdmin}, false},    // platform level
		{store.User{ID: 25, Role: store.RolePartner, OrgID: 4}, true}, // a partner user managed below
	} {
		if got := s.User(&tc.u); got != tc.want {
			t.Errorf("city admin sees user %+v: %v, want %v", tc.u, got, tc.want)
		}
	}
	partner := For(&store.User{ID: 8, Role: store.RolePartner, AccountID: 13}, tree)
	if !partner.User(&store.User{ID: 8}) || partner.User(&store.User{ID: 9, AccountID: 13, OrgID: 4}) {
		t.Error("a partner sees itself only")
	}
}
