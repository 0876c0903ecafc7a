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
// user (401 otherwise) — any role authenticates — and then one of roles,
// the route table's (adminroutes.go), to call the endpoint (403 otherwise).
func (s *Server) adminAuth(roles []string, next adminHandler) http.HandlerFunc {
	next = requireRoles(roles, next)
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing Authorization: Bearer <admin token>")
			return
		}
		u, err := s.core.Store().UserByToken(r.Context(), core.HashKey(strings.TrimSpace(tok)))
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "unknown, expired or revoked admin token")
			return
		}
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), u)
	}
}

func (s *Server) adminMe(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, wh.userJSON(u))
}

func (s *Server) adminGateways(w http.ResponseWriter, r *http.Request, _ *store.User) {
	writeJSON(w, http.StatusOK, map[string]any{"gateways": s.core.Pool().Statuses()})
}

// adminAccounts lists the accounts in the caller's scope.
func (s *Server) adminAccounts(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	accs, err := s.core.Store().Accounts(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, a := range accs {
		if wh.sc.Account(a) {
			out = append(out, wh.accountJSON(a))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
}
