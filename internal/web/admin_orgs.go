package web

import (
	"net/http"
	"slices"
	"strings"

	"hongyan/internal/store"
)

// Organisations (A1) and users: /admin/orgs shows the tree of the
// organisations in the user's scope, adds one below any of them (a
// platform administrator also a province) and renames; /admin/users lists
// the users in scope, adds one with a role, disables and enables, resets
// a password (the new one shown this once) and changes a role.

// orgIndex is the organisations the user reaches, for labels and selects.
type orgIndex struct {
	list []apiOrg // parents before their children
	byID map[string]apiOrg
}

// orgs reads the organisations in scope. A role the API does not let list
// them (a partner) gets none: it has no organisation to choose.
func (a *adminReq) orgs() (*orgIndex, error) {
	var out struct {
		Orgs []apiOrg `json:"orgs"`
	}
	ix := &orgIndex{byID: map[string]apiOrg{}}
	if !a.may("admin_orgs") {
		return ix, nil
	}
	if err := a.call("GET", "/api/v1/admin/orgs", nil, &out); err != nil {
		return nil, err
	}
	ix.list = out.Orgs
	for _, o := range out.Orgs {
		ix.byID[o.ID] = o
	}
	return ix, nil
}

// name is an organisation's name, "" for none, its id when out of reach.
func (ix *orgIndex) name(id string) string {
	if id == "" {
		return ""
	}
	if o, ok := ix.byID[id]; ok {
		return o.Name
	}
	return "#" + id
}

// options lists the organisations as a select offers them, indented by
// level; none, when not "", is a first choice with value "".
func (ix *orgIndex) options(v *view, sel, none string, keep func(apiOrg) bool) []option {
	var out []option
	if none != "" {
		out = append(out, option{Value: "", Label: none})
	}
	for _, o := range ix.list {
		if keep != nil && !keep(o) {
			continue
		}
		out = append(out, option{Value: o.ID, Label: orgIndent(o.Level) + o.Name + " (" + o.Code + ")"})
	}
	return options(sel, out...)
}

func orgIndent(level string) string {
	switch level {
	case "city":
		return "\u3000"
	case "county":
		return "\u3000\u3000"
	}
	return ""
}

// ---- organisations ----

type orgRow struct {
	ID, Code, Name, Level, LevelLabel string
	Depth                             int
	CanHaveChildren                   bool
	Edit                              *form // the rename form, shown again with its error
	Grants                            []grantBox
	GrantAll                          bool
	GrantNames                        string // what is granted, for reading
	GrantsErr                         *form
}

type orgsData struct {
	Rows                   []orgRow
	MayEdit                bool
	Add                    *form
	Parents                []option
	MayGrants, MayGrantSet bool
}

func (s *Server) adminOrgsPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_orgs", "adm.orgs.title")
	if !ok {
		return
	}
	add := newForm()
	add.Vals["parent"] = r.URL.Query().Get("parent")
	add.Open = add.Vals["parent"] != ""
	s.showOrgs(a, http.StatusOK, add, "", nil)
}

func (s *Server) showOrgs(a *adminReq, status int, add *form, editID string, edit *form) {
	var tree struct {
		Tree []apiOrg `json:"tree"`
	}
	if err := a.call("GET", "/api/v1/admin/orgs?view=tree", nil, &tree); err != nil {
		a.fail(err)
		return
	}
	d := &orgsData{MayEdit: a.may("admin_orgs_edit"), Add: add, MayGrants: a.may("admin_limits"), MayGrantSet: a.may("admin_limits_edit")}
	ix := &orgIndex{byID: map[string]apiOrg{}}
	var grants map[string][]string
	var bts []apiBusinessType
	if d.MayGrants {
		var err error
		if grants, bts, err = a.orgGrants(); err != nil {
			a.fail(err)
			return
		}
	}
	var walk func(os []apiOrg, depth int)
	walk = func(os []apiOrg, depth int) {
		for _, o := range os {
			row := orgRow{ID: o.ID, Code: o.Code, Name: o.Name, Level: o.Level, LevelLabel: a.v.T(catKey("adm", "level", o.Level)),
				Depth: min(depth, 3), CanHaveChildren: o.Level != "county"}
			if o.ID == editID && edit != nil && edit.Vals["grants"] == "" {
				row.Edit = edit
			}
			if d.MayGrants {
				own := grants[o.ID]
				if o.ID == editID && edit != nil && edit.Vals["grants"] != "" { // a refused change, as it was asked
					own, row.GrantsErr = splitList(strings.TrimPrefix(edit.Vals["grants"], "="), ","), edit
				}
				row.GrantAll = slices.Contains(own, "*")
				var names []string
				for _, b := range bts {
					on := slices.Contains(own, b.Code)
					row.Grants = append(row.Grants, grantBox{Code: b.Code, Name: b.Name, Checked: on, Disabled: !b.Enabled})
					if on {
						names = append(names, b.Name)
					}
				}
				switch {
				case row.GrantAll:
					row.GrantNames = a.v.T("adm.acct.grant_all")
				case len(names) == 0:
					row.GrantNames = a.v.T("adm.orgs.grants_none")
				default:
					row.GrantNames = strings.Join(names, "、")
				}
			}
			d.Rows = append(d.Rows, row)
			ix.list = append(ix.list, o)
			walk(o.Children, depth+1)
		}
	}
	walk(tree.Tree, 0)
	none := ""
	if a.u.Role == store.RolePlatformAdmin {
		none = a.v.T("adm.orgs.no_parent")
	}
	d.Parents = ix.options(a.v, add.Vals["parent"], none, func(o apiOrg) bool { return o.Level != "county" })
	a.render(status, "admin_orgs", d)
}

// orgGrants reads every organisation's own grants and the business types.
func (a *adminReq) orgGrants() (map[string][]string, []apiBusinessType, error) {
	var out struct {
		Grants []struct {
			Subject  string `json:"subject"`
			ID       jsonID `json:"id"`
			Business string `json:"business"`
		} `json:"grants"`
	}
	if err := a.call("GET", "/api/v1/admin/grants", nil, &out); err != nil {
		return nil, nil, err
	}
	by := map[string][]string{}
	for _, g := range out.Grants {
		if g.Subject == store.GrantOrg {
			by[g.ID] = append(by[g.ID], g.Business)
		}
	}
	bts, err := a.businessTypes()
	return by, bts, err
}

// adminOrgGrants answers POST /admin/orgs/{id}/grants: the business types
// an organisation (and every one below it, and their unit accounts) may
// use — business=CODE repeated, or all=1.
func (s *Server) adminOrgGrants(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_orgs", "adm.orgs.title")
	if !ok {
		return
	}
	id, ok := pathID(r)
	if !ok || r.ParseForm() != nil {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	codes := r.PostForm["business"]
	if r.PostFormValue("all") != "" {
		codes = []string{"*"}
	}
	if codes == nil {
		codes = []string{}
	}
	if err := a.call("PUT", "/api/v1/admin/grants?org="+id, map[string]any{"business": codes}, nil); err != nil {
		ae := asAPIError(err)
		if ae == nil || ae.Status == http.StatusNotFound {
			a.fail(err)
			return
		}
		f := newForm()
		f.Vals["grants"] = "=" + strings.Join(codes, ",") // "=": even none is an answer
		f.refused(a.v, ae, nil)
		s.showOrgs(a, ae.Status, newForm(), id, f)
		return
	}
	s.log.Info("console: organisation's grants set", "user", sess.username, "org", id, "business", codes)
	a.done("/admin/orgs", "grants_saved")
}

// orgField places an organisation refusal.
func orgField(e *apiError) (string, string) {
	switch {
	case e.Code == "duplicate":
		return "code", "adm.orgs.err.taken"
	case e.Code == "invalid_org" && strings.HasPrefix(e.Message, "code"):
		return "code", "adm.orgs.err.code"
	case e.Code == "invalid_org" && strings.HasPrefix(e.Message, "name"):
		return "name", "adm.orgs.err.name"
	case e.Code == "invalid_parent", e.Code == "forbidden":
		return "parent", ""
	}
	return "", ""
}

// adminOrgCreate answers POST /admin/orgs (parent, code, name).
func (s *Server) adminOrgCreate(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_orgs", "adm.orgs.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "parent", "code", "name")
	body := map[string]any{"code": f.Vals["code"], "name": f.Vals["name"]}
	if p := f.Vals["parent"]; p != "" {
		body["parent_id"] = p
	}
	var o apiOrg
	if err := a.call("POST", "/api/v1/admin/orgs", body, &o); err != nil {
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, orgField)
		s.showOrgs(a, ae.Status, f, "", nil)
		return
	}
	s.log.Info("console: organisation added", "user", sess.username, "code", o.Code)
	a.done("/admin/orgs", "org_added")
}

// adminOrgRename answers POST /admin/orgs/{id} (name, code).
func (s *Server) adminOrgRename(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_orgs", "adm.orgs.title")
	if !ok {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	f := newForm().keep(r, "name", "code")
	body := map[string]any{"name": f.Vals["name"]}
	if f.Vals["code"] != "" {
		body["code"] = f.Vals["code"]
	}
	if err := a.call("PATCH", "/api/v1/admin/orgs/"+id, body, nil); err != nil {
		ae := asAPIError(err)
		if ae == nil || ae.Status == http.StatusNotFound {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, orgField)
		s.showOrgs(a, ae.Status, newForm(), id, f)
		return
	}
	a.done("/admin/orgs", "org_renamed")
}

// ---- users ----

type userRow struct {
	ID, Username, Role, RoleLabel, Org, Account, Created string
	Disabled, Self, Manage                               bool
	ConfirmDisable, ConfirmReset                         string
	Edit                                                 *form
	Roles, Orgs, Accounts                                []option
}

type usersData struct {
	Rows                 []userRow
	Total                int
	Q, Role, Org         string
	RoleFilter, OrgsFilt []option
	MayEdit              bool
	Add                  *form
	Roles, Orgs          []option
	Accounts             []option // partner accounts, for a partner user
	NewPassword          *shownOnce
}

// shownOnce is a secret shown on the page this once (a made password).
type shownOnce struct{ Title, Value string }

func (s *Server) adminUsersPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_users", "adm.users.title")
	if !ok {
		return
	}
	s.showUsers(a, http.StatusOK, newForm(), "", nil, nil)
}

func (s *Server) showUsers(a *adminReq, status int, add *form, editID string, edit *form, pw *shownOnce) {
	var us struct {
		Users []apiUser `json:"users"`
	}
	if err := a.call("GET", "/api/v1/admin/users", nil, &us); err != nil {
		a.fail(err)
		return
	}
	ix, err := a.orgs()
	if err != nil {
		a.fail(err)
		return
	}
	accs, err := a.accounts()
	if err != nil {
		a.fail(err)
		return
	}
	q := a.r.URL.Query()
	d := &usersData{Q: strings.TrimSpace(q.Get("q")), Role: q.Get("role"), Org: q.Get("org"), MayEdit: a.may("admin_users_edit"),
		Add: add, NewPassword: pw}
	d.RoleFilter = append([]option{{Value: "", Label: a.v.T("adm.all")}}, a.v.roleOptions(d.Role)...)
	d.OrgsFilt = ix.options(a.v, d.Org, a.v.T("adm.all"), nil)
	partnerAccts := func(sel string) []option {
		out := []option{{Value: "", Label: a.v.T("adm.none")}}
		for _, x := range accs {
			if x.Kind == store.KindPartner {
				out = append(out, option{Value: x.ID, Label: x.Name})
			}
		}
		return options(sel, out...)
	}
	accName := map[string]string{}
	for _, x := range accs {
		accName[x.ID] = x.Name
	}
	platform := a.u.Role == store.RolePlatformAdmin
	for _, u := range us.Users {
		if (d.Q != "" && !strings.Contains(strings.ToLower(u.Username), strings.ToLower(d.Q))) ||
			(d.Role != "" && u.Role != d.Role) || (d.Org != "" && deref(u.OrgID) != d.Org) {
			continue
		}
		row := userRow{ID: u.ID, Username: u.Username, Role: u.Role, RoleLabel: a.v.roleLabel(u.Role), Org: ix.name(deref(u.OrgID)),
			Account: accName[deref(u.AccountID)], Created: a.when(u.CreatedAt), Disabled: u.Disabled, Self: u.ID == jsonIDOf(a.u.ID)}
		row.Manage = d.MayEdit && !row.Self && (platform || u.Role != store.RolePlatformAdmin)
		if row.Manage {
			row.ConfirmDisable = a.v.Tf("adm.users.confirm_disable", u.Username)
			row.ConfirmReset = a.v.Tf("adm.users.confirm_reset", u.Username)
			e := edit
			if u.ID != editID || e == nil {
				e = newForm()
				e.Vals["role"], e.Vals["org"], e.Vals["account"] = u.Role, deref(u.OrgID), deref(u.AccountID)
			}
			row.Edit = e
			row.Roles = a.v.roleOptions(e.Vals["role"])
			row.Orgs = ix.options(a.v, e.Vals["org"], a.v.T("adm.none"), nil)
			row.Accounts = partnerAccts(e.Vals["account"])
		}
		d.Rows = append(d.Rows, row)
	}
	d.Total = len(d.Rows)
	if add.Vals["role"] == "" {
		add.Vals["role"] = store.RoleOperator
	}
	if add.Vals["org"] == "" && a.u.OrgID != 0 {
		add.Vals["org"] = jsonIDOf(a.u.OrgID)
	}
	d.Roles = a.v.roleOptions(add.Vals["role"])
	if !platform {
		d.Roles = slices.DeleteFunc(d.Roles, func(o option) bool { return o.Value == store.RolePlatformAdmin })
	}
	d.Orgs = ix.options(a.v, add.Vals["org"], a.v.T("adm.none"), nil)
	d.Accounts = partnerAccts(add.Vals["account"])
	a.render(status, "admin_users", d)
}

// userField places a user refusal.
func userField(e *apiError) (string, string) {
	m := e.Message
	switch {
	case e.Code == "duplicate":
		return "username", "adm.users.err.taken"
	case e.Code == "invalid_role":
		return "role", ""
	case e.Code == "invalid_password":
		return "password", "adm.users.err.password"
	case strings.Contains(m, "partner account"), strings.HasPrefix(m, "account"):
		return "account", "adm.users.err.account"
	case strings.HasPrefix(m, "username"):
		return "username", "adm.users.err.username"
	case strings.Contains(m, "platform administrator"):
		return "role", "adm.users.err.platform"
	case strings.Contains(m, "organisation"), strings.Contains(m, "platform level"):
		return "org", "adm.users.err.org"
	}
	return "", ""
}

// userBody is the role, organisation and account of a user form.
func userBody(f *form) map[string]any {
	body := map[string]any{"role": f.Vals["role"], "org_id": f.Vals["org"]}
	if f.Vals["role"] == store.RolePartner || f.Vals["account"] != "" {
		body["account_id"] = f.Vals["account"]
	}
	return body
}

// adminUserCreate answers POST /admin/users (username, role, org,
// account, password): without a password one is made and shown once.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_users", "adm.users.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "username", "role", "org", "account")
	body := userBody(f)
	body["username"] = strings.TrimSpace(f.Vals["username"])
	if pw := r.PostFormValue("password"); pw != "" {
		body["password"] = pw // never shown again, not even on an error
	}
	var u apiUser
	if err := a.call("POST", "/api/v1/admin/users", body, &u); err != nil {
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, userField)
		s.showUsers(a, ae.Status, f, "", nil, nil)
		return
	}
	s.log.Info("console: user added", "user", sess.username, "new", u.Username, "role", u.Role)
	if u.Password == "" {
		a.done("/admin/users", "user_added")
		return
	}
	a.v.Flash = a.v.T("adm.ok.user_added")
	s.showUsers(a, http.StatusCreated, newForm(), "", nil, &shownOnce{Title: a.v.Tf("adm.users.password_for", u.Username), Value: u.Password})
}

// adminUserChange answers POST /admin/users/{id}: op=disable, enable,
// reset (a new password, shown once) or edit (role, org, account).
func (s *Server) adminUserChange(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_users", "adm.users.title")
	if !ok {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	var body map[string]any
	var f *form
	op := r.PostFormValue("op")
	switch op {
	case "disable", "enable":
		body = map[string]any{"disabled": op == "disable"}
	case "reset":
		body = map[string]any{"reset_password": true}
	case "edit":
		f = newForm().keep(r, "role", "org", "account")
		body = userBody(f)
	default:
		s.errorPageFor(w, r, &sess, http.StatusBadRequest, "err.bad_request")
		return
	}
	var u apiUser
	if err := a.call("PATCH", "/api/v1/admin/users/"+id, body, &u); err != nil {
		ae := asAPIError(err)
		if ae == nil || f == nil || ae.Status == http.StatusNotFound {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, userField)
		s.showUsers(a, ae.Status, newForm(), id, f, nil)
		return
	}
	s.log.Info("console: user changed", "user", sess.username, "target", u.Username, "op", op)
	if op == "reset" {
		a.v.Flash = a.v.T("adm.ok.user_reset")
		s.showUsers(a, http.StatusOK, newForm(), "", nil, &shownOnce{Title: a.v.Tf("adm.users.password_for", u.Username), Value: u.Password})
		return
	}
	a.done("/admin/users", "user_"+op)
}
