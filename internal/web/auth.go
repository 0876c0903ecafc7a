package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
)

// loginData is what the login template shows besides the view.
type loginData struct {
	Token    string // the form's CSRF token
	Username string // kept after a failed attempt; the password never is
}

// loginPage answers GET /login (and GET / without a session).
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	_, st := s.current(r, true)
	if st == live {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	flash := ""
	switch {
	case st == ended || r.URL.Query().Get("m") == "expired":
		if st == ended {
			s.clearCookie(w, r, sessionCookie)
		}
		flash = "login.expired"
	case r.URL.Query().Get("m") == "bye":
		flash = "login.bye"
	}
	s.showLogin(w, r, http.StatusOK, flash, false, "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, flashKey string, isErr bool, username string, args ...any) {
	v := newView(r, "login", "login.title")
	tok, err := s.csrf.loginToken(w, r, s.secure(r))
	if err != nil {
		// Without the key no login can succeed: say so rather than let
		// the person type a password for nothing.
		s.log.Error("console: login form", "err", err)
		status, flashKey, isErr, args = http.StatusServiceUnavailable, "login.busy", true, nil
	}
	if flashKey != "" {
		v.Flash, v.Error = v.Tf(flashKey, args...), isErr
	}
	v.Data = loginData{Token: tok, Username: username}
	s.render(w, r, status, "login", v)
}

// login answers POST /login: form fields username, password and csrf. The
// answer to a wrong password is the same whether the user exists or not,
// and takes as long.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.showLogin(w, r, http.StatusBadRequest, "err.bad_request", true, "")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	good, err := s.csrf.checkLogin(r)
	if err != nil {
		s.log.Error("console: check login form", "err", err)
		s.showLogin(w, r, http.StatusServiceUnavailable, "login.busy", true, name)
		return
	}
	if !good {
		s.log.Warn("console: login form without a valid CSRF token", "remote", r.RemoteAddr)
		s.showLogin(w, r, http.StatusForbidden, "login.stale", true, name)
		return
	}
	if name == "" || pw == "" || len(name) > 128 {
		s.showLogin(w, r, http.StatusUnauthorized, "login.failed", true, name)
		return
	}
	wait, ok, err := s.lock.Begin(r.Context(), name)
	if err != nil {
		s.log.Error("console: read login lockout", "user", name, "err", err)
		s.showLogin(w, r, http.StatusServiceUnavailable, "login.busy", true, name)
		return
	}
	if !ok {
		mins := int((wait + time.Minute - 1) / time.Minute)
		s.log.Warn("console: login refused, username locked", "user", name, "remote", r.RemoteAddr)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.showLogin(w, r, http.StatusTooManyRequests, "login.locked", true, name, max(mins, 1))
		return
	}
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-r.Context().Done():
		s.lock.Cancel(name) // the browser went away: no check, no failure
		return
	}
	u, ok, err := core.VerifyUser(r.Context(), s.core.Store(), name, pw)
	if err != nil {
		s.lock.Cancel(name) // the store failed, not the user: no failure counted
		s.log.Error("console: look up user", "user", name, "err", err)
		s.showLogin(w, r, http.StatusServiceUnavailable, "login.busy", true, name)
		return
	}
	if err := s.lock.End(r.Context(), name, ok); err != nil {
		s.log.Error("console: record login result", "user", name, "err", err)
	}
	if !ok {
		s.log.Warn("console: login failed", "user", name, "remote", r.RemoteAddr)
		s.showLogin(w, r, http.StatusUnauthorized, "login.failed", true, name)
		return
	}
	sess, err := s.sessions.create(r.Context(), u.ID, u.Username, u.Role, s.opts.Now())
	if err != nil {
		s.log.Error("console: start session", "user", u.Username, "err", err)
		s.showLogin(w, r, http.StatusServiceUnavailable, "login.busy", true, name)
		return
	}
	s.setCookie(w, r, sessionCookie, sess.id)
	s.clearCookie(w, r, loginCookie)
	s.log.Info("console: login", "user", u.Username, "role", u.Role, "remote", r.RemoteAddr)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout answers POST /logout (its CSRF token is checked by route).
func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess session) {
	if err := s.sessions.end(r.Context(), sess.id); err != nil {
		// The session would outlive the logout: say so, keep the cookie.
		s.log.Error("console: logout", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusServiceUnavailable, "err.internal")
		return
	}
	s.clearCookie(w, r, sessionCookie)
	s.log.Info("console: logout", "user", sess.username, "remote", r.RemoteAddr)
	http.Redirect(w, r, "/?m=bye", http.StatusSeeOther)
}
