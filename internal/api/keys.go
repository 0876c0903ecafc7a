package api

import (
	"net/http"
	"slices"
	"strconv"

	"hongyan/internal/store"
)

// API keys in one place: every key of every account the caller may see,
// scoped like an account's own key list (GET …/accounts/{id}/keys).
// Revoking stays per account (DELETE …/accounts/{id}/keys/{prefix}); the
// keys themselves are stored hashed and are never shown.

func (s *Server) keyRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/keys", everyone, s.adminAllKeys},
	}
}

// adminAllKeys lists the keys in scope, by account then creation:
// ?account_id= one account, ?org=CODE the accounts of that organisation
// and those below it, ?state=live|revoked (default both).
func (s *Server) adminAllKeys(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var err error
	q := r.URL.Query()
	var onlyAccount int64
	if v := q.Get("account_id"); v != "" {
		if onlyAccount, err = strconv.ParseInt(v, 10, 64); err != nil || onlyAccount <= 0 {
			writeError(w, http.StatusBadRequest, "invalid_parameter", "account_id must be an account's id")
			return
		}
	}
	var orgs []int64
	if code := q.Get("org"); code != "" {
		o := wh.tree.ByCode(code)
		if o == nil || !wh.sc.Org(o.ID) {
			writeError(w, http.StatusNotFound, "not_found", "no organisation "+strconv.Quote(code))
			return
		}
		orgs = wh.tree.Subtree(o.ID)
	}
	state := q.Get("state")
	switch state {
	case "", "all", "live", "revoked":
	default:
		writeError(w, http.StatusBadRequest, "invalid_parameter", "state must be live, revoked or all")
		return
	}
	accs, err := s.core.Store().Accounts(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	seen := map[int64]*store.Account{}
	for _, a := range accs {
		if !wh.sc.Account(a) || onlyAccount != 0 && a.ID != onlyAccount || orgs != nil && !slices.Contains(orgs, a.OrgID) {
			continue
		}
		seen[a.ID] = a
	}
	all, err := s.core.Store().APIKeys(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	slices.SortStableFunc(all, func(x, y *store.APIKey) int {
		if x.AccountID != y.AccountID {
			return int(min(max(x.AccountID-y.AccountID, -1), 1))
		}
		return x.CreatedAt.Compare(y.CreatedAt)
	})
	out := []map[string]any{}
	for _, k := range all {
		a := seen[k.AccountID]
		if a == nil || state == "live" && k.Revoked || state == "revoked" && !k.Revoked {
			continue
		}
		m := keyJSON(k)
		m["account"], m["org_id"], m["org"] = a.Name, optID(a.OrgID), wh.orgCode(a.OrgID)
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}
