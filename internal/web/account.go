package web

import (
	"cmp"
	"encoding/json"
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

// Self-service (P4): an account's balance and credit, its ledger (recharges
// and charges, paged), its recent console sends with their states (each
// opening its batch page), its traffic of the last days (from the
// statistics counters, so sends through the API count too) and its API
// keys: created here and shown once, revoked at once.
//
// Whose accounts: the accounts in the user's scope (the admin API's rule),
// the user's own first — a partner user its one account; a unit user
// their organisation's, then those below it; a platform administrator or a
// platform-level auditor any. Keys are created and revoked by platform
// administrators, organisation administrators (within their scope) and
// partner users (their own account: the self-service of P4); operators and
// auditors see the list only.

const (
	ledgerPerPage = 20
	ledgerWindow  = 10_000 // the newest ledger entries the page pages through
	sendsShown    = 10
	historyDays   = 7
)

// keyRoles may create and revoke keys (the page table's "account_keys").
var keyRoles = []string{store.RolePlatformAdmin, store.RoleOrgAdmin, store.RolePartner}

// selfAccounts are the accounts the page offers, the user's own first.
func (v *viewer) selfAccounts() []*store.Account {
	var own, org, rest []*store.Account
	for _, a := range v.accs {
		switch {
		case !v.sc.Account(a):
		case a.ID == v.user.AccountID:
			own = append(own, a)
		case v.user.OrgID != 0 && a.OrgID == v.user.OrgID:
			org = append(org, a)
		default:
			rest = append(rest, a)
		}
	}
	return append(append(own, org...), rest...)
}

type selfOpt struct {
	ID       int64
	Name     string
	Selected bool
}

type selfFact struct{ Key, Label, Value, Class string }

type selfLedgerRow struct {
	At, Kind, Amount, Balance, Messages, Note, Actor string
	Neg                                              bool
}

type selfSendRow struct {
	ID, Href, When, Kind, Total, Delivered, Failed, Pending, State string
}

type selfDayRow struct{ Day, Accepted, Delivered, Failed, Rate, Fees string }

type selfKeyRow struct {
	Prefix, Created string
	Revoked         bool
	Confirm         string
}

type selfData struct {
	NoAccount bool
	Accounts  []selfOpt
	ID        int64
	Name      string
	Facts     []selfFact
	Ledger    []selfLedgerRow
	Filter    string // "" or "recharge"
	Filters   []linkItem
	Page      int
	Prev      string
	Next      string
	Sends     []selfSendRow
	History   []selfDayRow
	Keys      []selfKeyRow
	MayManage bool
	NewKey    string // shown once, right after it was made
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, sess session) {
	flash, isErr := "", false
	switch r.URL.Query().Get("m") {
	case "revoked":
		flash = "acct.key.revoked"
	case "norevoke":
		flash, isErr = "acct.key.none", true
	}
	s.showSelfAccount(w, r, sess, http.StatusOK, flash, isErr, "")
}

// accountID reads the account asked for (?id= or the form's account), 0 = the default.
func selfAccountID(r *http.Request) (int64, bool) {
	raw := r.FormValue("account")
	if raw == "" {
		raw = r.URL.Query().Get("id")
	}
	if raw == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	return n, err == nil && n > 0
}

// showSelfAccount renders the self-service page of the account asked for.
func (s *Server) showSelfAccount(w http.ResponseWriter, r *http.Request, sess session, status int, flashKey string, isErr bool, newKey string) {
	ctx := r.Context()
	vw := newView(r, "account", "acct.title").withSession(sess)
	keepQuery(vw, r, "/account?id="+r.FormValue("account"))
	if flashKey != "" {
		vw.Flash, vw.Error = vw.T(flashKey), isErr
	}
	v, err := s.viewerOf(ctx, sess)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	d := &selfData{NewKey: newKey, MayManage: slices.Contains(keyRoles, v.user.Role)}
	vw.Data = d
	cands := v.selfAccounts()
	if len(cands) == 0 {
		d.NoAccount = true
		s.render(w, r, status, "account", vw)
		return
	}
	want, ok := selfAccountID(r)
	acc := cands[0]
	if want != 0 {
		acc = nil
		for _, a := range cands {
			if a.ID == want {
				acc = a
			}
		}
	}
	if !ok || acc == nil {
		// Outside the scope reads as not existing, as in the admin API.
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "acct.err.none")
		return
	}
	if fresh, err := s.core.Store().GetAccount(ctx, acc.ID); err == nil {
		acc = fresh // the balance as of now
	}
	d.ID, d.Name = acc.ID, acc.Name
	for _, a := range cands {
		d.Accounts = append(d.Accounts, selfOpt{ID: a.ID, Name: a.Name, Selected: a.ID == acc.ID})
	}
	m := vw.msgs
	d.Facts = selfFacts(m, v, acc)
	if err := s.selfLedger(r, d, m, acc); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	if err := s.selfSends(r, d, m, sess, acc); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	if err := s.selfHistory(r, d, acc); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	if err := s.selfKeys(r, d, m, acc); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	s.render(w, r, status, "account", vw)
}

func selfFacts(m msgs, v *viewer, a *store.Account) []selfFact {
	avail := a.Balance + a.CreditLimit - a.Reserved
	kind := tOr(m, msgKey("stl", "kind", cmp.Or(a.Kind, store.KindUnit)), a.Kind)
	org := m.T("rep.none")
	if o := v.tree.Get(a.OrgID); o != nil {
		org = o.Name + " (" + o.Code + ")"
	}
	pay := m.T("acct.prepaid")
	if a.CreditLimit > 0 {
		pay = m.T("acct.postpaid")
	}
	out := []selfFact{
		{Key: "balance", Label: m.T("acct.balance"), Value: yuanText(a.Balance), Class: "big"},
		{Key: "available", Label: m.T("acct.available"), Value: yuanText(avail), Class: "big"},
		{Key: "reserved", Label: m.T("acct.reserved"), Value: yuanText(a.Reserved)},
		{Key: "credit", Label: m.T("acct.credit"), Value: yuanText(a.CreditLimit) + " · " + pay},
		{Key: "kind", Label: m.T("acct.kind"), Value: kind},
		{Key: "org", Label: m.T("acct.org"), Value: org},
	}
	if a.ServiceCode != "" {
		out = append(out, selfFact{Key: "service_code", Label: m.T("acct.service_code"), Value: a.ServiceCode})
	}
	if avail < 0 || (a.Balance+a.CreditLimit > 0 && avail*10 < a.Balance+a.CreditLimit) {
		out[1].Class += " low" // under a tenth of what it may spend
	}
	return out
}

// selfLedger pages through the newest ledgerWindow entries (the store
// lists an account's ledger newest first, up to a limit), all of them or
// the recharges and adjustments only.
func (s *Server) selfLedger(r *http.Request, d *selfData, m msgs, a *store.Account) error {
	q := r.URL.Query()
	d.Filter = q.Get("kind")
	if d.Filter != "recharge" {
		d.Filter = ""
	}
	d.Page = 1
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		d.Page = min(p, ledgerWindow/ledgerPerPage)
	}
	limit := d.Page*ledgerPerPage + 1
	if d.Filter != "" {
		limit = ledgerWindow
	}
	es, err := s.core.Store().Ledger(r.Context(), a.ID, limit)
	if err != nil {
		return fmt.Errorf("console: ledger of account %d: %w", a.ID, err)
	}
	if d.Filter != "" {
		es = slices.DeleteFunc(es, func(e store.LedgerEntry) bool { return e.Kind == "charge" })
	}
	base := selfURL(a.ID)
	for _, f := range []string{"", "recharge"} {
		href := base
		if f != "" {
			href += "&kind=" + f
		}
		d.Filters = append(d.Filters, linkItem{Label: m.T(msgKey("acct", "ledger", "filter", cmp.Or(f, "all"))), Href: href, Active: f == d.Filter})
	}
	page := func(p int) string {
		h := base + "&page=" + strconv.Itoa(p)
		if d.Filter != "" {
			h += "&kind=" + d.Filter
		}
		return h + "#ledger"
	}
	start := (d.Page - 1) * ledgerPerPage
	if d.Page > 1 {
		d.Prev = page(d.Page - 1)
	}
	if len(es) > start+ledgerPerPage && start+ledgerPerPage < ledgerWindow {
		d.Next = page(d.Page + 1)
	}
	for i := start; i < len(es) && i < start+ledgerPerPage; i++ {
		e := es[i]
		row := selfLedgerRow{At: e.At.In(store.Shanghai).Format("2006-01-02 15:04:05"), Kind: tOr(m, msgKey("acct", "ledger", "kind", e.Kind), e.Kind),
			Amount: signedYuan(e.Amount), Balance: yuanText(e.BalanceAfter), Note: e.Note, Actor: cmp.Or(e.Actor, m.T("acct.ledger.platform")),
			Neg: e.Amount < 0}
		if e.Messages > 0 {
			row.Messages = thousands(int64(e.Messages))
		}
		d.Ledger = append(d.Ledger, row)
	}
	return nil
}

func selfURL(id int64) string { return "/account?id=" + strconv.FormatInt(id, 10) }

func signedYuan(li int64) string {
	if li > 0 {
		return "+" + yuanText(li)
	}
	return yuanText(li)
}

// selfSends lists the account's latest console sends with their states.
func (s *Server) selfSends(r *http.Request, d *selfData, m msgs, sess session, a *store.Account) error {
	st := s.core.Store()
	sends, err := st.Sends(r.Context(), store.SendQuery{Accounts: []int64{a.ID}, Limit: sendsShown})
	if err != nil {
		return fmt.Errorf("console: sends of account %d: %w", a.ID, err)
	}
	p, ok := pageByID("batches")
	link := ok && p.allows(sess.role)
	for _, sd := range sends {
		counts, err := st.SendCounts(r.Context(), sd.ID)
		if err != nil {
			return fmt.Errorf("console: send %d: %w", sd.ID, err)
		}
		var del, failed, pending int
		for stt, n := range counts {
			switch {
			case stt == store.Delivered:
				del += n
			case stt == store.Cancelled:
			case stt.Final():
				failed += n
			default:
				pending += n
			}
		}
		row := selfSendRow{ID: strconv.FormatInt(sd.ID, 10), When: sd.CreatedAt.In(store.Shanghai).Format("2006-01-02 15:04"),
			Kind: tOr(m, msgKey("acct", "send", "kind", sd.Kind), sd.Kind), Total: thousands(int64(sd.Total)), Delivered: thousands(int64(del)),
			Failed: thousands(int64(failed)), Pending: thousands(int64(pending)), State: tOr(m, msgKey("acct", "send", "state", sd.State), sd.State)}
		if link {
			row.Href = "/batches/" + row.ID
		}
		d.Sends = append(d.Sends, row)
	}
	return nil
}

// selfHistory is the account's traffic per day of the last days, from the
// counters (every channel: API, console, socket, database).
func (s *Server) selfHistory(r *http.Request, d *selfData, a *store.Account) error {
	today := store.DayStart(s.opts.Now())
	from := today.AddDate(0, 0, -(historyDays - 1))
	rows, err := s.core.Store().Stats(r.Context(), store.StatsQuery{From: from, To: today.AddDate(0, 0, 1),
		Grain: store.GrainDay, Accounts: []int64{a.ID}})
	if err != nil {
		return fmt.Errorf("console: traffic of account %d: %w", a.ID, err)
	}
	by := map[int64]*tally{}
	for _, sr := range rows {
		k := sr.Bucket.Unix()
		if by[k] == nil {
			by[k] = &tally{}
		}
		by[k].add(sr)
	}
	for day := today; !day.Before(from); day = day.AddDate(0, 0, -1) {
		t := tally{}
		if x := by[day.Unix()]; x != nil {
			t = *x
		} else if !day.Equal(today) {
			continue // a quiet day: nothing to show
		}
		rate := "—"
		if f, ok := t.rate(); ok {
			rate = pctText(f)
		}
		d.History = append(d.History, selfDayRow{Day: day.Format(dayLayout), Accepted: thousands(t.Accepted),
			Delivered: thousands(t.Delivered), Failed: thousands(t.Failed), Rate: rate, Fees: yuanText(t.Fees)})
	}
	return nil
}

// selfKeys lists the account's keys by prefix, newest first; the keys
// themselves are stored hashed and cannot be shown again.
func (s *Server) selfKeys(r *http.Request, d *selfData, m msgs, a *store.Account) error {
	ks, err := s.core.Store().APIKeys(r.Context())
	if err != nil {
		return fmt.Errorf("console: keys of account %d: %w", a.ID, err)
	}
	ks = slices.DeleteFunc(ks, func(k *store.APIKey) bool { return k.AccountID != a.ID })
	slices.SortStableFunc(ks, func(x, y *store.APIKey) int {
		return cmp.Or(cmp.Compare(selfRevokedLast(x.Revoked), selfRevokedLast(y.Revoked)), y.CreatedAt.Compare(x.CreatedAt))
	})
	for _, k := range ks {
		d.Keys = append(d.Keys, selfKeyRow{Prefix: k.Prefix, Created: k.CreatedAt.In(store.Shanghai).Format("2006-01-02 15:04"),
			Revoked: k.Revoked, Confirm: m.Tf("acct.key.confirm", k.Prefix)})
	}
	return nil
}

func selfRevokedLast(b bool) int {
	if b {
		return 1
	}
	return 0
}

// selfKeyAccount is the account a key form names, if the user reaches it.
func (s *Server) selfKeyAccount(w http.ResponseWriter, r *http.Request, sess session) (*store.Account, *viewer, bool) {
	v, err := s.viewerOf(r.Context(), sess)
	if err != nil {
		s.pageError(w, r, sess, err)
		return nil, nil, false
	}
	id, ok := selfAccountID(r)
	var a *store.Account
	if ok && id != 0 {
		a = v.account(id)
	}
	if a == nil {
		s.log.Warn("console: key form for an account out of reach", "user", sess.username, "account", r.FormValue("account"))
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "acct.err.none")
		return nil, nil, false
	}
	return a, v, true
}

func selfKeySnapshot(k *store.APIKey) string {
	b, _ := json.Marshal(map[string]any{"prefix": k.Prefix, "account_id": strconv.FormatInt(k.AccountID, 10),
		"created_at": k.CreatedAt.UTC().Format(time.RFC3339), "revoked": k.Revoked})
	return string(b)
}

// accountCreateKey answers POST /account/keys (csrf, account): a new key,
// shown on the page this once. The answer is the page itself, not a
// redirect, so the key is never kept anywhere to be shown later.
func (s *Server) accountCreateKey(w http.ResponseWriter, r *http.Request, sess session) {
	a, v, ok := s.selfKeyAccount(w, r, sess)
	if !ok {
		return
	}
	st := s.core.Store()
	ks, err := st.APIKeys(r.Context())
	if err != nil {
		s.pageError(w, r, sess, fmt.Errorf("console: keys: %w", err))
		return
	}
	// The prefix names the key for revoking: unique within the account (as the API).
	taken := map[string]bool{}
	for _, k := range ks {
		if k.AccountID == a.ID {
			taken[k.Prefix] = true
		}
	}
	key := core.NewSecret("hy_", 24)
	for i := 0; taken[key[:8]] && i < 16; i++ {
		key = core.NewSecret("hy_", 24)
	}
	k := &store.APIKey{Hash: core.HashKey(key), Prefix: key[:8], AccountID: a.ID, CreatedAt: time.Now()}
	ctx := store.WithAudit(r.Context(), &store.AuditEntry{UserID: v.user.ID, Username: v.user.Username, Action: "create",
		Object: "api_key", ObjectID: strconv.FormatInt(a.ID, 10) + ":" + k.Prefix, OrgID: a.OrgID, After: selfKeySnapshot(k)}, nil)
	if err := st.CreateAPIKey(ctx, k); err != nil {
		s.pageError(w, r, sess, fmt.Errorf("console: create key for account %d: %w", a.ID, err))
		return
	}
	if err := s.core.Reload(r.Context()); err != nil {
		s.pageError(w, r, sess, fmt.Errorf("console: reload after a new key: %w", err))
		return
	}
	s.log.Info("console: API key created", "user", sess.username, "account", a.Name, "prefix", k.Prefix)
	s.showSelfAccount(w, r, sess, http.StatusCreated, "acct.key.created", false, key)
}

// accountRevokeKey answers POST /account/keys/revoke (csrf, account,
// prefix): the key stops working at once.
func (s *Server) accountRevokeKey(w http.ResponseWriter, r *http.Request, sess session) {
	a, v, ok := s.selfKeyAccount(w, r, sess)
	if !ok {
		return
	}
	prefix := strings.TrimSpace(r.FormValue("prefix"))
	back := selfURL(a.ID)
	if prefix == "" || len(prefix) > 64 {
		http.Redirect(w, r, back+"&m=norevoke#keys", http.StatusSeeOther)
		return
	}
	state := func(revoked bool) string { // as the admin API records it
		b, _ := json.Marshal(map[string]any{"prefix": prefix, "account_id": strconv.FormatInt(a.ID, 10), "revoked": revoked})
		return string(b)
	}
	ctx := store.WithAudit(r.Context(), &store.AuditEntry{UserID: v.user.ID, Username: v.user.Username, Action: "revoke",
		Object: "api_key", ObjectID: strconv.FormatInt(a.ID, 10) + ":" + prefix, OrgID: a.OrgID,
		Before: state(false), After: state(true)}, nil)
	if _, err := s.core.Store().RevokeAPIKey(ctx, a.ID, prefix); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			http.Redirect(w, r, back+"&m=norevoke#keys", http.StatusSeeOther)
			return
		}
		s.pageError(w, r, sess, fmt.Errorf("console: revoke key %s of account %d: %w", prefix, a.ID, err))
		return
	}
	if err := s.core.Reload(r.Context()); err != nil {
		s.pageError(w, r, sess, fmt.Errorf("console: reload after a revoked key: %w", err))
		return
	}
	s.log.Info("console: API key revoked", "user", sess.username, "account", a.Name, "prefix", prefix)
	http.Redirect(w, r, back+"&m=revoked#keys", http.StatusSeeOther)
}
