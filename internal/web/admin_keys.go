package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// API keys (/admin/keys): every key of every account the user may see, in
// one list, filtered by account and organisation; a live key is revoked
// here (after a confirmation) through the per-account endpoint, audited.
// Keys are made on the account page, where the new key is shown once.

type apiKey struct {
	Prefix    string  `json:"prefix"`
	AccountID jsonID  `json:"account_id"`
	Account   string  `json:"account"`
	OrgID     *jsonID `json:"org_id"`
	Org       string  `json:"org"`
	CreatedAt string  `json:"created_at"`
	Revoked   bool    `json:"revoked"`
}

type keyRow struct {
	apiKey
	Created, Confirm, AccountHref string
}

type keysData struct {
	Rows                     []keyRow
	Account, Org, State      string
	AccountFilter, OrgFilter []option
	StateFilter              []option
	MayRevoke                bool
	Back                     string // this list with its filters, to come back to after a revoke
	Live, Revoked            int
}

func (s *Server) adminKeysPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_keys", "adm.keys.title")
	if !ok {
		return
	}
	q := r.URL.Query()
	d := &keysData{Account: q.Get("account"), Org: q.Get("org"), State: q.Get("state"), MayRevoke: a.may("admin_keys_revoke")}
	switch d.State {
	case "live", "revoked":
	default:
		d.State = "all"
	}
	// The filters' choices are the accounts and organisations that have keys.
	var all struct {
		Keys []apiKey `json:"keys"`
	}
	if err := a.call("GET", "/api/v1/admin/keys", nil, &all); err != nil {
		a.fail(err)
		return
	}
	accs, orgs := map[string]string{}, map[string]bool{}
	for _, k := range all.Keys {
		accs[k.AccountID] = k.Account
		if k.Org != "" {
			orgs[k.Org] = true
		}
	}
	af := []option{{Value: "", Label: a.v.T("adm.all")}}
	for _, id := range slices.SortedFunc(maps.Keys(accs), func(x, y string) int { return strings.Compare(accs[x], accs[y]) }) {
		af = append(af, option{Value: id, Label: accs[id]})
	}
	of := []option{{Value: "", Label: a.v.T("adm.all")}}
	for _, o := range slices.Sorted(maps.Keys(orgs)) {
		of = append(of, option{Value: o, Label: o})
	}
	d.AccountFilter, d.OrgFilter = options(d.Account, af...), options(d.Org, of...)
	d.StateFilter = options(d.State, option{Value: "all", Label: a.v.T("adm.all")},
		option{Value: "live", Label: a.v.T("adm.keys.live")}, option{Value: "revoked", Label: a.v.T("adm.keys.revoked")})

	lq := url.Values{}
	if d.Account != "" {
		lq.Set("account_id", d.Account)
	}
	if d.Org != "" {
		lq.Set("org", d.Org)
	}
	if d.State != "all" {
		lq.Set("state", d.State)
	}
	back := url.Values{}
	for k, v := range map[string]string{"account": d.Account, "org": d.Org} {
		if v != "" {
			back.Set(k, v)
		}
	}
	if d.State != "all" {
		back.Set("state", d.State)
	}
	d.Back = "/admin/keys?" + back.Encode()
	var list struct {
		Keys []apiKey `json:"keys"`
	}
	if err := a.call("GET", "/api/v1/admin/keys?"+lq.Encode(), nil, &list); err != nil {
		a.fail(err)
		return
	}
	for _, k := range list.Keys {
		if k.Revoked {
			d.Revoked++
		} else {
			d.Live++
		}
		d.Rows = append(d.Rows, keyRow{apiKey: k, Created: a.when(k.CreatedAt), AccountHref: "/account?id=" + url.QueryEscape(k.AccountID) + "#keys",
			Confirm: a.v.Tf("adm.keys.confirm_revoke", k.Prefix, k.Account)})
	}
	a.render(http.StatusOK, "admin_keys", d)
}

// adminKeyRevoke answers POST /admin/keys/revoke (account, prefix, back).
func (s *Server) adminKeyRevoke(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_keys", "adm.keys.title")
	if !ok {
		return
	}
	acc, prefix := r.PostFormValue("account"), strings.TrimSpace(r.PostFormValue("prefix"))
	if acc == "" || strings.Trim(acc, "0123456789") != "" || prefix == "" {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	if err := a.call("DELETE", "/api/v1/admin/accounts/"+acc+"/keys/"+url.PathEscape(prefix), nil, nil); err != nil {
		a.fail(err)
		return
	}
	s.log.Info("console: API key revoked", "user", sess.username, "account", acc, "prefix", prefix)
	back := "/admin/keys"
	if b := r.PostFormValue("back"); strings.HasPrefix(b, "/admin/keys") && !strings.Contains(b, "//") {
		back = b
	}
	a.done(back, "key_revoked")
}

// mountAdminKeys mounts the API keys page, the segment table's changes
// and the push to subscribers (admin_segments.go, admin_subs.go).
func (s *Server) mountAdminKeys() {
	s.route("GET /admin/keys", "admin_keys", s.adminKeysPage)
	s.route("POST /admin/keys/revoke", "admin_keys_revoke", s.adminKeyRevoke)
	s.route("POST /admin/segments/{kind}", "admin_segments_edit", s.adminSegmentSet)
	s.route("POST /admin/segments/{kind}/remove", "admin_segments_edit", s.adminSegmentRemove)
	s.route("POST /admin/subscriptions/push", "admin_subscriptions_edit", s.adminSubPush)
}
