package settle

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"hongyan/internal/store"
)

// Statement is a period's settlement.
type Statement struct {
	From, To  time.Time
	Operators []OperatorLine
	Accounts  []PartyLine
	Orgs      []PartyLine // each with its subordinate organisations
	// Totals (li): fees charged, what the operators are owed, the account
	// shares; Margin = Revenue - OperatorCost.
	Revenue, OperatorCost, AccountShares, Margin int64
	// Warnings: rules naming no account or organisation, operators sent to
	// without an agreed cost.
	Warnings []string
}

// OperatorLine is what an operator is owed: the segments it accepted
// (submitted) in the period at the agreed cost.
type OperatorLine struct {
	Operator string
	Messages int64 // messages whose every segment it accepted
	Segments int64
	Rate     int64 // micro-yuan per segment; 0 = no agreed cost
	Cost     int64 // li
	Gateways []GatewayLine
}

// GatewayLine is an operator's segments per gateway (account with it).
type GatewayLine struct {
	Gateway  string
	Messages int64
	Segments int64
}

// PartyLine is an account's or an organisation's figures and share.
type PartyLine struct {
	ID        int64
	Code      string // account name, or organisation code
	Name      string // organisation name ("" for accounts)
	Kind      string // account kind (unit, partner), or organisation level (province, city, county)
	OrgCode   string // accounts: their organisation
	Accepted  int64  // messages accepted
	Sent      int64  // messages the operators accepted whole
	Segments  int64  // segments the operators accepted
	Delivered int64  // messages delivered
	Revenue   int64  // li charged
	Rule      string // "" = no agreement
	Share     int64  // li under Rule
}

// Compute builds the statement of [from, to) from the counters.
func Compute(ctx context.Context, st store.Store, cfg *Config, from, to time.Time) (*Statement, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	rows, err := st.Stats(ctx, store.StatsQuery{From: from, To: to,
		GroupBy: []store.StatDim{store.DimAccount, store.DimOrg, store.DimOperator, store.DimGateway}})
	if err != nil {
		return nil, err
	}
	accs, err := st.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	orgs, err := st.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	return build(cfg, from, to, rows, accs, orgs), nil
}

var levelNames = map[int]string{store.LevelProvince: "province", store.LevelCity: "city", store.LevelCounty: "county"}

// figures are a party's counts.
type figures struct{ accepted, sent, segments, delivered, revenue int64 }

func (f *figures) add(r store.StatRow) {
	switch r.State {
	case store.Accepted:
		f.accepted += r.Messages
	case store.Submitted:
		f.sent += r.Messages
		f.segments += r.Segments
	case store.Delivered:
		f.delivered += r.Messages
	}
	f.revenue += r.Fees
}

func (f *figures) plus(g figures) {
	f.accepted += g.accepted
	f.sent += g.sent
	f.segments += g.segments
	f.delivered += g.delivered
	f.revenue += g.revenue
}

func build(cfg *Config, from, to time.Time, rows []store.StatRow, accs []*store.Account, orgs []*store.Org) *Statement {
	stmt := &Statement{From: from, To: to}
	accRules, orgRules := cfg.rules()
	rates := cfg.operatorRates()

	// Operators.
	type gwKey struct{ op, gw string }
	gws := map[gwKey]*GatewayLine{}
	ops := map[string]*OperatorLine{}
	for op := range rates {
		ops[op] = &OperatorLine{Operator: op, Rate: rates[op]}
	}
	byAcct := map[int64]*figures{}
	byOrg := map[int64]*figures{}
	for _, r := range rows {
		if byAcct[r.AccountID] == nil {
			byAcct[r.AccountID] = &figures{}
		}
		byAcct[r.AccountID].add(r)
		if byOrg[r.OrgID] == nil {
			byOrg[r.OrgID] = &figures{}
		}
		byOrg[r.OrgID].add(r)
		if r.State != store.Submitted {
			continue
		}
		o := ops[r.Operator]
		if o == nil {
			o = &OperatorLine{Operator: r.Operator}
			ops[r.Operator] = o
		}
		o.Messages += r.Messages
		o.Segments += r.Segments
		k := gwKey{r.Operator, r.Gateway}
		if gws[k] == nil {
			gws[k] = &GatewayLine{Gateway: r.Gateway}
		}
		gws[k].Messages += r.Messages
		gws[k].Segments += r.Segments
	}
	for _, op := range sortedKeys(ops) {
		o := ops[op]
		o.Cost = mulDivRound(o.Segments, o.Rate, 1000)
		if _, agreed := rates[op]; !agreed && o.Segments > 0 {
			stmt.Warnings = append(stmt.Warnings, fmt.Sprintf("operator %s: %d segments sent but no agreed cost (settlement.operator_costs)", op, o.Segments))
		}
		for k, g := range gws {
			if k.op == op {
				o.Gateways = append(o.Gateways, *g)
			}
		}
		slices.SortFunc(o.Gateways, func(a, b GatewayLine) int { return cmp.Compare(a.Gateway, b.Gateway) })
		stmt.Operators = append(stmt.Operators, *o)
		stmt.OperatorCost += o.Cost
	}

	// Accounts: every one with traffic or an agreement.
	orgByID := map[int64]*store.Org{}
	for _, o := range orgs {
		orgByID[o.ID] = o
	}
	named := map[string]bool{}
	known := map[int64]bool{}
	for _, a := range accs {
		named[a.Name], known[a.ID] = true, true
		f := byAcct[a.ID]
		x, hasRule := accRules[a.Name]
		if f == nil && !hasRule {
			continue
		}
		if f == nil {
			f = &figures{}
		}
		l := PartyLine{ID: a.ID, Code: a.Name, Kind: cmp.Or(a.Kind, store.KindUnit), Accepted: f.accepted, Sent: f.sent,
			Segments: f.segments, Delivered: f.delivered, Revenue: f.revenue}
		if o := orgByID[a.OrgID]; o != nil {
			l.OrgCode = o.Code
		}
		if hasRule {
			l.Rule, l.Share = x.String(), x.share(f.revenue, f.segments)
			stmt.AccountShares += l.Share
		}
		stmt.Accounts = append(stmt.Accounts, l)
		stmt.Revenue += f.revenue
	}
	// Counters of accounts since deleted still count in the totals.
	for id, f := range byAcct {
		if !known[id] {
			stmt.Revenue += f.revenue
		}
	}
	for _, name := range sortedKeys(accRules) {
		if !named[name] {
			stmt.Warnings = append(stmt.Warnings, fmt.Sprintf("settlement rule for account %q: no such account", name))
		}
	}

	// Organisations: each with its subordinates (a counter is added to its
	// organisation and every organisation above it).
	total := map[int64]*figures{}
	for id, f := range byOrg {
		seen := map[int64]bool{}
		for o := orgByID[id]; o != nil && !seen[o.ID]; o = orgByID[o.ParentID] {
			seen[o.ID] = true
			if total[o.ID] == nil {
				total[o.ID] = &figures{}
			}
			total[o.ID].plus(*f)
		}
	}
	codes := map[string]bool{}
	for _, o := range orgs {
		codes[o.Code] = true
		f := total[o.ID]
		x, hasRule := orgRules[o.Code]
		if f == nil && !hasRule {
			continue
		}
		if f == nil {
			f = &figures{}
		}
		l := PartyLine{ID: o.ID, Code: o.Code, Name: o.Name, Kind: levelNames[o.Level], Accepted: f.accepted, Sent: f.sent,
			Segments: f.segments, Delivered: f.delivered, Revenue: f.revenue}
		if hasRule {
			l.Rule, l.Share = x.String(), x.share(f.revenue, f.segments)
		}
		stmt.Orgs = append(stmt.Orgs, l)
	}
	for _, code := range sortedKeys(orgRules) {
		if !codes[code] {
			stmt.Warnings = append(stmt.Warnings, fmt.Sprintf("settlement rule for org %q: no such organisation", code))
		}
	}
	stmt.Margin = stmt.Revenue - stmt.OperatorCost
	return stmt
}
