package web_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/web"
)

// Sessions live in the database: these tests run several consoles over the
// sandbox's one store, as several nodes (or one node before and after a
// restart) would.

// sessionCookieOf returns the browser's session id for srv.
func sessionCookieOf(t *testing.T, b *browser, srv *httptest.Server) string {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "hy_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// sameBrowserAt is a browser for other carrying b's cookies for srv.
func sameBrowserAt(t *testing.T, b *browser, srv, other *httptest.Server) *browser {
	t.Helper()
	nb := newBrowser(t, other)
	from, _ := url.Parse(srv.URL)
	to, _ := url.Parse(other.URL)
	nb.c.Jar.SetCookies(to, b.c.Jar.Cookies(from))
	return nb
}

func loggedInPage(t *testing.T, what string, p page) {
	t.Helper()
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "退出") {
		t.Fatalf("%s: %d, want the logged-in page", what, p.Status)
	}
}

func loggedOut(t *testing.T, what string, p page) {
	t.Helper()
	if p.Status != http.StatusSeeOther {
		t.Fatalf("%s: %d, want a redirect to the login page", what, p.Status)
	}
}

func TestSessionSurvivesRestart(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	id := sessionCookieOf(t, b, srv)

	// The table keeps the id's hash, never the id.
	h := sha256.Sum256([]byte(id))
	row, err := sb.Store.ConsoleSession(context.Background(), h[:])
	if err != nil || row.Username != sb.AdminUser || row.CSRF == "" {
		t.Fatalf("session row by hash: %+v, %v", row, err)
	}
	if _, err := sb.Store.ConsoleSession(context.Background(), []byte(id)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session found by its raw id: %v", err)
	}

	srv.Close() // the process ends…
	again := console(t, web.Options{})
	b2 := sameBrowserAt(t, b, srv, again) // …and the same browser comes back to the new one
	loggedInPage(t, "after a restart", b2.get("/"))
	// The session's CSRF token still works: a POST goes through.
	p := b2.post("/logout", url.Values{"csrf": {b2.csrf()}})
	if p.Status != http.StatusSeeOther || p.location() != "/?m=bye" {
		t.Fatalf("logout after the restart: %d %q", p.Status, p.location())
	}
}

func TestSessionsSharedByNodes(t *testing.T) {
	a, bn := console(t, web.Options{}), console(t, web.Options{})
	// The login form of node A is accepted by node B: the form's key is shared.
	onA := newBrowser(t, a)
	form := hiddenFields(onA.get("/").Body)
	form.Set("username", sb.AdminUser)
	form.Set("password", sb.AdminPassword)
	onB := sameBrowserAt(t, onA, a, bn)
	p := onB.post("/login", form)
	if p.Status != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("login on B with A's form: %d %q; %.300s", p.Status, p.location(), p.Body)
	}
	onA = sameBrowserAt(t, onB, bn, a)
	loggedInPage(t, "node B", onB.get("/"))
	loggedInPage(t, "node A with B's session", onA.get("/gateways"))

	// A CSRF token from one node's page is good on the other.
	tok := onA.csrf()
	p = onB.post("/logout", url.Values{"csrf": {tok}})
	if p.Status != http.StatusSeeOther || p.location() != "/?m=bye" {
		t.Fatalf("logout on B: %d %q", p.Status, p.location())
	}
	// Logged out on B, gone on A at once.
	loggedOut(t, "node A after logout on B", onA.get("/gateways"))
	if p := onA.get("/gateways/status", "Accept", "application/json"); p.Status != http.StatusUnauthorized {
		t.Fatalf("JSON on A after logout on B = %d, want 401", p.Status)
	}
}

func TestSessionsEndWithAdminPasswordResetAndDisable(t *testing.T) {
	a, bn := console(t, web.Options{}), console(t, web.Options{})
	name, pw := newUser(t, store.RoleOperator)
	u, err := sb.Store.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	login := func() (*browser, *browser) {
		x, y := newBrowser(t, a), newBrowser(t, bn)
		x.mustLogin(name, pw)
		y.mustLogin(name, pw)
		loggedInPage(t, "node A", x.get("/"))
		loggedInPage(t, "node B", y.get("/"))
		return x, y
	}
	patch := func(body string) {
		t.Helper()
		req, _ := http.NewRequest("PATCH", "http://"+sb.Addr()+"/api/v1/admin/users/"+strconv.FormatInt(u.ID, 10),
			strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+sb.AdminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PATCH user %s = %d", body, resp.StatusCode)
		}
	}

	// A role change keeps the sessions (and takes effect).
	x, y := login()
	patch(`{"role":"auditor"}`)
	loggedInPage(t, "after a role change", x.get("/"))
	loggedInPage(t, "after a role change, node B", y.get("/"))

	// An administrator's password reset ends them on every node.
	patch(`{"password":"reset-by-admin-1"}`)
	loggedOut(t, "node A after the reset", x.get("/reports"))
	loggedOut(t, "node B after the reset", y.get("/reports"))

	// So does a disable.
	pw = "reset-by-admin-1"
	x, y = login()
	patch(`{"disabled":true}`)
	loggedOut(t, "node A after the disable", x.get("/reports"))
	loggedOut(t, "node B after the disable", y.get("/reports"))
	n, err := sb.Store.DeleteUserSessions(context.Background(), u.ID)
	if err != nil || n != 0 {
		t.Fatalf("sessions left after the disable: %d, %v", n, err)
	}
}

func TestSessionOwnPasswordChangeAcrossNodes(t *testing.T) {
	a, bn := console(t, web.Options{}), console(t, web.Options{})
	name, pw := newUser(t, store.RoleOperator)
	b, other := newBrowser(t, a), newBrowser(t, bn)
	b.mustLogin(name, pw)
	other.mustLogin(name, pw)
	old := sessionCookieOf(t, b, a)
	p := b.post("/password", url.Values{"csrf": {b.csrf()}, "old": {pw}, "new": {"changed-pass-1"}, "confirm": {"changed-pass-1"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "密码已修改") {
		t.Fatalf("change = %d", p.Status)
	}
	if now := sessionCookieOf(t, b, a); now == old {
		t.Error("the session id did not change with the password")
	}
	loggedInPage(t, "the browser that changed it", b.get("/"))
	loggedOut(t, "the user's session on the other node", other.get("/reports"))
	// The page after the change carries the new session's token.
	if p := b.post("/logout", url.Values{"csrf": {hiddenFields(p.Body).Get("csrf")}}); p.location() != "/?m=bye" {
		t.Fatalf("logout with the token of the page after the change: %d %q", p.Status, p.location())
	}
}

func TestSessionExpiryAcrossNodes(t *testing.T) {
	clk := newClock()
	quiet := slog.New(slog.DiscardHandler)
	a := console(t, web.Options{Now: clk.Now, Logger: quiet})
	bn := console(t, web.Options{Now: clk.Now, Logger: quiet})
	b := newBrowser(t, a)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	h := sha256.Sum256([]byte(sessionCookieOf(t, b, a)))
	seen := func() time.Time {
		t.Helper()
		row, err := sb.Store.ConsoleSession(context.Background(), h[:])
		if err != nil {
			t.Fatal(err)
		}
		return row.LastSeen
	}
	onB := sameBrowserAt(t, b, a, bn)
	start := seen()

	// Requests within a minute do not write the session.
	clk.Add(20 * time.Second)
	loggedInPage(t, "20 s later", b.get("/"))
	clk.Add(20 * time.Second)
	loggedInPage(t, "40 s later, node B", onB.get("/"))
	if got := seen(); !got.Equal(start) {
		t.Fatalf("last seen written within a minute: %v → %v", start, got)
	}
	// A person's request after 29 minutes on A keeps it alive on B 29 minutes later.
	clk.Add(29 * time.Minute)
	loggedInPage(t, "29 min later on A", b.get("/gateways"))
	if got := seen(); !got.Equal(clk.Now()) {
		t.Fatalf("last seen = %v, want %v", got, clk.Now())
	}
	clk.Add(29 * time.Minute)
	loggedInPage(t, "29 min after that on B", onB.get("/"))

	// Background refreshes do not keep it alive, on either node.
	clk.Add(20 * time.Minute)
	if p := onB.get("/gateways/status", "Accept", "application/json", "X-Console-Refresh", "1"); p.Status != http.StatusOK {
		t.Fatalf("background refresh = %d", p.Status)
	}
	clk.Add(10*time.Minute + time.Second)
	if p := b.get("/gateways/status", "Accept", "application/json", "X-Console-Refresh", "1"); p.Status != http.StatusUnauthorized {
		t.Fatalf("refresh after 30 idle minutes on A = %d, want 401", p.Status)
	}
	loggedOut(t, "node B after expiry", onB.get("/gateways"))
	if _, err := sb.Store.ConsoleSession(context.Background(), h[:]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session still stored: %v", err)
	}

	// The maximum age holds however busy the session is; the sweep at a
	// later login removes sessions nobody came back to.
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	left := newBrowser(t, bn)
	left.mustLogin(sb.AdminUser, sb.AdminPassword)
	hl := sha256.Sum256([]byte(sessionCookieOf(t, left, bn)))
	loginAt := clk.Now()
	for clk.Now().Sub(loginAt) < 12*time.Hour-29*time.Minute {
		clk.Add(29 * time.Minute)
		loggedInPage(t, "a busy session", b.get("/"))
	}
	clk.Add(loginAt.Add(12 * time.Hour).Sub(clk.Now()))
	loggedOut(t, "after 12 hours of use", b.get("/gateways"))
	newBrowser(t, a).mustLogin(sb.AdminUser, sb.AdminPassword) // node A's first login sweeps
	if _, err := sb.Store.ConsoleSession(context.Background(), hl[:]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("abandoned session not swept: %v", err)
	}
}
