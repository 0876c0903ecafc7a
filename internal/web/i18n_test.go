package web_test

import (
	"net/http"
	"strings"
	"testing"

	"hongyan/internal/web"
)

func TestLanguageSwitch(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)

	p := b.get("/?lang=en")
	if p.Status != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("?lang=en = %d %q, want 303 to /", p.Status, p.location())
	}
	login := b.get("/").Body
	mustContain(t, "English login page", login, `<html lang="en"`, "Hongyan SMS Platform", "Sign in", "Username", "Password", "中文")
	mustNotContain(t, "English login page", login, "用户名", "密码")
	if p := b.login(sb.AdminUser, "wrong"); p.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password = %d", p.Status)
	} else {
		mustContain(t, "English failed login", p.Body, "Wrong username or password")
	}
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	mustContain(t, "English landing page", b.get("/").Body, "Send", "Reports", "Gateways", "Sign out")
	mustContain(t, "English gateway page", b.get("/gateways").Body, "China Mobile", "Operator")

	// The switch keeps the page and its other parameters.
	if p := b.get("/gateways?lang=zh"); p.Status != http.StatusSeeOther || p.location() != "/gateways" {
		t.Fatalf("?lang=zh on /gateways = %d %q", p.Status, p.location())
	}
	mustContain(t, "Chinese gateway page", b.get("/gateways").Body, "网关状态", "中国移动")

	// An unknown language changes nothing.
	b.get("/?lang=xx")
	mustContain(t, "after ?lang=xx", b.get("/").Body, "发送")
	// And a redirect never leaves the server.
	if p := b.get("//evil.example/?lang=en"); p.Status/100 == 3 && strings.HasPrefix(p.location(), "//") {
		t.Fatalf("?lang on //evil.example redirects to %q", p.location())
	}
}
