package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/biz/figures"
	"hongyan/internal/store"
)

// Enterprise customers (A6): /enterprises lists, searches, adds, edits and
// deletes the enterprise customers of the user's organisation subtree
// (the scope rule of /customers), each with the sending accounts that
// carry its traffic; /enterprises/{id} is one customer with its report
// (B4: messages, delivered, success rate and fees per day of a period),
// summed from the statistics counters of its accounts with the
// dashboard's code (reports.go), and exported as CSV or Excel.

func (s *Server) mountEnterprises() {
	s.route("GET /enterprises", "enterprises", s.enterprisesPage)
	s.route("POST /enterprises", "enterprises_edit", s.enterpriseCreate)
	s.route("GET /enterprises/{id}", "enterprises", s.enterprisePage)
	s.route("GET /enterprises/{id}/export", "enterprises", s.enterpriseExport)
	s.route("POST /enterprises/{id}", "enterprises_edit", s.enterpriseUpdate)
	s.route("POST /enterprises/{id}/delete", "enterprises_edit", s.enterpriseDelete)
}

// ent opens a request of these pages: libReq's user and scope, with this
// page's flash messages (ent.ok.*).
func (s *Server) ent(w http.ResponseWriter, r *http.Request, sess session, pageID string) (*libReq, bool) {
	l, ok := s.lib(w, r, sess, pageID, "ent.title")
	if !ok {
		return nil, false
	}
	l.v.Flash = ""
	if m := r.URL.Query().Get("m"); m != "" {
		if t, ok := l.v.msgs[catKey("ent", "ok", m)]; ok {
			l.v.Flash = t
		}
	}
	return l, true
}

// entRow is an enterprise as the pages show it.
type entRow struct {
	*store.Enterprise
	Owner    string
	Accounts []string // names of its accounts
}

type entData struct {
	Rows     []entRow
	Q        string
	MayEdit  bool
	Add      *form
	Accounts []option // the accounts in scope, for the form
	Ent      *entRow  // the page of one customer
	Report   *entReport
}

// scopeAccounts are the accounts the user reaches, by id.
func (l *libReq) scopeAccounts() ([]*store.Account, error) {
	all, err := l.s.core.Store().Accounts(l.r.Context())
	if err != nil {
		return nil, err
	}
	var out []*store.Account
	for _, a := range all {
		if l.sc.Account(a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b *store.Account) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// entRows labels enterprises with their owner and account names.
func (l *libReq) entRows(es []*store.Enterprise) ([]entRow, error) {
	ctx := l.r.Context()
	st := l.s.core.Store()
	orgs, err := st.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	accs, err := st.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	owner := map[int64]string{0: l.v.T("lib.platform")}
	for _, o := range orgs {
		owner[o.ID] = o.Name
	}
	names := map[int64]string{}
	for _, a := range accs {
		names[a.ID] = a.Name
	}
	out := make([]entRow, 0, len(es))
	for _, e := range es {
		row := entRow{Enterprise: e, Owner: owner[e.OrgID]}
		for _, id := range e.AccountIDs {
			row.Accounts = append(row.Accounts, cmp.Or(names[id], "#"+strconv.FormatInt(id, 10)))
		}
		out = append(out, row)
	}
	return out, nil
}

// accountOptions are the accounts in scope, those of sel selected.
func accountOptions(accs []*store.Account, sel []int64) []option {
	var out []option
	for _, a := range accs {
		out = append(out, option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name, Selected: slices.Contains(sel, a.ID)})
	}
	return out
}

func (s *Server) enterprisesPage(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.ent(w, r, sess, "enterprises")
	if !ok {
		return
	}
	l.showEnterprises(http.StatusOK, newForm(), nil)
}

func (l *libReq) showEnterprises(status int, f *form, sel []int64) {
	ctx := l.r.Context()
	d := &entData{Q: strings.TrimSpace(l.r.URL.Query().Get("q")), MayEdit: slices.Contains(libEditors, l.u.Role), Add: f}
	es, err := l.s.core.Store().Enterprises(ctx, store.EnterpriseQuery{OrgIDs: l.sc.OrgIDs(), Text: d.Q, Limit: libShow})
	if err == nil {
		d.Rows, err = l.entRows(es)
	}
	var accs []*store.Account
	if err == nil {
		accs, err = l.scopeAccounts()
	}
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	d.Accounts = accountOptions(accs, sel)
	l.render(status, "enterprises", d)
}

// enterpriseOf reads the posted fields into e; the accounts must be in scope.
func (l *libReq) enterpriseOf(f *form, e *store.Enterprise) error {
	e.Name = strings.TrimSpace(f.Vals["name"])
	e.Contact = strings.TrimSpace(f.Vals["contact"])
	e.Phone = strings.TrimSpace(f.Vals["phone"])
	e.Address = strings.TrimSpace(f.Vals["address"])
	e.Note = strings.TrimSpace(f.Vals["note"])
	if e.Name == "" || len(e.Name) > 200 {
		f.fieldErr("name", l.v.T("ent.err.name"))
	}
	accs, err := l.scopeAccounts()
	if err != nil {
		return err
	}
	e.AccountIDs = nil
	for _, raw := range l.r.PostForm["accounts"] {
		id, _ := strconv.ParseInt(raw, 10, 64)
		if !slices.ContainsFunc(accs, func(a *store.Account) bool { return a.ID == id }) {
			f.fieldErr("accounts", l.v.T("ent.err.account"))
			break
		}
		if !slices.Contains(e.AccountIDs, id) {
			e.AccountIDs = append(e.AccountIDs, id)
		}
	}
	slices.Sort(e.AccountIDs)
	return nil
}

var entFields = []string{"name", "contact", "phone", "address", "note"}

func (s *Server) enterpriseCreate(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.ent(w, r, sess, "enterprises")
	if !ok {
		return
	}
	f := newForm().keep(r, entFields...)
	e := &store.Enterprise{OrgID: l.ownerOrg()}
	if err := l.enterpriseOf(f, e); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	if f.bad() {
		l.showEnterprises(http.StatusBadRequest, f, e.AccountIDs)
		return
	}
	if err := s.core.Store().CreateEnterprise(r.Context(), e); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			f.fieldErr("name", l.v.T("ent.err.dup"))
			l.showEnterprises(http.StatusConflict, f, e.AccountIDs)
			return
		}
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: enterprise created", "user", sess.username, "enterprise", e.ID, "name", e.Name)
	l.done("/enterprises/"+strconv.FormatInt(e.ID, 10), "created")
}

// enterprise reads the enterprise of the URL; out of scope is 404, as absent.
func (l *libReq) enterprise() (*store.Enterprise, bool) {
	id, _ := strconv.ParseInt(l.r.PathValue("id"), 10, 64)
	e, err := l.s.core.Store().Enterprise(l.r.Context(), id)
	if err == nil && !l.sc.Org(e.OrgID) {
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
	return e, true
}

func (s *Server) enterpriseUpdate(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.ent(w, r, sess, "enterprises")
	if !ok {
		return
	}
	e, ok := l.enterprise()
	if !ok {
		return
	}
	f := newForm().keep(r, entFields...)
	if err := l.enterpriseOf(f, e); err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	if !f.bad() {
		e.UpdatedAt = time.Time{}
		err := s.core.Store().UpdateEnterprise(r.Context(), e)
		switch {
		case errors.Is(err, store.ErrDuplicate):
			f.fieldErr("name", l.v.T("ent.err.dup"))
		case err != nil:
			s.pageError(w, r, sess, err)
			return
		default:
			s.log.Info("console: enterprise updated", "user", sess.username, "enterprise", e.ID)
			l.done("/enterprises/"+strconv.FormatInt(e.ID, 10), "saved")
			return
		}
	}
	status := http.StatusBadRequest
	if f.Errs["name"] == l.v.T("ent.err.dup") {
		status = http.StatusConflict
	}
	l.showEnterprise(status, e, f)
}

func (s *Server) enterpriseDelete(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.ent(w, r, sess, "enterprises")
	if !ok {
		return
	}
	e, ok := l.enterprise()
	if !ok {
		return
	}
	if err := s.core.Store().DeleteEnterprise(r.Context(), e.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.pageError(w, r, sess, err)
		return
	}
	s.log.Info("console: enterprise deleted", "user", sess.username, "enterprise", e.ID)
	l.done("/enterprises", "deleted")
}

// ---- the customer's page and report ----

// entReport is the report of one customer over a period.
type entReport struct {
	Periods  []linkItem
	From, To string
	Range    string
	Grain    string
	KPIs     []kpi
	Traffic  repPanel
	Fees     repPanel
	Accounts repPanel
	NoAccts  bool
}

func (s *Server) enterprisePage(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.ent(w, r, sess, "enterprises")
	if !ok {
		return
	}
	e, ok := l.enterprise()
	if !ok {
		return
	}
	keepQuery(l.v, r, r.URL.Path)
	l.showEnterprise(http.StatusOK, e, nil)
}

// entQuery reads the period of the report (this month when none): the
// dashboard's periods and rules.
func (l *libReq) entQuery(v *viewer) (reportQuery, error) {
	r := l.r
	p := url.Values{}
	for _, k := range []string{"period", "from", "to"} {
		if val := r.URL.Query().Get(k); val != "" {
			p.Set(k, val)
		}
	}
	if len(p) == 0 {
		p.Set("period", periodMonth)
	}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = p.Encode()
	return parseReport(r2, v, l.s.opts.Now())
}

// entDashboard is the dashboard of a customer: the period's query over
// the customer's accounts that the user still reaches.
func (l *libReq) entDashboard(e *store.Enterprise) (*dashboard, []int64, error) {
	ctx := l.r.Context()
	v, err := l.s.viewerOf(ctx, l.sess)
	if err != nil {
		return nil, nil, err
	}
	q, err := l.entQuery(v)
	if err != nil {
		return nil, nil, err
	}
	rp, err := l.s.newReport(ctx, v, q, l.v.msgs)
	if err != nil {
		return nil, nil, err
	}
	accts := figures.Accounts(e, func(id int64) bool { return v.account(id) != nil }) // shared with the admin API
	return rp, accts, nil
}

// entRows reads the customer's rows: per bucket of the period, or per account.
func (rp *dashboard) entRows(r *http.Request, e *store.Enterprise, accts []int64, byAccount bool) ([]repRow, error) {
	srows, err := figures.Stats(r.Context(), rp.s.core.Store(), accts, rp.q.from, rp.q.to, rp.q.grain, byAccount)
	if err != nil {
		return nil, err
	}
	if byAccount {
		return rp.groupRows(viewAccount, srows), nil
	}
	rows := rp.timeRows(srows)
	base := "/enterprises/" + strconv.FormatInt(e.ID, 10)
	for i := range rows { // a day opens by hour here, not on the dashboard
		if rest, ok := strings.CutPrefix(rows[i].Href, "/reports?"); ok {
			rows[i].Href = base + "?" + rest
		}
	}
	return rows, nil
}

func (l *libReq) showEnterprise(status int, e *store.Enterprise, f *form) {
	rows, err := l.entRows([]*store.Enterprise{e})
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	d := &entData{Ent: &rows[0], MayEdit: slices.Contains(libEditors, l.u.Role), Add: f}
	if f == nil {
		d.Add = newForm()
		d.Add.Vals = map[string]string{"name": e.Name, "contact": e.Contact, "phone": e.Phone, "address": e.Address, "note": e.Note}
	}
	accs, err := l.scopeAccounts()
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	d.Accounts = accountOptions(accs, e.AccountIDs)
	rp, accts, err := l.entDashboard(e)
	var qe *queryError
	if errors.As(err, &qe) {
		l.v.Flash, l.v.Error = l.v.Tf(qe.key, qe.args...), true
		status = http.StatusBadRequest
		l.r.URL.RawQuery = ""
		rp, accts, err = l.entDashboard(e)
	}
	if err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	if d.Report, err = l.entReport(rp, e, accts); err != nil {
		l.s.pageError(l.w, l.r, l.sess, err)
		return
	}
	l.v.Title = e.Name
	l.render(status, "enterprises", d)
}

func (l *libReq) entReport(rp *dashboard, e *store.Enterprise, accts []int64) (*entReport, error) {
	m, q := rp.m, rp.q
	base := "/enterprises/" + strconv.FormatInt(e.ID, 10)
	rep := &entReport{Range: q.rangeText(), Grain: m.T(msgKey("rep", "grain", string(q.grain))), NoAccts: len(accts) == 0,
		From: q.from.Format(dayLayout), To: q.to.Add(-time.Second).Format(dayLayout)}
	for _, p := range repPeriods[:3] {
		rep.Periods = append(rep.Periods, linkItem{Label: m.T(msgKey("rep", "period", p)), Href: base + "?period=" + p, Active: q.Period == p})
	}
	rows, err := rp.entRows(l.r, e, accts, false)
	if err != nil {
		return nil, err
	}
	var total tally
	for _, r := range rows {
		total.Plus(r.Tally)
	}
	rep.KPIs = rp.kpis(total)
	rep.Traffic = rp.trafficPanel(rows)
	exp := q.values()
	rep.Traffic.CSV = base + "/export?format=csv&" + exp.Encode()
	rep.Traffic.XLSX = base + "/export?format=xlsx&" + exp.Encode()
	rep.Fees = rp.feesPanel(rows)
	byAcct, err := rp.entRows(l.r, e, accts, true)
	if err != nil {
		return nil, err
	}
	rep.Accounts = rp.groupPanel(viewAccount, byAcct)
	rep.Accounts.CSV, rep.Accounts.XLSX = "", ""
	return rep, nil
}

// enterpriseExport answers GET /enterprises/{id}/export?format=csv|xlsx
// and the period: the customer's report per bucket, every row.
func (s *Server) enterpriseExport(w http.ResponseWriter, r *http.Request, sess session) {
	l, ok := s.ent(w, r, sess, "enterprises")
	if !ok {
		return
	}
	e, ok := l.enterprise()
	if !ok {
		return
	}
	m := l.v.msgs
	format := r.URL.Query().Get("format")
	rp, accts, err := l.entDashboard(e)
	if err == nil && format != "csv" && format != "xlsx" {
		err = &queryError{key: "rep.err.view"}
	}
	var qe *queryError
	if errors.As(err, &qe) {
		s.pageBadRequest(w, r, sess, m.Tf(qe.key, qe.args...))
		return
	}
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	rows, err := rp.entRows(r, e, accts, false)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	info := append([][2]string{{m.T("ent.name"), e.Name}}, rp.info(viewTraffic)...)
	t := xsheet{Name: m.T("rep.sheet"), Info: info}
	for _, k := range rp.columns(viewTraffic) {
		t.Head = append(t.Head, m.T(k))
	}
	for _, r := range rows {
		f, ok := r.rate()
		t.Rows = append(t.Rows, []xcell{textCell(r.Label), countCell(r.Accepted), countCell(r.Submitted), countCell(r.Segments),
			countCell(r.Delivered), countCell(r.Failed), countCell(r.Blocked), rateCell(f, ok), moneyCell(r.Fees)})
	}
	stem := "enterprise-" + strconv.FormatInt(e.ID, 10) + "-" + rp.q.from.Format("20060102") + "-" + rp.q.to.Add(-time.Second).Format("20060102")
	s.log.Info("console: enterprise export", "user", sess.username, "enterprise", e.ID, "format", format, "rows", len(rows))
	if format == "csv" {
		writeCSVTable(w, stem+".csv", t)
		return
	}
	if err := writeWorkbook(w, stem+".xlsx", []xsheet{t, infoSheet(m, t.Info)}); err != nil {
		s.log.Error("console: enterprise export", "user", sess.username, "err", err)
	}
}
