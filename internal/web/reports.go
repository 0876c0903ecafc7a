package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/biz/figures"
	"hongyan/internal/biz/orgtree"
	"hongyan/internal/biz/scope"
	"hongyan/internal/gateway"
	"hongyan/internal/store"
)

// Reports (B4, W3): a dashboard over the statistics counters the store
// keeps in the same transactions as the messages (store.StatsQuery), for
// the accounts in the user's scope — the same rule as the admin API's
// GET /api/v1/admin/stats (internal/api/stats.go): a platform
// administrator and a platform-level auditor everything, an
// organisation's users their organisation and those below it, a partner
// its own account. Every figure is a sum of hourly, daily or monthly
// counters, so a month by day reads a few hundred rows, never a message.
//
// A dashboard is a period (today by hour, the last 7 days or this month by
// day, or any range) and optional filters (business type, operator,
// gateway, account, organisation), all in the URL: clicking a bar adds its
// filter (drill-down), the breadcrumb takes filters away, and each view's
// export link repeats the query for exports (export.go).

const (
	repTopN        = 10      // bars in a top-N chart
	tableRowsShown = 100     // rows of a table on the page; exports have every row
	maxRangeDays   = 5 * 366 // the longest custom range
	dayLayout      = "2006-01-02"
)

// viewer is the logged-in user as the dashboard, settlement and account pages
// see them: read again from the store, with their scope in the
// organisation tree and every account.
type viewer struct {
	user *store.User
	sc   scope.Scope
	tree *orgtree.Tree
	accs []*store.Account // every account, by id
}

func (s *Server) viewerOf(ctx context.Context, sess session) (*viewer, error) {
	st := s.core.Store()
	u, err := st.GetUser(ctx, sess.userID)
	if err != nil {
		return nil, fmt.Errorf("console: user %s: %w", sess.username, err)
	}
	orgs, err := st.Orgs(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: scope of %s: organisations: %w", sess.username, err)
	}
	accs, err := st.Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: scope of %s: accounts: %w", sess.username, err)
	}
	slices.SortFunc(accs, func(a, b *store.Account) int { return cmp.Compare(a.ID, b.ID) })
	t := orgtree.New(orgs)
	return &viewer{user: u, sc: scope.For(u, t), tree: t, accs: accs}, nil
}

// visible lists the accounts in reach, as the admin API's statistics do:
// nil for everything (no filter), an empty non-nil slice for nothing.
func (v *viewer) visible() []int64 {
	if v.sc.All() {
		return nil
	}
	out := []int64{}
	for _, a := range v.accs {
		if v.sc.Account(a) {
			out = append(out, a.ID)
		}
	}
	return out
}

// account is the account with id if the user reaches it, else nil.
func (v *viewer) account(id int64) *store.Account {
	for _, a := range v.accs {
		if a.ID == id && v.sc.Account(a) {
			return a
		}
	}
	return nil
}

func (v *viewer) accountByID(id int64) *store.Account {
	for _, a := range v.accs {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// scopeText says what the user's figures cover.
func (v *viewer) scopeText(m msgs) string {
	switch {
	case v.sc.All():
		return m.T("rep.scope.all")
	case v.user.Role == store.RolePartner:
		if a := v.accountByID(v.user.AccountID); a != nil {
			return m.Tf("rep.scope.account", a.Name)
		}
	case v.user.OrgID != 0:
		if o := v.tree.Get(v.user.OrgID); o != nil {
			return m.Tf("rep.scope.org", o.Name)
		}
	}
	return m.T("rep.scope.none")
}

// ---- the query ----

// Periods of the dashboard.
const (
	periodToday  = "today"
	periodWeek   = "7d"
	periodMonth  = "month"
	periodCustom = "custom"
)

var repPeriods = []string{periodToday, periodWeek, periodMonth, periodCustom}

// reportQuery is a dashboard's period and filters, as in its URL.
type reportQuery struct {
	Period   string
	From, To string // custom: the first and the last day, as typed
	Business string
	Operator string
	Gateway  string
	Account  int64
	Org      int64

	from, to time.Time // [from, to), whole hours in Shanghai time
	now      time.Time // buckets starting after it are in the future: not plotted
	grain    store.Grain
}

// queryError is a bad query parameter: a catalogue key and its arguments.
type queryError struct {
	key  string
	args []any
}

func (e *queryError) Error() string { return fmt.Sprintf("%s %v", e.key, e.args) }

// parseReport reads the query of r for viewer v. A bad period or a filter
// outside the scope is a *queryError: the page says so and shows today.
func parseReport(r *http.Request, v *viewer, now time.Time) (reportQuery, error) {
	p := r.URL.Query()
	q := reportQuery{Period: p.Get("period"), From: p.Get("from"), To: p.Get("to"),
		Business: p.Get("business"), Operator: p.Get("operator"), Gateway: p.Get("gateway"),
		now: now.In(store.Shanghai)}
	if q.Period == "" {
		q.Period = periodToday
		if q.From != "" || q.To != "" {
			q.Period = periodCustom
		}
	}
	if err := q.setRange(); err != nil {
		return q, err
	}
	if raw := p.Get("account"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || v.account(n) == nil {
			return q, &queryError{key: "rep.err.account"}
		}
		q.Account = n
	}
	if raw := p.Get("org"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || v.tree.Get(n) == nil || !v.sc.Org(n) {
			return q, &queryError{key: "rep.err.org"}
		}
		q.Org = n
	}
	if q.Operator != "" && !gateway.ValidOperator(q.Operator) {
		return q, &queryError{key: "rep.err.operator"}
	}
	if len(q.Business) > 64 || len(q.Gateway) > 64 {
		return q, &queryError{key: "rep.err.filter"}
	}
	return q, nil
}

// setRange turns the period into [from, to) and a grain: hours for one
// day, days up to a quarter, months beyond.
func (q *reportQuery) setRange() error {
	today := store.DayStart(q.now)
	switch q.Period {
	case periodToday:
		q.from, q.to = today, today.AddDate(0, 0, 1)
	case periodWeek:
		q.from, q.to = today.AddDate(0, 0, -6), today.AddDate(0, 0, 1)
	case periodMonth:
		q.from = store.MonthStart(q.now)
		q.to = q.from.AddDate(0, 1, 0)
	case periodCustom:
		f, err1 := time.ParseInLocation(dayLayout, q.From, store.Shanghai)
		t, err2 := time.ParseInLocation(dayLayout, q.To, store.Shanghai)
		if q.To == "" {
			t, err2 = f, err1
		}
		if q.From == "" {
			f, err1 = t, err2
		}
		switch {
		case err1 != nil || err2 != nil:
			return &queryError{key: "rep.err.date"}
		case t.Before(f):
			return &queryError{key: "rep.err.order"}
		case t.Sub(f) > maxRangeDays*24*time.Hour:
			return &queryError{key: "rep.err.long", args: []any{maxRangeDays / 366}}
		}
		q.from, q.to = f, t.AddDate(0, 0, 1)
		q.From, q.To = f.Format(dayLayout), t.Format(dayLayout)
	default:
		return &queryError{key: "rep.err.period"}
	}
	days := int(math.Round(q.to.Sub(q.from).Hours() / 24))
	switch {
	case days <= 1:
		q.grain = store.GrainHour
	case days <= 92:
		q.grain = store.GrainDay
	default:
		q.grain = store.GrainMonth
	}
	return nil
}

// values are the URL parameters of the query.
func (q reportQuery) values() url.Values {
	v := url.Values{}
	v.Set("period", q.Period)
	if q.Period == periodCustom {
		v.Set("from", q.From)
		v.Set("to", q.To)
	}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("business", q.Business)
	set("operator", q.Operator)
	set("gateway", q.Gateway)
	if q.Account != 0 {
		v.Set("account", strconv.FormatInt(q.Account, 10))
	}
	if q.Org != 0 {
		v.Set("org", strconv.FormatInt(q.Org, 10))
	}
	return v
}

// link is the dashboard's URL (or an export's, with path) with changes:
// pairs of parameter and value, "" removing it.
func (q reportQuery) link(path string, kv ...string) string {
	v := q.values()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return path + "?" + v.Encode()
}

// stats is the store query of the dashboard over the viewer's accounts.
func (q reportQuery) stats(v *viewer) store.StatsQuery {
	sq := store.StatsQuery{From: q.from, To: q.to, Accounts: v.visible(),
		Business: q.Business, Operator: q.Operator, Gateway: q.Gateway}
	if q.Account != 0 {
		sq.Accounts = []int64{q.Account} // checked in reach by parseReport
	}
	if q.Org != 0 {
		sq.Orgs = []int64{q.Org}
	}
	return sq
}

// rangeText shows the period as dates.
func (q reportQuery) rangeText() string {
	last := q.to.Add(-time.Second)
	if q.from.Format(dayLayout) == last.Format(dayLayout) {
		return q.from.Format(dayLayout)
	}
	return q.from.Format(dayLayout) + " — " + last.Format(dayLayout)
}

// fileStem names an export file.
func (q reportQuery) fileStem(view string) string {
	return "report-" + view + "-" + q.from.Format("20060102") + "-" + q.to.Add(-time.Second).Format("20060102")
}

// ---- figures ----

// tally is a group's figures: figures.Tally, so the reports, the
// enterprise report and the admin API count states the same way.
type tally struct{ figures.Tally }

func (t *tally) add(r store.StatRow) { t.Add(r) }

// rate is the success rate: delivered among the messages that reached an
// outcome with the operators. Refused and cancelled messages do not count.
func (t tally) rate() (float64, bool) { return t.Rate() }

// repRow is one row of a view: a time bucket or a group.
type repRow struct {
	Key   string // the filter value a click adds; "" = no drill-down
	Code  string // the code column of an export (business code, account id, …)
	Label string
	Href  string
	tally
}

// views of the dashboard, in page order; each is a table and an export.
const (
	viewTraffic  = "traffic"
	viewOperator = "operator"
	viewGateway  = "gateway"
	viewBusiness = "business"
	viewAccount  = "account"
	viewOrg      = "org"
)

var viewDims = map[string]store.StatDim{viewOperator: store.DimOperator, viewGateway: store.DimGateway,
	viewBusiness: store.DimBusiness, viewAccount: store.DimAccount, viewOrg: store.DimOrg}

// viewsFor are the views a user has: a partner has one account, so no
// account or organisation ranking.
func viewsFor(v *viewer) []string {
	if v.user.Role == store.RolePartner {
		return []string{viewTraffic, viewOperator, viewGateway, viewBusiness}
	}
	return []string{viewTraffic, viewOperator, viewGateway, viewBusiness, viewAccount, viewOrg}
}

// dashboard reads and shapes the figures of one query.
type dashboard struct {
	s     *Server
	v     *viewer
	q     reportQuery
	m     msgs
	names map[string]string // business type code → name
}

func (s *Server) newReport(ctx context.Context, v *viewer, q reportQuery, m msgs) (*dashboard, error) {
	rp := &dashboard{s: s, v: v, q: q, m: m, names: map[string]string{}}
	bts, err := s.core.BusinessTypes(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: report: business types: %w", err)
	}
	for _, b := range bts {
		rp.names[b.Code] = b.Name
	}
	return rp, nil
}

// rows reads one view's rows.
func (rp *dashboard) rows(ctx context.Context, view string) ([]repRow, error) {
	sq := rp.q.stats(rp.v)
	if view == viewTraffic {
		sq.Grain = rp.q.grain
	} else {
		d, ok := viewDims[view]
		if !ok {
			return nil, &queryError{key: "rep.err.view"}
		}
		sq.GroupBy = []store.StatDim{d}
	}
	if sq.Accounts != nil && len(sq.Accounts) == 0 {
		if view == viewTraffic {
			return rp.timeRows(nil), nil
		}
		return nil, nil // a scope without accounts sees nothing
	}
	srows, err := rp.s.core.Store().Stats(ctx, sq)
	if err != nil {
		return nil, fmt.Errorf("console: report %s: %w", view, err)
	}
	if view == viewTraffic {
		return rp.timeRows(srows), nil
	}
	return rp.groupRows(view, srows), nil
}

// buckets are the starts of the period's hours, days or months.
func (q reportQuery) buckets() []time.Time {
	var out []time.Time
	for t := q.from; t.Before(q.to); {
		out = append(out, t)
		switch q.grain {
		case store.GrainHour:
			t = t.Add(time.Hour)
		case store.GrainDay:
			t = t.AddDate(0, 0, 1)
		default:
			t = t.AddDate(0, 1, 0)
		}
	}
	return out
}

// future says whether bucket b starts after now (not plotted, not exported).
func (q reportQuery) future(b time.Time) bool { return b.After(q.now) }

// bucketLabel names a bucket in full (tables, exports).
func (q reportQuery) bucketLabel(b time.Time) string {
	switch q.grain {
	case store.GrainHour:
		return b.Format("2006-01-02 15:04")
	case store.GrainMonth:
		return b.Format("2006-01")
	}
	return b.Format(dayLayout)
}

// bucketTick names a bucket on a chart's axis.
func (q reportQuery) bucketTick(b time.Time) string {
	switch q.grain {
	case store.GrainHour:
		return b.Format("15:04")
	case store.GrainMonth:
		return b.Format("2006-01")
	}
	return b.Format("01-02")
}

// timeRows are a row per bucket up to now, zeros included.
func (rp *dashboard) timeRows(srows []store.StatRow) []repRow {
	by := map[int64]*tally{}
	for _, r := range srows {
		k := r.Bucket.Unix()
		if by[k] == nil {
			by[k] = &tally{}
		}
		by[k].add(r)
	}
	var out []repRow
	for _, b := range rp.q.buckets() {
		if rp.q.future(b) {
			break
		}
		row := repRow{Code: rp.q.bucketLabel(b), Label: rp.q.bucketLabel(b)}
		if t := by[b.Unix()]; t != nil {
			row.tally = *t
		}
		switch rp.q.grain { // a day opens by hour, a month by day
		case store.GrainDay:
			d := b.Format(dayLayout)
			row.Href = rp.q.link("/reports", "period", periodCustom, "from", d, "to", d)
		case store.GrainMonth:
			row.Href = rp.q.link("/reports", "period", periodCustom, "from", b.Format(dayLayout),
				"to", b.AddDate(0, 1, -1).Format(dayLayout))
		}
		out = append(out, row)
	}
	return out
}

// operatorOrder is the order operators are listed in.
var operatorOrder = []string{gateway.CMCC, gateway.CUCC, gateway.CTCC, gateway.CBN, gateway.Intl}

// groupRows sums a dimension's rows per group, labels and orders them.
func (rp *dashboard) groupRows(view string, srows []store.StatRow) []repRow {
	m := rp.m
	by := map[string]*repRow{}
	var keys []string
	for _, r := range srows {
		var k string
		switch view {
		case viewOperator:
			k = r.Operator
		case viewGateway:
			k = r.Gateway
		case viewBusiness:
			k = r.Business
		case viewAccount:
			k = strconv.FormatInt(r.AccountID, 10)
		case viewOrg:
			k = strconv.FormatInt(r.OrgID, 10)
		}
		row := by[k]
		if row == nil {
			row = &repRow{Key: k, Code: k, Label: k}
			by[k] = row
			keys = append(keys, k)
		}
		row.add(r)
	}
	out := make([]repRow, 0, len(keys))
	for _, k := range keys {
		row := by[k]
		switch view {
		case viewOperator:
			row.Label = m.T("op." + k)
			if !slices.Contains(operatorOrder, k) {
				row.Label = cmp.Or(k, m.T("rep.none"))
			}
		case viewGateway:
			if k == "" {
				row.Label = m.T("rep.no_gateway")
			}
		case viewBusiness:
			row.Label = cmp.Or(rp.names[k], k)
		case viewAccount:
			n, _ := strconv.ParseInt(k, 10, 64)
			if a := rp.v.accountByID(n); a != nil {
				row.Label = a.Name
			}
		case viewOrg:
			n, _ := strconv.ParseInt(k, 10, 64)
			row.Label, row.Code = m.T("rep.no_org"), ""
			if o := rp.v.tree.Get(n); o != nil {
				row.Label, row.Code = o.Name, o.Code
			}
			if n == 0 || (!rp.v.sc.Org(n) && !rp.v.sc.All()) {
				row.Key = "" // an account without organisation, or one outside the scope: nothing to filter by
			}
		}
		if row.Key != "" && !(view == viewGateway && k == "") {
			row.Href = rp.q.link("/reports", view, row.Key)
		} else {
			row.Key = ""
		}
		out = append(out, *row)
	}
	switch view {
	case viewOperator:
		slices.SortStableFunc(out, func(a, b repRow) int {
			return cmp.Compare(opIndex(a.Code), opIndex(b.Code))
		})
	case viewGateway:
		slices.SortStableFunc(out, func(a, b repRow) int {
			if (a.Code == "") != (b.Code == "") {
				return cmp.Compare(b.Code, a.Code) // the row of no gateway last
			}
			return cmp.Compare(a.Code, b.Code)
		})
	default:
		slices.SortStableFunc(out, func(a, b repRow) int {
			return cmp.Or(cmp.Compare(b.Accepted+b.Submitted, a.Accepted+a.Submitted), cmp.Compare(a.Label, b.Label))
		})
	}
	return out
}

func opIndex(op string) int {
	if i := slices.Index(operatorOrder, op); i >= 0 {
		return i
	}
	return len(operatorOrder)
}

// ---- the page ----

type linkItem struct {
	Label, Href string
	Active      bool
}

// kpi is one of the figures at the top.
type kpi struct {
	Key, Label, Value, Raw, Note string
	Class                        string
}

// hbar is one bar of a horizontal bar chart: a label (the drill-down
// link), the bar (widths in percent of the track, SVG attributes, so the
// Content-Security-Policy's ban on inline styles is no obstacle) and its value.
type hbar struct {
	Label, Href, Value, Title string
	Width, Inner              string // "0.00"–"100.00"
	Class                     string
	Empty                     bool // no figure: no bar
}

// repTable is the table behind a view, as the page shows it.
type repTable struct {
	Head    []string
	Rows    [][]string
	Links   []string // per row: the drill-down link of its first cell, or ""
	NumFrom int      // the first column of figures
	Total   int
	Clipped bool
}

// repPanel is one view on the page.
type repPanel struct {
	ID, Title, Note string
	Chart           template.HTML // the traffic and fee charts, drawn wide
	ChartSmall      template.HTML // and small: for a phone
	Legend          []linkItem    // series names (Label) and classes (Href)
	Bars            []hbar
	Table           repTable
	CSV, XLSX       string
	Empty           bool
	Text            *panelText
}

// panelText are the words every panel uses.
type panelText struct{ Export, CSV, XLSX, Table, Empty, Clipped string }

func newPanelText(m msgs) *panelText {
	return &panelText{Export: m.T("exp.export"), CSV: m.T("exp.csv"), XLSX: m.T("exp.xlsx"), Table: m.T("rep.table"),
		Empty: m.T("rep.empty"), Clipped: m.Tf("rep.clipped", tableRowsShown)}
}

type crumb struct{ Label, Href string }

type reportsData struct {
	Periods     []linkItem
	Period      string
	From, To    string
	Hidden      [][2]string // the filters, for the custom range form
	Crumbs      []crumb
	Scope       string
	Range       string
	RangeFrom   string // RFC 3339, for scripts and tests
	RangeTo     string
	Grain       string
	KPIs        []kpi
	Traffic     repPanel
	Fees        repPanel
	Panels      []repPanel
	GeneratedAt string
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, sess session) {
	ctx := r.Context()
	vw := newView(r, "reports", "rep.title").withSession(sess)
	keepQuery(vw, r, "/reports")
	v, err := s.viewerOf(ctx, sess)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	status := http.StatusOK
	q, err := parseReport(r, v, s.opts.Now())
	var ie *queryError
	if errors.As(err, &ie) {
		vw.Flash, vw.Error = vw.Tf(ie.key, ie.args...), true
		status = http.StatusBadRequest
		q = reportQuery{Period: periodToday, now: s.opts.Now().In(store.Shanghai)}
		_ = q.setRange()
	}
	rp, err := s.newReport(ctx, v, q, vw.msgs)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	d, err := rp.page(ctx)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	vw.Data = d
	s.render(w, r, status, "reports", vw)
}

// msgKey joins the parts of a catalogue key made at run time ("rep",
// "grain", "day"). Spelling such keys whole keeps the catalogue test's
// look for literal keys from mistaking a prefix for a key.
func msgKey(parts ...string) string { return strings.Join(parts, ".") }

// keepQuery makes the language links keep the page's query (its period,
// filters, account), so switching language does not lose the drill-down.
// A page answering a POST links to get (a path with its query) instead.
func keepQuery(vw *view, r *http.Request, get string) {
	for i := range vw.Langs {
		lang := strings.TrimPrefix(vw.Langs[i].Href, "?lang=")
		if r.Method != http.MethodGet {
			u, err := url.Parse(get)
			if err != nil {
				continue
			}
			q := u.Query()
			q.Set("lang", lang)
			u.RawQuery = q.Encode()
			vw.Langs[i].Href = u.String()
			continue
		}
		q := r.URL.Query()
		q.Del("m") // a message about what was just done is not repeated
		q.Set("lang", lang)
		vw.Langs[i].Href = "?" + q.Encode()
	}
}

// pageError logs err and shows the internal-error page.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, sess session, err error) {
	if errors.Is(err, context.Canceled) {
		return // the browser went away
	}
	s.log.Error("console: "+r.URL.Path, "user", sess.username, "err", err)
	s.errorPageFor(w, r, &sess, http.StatusInternalServerError, "err.internal")
}

// page reads every view and lays the dashboard out.
func (rp *dashboard) page(ctx context.Context) (*reportsData, error) {
	m, q := rp.m, rp.q
	d := &reportsData{Period: q.Period, From: q.From, To: q.To, Scope: rp.v.scopeText(m), Range: q.rangeText(),
		RangeFrom: q.from.Format(time.RFC3339), RangeTo: q.to.Format(time.RFC3339),
		Grain: m.T(msgKey("rep", "grain", string(q.grain))), GeneratedAt: q.now.Format("2006-01-02 15:04:05")}
	if d.From == "" {
		d.From, d.To = q.from.Format(dayLayout), q.to.Add(-time.Second).Format(dayLayout)
	}
	for _, p := range repPeriods[:3] {
		d.Periods = append(d.Periods, linkItem{Label: m.T(msgKey("rep", "period", p)), Href: q.link("/reports", "period", p, "from", "", "to", ""),
			Active: q.Period == p})
	}
	for _, k := range []string{"business", "operator", "gateway", "account", "org"} {
		if val := q.values().Get(k); val != "" {
			d.Hidden = append(d.Hidden, [2]string{k, val})
		}
	}
	d.Crumbs = rp.crumbs()

	traffic, err := rp.rows(ctx, viewTraffic)
	if err != nil {
		return nil, err
	}
	var total tally
	for _, r := range traffic {
		total.Plus(r.Tally)
	}
	d.KPIs = rp.kpis(total)
	d.Traffic = rp.trafficPanel(traffic)
	d.Fees = rp.feesPanel(traffic)
	for _, view := range viewsFor(rp.v)[1:] {
		rows, err := rp.rows(ctx, view)
		if err != nil {
			return nil, err
		}
		d.Panels = append(d.Panels, rp.groupPanel(view, rows))
	}
	return d, nil
}

// crumbs are the way back: everything, then each filter in a fixed order,
// each link keeping the filters before it.
func (rp *dashboard) crumbs() []crumb {
	m, q := rp.m, rp.q
	out := []crumb{{Label: rp.v.scopeText(m), Href: q.link("/reports", "business", "", "operator", "", "gateway", "", "account", "", "org", "")}}
	type f struct{ key, label string }
	var fs []f
	if q.Org != 0 {
		if o := rp.v.tree.Get(q.Org); o != nil {
			fs = append(fs, f{"org", m.Tf("rep.crumb.org", o.Name)})
		}
	}
	if q.Account != 0 {
		if a := rp.v.accountByID(q.Account); a != nil {
			fs = append(fs, f{"account", m.Tf("rep.crumb.account", a.Name)})
		}
	}
	if q.Business != "" {
		fs = append(fs, f{"business", m.Tf("rep.crumb.business", cmp.Or(rp.names[q.Business], q.Business))})
	}
	if q.Operator != "" {
		fs = append(fs, f{"operator", m.Tf("rep.crumb.operator", m.T("op."+q.Operator))})
	}
	if q.Gateway != "" {
		fs = append(fs, f{"gateway", m.Tf("rep.crumb.gateway", q.Gateway)})
	}
	for i, x := range fs {
		var drop []string
		for _, later := range fs[i+1:] {
			drop = append(drop, later.key, "")
		}
		out = append(out, crumb{Label: x.label, Href: q.link("/reports", drop...)})
	}
	out[len(out)-1].Href = "" // where we are
	return out
}

func (rp *dashboard) kpis(t tally) []kpi {
	m := rp.m
	rate, ok := t.rate()
	rateText, rateRaw := "—", ""
	if ok {
		rateText, rateRaw = pctText(rate), strconv.FormatFloat(rate, 'f', 6, 64)
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []kpi{
		{Key: "accepted", Label: m.T("rep.col.accepted"), Value: thousands(t.Accepted), Raw: n(t.Accepted)},
		{Key: "submitted", Label: m.T("rep.col.submitted"), Value: thousands(t.Submitted), Raw: n(t.Submitted),
			Note: m.Tf("rep.kpi.segments", thousands(t.Segments))},
		{Key: "delivered", Label: m.T("rep.col.delivered"), Value: thousands(t.Delivered), Raw: n(t.Delivered), Class: "ok"},
		{Key: "failed", Label: m.T("rep.col.failed"), Value: thousands(t.Failed), Raw: n(t.Failed), Class: "bad",
			Note: m.Tf("rep.kpi.blocked", thousands(t.Blocked))},
		{Key: "rate", Label: m.T("rep.col.rate"), Value: rateText, Raw: rateRaw, Class: "ok"},
		{Key: "fees", Label: m.T("rep.col.fees"), Value: yuanText(t.Fees), Raw: n(t.Fees)},
	}
}

// percent shows a fraction as a percentage with one decimal (two near 100 %).
func pctText(f float64) string {
	if f > 0.99 && f < 1 {
		return strconv.FormatFloat(math.Floor(f*10000)/100, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

// yuanText shows li as yuan with thousands separators and three decimals.
func yuanText(li int64) string {
	sign := ""
	if li < 0 {
		sign, li = "-", -li
	}
	return fmt.Sprintf("%s¥%s.%03d", sign, thousands(li/1000), li%1000)
}

func (rp *dashboard) exportLinks(p *repPanel, view string) {
	p.CSV = rp.q.link("/reports/export", "view", view, "format", "csv")
	p.XLSX = rp.q.link("/reports/export", "view", view, "format", "xlsx")
}

func (rp *dashboard) trafficPanel(rows []repRow) repPanel {
	m := rp.m
	p := repPanel{ID: viewTraffic, Title: m.Tf("rep.view.traffic", m.T(msgKey("rep", "grain", string(rp.q.grain)))), Text: newPanelText(m)}
	if rp.q.grain != store.GrainHour {
		p.Note = m.T("rep.note.drill_time")
	}
	c := rp.timeChart(rows, m.T("rep.view.traffic.short"))
	for _, sr := range []struct{ label, class string }{{"rep.col.accepted", "s-accepted"}, {"rep.col.delivered", "s-delivered"}, {"rep.col.failed", "s-failed"}} {
		p.Legend = append(p.Legend, linkItem{Label: m.T(sr.label), Href: sr.class})
	}
	acc, del, fail := make([]float64, 0, len(rows)), make([]float64, 0, len(rows)), make([]float64, 0, len(rows))
	for _, r := range rows {
		acc = append(acc, float64(r.Accepted))
		del = append(del, float64(r.Delivered))
		fail = append(fail, float64(r.Failed))
	}
	c.Series = []chartSeries{{Name: m.T("rep.col.accepted"), Class: "s-accepted", Values: acc},
		{Name: m.T("rep.col.delivered"), Class: "s-delivered", Values: del, Area: true},
		{Name: m.T("rep.col.failed"), Class: "s-failed", Values: fail}}
	p.Chart = c.svg()
	c.Small = true
	p.ChartSmall = c.svg()
	p.Table = rp.table(viewTraffic, rows)
	p.Empty = allZero(rows)
	rp.exportLinks(&p, viewTraffic)
	return p
}

func (rp *dashboard) feesPanel(rows []repRow) repPanel {
	m := rp.m
	p := repPanel{ID: "fees", Title: m.Tf("rep.view.fees", m.T(msgKey("rep", "grain", string(rp.q.grain)))), Text: newPanelText(m)}
	c := rp.timeChart(rows, m.T("rep.col.fees"))
	fees := make([]float64, 0, len(rows))
	for _, r := range rows {
		fees = append(fees, float64(r.Fees)/1000)
	}
	c.Bars, c.Money, c.Small = true, true, true // half a page wide
	c.Series = []chartSeries{{Name: m.T("rep.col.fees"), Class: "s-fees", Values: fees}}
	p.ChartSmall = c.svg()
	p.Empty = true
	for _, f := range fees {
		if f != 0 {
			p.Empty = false
		}
	}
	return p
}

// timeChart starts the chart of the period: every bucket on the axis,
// values only up to now.
func (rp *dashboard) timeChart(rows []repRow, title string) timeChart {
	bs := rp.q.buckets()
	c := timeChart{Title: title, N: len(bs)}
	for i, b := range bs {
		c.Ticks = append(c.Ticks, rp.q.bucketTick(b))
		c.Tips = append(c.Tips, rp.q.bucketLabel(b))
		href := ""
		if i < len(rows) {
			href = rows[i].Href
		}
		c.Links = append(c.Links, href)
	}
	return c
}

func allZero(rows []repRow) bool {
	for _, r := range rows {
		if r.tally != (tally{}) {
			return false
		}
	}
	return true
}

// groupPanel is a ranking: success rates for operators and gateways,
// volumes for business types, accounts and organisations.
func (rp *dashboard) groupPanel(view string, rows []repRow) repPanel {
	m := rp.m
	p := repPanel{ID: view, Title: m.T(msgKey("rep", "view", view)), Empty: len(rows) == 0, Text: newPanelText(m)}
	p.Table = rp.table(view, rows)
	rp.exportLinks(&p, view)
	switch view {
	case viewOperator, viewGateway:
		p.Note = m.T("rep.note.rate")
		for _, r := range rows {
			if view == viewGateway && r.Code == "" {
				continue // no gateway: accepted and blocked only, no rate
			}
			rate, ok := r.rate()
			b := hbar{Label: r.Label, Href: r.Href, Class: "rate", Empty: !ok, Value: "—",
				Title: m.Tf("rep.tip.rate", r.Label, thousands(r.Delivered), thousands(r.Delivered+r.Failed))}
			if ok {
				b.Value, b.Width = pctText(rate), barWidth(rate)
				if rate < 0.9 {
					b.Class = "rate low"
				}
			}
			p.Bars = append(p.Bars, b)
		}
	default:
		p.Note = m.Tf("rep.note.top", repTopN)
		var most int64
		for _, r := range rows {
			most = max(most, r.Accepted, r.Submitted)
		}
		for i, r := range rows {
			if i == repTopN {
				break
			}
			b := hbar{Label: r.Label, Href: r.Href, Class: "volume", Value: thousands(r.Accepted),
				Title: m.Tf("rep.tip.volume", r.Label, thousands(r.Accepted), thousands(r.Delivered), yuanText(r.Fees))}
			if most > 0 {
				b.Width = barWidth(float64(max(r.Accepted, r.Submitted)) / float64(most))
				b.Inner = barWidth(float64(r.Delivered) / float64(most))
			}
			p.Bars = append(p.Bars, b)
		}
	}
	return p
}

func barWidth(f float64) string {
	return strconv.FormatFloat(math.Max(0, math.Min(f, 1))*100, 'f', 2, 64)
}

// columns of a view's table: its labels, then the figures.
func (rp *dashboard) columns(view string) []string {
	var out []string
	switch view {
	case viewTraffic:
		out = []string{"rep.col.time"}
	case viewOperator:
		out = []string{"rep.col.operator_code", "rep.col.operator"}
	case viewGateway:
		out = []string{"rep.col.gateway"}
	case viewBusiness:
		out = []string{"rep.col.business_code", "rep.col.business"}
	case viewAccount:
		out = []string{"rep.col.account_id", "rep.col.account"}
	case viewOrg:
		out = []string{"rep.col.org_code", "rep.col.org"}
	}
	return append(out, "rep.col.accepted", "rep.col.submitted", "rep.col.segments", "rep.col.delivered",
		"rep.col.failed", "rep.col.blocked", "rep.col.rate_pct", "rep.col.fees_yuan")
}

// labels are a row's label cells in a view.
func repLabels(view string, r repRow) []string {
	switch view {
	case viewTraffic, viewGateway:
		return []string{r.Label}
	}
	return []string{r.Code, r.Label}
}

// table is the view's table as the page shows it (the first rows).
func (rp *dashboard) table(view string, rows []repRow) repTable {
	t := repTable{Total: len(rows), NumFrom: len(repLabels(view, repRow{}))}
	for _, k := range rp.columns(view) {
		t.Head = append(t.Head, rp.m.T(k))
	}
	for i, r := range rows {
		if i == tableRowsShown {
			t.Clipped = true
			break
		}
		cells := repLabels(view, r)
		rate := ""
		if f, ok := r.rate(); ok {
			rate = pctText(f)
		}
		cells = append(cells, thousands(r.Accepted), thousands(r.Submitted), thousands(r.Segments), thousands(r.Delivered),
			thousands(r.Failed), thousands(r.Blocked), rate, yuanText(r.Fees))
		t.Rows = append(t.Rows, cells)
		t.Links = append(t.Links, r.Href)
	}
	return t
}

// ---- exports ----

// reportsExport answers GET /reports/export?view=…&format=csv|xlsx with the
// dashboard's query: the table behind one view, every row.
func (s *Server) reportsExport(w http.ResponseWriter, r *http.Request, sess session) {
	ctx := r.Context()
	m := msgs(catalogue[langOf(r)])
	v, err := s.viewerOf(ctx, sess)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	view, format := r.URL.Query().Get("view"), r.URL.Query().Get("format")
	q, err := parseReport(r, v, s.opts.Now())
	if err == nil && (!slices.Contains(viewsFor(v), view) || (format != "csv" && format != "xlsx")) {
		err = &queryError{key: "rep.err.view"}
	}
	var ie *queryError
	if errors.As(err, &ie) {
		s.pageBadRequest(w, r, sess, m.Tf(ie.key, ie.args...))
		return
	}
	rp, err := s.newReport(ctx, v, q, m)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	rows, err := rp.rows(ctx, view)
	if err != nil {
		s.pageError(w, r, sess, err)
		return
	}
	t := xsheet{Name: m.T("rep.sheet"), Info: rp.info(view)}
	for _, k := range rp.columns(view) {
		t.Head = append(t.Head, m.T(k))
	}
	for _, r := range rows {
		var cells []xcell
		for _, l := range repLabels(view, r) {
			cells = append(cells, textCell(l))
		}
		f, ok := r.rate()
		cells = append(cells, countCell(r.Accepted), countCell(r.Submitted), countCell(r.Segments), countCell(r.Delivered),
			countCell(r.Failed), countCell(r.Blocked), rateCell(f, ok), moneyCell(r.Fees))
		t.Rows = append(t.Rows, cells)
	}
	s.log.Info("console: report export", "user", sess.username, "view", view, "format", format,
		"from", q.from.Format(dayLayout), "rows", len(rows))
	if format == "csv" {
		writeCSVTable(w, q.fileStem(view)+".csv", t)
		return
	}
	if err := writeWorkbook(w, q.fileStem(view)+".xlsx", []xsheet{t, infoSheet(m, t.Info)}); err != nil {
		s.log.Error("console: report export", "user", sess.username, "err", err)
	}
}

// info says what an export holds: its second xsheet.
func (rp *dashboard) info(view string) [][2]string {
	m, q := rp.m, rp.q
	out := [][2]string{
		{m.T("rep.info.view"), m.T(msgKey("rep", "view", view, "short"))},
		{m.T("rep.info.range"), q.rangeText()},
		{m.T("rep.info.scope"), rp.v.scopeText(m)},
	}
	for _, c := range rp.crumbs()[1:] {
		out = append(out, [2]string{m.T("rep.info.filter"), c.Label})
	}
	return append(out, [2]string{m.T("rep.info.tz"), "Asia/Shanghai (UTC+8)"},
		[2]string{m.T("rep.info.made"), q.now.Format("2006-01-02 15:04:05")})
}

// pageBadRequest shows a message for a request that cannot be answered.
func (s *Server) pageBadRequest(w http.ResponseWriter, r *http.Request, sess session, msg string) {
	v := newView(r, "", "err.title").withSession(sess)
	v.Flash, v.Error = msg, true
	s.render(w, r, http.StatusBadRequest, "error", v)
}
