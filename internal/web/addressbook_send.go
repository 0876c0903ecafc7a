package web

import (
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
// {name} (or {姓名}) in the text is each contact's name.

// groupSendData is the group send form's view data.
type groupSendData struct {
	sendData
	GroupID  int64
	Group    string
	Contacts int
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
	ctx := r.Context()
	d.GroupID, d.Group, d.Contacts = g.ID, g.Name, g.Contacts
	v := newView(r, "book", "book.send.title").withSession(sess)
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
	if flash == "" && len(types) == 0 {
		v.Flash, v.Error = v.T("send.no_types"), true
	}
	s.render(w, r, status, "book_send", v)
}

// groupSend answers POST /book/{id}/send: check the form, read the group,
// start the hand-over and open the batch page.
func (s *Server) groupSend(w http.ResponseWriter, r *http.Request, sess session) {
	g, _, ok := s.groupFor(w, r, sess, false)
	if !ok {
		return
	}
	ctx := r.Context()
	m := msgs(catalogue[langOf(r)])
	acctID, _ := strconv.ParseInt(r.PostFormValue("account"), 10, 64)
	d := &groupSendData{sendData: sendData{AccountID: acctID, Business: r.PostFormValue("business"),
		Content: normText(r.PostFormValue("content")), ScheduleAt: r.PostFormValue("schedule_at")}}
	fail := func(status int, key string, args ...any) {
		s.showGroupSend(w, r, sess, status, g, d, m.Tf(key, args...))
	}
	so, err := s.sender(ctx, sess)
	if err != nil {
		s.bookFail(w, r, sess, "group send", err)
		return
	}
	acc := so.account(acctID)
	if acc == nil || acctID == 0 && len(so.accounts) > 1 {
		fail(http.StatusBadRequest, "send.err.account")
		return
	}
	var bt *store.BusinessType
	if types, err := s.core.SendableTypes(ctx, acc.ID); err == nil {
		for _, b := range types {
			if b.Code == d.Business {
				bt = b
			}
		}
	}
	if bt == nil {
		fail(http.StatusForbidden, "send.err.business")
		return
	}
	if strings.TrimSpace(d.Content) == "" {
		fail(http.StatusBadRequest, "send.err.empty")
		return
	}
	at, ok := s.parseSchedule(d.ScheduleAt)
	if !ok {
		fail(http.StatusBadRequest, "send.err.schedule_format")
		return
	}
	if !at.IsZero() && !at.After(s.opts.Now()) {
		fail(http.StatusBadRequest, "send.err.schedule_past")
		return
	}
	personal := strings.Contains(d.Content, "{name}") || strings.Contains(d.Content, "{姓名}")
	var rows []recipient
	segsOf := map[string]int{}
	err = s.eachContact(ctx, g.ID, func(cs []*store.Contact) error {
		for _, c := range cs {
			text := d.Content
			if personal {
				text = strings.NewReplacer("{name}", c.Name, "{姓名}", c.Name).Replace(text)
			}
			segs, ok := segsOf[text]
			if !ok {
				segs, _ = sms.Count(text)
				if len(segsOf) < 100_000 {
					segsOf[text] = segs
				}
			}
			rows = append(rows, recipient{Number: c.Number, Text: text, Segs: segs})
		}
		return nil
	})
	if err != nil {
		s.bookFail(w, r, sess, "group send: contacts", err)
		return
	}
	if len(rows) == 0 {
		fail(http.StatusBadRequest, "book.err.empty_group")
		return
	}
	sd := &store.Send{ID: s.core.NewID(), AccountID: acc.ID, UserID: sess.userID, Username: sess.username, Kind: SendBook,
		Business: bt.Code, Content: d.Content, FileName: g.Name, Total: len(rows), ScheduleAt: at, State: store.SendSending,
		CreatedAt: s.opts.Now()}
	if err := s.core.Store().CreateSend(ctx, sd, nil); err != nil {
		s.bookFail(w, r, sess, "group send: record", err)
		return
	}
	s.startRun(sd, rows)
	s.log.Info("console: group sending", "user", sess.username, "group", g.ID, "send", sd.ID, "account", acc.Name, "numbers", len(rows))
	http.Redirect(w, r, "/batches/"+strconv.FormatInt(sd.ID, 10)+"?m=importing", http.StatusSeeOther)
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
