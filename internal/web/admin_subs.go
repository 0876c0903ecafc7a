package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Subscriptions (/admin/subscriptions): the subscription services in scope
// (business type, code, provider account, subscriber counts) and their
// subscribers, filtered by business type, number and state, a page at a
// time. Administrators of the providers' organisations subscribe and
// unsubscribe a number by hand; platform administrators set and remove a
// service. All through the admin API, which scopes and audits.

type apiSubService struct {
	Business  string `json:"business"`
	Code      string `json:"code"`
	AccountID jsonID `json:"account_id"`
	Account   string `json:"account"`
	Active    int64  `json:"active"`
	Cancelled int64  `json:"cancelled"`
	CreatedAt string `json:"created_at"`
}

type apiSub struct {
	Business    string `json:"business"`
	Number      string `json:"number"`
	State       string `json:"state"`
	Source      string `json:"source"`
	Since       string `json:"since"`
	CancelledAt string `json:"cancelled_at"`
}

type subRow struct {
	Business, Number, State, StateLabel, Source, Since, Cancelled, Confirm string
	Active                                                                 bool
}

type subServiceRow struct {
	apiSubService
	Created, Confirm string
}

type subsData struct {
	Services              []subServiceRow
	Rows                  []subRow
	Business, Number      string
	State                 string
	BusinessFilter        []option
	StateFilter           []option
	Next, First           string
	MaySub, MayService    bool
	Add, Service          *form
	ServiceBusinessChoice []option
}

const subsPageSize = 50

func (s *Server) adminSubsPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_subscriptions", "adm.subs.title")
	if !ok {
		return
	}
	s.showSubs(a, http.StatusOK, newForm(), newForm())
}

func (s *Server) showSubs(a *adminReq, status int, add, svc *form) {
	var svcs struct {
		Services []apiSubService `json:"services"`
	}
	if err := a.call("GET", "/api/v1/admin/subscriptions/services", nil, &svcs); err != nil {
		a.fail(err)
		return
	}
	q := a.r.URL.Query()
	d := &subsData{Business: strings.TrimSpace(q.Get("business")), Number: strings.TrimSpace(q.Get("number")), State: q.Get("state"),
		MaySub: a.may("admin_subscriptions_edit"), MayService: a.may("admin_sub_services_edit"), Add: add, Service: svc}
	switch d.State {
	case "active", "cancelled", "all":
	default:
		d.State = "active"
	}
	bf := []option{{Value: "", Label: a.v.T("adm.all")}}
	for _, v := range svcs.Services {
		d.Services = append(d.Services, subServiceRow{apiSubService: v, Created: a.when(v.CreatedAt),
			Confirm: a.v.Tf("adm.subs.confirm_service_remove", v.Business)})
		bf = append(bf, option{Value: v.Business, Label: v.Business + " (" + v.Code + ")"})
	}
	d.BusinessFilter = options(d.Business, bf...)
	d.StateFilter = options(d.State, option{Value: "active", Label: a.v.T("adm.subs.state.active")},
		option{Value: "cancelled", Label: a.v.T("adm.subs.state.cancelled")}, option{Value: "all", Label: a.v.T("adm.all")})
	if d.MaySub && add.Vals["business"] == "" {
		add.Vals["business"] = d.Business
	}

	lq := url.Values{"state": {d.State}, "limit": {strconv.Itoa(subsPageSize)}}
	if d.Business != "" {
		lq.Set("business", d.Business)
	}
	if d.Number != "" {
		lq.Set("number", d.Number)
	}
	if after := q.Get("after"); after != "" {
		lq.Set("after", after)
	}
	var list struct {
		Subs []apiSub `json:"subscriptions"`
		Next string   `json:"next"`
	}
	if err := a.call("GET", "/api/v1/admin/subscriptions?"+lq.Encode(), nil, &list); err != nil {
		a.fail(err)
		return
	}
	for _, x := range list.Subs {
		d.Rows = append(d.Rows, subRow{Business: x.Business, Number: x.Number, State: x.State, StateLabel: a.v.T(catKey("adm", "subs", "state", x.State)),
			Source: x.Source, Since: a.when(x.Since), Cancelled: a.when(x.CancelledAt), Active: x.State == "active",
			Confirm: a.v.Tf("adm.subs.confirm_remove", x.Number, x.Business)})
	}
	page := url.Values{"state": {d.State}}
	if d.Business != "" {
		page.Set("business", d.Business)
	}
	if d.Number != "" {
		page.Set("number", d.Number)
	}
	if list.Next != "" {
		next := url.Values{}
		for k, v := range page {
			next[k] = v
		}
		next.Set("after", list.Next)
		d.Next = "/admin/subscriptions?" + next.Encode()
	}
	if q.Get("after") != "" {
		d.First = "/admin/subscriptions?" + page.Encode()
	}
	if d.MayService {
		var bts struct {
			Types []apiBusinessType `json:"business_types"`
		}
		if err := a.call("GET", "/api/v1/admin/business-types", nil, &bts); err != nil {
			a.fail(err)
			return
		}
		var opts []option
		for _, bt := range bts.Types {
			opts = append(opts, option{Value: bt.Code, Label: bt.Name + " (" + bt.Code + ")"})
		}
		d.ServiceBusinessChoice = options(svc.Vals["business"], opts...)
	}
	a.render(status, "admin_subscriptions", d)
}

// subsBack is the page the form was posted from (its filters kept).
func subsBack(r *http.Request) string {
	if b := r.PostFormValue("back"); strings.HasPrefix(b, "/admin/subscriptions") && !strings.Contains(b, "//") {
		return b
	}
	return "/admin/subscriptions"
}

// adminSubAdd answers POST /admin/subscriptions (business, number).
func (s *Server) adminSubAdd(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_subscriptions", "adm.subs.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "business", "number")
	f.Vals["number"] = strings.TrimSpace(f.Vals["number"])
	if f.Vals["business"] == "" {
		f.fieldErr("business", a.v.T("adm.subs.err.business"))
	}
	if f.Vals["number"] == "" {
		f.fieldErr("number", a.v.T("adm.err.invalid_number"))
	}
	if f.bad() {
		s.showSubs(a, http.StatusBadRequest, f, newForm())
		return
	}
	var out struct {
		Changed bool `json:"changed"`
	}
	if err := a.call("POST", "/api/v1/admin/subscriptions", map[string]any{"business": f.Vals["business"], "number": f.Vals["number"]}, &out); err != nil {
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, func(e *apiError) (string, string) {
			switch e.Code {
			case "invalid_number":
				return "number", ""
			case "not_found", "unknown_business":
				return "business", "adm.subs.err.business"
			}
			return "", ""
		})
		s.showSubs(a, ae.Status, f, newForm())
		return
	}
	s.log.Info("console: subscribed", "user", sess.username, "business", f.Vals["business"], "changed", out.Changed)
	if out.Changed {
		a.done(subsBack(r), "sub_added")
		return
	}
	a.done(subsBack(r), "sub_already")
}

// adminSubRemove answers POST /admin/subscriptions/remove (business, number).
func (s *Server) adminSubRemove(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_subscriptions", "adm.subs.title")
	if !ok {
		return
	}
	b, n := r.PostFormValue("business"), strings.TrimSpace(r.PostFormValue("number"))
	if b == "" || n == "" {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	if err := a.call("DELETE", "/api/v1/admin/subscriptions/"+url.PathEscape(b)+"/"+url.PathEscape(n), nil, nil); err != nil {
		a.fail(err)
		return
	}
	s.log.Info("console: unsubscribed", "user", sess.username, "business", b)
	a.done(subsBack(r), "sub_removed")
}

// adminSubServiceSet answers POST /admin/subscriptions/services (business, code, account).
func (s *Server) adminSubServiceSet(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_subscriptions", "adm.subs.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "business", "code", "account")
	for k, v := range f.Vals {
		f.Vals[k] = strings.TrimSpace(v)
	}
	if f.Vals["business"] == "" {
		f.fieldErr("business", a.v.T("adm.subs.err.business"))
	}
	if f.Vals["code"] == "" {
		f.fieldErr("code", a.v.T("adm.subs.err.code"))
	}
	if f.Vals["account"] == "" {
		f.fieldErr("account", a.v.T("adm.subs.err.account"))
	}
	if f.bad() {
		s.showSubs(a, http.StatusBadRequest, newForm(), f)
		return
	}
	body := map[string]any{"code": f.Vals["code"], "account": f.Vals["account"]}
	if err := a.call("PUT", "/api/v1/admin/subscriptions/services/"+url.PathEscape(f.Vals["business"]), body, nil); err != nil {
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, func(e *apiError) (string, string) {
			switch e.Code {
			case "duplicate":
				return "code", "adm.subs.err.code_taken"
			case "not_found":
				return "business", "adm.subs.err.business"
			case "invalid_subscription_service":
				if strings.Contains(strings.ToLower(e.Message), "account") {
					return "account", "adm.subs.err.account"
				}
				return "code", "adm.subs.err.code"
			}
			return "", ""
		})
		s.showSubs(a, ae.Status, newForm(), f)
		return
	}
	s.log.Info("console: subscription service set", "user", sess.username, "business", f.Vals["business"])
	a.done("/admin/subscriptions", "sub_service_set")
}

// adminSubServiceRemove answers POST /admin/subscriptions/services/{business}/delete.
func (s *Server) adminSubServiceRemove(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_subscriptions", "adm.subs.title")
	if !ok {
		return
	}
	b := r.PathValue("business")
	if err := a.call("DELETE", "/api/v1/admin/subscriptions/services/"+url.PathEscape(b), nil, nil); err != nil {
		if ae := asAPIError(err); ae != nil && ae.Code == "has_subscribers" {
			f := newForm()
			f.Error, f.Open = a.v.T("adm.subs.err.has_subscribers"), true
			s.showSubs(a, ae.Status, newForm(), f)
			return
		}
		a.fail(err)
		return
	}
	s.log.Info("console: subscription service removed", "user", sess.username, "business", b)
	a.done("/admin/subscriptions", "sub_service_removed")
}
