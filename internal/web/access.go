package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"hongyan/internal/store"
)

// handler is a console handler for a logged-in user.
type handler func(w http.ResponseWriter, r *http.Request, s session)

// route mounts a handler for the page pageID of the page table: it needs a
// session and a role the page allows, and a POST (any unsafe method) needs
// the session's CSRF token. A route naming no page in the table
// is a programming error, caught at start.
func (s *Server) route(pattern, pageID string, h handler) { s.routeBody(pattern, pageID, 1<<20, h) }

// routeBody is route with a larger limit on a POST's body (file uploads).
func (s *Server) routeBody(pattern, pageID string, limit int64, h handler) {
	p, ok := pageByID(pageID)
	if !ok {
		panic("web: route " + pattern + " names no page " + pageID)
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.require(w, r)
		if !ok {
			return
		}
		if !p.allows(sess.role) {
			s.log.Warn("console: refused by role", "user", sess.username, "role", sess.role, "path", r.URL.Path)
			if wantsJSON(r) {
				writeJSONError(w, http.StatusForbidden, "forbidden", "your role may not open this page")
				return
			}
			s.errorPageFor(w, r, &sess, http.StatusForbidden, "err.forbidden")
			return
		}
		if !safeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if !checkSession(r, sess) {
				s.log.Warn("console: refused without a valid CSRF token", "user", sess.username, "path", r.URL.Path)
				s.errorPageFor(w, r, &sess, http.StatusForbidden, "err.csrf")
				return
			}
		}
		h(w, r, sess)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// require finds the request's session. Without one a browser is sent to
// the login page (told when its session timed out) and a script gets 401.
func (s *Server) require(w http.ResponseWriter, r *http.Request) (session, bool) {
	sess, st := s.current(r, !isBackground(r))
	if st == live {
		return sess, true
	}
	s.refuse(w, r, st)
	return session{}, false
}

// refuse answers a request that has no live session.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, st sessionState) {
	switch {
	case st == unavailable:
		s.errorPage(w, r, http.StatusServiceUnavailable, "err.internal")
	case wantsJSON(r):
		writeJSONError(w, http.StatusUnauthorized, "unauthorized", "no console session; log in again")
	case st == ended:
		s.clearCookie(w, r, sessionCookie)
		http.Redirect(w, r, "/?m=expired", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}

// sessionState is what a request's session cookie amounts to.
type sessionState int

const (
	none        sessionState = iota // no cookie
	ended                           // a cookie whose session expired, was logged out or whose user is gone
	unavailable                     // the user could not be read: refuse this request, keep the session
	live
)

// current returns the live session of the request. The user is read again
// on every request: a user disabled or deleted since login is logged out
// at once, and a changed role takes effect.
func (s *Server) current(r *http.Request, touch bool) (session, sessionState) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return session{}, none
	}
	sess, st := s.sessions.get(r.Context(), c.Value, s.opts.Now(), touch) // session.go: from the store
	if st != live {
		return session{}, st
	}
	u, err := s.core.Store().UserByName(r.Context(), sess.username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		if !errors.Is(err, context.Canceled) {
			s.log.Error("console: look up session user", "user", sess.username, "err", err)
		}
		return session{}, unavailable
	}
	if err != nil || u.Disabled || u.ID != sess.userID {
		s.sessions.delete(sess.id)
		return session{}, ended
	}
	if u.Role != sess.role {
		s.sessions.setRole(sess.id, u.Role)
		sess.role = u.Role
	}
	return sess, live
}

// wantsJSON tells a script's request from a browser's page load.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// isBackground marks the page's own refresh requests: they do not count as
// the user's activity for the idle timeout.
func isBackground(r *http.Request) bool { return r.Header.Get("X-Console-Refresh") != "" }

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeJSONError uses the API's error shape.
func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
