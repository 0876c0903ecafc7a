package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The platform's listener serves the console at / and keeps the API's
// paths for the API handler (the console marks its answers with a CSP).
func TestMountedInFrontOfTheAPI(t *testing.T) {
	b := newBrowserAt(t, "http://"+sb.Addr())
	p := b.get("/")
	if p.Status != http.StatusOK || p.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET / = %d, want the console", p.Status)
	}
	mustContain(t, "login page", p.Body, "登录")
	for _, path := range []string{"/healthz", "/metrics", "/api/v1/nothing", "/api/v1/account", "/sms/send", "/demo/mo"} {
		p := b.get(path)
		if p.Header.Get("Content-Security-Policy") != "" || strings.Contains(p.Body, "<html") {
			t.Errorf("GET %s was answered by the console (%d)", path, p.Status)
		}
	}
	if p := b.get("/healthz"); p.Status != http.StatusOK || !strings.Contains(p.Body, `"status":"ok"`) {
		t.Errorf("/healthz = %d %s", p.Status, p.Body)
	}
	if p := b.get("/api/v1/nothing"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, `"not_found"`) {
		t.Errorf("/api/v1/nothing = %d %s", p.Status, p.Body)
	}
	if p := b.get("/apiary"); p.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("/apiary went to the API; only /api and below are the API's")
	}
	// The demo's admin logs in through the platform's own console.
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	mustContain(t, "landing page", b.get("/").Body, "发送", "报表", "网关")
}
