package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"hongyan/internal/biz/orgtree"
	"hongyan/internal/store"
)

// Organisations (A1): province → city → county. A caller sees and changes
// their organisation and those below it; only a platform administrator
// creates a province.

// adminOrgs lists the organisations in scope, flat (parents before their
// children) or, with ?view=tree, nested from the caller's top
// organisations down.
func (s *Server) adminOrgs(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var roots []int64
	flat := []map[string]any{}
	for _, root := range wh.tree.Roots() {
		for _, oid := range wh.tree.Subtree(root) {
			if !wh.sc.Org(oid) {
				continue
			}
			o := wh.tree.Get(oid)
			flat = append(flat, orgJSON(o))
			if o.ParentID == 0 || wh.tree.Get(o.ParentID) == nil || !wh.sc.Org(o.ParentID) {
				roots = append(roots, oid) // the top of what the caller reaches
			}
		}
	}
	if r.URL.Query().Get("view") == "tree" {
		writeJSON(w, http.StatusOK, map[string]any{"tree": treeJSON(wh.tree.Nodes(roots))})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"orgs": flat})
}

func treeJSON(ns []*orgtree.Node) []map[string]any {
	out := make([]map[string]any, len(ns))
	for i, n := range ns {
		m := orgJSON(n.Org)
		m["children"] = treeJSON(n.Children)
		out[i] = m
	}
	return out
}

type orgRequest struct {
	Code     *string `json:"code"`
	Name     *string `json:"name"`
	Level    string  `json:"level"`     // province, city, county; "" = one below the parent
	ParentID idRef   `json:"parent_id"` // or
	Parent   string  `json:"parent"`    // the parent's code
}

// checkOrgFields validates code and name, writing the refusal.
func checkOrgFields(w http.ResponseWriter, code, name string) bool {
	if code == "" || len(code) > 32 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
		writeError(w, http.StatusBadRequest, "invalid_org", "code must be 1 to 32 letters, digits, '-', '_' or '.', got "+strconv.Quote(code))
		return false
	}
	if name == "" || utf8.RuneCountInString(name) > 64 {
		writeError(w, http.StatusBadRequest, "invalid_org", "name must be 1 to 64 characters")
		return false
	}
	return true
}

func (s *Server) adminCreateOrg(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var err error
	var req orgRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	o := &store.Org{}
	if req.Code != nil {
		o.Code = strings.TrimSpace(*req.Code)
	}
	if req.Name != nil {
		o.Name = strings.TrimSpace(*req.Name)
	}
	if !checkOrgFields(w, o.Code, o.Name) {
		return
	}
	level := 0
	if req.Level != "" {
		var ok bool
		if level, ok = orgtree.ParseLevel(req.Level); !ok {
			writeError(w, http.StatusBadRequest, "invalid_org", "level must be province, city or county, got "+strconv.Quote(req.Level))
			return
		}
	}
	parent, ok := wh.orgRef(w, req.ParentID, req.Parent, "invalid_parent")
	if !ok {
		return
	}
	if parent == 0 && !wh.sc.All() {
		writeError(w, http.StatusForbidden, "forbidden", "only a platform administrator creates a province; give the parent organisation")
		return
	}
	if o.Level, err = wh.tree.Place(level, parent); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_parent", err.Error())
		return
	}
	o.ParentID = parent
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "create", Object: "org"}, nil, func(e *store.AuditEntry) any {
		e.ObjectID, e.OrgID = id(o.ID), o.ID
		return orgJSON(o)
	})
	if err := s.core.Store().CreateOrg(ctx, o); err != nil {
		s.orgWriteErr(w, r, err, o.Code)
		return
	}
	writeJSON(w, http.StatusCreated, orgJSON(o))
}

func (s *Server) orgWriteErr(w http.ResponseWriter, r *http.Request, err error, code string) {
	if errors.Is(err, store.ErrDuplicate) {
		writeError(w, http.StatusConflict, "duplicate", "organisation code "+strconv.Quote(code)+" is taken")
		return
	}
	s.writeErr(w, r, err)
}

// adminPatchOrg renames, recodes or moves an organisation. Its level does
// not change (its subordinates would no longer fit): a county moves to
// another city, a city stays below a province.
func (s *Server) adminPatchOrg(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	cur := wh.tree.Get(n)
	if cur == nil || !wh.sc.Org(n) {
		writeError(w, http.StatusNotFound, "not_found", "no organisation with id "+id(n))
		return
	}
	var req orgRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	o := *cur
	if req.Code != nil {
		o.Code = strings.TrimSpace(*req.Code)
	}
	if req.Name != nil {
		o.Name = strings.TrimSpace(*req.Name)
	}
	if !checkOrgFields(w, o.Code, o.Name) {
		return
	}
	if req.Level != "" {
		if l, ok := orgtree.ParseLevel(req.Level); !ok || l != o.Level {
			writeError(w, http.StatusBadRequest, "invalid_org", "the level of an organisation does not change; create a new one")
			return
		}
	}
	if req.ParentID != 0 || req.Parent != "" {
		parent, ok := wh.orgRef(w, req.ParentID, req.Parent, "invalid_parent")
		if !ok {
			return
		}
		if parent == o.ID || wh.tree.Within(o.ID, parent) {
			writeError(w, http.StatusBadRequest, "invalid_parent", "an organisation cannot move below itself")
			return
		}
		if _, err := wh.tree.Place(o.Level, parent); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_parent", err.Error())
			return
		}
		o.ParentID = parent
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "update", Object: "org", ObjectID: id(o.ID), OrgID: o.ID},
		orgJSON(cur), func(*store.AuditEntry) any { return orgJSON(&o) })
	if err := s.core.Store().UpdateOrg(ctx, &o); err != nil {
		s.orgWriteErr(w, r, err, o.Code)
		return
	}
	writeJSON(w, http.StatusOK, orgJSON(&o))
}
