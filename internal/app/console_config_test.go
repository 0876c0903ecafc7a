package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
	"hongyan/internal/web"
)

func TestConsoleConfigKeys(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, `
console:
  idle_timeout: 10m
  max_session_age: 8h
  max_failures: 3
  lock_window: 5m
  lock_for: 1h
  refresh: 15s
  secure_cookies: true
`))
	if err != nil {
		t.Fatal(err)
	}
	var o web.Options
	c.Console.apply(&o)
	if o.IdleTimeout != 10*time.Minute || o.MaxSessionAge != 8*time.Hour || o.MaxFailures != 3 || o.LockWindow != 5*time.Minute ||
		o.LockFor != time.Hour || o.Refresh != 15*time.Second || !o.SecureCookies {
		t.Fatalf("web options from the file: %+v", o)
	}

	// Keys left out keep what the caller set; a key given overrides it,
	// secure_cookies: false included.
	c, err = LoadConfig(writeConfig(t, "console:\n  max_failures: 7\n  secure_cookies: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	o = web.Options{IdleTimeout: 7 * time.Minute, MaxFailures: 2, SecureCookies: true}
	c.Console.apply(&o)
	if o.IdleTimeout != 7*time.Minute || o.MaxFailures != 7 || o.SecureCookies || o.MaxSessionAge != 0 || o.Refresh != 0 {
		t.Fatalf("partial section: %+v", o)
	}
	c, err = LoadConfig(writeConfig(t, "node_id: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	o = web.Options{SecureCookies: true, LockFor: time.Minute}
	c.Console.apply(&o)
	if !o.SecureCookies || o.LockFor != time.Minute || o.IdleTimeout != 0 {
		t.Fatalf("no section changed the options: %+v", o)
	}
}

func TestConsoleConfigRefusesMistakes(t *testing.T) {
	for body, says := range map[string]string{
		"console:\n  idle_timeout: -5m\n":                              "console.idle_timeout -5m0s: must not be negative",
		"console:\n  idle_timeout: 10s\n":                              "console.idle_timeout 10s: want 1m0s to 24h0m0s",
		"console:\n  max_session_age: 1000h\n":                         "console.max_session_age",
		"console:\n  lock_window: -1s\n":                               "console.lock_window -1s: must not be negative",
		"console:\n  lock_for: 30s\n":                                  "console.lock_for 30s",
		"console:\n  refresh: 100ms\n":                                 "console.refresh 100ms",
		"console:\n  refresh: 1h\n":                                    "console.refresh 1h0m0s",
		"console:\n  max_failures: -1\n":                               "console.max_failures -1",
		"console:\n  max_failures: 1000\n":                             "console.max_failures 1000",
		"console:\n  idle_timeout: 2h\n  max_session_age: 1h\n":        "console.idle_timeout 2h0m0s is longer than console.max_session_age 1h0m0s",
		"console:\n  idle_timout: 5m\n":                                "idle_timout",
		"console:\n  idle_timeout: soon\n":                             "soon",
		"console:\n  secure_cookies: maybe\n":                          "maybe",
		"console:\n  idle_timeout: 30m\n  lock_for: -1m\n":             "console.lock_for -1m0s: must not be negative",
		"console:\n  max_session_age: 4m\n  idle_timeout: 1m\n":        "console.max_session_age 4m0s: want 5m0s to 720h0m0s",
		"console:\n  idle_timeout: 25h\n":                              "console.idle_timeout 25h0m0s: want 1m0s to 24h0m0s",
		"console:\n  lock_window: 25h\n":                               "console.lock_window 25h0m0s",
		"console:\n  refresh: 0s\n  max_failures: 0\n  lock_for: 1m\n": "",
	} {
		_, err := LoadConfig(writeConfig(t, body))
		switch {
		case says == "" && err != nil:
			t.Errorf("%q refused: %v", body, err)
		case says != "" && err == nil:
			t.Errorf("%q accepted", body)
		case says != "" && (!strings.Contains(err.Error(), says) || !strings.Contains(err.Error(), "hongyan.yaml")):
			t.Errorf("%q: error %q, want it to name the file and say %q", body, err, says)
		}
	}
}

// The section reaches the console Build mounts: a short idle timeout logs
// out, a low max_failures locks.
func TestConsoleConfigTakesEffect(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, "database: \"sqlite:"+filepath.Join(t.TempDir(), "h.db")+"\"\n"+
		"console:\n  idle_timeout: 2m\n  max_failures: 2\n  lock_for: 1h\n"))
	if err != nil {
		t.Fatal(err)
	}
	clk := &testClock{now: time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)}
	p, err := Build(context.Background(), cfg, Options{Logger: slog.New(slog.DiscardHandler), Web: web.Options{Now: clk.Now}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Store.Close() })
	hash, err := core.HashPassword("console-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Store.CreateUser(context.Background(), &store.User{Username: "ops", PasswordHash: hash, Role: store.RoleOperator}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Front)
	t.Cleanup(srv.Close)

	b := newConsoleClient(t, srv.URL)
	if st := b.login("ops", "console-pass-1"); st != http.StatusSeeOther {
		t.Fatalf("login = %d", st)
	}
	if st, body := b.get("/"); st != http.StatusOK || !strings.Contains(body, "退出") {
		t.Fatalf("landing page = %d", st)
	}
	clk.Add(2 * time.Minute) // idle_timeout: 2m, not the default 30m
	if st, _ := b.get("/send"); st != http.StatusSeeOther {
		t.Fatalf("after 2 idle minutes = %d, want a redirect to the login page", st)
	}

	// max_failures: 2 — the third attempt is refused even with the right password.
	x := newConsoleClient(t, srv.URL)
	for range 2 {
		if st := x.login("ops", "wrong-pass"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password = %d", st)
		}
	}
	if st := x.login("ops", "console-pass-1"); st != http.StatusTooManyRequests {
		t.Fatalf("after 2 failures = %d, want 429", st)
	}
	clk.Add(59 * time.Minute) // lock_for: 1h
	if st := x.login("ops", "console-pass-1"); st != http.StatusTooManyRequests {
		t.Fatalf("59 minutes into the lock = %d, want 429", st)
	}
	clk.Add(time.Minute)
	if st := x.login("ops", "console-pass-1"); st != http.StatusSeeOther {
		t.Fatalf("after the lock = %d, want a login", st)
	}
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// consoleClient is a cookie-keeping client that does not follow redirects.
type consoleClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newConsoleClient(t *testing.T, base string) *consoleClient {
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *consoleClient) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfInputRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *consoleClient) login(user, pw string) int {
	b.t.Helper()
	_, body := b.get("/")
	m := csrfInputRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("login page without a csrf field: %.300s", body)
	}
	resp, err := b.c.PostForm(b.base+"/login", url.Values{"csrf": {m[1]}, "username": {user}, "password": {pw}})
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
