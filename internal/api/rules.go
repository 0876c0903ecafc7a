package api

import (
	"errors"
	"math"
	"net/http"
	"strings"

	"hongyan/internal/store"
)

// Administration of the business rules: blacklist, forbidden words, money.

type blacklistRequest struct {
	Number   string   `json:"number"`
	Numbers  []string `json:"numbers"`
	Business string   `json:"business"` // "" = every business type
	Reason   string   `json:"reason"`
	Source   string   `json:"source"` // "admin" unless given (an import says "import")
}

func (s *Server) adminBlacklistAdd(w http.ResponseWriter, r *http.Request, u *store.User) {
	var req blacklistRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	nums := req.Numbers
	if req.Number != "" {
		nums = append([]string{req.Number}, nums...)
	}
	if req.Source == "" {
		req.Source = "admin"
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "create", Object: "blacklist", ObjectID: auditNumbers(nums)}, nil,
		func(*store.AuditEntry) any {
			return map[string]any{"numbers": nums, "business": req.Business, "reason": req.Reason, "source": req.Source}
		})
	added, err := s.core.BlacklistAdd(ctx, nums, req.Business, req.Reason, req.Source+":"+u.Username)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"added": added, "numbers": len(nums), "business": req.Business})
}

// adminBlacklist lists entries: all (paged with after/limit) or one number's.
func (s *Server) adminBlacklist(w http.ResponseWriter, r *http.Request, _ *store.User) {
	q := r.URL.Query()
	number, after := q.Get("number"), q.Get("after")
	limit := limitParam(r, 100, 10000)
	out := []map[string]any{}
	errStop := errors.New("stop")
	err := s.core.Store().Blacklist(r.Context(), func(e store.BlacklistEntry) error {
		if (number != "" && e.Number != number) || e.Number <= after && after != "" {
			return nil
		}
		out = append(out, map[string]any{"number": e.Number, "business": e.Business, "reason": e.Reason,
			"source": e.Source, "created_at": ts(e.CreatedAt)})
		if len(out) >= limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"blacklist": out})
}

func (s *Server) adminBlacklistRemove(w http.ResponseWriter, r *http.Request, u *store.User) {
	number, business := r.PathValue("number"), r.URL.Query().Get("business")
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "delete", Object: "blacklist", ObjectID: number},
		map[string]any{"number": number, "business": business}, nil)
	err := s.core.BlacklistRemove(ctx, number, business)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", r.PathValue("number")+" is not on that blacklist")
		return
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) adminFilterWordAdd(w http.ResponseWriter, r *http.Request, u *store.User) {
	var req struct {
		Word   string `json:"word"`
		Action string `json:"action"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "create", Object: "filter_word", ObjectID: strings.TrimSpace(req.Word)}, nil,
		func(*store.AuditEntry) any {
			return map[string]any{"word": strings.TrimSpace(req.Word), "action": req.Action}
		})
	fw, err := s.core.FilterWordAdd(ctx, req.Word, req.Action)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, filterWordJSON(fw))
}

func filterWordJSON(fw *store.FilterWord) map[string]any {
	return map[string]any{"id": id(fw.ID), "word": fw.Word, "action": fw.Action, "created_at": ts(fw.CreatedAt)}
}

func (s *Server) adminFilterWords(w http.ResponseWriter, r *http.Request, _ *store.User) {
	ws, err := s.core.Store().FilterWords(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(ws))
	for i, fw := range ws {
		out[i] = filterWordJSON(fw)
	}
	writeJSON(w, http.StatusOK, map[string]any{"words": out})
}

func (s *Server) adminFilterWordRemove(w http.ResponseWriter, r *http.Request, u *store.User) {
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	e := store.AuditEntry{Action: "delete", Object: "filter_word", ObjectID: id(n)}
	var before any
	if ws, err := s.core.Store().FilterWords(r.Context()); err == nil {
		for _, fw := range ws {
			if fw.ID == n {
				e.ObjectID, before = fw.Word, filterWordJSON(fw) // words are named by themselves in the log
			}
		}
	}
	ctx := audited(r.Context(), u, e, before, nil)
	if err := s.core.FilterWordRemove(ctx, n); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "not_found", "no forbidden word with id "+id(n))
			return
		}
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminRecharge adds money to an account: {"amount": yuan, "note": "…"};
// a negative amount is an adjustment down.
func (s *Server) adminRecharge(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	a, ok := s.scopedAccount(w, r, wh) // A8: an upper level recharges the accounts below it
	if !ok {
		return
	}
	n := a.ID
	var req struct {
		Amount *float64 `json:"amount"`
		Note   string   `json:"note"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if req.Amount == nil || math.IsNaN(*req.Amount) || math.Abs(*req.Amount) > 1e9 {
		writeError(w, http.StatusBadRequest, "invalid_amount", "amount (yuan) is required, at most 1,000,000,000")
		return
	}
	amount := int64(math.Round(*req.Amount * 1000))
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "recharge", Object: "account", ObjectID: id(n), OrgID: a.OrgID},
		map[string]any{"balance": yuan(a.Balance)}, func(*store.AuditEntry) any {
			return map[string]any{"amount": yuan(amount), "note": req.Note}
		})
	bal, err := s.core.Recharge(ctx, n, amount, req.Note, u.Username)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no account with id "+id(n))
		return
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id(n), "balance": yuan(bal)})
}

func ledgerJSON(es []store.LedgerEntry) []map[string]any {
	out := make([]map[string]any, len(es))
	for i, e := range es {
		out[i] = map[string]any{"id": id(e.ID), "at": ts(e.At), "kind": e.Kind, "amount": yuan(e.Amount),
			"balance_after": yuan(e.BalanceAfter), "messages": e.Messages, "note": e.Note, "actor": e.Actor}
	}
	return out
}

func (s *Server) adminLedger(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	a, ok := s.scopedAccount(w, r, wh)
	if !ok {
		return
	}
	es, err := s.core.Store().Ledger(r.Context(), a.ID, limitParam(r, 100, 10000))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ledger": ledgerJSON(es)})
}

// accountLedger is an account's own ledger.
func (s *Server) accountLedger(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	es, err := s.core.Store().Ledger(r.Context(), acc.ID, limitParam(r, 100, 10000))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ledger": ledgerJSON(es)})
}

// adminRefusals lists refusals of one account (?account_id=) or of every
// account in the caller's scope.
func (s *Server) adminRefusals(w http.ResponseWriter, r *http.Request, u *store.User) {
	rs, ok := s.scopedRefusals(w, r, u)
	if !ok {
		return
	}
	out := make([]map[string]any, len(rs))
	for i, x := range rs {
		out[i] = map[string]any{"account_id": id(x.AccountID), "business": x.Business, "kind": x.Kind,
			"number": x.Number, "detail": x.Detail, "at": ts(x.At)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"refusals": out})
}
