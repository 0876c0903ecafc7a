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

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// The inbox (P2, M3): MO messages of the accounts the user may see, newest
// first, and per message the conversation with that number (the MT sent
// to it and its replies, in order) with a reply form. A reply goes through
// core.Accept from the MO's account and the extension the user wrote to,
// so the user's next reply comes back to the same account and extension.
//
// Whose MO: the accounts in the user's scope (internal/biz/scope, as the
// batch pages): a platform administrator every account (and MO nobody
// owns), an organisation's users their organisation and those below it, a
// partner its own account; plus a user's own account (User.AccountID).

const inboxPerPage = 20

// inboxRoles may open the inbox; replying needs a sending role.
var inboxRoles = everyRole

// inboxScope is the accounts whose MO the user may read: ids nil = every
// account (and MO with no owner).
type inboxScope struct {
	user  *store.User
	ids   []int64
	names map[int64]*store.Account
}

func (sc *inboxScope) has(accountID int64) bool {
	return sc.ids == nil || slices.Contains(sc.ids, accountID)
}

func (s *Server) inboxScopeOf(ctx context.Context, sess session) (*inboxScope, error) {
	u, sc, err := s.userScope(ctx, sess)
	if err != nil {
		return nil, fmt.Errorf("console: inbox scope of %s: %w", sess.username, err)
	}
	accs, err := s.core.Store().Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: inbox scope of %s: accounts: %w", sess.username, err)
	}
	out := &inboxScope{user: u, names: map[int64]*store.Account{}}
	if !sc.All() {
		out.ids = []int64{}
	}
	for _, a := range accs {
		if sc.All() || sc.Account(a) || a.ID == u.AccountID {
			out.names[a.ID] = a
			if !sc.All() {
				out.ids = append(out.ids, a.ID)
			}
		}
	}
	return out, nil
}

// ---- the list ----

type inboxRow struct {
	ID                          int64
	From, To, Content, Received string
	Business, Account           string
}

type inboxData struct {
	Rows                         []inboxRow
	Number, Since, Until, Biz    string
	Businesses                   []typeOpt
	Older, Newer                 string
	Filtered, MayReply, ShowAcct bool
}

func (s *Server) businessLabel(types map[string]*store.BusinessType, code string) string {
	if code == "" {
		return ""
	}
	if b := types[code]; b != nil && b.Name != "" && b.Name != code {
		return b.Name
	}
	return code
}

func (s *Server) businessMap(ctx context.Context) map[string]*store.BusinessType {
	out := map[string]*store.BusinessType{}
	bts, err := s.core.Store().BusinessTypes(ctx)
	if err != nil {
		s.log.Error("console: business types", "err", err)
	}
	for _, b := range bts {
		out[b.Code] = b
	}
	return out
}

// inboxPage answers GET /inbox?number=&since=&until=&business=&before=.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, sess session) {
	ctx := r.Context()
	v := newView(r, "inbox", "inbox.title").withSession(sess)
	sc, err := s.inboxScopeOf(ctx, sess)
	if err != nil {
		s.log.Error("console: inbox", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	qv := r.URL.Query()
	d := &inboxData{Number: strings.TrimSpace(qv.Get("number")), Since: qv.Get("since"), Until: qv.Get("until"),
		Biz: qv.Get("business"), MayReply: slices.Contains(sendRoles, sess.role), ShowAcct: sc.ids == nil || len(sc.ids) > 1}
	q := store.MOQuery{Accounts: sc.ids, Business: d.Biz, Limit: inboxPerPage + 1}
	q.BeforeID, _ = strconv.ParseInt(qv.Get("before"), 10, 64)
	loc := s.core.TimeZone()
	status := http.StatusOK
	bad := func(key string) {
		v.Flash, v.Error, status = v.T(key), true, http.StatusBadRequest
	}
	if d.Number != "" {
		num, code, _ := s.core.CheckNumber(d.Number)
		if code == core.NumberInvalid {
			bad("inbox.err.number")
		} else {
			q.From = num
		}
	}
	if d.Since != "" {
		t, err := time.ParseInLocation("2006-01-02", d.Since, loc)
		if err != nil {
			bad("inbox.err.date")
		}
		q.Since = t
	}
	if d.Until != "" {
		t, err := time.ParseInLocation("2006-01-02", d.Until, loc)
		if err != nil {
			bad("inbox.err.date")
		}
		q.Until = t.AddDate(0, 0, 1) // the whole last day
	}
	d.Filtered = d.Number != "" || d.Since != "" || d.Until != "" || d.Biz != ""
	types := s.businessMap(ctx)
	for _, b := range types {
		d.Businesses = append(d.Businesses, typeOpt{Code: b.Code, Label: s.businessLabel(types, b.Code), Selected: b.Code == d.Biz})
	}
	slices.SortFunc(d.Businesses, func(a, b typeOpt) int { return cmp.Compare(a.Code, b.Code) })
	if status == http.StatusOK {
		list, err := s.core.Store().MOs(ctx, q)
		if err != nil {
			s.log.Error("console: inbox", "user", sess.username, "err", err)
			s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
			return
		}
		if len(list) > inboxPerPage {
			list = list[:inboxPerPage]
			nq := r.URL.Query()
			nq.Set("before", strconv.FormatInt(list[len(list)-1].ID, 10))
			d.Older = "/inbox?" + nq.Encode()
		}
		if q.BeforeID > 0 {
			nq := r.URL.Query()
			nq.Del("before")
			d.Newer = "/inbox?" + nq.Encode()
		}
		for _, m := range list {
			row := inboxRow{ID: m.ID, From: m.From, To: m.To, Content: truncateRunes(m.Content, 60),
				Received: m.ReceivedAt.In(loc).Format("2006-01-02 15:04:05"), Business: s.businessLabel(types, m.Business)}
			if a := sc.names[m.AccountID]; a != nil {
				row.Account = a.Name
			}
			d.Rows = append(d.Rows, row)
		}
	}
	v.Data = d
	s.render(w, r, status, "inbox", v)
}

// ---- one message, its conversation and the reply ----

type convLine struct {
	MO        bool // the user wrote it (else the platform sent it)
	From, To  string
	Content   string
	At        string
	State     string
	StateCSS  string
	Current   bool // the MO this page is about
	BatchLink string
	sortAt    time.Time
	sortID    int64
}

type inboxMOData struct {
	ID                   int64
	From, To, Content    string
	Received, Business   string
	Account, Operator    string
	Ext                  string
	Conversation         []convLine
	MayReply             bool
	Types                []typeOpt
	Reply                string // the reply's text, kept on an error
	Detail               string
	NoAccount            bool
	ConversationTruncate bool
}

// moFor resolves the path's {id} within the user's inbox; anything else is
// 404, like an id that does not exist.
func (s *Server) moFor(w http.ResponseWriter, r *http.Request, sess session) (*store.MO, *inboxScope, bool) {
	ctx := r.Context()
	sc, err := s.inboxScopeOf(ctx, sess)
	if err != nil {
		s.log.Error("console: inbox message", "user", sess.username, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return nil, nil, false
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	m, err := s.core.Store().GetMO(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("console: inbox message", "mo", id, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return nil, nil, false
	}
	if err != nil || !sc.has(m.AccountID) {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "inbox.notfound")
		return nil, nil, false
	}
	return m, sc, true
}

// replyExt is the extension of the account's service code the user wrote
// to: a reply sent with it comes from the same number, and the user's next
// reply comes back to the same conversation.
func replyExt(acc *store.Account, to string) string {
	if acc == nil || acc.ServiceCode == "" || !strings.HasPrefix(to, acc.ServiceCode) {
		return ""
	}
	return to[len(acc.ServiceCode):]
}

const conversationLimit = 100

// conversation lists the MT the account sent to the number and the MO it
// got from it, oldest first (the newest conversationLimit of each).
func (s *Server) conversation(ctx context.Context, m *store.MO, m2 msgs) ([]convLine, bool, error) {
	st := s.core.Store()
	loc := s.core.TimeZone()
	var out []convLine
	truncated := false
	if m.AccountID != 0 {
		mts, err := st.MessagesTo(ctx, m.AccountID, m.From, conversationLimit)
		if err != nil {
			return nil, false, fmt.Errorf("console: conversation with %s: %w", m.From, err)
		}
		truncated = len(mts) == conversationLimit
		for _, mt := range mts {
			out = append(out, convLine{From: mt.Src, To: mt.To, Content: mt.Content, At: mt.CreatedAt.In(loc).Format("01-02 15:04:05"),
				State: stateLabel(m2, mt.State), StateCSS: stateCSS(mt.State), BatchLink: "/batches/" + strconv.FormatInt(mt.BatchID, 10),
				sortAt: mt.CreatedAt, sortID: mt.ID})
		}
	}
	accs := []int64{m.AccountID}
	mos, err := st.MOs(ctx, store.MOQuery{Accounts: accs, From: m.From, Limit: conversationLimit})
	if err != nil {
		return nil, false, fmt.Errorf("console: conversation with %s: %w", m.From, err)
	}
	truncated = truncated || len(mos) == conversationLimit
	for _, mo := range mos {
		out = append(out, convLine{MO: true, From: mo.From, To: mo.To, Content: mo.Content, At: mo.ReceivedAt.In(loc).Format("01-02 15:04:05"),
			Current: mo.ID == m.ID, sortAt: mo.ReceivedAt, sortID: mo.ID})
	}
	slices.SortStableFunc(out, func(a, b convLine) int {
		if c := a.sortAt.Compare(b.sortAt); c != 0 {
			return c
		}
		return cmp.Compare(a.sortID, b.sortID)
	})
	return out, truncated, nil
}

// inboxMOPage answers GET /inbox/{id}.
func (s *Server) inboxMOPage(w http.ResponseWriter, r *http.Request, sess session) {
	m, sc, ok := s.moFor(w, r, sess)
	if !ok {
		return
	}
	d := &inboxMOData{}
	v := newView(r, "inbox", "inbox.mo.title").withSession(sess)
	if r.URL.Query().Get("m") == "sent" {
		v.Flash = v.T("inbox.flash.sent")
	}
	s.showMO(w, r, sess, v, http.StatusOK, m, sc, d)
}

func (s *Server) showMO(w http.ResponseWriter, r *http.Request, sess session, v *view, status int, m *store.MO, sc *inboxScope, d *inboxMOData) {
	ctx := r.Context()
	types := s.businessMap(ctx)
	acc := sc.names[m.AccountID]
	d.ID, d.From, d.To, d.Content = m.ID, m.From, m.To, m.Content
	d.Received = m.ReceivedAt.In(s.core.TimeZone()).Format("2006-01-02 15:04:05")
	d.Business, d.Operator = s.businessLabel(types, m.Business), v.T("op."+m.Operator)
	if m.Operator == "" {
		d.Operator = ""
	}
	if acc != nil {
		d.Account, d.Ext = acc.Name, replyExt(acc, m.To)
	}
	conv, trunc, err := s.conversation(ctx, m, v.msgs)
	if err != nil {
		s.log.Error("console: inbox message", "mo", m.ID, "err", err)
		s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
		return
	}
	d.Conversation, d.ConversationTruncate = conv, trunc
	d.MayReply = slices.Contains(sendRoles, sess.role)
	if d.MayReply {
		if acc == nil {
			d.NoAccount = true
		} else {
			sendable, err := s.core.SendableTypes(ctx, acc.ID)
			if err != nil {
				s.log.Error("console: sendable types", "account", acc.ID, "err", err)
			}
			chosen := r.PostFormValue("business")
			if chosen == "" {
				chosen = m.Business
			}
			has := func(code string) bool {
				return slices.ContainsFunc(sendable, func(b *store.BusinessType) bool { return b.Code == code })
			}
			if !has(chosen) {
				chosen = s.core.DefaultBusiness()
			}
			if !has(chosen) && len(sendable) > 0 {
				chosen = sendable[0].Code
			}
			for _, b := range sendable {
				d.Types = append(d.Types, typeOpt{Code: b.Code, Label: s.businessLabel(types, b.Code), Fee: core.Yuan(feeOf(b)),
					Selected: b.Code == chosen})
			}
		}
	}
	v.Data = d
	s.render(w, r, status, "inbox_mo", v)
}

// inboxReply answers POST /inbox/{id}/reply: a text to the MO's number
// from the MO's account and extension, through core.Accept.
func (s *Server) inboxReply(w http.ResponseWriter, r *http.Request, sess session) {
	m, sc, ok := s.moFor(w, r, sess)
	if !ok {
		return
	}
	ctx := r.Context()
	v := newView(r, "inbox", "inbox.mo.title").withSession(sess)
	d := &inboxMOData{Reply: normText(r.PostFormValue("content"))}
	fail := func(status int, text string) {
		v.Flash, v.Error = text, true
		s.showMO(w, r, sess, v, status, m, sc, d)
	}
	acc := sc.names[m.AccountID]
	if acc == nil {
		fail(http.StatusBadRequest, v.T("inbox.err.no_account"))
		return
	}
	if strings.TrimSpace(d.Reply) == "" {
		fail(http.StatusBadRequest, v.T("send.err.empty"))
		return
	}
	req := &core.SendRequest{AccountID: acc.ID, To: []string{m.From}, Content: d.Reply, Business: r.PostFormValue("business"),
		Ext: replyExt(acc, m.To)}
	res, err := s.core.Accept(ctx, req)
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			s.log.Info("console: reply refused", "user", sess.username, "mo", m.ID, "code", ce.Code)
			d.Detail = ce.Message
			fail(ce.Status, refusalText(v.msgs, ce.Code))
			return
		}
		s.log.Error("console: reply", "user", sess.username, "mo", m.ID, "err", err)
		fail(http.StatusInternalServerError, v.T("err.internal"))
		return
	}
	sd := &store.Send{ID: res.BatchID, AccountID: acc.ID, UserID: sess.userID, Username: sess.username, Kind: store.SendSingle,
		Business: req.Business, Content: d.Reply, Total: 1, Accepted: len(res.Messages), State: store.SendDone, CreatedAt: s.opts.Now()}
	if err := s.core.Store().CreateSend(ctx, sd, []int64{res.BatchID}); err != nil {
		s.log.Error("console: record reply", "batch", res.BatchID, "err", err) // sent anyway; the batch page shows the batch
	}
	s.log.Info("console: replied", "user", sess.username, "mo", m.ID, "account", acc.Name, "ext", req.Ext, "batch", res.BatchID)
	http.Redirect(w, r, "/inbox/"+strconv.FormatInt(m.ID, 10)+"?m=sent#conversation", http.StatusSeeOther)
}
