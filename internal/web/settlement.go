package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"hongyan/internal/biz/settle"
	"hongyan/internal/core"
	"hongyan/internal/gateway"
	"hongyan/internal/store"
)

// Settlement (B3): a month's statements with the operators, the accounts
// (partners and business units) and the organisations, exactly as
// GET /api/v1/admin/settlement computes them (settle.Compute over the
// statistics counters, the configuration's rates and shares), with CSV and
// XLSX exports; and reconciliation of an operator's bill (settle.ParseBill,
// settle.Reconcile, as POST /api/v1/admin/settlement/reconcile). The page
// table gives it to platform administrators and auditors, like the API's
// role table.

// maxBill is the largest bill the page takes (as the API).
const maxBill = 256 << 20

// billsShown caps each list of differences on the page.
const billsShown = 200

func (s *Server) settleConfig() *settle.Config {
	if s.opts.Settlement != nil {
		return s.opts.Settlement
	}
	return &settle.Config{}
}

// settlementMonth reads ?period=YYYY-MM (default: this month, Shanghai time).
func (s *Server) settlementMonth(r *http.Request) (from, to time.Time, bad bool) {
	now := s.opts.Now().In(store.Shanghai)
	p := r.FormValue("period")
	if p != "" {
		if t, err := time.ParseInLocation("2006-01", p, store.Shanghai); err == nil {
			return t, t.AddDate(0, 1, 0), false
		}
	}
	from = store.MonthStart(now)
	return from, from.AddDate(0, 1, 0), p != ""
}

type stlTotal struct{ Key, Label, Value, Raw string }

type stlOperator struct {
	Operator, Code, Messages, Segments, Rate, Cost string
	Gateways                                       []stlGateway
}

type stlGateway struct{ Gateway, Messages, Segments string }

// stlTable is a table of the page: the accounts, the organisations, a
// list of differences.
type stlTable struct {
	ID, Title, Note string
	Head            []string
	Rows            [][]string
	NumFrom         int // the first column of figures
	Empty           string
}

type settlementData struct {
	Period    string // YYYY-MM
	Range     string
	Totals    []stlTotal
	Operators []stlOperator
	Parties   []stlTable // accounts, organisations
	Warnings  []string
	CSV, XLSX string
	Ops       []linkItem // the reconciliation form's operators (Href = code)
	Operator  string     // chosen there
	Recon     *reconView
	MaxBillMB int
}

// reconView is a reconciliation as the page shows it.
type reconView struct {
	Agree              bool
	Summary            string
	Kind               string
	Ours, Billed, Diff string
	Days               [][]string
	Compared           int
	Lists              []stlTable // per-message bills: what differs
}

func (s *Server) settlementPage(w http.ResponseWriter, r *http.Request, sess session) {
	s.showSettlement(w, r, sess, http.StatusOK, "", nil)
}

// showSettlement renders the month's statements, with a flash (a
// catalogue-free message already in the user's language) and a
// reconciliation when there is one.
func (s *Server) showSettlement(w http.ResponseWriter, r *http.Request, sess session, status int, flash string, rc *reconView) {
	vw := newView(r, "settlement", "stl.title").withSession(sess)
	from, to, bad := s.settlementMonth(r)
	keepQuery(vw, r, "/settlement?period="+from.Format("2006-01"))
	if bad && flash == "" {
		flash, status = vw.T("stl.err.period"), http.StatusBadRequest
	}
	if flash != "" {
		vw.Flash, vw.Error = flash, status >= 400
	}
	stmt, err := settle.Compute(r.Context(), s.core.Store(), s.settleConfig(), from, to)
	if err != nil {
		s.pageError(w, r, sess, fmt.Errorf("settlement %s: %w", from.Format("2006-01"), err))
		return
	}
	d := settlementView(vw.msgs, stmt)
	d.Recon = rc
	d.Operator = r.FormValue("operator")
	vw.Data = d
	s.render(w, r, status, "settlement", vw)
}

func settlementView(m msgs, st *settle.Statement) *settlementData {
	period := st.From.Format("2006-01")
	d := &settlementData{Period: period, Range: st.From.Format(dayLayout) + " — " + st.To.Add(-time.Second).Format(dayLayout),
		CSV: "/settlement/export?period=" + period + "&format=csv", XLSX: "/settlement/export?period=" + period + "&format=xlsx",
		Warnings: st.Warnings, MaxBillMB: maxBill >> 20}
	for _, t := range []struct {
		key string
		v   int64
	}{{"revenue", st.Revenue}, {"operator_cost", st.OperatorCost}, {"account_shares", st.AccountShares}, {"margin", st.Margin}} {
		d.Totals = append(d.Totals, stlTotal{Key: t.key, Label: m.T(msgKey("stl", "total", t.key)), Value: yuanText(t.v), Raw: core.Yuan(t.v)})
	}
	for _, o := range st.Operators {
		ol := stlOperator{Operator: opName(m, o.Operator), Code: o.Operator, Messages: thousands(o.Messages),
			Segments: thousands(o.Segments), Rate: m.T("stl.no_rate"), Cost: yuanText(o.Cost)}
		if o.Rate != 0 {
			ol.Rate = "¥" + settle.MicroYuan(o.Rate)
		}
		for _, g := range o.Gateways {
			ol.Gateways = append(ol.Gateways, stlGateway{Gateway: g.Gateway, Messages: thousands(g.Messages), Segments: thousands(g.Segments)})
		}
		d.Operators = append(d.Operators, ol)
	}
	head := func(keys ...string) []string {
		var out []string
		for _, k := range keys {
			out = append(out, m.T(msgKey("stl", "col", k)))
		}
		return out
	}
	figures := func(l settle.PartyLine) []string {
		return []string{thousands(l.Accepted), thousands(l.Sent), thousands(l.Segments), thousands(l.Delivered),
			yuanText(l.Revenue), ruleText(m, l.Rule), yuanText(l.Share)}
	}
	accs := stlTable{ID: "accounts", Title: m.T("stl.accounts"), Note: m.T("stl.accounts.note"), NumFrom: 3, Empty: m.T("rep.empty"),
		Head: head("party", "kind", "org", "accepted", "sent", "segments", "delivered", "revenue", "rule", "amount")}
	for _, l := range st.Accounts {
		accs.Rows = append(accs.Rows, append([]string{l.Code, tOr(m, msgKey("stl", "kind", l.Kind), l.Kind), l.OrgCode}, figures(l)...))
	}
	orgs := stlTable{ID: "orgs", Title: m.T("stl.orgs"), Note: m.T("stl.orgs.note"), NumFrom: 3, Empty: m.T("rep.empty"),
		Head: head("party", "name", "kind", "accepted", "sent", "segments", "delivered", "revenue", "rule", "amount")}
	for _, l := range st.Orgs {
		orgs.Rows = append(orgs.Rows, append([]string{l.Code, l.Name, tOr(m, msgKey("stl", "level", l.Kind), l.Kind)}, figures(l)...))
	}
	d.Parties = []stlTable{accs, orgs}
	for _, op := range operatorOrder {
		d.Ops = append(d.Ops, linkItem{Label: m.T("op." + op), Href: op})
	}
	return d
}

func opName(m msgs, op string) string {
	if gateway.ValidOperator(op) {
		return m.T("op." + op)
	}
	return op
}

func ruleText(m msgs, rule string) string {
	if rule == "" {
		return m.T("stl.no_rule")
	}
	return rule
}

// settlementExport answers GET /settlement/export?period=&format=csv|xlsx.
func (s *Server) settlementExport(w http.ResponseWriter, r *http.Request, sess session) {
	m := msgs(catalogue[langOf(r)])
	from, to, bad := s.settlementMonth(r)
	format := r.FormValue("format")
	if bad || (format != "csv" && format != "xlsx") {
		s.pageBadRequest(w, r, sess, m.T("stl.err.export"))
		return
	}
	stmt, err := settle.Compute(r.Context(), s.core.Store(), s.settleConfig(), from, to)
	if err != nil {
		s.pageError(w, r, sess, fmt.Errorf("settlement export %s: %w", from.Format("2006-01"), err))
		return
	}
	stem := "settlement-" + from.Format("200601")
	s.log.Info("console: settlement export", "user", sess.username, "period", from.Format("2006-01"), "format", format)
	if format == "csv" {
		writeCSVTable(w, stem+".csv", settlementTable(m, stmt))
		return
	}
	if err := writeWorkbook(w, stem+".xlsx", settlementSheets(m, stmt)); err != nil {
		s.log.Error("console: settlement export", "user", sess.username, "err", err)
	}
}

// settlementTable is the statement as one table with a section column, as
// the API's CSV, in the user's language.
func settlementTable(m msgs, st *settle.Statement) xsheet {
	t := xsheet{Name: m.T("stl.sheet")}
	for _, k := range []string{"section", "party", "name", "kind", "detail", "accepted", "sent", "segments", "delivered", "revenue", "rule", "amount"} {
		t.Head = append(t.Head, m.T(msgKey("stl", "col", k)))
	}
	blank := textCell("")
	for _, o := range st.Operators {
		rate := ""
		if o.Rate != 0 {
			rate = m.Tf("stl.per_segment", settle.MicroYuan(o.Rate))
		}
		t.Rows = append(t.Rows, []xcell{textCell(m.T("stl.section.operator")), textCell(o.Operator), textCell(opName(m, o.Operator)), blank, blank,
			blank, countCell(o.Messages), countCell(o.Segments), blank, blank, textCell(rate), moneyCell(o.Cost)})
		for _, g := range o.Gateways {
			t.Rows = append(t.Rows, []xcell{textCell(m.T("stl.section.gateway")), textCell(o.Operator), blank, blank, textCell(g.Gateway),
				blank, countCell(g.Messages), countCell(g.Segments), blank, blank, blank, blank})
		}
	}
	party := func(section string, l settle.PartyLine, kind, detail string) {
		t.Rows = append(t.Rows, []xcell{textCell(m.T(msgKey("stl", "section", section))), textCell(l.Code), textCell(l.Name), textCell(kind),
			textCell(detail), countCell(l.Accepted), countCell(l.Sent), countCell(l.Segments), countCell(l.Delivered),
			moneyCell(l.Revenue), textCell(l.Rule), moneyCell(l.Share)})
	}
	for _, l := range st.Accounts {
		party("account", l, tOr(m, msgKey("stl", "kind", l.Kind), l.Kind), l.OrgCode)
	}
	for _, l := range st.Orgs {
		party("org", l, tOr(m, msgKey("stl", "level", l.Kind), l.Kind), "")
	}
	for _, tt := range []struct {
		key string
		v   int64
	}{{"revenue", st.Revenue}, {"operator_cost", st.OperatorCost}, {"account_shares", st.AccountShares}, {"margin", st.Margin}} {
		t.Rows = append(t.Rows, []xcell{textCell(m.T("stl.section.total")), textCell(m.T(msgKey("stl", "total", tt.key))), blank, blank, blank,
			blank, blank, blank, blank, blank, blank, moneyCell(tt.v)})
	}
	return t
}

// settlementSheets is the statement as a workbook: a sheet per party kind.
func settlementSheets(m msgs, st *settle.Statement) []xsheet {
	h := func(keys ...string) []string {
		var out []string
		for _, k := range keys {
			out = append(out, m.T(msgKey("stl", "col", k)))
		}
		return out
	}
	ops := xsheet{Name: m.T("stl.operators"), Head: h("party", "name", "detail", "sent", "segments", "rule", "amount")}
	for _, o := range st.Operators {
		rate := ""
		if o.Rate != 0 {
			rate = m.Tf("stl.per_segment", settle.MicroYuan(o.Rate))
		}
		ops.Rows = append(ops.Rows, []xcell{textCell(o.Operator), textCell(opName(m, o.Operator)), textCell(""),
			countCell(o.Messages), countCell(o.Segments), textCell(rate), moneyCell(o.Cost)})
		for _, g := range o.Gateways {
			ops.Rows = append(ops.Rows, []xcell{textCell(o.Operator), textCell(opName(m, o.Operator)), textCell(g.Gateway),
				countCell(g.Messages), countCell(g.Segments), textCell(""), textCell("")})
		}
	}
	parties := func(name string, ls []settle.PartyLine, kindKey string, withOrg bool) xsheet {
		t := xsheet{Name: name, Head: h("party", "name", "kind", "detail", "accepted", "sent", "segments", "delivered", "revenue", "rule", "amount")}
		for _, l := range ls {
			detail := ""
			if withOrg {
				detail = l.OrgCode
			}
			t.Rows = append(t.Rows, []xcell{textCell(l.Code), textCell(l.Name), textCell(tOr(m, msgKey("stl", kindKey, l.Kind), l.Kind)), textCell(detail),
				countCell(l.Accepted), countCell(l.Sent), countCell(l.Segments), countCell(l.Delivered), moneyCell(l.Revenue),
				textCell(l.Rule), moneyCell(l.Share)})
		}
		return t
	}
	totals := xsheet{Name: m.T("stl.totals"), Head: h("party", "amount")}
	for _, tt := range []struct {
		key string
		v   int64
	}{{"revenue", st.Revenue}, {"operator_cost", st.OperatorCost}, {"account_shares", st.AccountShares}, {"margin", st.Margin}} {
		totals.Rows = append(totals.Rows, []xcell{textCell(m.T(msgKey("stl", "total", tt.key))), moneyCell(tt.v)})
	}
	info := [][2]string{{m.T("stl.info.period"), st.From.Format("2006-01")},
		{m.T("rep.info.tz"), "Asia/Shanghai (UTC+8)"}}
	for _, w := range st.Warnings {
		info = append(info, [2]string{m.T("stl.warnings"), w})
	}
	return []xsheet{totals, ops, parties(m.T("stl.accounts"), st.Accounts, "kind", true),
		parties(m.T("stl.orgs"), st.Orgs, "level", false), infoSheet(m, info)}
}

// settlementReconcile answers POST /settlement/reconcile (multipart: csrf,
// period, operator, bill): the bill against what the platform sent.
func (s *Server) settlementReconcile(w http.ResponseWriter, r *http.Request, sess session) {
	m := msgs(catalogue[langOf(r)])
	fail := func(status int, msg string) { s.showSettlement(w, r, sess, status, msg, nil) }
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(http.StatusRequestEntityTooLarge, m.Tf("stl.err.too_big", maxBill>>20))
			return
		}
		fail(http.StatusBadRequest, m.T("stl.err.no_file"))
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	from, to, bad := s.settlementMonth(r)
	op := r.FormValue("operator")
	switch {
	case bad:
		fail(http.StatusBadRequest, m.T("stl.err.period"))
		return
	case !gateway.ValidOperator(op):
		fail(http.StatusBadRequest, m.T("stl.err.operator"))
		return
	}
	file, _, err := r.FormFile("bill")
	if err != nil {
		fail(http.StatusBadRequest, m.T("stl.err.no_file"))
		return
	}
	defer file.Close()
	bill, err := settle.ParseBill(file, op, from, to)
	if err != nil {
		var ie *settle.InputError
		if errors.As(err, &ie) {
			fail(http.StatusBadRequest, m.Tf("stl.err.bill", ie.Message))
			return
		}
		s.pageError(w, r, sess, fmt.Errorf("reconcile %s %s: %w", op, from.Format("2006-01"), err))
		return
	}
	rc, err := settle.Reconcile(r.Context(), s.core.Store(), op, from, to, bill)
	if err != nil {
		s.pageError(w, r, sess, fmt.Errorf("reconcile %s %s: %w", op, from.Format("2006-01"), err))
		return
	}
	s.log.Info("console: reconciliation", "user", sess.username, "operator", op, "period", from.Format("2006-01"),
		"bill", rc.Kind, "ours", rc.Ours, "billed", rc.Billed, "agree", rc.Agree)
	s.showSettlement(w, r, sess, http.StatusOK, "", reconciliationView(m, rc))
}

func reconciliationView(m msgs, rc *settle.Reconciliation) *reconView {
	v := &reconView{Agree: rc.Agree, Kind: rc.Kind, Ours: thousands(rc.Ours), Billed: thousands(rc.Billed),
		Diff: signed(rc.Billed - rc.Ours), Compared: rc.Compared}
	period := rc.From.Format(dayLayout) + " — " + rc.To.Add(-time.Second).Format(dayLayout)
	if rc.Agree {
		v.Summary = m.Tf("stl.rc.agree", opName(m, rc.Operator), period, thousands(rc.Ours))
	} else {
		v.Summary = m.Tf("stl.rc.differ", opName(m, rc.Operator), period, thousands(rc.Ours), thousands(rc.Billed))
	}
	n := func(x int64) string { return strconv.FormatInt(x, 10) }
	tm := func(t time.Time) string { return t.In(store.Shanghai).Format("2006-01-02 15:04:05") }
	gw := func(g string) string {
		if g == "" {
			return m.T("stl.rc.whole_day")
		}
		return g
	}
	for _, d := range rc.Days {
		v.Days = append(v.Days, []string{d.Day.Format(dayLayout), gw(d.Gateway), thousands(d.Ours), thousands(d.Billed), signed(d.Billed - d.Ours)})
	}
	lines := func(ms []settle.BillMessage) [][]string {
		var out [][]string
		for i, b := range ms {
			if i == billsShown {
				break
			}
			out = append(out, []string{strconv.Itoa(b.Line), b.OpMsgID, b.Gateway})
		}
		return out
	}
	var outside, notBilled [][]string
	for i, o := range rc.Outside {
		if i == billsShown {
			break
		}
		outside = append(outside, []string{strconv.Itoa(o.Line), o.OpMsgID, o.Segment.Gateway, n(o.Segment.MessageID), tm(o.Segment.SubmittedAt)})
	}
	for i, sg := range rc.NotBilled {
		if i == billsShown {
			break
		}
		notBilled = append(notBilled, []string{sg.OpMsgID, sg.Gateway, n(sg.MessageID), strconv.Itoa(sg.Seq), tm(sg.SubmittedAt)})
	}
	h := func(keys ...string) []string {
		var out []string
		for _, k := range keys {
			out = append(out, m.T(msgKey("stl", "rc", "col", k)))
		}
		return out
	}
	list := func(id string, count int, head []string, rows [][]string) stlTable {
		t := stlTable{ID: id, Title: m.Tf(msgKey("stl", "rc", id), count), Head: head, Rows: rows, NumFrom: len(head), Empty: m.T("stl.rc.none")}
		if count > len(rows) {
			t.Note = m.Tf("stl.rc.shown", len(rows), count)
		}
		return t
	}
	v.Lists = []stlTable{
		list("unknown", rc.UnknownCount, h("line", "op_msg_id", "gateway"), lines(rc.Unknown)),
		list("twice", rc.TwiceCount, h("line", "op_msg_id", "gateway"), lines(rc.Twice)),
		list("outside", rc.OutsideCount, h("line", "op_msg_id", "gateway", "message_id", "submitted_at"), outside),
		list("not_billed", rc.NotBilledCount, h("op_msg_id", "gateway", "message_id", "seq", "submitted_at"), notBilled),
	}
	return v
}

// signed shows a difference with its sign.
func signed(n int64) string {
	if n > 0 {
		return "+" + thousands(n)
	}
	return thousands(n)
}

// tOr is the catalogue's text for key, or fallback when it has none (an
// account kind or level the catalogue does not name).
func tOr(m msgs, key, fallback string) string {
	if v, ok := m[key]; ok {
		return v
	}
	return fallback
}
