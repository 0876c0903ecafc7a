package web_test

import (
	"context"
	"net/http"
	"testing"

	"hongyan/internal/store"
	"hongyan/internal/web"
)

// A role the page table does not list gets no menu entry and is refused
// the URL itself; a role change or a disabled user takes effect at once.
func TestRoleRefusal(t *testing.T) {
	srv := console(t, web.Options{})
	name, pw := newUser(t, "org_viewer")
	b := newBrowser(t, srv)
	b.mustLogin(name, pw)

	home := b.get("/")
	if home.Status != http.StatusOK {
		t.Fatalf("landing page for org_viewer = %d", home.Status)
	}
	mustContain(t, "landing page", home.Body, "暂无可用的功能", "org_viewer")
	mustNotContain(t, "landing page", home.Body, `href="/send"`, `href="/reports"`, `href="/gateways"`)
	for _, path := range []string{"/send", "/reports", "/gateways"} {
		p := b.get(path)
		if p.Status != http.StatusForbidden {
			t.Fatalf("org_viewer GET %s = %d, want 403", path, p.Status)
		}
		mustContain(t, path, p.Body, "您的角色无权打开此页面")
	}
	if p := b.get("/gateways/status", "Accept", "application/json"); p.Status != http.StatusForbidden {
		t.Fatalf("org_viewer gateway JSON = %d, want 403", p.Status)
	}

	ctx := context.Background()
	u, err := sb.Store.UserByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	u.Role = store.RolePlatformAdmin
	if err := sb.Store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/gateways"); p.Status != http.StatusOK {
		t.Fatalf("after the role became platform_admin: GET /gateways = %d", p.Status)
	}
	u.Disabled = true
	if err := sb.Store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/gateways"); p.Status != http.StatusSeeOther {
		t.Fatalf("disabled user: GET /gateways = %d, want a redirect to login", p.Status)
	}
	if p := b.login(name, pw); p.Status != http.StatusUnauthorized {
		t.Fatalf("disabled user login = %d, want 401", p.Status)
	}
}
