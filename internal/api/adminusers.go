package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Users and their roles. An organisation's administrator manages the users
// of their organisation and those below it, never a platform
// administrator, and never their own role, organisation or status (a
// mistake there would lock them out, or in).

var userRoles = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RoleAuditor, store.RolePartner}

// adminUsers lists the users in scope: ?username=, ?org_id=, ?role= narrow it.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	us, err := s.core.Store().Users(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	q := r.URL.Query()
	out := []map[string]any{}
	for _, x := range us {
		if !wh.sc.User(x) || (q.Get("username") != "" && x.Username != q.Get("username")) ||
			(q.Get("role") != "" && x.Role != q.Get("role")) || (q.Get("org_id") != "" && id(x.OrgID) != q.Get("org_id")) {
			continue
		}
		out = append(out, wh.userJSON(x))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

type userRequest struct {
	Username      string  `json:"username"`
	Password      *string `json:"password"`       // create: "" or absent = generate one; patch: set it (a reset)
	ResetPassword bool    `json:"reset_password"` // patch: generate a new one
	Role          *string `json:"role"`
	OrgID         *idRef  `json:"org_id"`
	Org           *string `json:"org"` // or the organisation's code
	AccountID     *idRef  `json:"account_id"`
	Account       *string `json:"account"` // or the account's name
	Disabled      *bool   `json:"disabled"`
}

func validUsername(n string) bool {
	if n == "" || utf8.RuneCountInString(n) > 64 {
		return false
	}
	for _, r := range n {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' {
			return false
		}
	}
	return true
}

// checkPassword refuses a password too short or too long to be one.
func checkPassword(w http.ResponseWriter, pw string) bool {
	if n := utf8.RuneCountInString(pw); n < 8 || len(pw) > 128 {
		writeError(w, http.StatusBadRequest, "invalid_password", "a password has 8 to 128 characters")
		return false
	}
	return true
}

// placeUser applies the request's role, organisation and account to u and
// checks the result against the caller's reach, writing the refusal.
func (s *Server) placeUser(w http.ResponseWriter, r *http.Request, wh *who, u *store.User, req *userRequest) bool {
	if req.Role != nil {
		u.Role = *req.Role
	}
	if !slices.Contains(userRoles, u.Role) {
		writeError(w, http.StatusBadRequest, "invalid_role", "role must be one of "+strings.Join(userRoles, ", ")+", got "+strconv.Quote(u.Role))
		return false
	}
	if u.Role == store.RolePlatformAdmin && !wh.sc.All() {
		writeError(w, http.StatusForbidden, "forbidden", "only a platform administrator makes platform administrators")
		return false
	}
	if req.OrgID != nil || req.Org != nil {
		var ref idRef
		var code string
		if req.OrgID != nil {
			ref = *req.OrgID
		}
		if req.Org != nil {
			code = *req.Org
		}
		org, ok := wh.orgRef(w, ref, code, "invalid_user")
		if !ok {
			return false
		}
		u.OrgID = org
	}
	if req.AccountID != nil || req.Account != nil {
		var ref idRef
		var name string
		if req.AccountID != nil {
			ref = *req.AccountID
		}
		if req.Account != nil {
			name = *req.Account
		}
		a, ok := s.accountRef(w, r, wh, ref, name, "invalid_user")
		if !ok {
			return false
		}
		u.AccountID = 0
		if a != nil {
			u.AccountID = a.ID
		}
	}
	switch u.Role {
	case store.RolePartner:
		// A partner user belongs to its partner account, and so to the organisation managing it.
		a, err := s.core.Store().GetAccount(r.Context(), u.AccountID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && a.Kind != store.KindPartner) {
			writeError(w, http.StatusBadRequest, "invalid_user", "a partner user needs its partner account (account of kind partner)")
			return false
		}
		if err != nil {
			s.writeErr(w, r, err)
			return false
		}
		if !wh.sc.Account(a) {
			outOfScope(w, "account "+id(a.ID))
			return false
		}
		u.OrgID = a.OrgID
	case store.RoleOrgAdmin, store.RoleOperator:
		if u.OrgID == 0 {
			writeError(w, http.StatusBadRequest, "invalid_user", "a user of role "+u.Role+" belongs to an organisation: give org or org_id")
			return false
		}
	}
	if !wh.sc.Org(u.OrgID) {
		what := "organisation " + id(u.OrgID)
		if u.OrgID == 0 {
			what = "the platform level (a user without organisation)"
		}
		outOfScope(w, what)
		return false
	}
	return true
}

func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var err error
	var req userRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	nu := &store.User{Username: strings.TrimSpace(req.Username)}
	if !validUsername(nu.Username) {
		writeError(w, http.StatusBadRequest, "invalid_user", "username must be 1 to 64 characters without spaces or '/'")
		return
	}
	if req.Role == nil {
		writeError(w, http.StatusBadRequest, "invalid_role", "role is required: one of "+strings.Join(userRoles, ", "))
		return
	}
	if !s.placeUser(w, r, wh, nu, &req) {
		return
	}
	pw, shown := "", false
	if req.Password != nil && *req.Password != "" {
		pw = *req.Password
		if !checkPassword(w, pw) {
			return
		}
	} else {
		pw, shown = core.NewSecret("", 12), true
	}
	if nu.PasswordHash, err = s.hashPassword(r, pw); err != nil {
		s.writeErr(w, r, err)
		return
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "create", Object: "user", OrgID: nu.OrgID}, nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(nu.ID)
		return wh.userJSON(nu)
	})
	if err := s.core.Store().CreateUser(ctx, nu); err != nil {
		s.writeDupOr(w, r, err, "username "+strconv.Quote(nu.Username)+" is taken")
		return
	}
	out := wh.userJSON(nu)
	if shown {
		out["password"] = pw // generated: shown this once
	}
	writeJSON(w, http.StatusCreated, out)
}

// adminPatchUser changes a user's role, organisation, account or status,
// or resets their password (which also ends their sessions and lock).
func (s *Server) adminPatchUser(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	cur, err := s.core.Store().GetUser(r.Context(), n)
	if err == nil && !wh.sc.User(cur) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no user with id "+id(n))
		return
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	var req userRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if req.Username != "" && req.Username != cur.Username {
		writeError(w, http.StatusBadRequest, "invalid_user", "a username does not change; create a new user")
		return
	}
	if cur.ID == u.ID {
		writeError(w, http.StatusForbidden, "forbidden", "you cannot change your own role, organisation, status or password here; use POST /api/v1/admin/me/password")
		return
	}
	if cur.Role == store.RolePlatformAdmin && !wh.sc.All() {
		writeError(w, http.StatusForbidden, "forbidden", "only a platform administrator changes a platform administrator")
		return
	}
	nu := *cur
	if !s.placeUser(w, r, wh, &nu, &req) {
		return
	}
	if req.Disabled != nil {
		nu.Disabled = *req.Disabled
	}
	pw, reset := "", false
	switch {
	case req.Password != nil:
		pw, reset = *req.Password, true
		if !checkPassword(w, pw) {
			return
		}
	case req.ResetPassword:
		pw, reset = core.NewSecret("", 12), true
	}
	if reset {
		if nu.PasswordHash, err = s.hashPassword(r, pw); err != nil {
			s.writeErr(w, r, err)
			return
		}
	}
	before, after := wh.userJSON(cur), wh.userJSON(&nu)
	if reset {
		after["password"] = "(reset)" // that it changed, never what to
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "update", Object: "user", ObjectID: id(nu.ID), OrgID: nu.OrgID},
		before, func(*store.AuditEntry) any { return after })
	if err := s.core.Store().UpdateUser(ctx, &nu); err != nil {
		s.writeErr(w, r, err)
		return
	}
	// Sessions end with a reset or a disable; a reset also lifts a lock.
	if reset || nu.Disabled {
		if _, err := s.core.Store().RevokeUserTokens(r.Context(), nu.ID, nil); err != nil {
			s.writeErr(w, r, err)
			return
		}
	}
	if reset {
		if err := s.lock.Unlock(r.Context(), nu.Username); err != nil {
			s.writeErr(w, r, err)
			return
		}
	}
	out := wh.userJSON(&nu)
	if req.ResetPassword {
		out["password"] = pw // generated: shown this once
	}
	writeJSON(w, http.StatusOK, out)
}

// hashPassword hashes with argon2id, at most len(s.hashing) at once.
func (s *Server) hashPassword(r *http.Request, pw string) (string, error) {
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-r.Context().Done():
		return "", r.Context().Err()
	}
	return core.HashPassword(pw)
}
