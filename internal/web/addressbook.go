package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"hongyan/internal/biz/orgtree"
	"hongyan/internal/biz/scope"
	"hongyan/internal/core"
	"hongyan/internal/store"
)

// The address book (A7, W2): groups of contacts, personal (one user's,
// seen by nobody else) or shared (an organisation's: seen by the users of
// it and of the organisations below it, changed by its org_admin and the
// platform administrators, and by an org_admin above it). Contacts are
// added one by one or imported from a CSV, TXT or XLSX file (read by
// importfile.go, checked and stored in the background with a progress bar
// and a report of the rows refused), exported to CSV or XLSX, and a group
// is sent to from its page: the server reads the contacts and hands them
// to the core as a file import is (sendrun.go), so a group of 100,000 never
// goes through the browser.

const (
	contactsPerPage = 50
	bookPage        = 5000 // contacts read per query when exporting or sending
	bookChunk       = 2000 // contacts stored per transaction when importing
	// SendBook is the kind of a console send to an address-book group.
	SendBook = "book"
)

// bookRoles may open the address book (the senders).
var bookRoles = sendRoles

// bookEditors may change shared groups (within their scope).
var bookEditors = []string{store.RolePlatformAdmin, store.RoleOrgAdmin}

// bookUser is what the address book knows of the session's user.
type bookUser struct {
	user  *store.User
	scope scope.Scope
	tree  *orgtree.Tree
}

func (s *Server) bookUserOf(ctx context.Context, sess session) (*bookUser, error) {
	u, err := s.core.Store().GetUser(ctx, sess.userID)
	if err != nil {
		return nil, fmt.Errorf("console: address book user %s: %w", sess.username, err)
	}
	orgs, err := s.core.Store().Orgs(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: address book user %s: organisations: %w", sess.username, err)
	}
	t := orgtree.New(orgs)
	return &bookUser{user: u, scope: scope.For(u, t), tree: t}, nil
}

// sharedOrgs are the organisations whose shared groups the user sees: its
// own and those above it, and those below it in its scope; nil with all =
// every organisation.
func (bu *bookUser) sharedOrgs() (ids []int64, all bool) {
	if bu.user.Role == store.RolePartner {
		return nil, false
	}
	if bu.scope.All() {
		return nil, true
	}
	seen := map[int64]bool{}
	for o, hops := bu.tree.Get(bu.user.OrgID), 0; o != nil && hops < 64; o, hops = bu.tree.Get(o.ParentID), hops+1 {
		seen[o.ID] = true
	}
	for _, id := range bu.scope.OrgIDs() {
		seen[id] = true
	}
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, false
}

func (bu *bookUser) sees(g *store.ContactGroup) bool {
	if !g.Shared() {
		return g.OwnerID == bu.user.ID
	}
	ids, all := bu.sharedOrgs()
	return all || slices.Contains(ids, g.OrgID)
}

func (bu *bookUser) edits(g *store.ContactGroup) bool {
	if !g.Shared() {
		return g.OwnerID == bu.user.ID
	}
	return slices.Contains(bookEditors, bu.user.Role) && bu.scope.Org(g.OrgID)
}

// editableOrgs are the organisations the user may make a shared group for.
func (bu *bookUser) editableOrgs() []*store.Org {
	if !slices.Contains(bookEditors, bu.user.Role) {
		return nil
	}
	var out []*store.Org
	var walk func(id int64)
	walk = func(id int64) {
		if o := bu.tree.Get(id); o != nil && bu.scope.Org(o.ID) {
			out = append(out, o)
		}
		for _, c := range bu.tree.Children(id) {
			walk(c.ID)
		}
	}
	for _, root := range bu.tree.Roots() {
		walk(root)
	}
	return out
}

func (bu *bookUser) orgName(id int64) string {
	if o := bu.tree.Get(id); o != nil {
		return o.Name
	}
	return ""
}

// ---- the list of groups ----

type groupRow struct {
	ID             int64
	Name, Note     string
	Shared         bool
	Org            string
	Contacts       int
	Updated        string
	Editable       bool
	SendURL, Users string
}

// groupSection is one list of the page: personal, or shared groups.
type groupSection struct {
	Title, ID string
	Rows      []groupRow
}

type orgOpt struct {
	ID       int64
	Name     string
	Selected bool
}

type bookData struct {
	Sections         []groupSection
	Orgs             []orgOpt // where a shared group may be made; empty = personal only
	Name, Note, Kind string   // the new-group form, kept on an error
	NameErr          string
}

func (s *Server) bookFail(w http.ResponseWriter, r *http.Request, sess session, what string, err error) {
	s.log.Error("console: address book", "what", what, "user", sess.username, "path", r.URL.Path, "err", err)
	s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
}

// bookPage answers GET /book.
func (s *Server) bookPage(w http.ResponseWriter, r *http.Request, sess session) {
	s.showBook(w, r, sess, http.StatusOK, &bookData{Kind: "personal"}, "")
}

func (s *Server) showBook(w http.ResponseWriter, r *http.Request, sess session, status int, d *bookData, flash string) {
	ctx := r.Context()
	v := newView(r, "book", "book.title").withSession(sess)
	bu, err := s.bookUserOf(ctx, sess)
	if err != nil {
		s.bookFail(w, r, sess, "groups", err)
		return
	}
	orgs, all := bu.sharedOrgs()
	gs, err := s.core.Store().Groups(ctx, store.GroupQuery{OwnerID: bu.user.ID, Orgs: orgs, AllOrgs: all})
	if err != nil {
		s.bookFail(w, r, sess, "groups", err)
		return
	}
	loc := s.core.TimeZone()
	personal := groupSection{Title: "book.personal", ID: "personal-groups"}
	shared := groupSection{Title: "book.shared", ID: "shared-groups"}
	for _, g := range gs {
		row := groupRow{ID: g.ID, Name: g.Name, Note: g.Note, Shared: g.Shared(), Org: bu.orgName(g.OrgID), Contacts: g.Contacts,
			Updated: g.UpdatedAt.In(loc).Format("2006-01-02 15:04"), Editable: bu.edits(g)}
		if row.Shared {
			shared.Rows = append(shared.Rows, row)
		} else {
			personal.Rows = append(personal.Rows, row)
		}
	}
	d.Sections = []groupSection{personal, shared}
	chosen, _ := strconv.ParseInt(d.Kind, 10, 64)
	for _, o := range bu.editableOrgs() {
		d.Orgs = append(d.Orgs, orgOpt{ID: o.ID, Name: o.Name, Selected: o.ID == chosen})
	}
	switch r.URL.Query().Get("m") {
	case "deleted":
		v.Flash = v.T("book.flash.deleted")
	}
	if flash != "" {
		v.Flash, v.Error = flash, status >= 400
	}
	v.Data = d
	s.render(w, r, status, "book", v)
}

// groupName checks a group's name as typed.
func groupName(m msgs, name string) (string, string) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return name, m.T("book.err.name_empty")
	case len([]rune(name)) > 60:
		return name, m.T("book.err.name_long")
	}
	return name, ""
}

// bookCreate answers POST /book: a new group, personal or shared (kind is
// "personal" or an organisation's id).
func (s *Server) bookCreate(w http.ResponseWriter, r *http.Request, sess session) {
	ctx := r.Context()
	m := msgs(catalogue[langOf(r)])
	d := &bookData{Name: r.PostFormValue("name"), Note: strings.TrimSpace(r.PostFormValue("note")), Kind: r.PostFormValue("kind")}
	bu, err := s.bookUserOf(ctx, sess)
	if err != nil {
		s.bookFail(w, r, sess, "create group", err)
		return
	}
	name, nerr := groupName(m, d.Name)
	if nerr != "" {
		d.NameErr = nerr
		s.showBook(w, r, sess, http.StatusBadRequest, d, nerr)
		return
	}
	g := &store.ContactGroup{Name: name, Note: truncate(d.Note, 200), CreatedBy: sess.username, CreatedAt: s.opts.Now()}
	if d.Kind == "" || d.Kind == "personal" {
		g.OwnerID = bu.user.ID
	} else {
		org, _ := strconv.ParseInt(d.Kind, 10, 64)
		if !slices.ContainsFunc(bu.editableOrgs(), func(o *store.Org) bool { return o.ID == org }) {
			s.showBook(w, r, sess, http.StatusForbidden, d, m.T("book.err.org"))
			return
		}
		g.OrgID = org
	}
	if err := s.core.Store().CreateGroup(bookAudited(ctx, sess, g, "create", nil, groupState(g)), g); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			d.NameErr = m.T("book.err.name_taken")
			s.showBook(w, r, sess, http.StatusConflict, d, d.NameErr)
			return
		}
		s.bookFail(w, r, sess, "create group", err)
		return
	}
	s.log.Info("console: group created", "user", sess.username, "group", g.ID, "shared", g.Shared(), "org", g.OrgID)
	http.Redirect(w, r, "/book/"+strconv.FormatInt(g.ID, 10)+"?m=created", http.StatusSeeOther)
}

// groupFor resolves the path's {id} among the groups the user sees (404
// otherwise, like a group that does not exist); edit asks for the right to
// change it (403).
func (s *Server) groupFor(w http.ResponseWriter, r *http.Request, sess session, edit bool) (*store.ContactGroup, *bookUser, bool) {
	ctx := r.Context()
	bu, err := s.bookUserOf(ctx, sess)
	if err != nil {
		s.bookFail(w, r, sess, "group", err)
		return nil, nil, false
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	g, err := s.core.Store().GetGroup(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.bookFail(w, r, sess, "group", err)
		return nil, nil, false
	}
	if err != nil || !bu.sees(g) {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "book.notfound")
		return nil, nil, false
	}
	if edit && !bu.edits(g) {
		s.log.Warn("console: group change refused", "user", sess.username, "group", g.ID)
		s.errorPageFor(w, r, &sess, http.StatusForbidden, "book.err.readonly")
		return nil, nil, false
	}
	return g, bu, true
}

// ---- one group ----

type contactRow struct {
	ID                 int64
	Number, Name, Note string
	Fields             []fieldPair // the form's (a new contact: none)
	Values             []string    // the table's, under the group's columns
}

type groupData struct {
	ID                 int64
	Name, Note, Org    string
	Shared, Editable   bool
	Contacts           int
	Found              int
	Rows               []contactRow
	Fields             []string // the group's field columns
	Search             string
	Older, First       string
	Edit               *contactRow // the contact form: a contact being edited (ID 0 = a new one)
	FieldErr           string
	FieldsErr          string // the contact's fields
	GroupName          string // the rename form, kept on an error
	GroupNote          string
	GroupErr           string
	MaxFileMB, MaxRows int
}

// groupPage answers GET /book/{id}?q=&after=&edit=.
func (s *Server) groupPage(w http.ResponseWriter, r *http.Request, sess session) {
	g, bu, ok := s.groupFor(w, r, sess, false)
	if !ok {
		return
	}
	d := &groupData{Edit: &contactRow{}}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); id > 0 && bu.edits(g) {
		cs, err := s.core.Store().Contacts(r.Context(), store.ContactQuery{GroupID: g.ID, AfterID: id - 1, Limit: 1})
		if err == nil && len(cs) == 1 && cs[0].ID == id {
			d.Edit = &contactRow{ID: id, Number: cs[0].Number, Name: cs[0].Name, Note: cs[0].Note}
			if cols, err := s.core.Store().GroupFields(r.Context(), g.ID); err == nil {
				d.Edit.Fields = pairsOf(cols, cs[0].Fields)
			}
		}
	}
	s.showGroup(w, r, sess, http.StatusOK, g, bu, d, "", false)
}

func (s *Server) showGroup(w http.ResponseWriter, r *http.Request, sess session, status int, g *store.ContactGroup, bu *bookUser,
	d *groupData, flash string, isErr bool) {
	ctx := r.Context()
	v := newView(r, "book", "book.group.title").withSession(sess)
	v.Title = g.Name
	st := s.core.Store()
	d.ID, d.Name, d.Note, d.Shared, d.Editable, d.Contacts = g.ID, g.Name, g.Note, g.Shared(), bu.edits(g), g.Contacts
	d.Org = bu.orgName(g.OrgID)
	d.MaxFileMB, d.MaxRows = maxUpload>>20, maxRows
	if d.GroupName == "" && d.GroupErr == "" {
		d.GroupName, d.GroupNote = g.Name, g.Note
	}
	d.Search = strings.TrimSpace(r.URL.Query().Get("q"))
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	q := store.ContactQuery{GroupID: g.ID, Search: d.Search, AfterID: after, Limit: contactsPerPage + 1}
	cs, err := st.Contacts(ctx, q)
	if err != nil {
		s.bookFail(w, r, sess, "contacts", err)
		return
	}
	if d.Fields, err = st.GroupFields(ctx, g.ID); err != nil {
		s.bookFail(w, r, sess, "fields", err)
		return
	}
	d.Found = g.Contacts
	if d.Search != "" {
		if d.Found, err = st.CountContacts(ctx, q); err != nil {
			s.bookFail(w, r, sess, "contacts", err)
			return
		}
	}
	base := "/book/" + strconv.FormatInt(g.ID, 10)
	if d.Search != "" {
		base += "?q=" + url.QueryEscape(d.Search) + "&"
	} else {
		base += "?"
	}
	if len(cs) > contactsPerPage {
		cs = cs[:contactsPerPage]
		d.Older = base + "after=" + strconv.FormatInt(cs[len(cs)-1].ID, 10)
	}
	if after > 0 {
		d.First = strings.TrimSuffix(strings.TrimSuffix(base, "&"), "?")
	}
	for _, c := range cs {
		d.Rows = append(d.Rows, contactRow{ID: c.ID, Number: c.Number, Name: c.Name, Note: c.Note, Values: valuesOf(d.Fields, c.Fields)})
	}
	switch r.URL.Query().Get("m") {
	case "created":
		v.Flash = v.T("book.flash.created")
	case "saved":
		v.Flash = v.T("book.flash.saved")
	case "added":
		v.Flash = v.T("book.flash.added")
	case "removed":
		v.Flash = v.T("book.flash.removed")
	}
	if flash != "" {
		v.Flash, v.Error = flash, isErr
	}
	v.Data = d
	s.render(w, r, status, "book_group", v)
}

// groupEdit answers POST /book/{id}/edit: rename, change the note.
func (s *Server) groupEdit(w http.ResponseWriter, r *http.Request, sess session) {
	g, bu, ok := s.groupFor(w, r, sess, true)
	if !ok {
		return
	}
	m := msgs(catalogue[langOf(r)])
	d := &groupData{Edit: &contactRow{}, GroupName: r.PostFormValue("name"), GroupNote: strings.TrimSpace(r.PostFormValue("note"))}
	name, nerr := groupName(m, d.GroupName)
	if nerr != "" {
		d.GroupErr = nerr
		s.showGroup(w, r, sess, http.StatusBadRequest, g, bu, d, nerr, true)
		return
	}
	ng := *g
	ng.Name, ng.Note, ng.UpdatedAt = name, truncate(d.GroupNote, 200), s.opts.Now()
	ctx := bookAudited(r.Context(), sess, g, "update", groupState(g), groupState(&ng))
	if err := s.core.Store().UpdateGroup(ctx, &ng); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			d.GroupErr = m.T("book.err.name_taken")
			s.showGroup(w, r, sess, http.StatusConflict, g, bu, d, d.GroupErr, true)
			return
		}
		s.bookFail(w, r, sess, "rename group", err)
		return
	}
	http.Redirect(w, r, "/book/"+strconv.FormatInt(g.ID, 10)+"?m=saved", http.StatusSeeOther)
}

// groupDelete answers POST /book/{id}/delete: the group and its contacts.
func (s *Server) groupDelete(w http.ResponseWriter, r *http.Request, sess session) {
	g, _, ok := s.groupFor(w, r, sess, true)
	if !ok {
		return
	}
	ctx := bookAudited(r.Context(), sess, g, "delete", groupState(g), nil)
	if err := s.core.Store().DeleteGroup(ctx, g.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.bookFail(w, r, sess, "delete group", err)
		return
	}
	s.log.Info("console: group deleted", "user", sess.username, "group", g.ID, "contacts", g.Contacts)
	http.Redirect(w, r, "/book?m=deleted", http.StatusSeeOther)
}

// contactSave answers POST /book/{id}/contacts: a new contact, or (with
// field id) a contact changed.
func (s *Server) contactSave(w http.ResponseWriter, r *http.Request, sess session) {
	g, bu, ok := s.groupFor(w, r, sess, true)
	if !ok {
		return
	}
	m := msgs(catalogue[langOf(r)])
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	c := &contactRow{ID: id, Number: strings.TrimSpace(r.PostFormValue("number")), Name: truncate(strings.TrimSpace(r.PostFormValue("name")), 100),
		Note: truncate(strings.TrimSpace(r.PostFormValue("note")), 200)}
	pairs, fields, ferr, farg := formFields(r)
	c.Fields = pairs
	d := &groupData{Edit: c}
	if ferr != "" {
		d.FieldsErr = m.Tf(ferr, farg, maxFields)
		s.showGroup(w, r, sess, http.StatusBadRequest, g, bu, d, d.FieldsErr, true)
		return
	}
	num, code, _ := s.core.CheckNumber(c.Number)
	if code == core.NumberInvalid {
		d.FieldErr = m.T("num." + code)
		s.showGroup(w, r, sess, http.StatusBadRequest, g, bu, d, m.Tf("book.err.number", c.Number), true)
		return
	}
	st := s.core.Store()
	nc := &store.Contact{ID: id, GroupID: g.ID, Number: num, Name: c.Name, Note: c.Note, Fields: fields, CreatedAt: s.opts.Now()}
	var err error
	if id > 0 {
		var before any
		if old, oerr := st.Contacts(r.Context(), store.ContactQuery{GroupID: g.ID, AfterID: id - 1, Limit: 1}); oerr == nil && len(old) == 1 && old[0].ID == id {
			before = contactState(g, old[0])
		}
		err = st.UpdateContact(bookAudited(r.Context(), sess, g, "contact_update", before, contactState(g, nc)), nc)
	} else {
		var n int
		n, err = st.AddContacts(bookAudited(r.Context(), sess, g, "contact_add", nil, contactState(g, nc)), g.ID, []*store.Contact{nc})
		if err == nil && n == 0 {
			err = store.ErrDuplicate
		}
	}
	switch {
	case errors.Is(err, store.ErrDuplicate):
		d.FieldErr = m.T("book.err.number_taken")
		s.showGroup(w, r, sess, http.StatusConflict, g, bu, d, d.FieldErr, true)
		return
	case errors.Is(err, store.ErrNotFound):
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "book.notfound")
		return
	case err != nil:
		s.bookFail(w, r, sess, "save contact", err)
		return
	}
	flag := "added"
	if id > 0 {
		flag = "saved"
	}
	http.Redirect(w, r, "/book/"+strconv.FormatInt(g.ID, 10)+"?m="+flag, http.StatusSeeOther)
}

// contactDelete answers POST /book/{id}/contacts/{cid}/delete.
func (s *Server) contactDelete(w http.ResponseWriter, r *http.Request, sess session) {
	g, _, ok := s.groupFor(w, r, sess, true)
	if !ok {
		return
	}
	cid, _ := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	ctx := r.Context()
	if g.Shared() {
		before := map[string]any{"group": g.Name, "id": cid}
		if old, err := s.core.Store().Contacts(ctx, store.ContactQuery{GroupID: g.ID, AfterID: cid - 1, Limit: 1}); err == nil && len(old) == 1 && old[0].ID == cid {
			before = contactState(g, old[0])
		}
		ctx = bookAudited(ctx, sess, g, "contact_delete", before, nil)
	}
	if err := s.core.Store().DeleteContact(ctx, g.ID, cid); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.bookFail(w, r, sess, "delete contact", err)
		return
	}
	http.Redirect(w, r, "/book/"+strconv.FormatInt(g.ID, 10)+"?m=removed", http.StatusSeeOther)
}

// eachContact calls fn with the group's contacts a page at a time (no
// query open during fn).
func (s *Server) eachContact(ctx context.Context, groupID int64, fn func([]*store.Contact) error) error {
	var after int64
	for {
		cs, err := s.core.Store().Contacts(ctx, store.ContactQuery{GroupID: groupID, AfterID: after, Limit: bookPage})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return nil
		}
		if err := fn(cs); err != nil {
			return err
		}
		if len(cs) < bookPage {
			return nil
		}
		after = cs[len(cs)-1].ID
	}
}

// groupExport answers GET /book/{id}/export?format=csv|xlsx: every
// contact, a page at a time, so a large group never sits in memory whole.
func (s *Server) groupExport(w http.ResponseWriter, r *http.Request, sess session) {
	g, _, ok := s.groupFor(w, r, sess, false)
	if !ok {
		return
	}
	m := msgs(catalogue[langOf(r)])
	ctx := r.Context()
	cols, err := s.core.Store().GroupFields(ctx, g.ID)
	if err != nil {
		s.bookFail(w, r, sess, "export fields", err)
		return
	}
	// The fields follow as columns named as they are: an import of the
	// file reads them back as the same fields.
	head := append([]string{m.T("book.col.number"), m.T("book.col.name"), m.T("book.col.note")}, cols...)
	name := "contacts-" + strconv.FormatInt(g.ID, 10)
	if r.URL.Query().Get("format") == "xlsx" {
		if err := s.groupXLSX(ctx, w, g, name+".xlsx", head, cols); err != nil {
			s.log.Error("console: export group", "group", g.ID, "err", err)
		}
		return
	}
	cw := startCSV(w, name+".csv")
	hrow := make([]string, len(head))
	for i, h := range head {
		hrow[i] = csvSafe(h)
	}
	_ = cw.Write(hrow)
	err = s.eachContact(ctx, g.ID, func(cs []*store.Contact) error {
		for _, c := range cs {
			rec := []string{c.Number, csvSafe(c.Name), csvSafe(c.Note)}
			for _, v := range valuesOf(cols, c.Fields) {
				rec = append(rec, csvSafe(v))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		s.log.Error("console: export group", "group", g.ID, "err", err) // headers are out: the file ends short
	}
}

func (s *Server) groupXLSX(ctx context.Context, w http.ResponseWriter, g *store.ContactGroup, filename string, head, cols []string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	if err := f.SetSheetName(sheet, truncateRunes(strings.NewReplacer(":", " ", "/", " ", "\\", " ", "?", " ", "*", " ", "[", " ", "]", " ").Replace(g.Name), 28)); err == nil {
		sheet = f.GetSheetName(0)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(1, 1, 16); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(2, len(head), 24); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	hrow := make([]any, len(head))
	for i, h := range head {
		hrow[i] = h
	}
	if err := sw.SetRow("A1", hrow); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	row := 2
	err = s.eachContact(ctx, g.ID, func(cs []*store.Contact) error {
		for _, c := range cs {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			// Numbers as text: Excel would show 13800138000 as 1.38E+10.
			vals := []any{c.Number, c.Name, c.Note}
			for _, v := range valuesOf(cols, c.Fields) {
				vals = append(vals, v)
			}
			if err := sw.SetRow(cell, vals); err != nil {
				return err
			}
			row++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("xlsx rows: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	download(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

// ---- import ----

// bookImport is one file being added to a group, in this process's memory
// for an hour, seen only by the user who uploaded it.
type bookImport struct {
	id       string
	userID   int64
	groupID  int64
	fileName string
	created  time.Time
	prog     progress
	username string
	group    *store.ContactGroup // as it was when the import began (its audit entry's)

	mu       sync.Mutex
	phase    string // importParsing, importReady, importFailed
	err      *fileError
	rows     int
	added    int
	existing int // valid numbers already in the group
	problems []problem
	counts   map[string]int
}

type bookWork struct {
	mu      sync.Mutex
	imports map[string]*bookImport
}

func newBookWork() *bookWork { return &bookWork{imports: map[string]*bookImport{}} }

func (bw *bookWork) add(j *bookImport, now time.Time) {
	bw.mu.Lock()
	defer bw.mu.Unlock()
	for id, o := range bw.imports {
		if now.Sub(o.created) > importTTL {
			delete(bw.imports, id)
		}
	}
	bw.imports[j.id] = j
}

func (bw *bookWork) get(id string, userID, groupID int64) *bookImport {
	bw.mu.Lock()
	defer bw.mu.Unlock()
	j := bw.imports[id]
	if j == nil || j.userID != userID || j.groupID != groupID {
		return nil
	}
	return j
}

// nameHeaders and noteHeaders name a file's name and note columns.
var (
	nameHeaders = []string{"姓名", "名称", "名字", "联系人", "name"}
	noteHeaders = []string{"备注", "说明", "note", "notes", "remark"}
)

func headerColumn(header, names []string) int {
	for i, h := range header {
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(h), n) {
				return i
			}
		}
	}
	return -1
}

// groupImport answers POST /book/{id}/import: the file is read and its rows
// stored in the background; the page that follows shows the progress.
func (s *Server) groupImport(w http.ResponseWriter, r *http.Request, sess session) {
	g, bu, ok := s.groupFor(w, r, sess, true)
	if !ok {
		return
	}
	m := msgs(catalogue[langOf(r)])
	fail := func(status int, key string, args ...any) {
		s.showGroup(w, r, sess, status, g, bu, &groupData{Edit: &contactRow{}}, m.Tf(key, args...), true)
	}
	perr := r.ParseMultipartForm(1 << 20)
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	if perr != nil {
		var mbe *http.MaxBytesError
		if errors.As(perr, &mbe) {
			fail(http.StatusRequestEntityTooLarge, "imp.err.too_big", maxUpload>>20)
			return
		}
		fail(http.StatusBadRequest, "imp.err.no_file")
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		fail(http.StatusBadRequest, "imp.err.no_file")
		return
	}
	defer file.Close()
	if hdr.Size > maxUpload {
		fail(http.StatusRequestEntityTooLarge, "imp.err.too_big", maxUpload>>20)
		return
	}
	data := make([]byte, 0, hdr.Size)
	buf := make([]byte, 64<<10)
	for {
		n, rerr := file.Read(buf)
		data = append(data, buf[:n]...)
		if len(data) > maxUpload {
			fail(http.StatusRequestEntityTooLarge, "imp.err.too_big", maxUpload>>20)
			return
		}
		if rerr != nil {
			break
		}
	}
	if len(data) == 0 {
		fail(http.StatusBadRequest, "imp.err.empty")
		return
	}
	if _, err := fileKind(hdr.Filename, data); err != nil {
		var fe *fileError
		errors.As(err, &fe)
		fail(http.StatusBadRequest, fe.key, fe.args...)
		return
	}
	j := &bookImport{id: randomToken(12), userID: sess.userID, groupID: g.ID, fileName: truncate(hdr.Filename, 200),
		created: s.opts.Now(), phase: importParsing, counts: map[string]int{}, username: sess.username, group: g}
	s.book.add(j, j.created)
	s.log.Info("console: group import started", "user", sess.username, "group", g.ID, "file", j.fileName, "bytes", len(data))
	go s.runBookImport(j, data)
	http.Redirect(w, r, "/book/"+strconv.FormatInt(g.ID, 10)+"/import/"+j.id, http.StatusSeeOther)
}

// runBookImport reads the file and stores its valid rows, bookChunk at a
// time, so the progress bar moves and memory stays small.
func (s *Server) runBookImport(j *bookImport, data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	defer s.auditImport(ctx, j)
	start := time.Now()
	st := s.core.Store()
	numCol, nameCol, noteCol := 0, 1, 2
	var fieldCols map[int]string // a header's other columns: the contacts' fields
	first := true
	seen := make(map[string]int, 1024)
	var pending []*store.Contact
	now := s.opts.Now()
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		n, err := st.AddContacts(ctx, j.groupID, pending)
		if err != nil {
			return err
		}
		j.mu.Lock()
		j.added += n
		j.existing += len(pending) - n
		j.mu.Unlock()
		pending = pending[:0]
		return nil
	}
	cell := func(cells []string, i int) string {
		if i >= 0 && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	err := readRows(ctx, j.fileName, data, &j.prog, func(line int, cells []string) error {
		if first {
			first = false
			if _, code, _ := s.core.CheckNumber(cells[0]); code == core.NumberInvalid && looksLikeHeader(cells) {
				numCol, nameCol, noteCol = numberColumn(cells), headerColumn(cells, nameHeaders), headerColumn(cells, noteHeaders)
				fieldCols = fileFields(cells, numCol, nameCol, noteCol)
				return nil
			}
		}
		j.mu.Lock()
		j.rows++
		rows := j.rows
		j.mu.Unlock()
		if rows > maxRows {
			return badFile("imp.err.too_many_rows", maxRows)
		}
		raw := cell(cells, numCol)
		add := func(kind, detail string) {
			j.mu.Lock()
			j.counts[kind]++
			if len(j.problems) < 100_000 {
				j.problems = append(j.problems, problem{Row: line, Raw: raw, Kind: kind, Detail: detail})
			}
			j.mu.Unlock()
		}
		num, code, _ := s.core.CheckNumber(raw)
		switch {
		case code == core.NumberInvalid:
			add(probInvalid, "num."+code)
			return nil
		case seen[num] != 0:
			add(probDuplicate, strconv.Itoa(seen[num]))
			return nil
		}
		seen[num] = line
		var fields map[string]string
		for i, name := range fieldCols {
			if v := strings.TrimSpace(cell(cells, i)); v != "" {
				if fields == nil {
					fields = map[string]string{}
				}
				fields[name] = cutRunes(v, maxFieldValue)
			}
		}
		pending = append(pending, &store.Contact{Number: num, Name: truncate(cell(cells, nameCol), 100),
			Note: truncate(cell(cells, noteCol), 200), Fields: fields, CreatedAt: now})
		if len(pending) >= bookChunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil && j.rows == 0 {
		err = badFile("imp.err.no_rows")
	}
	if err != nil {
		var fe *fileError
		if !errors.As(err, &fe) {
			s.log.Error("console: group import", "import", j.id, "group", j.groupID, "err", err)
			fe = &fileError{key: "imp.err.read", args: []any{err.Error()}}
		}
		j.phase, j.err = importFailed, fe
		return
	}
	j.prog.done.Store(j.prog.total.Load())
	j.phase = importReady
	s.log.Info("console: group import done", "import", j.id, "group", j.groupID, "rows", j.rows, "added", j.added,
		"existing", j.existing, "problems", len(j.problems), "took", time.Since(start).Round(time.Millisecond))
}

// auditImport writes an import into a shared group to the audit log: one
// entry for the whole file (its rows are stored 2,000 a transaction), once
// it has ended, with what it added.
func (s *Server) auditImport(ctx context.Context, j *bookImport) {
	if !j.group.Shared() {
		return
	}
	j.mu.Lock()
	after := map[string]any{"group": j.group.Name, "file": j.fileName, "rows": j.rows, "added": j.added, "existing": j.existing,
		"refused": j.counts[probInvalid] + j.counts[probDuplicate], "state": j.phase}
	j.mu.Unlock()
	e := &store.AuditEntry{UserID: j.userID, Username: j.username, Action: "import", Object: auditGroup,
		ObjectID: strconv.FormatInt(j.groupID, 10), OrgID: j.group.OrgID, After: auditJSON(after)}
	if err := s.core.Store().AddAudit(ctx, e); err != nil {
		s.log.Error("console: group import audit", "import", j.id, "group", j.groupID, "err", err)
	}
}

type bookImportView struct {
	ID, FileName                        string
	GroupID                             int64
	Group                               string
	Phase                               string
	Percent                             int
	ErrText                             string
	Rows, Added, Existing, Invalid, Dup int
	Problems                            []problemRow
	MoreProblems                        int
	StatusURL                           string
	Summary                             string
}

func (s *Server) bookImportFor(w http.ResponseWriter, r *http.Request, sess session) (*bookImport, *store.ContactGroup, bool) {
	g, _, ok := s.groupFor(w, r, sess, false)
	if !ok {
		return nil, nil, false
	}
	j := s.book.get(r.PathValue("job"), sess.userID, g.ID)
	if j == nil {
		if wantsJSON(r) {
			writeJSONError(w, http.StatusNotFound, "not_found", "no such import; it may have expired")
		} else {
			s.errorPageFor(w, r, &sess, http.StatusNotFound, "imp.gone")
		}
		return nil, nil, false
	}
	return j, g, true
}

// groupImportPage answers GET /book/{id}/import/{job}.
func (s *Server) groupImportPage(w http.ResponseWriter, r *http.Request, sess session) {
	j, g, ok := s.bookImportFor(w, r, sess)
	if !ok {
		return
	}
	v := newView(r, "book", "book.import.title").withSession(sess)
	j.mu.Lock()
	iv := &bookImportView{ID: j.id, FileName: j.fileName, GroupID: g.ID, Group: g.Name, Phase: j.phase,
		Percent: int(j.prog.fraction() * 100), Rows: j.rows, Added: j.added, Existing: j.existing,
		Invalid: j.counts[probInvalid], Dup: j.counts[probDuplicate],
		StatusURL: "/book/" + strconv.FormatInt(g.ID, 10) + "/import/" + j.id + "/status"}
	if j.err != nil {
		iv.ErrText = v.Tf(j.err.key, j.err.args...)
	}
	for _, p := range j.problems[:min(len(j.problems), listProblems)] {
		iv.Problems = append(iv.Problems, problemRow{Row: p.Row, Raw: p.Raw, Reason: problemReason(v.msgs, p)})
	}
	iv.MoreProblems = max(len(j.problems)-listProblems, 0)
	j.mu.Unlock()
	iv.Summary = v.Tf("book.import.summary", iv.Rows, iv.Added, iv.Existing, iv.Invalid+iv.Dup)
	v.Data = iv
	s.render(w, r, http.StatusOK, "book_import", v)
}

// groupImportStatus is what the import page polls (import.js).
func (s *Server) groupImportStatus(w http.ResponseWriter, r *http.Request, sess session) {
	j, _, ok := s.bookImportFor(w, r, sess)
	if !ok {
		return
	}
	m := msgs(catalogue[langOf(r)])
	j.mu.Lock()
	phase, added := j.phase, j.added
	j.mu.Unlock()
	pct := int(j.prog.fraction() * 100)
	writeJSON(w, http.StatusOK, map[string]any{"phase": phase, "percent": pct, "added": added,
		"text": m.Tf("book.import.progress", pct, added)})
}

// groupImportProblems answers GET /book/{id}/import/{job}/problems.csv.
func (s *Server) groupImportProblems(w http.ResponseWriter, r *http.Request, sess session) {
	j, _, ok := s.bookImportFor(w, r, sess)
	if !ok {
		return
	}
	m := msgs(catalogue[langOf(r)])
	j.mu.Lock()
	probs := slices.Clone(j.problems)
	j.mu.Unlock()
	cw := startCSV(w, "contacts-import-"+j.id+"-problems.csv")
	_ = cw.Write([]string{m.T("imp.col.row"), m.T("imp.col.number"), m.T("imp.col.kind"), m.T("imp.col.reason")})
	for _, p := range probs {
		_ = cw.Write([]string{strconv.Itoa(p.Row), csvSafe(p.Raw), m.T("prob." + p.Kind), problemReason(m, p)})
	}
	cw.Flush()
}

// mountBook mounts the inbox (inbox.go) and the address book
// (addressbook.go, addressbook_send.go).
func (s *Server) mountBook() {
	s.book = newBookWork()
	s.route("GET /inbox", "inbox", s.inboxPage)
	s.route("GET /inbox/{id}", "inbox", s.inboxMOPage)
	s.route("POST /inbox/{id}/reply", "inbox_reply", s.inboxReply)
	s.route("GET /book", "book", s.bookPage)
	s.route("POST /book", "book", s.bookCreate)
	s.route("GET /book/pick", "book", s.groupPick)
	s.route("GET /book/{id}", "book", s.groupPage)
	s.route("POST /book/{id}/edit", "book", s.groupEdit)
	s.route("POST /book/{id}/delete", "book", s.groupDelete)
	s.route("POST /book/{id}/contacts", "book", s.contactSave)
	s.route("POST /book/{id}/contacts/{cid}/delete", "book", s.contactDelete)
	s.route("GET /book/{id}/export", "book", s.groupExport)
	s.routeBody("POST /book/{id}/import", "book", 64<<20, s.groupImport)
	s.route("GET /book/{id}/import/{job}", "book", s.groupImportPage)
	s.route("GET /book/{id}/import/{job}/status", "book", s.groupImportStatus)
	s.route("GET /book/{id}/import/{job}/problems.csv", "book", s.groupImportProblems)
	s.route("GET /book/{id}/send", "book", s.groupSendPage)
	s.route("POST /book/{id}/send", "book", s.groupSend)
	s.route("POST /book/{id}/send/skipped.csv", "book", s.groupSkippedCSV)
}
