package app

import (
	"os"
	"strings"
	"testing"
)

// The settlement section of docs/config.md's example loads, and mistakes in
// the section are refused, naming the file.
func TestSettlementConfig(t *testing.T) {
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "\nsettlement:")
	if i < 0 {
		t.Fatal("docs/config.md has no settlement: example")
	}
	block := text[i+1:]
	block = block[:strings.Index(block, "```")]
	c, err := LoadConfig(writeConfig(t, block))
	if err != nil {
		t.Fatalf("the documented example: %v\n%s", err, block)
	}
	s := c.Settlement
	if s.OperatorCosts["ctcc"] != 0.0275 || len(s.Shares) != 2 || *s.Shares[0].Percent != 30 || s.Shares[1].Org != "GD-GZ" || *s.Shares[1].PerSegment != 0.015 {
		t.Fatalf("parsed %+v", s)
	}
	for name, body := range map[string]string{
		"unknown operator": "settlement: {operator_costs: {mobile: 0.03}}\n",
		"negative cost":    "settlement: {operator_costs: {cmcc: -0.03}}\n",
		"no party":         "settlement: {shares: [{percent: 10}]}\n",
		"two parties":      "settlement: {shares: [{account: a, org: b, percent: 10}]}\n",
		"no rule":          "settlement: {shares: [{account: a}]}\n",
		"two rules":        "settlement: {shares: [{account: a, percent: 10, per_segment: 0.01}]}\n",
		"percent over 100": "settlement: {shares: [{account: a, percent: 120}]}\n",
		"party twice":      "settlement: {shares: [{org: a, percent: 10}, {org: a, percent: 20}]}\n",
		"unknown key":      "settlement: {operator_cost: {cmcc: 0.03}}\n",
	} {
		if _, err := LoadConfig(writeConfig(t, body)); err == nil {
			t.Errorf("%s: config accepted", name)
		} else if !strings.Contains(err.Error(), "hongyan.yaml") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}
