package api

import (
	"context"
	"net/http"
	"sync"

	"hongyan/internal/store"
)

// The console's administration pages are clients of the admin API, in
// process: ServeAdminAs runs an admin request through the same route
// table, role check, handler, scope and audit as a request with a token,
// for a user the console has already authenticated by its session. So a
// page can neither see nor change more than `hongyan admin` could.

// adminAs is the admin route table mounted once more without token
// authentication, built on first use.
type adminAs struct {
	once sync.Once
	mux  *http.ServeMux
}

// ServeAdminAs serves an admin API request (r's method and path, e.g.
// "PATCH /api/v1/admin/orgs/3", its JSON body) as user u. Only the admin
// routes answer; any other path is 404. u must be a live, enabled user:
// the caller vouches for that (the console reads it for each request).
func (s *Server) ServeAdminAs(w http.ResponseWriter, r *http.Request, u *store.User) {
	s.adminAs.once.Do(func() {
		m := http.NewServeMux()
		for _, rt := range s.adminRoutes() {
			h := requireRoles(rt.roles, rt.h)
			m.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
				u, _ := r.Context().Value(userKey{}).(*store.User)
				h(w, r, u)
			})
		}
		m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
		})
		s.adminAs.mux = m
	})
	if u == nil || u.Disabled {
		writeError(w, http.StatusUnauthorized, "unauthorized", "no user")
		return
	}
	defer func() { // as ServeHTTP: a handler's panic is a 500, not a crash of the caller
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving an admin request for the console", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeError(w, http.StatusInternalServerError, "internal", "internal error")
		}
	}()
	s.adminAs.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
}
