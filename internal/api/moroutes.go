package api

import (
	"errors"
	"net/http"
	"strconv"

	"hongyan/internal/store"
)

// MO routes: which account, business and URL users' replies go to.

func moRouteJSON(r *store.MORoute) map[string]any {
	return map[string]any{"id": id(r.ID), "service_code": r.ServiceCode, "keyword": r.Keyword,
		"account_id": id(r.AccountID), "business": r.Business, "url": r.URL, "created_at": ts(r.CreatedAt)}
}

func (s *Server) adminMORoutes(w http.ResponseWriter, r *http.Request, _ *store.User) {
	routes, err := s.core.MORoutes(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(routes))
	for i, rt := range routes {
		out[i] = moRouteJSON(rt)
	}
	writeJSON(w, http.StatusOK, map[string]any{"mo_routes": out})
}

type moRouteRequest struct {
	ServiceCode string `json:"service_code"`
	Keyword     string `json:"keyword"`
	AccountID   string `json:"account_id"` // ids are strings in this API
	Account     string `json:"account"`    // or the account's name
	Business    string `json:"business"`
	URL         string `json:"url"`
}

func (s *Server) adminAddMORoute(w http.ResponseWriter, r *http.Request, u *store.User) {
	var req moRouteRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	var acct int64
	switch {
	case req.AccountID != "":
		n, err := strconv.ParseInt(req.AccountID, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_route", "account_id must be an account id")
			return
		}
		acct = n
	case req.Account != "":
		a := s.core.AccountByName(req.Account)
		if a == nil {
			writeError(w, http.StatusBadRequest, "invalid_route", "no account named "+strconv.Quote(req.Account))
			return
		}
		acct = a.ID
	default:
		writeError(w, http.StatusBadRequest, "invalid_route", "account_id or account is required")
		return
	}
	rt := &store.MORoute{ServiceCode: req.ServiceCode, Keyword: req.Keyword, AccountID: acct, Business: req.Business, URL: req.URL}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "create", Object: "mo_route"}, nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(rt.ID)
		return moRouteJSON(rt)
	})
	if err := s.core.AddMORoute(ctx, rt); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, moRouteJSON(rt))
}

func (s *Server) adminDeleteMORoute(w http.ResponseWriter, r *http.Request, u *store.User) {
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	var before any
	if routes, err := s.core.MORoutes(r.Context()); err == nil {
		for _, rt := range routes {
			if rt.ID == n {
				before = moRouteJSON(rt)
			}
		}
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "delete", Object: "mo_route", ObjectID: id(n)}, before, nil)
	if err := s.core.DeleteMORoute(ctx, n); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "not_found", "no MO route with id "+id(n))
			return
		}
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
