package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/biz/scope"
	"hongyan/internal/store"
)

// The number library (A5) and customer information (A9): /library and
// /customers. They read and write the store directly, with the admin
// API's scope rule (biz/scope): a user sees the categories and records of
// their organisation's subtree, and the categories granted to it.

var libEditors = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator}

const libShow = 200 // numbers or records a page lists

func (s *Server) mountLibrary() {
	s.route("GET /library", "library", s.libraryPage)
	s.route("POST /library", "library_edit", s.libraryCreate)
	s.route("POST /library/traffic", "library_edit", s.libraryTraffic)
	s.libJobs = newLibJobs()
	s.routeBody("POST /library/{id}/import", "library_edit", libMaxUpload+1<<20, s.libraryImport) // library_import.go
	s.route("GET /library/{id}/import/{job}", "library_edit", s.libraryImportPage)
	s.route("GET /library/{id}/import/{job}/status", "library_edit", s.libraryImportStatus)
	s.route("GET /library/{id}/import/{job}/problems.csv", "library_edit", s.libraryImportProblems)
	s.route("POST /library/{id}/import/{job}/cancel", "library_edit", s.libraryImportCancel)
	s.route("POST /library/{id}/grants", "library_edit", s.libraryGrants)
	s.route("POST /library/{id}/delete", "library_edit", s.libraryDelete)
	s.route("GET /library/{id}/send", "send", s.libSendPage(s.categoryTarget)) // library_send.go
	s.route("POST /library/{id}/send", "send", s.libSend(s.categoryTarget))
	s.route("GET /library/send", "send", s.libSendPage(s.searchTarget)) // a search's result
	s.route("POST /library/send", "send", s.libSend(s.searchTarget))
	s.route("GET /customers", "customers", s.customersPage)
	s.route("POST /customers", "customers_edit", s.customerSave)
	s.route("GET /customers/{id}/edit", "customers_edit", s.customerEditPage) // customers_edit.go
	s.route("POST /customers/{id}/edit", "customers_edit", s.customerEdit)
	s.route("POST /customers/{id}/delete", "customers_edit", s.customerDelete)
	s.routeBody("POST /customers/import", "customers_edit", libMaxUpload+1<<20, s.customersImport) // customers_import.go
	s.route("GET /customers/import/{job}/progress", "customers_edit", s.customersImportPage)
	s.route("GET /customers/import/{job}/status", "customers_edit", s.customersImportStatus)
	s.route("GET /customers/import/{job}/problems.csv", "customers_edit", s.customersImportProblems)
	s.route("POST /customers/import/{job}/cancel", "customers_edit", s.customersImportCancel)
	s.route("POST /customers/surveys", "customers_edit", s.surveyCreate)
	s.route("POST /customers/surveys/{id}/delete", "customers_edit", s.surveyDelete)
}

// libReq is one request of these pages: the user, their scope, the view.
type libReq struct {
	*adminReq
	sc scope.Scope
}

func (s *Server) lib(w http.ResponseWriter, r *http.Request, sess session, pageID, title string) (*libReq, bool) {
	a := &adminReq{s: s, w: w, r: r, sess: sess, v: newView(r, pageID, title).withSession(sess)}
	u, err := s.core.Store().GetUser(r.Context(), sess.userID)
	if err != nil {
		s.pageError(w, r, sess, fmt.Errorf("console: user %s: %w", sess.username, err))
		return nil, false
	}
	a.u = u
	sc, err := s.scopeOf(r.Context(), u)
	if err != nil {
		s.pageError(w, r, sess, err)
		return nil, false
	}
	if m := r.URL.Query().Get("m"); m != "" {
		area := "lib" // the flash after a change: "lib.ok.created", "cust.ok.saved", …
		if strings.HasPrefix(pageID, "customers") {
			area = "cust"
		}
		if t, ok := a.v.msgs[catKey(area, "ok", m)]; ok {
			a.v.Flash = t
		}
	}
	return &libReq{adminReq: a, sc: sc}, true
}

// visible says whether the user sees category c: owned in scope, or granted to an organisation in scope.
func (l *libReq) visible(c *store.NumberCategory, grants map[int64][]int64) bool {
	if l.sc.Org(c.OrgID) {
		return true
	}
	return slices.ContainsFunc(grants[c.ID], l.sc.Org)
}

// category reads the category of the URL, 404 when out of scope; own
// requires it to be owned in scope (granted ones are only read).
func (l *libReq) category(own bool) (*store.NumberCategory, bool) {
	id, _ := strconv.ParseInt(l.r.PathValue("id"), 10, 64)
	c, err := l.s.core.Store().NumberCategory(l.r.Context(), id)
	if err == nil && !l.sc.Org(c.OrgID) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		l.s.errorPageFor(l.w, l.r, &l.sess, http.StatusNotFound, "adm.err.not_found")
		return nil, false
	}
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return nil, false
	}
	return c, true
}

type libCat struct {
	*store.NumberCategory
	Owner   string
	Own     bool
	Granted string // organisation codes
}

type libData struct {
	Cats       []libCat
	MayEdit    bool
	Add        *form
	Q          store.NumberQuery
	Cat        int64
	Searched   bool
	Numbers    []store.NumberEntry
	More       bool
	Report     *libReport
	Orgs       map[int64]string
	MaxUpload  int
	FromUntil  [2]string
	CatOptions []option
	// A search's result: how many numbers it finds, and the send form
	// for them (library_send.go).
	Found   int64
	SendURL string
}

type libReport struct {
	File          string
	Rows, Added   int
	Updated       int
	Invalid       int
	Bad           []string
	CategoryName  string
	TrafficAdded  int64
	TrafficSource string
}

func (s *Server) libraryPage(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "library", "lib.title")
	if !ok {
		return
	}
	l.show(http.StatusOK, newForm(), nil)
}

func (l *libReq) show(status int, f *form, rep *libReport) {
	ctx := l.r.Context()
	st := l.s.core.Store()
	cats, err := st.NumberCategories(ctx)
	if err == nil {
		var grants map[int64][]int64
		if grants, err = st.NumberGrants(ctx); err == nil {
			var orgs []*store.Org
			if orgs, err = st.Orgs(ctx); err == nil {
				l.build(status, f, rep, cats, grants, orgs)
				return
			}
		}
	}
	l.s.pageError(l.w, l.r, l.sess, err)
}

func (l *libReq) build(status int, f *form, rep *libReport, cats []*store.NumberCategory, grants map[int64][]int64, orgs []*store.Org) {
	code := map[int64]string{0: l.v.T("lib.platform")}
	for _, o := range orgs {
		code[o.ID] = o.Code
	}
	d := &libData{MayEdit: slices.Contains(libEditors, l.u.Role), Add: f, Report: rep, Orgs: code, MaxUpload: libMaxUpload >> 20}
	var ids []int64
	for _, c := range cats {
		if !l.visible(c, grants) {
			continue
		}
		var g []string
		for _, o := range grants[c.ID] {
			g = append(g, code[o])
		}
		d.Cats = append(d.Cats, libCat{NumberCategory: c, Owner: code[c.OrgID], Own: l.sc.Org(c.OrgID), Granted: strings.Join(g, ",")})
		d.CatOptions = append(d.CatOptions, option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name + " (" + code[c.OrgID] + ")"})
		ids = append(ids, c.ID)
	}
	q := l.r.URL.Query()
	d.Q = store.NumberQuery{Province: strings.TrimSpace(q.Get("province")), City: strings.TrimSpace(q.Get("city")),
		Tag: strings.TrimSpace(q.Get("tag")), Prefix: strings.TrimSpace(q.Get("prefix")), Limit: libShow + 1}
	d.Cat, _ = strconv.ParseInt(q.Get("category"), 10, 64)
	d.CatOptions = options(q.Get("category"), append([]option{{Value: "", Label: l.v.T("lib.all_categories")}}, d.CatOptions...)...)
	if q.Has("search") {
		d.Searched = true
		d.Q.CategoryIDs = ids
		if d.Cat != 0 {
			d.Q.CategoryIDs = nil
			if slices.Contains(ids, d.Cat) {
				d.Q.CategoryIDs = []int64{d.Cat}
			}
		}
		ns, err := l.s.core.Store().SearchNumbers(l.r.Context(), d.Q)
		if err != nil {
			l.s.pageError(l.w, l.r, l.sess, err)
			return
		}
		if len(ns) > libShow {
			ns, d.More = ns[:libShow], true
		}
		d.Numbers = ns
		if d.Found, err = l.s.core.Store().CountNumbers(l.r.Context(), d.Q); err != nil {
			l.s.pageError(l.w, l.r, l.sess, err)
			return
		}
		if d.MayEdit && d.Found > 0 {
			d.SendURL = "/library/send?" + searchFilter(q).Encode()
		}
	}
	now := time.Now()
	d.FromUntil = [2]string{now.AddDate(0, -1, 0).Format("2006-01-02"), now.Format("2006-01-02")}
	l.render(status, "library", d)
}

// ownerOrg is the organisation a new category or record belongs to: the user's.
func (l *libReq) ownerOrg() int64 { return l.u.OrgID }

func (s *Server) libraryCreate(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "library", "lib.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "name", "note")
	c := &store.NumberCategory{OrgID: l.ownerOrg(), Name: strings.TrimSpace(f.Vals["name"]), Note: strings.TrimSpace(f.Vals["note"]), CreatedBy: sess.username}
	if c.Name == "" {
		f.fieldErr("name", l.v.T("lib.err.name"))
		l.show(http.StatusBadRequest, f, nil)
		return
	}
	if err := s.core.Store().CreateNumberCategory(r.Context(), c); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			f.fieldErr("name", l.v.T("lib.err.dup"))
			l.show(http.StatusConflict, f, nil)
			return
		}
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: number category created", "user", sess.username, "category", c.ID, "name", c.Name)
	l.done("/library", "created")
}

// libraryTraffic builds a new category from the scope's traffic of a period.
func (s *Server) libraryTraffic(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "library", "lib.title")
	if !ok {
		return
	}
	f := newForm().keep(r, "tname", "from", "until", "delivered", "replied")
	loc := s.core.TimeZone()
	from, err1 := time.ParseInLocation("2006-01-02", f.Vals["from"], loc)
	until, err2 := time.ParseInLocation("2006-01-02", f.Vals["until"], loc)
	name := strings.TrimSpace(f.Vals["tname"])
	switch {
	case name == "":
		f.fieldErr("tname", l.v.T("lib.err.name"))
	case err1 != nil || err2 != nil || until.Before(from):
		f.fieldErr("from", l.v.T("lib.err.period"))
	case f.Vals["delivered"] == "" && f.Vals["replied"] == "":
		f.fieldErr("delivered", l.v.T("lib.err.source"))
	}
	if f.bad() {
		l.show(http.StatusBadRequest, f, nil)
		return
	}
	ctx := r.Context()
	st := s.core.Store()
	var accts []int64
	if !l.sc.All() {
		all, err := st.Accounts(ctx)
		if err != nil {
			s.pageError(w, r, sess, err)
			return
		}
		accts = []int64{}
		for _, a := range all {
			if l.sc.Account(a) {
				accts = append(accts, a.ID)
			}
		}
	}
	c := &store.NumberCategory{OrgID: l.ownerOrg(), Name: name, CreatedBy: sess.username,
		Note: l.v.Tf("lib.traffic.note", f.Vals["from"], f.Vals["until"])}
	if err := st.CreateNumberCategory(ctx, c); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			f.fieldErr("tname", l.v.T("lib.err.dup"))
			l.show(http.StatusConflict, f, nil)
			return
		}
		s.pageError(w, r, sess, err)
		return
	}
	n, err := st.NumbersFromTraffic(ctx, store.TrafficQuery{CategoryID: c.ID, AccountIDs: accts, From: from, Until: until.AddDate(0, 0, 1),
		Delivered: f.Vals["delivered"] != "", Replied: f.Vals["replied"] != ""})
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: number category built from traffic", "user", sess.username, "category", c.ID, "numbers", n)
	l.show(http.StatusOK, newForm(), &libReport{CategoryName: c.Name, TrafficAdded: n, TrafficSource: "traffic"})
}

// readUpload reads the posted file (field "file") of at most limit
// bytes, or says why not.
func (l *libReq) readUpload(limit int) (string, []byte, string) {
	perr := l.r.ParseMultipartForm(1 << 20)
	if l.r.MultipartForm != nil {
		defer func() { _ = l.r.MultipartForm.RemoveAll() }()
	}
	if perr != nil {
		var mbe *http.MaxBytesError
		if errors.As(perr, &mbe) {
			return "", nil, l.v.Tf("imp.err.too_big", limit>>20)
		}
		return "", nil, l.v.T("imp.err.no_file")
	}
	file, hdr, err := l.r.FormFile("file")
	if err != nil {
		return "", nil, l.v.T("imp.err.no_file")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, int64(limit)+1))
	switch {
	case err != nil || len(data) == 0:
		return "", nil, l.v.T("imp.err.empty")
	case len(data) > limit:
		return "", nil, l.v.Tf("imp.err.too_big", limit>>20)
	}
	return hdr.Filename, data, ""
}

// libraryGrants sets the organisations (codes, comma separated) a category is granted to.
func (s *Server) libraryGrants(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "library", "lib.title")
	if !ok {
		return
	}
	c, ok := l.category(true)
	if !ok {
		return
	}
	orgs, err := s.core.Store().Orgs(r.Context())
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	byCode := map[string]int64{}
	for _, o := range orgs {
		byCode[strings.ToUpper(o.Code)] = o.ID
	}
	var ids []int64
	for _, code := range splitList(r.PostFormValue("orgs"), ",，; \n") {
		id, ok := byCode[strings.ToUpper(code)]
		if !ok {
			f := newForm()
			f.Error = l.v.Tf("lib.err.org", code)
			l.show(http.StatusBadRequest, f, nil)
			return
		}
		ids = append(ids, id)
	}
	if err := s.core.Store().SetNumberGrants(r.Context(), c.ID, ids); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: number category granted", "user", sess.username, "category", c.ID, "orgs", ids)
	l.done("/library", "granted")
}

func (s *Server) libraryDelete(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.lib(w, r, sess, "library", "lib.title")
	if !ok {
		return
	}
	c, ok := l.category(true)
	if !ok {
		return
	}
	s.libJobs.stopCategory(c.ID) // an import into it writes no more (library_import.go)
	if err := s.core.Store().DeleteNumberCategory(r.Context(), c.ID); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: number category deleted", "user", sess.username, "category", c.ID)
	l.done("/library", "deleted")
}
