package settle

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Config is the settlement: section of hongyan.yaml (docs/config.md).
//
//	settlement:
//	  operator_costs:      # yuan per segment the operator accepted (submitted)
//	    cmcc: 0.03
//	    cucc: 0.028
//	  shares:              # revenue share per account (by name) or organisation (by code)
//	    - account: partner-a
//	      percent: 30      # 30 % of the fees charged to it in the period
//	    - org: GD-GZ
//	      per_segment: 0.015   # yuan per segment it sent
type Config struct {
	OperatorCosts map[string]float64 `yaml:"operator_costs"`
	Shares        []ShareRule        `yaml:"shares"`
}

// ShareRule is a revenue-share agreement with one party: an account
// (partner or business unit) or an organisation, whose figures then include
// its subordinate organisations'. The share is the amount settled with
// the party under the rule: a percentage of the fees charged (revenue), or
// a fixed price per segment sent.
type ShareRule struct {
	Account    string   `yaml:"account"`
	Org        string   `yaml:"org"`
	Percent    *float64 `yaml:"percent"`
	PerSegment *float64 `yaml:"per_segment"`
	Note       string   `yaml:"note"`
}

// Check validates the section; validOperator names the operators the
// platform knows.
func (c *Config) Check(validOperator func(string) bool) error {
	for op, cost := range c.OperatorCosts {
		if !validOperator(op) {
			return fmt.Errorf("settlement: operator_costs: unknown operator %q (want cmcc, cucc, ctcc, cbn or intl)", op)
		}
		if _, err := microYuan(cost); err != nil {
			return fmt.Errorf("settlement: operator_costs: %s: %w", op, err)
		}
	}
	seen := map[string]bool{}
	for i, r := range c.Shares {
		var party string
		switch {
		case r.Account != "" && r.Org != "":
			return fmt.Errorf("settlement: shares[%d]: give account or org, not both", i)
		case r.Account != "":
			party = "account " + r.Account
		case r.Org != "":
			party = "org " + r.Org
		default:
			return fmt.Errorf("settlement: shares[%d]: account or org is required", i)
		}
		if seen[party] {
			return fmt.Errorf("settlement: shares[%d]: a second rule for %s", i, party)
		}
		seen[party] = true
		switch {
		case (r.Percent == nil) == (r.PerSegment == nil):
			return fmt.Errorf("settlement: shares[%d] (%s): give percent or per_segment, one of them", i, party)
		case r.Percent != nil && (math.IsNaN(*r.Percent) || *r.Percent < 0 || *r.Percent > 100):
			return fmt.Errorf("settlement: shares[%d] (%s): percent %v: want 0 to 100", i, party, *r.Percent)
		case r.PerSegment != nil:
			if _, err := microYuan(*r.PerSegment); err != nil {
				return fmt.Errorf("settlement: shares[%d] (%s): per_segment: %w", i, party, err)
			}
		}
	}
	return nil
}

// microYuan converts a price in yuan to micro-yuan.
func microYuan(yuan float64) (int64, error) {
	if math.IsNaN(yuan) || yuan < 0 || yuan > 1000 {
		return 0, fmt.Errorf("%v yuan: want 0 to 1000", yuan)
	}
	return int64(math.Round(yuan * 1e6)), nil
}

// rule is a ShareRule in exact units.
type rule struct {
	ppm    int64 // percent rules: parts per million of the revenue
	perSeg int64 // per-segment rules: micro-yuan per segment
	isPct  bool
}

func (c *Config) rules() (accounts, orgs map[string]rule) {
	accounts, orgs = map[string]rule{}, map[string]rule{}
	for _, r := range c.Shares {
		var x rule
		if r.Percent != nil {
			x = rule{ppm: int64(math.Round(*r.Percent * 1e4)), isPct: true}
		} else if r.PerSegment != nil {
			x.perSeg, _ = microYuan(*r.PerSegment)
		}
		if r.Account != "" {
			accounts[r.Account] = x
		} else {
			orgs[r.Org] = x
		}
	}
	return accounts, orgs
}

func (x rule) String() string {
	if x.isPct {
		return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(float64(x.ppm)/1e4, 'f', 4, 64), "0"), ".") + "%"
	}
	return MicroYuan(x.perSeg) + "/segment"
}

// share is what the rule gives for revenue (li) and segments.
func (x rule) share(revenue, segments int64) int64 {
	if x.isPct {
		return mulDivRound(revenue, x.ppm, 1_000_000)
	}
	return mulDivRound(segments, x.perSeg, 1000)
}

func (c *Config) operatorRates() map[string]int64 {
	m := map[string]int64{}
	for op, v := range c.OperatorCosts {
		m[op], _ = microYuan(v)
	}
	return m
}

// mulDivRound is a*b/c rounded half away from zero, exact for any int64s.
func mulDivRound(a, b, c int64) int64 {
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	d := big.NewInt(c)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Abs(new(big.Int).Mul(r, big.NewInt(2))).Cmp(new(big.Int).Abs(d)) >= 0 {
		if n.Sign()*d.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// MicroYuan formats micro-yuan as yuan with the digits it needs (at least 3).
func MicroYuan(v int64) string {
	s := strconv.FormatFloat(float64(v)/1e6, 'f', 6, 64)
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 4 {
		s = s[:len(s)-1]
	}
	return s
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
