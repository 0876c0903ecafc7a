package web

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	Add, Service, Push    *form
	ServiceBusinessChoice []option
	Pushed                *pushResult // the push just made (or stopped part way)
}

// pushResult is what a push to a service's subscribers did: the batches
// it made (each a link to its live page), and where to resume a push
// that stopped part way.
type pushResult struct {
	Business, Summary, Last string
	Batches                 []string
	Stopped                 bool
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
	s.showSubsPush(a, status, add, svc, newForm(), nil)
}

func (s *Server) showSubsPush(a *adminReq, status int, add, svc, push *form, pushed *pushResult) {
	var svcs struct {
		Services []apiSubService `json:"services"`
	}
	if err := a.call("GET", "/api/v1/admin/subscriptions/services", nil, &svcs); err != nil {
		a.fail(err)
		return
	}
	q := a.r.URL.Query()
	d := &subsData{Business: strings.TrimSpace(q.Get("business")), Number: strings.TrimSpace(q.Get("number")), State: q.Get("state"),
		MaySub: a.may("admin_subscriptions_edit"), MayService: a.may("admin_sub_services_edit"), Add: add, Service: svc, Push: push, Pushed: pushed}
	if pushed == nil {
		d.Pushed = pushedFromQuery(a)
	}
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
	if d.MaySub && push.Vals["business"] == "" {
		push.Vals["business"] = d.Business
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

// adminSubPush answers POST /admin/subscriptions/push (business, content,
// after): the push runs through the admin API as the service's provider,
// in batches; the page then shows the batches, each a link to its live
// progress. A push that stopped part way shows why and offers to resume
// after the last number handled.
func (s *Server) adminSubPush(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_subscriptions", "adm.subs.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "business", "content", "after")
	f.Vals["after"] = strings.TrimSpace(f.Vals["after"])
	if f.Vals["business"] == "" {
		f.fieldErr("business", a.v.T("adm.subs.err.business"))
	}
	if strings.TrimSpace(f.Vals["content"]) == "" {
		f.fieldErr("content", a.v.T("adm.subs.err.content"))
	}
	if f.bad() {
		s.showSubsPush(a, http.StatusBadRequest, newForm(), newForm(), f, nil)
		return
	}
	// The answer is read whole, refusal or not: a push refused part way
	// still says what it did before (its batches, the last number).
	var out struct {
		Business string   `json:"business"`
		Batches  []jsonID `json:"batch_ids"`
		Accepted int      `json:"accepted"`
		Refused  int      `json:"refused"`
		Last     string   `json:"last"`
		Error    struct{ Code, Message string }
	}
	path := "/api/v1/admin/subscriptions/" + url.PathEscape(f.Vals["business"]) + "/push"
	status, err := a.callRaw("POST", path, map[string]any{"content": f.Vals["content"], "after": f.Vals["after"]}, &out)
	if err != nil {
		a.fail(err)
		return
	}
	if status < 300 {
		s.log.Info("console: pushed to subscribers", "user", sess.username, "business", out.Business, "accepted", out.Accepted, "batches", len(out.Batches))
		q := url.Values{"m": {"sub_pushed"}, "push": {out.Business}, "accepted": {strconv.Itoa(out.Accepted)},
			"refused": {strconv.Itoa(out.Refused)}, "batches": {strings.Join(out.Batches, ",")}}
		http.Redirect(w, r, "/admin/subscriptions?"+q.Encode()+"#push", http.StatusSeeOther)
		return
	}
	ae := &apiError{Status: status, Code: out.Error.Code, Message: out.Error.Message}
	if status >= 500 || ae.Code == "" {
		a.fail(fmt.Errorf("console: push to %s: %w", f.Vals["business"], ae))
		return
	}
	f.refused(a.v, ae, func(e *apiError) (string, string) {
		switch e.Code {
		case "not_found", "unknown_business":
			return "business", "adm.subs.err.business"
		case "empty_content", "content_too_long", "content_filtered":
			return "content", ""
		case "invalid_number":
			return "after", ""
		}
		return "", ""
	})
	var pushed *pushResult
	if len(out.Batches) > 0 || out.Last != "" {
		pushed = &pushResult{Business: f.Vals["business"], Batches: out.Batches, Last: out.Last, Stopped: true,
			Summary: a.v.Tf("adm.subs.push.stopped", out.Accepted, len(out.Batches), out.Refused)}
		f.Vals["after"] = out.Last
	}
	s.log.Info("console: push refused", "user", sess.username, "business", f.Vals["business"], "code", ae.Code, "accepted", out.Accepted)
	s.showSubsPush(a, status, newForm(), newForm(), f, pushed)
}

// callRaw runs an admin API request as the page's user and decodes its
// answer into out whatever the status (call turns a refusal into an error
// and drops its body). err is only the console's own failure.
func (a *adminReq) callRaw(method, path string, body, out any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, fmt.Errorf("console: %s %s: encode: %w", method, path, err)
	}
	req, err := http.NewRequestWithContext(a.r.Context(), method, path, bytes.NewReader(b))
	if err != nil {
		return 0, fmt.Errorf("console: %s %s: %w", method, path, err)
	}
	req.RemoteAddr = a.r.RemoteAddr
	req.Header.Set("Content-Type", "application/json")
	rec := &recorder{h: http.Header{}}
	a.s.opts.Admin.ServeAdminAs(rec, req, a.u)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if err := json.Unmarshal(rec.buf.Bytes(), out); err != nil && rec.status < 500 {
		return 0, fmt.Errorf("console: %s %s: decode the answer (%d): %w", method, path, rec.status, err)
	}
	return rec.status, nil
}

// pushedFromQuery reads the result of a push the page was sent back with.
func pushedFromQuery(a *adminReq) *pushResult {
	q := a.r.URL.Query()
	b := q.Get("push")
	if b == "" || q.Get("m") != "sub_pushed" {
		return nil
	}
	acc, _ := strconv.Atoi(q.Get("accepted"))
	ref, _ := strconv.Atoi(q.Get("refused"))
	p := &pushResult{Business: b}
	for _, id := range strings.Split(q.Get("batches"), ",") {
		if id != "" && strings.Trim(id, "0123456789") == "" {
			p.Batches = append(p.Batches, id)
		}
	}
	p.Summary = a.v.Tf("adm.subs.push.done", acc, b, len(p.Batches), ref)
	return p
}
