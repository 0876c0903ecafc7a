package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"hongyan/internal/store"
)

// The administration pages (MISSION W1 over A1–A4, A8, M4–M6): organisations,
// users, accounts and their limits and grants, business types, forbidden
// words and the review queue, the blacklist, signatures and templates,
// number segments and the audit log. Each reads and changes through the
// admin API in process (admin_api.go), so roles, scope and audit are the
// API's. A form that the API refuses comes back with what was typed and
// the reason next to the field.

// Roles of the admin API's route table (internal/api/adminroutes.go),
// under the console's names; adminPageAPI says which endpoint each page
// follows, and TestAdminPagesFollowAPIRoles holds them equal.
var (
	admStaff      = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RoleAuditor}
	admManagers   = []string{store.RolePlatformAdmin, store.RoleOrgAdmin}
	admOverseers  = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleAuditor}
	admPlatformRO = []string{store.RolePlatformAdmin, store.RoleAuditor}
	admPlatform   = []string{store.RolePlatformAdmin}
	admReviewers  = []string{store.RolePlatformAdmin, store.RoleAuditor}
	admRegistrars = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RolePartner}
)

// adminPageAPI names, for each administration page of the page table, the
// admin API endpoints whose roles it has. admin_segments has none of its
// own: it shows the gateways' operators, as GET gateways does.
var adminPageAPI = map[string][]string{
	"admin_orgs":           {"GET /api/v1/admin/orgs"},
	"admin_orgs_edit":      {"POST /api/v1/admin/orgs", "PATCH /api/v1/admin/orgs/{id}"},
	"admin_users":          {"GET /api/v1/admin/users"},
	"admin_users_edit":     {"POST /api/v1/admin/users", "PATCH /api/v1/admin/users/{id}"},
	"admin_accounts":       {"GET /api/v1/admin/accounts", "GET /api/v1/admin/accounts/{id}/ledger"},
	"admin_accounts_edit":  {"POST /api/v1/admin/accounts", "PATCH /api/v1/admin/accounts/{id}", "POST /api/v1/admin/accounts/{id}/recharge"},
	"admin_limits":         {"GET /api/v1/admin/accounts/{id}/limits", "GET /api/v1/admin/grants"},
	"admin_limits_edit":    {"PUT /api/v1/admin/accounts/{id}/limits", "PUT /api/v1/admin/grants"},
	"admin_business":       {"GET /api/v1/admin/business-types", "GET /api/v1/admin/business-types/{code}"},
	"admin_business_edit":  {"POST /api/v1/admin/business-types", "PATCH /api/v1/admin/business-types/{code}"},
	"admin_words":          {"GET /api/v1/admin/filter-words"},
	"admin_words_edit":     {"POST /api/v1/admin/filter-words", "DELETE /api/v1/admin/filter-words/{id}"},
	"admin_review":         {"GET /api/v1/admin/review", "POST /api/v1/admin/review/{id}/approve", "POST /api/v1/admin/review/{id}/reject"},
	"admin_blacklist":      {"GET /api/v1/admin/blacklist"},
	"admin_blacklist_edit": {"POST /api/v1/admin/blacklist", "DELETE /api/v1/admin/blacklist/{number}"},
	"admin_signatures":     {"GET /api/v1/admin/signatures"},
	"admin_templates":      {"GET /api/v1/admin/templates"},
	"admin_owned_edit": {"POST /api/v1/admin/signatures", "DELETE /api/v1/admin/signatures/{id}", "POST /api/v1/admin/signatures/{id}/default",
		"POST /api/v1/admin/templates", "DELETE /api/v1/admin/templates/{id}"},
	"admin_owned_review": {"POST /api/v1/admin/signatures/{id}/approve", "POST /api/v1/admin/signatures/{id}/reject",
		"POST /api/v1/admin/templates/{id}/approve", "POST /api/v1/admin/templates/{id}/reject"},
	"admin_segments": {"GET /api/v1/admin/gateways", "GET /api/v1/admin/segments/prefixes", "GET /api/v1/admin/segments/ported"},
	"admin_audit":    {"GET /api/v1/admin/audit"},
	// admin_mo.go, admin_subs.go, admin_refusals.go
	"admin_mo_routes":          {"GET /api/v1/admin/mo-routes"},
	"admin_mo_routes_edit":     {"POST /api/v1/admin/mo-routes", "DELETE /api/v1/admin/mo-routes/{id}"},
	"admin_subscriptions":      {"GET /api/v1/admin/subscriptions/services", "GET /api/v1/admin/subscriptions"},
	"admin_subscriptions_edit": {"POST /api/v1/admin/subscriptions", "DELETE /api/v1/admin/subscriptions/{business}/{number}", "POST /api/v1/admin/subscriptions/{business}/push"},
	"admin_sub_services_edit":  {"PUT /api/v1/admin/subscriptions/services/{business}", "DELETE /api/v1/admin/subscriptions/services/{business}"},
	"admin_refusals":           {"GET /api/v1/admin/refusals"},
	// admin_keys.go, admin_segments.go, admin_subs.go (push)
	"admin_keys":        {"GET /api/v1/admin/keys"},
	"admin_keys_revoke": {"DELETE /api/v1/admin/accounts/{id}/keys/{prefix}"},
	"admin_segments_edit": {"PUT /api/v1/admin/segments/prefixes/{key}", "DELETE /api/v1/admin/segments/prefixes/{key}",
		"PUT /api/v1/admin/segments/ported/{key}", "DELETE /api/v1/admin/segments/ported/{key}"},
}

// adminRoleMismatches compares the page table with the admin API's role
// table (api.Server.AdminRoles): one line per disagreement.
func adminRoleMismatches(apiRoles map[string][]string) []string {
	var out []string
	for id, eps := range adminPageAPI {
		p, ok := pageByID(id)
		if !ok {
			out = append(out, "no page "+id)
			continue
		}
		mine := slices.Sorted(slices.Values(p.roles))
		for _, ep := range eps {
			theirs, ok := apiRoles[ep]
			if !ok {
				out = append(out, fmt.Sprintf("page %s follows %s, which the API does not have", id, ep))
				continue
			}
			if t := slices.Sorted(slices.Values(theirs)); !slices.Equal(mine, t) {
				out = append(out, fmt.Sprintf("page %s has roles %v, the API's %s %v", id, mine, ep, t))
			}
		}
	}
	for _, p := range pages {
		if strings.HasPrefix(p.id, "admin_") && adminPageAPI[p.id] == nil {
			out = append(out, "page "+p.id+" names no API endpoint")
		}
	}
	slices.Sort(out)
	return out
}

// adminReq is one request of an administration page.
type adminReq struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	sess session
	u    *store.User // read again for this request: the API is called as it
	v    *view
}

// admin starts an administration page's answer: the session's user as
// the store has it now, and the page's view with its flash (?m=NAME shows
// "adm.ok.NAME", a message the page set after a change).
func (s *Server) admin(w http.ResponseWriter, r *http.Request, sess session, pageID, titleKey string) (*adminReq, bool) {
	a := &adminReq{s: s, w: w, r: r, sess: sess, v: newView(r, pageID, titleKey).withSession(sess)}
	if s.opts.Admin == nil {
		a.fail(errNoAdminAPI)
		return nil, false
	}
	u, err := s.core.Store().GetUser(r.Context(), sess.userID)
	if err != nil {
		a.fail(fmt.Errorf("console: user %s: %w", sess.username, err))
		return nil, false
	}
	a.u = u
	if m := r.URL.Query().Get("m"); m != "" {
		if t, ok := a.v.msgs[catKey("adm", "ok", m)]; ok {
			a.v.Flash = t
		}
	}
	return a, true
}

// call runs an admin API request as the page's user.
func (a *adminReq) call(method, path string, body, out any) error {
	return a.s.adminCall(a.r.Context(), a.u, a.r.RemoteAddr, method, path, body, out)
}

// may says whether the user's role opens page id (an action's page).
func (a *adminReq) may(id string) bool {
	p, ok := pageByID(id)
	return ok && p.allows(a.u.Role)
}

// fail answers an error: an API refusal as a page saying so in the
// user's language (404 for what is out of scope or gone), anything else
// as a 500 with the details in the log.
func (a *adminReq) fail(err error) {
	if ae := asAPIError(err); ae != nil {
		a.s.log.Info("console: admin API refused", "user", a.sess.username, "path", a.r.URL.Path, "status", ae.Status, "code", ae.Code)
		v := newView(a.r, "", "err.title").withSession(a.sess)
		v.Flash, v.Error = a.v.apiMsg(ae), true
		a.s.render(a.w, a.r, ae.Status, "error", v)
		return
	}
	if errors.Is(err, errNoAdminAPI) {
		a.s.log.Error("console: "+a.r.URL.Path, "err", err)
		a.s.errorPageFor(a.w, a.r, &a.sess, http.StatusServiceUnavailable, "err.internal")
		return
	}
	a.s.pageError(a.w, a.r, a.sess, err)
}

// render shows the page.
func (a *adminReq) render(status int, name string, data any) {
	a.v.Data = data
	a.s.render(a.w, a.r, status, name, a.v)
}

// done ends a change: back to path with its flash (post, redirect, get:
// a reload does not send the form again).
func (a *adminReq) done(path, flash string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(a.w, a.r, path+sep+"m="+url.QueryEscape(flash), http.StatusSeeOther)
}

// apiMsg says what an API refusal means, in the page's language: a
// sentence for its code ("adm.err.CODE"), or the general one.
func (v *view) apiMsg(e *apiError) string {
	if t, ok := v.msgs[catKey("adm", "err", e.Code)]; ok {
		return t
	}
	switch e.Status {
	case http.StatusForbidden:
		return v.T("adm.err.forbidden")
	case http.StatusNotFound:
		return v.T("adm.err.not_found")
	}
	return v.T("adm.err.other")
}

// form is a form as a page shows it again: what was typed, the error of
// each field, and a general error above it with the API's words under
// 详细信息.
type form struct {
	Vals   map[string]string
	Errs   map[string]string
	Error  string
	Detail string
	Open   bool   // a folded form is shown open (it has something to say)
	More   string // the label of Detail (详细信息)
}

func newForm() *form { return &form{Vals: map[string]string{}, Errs: map[string]string{}} }

// keep copies the named fields of the posted form.
func (f *form) keep(r *http.Request, names ...string) *form {
	for _, n := range names {
		f.Vals[n] = r.PostFormValue(n)
	}
	return f
}

// fieldErr sets a field's error (and opens the form).
func (f *form) fieldErr(field, msg string) {
	f.Errs[field], f.Open = msg, true
}

// fieldFunc places an API refusal on a form: the field it concerns and,
// when the code alone says too little, the catalogue key of a sentence
// for it ("" and "": above the form, in the code's words).
type fieldFunc func(*apiError) (field, key string)

// refused puts an API refusal on the form, next to its field or above it.
func (f *form) refused(v *view, e *apiError, place fieldFunc) {
	msg := v.apiMsg(e)
	f.Detail, f.Open, f.More = e.Message, true, v.T("adm.detail")
	if place != nil {
		fld, key := place(e)
		if key != "" {
			msg = v.T(key)
		}
		if fld != "" {
			f.Errs[fld] = msg
			return
		}
	}
	f.Error = msg
}

// bad says whether the form has any error.
func (f *form) bad() bool { return f.Error != "" || len(f.Errs) > 0 }

// admTab is a tab or a filter link of a page.
type admTab struct {
	Label, Href string
	Active      bool
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// options marks the option with value sel.
func options(sel string, opts ...option) []option {
	for i := range opts {
		opts[i].Selected = opts[i].Value == sel
	}
	return opts
}

// roleLabel is a role's name in the page's language.
func (v *view) roleLabel(role string) string {
	if t, ok := v.msgs[catKey("adm", "role", role)]; ok {
		return t
	}
	return role
}

// roleOptions lists the roles a user may be given.
func (v *view) roleOptions(sel string) []option {
	var out []option
	for _, r := range everyRole {
		out = append(out, option{Value: r, Label: v.roleLabel(r)})
	}
	return options(sel, out...)
}

// when shows an API time (RFC 3339) in the platform's time zone, to the second.
func (a *adminReq) when(s string) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.In(a.s.core.TimeZone()).Format("2006-01-02 15:04:05")
}

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string { return splitList(s, "\n\r") }

// splitList splits s at any of seps, dropping empty items.
func splitList(s, seps string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// numberSeps separate numbers in a pasted list: lines, commas, semicolons
// (also full-width) and tabs, never the spaces inside "+86 137 0013 7000".
const numberSeps = "\n\r,，;；\t"

// pathID is a path value that must be a positive decimal id.
func pathID(r *http.Request) (string, bool) {
	v := r.PathValue("id")
	if v == "" || len(v) > 19 || strings.Trim(v, "0123456789") != "" {
		return "", false
	}
	return v, true
}

// mountAdmin mounts the administration pages (a route each in the page
// table's name, as every console route).
func (s *Server) mountAdmin() {
	s.route("GET /admin/orgs", "admin_orgs", s.adminOrgsPage)
	s.route("POST /admin/orgs", "admin_orgs_edit", s.adminOrgCreate)
	s.route("POST /admin/orgs/{id}", "admin_orgs_edit", s.adminOrgRename)
	s.route("POST /admin/orgs/{id}/grants", "admin_limits_edit", s.adminOrgGrants)
	s.route("GET /admin/users", "admin_users", s.adminUsersPage)
	s.route("POST /admin/users", "admin_users_edit", s.adminUserCreate)
	s.route("POST /admin/users/{id}", "admin_users_edit", s.adminUserChange)
	s.route("GET /admin/accounts", "admin_accounts", s.adminAccountsPage)
	s.route("POST /admin/accounts", "admin_accounts_edit", s.adminAccountCreate)
	s.route("GET /admin/accounts/{id}", "admin_accounts", s.adminAccountPage)
	s.route("POST /admin/accounts/{id}", "admin_accounts_edit", s.adminAccountEdit)
	s.route("POST /admin/accounts/{id}/recharge", "admin_accounts_edit", s.adminAccountRecharge)
	s.route("POST /admin/accounts/{id}/limits", "admin_limits_edit", s.adminAccountLimits)
	s.route("POST /admin/accounts/{id}/grants", "admin_limits_edit", s.adminAccountGrants)
	s.route("GET /admin/business-types", "admin_business", s.adminBusinessPage)
	s.route("POST /admin/business-types", "admin_business_edit", s.adminBusinessTypeCreate)
	s.route("GET /admin/business-types/{code}", "admin_business", s.adminBusinessTypePage)
	s.route("POST /admin/business-types/{code}", "admin_business_edit", s.adminBusinessTypeSave)
	s.route("GET /admin/words", "admin_words", s.adminWordsPage)
	s.route("POST /admin/words", "admin_words_edit", s.adminWordsAdd)
	s.route("POST /admin/words/{id}/delete", "admin_words_edit", s.adminWordRemove)
	s.route("GET /admin/review", "admin_review", s.adminReviewPage)
	s.route("POST /admin/review/{id}/approve", "admin_review", s.adminReviewDecide(true))
	s.route("POST /admin/review/{id}/reject", "admin_review", s.adminReviewDecide(false))
	s.route("GET /admin/blacklist", "admin_blacklist", s.adminBlacklistPage)
	s.route("POST /admin/blacklist", "admin_blacklist_edit", s.adminBlacklistAdd)
	s.route("POST /admin/blacklist/remove", "admin_blacklist_edit", s.adminBlacklistRemove)
	s.routeBody("POST /admin/blacklist/import", "admin_blacklist_edit", maxUpload+1<<20, s.adminBlacklistImport)
	s.route("GET /admin/blacklist/import/{id}", "admin_blacklist", s.adminBlacklistImportPage)
	s.route("GET /admin/blacklist/import/{id}/status", "admin_blacklist", s.adminBlacklistImportStatus)
	for kind, k := range ownedKinds {
		s.route("GET /admin/"+kind, k.page, s.adminOwnedPage(kind))
		s.route("POST /admin/"+kind, "admin_owned_edit", s.adminOwnedCreate(kind))
		// approve and reject need admin_owned_review, default and delete
		// admin_owned_edit: the handler checks the operation's page.
		s.route("POST /admin/"+kind+"/{id}/{op}", k.page, s.adminOwnedAct(kind))
	}
	s.route("GET /admin/segments", "admin_segments", s.adminSegmentsPage)
	s.route("GET /admin/audit", "admin_audit", s.adminAuditPage)
	s.mountAdminMore() // admin_mo.go
	s.mountAdminKeys() // admin_keys.go
}

// catKey joins a catalogue key made at run time from its parts: the
// catalogue test takes every dotted literal in the code for a key, and a
// prefix of keys is none.
func catKey(parts ...string) string { return strings.Join(parts, ".") }
