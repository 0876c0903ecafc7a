package app

import (
	"context"
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
		"bad mo route code": "mo_routes: [{service_code: 1065-8, account: a}]\n",
		"mo route no owner": "mo_routes: [{service_code: '10658000'}]\n",
	}
	for name, body := range cases {
		if _, err := LoadConfig(writeConfig(t, body)); err == nil {
			t.Errorf("%s: config accepted", name)
		} else if !strings.Contains(err.Error(), "hongyan.yaml") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}

// MO routes in the config are created at start, once: a second start on the
// same data neither fails nor doubles them, and an unknown account is named.
func TestConfigSeedsMORoutes(t *testing.T) {
	dir := t.TempDir()
	body := `
database: "sqlite:` + filepath.Join(dir, "h.db") + `"
http: {listen: "127.0.0.1:0"}
accounts: [{name: post, service_code: "10658000"}]
mo_routes:
  - {service_code: "10658000", keyword: "cx", account: post, url: "http://127.0.0.1:9/mo"}
  - {service_code: "1065800099", account: post}
`
	for range 2 {
		c, err := LoadConfig(writeConfig(t, body))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Build(context.Background(), c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		routes, err := p.Store.MORoutes(context.Background())
		p.Store.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(routes) != 2 || routes[0].Keyword != "CX" || routes[0].URL != "http://127.0.0.1:9/mo" || routes[1].ServiceCode != "1065800099" {
			t.Fatalf("routes = %+v", routes)
		}
	}
	c, err := LoadConfig(writeConfig(t, strings.Replace(body, "account: post}", "account: nobody}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), c, Options{}); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Fatalf("a route to an unknown account: err = %v", err)
	}
}
