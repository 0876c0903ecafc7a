package web

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Password change (P4), for every user: the same rules as the admin API's
// POST /api/v1/admin/me/password — the new password has 8 to 128
// characters and is not the old one; the old one is checked under the
// login lockout (a wrong old password counts as a failed login, and a
// locked name is refused even the right one), so a session left open on a
// shared computer cannot be used to guess it. After a change the user's
// admin-API tokens are revoked and their other console sessions end:
// the store ends every session of the user with the change (UpdateUser),
// on every node, and this browser carries on in a new session (a new id
// after a change of credentials).

type passwordData struct{ Done bool }

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, sess session) {
	s.showPassword(w, r, sess, http.StatusOK, "", false)
}

func (s *Server) showPassword(w http.ResponseWriter, r *http.Request, sess session, status int, flash string, done bool) {
	v := newView(r, "password", "pw.title").withSession(sess)
	if flash != "" {
		v.Flash, v.Error = flash, status >= 400
	}
	v.Data = passwordData{Done: done}
	s.render(w, r, status, "password", v)
}

// passwordChange answers POST /password (csrf, old, new, confirm).
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request, sess session) {
	m := msgs(catalogue[langOf(r)])
	old, pw, confirm := r.PostFormValue("old"), r.PostFormValue("new"), r.PostFormValue("confirm")
	fail := func(status int, key string, args ...any) {
		s.showPassword(w, r, sess, status, m.Tf(key, args...), false)
	}
	switch {
	case old == "":
		fail(http.StatusBadRequest, "pw.err.old")
		return
	case utf8.RuneCountInString(pw) < 8 || len(pw) > 128:
		fail(http.StatusBadRequest, "pw.err.length")
		return
	case pw != confirm:
		fail(http.StatusBadRequest, "pw.err.mismatch")
		return
	case pw == old:
		fail(http.StatusBadRequest, "pw.err.same")
		return
	}
	ctx := r.Context()
	wait, ok, err := s.lock.Begin(ctx, sess.username)
	if err != nil {
		s.log.Error("console: read login lockout", "user", sess.username, "err", err)
		fail(http.StatusServiceUnavailable, "login.busy")
		return
	}
	if !ok {
		s.log.Warn("console: password change refused, username locked", "user", sess.username, "remote", r.RemoteAddr)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		fail(http.StatusTooManyRequests, "pw.err.locked", max(int((wait+time.Minute-1)/time.Minute), 1))
		return
	}
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-ctx.Done():
		s.lock.Cancel(sess.username)
		return
	}
	u, good, err := core.VerifyUser(ctx, s.core.Store(), sess.username, old)
	if err != nil {
		s.lock.Cancel(sess.username) // the store failed, not the user
		s.log.Error("console: password change: look up user", "user", sess.username, "err", err)
		fail(http.StatusServiceUnavailable, "login.busy")
		return
	}
	if err := s.lock.End(ctx, sess.username, good); err != nil {
		s.log.Error("console: record password check", "user", sess.username, "err", err)
	}
	if !good || u.ID != sess.userID {
		s.log.Warn("console: password change with a wrong old password", "user", sess.username, "remote", r.RemoteAddr)
		fail(http.StatusForbidden, "pw.err.wrong")
		return
	}
	hash, err := core.HashPassword(pw)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	nu := *u
	nu.PasswordHash = hash
	actx := store.WithAudit(ctx, &store.AuditEntry{UserID: u.ID, Username: u.Username, Action: "password", Object: "user",
		ObjectID: strconv.FormatInt(u.ID, 10), OrgID: u.OrgID}, nil)
	if err := s.core.Store().UpdateUser(actx, &nu); err != nil {
		s.log.Error("console: password change: store", "user", sess.username, "err", err)
		fail(http.StatusServiceUnavailable, "login.busy")
		return
	}
	tokens, err := s.core.Store().RevokeUserTokens(ctx, u.ID, nil)
	if err != nil {
		s.log.Error("console: password change: revoke tokens", "user", sess.username, "err", err)
	}
	s.log.Info("console: password changed", "user", sess.username, "tokens_revoked", tokens, "remote", r.RemoteAddr)
	next, err := s.sessions.create(ctx, u.ID, u.Username, u.Role, s.opts.Now())
	if err != nil {
		// The password is changed and the old session gone: log in again.
		s.log.Error("console: password change: new session", "user", sess.username, "err", err)
		s.clearCookie(w, r, sessionCookie)
		http.Redirect(w, r, "/?m=expired", http.StatusSeeOther)
		return
	}
	s.setCookie(w, r, sessionCookie, next.id)
	s.showPassword(w, r, next, http.StatusOK, m.T("pw.done"), true)
}
