package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Business types (A3, B1, M4, M6): /admin/business-types lists them with
// an enable/disable switch; /admin/business-types/{code} edits every
// setting (charging, reports, retries, validity, sending hours, service
// code and MO keywords, frequency limit, templates, signature placement,
// unsubscribe text) and /admin/business-types?new creates one. The rules
// on each setting are the core's (core.CheckBusinessType), through the API.

// businessTypes reads every business type (platform roles).
func (a *adminReq) businessTypes() ([]apiBusinessType, error) {
	var out struct {
		Types []apiBusinessType `json:"business_types"`
	}
	if err := a.call("GET", "/api/v1/admin/business-types", nil, &out); err != nil {
		return nil, err
	}
	return out.Types, nil
}

type btRow struct {
	Code, Name, Priority, Charge, Hours, Retries, Href, Confirm string
	Enabled, Report, Template                                   bool
}

type btListData struct {
	Rows     []btRow
	MayEdit  bool
	TimeZone string
}

func (s *Server) adminBusinessPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_business", "adm.bt.title")
	if !ok {
		return
	}
	if r.URL.Query().Has("new") {
		if !a.may("admin_business_edit") {
			s.errorPageFor(w, r, &sess, http.StatusForbidden, "err.forbidden")
			return
		}
		f := btForm(&apiBusinessType{Enabled: true, Priority: 1, MaxRetries: 3, RetryInterval: "5s", AtLeastOnce: true,
			ReportRequired: true, ChargeMode: store.ChargePerMessage, Fee: "0", ChargeOn: store.ChargeDelivered, Signature: "none"})
		s.showBusinessType(a, http.StatusOK, "", f)
		return
	}
	var out struct {
		Types    []apiBusinessType `json:"business_types"`
		TimeZone string            `json:"time_zone"`
	}
	if err := a.call("GET", "/api/v1/admin/business-types", nil, &out); err != nil {
		a.fail(err)
		return
	}
	d := &btListData{MayEdit: a.may("admin_business_edit"), TimeZone: out.TimeZone}
	for _, b := range out.Types {
		row := btRow{Code: b.Code, Name: b.Name, Priority: a.v.T(catKey("adm", "bt", "priority", strconv.Itoa(b.Priority))), Enabled: b.Enabled,
			Report: b.ReportRequired, Template: b.TemplateRequired, Href: "/admin/business-types/" + url.PathEscape(b.Code),
			Hours: b.SendHours, Retries: a.v.Tf("adm.bt.retries_fmt", b.MaxRetries, shortDur(b.RetryInterval))}
		if row.Hours == "" {
			row.Hours = a.v.T("adm.bt.any_time")
		}
		row.Charge = a.v.T(catKey("adm", "bt", "mode", b.ChargeMode))
		switch b.ChargeMode {
		case store.ChargePerMessage:
			row.Charge += " " + a.v.Tf("adm.bt.fee_fmt", b.Fee.String())
		case store.ChargeMonthly:
			row.Charge += " " + a.v.Tf("adm.bt.monthly_fmt", b.MonthlyFee.String())
		case store.ChargeMonthlyCapped:
			row.Charge += " " + a.v.Tf("adm.bt.capped_fmt", b.Fee.String(), b.MonthlyCap.String())
		}
		key := "adm.bt.confirm_disable"
		if !b.Enabled {
			key = "adm.bt.confirm_enable"
		}
		row.Confirm = a.v.Tf(key, b.Name, b.Code)
		d.Rows = append(d.Rows, row)
	}
	a.render(http.StatusOK, "admin_business", d)
}

// shortDur writes an API duration as people type it: "1m0s" as "1m".
func shortDur(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	return core.ShortDuration(d)
}

// btForm is a business type as its form shows it.
func btForm(b *apiBusinessType) *form {
	f := newForm()
	from, until, _ := strings.Cut(b.SendHours, "-")
	bo := func(x bool) string {
		if x {
			return "1"
		}
		return ""
	}
	validity := shortDur(b.Validity)
	if validity == "0s" {
		validity = "" // the platform's
	}
	window := shortDur(b.FreqWindow)
	if window == "0s" {
		window = ""
	}
	for k, v := range map[string]string{
		"code": b.Code, "name": b.Name, "enabled": bo(b.Enabled), "priority": strconv.Itoa(b.Priority),
		"max_retries": strconv.Itoa(b.MaxRetries), "retry_interval": shortDur(b.RetryInterval), "validity": validity,
		"max_segments": strconv.Itoa(b.MaxSegments), "at_least_once": bo(b.AtLeastOnce), "charge_mode": b.ChargeMode,
		"fee": b.Fee.String(), "charge_on": b.ChargeOn, "monthly_fee": b.MonthlyFee.String(), "monthly_cap": b.MonthlyCap.String(),
		"report_required": bo(b.ReportRequired), "service_code": b.ServiceCode, "mo_keywords": strings.Join(b.MOKeywords, " "),
		"send_from": from, "send_until": until, "freq_limit": strconv.Itoa(b.FreqLimit), "freq_window": window,
		"template_required": bo(b.TemplateRequired), "signature": b.Signature, "unsubscribe_text": b.UnsubscribeText,
	} {
		f.Vals[k] = v
	}
	if f.Vals["signature"] == "" {
		f.Vals["signature"] = "none"
	}
	return f
}

// btFields are the business type form's fields (checkboxes last).
var (
	btText  = []string{"code", "name", "priority", "max_retries", "retry_interval", "validity", "max_segments", "charge_mode", "fee", "charge_on", "monthly_fee", "monthly_cap", "service_code", "mo_keywords", "send_from", "send_until", "freq_limit", "freq_window", "signature", "unsubscribe_text"}
	btCheck = []string{"enabled", "at_least_once", "report_required", "template_required"}
)

// btBody turns the form into the API's body, noting any field that is not
// even of the right kind (a number, a duration, a time of day).
func btBody(v *view, f *form) map[string]any {
	body := map[string]any{"name": strings.TrimSpace(f.Vals["name"]), "charge_mode": f.Vals["charge_mode"], "charge_on": f.Vals["charge_on"],
		"service_code": strings.TrimSpace(f.Vals["service_code"]), "signature": f.Vals["signature"], "unsubscribe_text": f.Vals["unsubscribe_text"],
		"mo_keywords": splitList(f.Vals["mo_keywords"], " ,，;；\n\r\t\u3000")}
	for _, k := range btCheck {
		body[k] = f.Vals[k] != ""
	}
	for _, k := range []string{"priority", "max_retries", "max_segments", "freq_limit"} {
		raw := strings.TrimSpace(f.Vals[k])
		if raw == "" {
			raw = "0"
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			f.fieldErr(k, v.T("adm.err.count"))
			continue
		}
		body[k] = n
	}
	for _, k := range []string{"retry_interval", "validity", "freq_window"} {
		raw := strings.TrimSpace(f.Vals[k])
		if raw == "" {
			raw = "0s"
		}
		if _, err := time.ParseDuration(raw); err != nil {
			f.fieldErr(k, v.T("adm.err.duration"))
			continue
		}
		body[k] = raw
	}
	for _, k := range []string{"fee", "monthly_fee", "monthly_cap"} {
		if strings.TrimSpace(f.Vals[k]) == "" {
			f.Vals[k] = "0"
		}
		yuanField(v, f, k, k, body, false)
	}
	from, until := strings.TrimSpace(f.Vals["send_from"]), strings.TrimSpace(f.Vals["send_until"])
	switch {
	case from == "" && until == "":
		body["send_hours"] = ""
	case from == "" || until == "":
		f.fieldErr("send_from", v.T("adm.bt.err.hours"))
	default:
		body["send_hours"] = from + "-" + until
	}
	return body
}

// btField places a business type refusal: the core names the setting
// after `business type "CODE": `.
func btField(e *apiError) (string, string) {
	if e.Code == "duplicate" {
		if strings.Contains(e.Message, "service code") {
			return "mo_keywords", "adm.bt.err.mo_clash"
		}
		return "code", "adm.bt.err.taken"
	}
	m := e.Message
	if _, rest, ok := strings.Cut(m, `": `); ok && strings.HasPrefix(m, "business type") {
		m = rest
	}
	for _, p := range []struct{ prefix, field string }{
		{"code", "code"}, {"name", "name"}, {"priority", "priority"}, {"max_retries", "max_retries"},
		{"retry_interval", "retry_interval"}, {"max_segments", "max_segments"}, {"validity", "validity"},
		{"charge_on", "charge_on"}, {"charge_mode monthly_capped", "monthly_cap"}, {"charge_mode monthly", "monthly_fee"},
		{"charge_mode", "charge_mode"}, {"fee", "fee"}, {"monthly_fee", "monthly_fee"}, {"monthly_cap", "monthly_cap"},
		{"charging on delivery", "report_required"}, {"service_code", "service_code"}, {"MO keyword", "mo_keywords"},
		{"sending hours", "send_from"}, {"freq_limit", "freq_limit"}, {"freq_window", "freq_window"},
		{"signature", "signature"}, {"unsubscribe_text", "unsubscribe_text"},
	} {
		if strings.HasPrefix(m, p.prefix) {
			return p.field, catKey("adm", "bt", "err", p.field)
		}
	}
	if strings.Contains(m, "duration") || strings.Contains(m, "hours") {
		return "send_from", "adm.bt.err.send_from"
	}
	return "", ""
}

type btData struct {
	Code     string // "" = a new type
	MayEdit  bool
	F        *form
	Priority []option
	Modes    []option
	ChargeOn []option
	Sigs     []option
	TimeZone string
}

func (s *Server) showBusinessType(a *adminReq, status int, code string, f *form) {
	v := a.v
	if code == "" {
		v.Title = v.T("adm.bt.new")
	} else {
		v.Title = v.T("adm.bt.title") + " · " + code
	}
	d := &btData{Code: code, MayEdit: a.may("admin_business_edit"), F: f, TimeZone: a.s.core.TimeZone().String()}
	for _, p := range []string{"0", "1", "2"} {
		d.Priority = append(d.Priority, option{Value: p, Label: v.T(catKey("adm", "bt", "priority", p))})
	}
	d.Priority = options(f.Vals["priority"], d.Priority...)
	for _, m := range []string{store.ChargePerMessage, store.ChargeMonthly, store.ChargeMonthlyCapped, store.ChargeFree} {
		d.Modes = append(d.Modes, option{Value: m, Label: v.T(catKey("adm", "bt", "mode", m))})
	}
	d.Modes = options(f.Vals["charge_mode"], d.Modes...)
	d.ChargeOn = options(f.Vals["charge_on"], option{Value: store.ChargeDelivered, Label: v.T("adm.bt.on.delivered")},
		option{Value: store.ChargeSubmitted, Label: v.T("adm.bt.on.submitted")})
	d.Sigs = options(f.Vals["signature"], option{Value: "none", Label: v.T("adm.bt.sig.none")},
		option{Value: "prefix", Label: v.T("adm.bt.sig.prefix")}, option{Value: "suffix", Label: v.T("adm.bt.sig.suffix")})
	a.render(status, "admin_business_edit", d)
}

// adminBusinessTypePage is GET /admin/business-types/{code}.
func (s *Server) adminBusinessTypePage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_business", "adm.bt.title")
	if !ok {
		return
	}
	code := r.PathValue("code")
	var b apiBusinessType
	if err := a.call("GET", "/api/v1/admin/business-types/"+url.PathEscape(code), nil, &b); err != nil {
		a.fail(err)
		return
	}
	s.showBusinessType(a, http.StatusOK, b.Code, btForm(&b))
}

// adminBusinessTypeCreate answers POST /admin/business-types.
func (s *Server) adminBusinessTypeCreate(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_business", "adm.bt.title")
	if !ok {
		return
	}
	f := newForm().keep(r, append(btText, btCheck...)...)
	body := btBody(a.v, f)
	body["code"] = strings.TrimSpace(f.Vals["code"])
	if body["code"] == "" {
		f.fieldErr("code", a.v.T("adm.bt.err.code"))
	}
	if f.bad() {
		s.showBusinessType(a, http.StatusBadRequest, "", f)
		return
	}
	var b apiBusinessType
	if err := a.call("POST", "/api/v1/admin/business-types", body, &b); err != nil {
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, btField)
		s.showBusinessType(a, ae.Status, "", f)
		return
	}
	s.log.Info("console: business type added", "user", sess.username, "code", b.Code)
	a.done("/admin/business-types/"+url.PathEscape(b.Code), "bt_added")
}

// adminBusinessTypeSave answers POST /admin/business-types/{code}: every
// setting of the form (op=toggle with enabled=0|1 only switches it).
func (s *Server) adminBusinessTypeSave(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_business", "adm.bt.title")
	if !ok {
		return
	}
	code := r.PathValue("code")
	path := "/api/v1/admin/business-types/" + url.PathEscape(code)
	if r.PostFormValue("op") == "toggle" {
		on := r.PostFormValue("enabled") == "1"
		if err := a.call("PATCH", path, map[string]any{"enabled": on}, nil); err != nil {
			a.fail(err)
			return
		}
		s.log.Info("console: business type switched", "user", sess.username, "code", code, "enabled", on)
		a.done("/admin/business-types", map[bool]string{true: "bt_enabled", false: "bt_disabled"}[on])
		return
	}
	f := newForm().keep(r, append(btText, btCheck...)...)
	f.Vals["code"] = code
	body := btBody(a.v, f)
	if f.bad() {
		s.showBusinessType(a, http.StatusBadRequest, code, f)
		return
	}
	if err := a.call("PATCH", path, body, nil); err != nil {
		ae := asAPIError(err)
		if ae == nil || ae.Status == http.StatusNotFound {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, btField)
		s.showBusinessType(a, ae.Status, code, f)
		return
	}
	s.log.Info("console: business type saved", "user", sess.username, "code", code)
	a.done("/admin/business-types/"+url.PathEscape(code), "bt_saved")
}
