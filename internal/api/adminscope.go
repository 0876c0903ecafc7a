package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"hongyan/internal/biz/orgtree"
	"hongyan/internal/biz/scope"
	"hongyan/internal/store"
)

// Scoping rule of the admin API: an object named in the path (/orgs/{id},
// /users/{id}, /accounts/{id}) that is outside the caller's scope is
// answered 404 not_found, exactly as one that does not exist, so ids do not
// reveal what exists elsewhere. A reference in a request body (the
// organisation of a new account, say) outside the scope — or that does not
// exist — is refused 403 forbidden, the same words either way.

// who is the caller of an admin endpoint and what they reach.
type who struct {
	u    *store.User
	sc   scope.Scope
	tree *orgtree.Tree
}

// who reads the organisation tree (small; read per request so that every
// node sees a change at once) and the caller's scope in it.
func (s *Server) who(r *http.Request, u *store.User) (*who, error) {
	orgs, err := s.core.Store().Orgs(r.Context())
	if err != nil {
		return nil, fmt.Errorf("admin scope: %w", err)
	}
	t := orgtree.New(orgs)
	return &who{u: u, sc: scope.For(u, t), tree: t}, nil
}

// whoOr is who, answering a failure itself (false: answered).
func (s *Server) whoOr(w http.ResponseWriter, r *http.Request, u *store.User) (*who, bool) {
	wh, err := s.who(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	return wh, true
}

// bodyAndWho decodes the request's JSON body into v (unknown fields are
// errors), then reads who the caller is; false: answered.
func (s *Server) bodyAndWho(w http.ResponseWriter, r *http.Request, u *store.User, v any) (*who, bool) {
	if err := decodeStrict(r, v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return nil, false
	}
	return s.whoOr(w, r, u)
}

// outOfScope refuses a body reference the caller may not use.
func outOfScope(w http.ResponseWriter, what string) {
	writeError(w, http.StatusForbidden, "forbidden", what+" is outside your organisation's scope")
}

// idRef is an id in a request body: a JSON string (as this API writes ids)
// or a number. Zero = not given.
type idRef int64

func (v *idRef) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*v = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("%s is not an id", b)
	}
	*v = idRef(n)
	return nil
}

// orgRef resolves an organisation given by id or code ("" and 0: none).
// It writes the refusal and returns ok false when the caller may not use
// it; an unknown one is "outside the scope" for a scoped caller, and
// invalid for one who sees everything.
func (wh *who) orgRef(w http.ResponseWriter, id idRef, code, invalidCode string) (int64, bool) {
	var o *store.Org
	switch {
	case id != 0:
		o = wh.tree.Get(int64(id))
	case code != "":
		o = wh.tree.ByCode(code)
	default:
		return 0, true
	}
	name := code
	if id != 0 {
		name = strconv.FormatInt(int64(id), 10)
	}
	if o == nil || !wh.sc.Org(o.ID) {
		if wh.sc.All() {
			writeError(w, http.StatusBadRequest, invalidCode, "no organisation "+strconv.Quote(name))
		} else {
			outOfScope(w, "organisation "+strconv.Quote(name))
		}
		return 0, false
	}
	return o.ID, true
}

// scopedAccount reads the account of the path's {id}, refusing (404) one
// outside the scope as if it did not exist.
func (s *Server) scopedAccount(w http.ResponseWriter, r *http.Request, wh *who) (*store.Account, bool) {
	n, ok := parseID(w, r)
	if !ok {
		return nil, false
	}
	a, err := s.core.Store().GetAccount(r.Context(), n)
	if err == nil && !wh.sc.Account(a) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no account with id "+id(n))
		return nil, false
	}
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	return a, true
}

// accountRef resolves an account given by id or name in a body.
func (s *Server) accountRef(w http.ResponseWriter, r *http.Request, wh *who, ref idRef, name, invalidCode string) (*store.Account, bool) {
	var a *store.Account
	var err error
	switch {
	case ref != 0:
		a, err = s.core.Store().GetAccount(r.Context(), int64(ref))
		name = strconv.FormatInt(int64(ref), 10)
	case name != "":
		a, err = s.core.Store().AccountByName(r.Context(), name)
	default:
		return nil, true
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.writeErr(w, r, err)
		return nil, false
	}
	if a == nil || !wh.sc.Account(a) {
		if wh.sc.All() {
			writeError(w, http.StatusBadRequest, invalidCode, "no account "+strconv.Quote(name))
		} else {
			outOfScope(w, "account "+strconv.Quote(name))
		}
		return nil, false
	}
	return a, true
}

// optID is an id for JSON, null for 0 (no organisation, no account).
func optID(n int64) any {
	if n == 0 {
		return nil
	}
	return id(n)
}

func (wh *who) orgCode(orgID int64) string {
	if o := wh.tree.Get(orgID); o != nil {
		return o.Code
	}
	return ""
}

func orgJSON(o *store.Org) map[string]any {
	return map[string]any{"id": id(o.ID), "parent_id": optID(o.ParentID), "level": orgtree.LevelName(o.Level),
		"code": o.Code, "name": o.Name, "created_at": ts(o.CreatedAt)}
}

// userJSON never shows the password hash.
func (wh *who) userJSON(u *store.User) map[string]any {
	return map[string]any{"id": id(u.ID), "username": u.Username, "role": u.Role, "org_id": optID(u.OrgID),
		"org": wh.orgCode(u.OrgID), "account_id": optID(u.AccountID), "disabled": u.Disabled, "created_at": ts(u.CreatedAt)}
}

// accountJSON is the account as administrators see it: with its
// organisation and kind, never its secret or password hash.
func (wh *who) accountJSON(a *store.Account) map[string]any {
	m := accountJSON(a)
	m["org_id"], m["org"], m["kind"] = optID(a.OrgID), wh.orgCode(a.OrgID), a.Kind
	return m
}

// rawJSON embeds stored JSON (an audit snapshot) as it is; "" is null.
func rawJSON(s string) any {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}

// scopedRefusals reads the refusals of ?account_id= (404 outside the
// scope) or of every account in scope, writing any refusal or error.
func (s *Server) scopedRefusals(w http.ResponseWriter, r *http.Request, u *store.User) ([]store.Refusal, bool) {
	wh, err := s.who(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	st := s.core.Store()
	q := store.RefusalQuery{Kind: r.URL.Query().Get("kind"), Limit: limitParam(r, 100, 10000)}
	switch raw := r.URL.Query().Get("account_id"); {
	case raw != "":
		n, perr := strconv.ParseInt(raw, 10, 64)
		var a *store.Account
		if perr == nil {
			a, err = st.GetAccount(r.Context(), n)
		}
		if perr != nil || errors.Is(err, store.ErrNotFound) || (err == nil && !wh.sc.Account(a)) {
			writeError(w, http.StatusNotFound, "not_found", "no account with id "+strconv.Quote(raw))
			return nil, false
		}
		if err == nil {
			q.Accounts = []int64{a.ID}
		}
	case wh.sc.All():
		// every account: q.Accounts stays nil
	default:
		var accs []*store.Account
		if accs, err = st.Accounts(r.Context()); err == nil {
			q.Accounts = []int64{} // none unless in scope
			for _, a := range accs {
				if wh.sc.Account(a) {
					q.Accounts = append(q.Accounts, a.ID)
				}
			}
		}
	}
	var rs []store.Refusal
	if err == nil {
		rs, err = st.RefusalsWhere(r.Context(), q)
	}
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	return rs, true
}

// auditNumbers names the numbers of a blacklist change in the audit log:
// the number, or the first and how many (an import's chunk).
func auditNumbers(nums []string) string {
	switch len(nums) {
	case 0:
		return ""
	case 1:
		return nums[0]
	}
	return fmt.Sprintf("%s (+%d)", nums[0], len(nums)-1)
}
