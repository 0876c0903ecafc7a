package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"hongyan/internal/store"
)

// audited returns ctx carrying the audit entry of the change the next
// store write makes (store.WithAudit: same transaction). before is the
// object's state before (nil: it did not exist); after, when not nil, runs
// inside the transaction after the change and returns its state then,
// having set what only the change knows (a new id) on the entry.
func audited(ctx context.Context, u *store.User, e store.AuditEntry, before any, after func(e *store.AuditEntry) any) context.Context {
	e.UserID, e.Username = u.ID, u.Username
	e.Before = snapshot(before)
	return store.WithAudit(ctx, &e, func(e *store.AuditEntry) {
		if after != nil {
			e.After = snapshot(after(e))
		}
	})
}

// snapshot is v as JSON ("" for nil).
func snapshot(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return `{"error":"unrepresentable"}`
	}
	return string(b)
}

// adminAudit lists the audit log: ?object=TYPE or TYPE:ID, ?user=NAME,
// ?before=ID (paging), ?limit=. Platform administrators and auditors see
// every entry; an organisation's administrator the entries of their
// organisation and those below it.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	q := r.URL.Query()
	aq := store.AuditQuery{Username: q.Get("user"), Limit: limitParam(r, 100, 10000)}
	aq.Object, aq.ObjectID, _ = strings.Cut(q.Get("object"), ":")
	if v := q.Get("object_id"); v != "" {
		aq.ObjectID = v
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, "invalid_parameter", "before must be an audit entry id")
			return
		}
		aq.BeforeID = n
	}
	if aq.ObjectID != "" && aq.Object == "" {
		writeError(w, http.StatusBadRequest, "invalid_parameter", "object_id needs object=TYPE")
		return
	}
	if !wh.sc.All() && u.Role != store.RoleAuditor {
		aq.OrgIDs = wh.sc.OrgIDs()
	}
	es, err := s.core.Store().Audit(r.Context(), aq)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(es))
	for i, e := range es {
		out[i] = map[string]any{"id": id(e.ID), "at": ts(e.At), "user_id": optID(e.UserID), "username": e.Username,
			"action": e.Action, "object": e.Object, "object_id": e.ObjectID, "org_id": optID(e.OrgID),
			"before": rawJSON(e.Before), "after": rawJSON(e.After)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"audit": out})
}
