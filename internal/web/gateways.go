package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// gatewayRow is one gateway as the status page shows it: every cell is
// already text in the user's language, so the page's script only copies it.
type gatewayRow struct {
	Name      string `json:"name"`
	Operator  string `json:"operator"`
	Protocol  string `json:"protocol"`
	State     string `json:"state"`
	StateCSS  string `json:"state_css"` // ok, warn, down
	Sessions  string `json:"sessions"`
	Window    string `json:"window"`
	TPS       string `json:"tps"`
	Sent      string `json:"sent"`
	Timeouts  string `json:"timeouts"`
	LastError string `json:"last_error"`
}

type gatewaysData struct {
	Rows    []gatewayRow `json:"rows"`
	Summary string       `json:"summary"`
	Updated string       `json:"updated"` // server time, HH:MM:SS
	Refresh int          `json:"-"`       // seconds
	Note    string       `json:"-"`
}

func (s *Server) gatewaysPage(w http.ResponseWriter, r *http.Request, sess session) {
	v := newView(r, "gateways", "gw.title").withSession(sess)
	d := s.gatewayData(v.msgs)
	d.Refresh = max(int(s.opts.Refresh/time.Second), 1)
	d.Note = v.Tf("gw.refresh", d.Refresh)
	v.Data = d
	s.render(w, r, http.StatusOK, "gateways", v)
}

// gatewaysJSON is what the page polls (under the same session and role).
func (s *Server) gatewaysJSON(w http.ResponseWriter, r *http.Request, _ session) {
	writeJSON(w, http.StatusOK, s.gatewayData(catalogue[langOf(r)]))
}

func (s *Server) gatewayData(m msgs) gatewaysData {
	now := s.opts.Now()
	sts := s.core.Pool().Statuses()
	d := gatewaysData{Rows: make([]gatewayRow, 0, len(sts)), Updated: now.Format("15:04:05")}
	up := 0
	for _, g := range sts {
		row := gatewayRow{Name: g.Name, Operator: m.T("op." + g.Operator), Protocol: protocolName(g.Protocol),
			Sessions: strconv.Itoa(g.Connected) + " / " + strconv.Itoa(g.Conns),
			Window:   strconv.Itoa(g.InFlight) + " / " + strconv.Itoa(g.Window),
			Sent:     thousands(g.Sent), Timeouts: thousands(g.Timeouts), LastError: g.LastError}
		switch {
		case !g.Healthy:
			row.State, row.StateCSS = m.T("gw.down"), "down"
		case g.Demoted:
			row.State, row.StateCSS = m.T("gw.demoted"), "warn"
		default:
			row.State, row.StateCSS = m.T("gw.healthy"), "ok"
			up++
		}
		row.TPS = m.T("gw.unlimited")
		if g.TPS > 0 {
			row.TPS = strconv.FormatFloat(g.TPS, 'f', -1, 64)
		}
		row.TPS = strconv.FormatFloat(s.rates.observe(g.Name, g.Sent, now), 'f', 1, 64) + " / " + row.TPS
		d.Rows = append(d.Rows, row)
	}
	d.Summary = m.Tf("gw.summary", len(sts), up)
	return d
}

// protocolName shows a configured protocol the way operators write it.
func protocolName(p string) string {
	switch p {
	case "cmpp3", "cmpp30", "cmpp":
		return "CMPP 3.0"
	case "cmpp2", "cmpp20":
		return "CMPP 2.0"
	case "sgip", "sgip12":
		return "SGIP 1.2"
	case "smgp3", "smgp30", "smgp":
		return "SMGP 3.0"
	case "smgp2", "smgp20":
		return "SMGP 2.0"
	case "smgp13":
		return "SMGP 1.3"
	case "cngp2", "cngp20", "cngp":
		return "CNGP 2.0"
	case "cngp1", "cngp10":
		return "CNGP 1.0"
	case "smpp34", "smpp":
		return "SMPP 3.4"
	case "smpp33":
		return "SMPP 3.3"
	}
	return strings.ToUpper(p)
}

// thousands writes n with a comma every three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// rates turns each gateway's sent counter into submits per second between
// two looks at least a second apart (the pool keeps counters, not rates).
type rates struct {
	mu   sync.Mutex
	last map[string]rateSample
}

type rateSample struct {
	sent int64
	at   time.Time
	tps  float64
}

func newRates() *rates { return &rates{last: map[string]rateSample{}} }

func (rt *rates) observe(name string, sent int64, now time.Time) float64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p, ok := rt.last[name]
	if !ok {
		rt.last[name] = rateSample{sent: sent, at: now}
		return 0
	}
	dt := now.Sub(p.at)
	if dt < time.Second {
		return p.tps
	}
	tps := 0.0
	if sent >= p.sent { // a counter that went back means the driver restarted
		tps = float64(sent-p.sent) / dt.Seconds()
	}
	rt.last[name] = rateSample{sent: sent, at: now, tps: tps}
	return tps
}
