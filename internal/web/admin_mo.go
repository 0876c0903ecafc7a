package web

import (
	"net/http"
	"strings"
)

// MO routes (/admin/mo-routes): where users' replies go — a service code,
// an optional keyword, the account and business type, and a URL ("" = the
// account's receive URL). Platform administrators add and remove them,
// auditors read them; each change is one admin API call, audited there.

type moRouteRow struct {
	ID, ServiceCode, Keyword, Account, Business, URL, Created, Confirm string
}

type moRoutesData struct {
	Rows     []moRouteRow
	MayEdit  bool
	Add      *form
	Accounts []option
	Business []option
}

type apiMORoute struct {
	ID          jsonID `json:"id"`
	ServiceCode string `json:"service_code"`
	Keyword     string `json:"keyword"`
	AccountID   jsonID `json:"account_id"`
	Business    string `json:"business"`
	URL         string `json:"url"`
	CreatedAt   string `json:"created_at"`
}

// mountAdminMore mounts the pages of MO routes, subscriptions and refusals.
func (s *Server) mountAdminMore() {
	s.route("GET /admin/mo-routes", "admin_mo_routes", s.adminMORoutesPage)
	s.route("POST /admin/mo-routes", "admin_mo_routes_edit", s.adminMORouteAdd)
	s.route("POST /admin/mo-routes/{id}/delete", "admin_mo_routes_edit", s.adminMORouteRemove)
	s.route("GET /admin/subscriptions", "admin_subscriptions", s.adminSubsPage)
	s.route("POST /admin/subscriptions", "admin_subscriptions_edit", s.adminSubAdd)
	s.route("POST /admin/subscriptions/remove", "admin_subscriptions_edit", s.adminSubRemove)
	s.route("POST /admin/subscriptions/services", "admin_sub_services_edit", s.adminSubServiceSet)
	s.route("POST /admin/subscriptions/services/{business}/delete", "admin_sub_services_edit", s.adminSubServiceRemove)
	s.route("GET /admin/refusals", "admin_refusals", s.adminRefusalsPage)
}

func (s *Server) adminMORoutesPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_mo_routes", "adm.mo.title")
	if !ok {
		return
	}
	s.showMORoutes(a, http.StatusOK, newForm())
}

// accountNames maps the ids of the accounts in the user's scope to names.
func (a *adminReq) accountNames() (map[string]string, []apiAccount, error) {
	var out struct {
		Accounts []apiAccount `json:"accounts"`
	}
	if err := a.call("GET", "/api/v1/admin/accounts", nil, &out); err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, x := range out.Accounts {
		names[x.ID] = x.Name
	}
	return names, out.Accounts, nil
}

func (s *Server) showMORoutes(a *adminReq, status int, add *form) {
	var out struct {
		Routes []apiMORoute `json:"mo_routes"`
	}
	if err := a.call("GET", "/api/v1/admin/mo-routes", nil, &out); err != nil {
		a.fail(err)
		return
	}
	names, accs, err := a.accountNames()
	if err != nil {
		a.fail(err)
		return
	}
	d := &moRoutesData{MayEdit: a.may("admin_mo_routes_edit"), Add: add}
	for _, rt := range out.Routes {
		acc := names[rt.AccountID]
		if acc == "" {
			acc = "#" + rt.AccountID
		}
		d.Rows = append(d.Rows, moRouteRow{ID: rt.ID, ServiceCode: rt.ServiceCode, Keyword: rt.Keyword, Account: acc, Business: rt.Business,
			URL: rt.URL, Created: a.when(rt.CreatedAt), Confirm: a.v.Tf("adm.mo.confirm_remove", rt.ServiceCode, rt.Keyword)})
	}
	if d.MayEdit {
		opts := []option{{Value: "", Label: a.v.T("adm.mo.choose")}}
		for _, x := range accs {
			opts = append(opts, option{Value: x.Name, Label: x.Name})
		}
		d.Accounts = options(add.Vals["account"], opts...)
		var bts struct {
			Types []apiBusinessType `json:"business_types"`
		}
		if err := a.call("GET", "/api/v1/admin/business-types", nil, &bts); err != nil {
			a.fail(err)
			return
		}
		opts = nil
		for _, bt := range bts.Types {
			opts = append(opts, option{Value: bt.Code, Label: bt.Name + " (" + bt.Code + ")"})
		}
		sel := add.Vals["business"]
		if sel == "" {
			sel = "notice"
		}
		d.Business = options(sel, opts...)
	}
	a.render(status, "admin_mo_routes", d)
}

// adminMORouteAdd answers POST /admin/mo-routes.
func (s *Server) adminMORouteAdd(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_mo_routes", "adm.mo.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "service_code", "keyword", "account", "business", "url")
	for k, v := range f.Vals {
		f.Vals[k] = strings.TrimSpace(v)
	}
	code := f.Vals["service_code"]
	if code == "" || len(code) > 21 || strings.Trim(code, "0123456789") != "" {
		f.fieldErr("service_code", a.v.T("adm.mo.err.code"))
	}
	if f.Vals["account"] == "" {
		f.fieldErr("account", a.v.T("adm.mo.err.account"))
	}
	if u := f.Vals["url"]; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		f.fieldErr("url", a.v.T("adm.mo.err.url"))
	}
	if f.bad() {
		s.showMORoutes(a, http.StatusBadRequest, f)
		return
	}
	body := map[string]any{"service_code": code, "keyword": f.Vals["keyword"], "account": f.Vals["account"],
		"business": f.Vals["business"], "url": f.Vals["url"]}
	if err := a.call("POST", "/api/v1/admin/mo-routes", body, nil); err != nil {
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, func(e *apiError) (string, string) {
			switch e.Code {
			case "duplicate":
				return "keyword", "adm.mo.err.duplicate"
			case "unknown_business":
				return "business", ""
			case "invalid_route":
				m := strings.ToLower(e.Message)
				switch {
				case strings.Contains(m, "url"):
					return "url", "adm.mo.err.url"
				case strings.Contains(m, "keyword"):
					return "keyword", "adm.mo.err.keyword"
				case strings.Contains(m, "account"):
					return "account", "adm.mo.err.account"
				case strings.Contains(m, "service"):
					return "service_code", "adm.mo.err.code"
				}
			}
			return "", ""
		})
		s.showMORoutes(a, ae.Status, f)
		return
	}
	s.log.Info("console: MO route added", "user", sess.username, "service_code", code, "keyword", f.Vals["keyword"])
	a.done("/admin/mo-routes", "mo_added")
}

// adminMORouteRemove answers POST /admin/mo-routes/{id}/delete.
func (s *Server) adminMORouteRemove(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_mo_routes", "adm.mo.title")
	if !ok {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	if err := a.call("DELETE", "/api/v1/admin/mo-routes/"+id, nil, nil); err != nil {
		a.fail(err)
		return
	}
	s.log.Info("console: MO route removed", "user", sess.username, "id", id)
	a.done("/admin/mo-routes", "mo_removed")
}
