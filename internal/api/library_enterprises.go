package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"hongyan/internal/biz/figures"
	"hongyan/internal/store"
)

// Enterprise customers (A6) beyond list, create and delete: the edit of
// one (its fields and linked accounts) and its report (B4), computed by
// biz/figures as the console's customer page computes it.

// maxReportDays is the longest period of a report, as the console's.
const maxReportDays = 5 * 366

func (s *Server) scopedEnterprise(w http.ResponseWriter, r *http.Request, wh *who) (*store.Enterprise, bool) {
	e, err := s.core.Store().Enterprise(r.Context(), pathID(r))
	if err == nil && !wh.sc.Org(e.OrgID) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	return e, true
}

// adminPatchEnterprise changes the members given; accounts replaces the
// linked accounts, each of which must be in the caller's scope.
func (s *Server) adminPatchEnterprise(w http.ResponseWriter, r *http.Request, u *store.User) {
	var body struct {
		Name     *string  `json:"name"`
		Contact  *string  `json:"contact"`
		Phone    *string  `json:"phone"`
		Address  *string  `json:"address"`
		Note     *string  `json:"note"`
		Accounts *[]idRef `json:"accounts"`
	}
	wh, ok := s.bodyAndWho(w, r, u, &body)
	if !ok {
		return
	}
	e, ok := s.scopedEnterprise(w, r, wh)
	if !ok {
		return
	}
	before := enterpriseAudit(e)
	for p, v := range map[*string]*string{&e.Name: body.Name, &e.Contact: body.Contact, &e.Phone: body.Phone, &e.Address: body.Address, &e.Note: body.Note} {
		if v != nil {
			*p = strings.TrimSpace(*v)
		}
	}
	if e.Name == "" || len(e.Name) > 200 {
		writeError(w, http.StatusBadRequest, "invalid_enterprise", "give the enterprise's name (at most 200 bytes)")
		return
	}
	if body.Accounts != nil {
		e.AccountIDs = nil
		for _, ref := range *body.Accounts {
			a, err := s.core.Store().GetAccount(r.Context(), int64(ref))
			if err != nil || !wh.sc.Account(a) {
				outOfScope(w, "account "+id(int64(ref)))
				return
			}
			if !slices.Contains(e.AccountIDs, a.ID) {
				e.AccountIDs = append(e.AccountIDs, a.ID)
			}
		}
		slices.Sort(e.AccountIDs)
	}
	e.UpdatedAt = time.Time{}
	r = libAudit(r, u, "update", "enterprise", e.ID, e.OrgID, before, func(*store.AuditEntry) any { return enterpriseAudit(e) })
	if err := s.core.Store().UpdateEnterprise(r.Context(), e); err != nil {
		s.writeDupOr(w, r, err, "the organisation has an enterprise customer of this name")
		return
	}
	writeJSON(w, http.StatusOK, wh.enterpriseJSON(e))
}

func tallyJSON(t figures.Tally) map[string]any {
	m := map[string]any{"accepted": t.Accepted, "submitted": t.Submitted, "segments": t.Segments, "delivered": t.Delivered,
		"failed": t.Failed, "blocked": t.Blocked, "fees": yuan(t.Fees), "success_rate": nil}
	if f, ok := t.Rate(); ok {
		m["success_rate"] = f
	}
	return m
}

// adminEnterpriseReport is a customer's report over ?from= and ?until=
// (days, Shanghai time, until included; this month when neither is
// given): a row per hour, day or month up to now, a row per linked account
// the caller reaches, and the total.
func (s *Server) adminEnterpriseReport(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	e, ok := s.scopedEnterprise(w, r, wh)
	if !ok {
		return
	}
	now := time.Now()
	from, to, ok := reportPeriod(w, r, now)
	if !ok {
		return
	}
	accs, err := s.core.Store().Accounts(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	names := map[int64]*store.Account{}
	for _, a := range accs {
		names[a.ID] = a
	}
	accts := figures.Accounts(e, func(id int64) bool { return names[id] != nil && wh.sc.Account(names[id]) })
	rp, err := figures.Enterprise(r.Context(), s.core.Store(), accts, from, to, now)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	rows := []map[string]any{}
	for _, b := range rp.Buckets {
		m := tallyJSON(b.Tally)
		m["bucket"] = bucketLabel(rp.Grain, b.Start.Unix())
		rows = append(rows, m)
	}
	byAcct := []map[string]any{}
	for _, a := range rp.ByAcct {
		m := tallyJSON(a.Tally)
		m["account_id"], m["account"] = id(a.AccountID), names[a.AccountID].Name
		byAcct = append(byAcct, m)
	}
	ids := []string{}
	for _, a := range accts {
		ids = append(ids, id(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"enterprise_id": id(e.ID), "name": e.Name, "from": from.Format(time.DateOnly),
		"until": to.Add(-time.Second).Format(time.DateOnly), "grain": string(rp.Grain), "accounts": ids,
		"total": tallyJSON(rp.Total), "rows": rows, "by_account": byAcct})
}

// reportPeriod reads ?from= and ?until= as [from, to) in Shanghai time.
func reportPeriod(w http.ResponseWriter, r *http.Request, now time.Time) (time.Time, time.Time, bool) {
	q := r.URL.Query()
	fs, us := q.Get("from"), q.Get("until")
	if fs == "" && us == "" {
		from := store.MonthStart(now)
		return from, from.AddDate(0, 1, 0), true
	}
	if fs == "" {
		fs = us
	}
	if us == "" {
		us = fs
	}
	from, err1 := time.ParseInLocation(time.DateOnly, fs, store.Shanghai)
	until, err2 := time.ParseInLocation(time.DateOnly, us, store.Shanghai)
	switch {
	case err1 != nil || err2 != nil:
		writeError(w, http.StatusBadRequest, "invalid_range", "give from and until as days (2026-11-01)")
	case until.Before(from):
		writeError(w, http.StatusBadRequest, "invalid_range", "until is before from")
	case until.Sub(from) > maxReportDays*24*time.Hour:
		writeError(w, http.StatusBadRequest, "invalid_range", "a report covers at most five years")
	default:
		return from, until.AddDate(0, 0, 1), true
	}
	return time.Time{}, time.Time{}, false
}
