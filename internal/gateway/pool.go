package gateway

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Pool holds every gateway, grouped by operator, and picks one per message:
// the healthy gateways of the best (lowest) priority share traffic by weight
// (smooth weighted round robin, as nginx does), so a gateway that goes down
// fails over to the next priority and traffic fails back when it returns.
// Healthy is Gateway.Healthy: the driver is available (Driver.Available)
// and submits are answered; a gateway demoted for failing submits gets one
// probe per ProbeAfter and is back in rotation once one is answered.
type Pool struct {
	mu    sync.Mutex
	byOp  map[string][]*member
	all   []*Gateway
	named map[string]*Gateway
}

type member struct {
	g       *Gateway
	current int // smooth WRR state
}

// NewPool groups gateways by operator. Names must be unique.
func NewPool(gws []*Gateway) (*Pool, error) {
	p := &Pool{byOp: map[string][]*member{}, named: map[string]*Gateway{}}
	for _, g := range gws {
		if _, dup := p.named[g.Name]; dup {
			return nil, fmt.Errorf("gateway %q configured twice", g.Name)
		}
		if !ValidOperator(g.Operator) {
			return nil, fmt.Errorf("gateway %q: unknown operator %q", g.Name, g.Operator)
		}
		p.named[g.Name] = g
		p.all = append(p.all, g)
		p.byOp[g.Operator] = append(p.byOp[g.Operator], &member{g: g})
	}
	for _, ms := range p.byOp {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].g.Priority < ms[j].g.Priority })
	}
	return p, nil
}

// Pick chooses a healthy gateway for the operator, or ErrNoGateway.
func (p *Pool) Pick(operator string) (*Gateway, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ms := p.byOp[operator]
	if len(ms) == 0 {
		return nil, fmt.Errorf("operator %s: %w (none configured)", operator, ErrNoGateway)
	}
	for i := 0; i < len(ms); {
		// ms[i:j] is one priority group.
		j := i
		for j < len(ms) && ms[j].g.Priority == ms[i].g.Priority {
			j++
		}
		if g := pickWeighted(ms[i:j]); g != nil {
			return g, nil
		}
		i = j
	}
	return nil, fmt.Errorf("operator %s: %w", operator, ErrNoGateway)
}

func pickWeighted(group []*member) *Gateway {
	var best *member
	total := 0
	for _, m := range group {
		if !m.g.Healthy() || !m.g.takeProbe(false) {
			continue
		}
		w := max(m.g.Weight, 1)
		m.current += w
		total += w
		if best == nil || m.current > best.current {
			best = m
		}
	}
	if best == nil {
		return nil
	}
	best.current -= total
	best.g.takeProbe(true) // a demoted gateway's probe is out
	return best.g
}

// ByOperator returns the operator's gateways, best priority first.
func (p *Pool) ByOperator(op string) []*Gateway {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Gateway, len(p.byOp[op]))
	for i, m := range p.byOp[op] {
		out[i] = m.g
	}
	return out
}

// Serves reports whether any gateway is configured for the operator.
func (p *Pool) Serves(op string) bool { return len(p.byOp[op]) > 0 }

// Get returns a gateway by name.
func (p *Pool) Get(name string) *Gateway { return p.named[name] }

// All returns every gateway in configuration order.
func (p *Pool) All() []*Gateway { return p.all }

// Operators returns the operators that have at least one gateway.
func (p *Pool) Operators() []string {
	ops := make([]string, 0, len(p.byOp))
	for op := range p.byOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// Start starts every driver.
func (p *Pool) Start(ctx context.Context) {
	for _, g := range p.all {
		g.Driver.Start(ctx)
	}
}

// Close closes every driver, waiting for in-flight submits until ctx ends.
func (p *Pool) Close(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, len(p.all))
	for i, g := range p.all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.Driver.Close(ctx); err != nil {
				errs[i] = fmt.Errorf("gateway %s: %w", g.Name, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Status is one gateway's live state for the status page / JSON.
type Status struct {
	Name       string    `json:"name"`
	Operator   string    `json:"operator"`
	Protocol   string    `json:"protocol"`
	Addr       string    `json:"addr"`
	Connected  int       `json:"connected"`
	Conns      int       `json:"conns"`
	InFlight   int       `json:"in_flight"`
	Window     int       `json:"window"`
	TPS        float64   `json:"tps_limit"`
	Sent       int64     `json:"sent"`
	Timeouts   int64     `json:"timeouts"`
	Reconnects int64     `json:"reconnects"`
	LastError  string    `json:"last_error,omitempty"`
	Healthy    bool      `json:"healthy"`
	Demoted    bool      `json:"demoted,omitempty"` // out of rotation for failing submits
	At         time.Time `json:"at"`
}

// Statuses snapshots every gateway.
func (p *Pool) Statuses() []Status {
	out := make([]Status, 0, len(p.all))
	now := time.Now()
	for _, g := range p.all {
		st := g.Driver.Stats()
		out = append(out, Status{
			Name: g.Name, Operator: g.Operator, Protocol: g.Protocol, Addr: g.Addr,
			Connected: st.Connected, Conns: max(g.Conns, 1), InFlight: st.InFlight, Window: st.Window,
			TPS: g.TPS, Sent: st.Sent, Timeouts: st.Timeouts, Reconnects: st.Reconnects,
			LastError: st.LastError, Healthy: g.Healthy(), Demoted: g.Demoted(), At: now,
		})
	}
	return out
}
