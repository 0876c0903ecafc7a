package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Running the SMS business: business types, grants of business types to
// organisations and accounts, and account limits (docs/api.md). They are
// the province's: platform administrators change them (auditors read), and
// every change is audited (auditBusiness).

// mountBusiness mounts the partner's own view of its limits; the admin
// endpoints are in the role table (adminRoutes).
func (s *Server) mountBusiness(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/account/limits", s.auth(s.accountLimits))
}

// businessRoutes are the business administration's admin endpoints and
// who may call them (see adminRoutes): business types and grants are the
// province's, set by platform administrators and read by auditors.
func (s *Server) businessRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/business-types", platformRO, s.adminBusinessTypes},
		{"POST /api/v1/admin/business-types", platformAll, s.adminCreateBusinessType},
		{"GET /api/v1/admin/business-types/{code}", platformRO, s.adminBusinessType},
		{"PATCH /api/v1/admin/business-types/{code}", platformAll, s.adminPatchBusinessType},
		{"GET /api/v1/admin/grants", platformRO, s.adminGrants},
		{"PUT /api/v1/admin/grants", platformAll, s.adminSetGrants},
		{"GET /api/v1/admin/accounts/{id}/limits", platformRO, s.adminLimits},
		{"PUT /api/v1/admin/accounts/{id}/limits", platformAll, s.adminSetLimits},
	}
}

// auditBusiness is the one place the business administration records its
// changes: r's context carrying the audit entry (audited, adminaudit.go),
// which the store writes in the same transaction as the change.
func auditBusiness(r *http.Request, u *store.User, action, object, objectID string, orgID int64, before any, after func() any) context.Context {
	return audited(r.Context(), u, store.AuditEntry{At: time.Now(), Action: action, Object: object, ObjectID: objectID, OrgID: orgID},
		before, func(*store.AuditEntry) any {
			if after == nil {
				return nil
			}
			return after()
		})
}

// decodeStrict reads a JSON body, refusing unknown fields: a misspelt
// setting must not be silently ignored.
func decodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body is not valid JSON of this endpoint: %w", err)
	}
	return nil
}

// ---- business types ----

// duration is a Go duration string ("5s", "48h") or a number of seconds.
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	if s, err := strconv.Unquote(string(b)); err == nil {
		v, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 5s, 10m or 48h", s)
		}
		*d = duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil || math.IsNaN(secs) || math.Abs(secs) > 1e9 {
		return fmt.Errorf("%s is not a duration (a string such as \"5s\", or seconds)", b)
	}
	*d = duration(time.Duration(secs * float64(time.Second)))
	return nil
}

func businessTypeJSON(b *store.BusinessType) map[string]any {
	kws := b.MOKeywords
	if kws == nil {
		kws = []string{}
	}
	return map[string]any{
		"code": b.Code, "name": b.Name, "enabled": b.Enabled, "priority": b.Priority,
		"max_retries": b.MaxRetries, "retry_interval": b.RetryInterval.String(), "max_segments": b.MaxSegments,
		"at_least_once": b.AtLeastOnce, "validity": b.Validity.String(),
		"charge_mode": b.ChargeMode, "fee": yuan(b.FeePerSegment), "charge_on": b.ChargeOn,
		"monthly_fee": yuan(b.MonthlyFee), "monthly_cap": yuan(b.MonthlyCap), "report_required": b.ReportRequired,
		"service_code": b.ServiceCode, "mo_keywords": kws, "send_hours": core.FormatHours(b.SendFrom, b.SendUntil),
		"freq_limit": b.FreqLimit, "freq_window": core.ShortDuration(b.FreqWindow),
		"template_required": b.TemplateRequired, "signature": b.Signature, "unsubscribe_text": b.UnsubscribeText,
	}
}

// businessTypeBody is a business type as POST and PATCH take it; a field
// left out keeps its value (PATCH) or default (POST).
type businessTypeBody struct {
	Code           *string   `json:"code"`
	Name           *string   `json:"name"`
	Enabled        *bool     `json:"enabled"`
	Priority       *int      `json:"priority"`
	MaxRetries     *int      `json:"max_retries"`
	RetryInterval  *duration `json:"retry_interval"`
	MaxSegments    *int      `json:"max_segments"`
	AtLeastOnce    *bool     `json:"at_least_once"`
	Validity       *duration `json:"validity"`
	ChargeMode     *string   `json:"charge_mode"`
	Fee            *float64  `json:"fee"` // yuan per segment
	ChargeOn       *string   `json:"charge_on"`
	MonthlyFee     *float64  `json:"monthly_fee"` // yuan
	MonthlyCap     *float64  `json:"monthly_cap"` // yuan
	ReportRequired *bool     `json:"report_required"`
	ServiceCode    *string   `json:"service_code"`
	MOKeywords     *[]string `json:"mo_keywords"`
	SendHours      *string   `json:"send_hours"` // "08:00-21:00"; "" = any time
	// Frequency limit (core/frequency.go): messages to one number per window; 0 = none.
	FreqLimit  *int      `json:"freq_limit"`
	FreqWindow *duration `json:"freq_window"`
	// Signatures and templates (templates.go).
	TemplateRequired *bool   `json:"template_required"`
	Signature        *string `json:"signature"` // none, prefix, suffix
	UnsubscribeText  *string `json:"unsubscribe_text"`
}

func liOf(field string, yuan float64) (int64, error) {
	if math.IsNaN(yuan) || math.IsInf(yuan, 0) || yuan < 0 || yuan > 1e9 {
		return 0, &core.Error{Status: http.StatusBadRequest, Code: "invalid_business_type", Message: field + " must be 0 to 1,000,000,000 yuan"}
	}
	return int64(math.Round(yuan * 1000)), nil
}

// apply sets the fields the body gives.
func (p *businessTypeBody) apply(b *store.BusinessType) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&b.Name, p.Name)
	set(&b.ChargeMode, p.ChargeMode)
	set(&b.ChargeOn, p.ChargeOn)
	set(&b.ServiceCode, p.ServiceCode)
	set(&b.Signature, p.Signature)
	set(&b.UnsubscribeText, p.UnsubscribeText)
	seti := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	seti(&b.Priority, p.Priority)
	seti(&b.MaxRetries, p.MaxRetries)
	seti(&b.MaxSegments, p.MaxSegments)
	setb := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	setb(&b.Enabled, p.Enabled)
	setb(&b.AtLeastOnce, p.AtLeastOnce)
	setb(&b.ReportRequired, p.ReportRequired)
	setb(&b.TemplateRequired, p.TemplateRequired)
	if p.RetryInterval != nil {
		b.RetryInterval = time.Duration(*p.RetryInterval)
	}
	if p.Validity != nil {
		b.Validity = time.Duration(*p.Validity)
	}
	seti(&b.FreqLimit, p.FreqLimit)
	if p.FreqWindow != nil {
		b.FreqWindow = time.Duration(*p.FreqWindow)
	}
	for _, m := range []struct {
		name string
		v    *float64
		dst  *int64
	}{{"fee", p.Fee, &b.FeePerSegment}, {"monthly_fee", p.MonthlyFee, &b.MonthlyFee}, {"monthly_cap", p.MonthlyCap, &b.MonthlyCap}} {
		if m.v == nil {
			continue
		}
		li, err := liOf(m.name, *m.v)
		if err != nil {
			return err
		}
		*m.dst = li
	}
	if p.MOKeywords != nil {
		b.MOKeywords = *p.MOKeywords
	}
	if p.SendHours != nil {
		from, until, err := core.ParseHours(*p.SendHours)
		if err != nil {
			return &core.Error{Status: http.StatusBadRequest, Code: "invalid_business_type", Message: err.Error()}
		}
		b.SendFrom, b.SendUntil = from, until
	}
	return nil
}

func (s *Server) adminBusinessTypes(w http.ResponseWriter, r *http.Request, _ *store.User) {
	bts, err := s.core.BusinessTypes(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out := make([]map[string]any, len(bts))
	for i, b := range bts {
		out[i] = businessTypeJSON(b)
	}
	writeJSON(w, http.StatusOK, map[string]any{"business_types": out, "time_zone": s.core.TimeZone().String()})
}

func (s *Server) adminBusinessType(w http.ResponseWriter, r *http.Request, _ *store.User) {
	b, err := s.core.BusinessType(r.Context(), r.PathValue("code"))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no business type "+strconv.Quote(r.PathValue("code")))
		return
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, businessTypeJSON(b))
}

func (s *Server) adminCreateBusinessType(w http.ResponseWriter, r *http.Request, u *store.User) {
	var p businessTypeBody
	if err := decodeStrict(r, &p); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if p.Code == nil || strings.TrimSpace(*p.Code) == "" {
		writeError(w, http.StatusBadRequest, "invalid_business_type", "code is required")
		return
	}
	// Defaults of a new type: a notice that retries, is resent after a
	// crash, needs status reports and may be used at once.
	b := &store.BusinessType{Code: strings.TrimSpace(*p.Code), Enabled: true, Priority: 1, MaxRetries: 3,
		RetryInterval: 5 * time.Second, AtLeastOnce: true, ReportRequired: true}
	if err := p.apply(b); err != nil {
		s.writeErr(w, r, err)
		return
	}
	ctx := auditBusiness(r, u, "create", "business_type", b.Code, 0, nil, func() any { return businessTypeJSON(b) })
	if err := s.core.CreateBusinessType(ctx, b); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, businessTypeJSON(b))
}

func (s *Server) adminPatchBusinessType(w http.ResponseWriter, r *http.Request, u *store.User) {
	code := r.PathValue("code")
	var p businessTypeBody
	if err := decodeStrict(r, &p); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if p.Code != nil && *p.Code != code {
		writeError(w, http.StatusBadRequest, "invalid_business_type", "a business type's code cannot change (messages and grants name it)")
		return
	}
	before, err := s.core.BusinessType(r.Context(), code)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no business type "+strconv.Quote(code))
		return
	}
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	var after *store.BusinessType // set by the change, which the store writes before the entry is completed
	ctx := auditBusiness(r, u, "update", "business_type", code, 0, businessTypeJSON(before), func() any { return businessTypeJSON(after) })
	if _, _, err := s.core.UpdateBusinessType(ctx, code, func(b *store.BusinessType) error { after = b; return p.apply(b) }); err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, businessTypeJSON(after))
}

// ---- grants ----

// grantSubject reads ?org=ID or ?account=ID|NAME.
func (s *Server) grantSubject(w http.ResponseWriter, r *http.Request) (subject string, subjectID, orgID int64, ok bool) {
	q := r.URL.Query()
	org, acct := q.Get("org"), q.Get("account")
	switch {
	case org != "" && acct != "":
		writeError(w, http.StatusBadRequest, "invalid_request", "give ?org=ID or ?account=ID, not both")
	case org != "":
		n, err := strconv.ParseInt(org, 10, 64)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, "invalid_request", "org must be an organisation id")
			return
		}
		return store.GrantOrg, n, n, true
	case acct != "":
		n, err := strconv.ParseInt(acct, 10, 64)
		if err != nil {
			a := s.core.AccountByName(acct)
			if a == nil {
				writeError(w, http.StatusNotFound, "not_found", "no account named "+strconv.Quote(acct))
				return
			}
			n = a.ID
		}
		var orgID int64
		if a := s.core.Account(n); a != nil {
			orgID = a.OrgID
		}
		return store.GrantAccount, n, orgID, true
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", "give ?org=ID or ?account=ID")
	}
	return "", 0, 0, false
}

func grantJSON(g *core.GrantInfo) map[string]any {
	return map[string]any{"subject": g.Subject, "id": id(g.SubjectID), "business": g.Own, "effective": g.Effective}
}

// adminGrants shows one subject's grants (?org= or ?account=), or lists every grant.
func (s *Server) adminGrants(w http.ResponseWriter, r *http.Request, _ *store.User) {
	if r.URL.Query().Get("org") == "" && r.URL.Query().Get("account") == "" {
		gs, err := s.core.AllGrants(r.Context())
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		out := make([]map[string]any, len(gs))
		for i, g := range gs {
			out[i] = map[string]any{"subject": g.Subject, "id": id(g.SubjectID), "business": g.Business, "created_at": ts(g.CreatedAt)}
		}
		writeJSON(w, http.StatusOK, map[string]any{"grants": out})
		return
	}
	subject, n, _, ok := s.grantSubject(w, r)
	if !ok {
		return
	}
	g, err := s.core.Grants(r.Context(), subject, n)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, grantJSON(g))
}

// adminSetGrants replaces a subject's grants: {"business": ["notice", …]} ("*" = every type).
func (s *Server) adminSetGrants(w http.ResponseWriter, r *http.Request, u *store.User) {
	subject, n, orgID, ok := s.grantSubject(w, r)
	if !ok {
		return
	}
	var body struct {
		Business *[]string `json:"business"`
	}
	if err := decodeStrict(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if body.Business == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `give "business": [codes…] ("*" = every type, [] = none)`)
		return
	}
	before, err := s.core.Grants(r.Context(), subject, n)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	ctx := auditBusiness(r, u, "update", "grants", subject+":"+id(n), orgID, map[string]any{"business": before.Own},
		func() any { return map[string]any{"business": core.NormalizeGrants(*body.Business)} })
	if _, err := s.core.SetGrants(ctx, subject, n, *body.Business); err != nil {
		s.writeErr(w, r, err)
		return
	}
	g, err := s.core.Grants(r.Context(), subject, n)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, grantJSON(g))
}

// ---- account limits ----

func (s *Server) limitsJSON(ctx context.Context, l store.AccountLimits) (map[string]any, error) {
	today, err := s.core.DailyCount(ctx, l.AccountID)
	if err != nil {
		return nil, err
	}
	ips := l.IPAllow
	if ips == nil {
		ips = []string{}
	}
	return map[string]any{"account_id": id(l.AccountID), "ip_allow": ips, "tps_limit": l.TPS, "daily_quota": l.DailyQuota,
		"today": today, "updated_at": ts(l.UpdatedAt)}, nil
}

func (s *Server) adminLimits(w http.ResponseWriter, r *http.Request, _ *store.User) {
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	if s.core.Account(n) == nil {
		writeError(w, http.StatusNotFound, "not_found", "no account with id "+id(n))
		return
	}
	out, err := s.limitsJSON(r.Context(), s.core.AccountLimits(n))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// adminSetLimits replaces an account's limits: {"ip_allow": [CIDR…],
// "tps_limit": N, "daily_quota": N}; a field left out is no limit.
func (s *Server) adminSetLimits(w http.ResponseWriter, r *http.Request, u *store.User) {
	n, ok := parseID(w, r)
	if !ok {
		return
	}
	var body struct {
		IPAllow    []string `json:"ip_allow"`
		TPS        int      `json:"tps_limit"`
		DailyQuota int64    `json:"daily_quota"`
	}
	if err := decodeStrict(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	acc := s.core.Account(n)
	if acc == nil {
		writeError(w, http.StatusNotFound, "not_found", "no account with id "+id(n))
		return
	}
	before := s.core.AccountLimits(n)
	l := &store.AccountLimits{AccountID: n, IPAllow: body.IPAllow, TPS: body.TPS, DailyQuota: body.DailyQuota}
	ctx := auditBusiness(r, u, "update", "account_limits", id(n), acc.OrgID, limitsAudit(before), func() any { return limitsAudit(*l) })
	if err := s.core.SetAccountLimits(ctx, l); err != nil {
		s.writeErr(w, r, err)
		return
	}
	out, err := s.limitsJSON(r.Context(), *l)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func limitsAudit(l store.AccountLimits) map[string]any {
	return map[string]any{"ip_allow": l.IPAllow, "tps_limit": l.TPS, "daily_quota": l.DailyQuota}
}

// accountLimits is an account's own view: the business types it may use,
// its limits and today's count.
func (s *Server) accountLimits(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	out, err := s.limitsJSON(r.Context(), s.core.AccountLimits(acc.ID))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	g, err := s.core.Grants(r.Context(), store.GrantAccount, acc.ID)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out["business"] = g.Effective
	writeJSON(w, http.StatusOK, out)
}
