package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// adminLogin answers POST /api/v1/admin/login {"username", "password"}
// with a token that expires. A wrong password and an unknown or disabled
// user get the same answer in the same time; failures count towards the
// lockout the console shares (internal/biz/lockout).
func (s *Server) adminLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	name := strings.TrimSpace(req.Username)
	if name == "" || req.Password == "" || len(name) > 128 || len(req.Password) > 1024 {
		writeError(w, http.StatusUnauthorized, "unauthorized", "wrong username or password")
		return
	}
	u, wait, err := s.checkLogin(r, name, req.Password)
	switch {
	case err != nil:
		s.writeErr(w, r, err)
		return
	case wait > 0:
		writeLocked(w, wait)
		return
	case u == nil:
		writeError(w, http.StatusUnauthorized, "unauthorized", "wrong username or password")
		return
	}
	tok := core.NewSecret("hya_", 24)
	t := &store.UserToken{Hash: core.HashKey(tok), Prefix: tok[:8], UserID: u.ID, CreatedAt: time.Now(),
		ExpiresAt: time.Now().Add(s.opts.TokenTTL)}
	if err := s.core.Store().CreateUserToken(r.Context(), t); err != nil {
		s.writeErr(w, r, err)
		return
	}
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	s.log.Info("admin api: login", "user", u.Username, "role", u.Role, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "expires_at": ts(t.ExpiresAt), "user": wh.userJSON(u)})
}

// adminLogout answers POST /api/v1/admin/logout: the token used is revoked
// at once; with ?all=true every token of the caller is (signing out of every
// machine, e.g. after a laptop is lost).
func (s *Server) adminLogout(w http.ResponseWriter, r *http.Request, u *store.User) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	all := r.URL.Query().Get("all")
	if all != "" && all != "true" && all != "false" {
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("all=%q: want true or false", all))
		return
	}
	n := 1
	var err error
	if all == "true" {
		n, err = s.core.Store().RevokeUserTokens(r.Context(), u.ID, nil)
	} else {
		err = s.core.Store().RevokeUserToken(r.Context(), core.HashKey(strings.TrimSpace(tok)))
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.log.Info("admin api: logout", "user", u.Username, "tokens", n, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, map[string]any{"revoked": n})
}

// checkLogin checks name's password under the lockout. It returns the
// user when the password is right, how long to wait when the name is
// locked, neither for a wrong password (or user), or the store's error.
func (s *Server) checkLogin(r *http.Request, name, pw string) (*store.User, time.Duration, error) {
	wait, ok, err := s.lock.Begin(r.Context(), name)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		s.log.Warn("admin api: login refused, name locked", "user", name, "remote", r.RemoteAddr)
		return nil, max(wait, time.Second), nil
	}
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-r.Context().Done():
		s.lock.Cancel(name) // the client went away: no check, no failure
		return nil, 0, r.Context().Err()
	}
	u, good, err := core.VerifyUser(r.Context(), s.core.Store(), name, pw)
	if err != nil {
		s.lock.Cancel(name) // the store failed, not the user
		return nil, 0, err
	}
	if err := s.lock.End(r.Context(), name, good); err != nil {
		s.log.Error("admin api: record login result", "user", name, "err", err)
	}
	if !good {
		s.log.Warn("admin api: login failed", "user", name, "remote", r.RemoteAddr)
		return nil, 0, nil
	}
	return u, 0, nil
}

// writeLocked refuses a login while its name is locked.
func writeLocked(w http.ResponseWriter, wait time.Duration) {
	mins := max(int((wait+time.Minute-1)/time.Minute), 1)
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeError(w, http.StatusTooManyRequests, "locked", fmt.Sprintf("too many failed logins for this name; try again in %d minute(s)", mins))
}

// adminChangePassword answers POST /api/v1/admin/me/password
// {"old_password", "new_password"}: the caller changes their own password,
// proving the old one (a stolen token alone cannot), under the lockout.
// Their other tokens are revoked; the one used stays.
func (s *Server) adminChangePassword(w http.ResponseWriter, r *http.Request, u *store.User) {
	var req struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if !checkPassword(w, req.New) {
		return
	}
	if req.New == req.Old {
		writeError(w, http.StatusBadRequest, "invalid_password", "the new password is the old one")
		return
	}
	ok, wait, err := s.checkLogin(r, u.Username, req.Old)
	switch {
	case err != nil:
		s.writeErr(w, r, err)
		return
	case wait > 0:
		writeLocked(w, wait)
		return
	case ok == nil:
		writeError(w, http.StatusForbidden, "wrong_password", "the old password is wrong")
		return
	}
	hash, err := s.hashPassword(r, req.New)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	nu := *u
	nu.PasswordHash = hash
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "password", Object: "user", ObjectID: id(u.ID), OrgID: u.OrgID}, nil, nil)
	if err := s.core.Store().UpdateUser(ctx, &nu); err != nil {
		s.writeErr(w, r, err)
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if _, err := s.core.Store().RevokeUserTokens(r.Context(), u.ID, core.HashKey(strings.TrimSpace(tok))); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"changed": true})
}
