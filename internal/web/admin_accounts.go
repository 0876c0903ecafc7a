package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"hongyan/internal/store"
)

// Accounts (A2, A8, A4): /admin/accounts lists the unit and partner
// accounts in scope and creates one (its push-signing secret shown once);
// /admin/accounts/{id} shows one with its ledger and, by role, edits it,
// recharges or adjusts its balance (a note, a confirmation), sets its
// limits (TPS, daily quota, IP allow-list) and its grants of business
// types. API keys stay on the account page (/account?id=).

// accounts reads the accounts in the user's scope (every role may).
func (a *adminReq) accounts() ([]apiAccount, error) {
	var out struct {
		Accounts []apiAccount `json:"accounts"`
	}
	if err := a.call("GET", "/api/v1/admin/accounts", nil, &out); err != nil {
		return nil, err
	}
	return out.Accounts, nil
}

func jsonIDOf(n int64) string { return strconv.FormatInt(n, 10) }

func (v *view) kindOptions(sel string) []option {
	return options(sel, option{Value: store.KindUnit, Label: v.T("adm.kind.unit")}, option{Value: store.KindPartner, Label: v.T("adm.kind.partner")})
}

// ---- the list ----

type acctRow struct {
	ID, Name, Kind, Org, Balance, Available, Credit, ServiceCode string
	Low                                                          bool // nothing left to send with
}

type accountsData struct {
	Rows                     []acctRow
	Total                    int
	Q, Kind, Org             string
	KindFilter, OrgFilter    []option
	MayEdit, MayServiceCode  bool
	Add                      *form
	Orgs, Kinds              []option
	NewSecret                *shownOnce
	NewID                    string
	NeedsOrg                 bool // the user must name the organisation
	HasOrgs                  bool
	ServiceCodeHint, OrgHint string
}

func (s *Server) adminAccountsPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_accounts", "adm.accts.title")
	if !ok {
		return
	}
	s.showAccounts(a, http.StatusOK, newForm(), nil, "")
}

func (s *Server) showAccounts(a *adminReq, status int, add *form, secret *shownOnce, newID string) {
	accs, err := a.accounts()
	if err != nil {
		a.fail(err)
		return
	}
	ix, err := a.orgs()
	if err != nil {
		a.fail(err)
		return
	}
	q := a.r.URL.Query()
	d := &accountsData{Q: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"), Org: q.Get("org"), MayEdit: a.may("admin_accounts_edit"),
		MayServiceCode: a.u.Role == store.RolePlatformAdmin, Add: add, NewSecret: secret, NewID: newID, HasOrgs: len(ix.list) > 0}
	d.KindFilter = append([]option{{Value: "", Label: a.v.T("adm.all")}}, a.v.kindOptions(d.Kind)...)
	d.OrgFilter = ix.options(a.v, d.Org, a.v.T("adm.all"), nil)
	for _, x := range accs {
		if (d.Q != "" && !strings.Contains(strings.ToLower(x.Name), strings.ToLower(d.Q)) && !strings.HasPrefix(x.ServiceCode, d.Q)) ||
			(d.Kind != "" && x.Kind != d.Kind) || (d.Org != "" && deref(x.OrgID) != d.Org) {
			continue
		}
		avail, _ := x.Available.Float64()
		d.Rows = append(d.Rows, acctRow{ID: x.ID, Name: x.Name, Kind: a.v.T(catKey("adm", "kind", x.Kind)), Org: ix.name(deref(x.OrgID)),
			Balance: x.Balance.String(), Available: x.Available.String(), Credit: x.CreditLimit.String(), ServiceCode: x.ServiceCode,
			Low: avail <= 0})
	}
	d.Total = len(d.Rows)
	if add.Vals["kind"] == "" {
		add.Vals["kind"] = store.KindUnit
	}
	if add.Vals["org"] == "" && a.u.OrgID != 0 {
		add.Vals["org"] = jsonIDOf(a.u.OrgID)
	}
	d.NeedsOrg = a.u.Role != store.RolePlatformAdmin
	none := ""
	if !d.NeedsOrg {
		none = a.v.T("adm.none")
	}
	d.Orgs = ix.options(a.v, add.Vals["org"], none, nil)
	d.Kinds = a.v.kindOptions(add.Vals["kind"])
	a.render(status, "admin_accounts", d)
}

// accountField places an account refusal.
func accountField(e *apiError) (string, string) {
	m := e.Message
	switch {
	case e.Code == "duplicate" && strings.Contains(m, "service code"):
		return "service_code", "adm.accts.err.service_code_taken"
	case e.Code == "duplicate":
		return "name", "adm.accts.err.name_taken"
	case strings.Contains(m, "service code"), strings.HasPrefix(m, "service_code"):
		return "service_code", ""
	case strings.HasPrefix(m, "name"):
		return "name", "adm.accts.err.name"
	case strings.HasPrefix(m, "kind"):
		return "kind", ""
	case strings.HasPrefix(m, "callback_url"):
		return "callback_url", "adm.accts.err.url"
	case strings.HasPrefix(m, "credit_limit"):
		return "credit_limit", "adm.err.amount"
	case strings.HasPrefix(m, "balance"):
		return "balance", "adm.err.amount"
	case strings.Contains(m, "organisation"), strings.Contains(m, "platform level"):
		return "org", "adm.accts.err.org"
	}
	return "", ""
}

// yuanField parses a money field (yuan) into body[key]; "" leaves it out.
func yuanField(v *view, f *form, name, key string, body map[string]any, negative bool) {
	raw := strings.TrimSpace(f.Vals[name])
	if raw == "" {
		return
	}
	x, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || (!negative && x < 0) {
		f.fieldErr(name, v.T("adm.err.amount"))
		return
	}
	body[key] = x
}

// adminAccountCreate answers POST /admin/accounts.
func (s *Server) adminAccountCreate(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_accounts", "adm.accts.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "name", "org", "kind", "service_code", "balance", "credit_limit", "callback_url")
	body := map[string]any{"name": f.Vals["name"], "kind": f.Vals["kind"], "callback_url": f.Vals["callback_url"]}
	if f.Vals["org"] != "" {
		body["org_id"] = f.Vals["org"]
	}
	if sc := strings.TrimSpace(f.Vals["service_code"]); sc != "" {
		body["service_code"] = sc
	}
	yuanField(a.v, f, "balance", "balance", body, false)
	yuanField(a.v, f, "credit_limit", "credit_limit", body, false)
	var acc apiAccount
	if !f.bad() {
		if err := a.call("POST", "/api/v1/admin/accounts", body, &acc); err != nil {
			ae := asAPIError(err)
			if ae == nil {
				a.fail(err)
				return
			}
			f.refused(a.v, ae, accountField)
			s.showAccounts(a, ae.Status, f, nil, "")
			return
		}
	} else {
		s.showAccounts(a, http.StatusBadRequest, f, nil, "")
		return
	}
	s.log.Info("console: account added", "user", sess.username, "account", acc.Name)
	a.v.Flash = a.v.T("adm.ok.account_added")
	s.showAccounts(a, http.StatusCreated, newForm(), &shownOnce{Title: a.v.Tf("adm.accts.secret_for", acc.Name), Value: acc.Secret}, acc.ID)
}

// ---- one account ----

type admFact struct{ Label, Value, Class string }

type ledgerRow struct {
	At, Kind, Amount, Balance, Note, Actor string
	Neg                                    bool
}

type grantBox struct {
	Code, Name string
	Checked    bool
	Disabled   bool // the type is disabled: granted, but unusable until enabled
}

type accountData struct {
	ID, Name                    string
	Facts                       []admFact
	MayEdit, MayServiceCode     bool
	Edit                        *form
	Orgs, Kinds                 []option
	Recharge                    *form
	RechargeConfirm             string
	MayLimits, MayLimitsEdit    bool
	Limits                      *form
	Today                       int64
	Grants                      []grantBox
	GrantAll                    bool
	Effective                   []string
	GrantsForm                  *form
	Ledger                      []ledgerRow
	KeysHref, ReportsHref, Back string
}

// acctChange is a form of the account page that the API refused, shown again.
type acctChange struct {
	which string // "edit", "recharge", "limits", "grants"
	f     *form
}

func (s *Server) adminAccountPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_accounts", "adm.acct.title")
	if !ok {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "adm.acct.notfound")
		return
	}
	s.showAccount(a, http.StatusOK, id, acctChange{})
}

func (s *Server) showAccount(a *adminReq, status int, id string, ch acctChange) {
	accs, err := a.accounts()
	if err != nil {
		a.fail(err)
		return
	}
	i := slices.IndexFunc(accs, func(x apiAccount) bool { return x.ID == id })
	if i < 0 { // outside the scope, or none: the same answer (as the API)
		a.s.errorPageFor(a.w, a.r, &a.sess, http.StatusNotFound, "adm.acct.notfound")
		return
	}
	acc := accs[i]
	ix, err := a.orgs()
	if err != nil {
		a.fail(err)
		return
	}
	v := a.v
	a.v.Title = v.T("adm.acct.title") + " · " + acc.Name
	d := &accountData{ID: acc.ID, Name: acc.Name, MayEdit: a.may("admin_accounts_edit"), MayServiceCode: a.u.Role == store.RolePlatformAdmin,
		MayLimits: a.may("admin_limits"), MayLimitsEdit: a.may("admin_limits_edit"),
		KeysHref: "/account?id=" + acc.ID + "#keys", ReportsHref: "/reports?account=" + url.QueryEscape(acc.ID), Back: "/admin/accounts"}
	avail, _ := acc.Available.Float64()
	availClass := ""
	if avail <= 0 {
		availClass = "down"
	}
	d.Facts = []admFact{
		{Label: v.T("adm.accts.kind"), Value: v.T(catKey("adm", "kind", acc.Kind))},
		{Label: v.T("adm.accts.org"), Value: ix.name(deref(acc.OrgID))},
		{Label: v.T("adm.accts.balance"), Value: acc.Balance.String()},
		{Label: v.T("adm.accts.reserved"), Value: acc.Reserved.String()},
		{Label: v.T("adm.accts.credit"), Value: acc.CreditLimit.String()},
		{Label: v.T("adm.accts.available"), Value: acc.Available.String(), Class: availClass},
		{Label: v.T("adm.accts.service_code"), Value: acc.ServiceCode},
		{Label: v.T("adm.accts.callback"), Value: acc.CallbackURL},
		{Label: v.T("adm.created"), Value: a.when(acc.CreatedAt)},
	}
	form := func(which string) *form {
		if ch.which == which {
			return ch.f
		}
		return newForm()
	}
	d.Edit = form("edit")
	if ch.which != "edit" {
		d.Edit.Vals = map[string]string{"name": acc.Name, "org": deref(acc.OrgID), "kind": acc.Kind, "service_code": acc.ServiceCode,
			"credit_limit": acc.CreditLimit.String(), "callback_url": acc.CallbackURL}
	}
	none := ""
	if a.u.Role == store.RolePlatformAdmin {
		none = v.T("adm.none")
	}
	d.Orgs = ix.options(v, d.Edit.Vals["org"], none, nil)
	d.Kinds = v.kindOptions(d.Edit.Vals["kind"])
	d.Recharge = form("recharge")
	d.RechargeConfirm = v.Tf("adm.acct.recharge_confirm", acc.Name)

	var ledger struct {
		Ledger []apiLedger `json:"ledger"`
	}
	if err := a.call("GET", "/api/v1/admin/accounts/"+acc.ID+"/ledger?limit=20", nil, &ledger); err != nil {
		a.fail(err)
		return
	}
	for _, e := range ledger.Ledger {
		amt, _ := e.Amount.Float64()
		kind := e.Kind
		if t, ok := v.msgs[catKey("adm", "ledger", e.Kind)]; ok {
			kind = t
		}
		d.Ledger = append(d.Ledger, ledgerRow{At: a.when(e.At), Kind: kind, Amount: e.Amount.String(), Balance: e.Balance.String(),
			Note: e.Note, Actor: e.Actor, Neg: amt < 0})
	}

	if d.MayLimits {
		if err := s.fillLimits(a, d, acc.ID, ch); err != nil {
			a.fail(err)
			return
		}
	}
	a.render(status, "admin_account", d)
}

// fillLimits reads an account's limits and grants (platform roles).
func (s *Server) fillLimits(a *adminReq, d *accountData, id string, ch acctChange) error {
	var l apiLimits
	if err := a.call("GET", "/api/v1/admin/accounts/"+id+"/limits", nil, &l); err != nil {
		return err
	}
	d.Today = l.Today
	if ch.which == "limits" {
		d.Limits = ch.f
	} else {
		d.Limits = newForm()
		d.Limits.Vals["tps"], d.Limits.Vals["daily_quota"] = strconv.Itoa(l.TPS), strconv.FormatInt(l.DailyQuota, 10)
		d.Limits.Vals["ip_allow"] = strings.Join(l.IPAllow, "\n")
	}
	var g apiGrants
	if err := a.call("GET", "/api/v1/admin/grants?account="+id, nil, &g); err != nil {
		return err
	}
	bts, err := a.businessTypes()
	if err != nil {
		return err
	}
	own := g.Business
	d.GrantsForm = newForm()
	if ch.which == "grants" {
		d.GrantsForm = ch.f
		own = splitList(ch.f.Vals["business"], ",")
	}
	d.GrantAll = slices.Contains(own, "*")
	for _, b := range bts {
		d.Grants = append(d.Grants, grantBox{Code: b.Code, Name: b.Name, Checked: slices.Contains(own, b.Code), Disabled: !b.Enabled})
	}
	d.Effective = g.Effective
	return nil
}

// accountFormID reads the path's account id, or answers 404.
func (s *Server) accountFormID(w http.ResponseWriter, r *http.Request, sess session) (*adminReq, string, bool) {
	a, ok := s.admin(w, r, sess, "admin_accounts", "adm.acct.title")
	if !ok {
		return nil, "", false
	}
	id, ok := pathID(r)
	if !ok {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "adm.acct.notfound")
		return nil, "", false
	}
	return a, id, true
}

// afterAccountChange shows the page again with the refused form, or goes
// back to it with the flash.
func (s *Server) afterAccountChange(a *adminReq, id string, ch acctChange, err error, flash string, place fieldFunc) {
	if err != nil {
		ae := asAPIError(err)
		if ae == nil || ae.Status == http.StatusNotFound {
			a.fail(err)
			return
		}
		ch.f.refused(a.v, ae, place)
		s.showAccount(a, ae.Status, id, ch)
		return
	}
	if ch.f.bad() {
		s.showAccount(a, http.StatusBadRequest, id, ch)
		return
	}
	s.log.Info("console: account changed", "user", a.sess.username, "account", id, "change", ch.which)
	a.done("/admin/accounts/"+id, flash)
}

// adminAccountEdit answers POST /admin/accounts/{id}: name, organisation,
// kind, service code (platform administrators), credit limit, receive URL.
func (s *Server) adminAccountEdit(w http.ResponseWriter, r *http.Request, sess session) {
	a, id, ok := s.accountFormID(w, r, sess)
	if !ok {
		return
	}
	f := newForm().keep(r, "name", "org", "kind", "service_code", "credit_limit", "callback_url")
	body := map[string]any{"name": f.Vals["name"], "org_id": f.Vals["org"], "kind": f.Vals["kind"], "callback_url": f.Vals["callback_url"]}
	if a.u.Role == store.RolePlatformAdmin {
		body["service_code"] = strings.TrimSpace(f.Vals["service_code"])
	}
	if strings.TrimSpace(f.Vals["credit_limit"]) == "" {
		f.Vals["credit_limit"] = "0"
	}
	yuanField(a.v, f, "credit_limit", "credit_limit", body, false)
	var err error
	if !f.bad() {
		err = a.call("PATCH", "/api/v1/admin/accounts/"+id, body, nil)
	}
	s.afterAccountChange(a, id, acctChange{"edit", f}, err, "account_saved", accountField)
}

// adminAccountRecharge answers POST /admin/accounts/{id}/recharge: amount
// (yuan; negative adjusts down) and a note, which the ledger keeps.
func (s *Server) adminAccountRecharge(w http.ResponseWriter, r *http.Request, sess session) {
	a, id, ok := s.accountFormID(w, r, sess)
	if !ok {
		return
	}
	f := newForm().keep(r, "amount", "note")
	body := map[string]any{"note": strings.TrimSpace(f.Vals["note"])}
	if strings.TrimSpace(f.Vals["amount"]) == "" {
		f.fieldErr("amount", a.v.T("adm.err.amount"))
	}
	yuanField(a.v, f, "amount", "amount", body, true)
	if x, _ := body["amount"].(float64); !f.bad() && x == 0 {
		f.fieldErr("amount", a.v.T("adm.acct.err.zero"))
	}
	if !f.bad() && body["note"] == "" {
		f.fieldErr("note", a.v.T("adm.acct.err.note"))
	}
	var err error
	if !f.bad() {
		err = a.call("POST", "/api/v1/admin/accounts/"+id+"/recharge", body, nil)
	}
	s.afterAccountChange(a, id, acctChange{"recharge", f}, err, "recharged", func(*apiError) (string, string) { return "amount", "" })
}

// adminAccountLimits answers POST /admin/accounts/{id}/limits: tps,
// daily_quota (0 = none) and ip_allow (one address or CIDR a line).
func (s *Server) adminAccountLimits(w http.ResponseWriter, r *http.Request, sess session) {
	a, id, ok := s.accountFormID(w, r, sess)
	if !ok {
		return
	}
	f := newForm().keep(r, "tps", "daily_quota", "ip_allow")
	body := map[string]any{"ip_allow": splitList(f.Vals["ip_allow"], "\n\r,， \t")}
	for _, k := range []struct{ field, key string }{{"tps", "tps_limit"}, {"daily_quota", "daily_quota"}} {
		raw := strings.TrimSpace(f.Vals[k.field])
		if raw == "" {
			raw = "0"
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			f.fieldErr(k.field, a.v.T("adm.err.count"))
			continue
		}
		body[k.key] = n
	}
	var err error
	if !f.bad() {
		err = a.call("PUT", "/api/v1/admin/accounts/"+id+"/limits", body, nil)
	}
	s.afterAccountChange(a, id, acctChange{"limits", f}, err, "limits_saved", func(e *apiError) (string, string) {
		switch {
		case strings.HasPrefix(e.Message, "tps"):
			return "tps", "adm.acct.err.tps"
		case strings.HasPrefix(e.Message, "daily"):
			return "daily_quota", "adm.err.count"
		case strings.HasPrefix(e.Message, "ip_allow"):
			return "ip_allow", "adm.acct.err.ip"
		}
		return "", ""
	})
}

// adminAccountGrants answers POST /admin/accounts/{id}/grants: the
// business types checked (business=CODE, repeated), or all=1 for every
// type, present and future.
func (s *Server) adminAccountGrants(w http.ResponseWriter, r *http.Request, sess session) {
	a, id, ok := s.accountFormID(w, r, sess)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPageFor(w, r, &sess, http.StatusBadRequest, "err.bad_request")
		return
	}
	codes := r.PostForm["business"]
	if r.PostFormValue("all") != "" {
		codes = []string{"*"}
	}
	if codes == nil {
		codes = []string{}
	}
	f := newForm()
	f.Vals["business"] = strings.Join(codes, ",")
	err := a.call("PUT", "/api/v1/admin/grants?account="+url.QueryEscape(id), map[string]any{"business": codes}, nil)
	s.afterAccountChange(a, id, acctChange{"grants", f}, err, "grants_saved", nil)
}
