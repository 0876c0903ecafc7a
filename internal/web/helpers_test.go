package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/app"
	"hongyan/internal/core"
	"hongyan/internal/store"
	"hongyan/internal/web"
)

// sb is one sandbox platform (SQLite, a simulator per operator, the console
// mounted by app) shared by the tests: each test builds its own console
// over its core, with its own clock and limits.
var sb *app.Sandbox

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	core.LightPasswordHashing() // the tests create and log in hundreds of users
	dir, err := os.MkdirTemp("", "hongyan-web-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	lv := slog.LevelError
	if os.Getenv("HONGYAN_TEST_LOG") != "" {
		lv = slog.LevelDebug
	}
	sb, err = app.NewSandbox(ctx, app.SandboxOptions{DataDir: dir, SQLiteSync: "normal",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv}))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		return 1
	}
	if err := sb.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox start:", err)
		return 1
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sb.Stop(sctx)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !allHealthy() {
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "sandbox gateways not healthy within 20 s")
			return 1
		}
		time.Sleep(50 * time.Millisecond)
	}
	return m.Run()
}

func allHealthy() bool {
	for _, g := range sb.Pool.All() {
		if !g.Healthy() {
			return false
		}
	}
	return true
}

// clock is a settable time for session and lockout tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// console starts a console of its own over the sandbox's core.
func console(t *testing.T, opts web.Options) *httptest.Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	srv := httptest.NewServer(web.New(sb.Core, opts))
	t.Cleanup(srv.Close)
	return srv
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see them.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	return newBrowserAt(t, srv.URL)
}

func newBrowserAt(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	Status int
	Body   string
	Header http.Header
}

func (p page) location() string { return p.Header.Get("Location") }

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{Status: resp.StatusCode, Body: string(body), Header: resp.Header}
}

func (b *browser) get(path string, hdr ...string) page {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, hdr ...string) page {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

var (
	inputRE  = regexp.MustCompile(`<input[^>]*>`)
	nameRE   = regexp.MustCompile(`name="([^"]*)"`)
	valueRE  = regexp.MustCompile(`value="([^"]*)"`)
	hiddenRE = regexp.MustCompile(`type="hidden"`)
)

// hiddenFields returns the hidden inputs of a page, as a browser would post them.
func hiddenFields(body string) url.Values {
	v := url.Values{}
	for _, tag := range inputRE.FindAllString(body, -1) {
		if !hiddenRE.MatchString(tag) {
			continue
		}
		n := nameRE.FindStringSubmatch(tag)
		if n == nil {
			continue
		}
		val := ""
		if m := valueRE.FindStringSubmatch(tag); m != nil {
			val = html.UnescapeString(m[1])
		}
		v.Set(html.UnescapeString(n[1]), val)
	}
	return v
}

// login fills and posts the login form of GET / and returns the answer.
func (b *browser) login(user, pw string) page {
	b.t.Helper()
	form := hiddenFields(b.get("/").Body)
	if form.Get("csrf") == "" {
		b.t.Fatal("login form carries no csrf field")
	}
	form.Set("username", user)
	form.Set("password", pw)
	return b.post("/login", form)
}

// mustLogin logs in and expects the redirect to the landing page.
func (b *browser) mustLogin(user, pw string) {
	b.t.Helper()
	if p := b.login(user, pw); p.Status != http.StatusSeeOther || p.location() != "/" {
		b.t.Fatalf("login %s: %d %q, want 303 to /; body: %.300s", user, p.Status, p.location(), p.Body)
	}
}

// csrf is the session's token from a page's logout form.
func (b *browser) csrf() string {
	b.t.Helper()
	tok := hiddenFields(b.get("/").Body).Get("csrf")
	if tok == "" {
		b.t.Fatal("landing page has no csrf field")
	}
	return tok
}

var userSeq atomic.Int64

// newUser creates a console user with a role and returns its name and password.
func newUser(t *testing.T, role string) (string, string) {
	t.Helper()
	name := fmt.Sprintf("user%d", userSeq.Add(1))
	pw := core.NewSecret("", 9)
	h, err := core.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Store.CreateUser(context.Background(), &store.User{Username: name, PasswordHash: h, Role: role,
		CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return name, pw
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q; body: %.600s", what, w, body)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q", what, w)
		}
	}
}
