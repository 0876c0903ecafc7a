package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"hongyan/internal/web"
)

func TestGatewaysPage(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)

	p := b.get("/gateways")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /gateways = %d", p.Status)
	}
	sts := sb.Pool.Statuses()
	if len(sts) < 5 {
		t.Fatalf("sandbox has %d gateways, want one per operator", len(sts))
	}
	for _, g := range sts {
		mustContain(t, "gateway page", p.Body, "<td data-label=\"名称\" class=\"name\">"+g.Name+"</td>")
	}
	mustContain(t, "gateway page", p.Body, "网关状态", "中国移动", "中国联通", "中国电信", "中国广电",
		"CMPP 3.0", "SGIP 1.2", "SMGP 3.0", "SMPP 3.4", "正常", `data-refresh="5"`, "gateways.js")
	if n := strings.Count(p.Body, `class="state ok"`); n != len(sts) {
		t.Errorf("%d gateways shown up, want all %d", n, len(sts))
	}

	p = b.get("/gateways/status", "Accept", "application/json")
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /gateways/status = %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	var d struct {
		Rows             []map[string]string `json:"rows"`
		Summary, Updated string
	}
	if err := json.Unmarshal([]byte(p.Body), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Rows) != len(sts) || d.Updated == "" {
		t.Fatalf("JSON has %d rows (want %d), updated %q", len(d.Rows), len(sts), d.Updated)
	}
	for i, row := range d.Rows {
		if row["name"] != sts[i].Name || row["state"] != "正常" || row["state_css"] != "ok" {
			t.Errorf("row %d = %v", i, row)
		}
		for _, k := range []string{"operator", "protocol", "sessions", "window", "tps", "sent", "timeouts"} {
			if row[k] == "" {
				t.Errorf("row %d has no %s: %v", i, k, row)
			}
		}
	}
}
