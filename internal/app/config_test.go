package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hongyan.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigDefaultsAndGateways(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, `
gateways:
  - {name: cmcc-1, operator: cmcc, protocol: cmpp3, addr: "127.0.0.1:7890", account: "901234", secret: s}
business_types:
  - {code: verify, priority: 0, max_retries: 3, retry_interval: 2s}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != "sqlite:./hongyan-data/hongyan.db" || c.HTTP.Listen != "127.0.0.1:8080" {
		t.Fatalf("defaults not applied: %+v", c)
	}
	if len(c.Gateways) != 1 || c.Gateways[0].Account != "901234" || c.BusinessTypes[0].RetryInterval.Seconds() != 2 {
		t.Fatalf("parsed %+v", c)
	}
}

func TestLoadConfigRefusesMistakes(t *testing.T) {
	cases := map[string]string{
		"unknown key":       "databse: x\n",
		"bad operator":      "gateways: [{name: a, operator: cmx, addr: 'h:1'}]\n",
		"missing addr":      "gateways: [{name: a, operator: cmcc}]\n",
		"duplicate gateway": "gateways: [{name: a, operator: cmcc, addr: 'h:1'}, {name: a, operator: cucc, addr: 'h:2'}]\n",
		"bad priority":      "business_types: [{code: x, priority: 7}]\n",
		"bad sync":          "sqlite_sync: sometimes\n",
		"bad node":          "node_id: 5000\n",
		"short key hash":    "accounts: [{name: a, api_key_sha256: abc}]\n",
		"not yaml":          "gateways: [\n",
	}
	for name, body := range cases {
		if _, err := LoadConfig(writeConfig(t, body)); err == nil {
			t.Errorf("%s: config accepted", name)
		} else if !strings.Contains(err.Error(), "hongyan.yaml") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}
