// Package scope decides what an administrative user may see and change
// (A1: each organisation manages its own and its subordinates): given the
// organisation tree and a user, the organisations and accounts in reach.
// Whether a role may call an endpoint at all is the API's role table; this
// package only answers "which ones".
package scope

import (
	"slices"

	"hongyan/internal/biz/orgtree"
	"hongyan/internal/store"
)

// Scope is what one user reaches.
type Scope struct {
	all     bool
	self    int64          // the user's own id: everyone sees themselves
	orgs    map[int64]bool // organisations in reach
	account int64          // a partner user's own account
}

// For returns the scope of u in tree t:
//   - platform_admin: everything;
//   - partner: its own account (and itself), nothing else;
//   - anyone else: their organisation and every organisation below it; an
//     auditor at platform level (no organisation) reads everything, and any
//     other role without an organisation reaches nothing.
func For(u *store.User, t *orgtree.Tree) Scope {
	s := Scope{self: u.ID}
	switch {
	case u.Disabled:
		return Scope{}
	case u.Role == store.RolePlatformAdmin:
		s.all = true
	case u.Role == store.RolePartner:
		s.account = u.AccountID
	case u.OrgID == 0:
		s.all = u.Role == store.RoleAuditor
	default:
		s.orgs = map[int64]bool{}
		for _, id := range t.Subtree(u.OrgID) {
			s.orgs[id] = true
		}
	}
	return s
}

// All says whether the scope is everything.
func (s Scope) All() bool { return s.all }

// Org says whether organisation id is in reach (0, the platform level, only
// for a scope of everything).
func (s Scope) Org(id int64) bool { return s.all || (id != 0 && s.orgs[id]) }

// OrgIDs lists the organisations in reach, by id; nil for a scope of
// everything (no filter), empty for none.
func (s Scope) OrgIDs() []int64 {
	if s.all {
		return nil
	}
	out := make([]int64, 0, len(s.orgs))
	for id := range s.orgs {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Account says whether account a is in reach: its organisation is, or it
// is the partner user's own.
func (s Scope) Account(a *store.Account) bool {
	return s.all || (s.account != 0 && a.ID == s.account) || s.Org(a.OrgID)
}

// User says whether user u is in reach: it belongs to an organisation in
// reach, or is the one asking.
func (s Scope) User(u *store.User) bool {
	return s.all || (s.self != 0 && u.ID == s.self) || s.Org(u.OrgID)
}
