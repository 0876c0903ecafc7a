package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Sending to an address-book group (W2, A7): the group page's form takes
// the account, business type, text and time as the send page does; the
// server reads the group's contacts a page at a time and hands them to the
// core in the background (sendrun.go), exactly as a confirmed file import.
// {name} (or {姓名}) in the text is each contact's name, {note} (or {备注})
// its note and {单位} (any field's name) that field of it, in free text as
// in an approved template's variables.

// groupSendData is the group send form's view data.
type groupSendData struct {
	sendData
	GroupID  int64
	Group    string
	Contacts int
	// The same form sends to a number-library category (library_send.go):
	// where it posts, what it links back to, its page and title.
	Action, Back string
	page, title  string
	// Hint and TemplateHint are catalogue keys of the form's hints on
	// variables; "" = the address book's.
	Hint, TemplateHint string
	// Contacts left out (a variable they lack): the report the user sees
	// before sending to the others, and where its CSV is (a group's only).
	Skips   *skipReport
	SkipCSV string
}

// groupSendPage answers GET /book/{id}/send.
func (s *Server) groupSendPage(w http.ResponseWriter, r *http.Request, sess session) {
	g, _, ok := s.groupFor(w, r, sess, false)
	if !ok {
		return
	}
	acct, _ := strconv.ParseInt(r.URL.Query().Get("account"), 10, 64)
	s.showGroupSend(w, r, sess, http.StatusOK, g, &groupSendData{sendData: sendData{AccountID: acct}}, "")
}

// showGroupSend renders the form with the accounts the user sends from and
// the business types each may use, by the send page's rules.
func (s *Server) showGroupSend(w http.ResponseWriter, r *http.Request, sess session, status int, g *store.ContactGroup, d *groupSendData, flash string) {
	d.GroupID, d.Group, d.Contacts = g.ID, g.Name, g.Contacts
	d.Action, d.Back = "/book/"+strconv.FormatInt(g.ID, 10)+"/send", "/book/"+strconv.FormatInt(g.ID, 10)
	d.page, d.title = "book", "book.send.title"
	s.showSendForm(w, r, sess, status, d, flash)
}

// showSendForm renders the group send form (of a group or a category).
func (s *Server) showSendForm(w http.ResponseWriter, r *http.Request, sess session, status int, d *groupSendData, flash string) {
	ctx := r.Context()
	v := newView(r, d.page, d.title).withSession(sess)
	so, err := s.sender(ctx, sess)
	if err != nil {
		s.bookFail(w, r, sess, "group send page", err)
		return
	}
	loc := s.core.TimeZone()
	d.MinSchedule = s.opts.Now().In(loc).Add(time.Minute).Format("2006-01-02T15:04")
	d.Zone = loc.String()
	if flash != "" {
		v.Flash, v.Error = flash, true
	}
	v.Data = d
	if len(so.accounts) == 0 {
		d.NoAccount = true
		s.render(w, r, status, "book_send", v)
		return
	}
	acc := so.account(d.AccountID)
	if acc == nil {
		acc = so.accounts[0]
	}
	d.AccountID = acc.ID
	d.Accounts = nil
	for _, a := range so.accounts {
		d.Accounts = append(d.Accounts, accountOpt{ID: a.ID, Name: a.Name, Selected: a.ID == acc.ID})
	}
	types, err := s.core.SendableTypes(ctx, acc.ID)
	if err != nil {
		s.log.Error("console: sendable types", "account", acc.ID, "err", err)
	}
	has := func(code string) bool {
		return slices.ContainsFunc(types, func(b *store.BusinessType) bool { return b.Code == code })
	}
	if !has(d.Business) {
		d.Business = s.core.DefaultBusiness()
		if !has(d.Business) && len(types) > 0 {
			d.Business = types[0].Code
		}
	}
	d.Types = nil
	for _, b := range types {
		label := b.Code
		if b.Name != "" && b.Name != b.Code {
			label = b.Name + " (" + b.Code + ")"
		}
		fee := feeOf(b)
		d.Types = append(d.Types, typeOpt{Code: b.Code, Label: label, FeeLi: fee, Fee: core.Yuan(fee),
			MaxSegments: s.core.MaxSegmentsOf(b), Selected: b.Code == d.Business})
	}
	d.Templates = s.templateOpts(ctx, acc, d.Template)
	if flash == "" && len(types) == 0 {
		v.Flash, v.Error = v.T("send.no_types"), true
	}
	s.render(w, r, status, "book_send", v)
}

// groupSend answers POST /book/{id}/send: check the form, read the group,
// start the hand-over and open the batch page; contacts that lack a
// variable of the text are first reported on the form (addressbook_skips.go).
func (s *Server) groupSend(w http.ResponseWriter, r *http.Request, sess session) {
	g, _, ok := s.groupFor(w, r, sess, false)
	if !ok {
		return
	}
	d := sendForm(r)
	d.SkipCSV = "/book/" + strconv.FormatInt(g.ID, 10) + "/send/skipped.csv"
	s.formSendSkips(w, r, sess, d, func(status int, flash string) { s.showGroupSend(w, r, sess, status, g, d, flash) },
		SendBook, g.Name, func(ctx context.Context, tc *tmplChoice, add func(recipient), skip func(skipped)) error {
			return s.groupRecipients(ctx, g, d.Content, tc, add, skip)
		})
}

// groupRecipients reads the group's contacts as a send's rows: a template
// filled with each contact's values (composed by the core), or the free
// text with its personal variables replaced. A contact lacking a value the
// text uses, or whose text the core would refuse, is given to skip.
func (s *Server) groupRecipients(ctx context.Context, g *store.ContactGroup, content string, tc *tmplChoice,
	add func(recipient), skip func(skipped)) error {
	var vars []string
	if tc != nil {
		vars = tc.vars
	} else {
		cols, err := s.core.Store().GroupFields(ctx, g.ID)
		if err != nil {
			return err
		}
		vars = textVars(content, cols)
	}
	segsOf := map[string]int{}
	return s.eachContact(ctx, g.ID, func(cs []*store.Contact) error {
		for _, c := range cs {
			vals := make(map[string]string, len(vars))
			var missing []string
			for _, v := range vars {
				if val := strings.TrimSpace(contactValue(c, v)); val != "" {
					vals[v] = val
				} else {
					missing = append(missing, v)
				}
			}
			if len(missing) > 0 {
				skip(skipped{Number: c.Number, Name: c.Name, Missing: missing})
				continue
			}
			if tc != nil {
				text, err := tc.compose(vals)
				if err != nil {
					skip(skipped{Number: c.Number, Name: c.Name, Err: err})
					continue
				}
				segs, _ := sms.Count(text)
				add(recipient{Number: c.Number, Text: text, Segs: segs, Vars: vals})
				continue
			}
			text := content
			for v, val := range vals {
				text = strings.ReplaceAll(text, "{"+v+"}", val)
			}
			segs, ok := segsOf[text]
			if !ok {
				segs, _ = sms.Count(text)
				if len(segsOf) < 100_000 {
					segsOf[text] = segs
				}
			}
			add(recipient{Number: c.Number, Text: text, Segs: segs})
		}
		return nil
	})
}

// sendForm reads a group send form.
func sendForm(r *http.Request) *groupSendData {
	acctID, _ := strconv.ParseInt(r.PostFormValue("account"), 10, 64)
	return &groupSendData{sendData: sendData{AccountID: acctID, Business: r.PostFormValue("business"),
		Content: normText(r.PostFormValue("content")), ScheduleAt: r.PostFormValue("schedule_at"), Template: r.PostFormValue("template")}}
}

// formSend checks a group send form d (account, business type, text or
// template, time), reads the recipients with each (a *fileError it returns
// is said on the form), records the send of kind and name and starts the
// hand-over (sendrun.go); show shows the form again with a refusal.
func (s *Server) formSend(w http.ResponseWriter, r *http.Request, sess session, d *groupSendData, show func(int, string),
	kind, name string, each func(ctx context.Context, tc *tmplChoice, add func(recipient)) error) {
	s.formSendSkips(w, r, sess, d, show, kind, name, func(ctx context.Context, tc *tmplChoice, add func(recipient), _ func(skipped)) error {
		return each(ctx, tc, add)
	})
}

// formSendSkips is formSend whose each may leave recipients out (skip):
// they are reported on the form (show with d.Skips) until the user sends
// to the others (skip_ok, with skip_seen the count they saw), and the send
// records how many were left out and why.
func (s *Server) formSendSkips(w http.ResponseWriter, r *http.Request, sess session, d *groupSendData, show func(int, string),
	kind, name string, each func(ctx context.Context, tc *tmplChoice, add func(recipient), skip func(skipped)) error) {
	ctx := r.Context()
	m := msgs(catalogue[langOf(r)])
	acctID := d.AccountID
	fail := func(status int, key string, args ...any) { show(status, m.Tf(key, args...)) }
	so, err := s.sender(ctx, sess)
	if err != nil {
		s.bookFail(w, r, sess, "group send", err)
		return
	}
	acc, bt, tc, at, ok := s.checkBulkSend(ctx, so, acctID, &d.sendData, m, fail)
	if !ok {
		return
	}
	var rows []recipient
	skips := &skipTally{}
	if err := each(ctx, tc, func(rc recipient) { rows = append(rows, rc) }, skips.add); err != nil {
		var fe *fileError
		if errors.As(err, &fe) {
			fail(http.StatusBadRequest, fe.key, fe.args...)
			return
		}
		s.bookFail(w, r, sess, "group send: recipients", err)
		return
	}
	if skips.total > 0 {
		seen, _ := strconv.Atoi(r.PostFormValue("skip_seen"))
		if len(rows) == 0 || r.PostFormValue("skip_ok") != "1" || seen != skips.total {
			d.Skips = skips.report(m, len(rows), d.SkipCSV)
			if len(rows) == 0 {
				show(http.StatusUnprocessableEntity, m.T("book.skip.none_left"))
				return
			}
			show(http.StatusOK, "")
			return
		}
	}
	if len(rows) == 0 {
		fail(http.StatusBadRequest, "book.err.empty_group")
		return
	}
	tplID := ""
	if tc != nil {
		d.Content, tplID = tc.label, d.Template
	}
	sd := &store.Send{ID: s.core.NewID(), AccountID: acc.ID, UserID: sess.userID, Username: sess.username, Kind: kind,
		Business: bt.Code, Content: d.Content, FileName: name, Total: len(rows), Skipped: skips.total, ScheduleAt: at,
		State: store.SendSending, CreatedAt: s.opts.Now()}
	if err := s.core.Store().CreateSend(ctx, sd, nil); err != nil {
		s.bookFail(w, r, sess, "group send: record", err)
		return
	}
	s.startRun(sd, tplID, rows)
	s.log.Info("console: group sending", "user", sess.username, "kind", kind, "to", name, "send", sd.ID, "account", acc.Name,
		"numbers", len(rows), "skipped", skips.total)
	http.Redirect(w, r, "/batches/"+strconv.FormatInt(sd.ID, 10)+"?m=importing", http.StatusSeeOther)
}

// contactValue is a variable of a contact: {name}/{姓名} its name,
// {note}/{备注} its note, any other the field of that name.
func contactValue(c *store.Contact, v string) string {
	switch v {
	case "name", "姓名":
		return c.Name
	case "note", "备注":
		return c.Note
	}
	return c.Fields[v]
}

// textVars lists the personal variables free text uses: {name}, {姓名},
// {note}, {备注} and the group's fields (cols); any other {…} is text.
func textVars(text string, cols []string) []string {
	var out []string
	for _, v := range append([]string{"name", "姓名", "note", "备注"}, cols...) {
		if strings.Contains(text, "{"+v+"}") && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// groupPicker lists the groups the user may send to, for the send page's
// "send to a group" select.
func (s *Server) groupPicker(r *http.Request, sess session) []groupRow {
	ctx := r.Context()
	bu, err := s.bookUserOf(ctx, sess)
	if err != nil {
		s.log.Error("console: group picker", "user", sess.username, "err", err)
		return nil
	}
	orgs, all := bu.sharedOrgs()
	gs, err := s.core.Store().Groups(ctx, store.GroupQuery{OwnerID: bu.user.ID, Orgs: orgs, AllOrgs: all})
	if err != nil {
		s.log.Error("console: group picker", "user", sess.username, "err", err)
		return nil
	}
	out := make([]groupRow, 0, len(gs))
	for _, g := range gs {
		if g.Contacts > 0 {
			out = append(out, groupRow{ID: g.ID, Name: g.Name, Shared: g.Shared(), Contacts: g.Contacts})
		}
	}
	slices.SortStableFunc(out, func(a, b groupRow) int {
		if a.Shared != b.Shared {
			if a.Shared {
				return 1
			}
			return -1
		}
		return 0
	})
	return out
}

// groupPick answers GET /book/pick?group=ID: the send page's select.
func (s *Server) groupPick(w http.ResponseWriter, r *http.Request, sess session) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("group"), 10, 64)
	if id <= 0 {
		http.Redirect(w, r, "/book", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/book/"+strconv.FormatInt(id, 10)+"/send", http.StatusSeeOther)
}
