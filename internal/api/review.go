package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// The review queue (core/review.go): requests whose text has a review word
// wait, held, for an auditor. Auditors and platform administrators list,
// approve and reject them, each within their scope (a city's auditor: the
// city's and its counties' accounts). Organisation administrators do not
// review: the review checks what their units send. Every decision is
// audited in the same transaction as the change.

// reviewers may decide on held requests.
var reviewers = []string{store.RolePlatformAdmin, store.RoleAuditor}

// reviewRoutes are the review queue's admin endpoints (see adminRoutes).
func (s *Server) reviewRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/review", reviewers, s.adminReviewList},
		{"GET /api/v1/admin/review/{id}", reviewers, s.adminReviewGet},
		{"POST /api/v1/admin/review/{id}/approve", reviewers, s.adminReviewApprove},
		{"POST /api/v1/admin/review/{id}/reject", reviewers, s.adminReviewReject},
	}
}

func (s *Server) holdJSON(wh *who, h *store.Hold) map[string]any {
	words := h.Words
	if words == nil {
		words = []string{}
	}
	out := map[string]any{"batch_id": id(h.BatchID), "account_id": id(h.AccountID), "business": h.Business,
		"src": h.Src, "content": h.Content, "words": words, "numbers": h.Messages, "held_at": ts(h.HeldAt),
		"state": "waiting", "decided_by": nil, "decided_at": nil, "reason": nil}
	if a := s.core.Account(h.AccountID); a != nil {
		out["account"], out["org"] = a.Name, wh.orgCode(a.OrgID)
	}
	if h.Decision != "" {
		out["state"], out["decided_by"], out["decided_at"] = h.Decision, h.DecidedBy, ts(h.DecidedAt)
		if h.Reason != "" {
			out["reason"] = h.Reason
		}
	}
	return out
}

// adminReviewList lists the waiting requests, oldest first
// (?state=decided: the decided ones, newest first), ?account_id=, ?limit=.
func (s *Server) adminReviewList(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	q := store.HoldQuery{Limit: limitParam(r, 100, 10000)}
	switch st := r.URL.Query().Get("state"); st {
	case "", "waiting":
	case "decided":
		q.Decided = true
	default:
		writeError(w, http.StatusBadRequest, "invalid_parameter", "state "+strconv.Quote(st)+": want waiting (the default) or decided")
		return
	}
	switch raw := r.URL.Query().Get("account_id"); {
	case raw != "":
		n, perr := strconv.ParseInt(raw, 10, 64)
		a := s.core.Account(n)
		if perr != nil || a == nil || !wh.sc.Account(a) {
			writeError(w, http.StatusNotFound, "not_found", "no account with id "+strconv.Quote(raw))
			return
		}
		q.AccountIDs = []int64{a.ID}
	case !wh.sc.All():
		accs, err := s.core.Store().Accounts(r.Context())
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		q.AccountIDs = []int64{}
		for _, a := range accs {
			if wh.sc.Account(a) {
				q.AccountIDs = append(q.AccountIDs, a.ID)
			}
		}
	}
	hs, err := s.core.Holds(r.Context(), q)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(hs))
	for i, h := range hs {
		out[i] = s.holdJSON(wh, h)
	}
	writeJSON(w, http.StatusOK, map[string]any{"holds": out})
}

// scopedHold reads the hold of the path's {id} (a batch id), answering 404
// for one outside the caller's scope as for one that does not exist.
func (s *Server) scopedHold(w http.ResponseWriter, r *http.Request, wh *who) (*store.Hold, *store.Account, bool) {
	n, ok := parseID(w, r)
	if !ok {
		return nil, nil, false
	}
	h, err := s.core.Store().GetHold(r.Context(), n)
	var a *store.Account
	if err == nil {
		if a, err = s.core.Store().GetAccount(r.Context(), h.AccountID); err == nil && !wh.sc.Account(a) {
			err = store.ErrNotFound
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no request "+id(n)+" is held for review")
		return nil, nil, false
	}
	if err != nil {
		s.writeErr(w, r, err)
		return nil, nil, false
	}
	return h, a, true
}

// adminReviewGet is one held request with its messages.
func (s *Server) adminReviewGet(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	h, _, ok := s.scopedHold(w, r, wh)
	if !ok {
		return
	}
	msgs, err := s.core.Store().BatchMessages(r.Context(), 0, h.BatchID, limitParam(r, 1000, 10000))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	ms := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		ms[i] = map[string]any{"id": id(m.ID), "to": m.To, "state": m.State, "operator": m.Operator, "segments": m.Segments,
			"fee": yuan(m.Fee), "operator_code": m.OperatorCode}
	}
	out := s.holdJSON(wh, h)
	out["messages"] = ms
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) adminReviewApprove(w http.ResponseWriter, r *http.Request, u *store.User) {
	s.reviewDecide(w, r, u, store.HoldApproved)
}

func (s *Server) adminReviewReject(w http.ResponseWriter, r *http.Request, u *store.User) {
	s.reviewDecide(w, r, u, store.HoldRejected)
}

// reviewDecide approves or rejects ({"reason": "…"}, required to reject)
// a held request. Of two decisions at once one wins; the other, like any
// decision on a decided request, is refused 409 already_decided.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request, u *store.User, decision string) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var err error
	h, a, ok := s.scopedHold(w, r, wh)
	if !ok {
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &req); err != nil && !errors.Is(err, io.EOF) { // no body: no reason
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	action := "approve"
	if decision == store.HoldRejected {
		action = "reject"
	}
	var msgs []*store.Message
	ctx := audited(r.Context(), u, store.AuditEntry{Action: action, Object: "hold", ObjectID: id(h.BatchID), OrgID: a.OrgID},
		s.holdJSON(wh, h), func(*store.AuditEntry) any {
			return map[string]any{"state": decision, "reason": req.Reason, "words": h.Words, "numbers": h.Messages}
		})
	var dh *store.Hold
	if decision == store.HoldApproved {
		dh, msgs, err = s.core.ApproveHold(ctx, h.BatchID, u.Username)
	} else {
		dh, msgs, err = s.core.RejectHold(ctx, h.BatchID, u.Username, req.Reason)
	}
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) && ce.Code == "already_decided" && dh != nil {
			// The hold as it stands tells the loser who decided.
			writeJSON(w, http.StatusConflict, map[string]any{"error": map[string]any{"code": ce.Code, "message": ce.Message},
				"hold": s.holdJSON(wh, dh)})
			return
		}
		s.writeErr(w, r, err)
		return
	}
	out := s.holdJSON(wh, dh)
	out["messages"] = len(msgs)
	writeJSON(w, http.StatusOK, out)
}
