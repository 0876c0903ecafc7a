package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

type userKey struct{}

// adminAuth requires Authorization: Bearer <admin token> of an enabled
// platform administrator. (Organisation roles come with the business rules.)
func (s *Server) adminAuth(next func(http.ResponseWriter, *http.Request, *store.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing Authorization: Bearer <admin token>")
			return
		}
		u, err := s.core.Store().UserByToken(r.Context(), core.HashKey(strings.TrimSpace(tok)))
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "unknown or revoked admin token")
			return
		}
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		if u.Role != store.RolePlatformAdmin {
			writeError(w, http.StatusForbidden, "forbidden", "this needs a platform administrator")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), u)
	}
}

func (s *Server) adminMe(w http.ResponseWriter, r *http.Request, u *store.User) {
	writeJSON(w, http.StatusOK, map[string]any{"id": id(u.ID), "username": u.Username, "role": u.Role})
}

func (s *Server) adminGateways(w http.ResponseWriter, r *http.Request, _ *store.User) {
	writeJSON(w, http.StatusOK, map[string]any{"gateways": s.core.Pool().Statuses()})
}

func (s *Server) adminAccounts(w http.ResponseWriter, r *http.Request, _ *store.User) {
	accs, err := s.core.Store().Accounts(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(accs))
	for i, a := range accs {
		out[i] = accountJSON(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
}
