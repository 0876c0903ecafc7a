package api

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/biz/settle"
	"hongyan/internal/gateway"
	"hongyan/internal/store"
)

// Statistics (B4) and settlement (B3): reports over the counters the store
// keeps with the messages (docs/api.md, "Statistics and settlement").

// mountStats mounts an account's own statistics; the admin statistics and
// settlement endpoints are in the role table (adminRoutes).
func (s *Server) mountStats(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/stats", s.auth(s.accountStats))
}

// statsRoutes: every administrative user reads the statistics of the
// accounts in their scope; settlement with the operators and partners is
// the province's (platform administrators, auditors).
func (s *Server) statsRoutes() []adminRoute {
	return []adminRoute{
		{"GET /api/v1/admin/stats", everyone, s.adminStats},
		{"GET /api/v1/admin/settlement", platformRO, s.adminSettlement},
		{"POST /api/v1/admin/settlement/reconcile", platformRO, s.adminReconcile},
	}
}

// maxBill is the largest bill a reconciliation reads.
const maxBill = 256 << 20

// maxHourlyRange is the longest range a report may give per hour.
const maxHourlyRange = 31 * 24 * time.Hour

// adminStats is the report over the accounts in the caller's scope.
func (s *Server) adminStats(w http.ResponseWriter, r *http.Request, u *store.User) {
	wh, ok := s.whoOr(w, r, u)
	if !ok {
		return
	}
	var visible []int64 // nil: every account
	if !wh.sc.All() {
		accs, err := s.core.Store().Accounts(r.Context())
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		visible = []int64{}
		for _, a := range accs {
			if wh.sc.Account(a) {
				visible = append(visible, a.ID)
			}
		}
	}
	s.serveStats(w, r, visible)
}

// accountStats is a sending account's own report.
func (s *Server) accountStats(w http.ResponseWriter, r *http.Request, acc *store.Account) {
	s.serveStats(w, r, []int64{acc.ID})
}

// statsRequest is a parsed report request.
type statsRequest struct {
	q       store.StatsQuery
	byState bool // rows per state; else one row per group with a column per state
	csv     bool
}

// parseStats reads a report's parameters; the error is the caller's fault.
func (s *Server) parseStats(r *http.Request, visible []int64, accs []*store.Account, orgs []*store.Org) (*statsRequest, *settle.InputError) {
	v := r.URL.Query()
	req := &statsRequest{}
	switch f := v.Get("format"); f {
	case "", "json":
	case "csv":
		req.csv = true
	default:
		return nil, &settle.InputError{Code: "invalid_format", Message: fmt.Sprintf("format %q: want json or csv", f)}
	}
	from, to, err := settle.ParseRange(v.Get("period"), v.Get("from"), v.Get("to"), time.Now())
	if err != nil {
		var ie *settle.InputError
		if errors.As(err, &ie) {
			return nil, ie
		}
		return nil, &settle.InputError{Code: "invalid_range", Message: err.Error()}
	}
	req.q = store.StatsQuery{From: from, To: to, Accounts: visible,
		Business: v.Get("business"), Operator: v.Get("operator"), Gateway: v.Get("gateway")}
	for _, g := range strings.Split(v.Get("group_by"), ",") {
		g = strings.TrimSpace(g)
		switch g {
		case "":
		case "hour", "day", "month":
			if req.q.Grain != store.GrainNone {
				return nil, &settle.InputError{Code: "invalid_group_by", Message: "group_by names two time units (" + string(req.q.Grain) + ", " + g + "); give one"}
			}
			req.q.Grain = store.Grain(g)
		case "state":
			req.byState = true
		default:
			d := store.StatDim(g)
			if !slices.Contains(store.StatDims, d) {
				return nil, &settle.InputError{Code: "invalid_group_by", Message: fmt.Sprintf("group_by %q: want hour, day or month, and any of business, org, account, operator, gateway, state", g)}
			}
			if slices.Contains(req.q.GroupBy, d) {
				return nil, &settle.InputError{Code: "invalid_group_by", Message: fmt.Sprintf("group_by names %s twice", g)}
			}
			req.q.GroupBy = append(req.q.GroupBy, d)
		}
	}
	if req.q.Grain == store.GrainHour && to.Sub(from) > maxHourlyRange {
		return nil, &settle.InputError{Code: "invalid_range", Message: "hourly rows over more than 31 days: ask for a shorter range or group by day"}
	}
	if a := v.Get("account"); a != "" {
		i := slices.IndexFunc(accs, func(x *store.Account) bool { return x.Name == a || id(x.ID) == a })
		if i < 0 || visible != nil && !slices.Contains(visible, accs[i].ID) {
			return nil, &settle.InputError{Code: "invalid_account", Message: fmt.Sprintf("account %q: no such account (that you may see)", a)}
		}
		req.q.Accounts = []int64{accs[i].ID}
	}
	if o := v.Get("org"); o != "" {
		i := slices.IndexFunc(orgs, func(x *store.Org) bool { return x.Code == o || id(x.ID) == o })
		if i < 0 {
			return nil, &settle.InputError{Code: "invalid_org", Message: fmt.Sprintf("org %q: no such organisation", o)}
		}
		req.q.Orgs = []int64{orgs[i].ID}
	}
	return req, nil
}

// serveStats answers a report over the accounts in visible (nil = every one).
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request, visible []int64) {
	ctx := r.Context()
	st := s.core.Store()
	accs, err := st.Accounts(ctx)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	orgs, err := st.Orgs(ctx)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	req, ie := s.parseStats(r, visible, accs, orgs)
	if ie != nil {
		writeError(w, http.StatusBadRequest, ie.Code, ie.Message)
		return
	}
	rows, err := st.Stats(ctx, req.q)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	rep := newStatsReport(req, accs, orgs)
	rep.add(rows)
	if req.csv {
		rep.writeCSV(w, "stats-"+req.q.From.Format("20060102")+"-"+req.q.To.Add(-time.Second).Format("20060102")+".csv")
		return
	}
	writeJSON(w, http.StatusOK, rep.json())
}

// statsReport shapes counter rows into report rows.
type statsReport struct {
	req      *statsRequest
	accName  map[int64]string
	orgCode  map[int64]string
	keys     []statsKey // in the order first seen (the store's order)
	cells    map[statsKey]map[store.State]*store.StatRow
	totals   map[store.State]*store.StatRow
	dimNames []string // the columns of the dimensions
}

type statsKey struct {
	bucket                      int64
	account, org                int64
	business, operator, gateway string
	state                       store.State // only when byState
}

func newStatsReport(req *statsRequest, accs []*store.Account, orgs []*store.Org) *statsReport {
	rep := &statsReport{req: req, accName: map[int64]string{}, orgCode: map[int64]string{},
		cells: map[statsKey]map[store.State]*store.StatRow{}, totals: map[store.State]*store.StatRow{}}
	for _, a := range accs {
		rep.accName[a.ID] = a.Name
	}
	for _, o := range orgs {
		rep.orgCode[o.ID] = o.Code
	}
	if req.q.Grain != store.GrainNone {
		rep.dimNames = append(rep.dimNames, string(req.q.Grain))
	}
	for _, d := range store.StatDims {
		if !slices.Contains(req.q.GroupBy, d) {
			continue
		}
		switch d {
		case store.DimAccount:
			rep.dimNames = append(rep.dimNames, "account_id", "account")
		case store.DimOrg:
			rep.dimNames = append(rep.dimNames, "org_id", "org")
		default:
			rep.dimNames = append(rep.dimNames, string(d))
		}
	}
	if req.byState {
		rep.dimNames = append(rep.dimNames, "state")
	}
	return rep
}

func addRow(m map[store.State]*store.StatRow, r store.StatRow) {
	c := m[r.State]
	if c == nil {
		c = &store.StatRow{State: r.State}
		m[r.State] = c
	}
	c.Messages += r.Messages
	c.Segments += r.Segments
	c.Fees += r.Fees
}

func (rep *statsReport) add(rows []store.StatRow) {
	for _, r := range rows {
		k := statsKey{0, r.AccountID, r.OrgID, r.Business, r.Operator, r.Gateway, ""}
		if !r.Bucket.IsZero() {
			k.bucket = r.Bucket.Unix()
		}
		if rep.req.byState {
			k.state = r.State
		}
		m := rep.cells[k]
		if m == nil {
			m = map[store.State]*store.StatRow{}
			rep.cells[k] = m
			rep.keys = append(rep.keys, k)
		}
		addRow(m, r)
		addRow(rep.totals, r)
	}
}

// bucketLabel names a row's hour, day or month in Shanghai time.
func bucketLabel(g store.Grain, unix int64) string {
	t := time.Unix(unix, 0).In(store.Shanghai)
	switch g {
	case store.GrainHour:
		return t.Format("2006-01-02 15:04")
	case store.GrainMonth:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

// dims are a row's dimension values, in dimNames' order.
func (rep *statsReport) dims(k statsKey) []string {
	var out []string
	if g := rep.req.q.Grain; g != store.GrainNone {
		out = append(out, bucketLabel(g, k.bucket))
	}
	for _, d := range store.StatDims {
		if !slices.Contains(rep.req.q.GroupBy, d) {
			continue
		}
		switch d {
		case store.DimAccount:
			out = append(out, id(k.account), rep.accName[k.account])
		case store.DimOrg:
			out = append(out, id(k.org), rep.orgCode[k.org])
		case store.DimBusiness:
			out = append(out, k.business)
		case store.DimOperator:
			out = append(out, k.operator)
		case store.DimGateway:
			out = append(out, k.gateway)
		}
	}
	if rep.req.byState {
		out = append(out, string(k.state))
	}
	return out
}

// valueNames are the value columns: per state (pivot) or of the one state.
func (rep *statsReport) valueNames() []string {
	if rep.req.byState {
		return []string{"messages", "segments", "fees"}
	}
	var out []string
	for _, st := range store.StatStates {
		out = append(out, string(st), string(st)+"_segments")
	}
	return append(out, "fees")
}

// values are a group's value columns (fees in yuan, as text).
func (rep *statsReport) values(m map[store.State]*store.StatRow, byState bool) []any {
	var fees int64
	for _, c := range m {
		fees += c.Fees
	}
	if byState {
		for _, c := range m {
			return []any{c.Messages, c.Segments, yuan(c.Fees)}
		}
		return []any{int64(0), int64(0), yuan(0)}
	}
	var out []any
	for _, st := range store.StatStates {
		var n, sg int64
		if c := m[st]; c != nil {
			n, sg = c.Messages, c.Segments
		}
		out = append(out, n, sg)
	}
	return append(out, yuan(fees))
}

func (rep *statsReport) json() map[string]any {
	rows := make([]map[string]any, 0, len(rep.keys))
	names, vnames := rep.dimNames, rep.valueNames()
	for _, k := range rep.keys {
		row := map[string]any{}
		for i, v := range rep.dims(k) {
			row[names[i]] = v
		}
		for i, v := range rep.values(rep.cells[k], rep.req.byState) {
			row[vnames[i]] = v
		}
		rows = append(rows, row)
	}
	totals := map[string]any{}
	tn := (&statsReport{req: &statsRequest{}}).valueNames()
	for i, v := range rep.values(rep.totals, false) {
		totals[tn[i]] = v
	}
	var groupBy []string
	if rep.req.q.Grain != store.GrainNone {
		groupBy = append(groupBy, string(rep.req.q.Grain))
	}
	for _, d := range rep.req.q.GroupBy {
		groupBy = append(groupBy, string(d))
	}
	if rep.req.byState {
		groupBy = append(groupBy, "state")
	}
	return map[string]any{"from": rep.req.q.From.Format(time.RFC3339), "to": rep.req.q.To.Format(time.RFC3339),
		"time_zone": "Asia/Shanghai", "group_by": groupBy, "columns": append(slices.Clone(names), vnames...),
		"rows": rows, "totals": totals}
}

func (rep *statsReport) writeCSV(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	cw := csv.NewWriter(w)
	_ = cw.Write(append(slices.Clone(rep.dimNames), rep.valueNames()...))
	for _, k := range rep.keys {
		rec := rep.dims(k)
		for _, v := range rep.values(rep.cells[k], rep.req.byState) {
			rec = append(rec, csvValue(v))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

func csvValue(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// ---- settlement ----

// settlementConfig is the configured settlement (none: no rates, no shares).
func (s *Server) settlementConfig() *settle.Config {
	if s.opts.Settlement != nil {
		return s.opts.Settlement
	}
	return &settle.Config{}
}

// adminSettlement is a period's statements with the operators, the
// accounts and the organisations.
func (s *Server) adminSettlement(w http.ResponseWriter, r *http.Request, _ *store.User) {
	v := r.URL.Query()
	format := v.Get("format")
	if format != "" && format != "json" && format != "csv" {
		writeError(w, http.StatusBadRequest, "invalid_format", fmt.Sprintf("format %q: want json or csv", format))
		return
	}
	from, to, ok := rangeParams(w, r)
	if !ok {
		return
	}
	stmt, err := settle.Compute(r.Context(), s.core.Store(), s.settlementConfig(), from, to)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if format == "csv" {
		writeSettlementCSV(w, stmt)
		return
	}
	writeJSON(w, http.StatusOK, settlementJSON(stmt))
}

// rangeParams reads period or from/to, refusing bad ones (400).
func rangeParams(w http.ResponseWriter, r *http.Request) (time.Time, time.Time, bool) {
	v := r.URL.Query()
	from, to, err := settle.ParseRange(v.Get("period"), v.Get("from"), v.Get("to"), time.Now())
	if err != nil {
		code := "invalid_range"
		var ie *settle.InputError
		if errors.As(err, &ie) {
			code = ie.Code
		}
		writeError(w, http.StatusBadRequest, code, err.Error())
		return from, to, false
	}
	return from, to, true
}

func partyJSON(l settle.PartyLine, account bool) map[string]any {
	m := map[string]any{"accepted": l.Accepted, "sent": l.Sent, "segments": l.Segments, "delivered": l.Delivered,
		"revenue": yuan(l.Revenue), "rule": l.Rule, "share": yuan(l.Share)}
	if account {
		m["account_id"], m["account"], m["kind"], m["org"] = id(l.ID), l.Code, l.Kind, l.OrgCode
	} else {
		m["org_id"], m["org"], m["name"], m["level"] = id(l.ID), l.Code, l.Name, l.Kind
	}
	return m
}

func settlementJSON(st *settle.Statement) map[string]any {
	ops := []map[string]any{}
	for _, o := range st.Operators {
		gws := []map[string]any{}
		for _, g := range o.Gateways {
			gws = append(gws, map[string]any{"gateway": g.Gateway, "messages": g.Messages, "segments": g.Segments})
		}
		ops = append(ops, map[string]any{"operator": o.Operator, "messages": o.Messages, "segments": o.Segments,
			"cost_per_segment": json.Number(settle.MicroYuan(o.Rate)), "cost": yuan(o.Cost), "gateways": gws})
	}
	accs, orgs := []map[string]any{}, []map[string]any{}
	for _, l := range st.Accounts {
		accs = append(accs, partyJSON(l, true))
	}
	for _, l := range st.Orgs {
		orgs = append(orgs, partyJSON(l, false))
	}
	return map[string]any{"from": st.From.Format(time.RFC3339), "to": st.To.Format(time.RFC3339), "time_zone": "Asia/Shanghai",
		"operators": ops, "accounts": accs, "orgs": orgs, "warnings": append([]string{}, st.Warnings...),
		"totals": map[string]any{"revenue": yuan(st.Revenue), "operator_cost": yuan(st.OperatorCost),
			"account_shares": yuan(st.AccountShares), "margin": yuan(st.Margin)}}
}

// writeSettlementCSV writes the statement as one table, a section per party kind.
func writeSettlementCSV(w http.ResponseWriter, st *settle.Statement) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="settlement-`+st.From.Format("20060102")+"-"+st.To.Add(-time.Second).Format("20060102")+`.csv"`)
	cw := csv.NewWriter(w)
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	_ = cw.Write([]string{"section", "party", "name", "kind", "detail", "accepted", "sent", "segments", "delivered", "revenue", "rule", "amount"})
	for _, o := range st.Operators {
		_ = cw.Write([]string{"operator", o.Operator, "", "", "", "", n(o.Messages), n(o.Segments), "", "", settle.MicroYuan(o.Rate) + "/segment", yuan(o.Cost).String()})
		for _, g := range o.Gateways {
			_ = cw.Write([]string{"gateway", o.Operator, "", "", g.Gateway, "", n(g.Messages), n(g.Segments), "", "", "", ""})
		}
	}
	party := func(section string, l settle.PartyLine, detail string) {
		_ = cw.Write([]string{section, l.Code, l.Name, l.Kind, detail, n(l.Accepted), n(l.Sent), n(l.Segments), n(l.Delivered),
			yuan(l.Revenue).String(), l.Rule, yuan(l.Share).String()})
	}
	for _, l := range st.Accounts {
		party("account", l, l.OrgCode)
	}
	for _, l := range st.Orgs {
		party("org", l, "")
	}
	for _, t := range []struct {
		name string
		v    int64
	}{{"revenue", st.Revenue}, {"operator_cost", st.OperatorCost}, {"account_shares", st.AccountShares}, {"margin", st.Margin}} {
		_ = cw.Write([]string{"total", t.name, "", "", "", "", "", "", "", "", "", yuan(t.v).String()})
	}
	cw.Flush()
}

// adminReconcile compares an operator's bill (CSV body) with what was sent.
func (s *Server) adminReconcile(w http.ResponseWriter, r *http.Request, _ *store.User) {
	op := r.URL.Query().Get("operator")
	if !gateway.ValidOperator(op) {
		writeError(w, http.StatusBadRequest, "invalid_operator", fmt.Sprintf("operator %q: want cmcc, cucc, ctcc, cbn or intl", op))
		return
	}
	from, to, ok := rangeParams(w, r)
	if !ok {
		return
	}
	body := http.MaxBytesReader(w, r.Body, maxBill)
	bill, err := settle.ParseBill(body, op, from, to)
	if err != nil {
		var ie *settle.InputError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge, "bill_too_large", fmt.Sprintf("the bill is larger than %d MB; reconcile a shorter period", maxBill>>20))
		case errors.As(err, &ie):
			writeError(w, http.StatusBadRequest, ie.Code, ie.Message)
		default:
			s.writeErr(w, r, err)
		}
		return
	}
	rc, err := settle.Reconcile(r.Context(), s.core.Store(), op, from, to, bill)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reconciliationJSON(rc))
}

func billLines(ms []settle.BillMessage) []map[string]any {
	out := []map[string]any{}
	for _, m := range ms {
		out = append(out, map[string]any{"line": m.Line, "op_msg_id": m.OpMsgID, "gateway": m.Gateway})
	}
	return out
}

func reconciliationJSON(rc *settle.Reconciliation) map[string]any {
	days := []map[string]any{}
	for _, d := range rc.Days {
		days = append(days, map[string]any{"date": d.Day.Format("2006-01-02"), "gateway": d.Gateway, "ours": d.Ours,
			"billed": d.Billed, "difference": d.Billed - d.Ours})
	}
	outside := []map[string]any{}
	for _, o := range rc.Outside {
		outside = append(outside, map[string]any{"line": o.Line, "op_msg_id": o.OpMsgID, "gateway": o.Segment.Gateway,
			"operator": o.Segment.Operator, "message_id": id(o.Segment.MessageID), "submitted_at": ts(o.Segment.SubmittedAt)})
	}
	notBilled := []map[string]any{}
	for _, sg := range rc.NotBilled {
		notBilled = append(notBilled, map[string]any{"op_msg_id": sg.OpMsgID, "gateway": sg.Gateway, "message_id": id(sg.MessageID),
			"seq": sg.Seq, "submitted_at": ts(sg.SubmittedAt)})
	}
	out := map[string]any{"operator": rc.Operator, "from": rc.From.Format(time.RFC3339), "to": rc.To.Format(time.RFC3339),
		"bill": rc.Kind, "ours_segments": rc.Ours, "billed_segments": rc.Billed, "agree": rc.Agree, "summary": rc.String()}
	if rc.Kind == "totals" {
		out["days"], out["compared"] = days, rc.Compared
	} else {
		out["billed_unknown"], out["billed_unknown_count"] = billLines(rc.Unknown), rc.UnknownCount
		out["billed_twice"], out["billed_twice_count"] = billLines(rc.Twice), rc.TwiceCount
		out["billed_outside_period"], out["billed_outside_period_count"] = outside, rc.OutsideCount
		out["sent_not_billed"], out["sent_not_billed_count"] = notBilled, rc.NotBilledCount
	}
	return out
}
