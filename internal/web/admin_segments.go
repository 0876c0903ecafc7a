package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"hongyan/internal/gateway"
	"hongyan/internal/sms"
)

// Number segments (号段, G7): the table the platform routes by — number
// prefix to operator, longest prefix first, with the ported numbers that
// override it — and the gateways that carry each operator's messages with
// their state now. The table is the data file the platform loaded
// (gateway.Segments) with the changes platform administrators made on top
// of it, kept in the database (admin API …/segments/prefixes and
// …/segments/ported); routing follows a change at once on every node. A
// number typed in the box shows where a message to it would go.

type segGateway struct {
	Name, State, StateClass string
}

type segOperator struct {
	Op, Label string
	Prefixes  []string
	Count     int
	Gateways  []segGateway
}

type segPorted struct{ Number, Operator string }

// segEdit is one change on top of the file, as the page lists it.
type segEdit struct {
	Kind, Key, Operator, Loaded, By, At, Revert, Confirm string
	Removed                                              bool
}

type apiSegEdit struct {
	Prefix    string `json:"prefix"`
	Number    string `json:"number"`
	Operator  string `json:"operator"`
	Loaded    string `json:"file_operator"`
	Removed   bool   `json:"removed"`
	UpdatedBy string `json:"updated_by"`
	UpdatedAt string `json:"updated_at"`
}

type segData struct {
	Edits                                 []segEdit
	MayEdit                               bool
	SetPrefix, DelPrefix, SetPorted       *form
	OpChoice, PortedOpChoice              []option
	Number, Normalised, Operator, OpLabel string
	Invalid, NoOperator                   bool
	Route                                 []segGateway
	Q                                     string
	Ops                                   []segOperator
	Total                                 int
	Ported                                []segPorted
	PortedCount                           int
}

func (s *Server) adminSegmentsPage(w http.ResponseWriter, r *http.Request, sess session) {
	a, ok := s.admin(w, r, sess, "admin_segments", "adm.seg.title")
	if !ok {
		return
	}
	s.showSegments(a, http.StatusOK, newForm(), newForm(), newForm())
}

func (s *Server) showSegments(a *adminReq, status int, setPrefix, delPrefix, setPorted *form) {
	r := a.r
	var out struct {
		Gateways []gateway.Status `json:"gateways"`
	}
	if err := a.call("GET", "/api/v1/admin/gateways", nil, &out); err != nil {
		a.fail(err)
		return
	}
	gws := map[string][]segGateway{}
	for _, g := range out.Gateways {
		st, class := a.v.T("adm.seg.gw.up"), "ok"
		switch {
		case !g.Healthy:
			st, class = a.v.T("adm.seg.gw.down"), "down"
		case g.Demoted:
			st, class = a.v.T("adm.seg.gw.demoted"), "warn"
		}
		gws[g.Operator] = append(gws[g.Operator], segGateway{Name: g.Name, State: st, StateClass: class})
	}
	prefixes, ported := s.core.Segments().Entries()
	q := r.URL.Query()
	d := &segData{Number: strings.TrimSpace(q.Get("number")), Q: strings.TrimSpace(q.Get("q")), Total: len(prefixes), PortedCount: len(ported)}
	if d.Number != "" {
		n, err := sms.NormalizeNumber(d.Number)
		switch {
		case err != nil:
			d.Invalid = true
		default:
			d.Normalised, d.Operator = n, s.core.Segments().Operator(n)
			d.NoOperator = d.Operator == ""
			d.OpLabel = a.v.T("op." + d.Operator)
			d.Route = gws[d.Operator]
		}
	}
	byOp := map[string][]string{}
	for p, op := range prefixes {
		if d.Q == "" || strings.HasPrefix(p, d.Q) {
			byOp[op] = append(byOp[op], p)
		}
	}
	for _, op := range []string{gateway.CMCC, gateway.CUCC, gateway.CTCC, gateway.CBN, gateway.Intl} {
		ps := byOp[op]
		if len(ps) == 0 && (d.Q != "" || len(gws[op]) == 0) {
			continue
		}
		slices.Sort(ps)
		d.Ops = append(d.Ops, segOperator{Op: op, Label: a.v.T("op." + op), Prefixes: ps, Count: len(ps), Gateways: gws[op]})
	}
	for n, op := range ported {
		if d.Q == "" || strings.HasPrefix(n, d.Q) {
			d.Ported = append(d.Ported, segPorted{Number: n, Operator: a.v.T("op." + op)})
		}
	}
	slices.SortFunc(d.Ported, func(x, y segPorted) int { return strings.Compare(x.Number, y.Number) })
	if len(d.Ported) > 200 {
		d.Ported = d.Ported[:200]
	}
	if d.Invalid && status == http.StatusOK {
		status = http.StatusBadRequest
	}
	if err := a.segEdits(d); err != nil {
		a.fail(err)
		return
	}
	d.MayEdit, d.SetPrefix, d.DelPrefix, d.SetPorted = a.may("admin_segments_edit"), setPrefix, delPrefix, setPorted
	d.OpChoice, d.PortedOpChoice = a.opOptions(setPrefix.Vals["operator"]), a.opOptions(setPorted.Vals["operator"])
	a.render(status, "admin_segments", d)
}

// segKinds are the two tables an administrator edits, by their admin API
// path: number prefixes and ported numbers.
var segKinds = map[string]string{"prefixes": "prefix", "ported": "number"}

// segEdits lists the changes made on top of the file, prefixes first.
func (a *adminReq) segEdits(d *segData) error {
	for _, kind := range []string{"prefixes", "ported"} {
		var out map[string][]apiSegEdit
		if err := a.call("GET", "/api/v1/admin/segments/"+kind, nil, &out); err != nil {
			return err
		}
		for _, e := range out[kind] {
			key := e.Prefix
			if kind == "ported" {
				key = e.Number
			}
			x := segEdit{Kind: kind, Key: key, Operator: a.opLabel(e.Operator), Loaded: a.opLabel(e.Loaded), By: e.UpdatedBy,
				At: a.when(e.UpdatedAt), Removed: e.Removed}
			if e.Loaded != "" {
				x.Revert = e.Loaded
			}
			x.Confirm = a.v.Tf("adm.seg.confirm_revert", key)
			d.Edits = append(d.Edits, x)
		}
	}
	return nil
}

// opLabel is an operator's name ("" for none).
func (a *adminReq) opLabel(op string) string {
	if op == "" {
		return ""
	}
	return a.v.T("op." + op)
}

// opOptions are the five operators for a select.
func (a *adminReq) opOptions(sel string) []option {
	var out []option
	for _, op := range []string{gateway.CMCC, gateway.CUCC, gateway.CTCC, gateway.CBN, gateway.Intl} {
		out = append(out, option{Value: op, Label: a.v.T("op."+op) + " (" + op + ")"})
	}
	return options(sel, out...)
}

// adminSegmentSet answers POST /admin/segments/{kind} (key, operator): a
// prefix or a ported number goes to that operator from now on.
func (s *Server) adminSegmentSet(w http.ResponseWriter, r *http.Request, sess session) {
	s.segmentChange(w, r, sess, false)
}

// adminSegmentRemove answers POST /admin/segments/{kind}/remove (key):
// the prefix or number leaves the table (a file prefix too).
func (s *Server) adminSegmentRemove(w http.ResponseWriter, r *http.Request, sess session) {
	s.segmentChange(w, r, sess, true)
}

func (s *Server) segmentChange(w http.ResponseWriter, r *http.Request, sess session, remove bool) {
	a, ok := s.admin(w, r, sess, "admin_segments", "adm.seg.title")
	if !ok {
		return
	}
	kind := r.PathValue("kind")
	if _, ok := segKinds[kind]; !ok {
		s.errorPageFor(w, r, &sess, http.StatusNotFound, "err.notfound")
		return
	}
	f := newForm().keep(r, "key", "operator")
	f.Vals["key"] = strings.TrimSpace(f.Vals["key"])
	setP, delP, setN := newForm(), newForm(), newForm()
	switch {
	case kind == "ported":
		setN = f
	case remove:
		delP = f
	default:
		setP = f
	}
	if f.Vals["key"] == "" {
		f.fieldErr("key", a.v.T(map[string]string{"prefixes": "adm.seg.err.prefix", "ported": "adm.err.invalid_number"}[kind]))
	}
	if !remove && !gateway.ValidOperator(f.Vals["operator"]) {
		f.fieldErr("operator", a.v.T("adm.seg.err.operator"))
	}
	if f.bad() {
		s.showSegments(a, http.StatusBadRequest, setP, delP, setN)
		return
	}
	path := "/api/v1/admin/segments/" + kind + "/" + url.PathEscape(f.Vals["key"])
	var err error
	if remove {
		err = a.call("DELETE", path, nil, nil)
	} else {
		err = a.call("PUT", path, map[string]string{"operator": f.Vals["operator"]}, nil)
	}
	if err != nil {
		ae := asAPIError(err)
		if ae == nil {
			a.fail(err)
			return
		}
		f.refused(a.v, ae, func(e *apiError) (string, string) {
			switch e.Code {
			case "invalid_prefix":
				return "key", "adm.seg.err.prefix"
			case "invalid_number":
				return "key", ""
			case "invalid_operator":
				return "operator", "adm.seg.err.operator"
			case "not_found":
				return "key", "adm.seg.err.not_in_table"
			}
			return "", ""
		})
		s.showSegments(a, ae.Status, setP, delP, setN)
		return
	}
	s.log.Info("console: segment table changed", "user", sess.username, "kind", kind, "key", f.Vals["key"], "operator", f.Vals["operator"], "remove", remove)
	flash := "seg_set"
	if remove {
		flash = "seg_removed"
	}
	http.Redirect(w, r, "/admin/segments?m="+flash+"#edits", http.StatusSeeOther) // a.done would put ?m= after the fragment
}
