package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Subscriptions (M8; docs/api.md "Subscriptions"): a provider pushes to its
// services' subscribers with its API key; administrators define services,
// subscribe and unsubscribe numbers by hand (audited), list them and push
// as the provider.

// mountSubscriptions mounts the provider's endpoints; the admin ones are
// in the role table (subscriptionRoutes).
func (s *Server) mountSubscriptions(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/subscriptions", s.auth(s.ownSubServices))
	m.HandleFunc("GET /api/v1/subscriptions/{business}/subscribers", s.auth(s.ownSubscribers))
	m.HandleFunc("POST /api/v1/subscriptions/{business}/push", s.auth(s.pushSubscribers))
}

// subscriptionRoutes are the admin endpoints: services are the province's
// (platform administrators set them); subscriptions are read in scope by
// everyone and changed by managers of the provider's organisation.
func (s *Server) subscriptionRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/subscriptions/services", everyone, s.adminSubServices},
		{"PUT /api/v1/admin/subscriptions/services/{business}", platformAll, s.adminPutSubService},
		{"DELETE /api/v1/admin/subscriptions/services/{business}", platformAll, s.adminDeleteSubService},
		{"GET /api/v1/admin/subscriptions", everyone, s.adminSubscriptions},
		{"POST /api/v1/admin/subscriptions", managers, s.adminSubscribe},
		{"DELETE /api/v1/admin/subscriptions/{business}/{number}", managers, s.adminUnsubscribe},
		{"POST /api/v1/admin/subscriptions/{business}/push", managers, s.adminPushSubscribers},
	}
}

func subServiceJSON(v *store.SubService, acc *store.Account) map[string]any {
	out := map[string]any{"business": v.Business, "code": v.Code, "account_id": id(v.AccountID), "active": v.Active,
		"cancelled": v.Cancelled, "created_at": ts(v.CreatedAt)}
	if acc != nil {
		out["account"] = acc.Name
	}
	return out
}

func subscriptionJSON(x *store.Subscription, month int) map[string]any {
	state := "active"
	if !x.Active {
		state = "cancelled"
	}
	out := map[string]any{"business": x.Business, "number": x.Number, "state": state, "source": x.Source,
		"since": ts(x.Since), "cancelled_at": ts(x.CancelledAt), "created_at": ts(x.CreatedAt)}
	if month != 0 {
		out["month"], out["month_charged"], out["monthly_fee_charged"] = month, yuan(x.MonthCharged), x.MonthlyPaid
	}
	return out
}

// subMonth reads ?month=yyyy-mm ("" = the current month of the platform's
// time zone).
func (s *Server) subMonth(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("month")
	if v == "" {
		return s.core.MonthKey(s.core.Now()), true
	}
	t, err := time.Parse("2006-01", v)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_parameter", "month must be yyyy-mm, e.g. 2026-02")
		return 0, false
	}
	return t.Year()*100 + int(t.Month()), true
}

// ---- the provider's ----

func (s *Server) ownSubServices(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	svcs, err := s.core.SubServices(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, v := range svcs {
		if v.AccountID == acc.ID {
			out = append(out, subServiceJSON(v, acc))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": out})
}

func (s *Server) ownSubscribers(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	svc, err := s.core.SubServiceOf(r.Context(), r.PathValue("business"))
	if err == nil && svc.AccountID != acc.ID {
		err = &core.Error{Status: http.StatusNotFound, Code: "not_found", Message: "no subscription service " + r.PathValue("business") + " of this account"}
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	q := store.SubQuery{Business: svc.Business, AccountIDs: []int64{acc.ID}, State: r.URL.Query().Get("state")}
	if n := strings.TrimSpace(r.URL.Query().Get("number")); n != "" {
		if q.Number, err = core.ParseSubAfter(n); err != nil {
			s.writeErr(w, r, err)
			return
		}
	}
	s.listSubscriptions(w, r, q)
}

type pushBody struct {
	Content string `json:"content"`
	After   string `json:"after"` // resume after this subscriber number
}

func (s *Server) pushSubscribers(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	s.push(w, r, acc.ID)
}

// push runs a push for accountID (0: an administrator, as the provider).
func (s *Server) push(w http.ResponseWriter, r *http.Request, accountID int64) {
	var b pushBody
	if err := decodeStrict(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	after, err := core.ParseSubAfter(b.After)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	res, err := s.core.PushSubscribers(r.Context(), accountID, r.PathValue("business"), b.Content, after)
	if res == nil {
		s.writeErr(w, r, err)
		return
	}
	batches := make([]string, len(res.BatchIDs))
	for i, n := range res.BatchIDs {
		batches[i] = id(n)
	}
	out := map[string]any{"business": res.Business, "batch_ids": batches, "accepted": res.Accepted, "refused": res.Refused, "last": res.Last}
	if err != nil {
		// Stopped part way: the refusal, and what was done before it (resume with "after": last).
		var ce *core.Error
		if !errors.As(err, &ce) {
			s.log.Error("subscription push stopped", "business", res.Business, "err", err)
			ce = &core.Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; see the server log"}
		}
		out["error"] = map[string]string{"code": ce.Code, "message": ce.Message}
		writeJSON(w, ce.Status, out)
		return
	}
	s.log.Info("subscription push", "business", res.Business, "accepted", res.Accepted, "refused", res.Refused, "batches", len(res.BatchIDs))
	writeJSON(w, http.StatusCreated, out)
}

// ---- admin ----

// scopedSubServices lists the services whose provider is in the caller's
// scope, with the providers.
func (s *Server) scopedSubServices(w http.ResponseWriter, r *http.Request, wh *who) ([]*store.SubService, map[int64]*store.Account, bool) {
	svcs, err := s.core.SubServices(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return nil, nil, false
	}
	accs := map[int64]*store.Account{}
	var out []*store.SubService
	for _, v := range svcs {
		a, err := s.core.Store().GetAccount(r.Context(), v.AccountID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.writeErr(w, r, err)
			return nil, nil, false
		}
		if a == nil && !wh.sc.All() || a != nil && !wh.sc.Account(a) {
			continue
		}
		accs[v.AccountID] = a
		out = append(out, v)
	}
	return out, accs, true
}

func (s *Server) adminSubServices(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	svcs, accs, ok := s.scopedSubServices(w, r, wh)
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, v := range svcs {
		out = append(out, subServiceJSON(v, accs[v.AccountID]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": out})
}

// adminPutSubService makes a business type a subscription service:
// {"code": "1001", "account": NAME | "account_id": ID}.
func (s *Server) adminPutSubService(w http.ResponseWriter, r *http.Request, u *store.User) {
	var b struct {
		Code      string `json:"code"`
		Account   string `json:"account"`
		AccountID idRef  `json:"account_id"`
	}
	if err := decodeStrict(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	if b.Account == "" && b.AccountID == 0 {
		writeError(w, http.StatusBadRequest, "invalid_subscription_service", "give the provider's account (account or account_id)")
		return
	}
	acc, ok := s.accountRef(w, r, wh, b.AccountID, b.Account, "invalid_subscription_service")
	if !ok {
		return
	}
	business := r.PathValue("business")
	var before any
	if old, err := s.core.SubServiceOf(r.Context(), business); err == nil {
		before = map[string]any{"code": old.Code, "account_id": id(old.AccountID)}
	}
	ctx := audited(r.Context(), u, store.AuditEntry{At: time.Now(), Action: "update", Object: "subscription_service", ObjectID: business, OrgID: acc.OrgID},
		before, func(*store.AuditEntry) any {
			return map[string]any{"code": core.NormalizeSubCode(b.Code), "account_id": id(acc.ID)}
		})
	svc, err := s.core.PutSubService(ctx, business, b.Code, acc.ID)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, subServiceJSON(svc, acc))
}

func (s *Server) adminDeleteSubService(w http.ResponseWriter, r *http.Request, u *store.User) {
	business := r.PathValue("business")
	svc, err := s.core.SubServiceOf(r.Context(), business)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	ctx := audited(r.Context(), u, store.AuditEntry{At: time.Now(), Action: "delete", Object: "subscription_service", ObjectID: business},
		map[string]any{"code": svc.Code, "account_id": id(svc.AccountID)}, nil)
	if err := s.core.DeleteSubService(ctx, business); err != nil {
		s.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminSubscriptions lists subscriptions in scope: ?business=, ?number=,
// ?state=active|cancelled, ?month=yyyy-mm (what each was charged; default
// this month), ?after=BUSINESS/NUMBER (paging), ?limit=.
func (s *Server) adminSubscriptions(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var err error
	q := store.SubQuery{Business: r.URL.Query().Get("business"), State: r.URL.Query().Get("state"), After: r.URL.Query().Get("after")}
	if n := strings.TrimSpace(r.URL.Query().Get("number")); n != "" {
		if q.Number, err = core.ParseSubAfter(n); err != nil {
			s.writeErr(w, r, err)
			return
		}
	}
	if !wh.sc.All() {
		svcs, _, ok := s.scopedSubServices(w, r, wh)
		if !ok {
			return
		}
		q.AccountIDs = []int64{}
		for _, v := range svcs {
			q.AccountIDs = append(q.AccountIDs, v.AccountID)
		}
	}
	s.listSubscriptions(w, r, q)
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request, q store.SubQuery) {
	switch q.State {
	case "", "active", "cancelled":
	case "all":
		q.State = ""
	default:
		writeError(w, http.StatusBadRequest, "invalid_parameter", "state must be active, cancelled or all")
		return
	}
	month, ok := s.subMonth(w, r)
	if !ok {
		return
	}
	q.Month, q.Limit = month, limitParam(r, 100, 10000)
	if a := r.URL.Query().Get("after"); a != "" && !strings.Contains(a, "/") && q.Business != "" {
		q.After = q.Business + "/" + a // a number within one business
	}
	xs, err := s.core.Store().Subscriptions(r.Context(), q)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(xs))
	for i, x := range xs {
		out[i] = subscriptionJSON(x, month)
	}
	res := map[string]any{"subscriptions": out}
	if len(xs) == q.Limit {
		res["next"] = xs[len(xs)-1].Business + "/" + xs[len(xs)-1].Number
	}
	writeJSON(w, http.StatusOK, res)
}

// scopedService finds a service whose provider the caller reaches (404
// otherwise, as if it did not exist).
func (s *Server) scopedService(w http.ResponseWriter, r *http.Request, u *store.User, business string) (*store.SubService, *store.Account, bool) {
	wh, err := s.who(r, u)
	if err != nil {
		s.writeErr(w, r, err)
		return nil, nil, false
	}
	svc, err := s.core.SubServiceOf(r.Context(), business)
	if err != nil {
		s.writeErr(w, r, err)
		return nil, nil, false
	}
	acc, err := s.core.Store().GetAccount(r.Context(), svc.AccountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.writeErr(w, r, err)
		return nil, nil, false
	}
	if acc == nil && !wh.sc.All() || acc != nil && !wh.sc.Account(acc) {
		writeError(w, http.StatusNotFound, "not_found", "business type "+business+" is not a subscription service")
		return nil, nil, false
	}
	if acc == nil {
		acc = &store.Account{ID: svc.AccountID}
	}
	return svc, acc, true
}

// adminSubscribe subscribes a number by hand: {"business", "number"}.
func (s *Server) adminSubscribe(w http.ResponseWriter, r *http.Request, u *store.User) {
	var b struct {
		Business string `json:"business"`
		Number   string `json:"number"`
	}
	if err := decodeStrict(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	s.setSubscription(w, r, u, b.Business, b.Number, true)
}

func (s *Server) adminUnsubscribe(w http.ResponseWriter, r *http.Request, u *store.User) {
	s.setSubscription(w, r, u, r.PathValue("business"), r.PathValue("number"), false)
}

// setSubscription changes one subscription, audited when it changes.
func (s *Server) setSubscription(w http.ResponseWriter, r *http.Request, u *store.User, business, number string, on bool) {
	svc, acc, ok := s.scopedService(w, r, u, business)
	if !ok {
		return
	}
	num, err := core.ParseSubAfter(number)
	if err == nil && num == "" {
		err = &core.Error{Status: http.StatusBadRequest, Code: "invalid_number", Message: "give the number"}
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	cur, err := s.core.Store().Subscriptions(r.Context(), store.SubQuery{Business: svc.Business, Number: num, Limit: 1})
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	var before any
	if len(cur) == 1 {
		before = subscriptionJSON(cur[0], 0)
	}
	ctx := r.Context()
	if len(cur) == 1 && cur[0].Active == on || len(cur) == 0 && !on {
		// Nothing to change: no audit entry either.
	} else {
		action := map[bool]string{true: "subscribe", false: "unsubscribe"}[on]
		ctx = audited(ctx, u, store.AuditEntry{At: time.Now(), Action: action, Object: "subscription", ObjectID: svc.Business + ":" + num, OrgID: acc.OrgID},
			before, func(*store.AuditEntry) any {
				return map[string]any{"business": svc.Business, "number": num, "active": on}
			})
	}
	changed, err := s.core.SetSubscription(ctx, svc.Business, num, on, store.SubSourceAdmin)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if !on && !changed && len(cur) == 0 {
		writeError(w, http.StatusNotFound, "not_found", num+" is not subscribed to "+svc.Business)
		return
	}
	after, err := s.core.Store().Subscriptions(r.Context(), store.SubQuery{Business: svc.Business, Number: num, Limit: 1})
	if err != nil || len(after) != 1 {
		s.writeErr(w, r, errors.Join(err, store.ErrNotFound))
		return
	}
	status := http.StatusOK
	if changed && on {
		status = http.StatusCreated
	}
	out := subscriptionJSON(after[0], 0)
	out["changed"] = changed
	writeJSON(w, status, out)
}

func (s *Server) adminPushSubscribers(w http.ResponseWriter, r *http.Request, u *store.User) {
	if _, _, ok := s.scopedService(w, r, u, r.PathValue("business")); !ok {
		return
	}
	s.push(w, r, 0)
}
