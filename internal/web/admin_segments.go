package web

import (
	"net/http"
	"slices"
	"strings"

	"hongyan/internal/gateway"
	"hongyan/internal/sms"
)

// Number segments (号段, G7): the table the platform routes by — number
// prefix to operator, longest prefix first, with the ported numbers that
// override it — and the gateways that carry each operator's messages with
// their state now. The table is the data file the platform loaded
// (gateway.Segments); this page reads it and never changes it. A number
// typed in the box shows where a message to it would go.

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

type segData struct {
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
	status := http.StatusOK
	if d.Invalid {
		status = http.StatusBadRequest
	}
	a.render(status, "admin_segments", d)
}
