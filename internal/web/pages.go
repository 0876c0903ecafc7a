package web

import "net/http"

// root is GET /: the landing page with a session, the login page without.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	sess, st := s.current(r, true)
	switch st {
	case live:
		s.home(w, r, sess)
	case unavailable:
		s.errorPage(w, r, http.StatusServiceUnavailable, "err.internal")
	default:
		s.loginPage(w, r)
	}
}

// home is the landing page: a card per page the user's role may open.
func (s *Server) home(w http.ResponseWriter, r *http.Request, sess session) {
	v := newView(r, "home", "home.title").withSession(sess)
	var cards []menuItem
	for _, it := range v.Menu {
		if it.Desc != "" {
			cards = append(cards, it)
		}
	}
	v.Data = map[string]any{"Welcome": v.Tf("home.welcome", sess.username), "Cards": cards}
	s.render(w, r, http.StatusOK, "home", v)
}

// notFound answers every path no route has. Without a session it sends the
// browser to the login page, so it tells a stranger nothing.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	sess, st := s.current(r, true)
	if st != live {
		s.refuse(w, r, st)
		return
	}
	s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
}

// errorPage shows a message with the bare layout.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	s.errorPageFor(w, r, nil, status, key)
}

// errorPageFor shows a message, inside the console's layout when there is
// a session.
func (s *Server) errorPageFor(w http.ResponseWriter, r *http.Request, sess *session, status int, key string) {
	v := newView(r, "", "err.title")
	if sess != nil {
		v.withSession(*sess)
	}
	v.Flash, v.Error = v.T(key), true
	s.render(w, r, status, "error", v)
}
