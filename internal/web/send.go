package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/biz/orgtree"
	"hongyan/internal/biz/scope"
	"hongyan/internal/core"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// The send page (W2, M7): a text to one or many numbers typed in, now or
// at a time; files are imported on the same page (importfile.go) and every
// send is followed on its batch page (batches.go). Everything goes through
// core.Accept, exactly as the API's sends do: the page only helps a person
// see problems before sending.
//
// Which account a console user sends from:
//   - a partner user: its own account (User.AccountID);
//   - any user with an account of its own (User.AccountID): that account;
//   - a user of an organisation: the unit accounts of the nearest
//     organisation up the tree that has any (its own first, then its
//     parent's, …), choosing among them when there are several;
//   - a platform administrator without an organisation: any unit account.
//
// A user with none sees a message saying so and cannot send.

// senderOf is what the send pages know of the user.
type senderOf struct {
	user     *store.User
	accounts []*store.Account // may send from, by id
}

// account returns the candidate with id (0 = the first), or nil.
func (so *senderOf) account(id int64) *store.Account {
	for _, a := range so.accounts {
		if id == 0 || a.ID == id {
			return a
		}
	}
	return nil
}

// sender reads the user of sess and the accounts it may send from.
func (s *Server) sender(ctx context.Context, sess session) (*senderOf, error) {
	st := s.core.Store()
	u, err := st.GetUser(ctx, sess.userID)
	if err != nil {
		return nil, fmt.Errorf("console: sender %s: %w", sess.username, err)
	}
	accs, err := st.Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: sender %s: accounts: %w", sess.username, err)
	}
	slices.SortFunc(accs, func(a, b *store.Account) int { return cmp.Compare(a.ID, b.ID) })
	so := &senderOf{user: u}
	unit := func(a *store.Account) bool { return a.Kind != store.KindPartner }
	switch {
	case u.Role == store.RolePartner || u.AccountID != 0:
		for _, a := range accs {
			if a.ID == u.AccountID {
				so.accounts = []*store.Account{a}
			}
		}
	case u.OrgID != 0:
		orgs, err := st.Orgs(ctx)
		if err != nil {
			return nil, fmt.Errorf("console: sender %s: organisations: %w", sess.username, err)
		}
		t := orgtree.New(orgs)
		for o, hops := t.Get(u.OrgID), 0; o != nil && hops <= len(orgs); o, hops = t.Get(o.ParentID), hops+1 {
			for _, a := range accs {
				if a.OrgID == o.ID && unit(a) {
					so.accounts = append(so.accounts, a)
				}
			}
			if len(so.accounts) > 0 || o.ParentID == 0 {
				break
			}
		}
	case u.Role == store.RolePlatformAdmin:
		for _, a := range accs {
			if unit(a) {
				so.accounts = append(so.accounts, a)
			}
		}
	}
	return so, nil
}

// scopeOf is what the user may see: the organisation scope of the admin
// API (A1), for the batch pages.
func (s *Server) scopeOf(ctx context.Context, u *store.User) (scope.Scope, error) {
	orgs, err := s.core.Store().Orgs(ctx)
	if err != nil {
		return scope.Scope{}, fmt.Errorf("console: scope of %s: %w", u.Username, err)
	}
	return scope.For(u, orgtree.New(orgs)), nil
}

// ---- the form ----

type accountOpt struct {
	ID       int64
	Name     string
	Selected bool
}

type typeOpt struct {
	Code, Label string
	FeeLi       int64  // per segment, for the page's estimate
	Fee         string // yuan per segment
	MaxSegments int
	Selected    bool
}

// sendData is the send page's view data; the form keeps what was typed.
type sendData struct {
	Tab          string // "text" or "file"
	NoAccount    bool
	Accounts     []accountOpt
	Types        []typeOpt
	AccountID    int64
	Business     string
	To           string
	Content      string
	ScheduleAt   string // datetime-local, platform time
	MinSchedule  string
	Zone         string
	Preview      *sendPreview
	Detail       string   // a refusal's technical detail
	BadNumbers   []string // numbers that would not pass, as typed, with why
	MaxFileMB    int
	MaxRecipient int
	Groups       []groupRow // address-book groups to send to instead (addressbook_send.go)
	Template     string     // the file import's approved template (its id; "" = free text)
	Templates    []tmplOpt  // the account's approved templates (importtemplate.go)
}

// sendPreview is the server's count of a text and its numbers.
type sendPreview struct {
	Numbers, Invalid int
	Chars, Segments  int
	Coding           string
	Messages         int // numbers × segments
	Fee              string
	Summary          string
}

// sendRoles may open the send page.
var sendRoles = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RoleOperator, store.RolePartner}

func (s *Server) sendPage(w http.ResponseWriter, r *http.Request, sess session) {
	tab := r.URL.Query().Get("tab")
	if tab != "file" {
		tab = "text"
	}
	acct, _ := strconv.ParseInt(r.URL.Query().Get("account"), 10, 64) // the page's account switch
	d := &sendData{Tab: tab, AccountID: acct}
	s.showSend(w, r, sess, http.StatusOK, d, "", false)
}

// showSend renders the send page with the user's accounts and types.
func (s *Server) showSend(w http.ResponseWriter, r *http.Request, sess session, status int, d *sendData, flash string, isErr bool) {
	ctx := r.Context()
	v := newView(r, "send", "send.title").withSession(sess)
	so, err := s.sender(ctx, sess)
	if err != nil {
		s.log.Error("console: send page", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	d.MaxFileMB, d.MaxRecipient = maxUpload>>20, s.core.MaxRecipients()
	loc := s.core.TimeZone()
	now := s.opts.Now().In(loc)
	d.MinSchedule = now.Add(time.Minute).Format("2006-01-02T15:04")
	d.Zone = loc.String()
	d.Groups = s.groupPicker(r, sess)
	if len(so.accounts) == 0 {
		d.NoAccount = true
		v.Data = d
		s.render(w, r, status, "send", v)
		return
	}
	acc := so.account(d.AccountID)
	if acc == nil {
		acc = so.accounts[0]
	}
	d.AccountID = acc.ID
	for _, a := range so.accounts {
		d.Accounts = append(d.Accounts, accountOpt{ID: a.ID, Name: a.Name, Selected: a.ID == acc.ID})
	}
	types, err := s.core.SendableTypes(ctx, acc.ID)
	if err != nil {
		s.log.Error("console: sendable types", "account", acc.ID, "err", err)
	}
	if d.Business == "" || !slices.ContainsFunc(types, func(b *store.BusinessType) bool { return b.Code == d.Business }) {
		d.Business = ""
		for _, b := range types {
			if b.Code == s.core.DefaultBusiness() {
				d.Business = b.Code
			}
		}
		if d.Business == "" && len(types) > 0 {
			d.Business = types[0].Code
		}
	}
	for _, b := range types {
		fee := feeOf(b)
		label := b.Name
		if label == "" || label == b.Code {
			label = b.Code
		} else {
			label += " (" + b.Code + ")"
		}
		d.Types = append(d.Types, typeOpt{Code: b.Code, Label: label, FeeLi: fee, Fee: core.Yuan(fee),
			MaxSegments: s.core.MaxSegmentsOf(b), Selected: b.Code == d.Business})
	}
	if d.Tab == "file" {
		d.Templates = s.templateOpts(ctx, acc, d.Template)
	}
	if flash != "" {
		v.Flash, v.Error = flash, isErr
	} else if len(types) == 0 {
		v.Flash, v.Error = v.T("send.no_types"), true
	}
	v.Data = d
	s.render(w, r, status, "send", v)
}

// feeOf is what one segment of business type b costs (li).
func feeOf(b *store.BusinessType) int64 {
	if b == nil || b.ChargeMode == store.ChargeFree {
		return 0
	}
	return b.FeePerSegment
}

// splitNumbers cuts what was typed into numbers: one per line, or
// separated by commas or semicolons (ASCII or full-width) or 、. Spaces
// stay: people write numbers as "138 0013 8000".
func splitNumbers(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '\n', '\r', ',', ';', '，', '；', '、', '\t':
			return true
		}
		return false
	}) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// normText is the text as the page counted it: browsers send a
// textarea's line breaks as CR LF, the page's counter sees LF.
func normText(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// parseSchedule reads a datetime-local value in the platform's time zone;
// "" is no schedule.
func (s *Server) parseSchedule(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, s.core.TimeZone()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// sendSubmit answers POST /send: action "preview" counts on the server,
// anything else sends.
func (s *Server) sendSubmit(w http.ResponseWriter, r *http.Request, sess session) {
	ctx := r.Context()
	m := msgs(catalogue[langOf(r)])
	acctID, _ := strconv.ParseInt(r.PostFormValue("account"), 10, 64)
	d := &sendData{Tab: "text", AccountID: acctID, Business: r.PostFormValue("business"),
		To: r.PostFormValue("to"), Content: normText(r.PostFormValue("content")), ScheduleAt: r.PostFormValue("schedule_at")}
	so, err := s.sender(ctx, sess)
	if err != nil {
		s.log.Error("console: send", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	acc := so.account(acctID)
	if acc == nil || acctID == 0 && len(so.accounts) > 1 {
		s.showSend(w, r, sess, http.StatusBadRequest, d, m.T("send.err.account"), true)
		return
	}
	fail := func(status int, key string, args ...any) {
		s.showSend(w, r, sess, status, d, m.Tf(key, args...), true)
	}
	numbers := splitNumbers(d.To)
	if len(numbers) == 0 {
		fail(http.StatusBadRequest, "send.err.no_numbers")
		return
	}
	if len(numbers) > s.core.MaxRecipients() {
		fail(http.StatusBadRequest, "send.err.too_many", len(numbers), s.core.MaxRecipients())
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
	// The server's own count, and the numbers Accept would refuse.
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
	valid := 0
	for i, n := range numbers {
		if _, code, _ := s.core.CheckNumber(n); code != "" {
			if len(d.BadNumbers) < 50 {
				d.BadNumbers = append(d.BadNumbers, m.Tf("send.bad_number", i+1, n, m.T("num."+code)))
			}
			continue
		}
		valid++
	}
	segs, coding := sms.Count(d.Content)
	p := &sendPreview{Numbers: len(numbers), Invalid: len(numbers) - valid, Chars: len([]rune(d.Content)), Segments: segs,
		Coding: codingName(coding), Messages: valid * segs, Fee: core.Yuan(int64(valid*segs) * feeOf(bt))}
	p.Summary = m.Tf("send.preview.summary", p.Numbers, p.Chars, p.Segments, p.Coding, p.Messages, p.Fee)
	d.Preview = p
	if r.PostFormValue("action") == "preview" {
		s.showSend(w, r, sess, http.StatusOK, d, "", false)
		return
	}
	if len(d.BadNumbers) > 0 {
		fail(http.StatusBadRequest, "send.err.bad_numbers", p.Invalid)
		return
	}
	req := &core.SendRequest{AccountID: acc.ID, To: numbers, Content: d.Content, Business: bt.Code, ScheduleAt: at}
	res, err := s.core.Accept(ctx, req)
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			s.log.Info("console: send refused", "user", sess.username, "account", acc.Name, "code", ce.Code)
			d.Detail = ce.Message
			s.showSend(w, r, sess, ce.Status, d, refusalText(m, ce.Code), true)
			return
		}
		s.log.Error("console: send", "user", sess.username, "account", acc.Name, "err", err)
		s.showSend(w, r, sess, http.StatusInternalServerError, d, m.T("err.internal"), true)
		return
	}
	kind := store.SendGroup
	if len(numbers) == 1 {
		kind = store.SendSingle
	}
	sched := at
	if res.DeferredUntil.After(sched) {
		sched = res.DeferredUntil
	}
	n := 0
	for _, msg := range res.Messages {
		if !msg.State.Final() {
			n++
		}
	}
	sd := &store.Send{ID: res.BatchID, AccountID: acc.ID, UserID: sess.userID, Username: sess.username, Kind: kind,
		Business: bt.Code, Content: d.Content, Total: len(numbers), Accepted: len(res.Messages), ScheduleAt: sched,
		State: store.SendDone, CreatedAt: s.opts.Now()}
	if err := s.core.Store().CreateSend(ctx, sd, []int64{res.BatchID}); err != nil {
		// The messages are accepted and on their way; only the console's
		// record is missing, and the batch page shows the batch anyway.
		s.log.Error("console: record send", "batch", res.BatchID, "err", err)
	}
	s.log.Info("console: sent", "user", sess.username, "account", acc.Name, "batch", res.BatchID, "numbers", len(numbers),
		"accepted", n, "scheduled", !sched.IsZero())
	flag := "sent"
	if !res.DeferredUntil.IsZero() {
		flag = "deferred"
	}
	http.Redirect(w, r, "/batches/"+strconv.FormatInt(res.BatchID, 10)+"?m="+flag, http.StatusSeeOther)
}

// refusalText is a core refusal in the user's words.
func refusalText(m msgs, code string) string {
	if t, ok := m["refuse."+code]; ok {
		return t
	}
	return m.Tf("refuse.other", code)
}

// codingName names a coding the way the page's counter does.
func codingName(c sms.Coding) string {
	if c == sms.UCS2 {
		return "UCS-2"
	}
	return c.String()
}
