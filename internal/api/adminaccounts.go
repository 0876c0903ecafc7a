package api

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Accounts administered within scope (A2, A8): an organisation's
// administrator creates and manages the accounts of their organisation and
// those below it. Service codes are the platform's numbering plan: only a
// platform administrator assigns them.

type accountRequest struct {
	Name        *string  `json:"name"`
	OrgID       *idRef   `json:"org_id"`
	Org         *string  `json:"org"` // or the organisation's code
	Kind        *string  `json:"kind"`
	ServiceCode *string  `json:"service_code"`
	Balance     *float64 `json:"balance"`      // yuan, at creation only
	CreditLimit *float64 `json:"credit_limit"` // yuan
	CallbackURL *string  `json:"callback_url"`
}

// li converts yuan to li, refusing what is not a sane amount of money.
func li(w http.ResponseWriter, field string, yuan float64) (int64, bool) {
	if math.IsNaN(yuan) || yuan < 0 || yuan > 1e9 {
		writeError(w, http.StatusBadRequest, "invalid_amount", field+" (yuan) must be 0 to 1,000,000,000")
		return 0, false
	}
	return int64(math.Round(yuan * 1000)), true
}

// applyAccount applies req to a, checking each field against the caller's
// reach; it writes the refusal and returns false on the first problem.
func (s *Server) applyAccount(w http.ResponseWriter, r *http.Request, wh *who, a *store.Account, req *accountRequest) bool {
	if req.Name != nil {
		a.Name = strings.TrimSpace(*req.Name)
	}
	if a.Name == "" || utf8.RuneCountInString(a.Name) > 64 || strings.IndexFunc(a.Name, unicode.IsControl) >= 0 {
		writeError(w, http.StatusBadRequest, "invalid_account", "name must be 1 to 64 characters")
		return false
	}
	if req.OrgID != nil || req.Org != nil {
		var ref idRef
		var code string
		if req.OrgID != nil {
			ref = *req.OrgID
		}
		if req.Org != nil {
			code = *req.Org
		}
		org, ok := wh.orgRef(w, ref, code, "invalid_account")
		if !ok {
			return false
		}
		a.OrgID = org
	}
	if !wh.sc.Org(a.OrgID) {
		outOfScope(w, "the platform level (an account without organisation)")
		return false
	}
	if req.Kind != nil {
		a.Kind = *req.Kind
	}
	if a.Kind == "" {
		a.Kind = store.KindUnit
	}
	if a.Kind != store.KindUnit && a.Kind != store.KindPartner {
		writeError(w, http.StatusBadRequest, "invalid_account", "kind must be unit or partner, got "+strconv.Quote(a.Kind))
		return false
	}
	if req.ServiceCode != nil && strings.TrimSpace(*req.ServiceCode) != a.ServiceCode {
		code := strings.TrimSpace(*req.ServiceCode)
		if !wh.sc.All() {
			writeError(w, http.StatusForbidden, "forbidden", "only a platform administrator assigns service codes")
			return false
		}
		if len(code) > 21 || strings.Trim(code, "0123456789") != "" {
			writeError(w, http.StatusBadRequest, "invalid_account", "service_code must be up to 21 digits, got "+strconv.Quote(code))
			return false
		}
		other, err := s.serviceCodeOwner(r.Context(), code)
		if err != nil {
			s.writeErr(w, r, err)
			return false
		}
		if other != nil && other.ID != a.ID {
			writeError(w, http.StatusConflict, "duplicate", "service code "+code+" belongs to account "+other.Name)
			return false
		}
		a.ServiceCode = code
	}
	if req.CreditLimit != nil {
		v, ok := li(w, "credit_limit", *req.CreditLimit)
		if !ok {
			return false
		}
		a.CreditLimit = v
	}
	if req.CallbackURL != nil {
		a.CallbackURL = strings.TrimSpace(*req.CallbackURL)
		if a.CallbackURL != "" {
			u, err := url.Parse(a.CallbackURL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				writeError(w, http.StatusBadRequest, "invalid_account", "callback_url must be an http(s) URL")
				return false
			}
		}
	}
	return true
}

// serviceCodeOwner is the account owning code, or nil ("" is nobody's):
// two accounts with one service code would split its MO between them.
func (s *Server) serviceCodeOwner(ctx context.Context, code string) (*store.Account, error) {
	if code == "" {
		return nil, nil
	}
	accs, err := s.core.Store().Accounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range accs {
		if a.ServiceCode == code {
			return a, nil
		}
	}
	return nil, nil
}

func (s *Server) adminCreateAccount(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var req accountRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	a := &store.Account{Secret: core.NewSecret("", 18), CreatedAt: time.Now()}
	if req.OrgID == nil && req.Org == nil && !wh.sc.All() {
		writeError(w, http.StatusBadRequest, "invalid_account", "give the account's organisation: org or org_id")
		return
	}
	ok = s.applyAccount(w, r, wh, a, &req)
	if !ok {
		return
	}
	if req.Balance != nil {
		if a.Balance, ok = li(w, "balance", *req.Balance); !ok {
			return
		}
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "create", Object: "account", OrgID: a.OrgID}, nil, func(e *store.AuditEntry) any {
		e.ObjectID = id(a.ID)
		return wh.accountJSON(a)
	})
	if err := s.core.Store().CreateAccount(ctx, a); err != nil {
		s.accountWriteErr(w, r, err, a.Name)
		return
	}
	if err := s.core.Reload(r.Context()); err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := wh.accountJSON(a)
	out["secret"] = a.Secret // the push-signing secret: shown this once
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) accountWriteErr(w http.ResponseWriter, r *http.Request, err error, name string) {
	if errors.Is(err, store.ErrDuplicate) {
		writeError(w, http.StatusConflict, "duplicate", "account name "+strconv.Quote(name)+" is taken")
		return
	}
	s.writeErr(w, r, err)
}

// adminPatchAccount changes an account's name, organisation, kind, service
// code, credit limit or receive URL; the balance moves only by recharge.
func (s *Server) adminPatchAccount(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	cur, ok := s.scopedAccount(w, r, wh)
	if !ok {
		return
	}
	var req accountRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if req.Balance != nil {
		writeError(w, http.StatusBadRequest, "invalid_account", "the balance changes only by recharge (POST …/recharge)")
		return
	}
	a := *cur
	if !s.applyAccount(w, r, wh, &a, &req) {
		return
	}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "update", Object: "account", ObjectID: id(a.ID), OrgID: a.OrgID},
		wh.accountJSON(cur), func(*store.AuditEntry) any { return wh.accountJSON(&a) })
	if err := s.core.Store().UpdateAccount(ctx, &a); err != nil {
		s.accountWriteErr(w, r, err, a.Name)
		return
	}
	if err := s.core.Reload(r.Context()); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wh.accountJSON(&a))
}

// ---- API keys ----

func keyJSON(k *store.APIKey) map[string]any {
	return map[string]any{"prefix": k.Prefix, "account_id": id(k.AccountID), "created_at": ts(k.CreatedAt), "revoked": k.Revoked}
}

// adminKeys lists an account's keys by prefix; the keys themselves are
// stored hashed and cannot be shown.
func (s *Server) adminKeys(w http.ResponseWriter, r *http.Request, u *store.User) {
	_, ks, ok := s.scopedKeys(w, r, u)
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, k := range ks {
		out = append(out, keyJSON(k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

// scopedKeys reads the account of the path's {id} (404 outside the
// caller's scope) and its keys, writing any refusal or error.
func (s *Server) scopedKeys(w http.ResponseWriter, r *http.Request, u *store.User) (*store.Account, []*store.APIKey, bool) {
	wh, err := s.who(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return nil, nil, false
	}
	a, ok := s.scopedAccount(w, r, wh)
	if !ok {
		return nil, nil, false
	}
	all, err := s.core.Store().APIKeys(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return nil, nil, false
	}
	var ks []*store.APIKey
	for _, k := range all {
		if k.AccountID == a.ID {
			ks = append(ks, k)
		}
	}
	return a, ks, true
}

// adminCreateKey makes a new key for an account and shows it this once.
func (s *Server) adminCreateKey(w http.ResponseWriter, r *http.Request, u *store.User) {
	a, ks, ok := s.scopedKeys(w, r, u)
	if !ok {
		return
	}
	// The prefix names the key for revoking: keep it unique within the account.
	taken := map[string]bool{}
	for _, k := range ks {
		taken[k.Prefix] = true
	}
	key := core.NewSecret("hy_", 24)
	for i := 0; taken[key[:8]] && i < 16; i++ {
		key = core.NewSecret("hy_", 24)
	}
	k := &store.APIKey{Hash: core.HashKey(key), Prefix: key[:8], AccountID: a.ID, CreatedAt: time.Now()}
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "create", Object: "api_key", ObjectID: id(a.ID) + ":" + k.Prefix, OrgID: a.OrgID},
		nil, func(*store.AuditEntry) any { return keyJSON(k) })
	if err := s.core.Store().CreateAPIKey(ctx, k); err != nil {
		s.writeErr(w, r, err)
		return
	}
	if err := s.core.Reload(r.Context()); err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := keyJSON(k)
	out["key"] = key
	writeJSON(w, http.StatusCreated, out)
}

// adminRevokeKey revokes an account's key by its prefix, at once.
func (s *Server) adminRevokeKey(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	a, ok := s.scopedAccount(w, r, wh)
	if !ok {
		return
	}
	prefix := r.PathValue("prefix")
	ctx := audited(r.Context(), u, store.AuditEntry{Action: "revoke", Object: "api_key", ObjectID: id(a.ID) + ":" + prefix, OrgID: a.OrgID},
		map[string]any{"prefix": prefix, "account_id": id(a.ID), "revoked": false},
		func(*store.AuditEntry) any {
			return map[string]any{"prefix": prefix, "account_id": id(a.ID), "revoked": true}
		})
	if _, err := s.core.Store().RevokeAPIKey(ctx, a.ID, prefix); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "not_found", "account "+id(a.ID)+" has no live key "+strconv.Quote(prefix))
			return
		}
		s.writeErr(w, r, err)
		return
	}
	if err := s.core.Reload(r.Context()); err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
