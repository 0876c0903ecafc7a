package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/web"
)

const wrongCredentials = "用户名或密码错误"

func TestLoginFlow(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)

	p := b.get("/")
	if p.Status != http.StatusOK {
		t.Fatalf("GET / = %d", p.Status)
	}
	mustContain(t, "login page", p.Body, "<html lang=\"zh-CN\"", "鸿雁短信平台", "登录", "用户名", "密码",
		`name="username"`, `name="password"`, `type="hidden" name="csrf"`)
	if ext := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).FindString(p.Body); ext != "" {
		t.Errorf("login page loads from outside the server: %s", ext)
	}
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}

	p = b.login(sb.AdminUser, sb.AdminPassword)
	if p.Status != http.StatusSeeOther || p.location() != "/" {
		t.Fatalf("login: %d %q, want 303 to /", p.Status, p.location())
	}
	var sc *http.Cookie
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == "hy_session" && c.Value != "" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || len(sc.Value) < 40 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax and a long random id", sc)
	}

	home := b.get("/")
	if home.Status != http.StatusOK {
		t.Fatalf("landing page = %d", home.Status)
	}
	mustContain(t, "landing page", home.Body, "发送", "报表", "网关", `href="/send"`, `href="/reports"`,
		`href="/gateways"`, sb.AdminUser, "平台管理员", "退出")
	for _, path := range []string{"/send", "/reports"} {
		p := b.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s = %d", path, p.Status)
		}
		mustNotContain(t, path, p.Body, "即将上线") // the placeholders gave way to the real pages
	}

	p = b.post("/logout", url.Values{"csrf": {b.csrf()}})
	if p.Status != http.StatusSeeOther || p.location() != "/?m=bye" {
		t.Fatalf("logout: %d %q", p.Status, p.location())
	}
	mustContain(t, "page after logout", b.get(p.location()).Body, "您已安全退出", "登录")

	// The old cookie is worth nothing now.
	old := newBrowser(t, srv)
	u, _ := url.Parse(srv.URL)
	old.c.Jar.SetCookies(u, []*http.Cookie{{Name: "hy_session", Value: sc.Value}})
	if p := old.get("/gateways"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/") {
		t.Fatalf("logged-out session: GET /gateways = %d %q, want a redirect to the login page", p.Status, p.location())
	}
}

func TestWrongPasswordSaysNothingMore(t *testing.T) {
	srv := console(t, web.Options{})
	for _, user := range []string{sb.AdminUser, "nobody-at-all"} {
		b := newBrowser(t, srv)
		p := b.login(user, "not-the-password")
		if p.Status != http.StatusUnauthorized {
			t.Fatalf("%s: wrong password = %d, want 401", user, p.Status)
		}
		mustContain(t, "failed login", p.Body, wrongCredentials, `name="csrf"`)
		if strings.Contains(p.Header.Get("Set-Cookie"), "hy_session=") {
			t.Fatalf("%s: a failed login set a session cookie", user)
		}
		if b.get("/gateways").Status != http.StatusSeeOther {
			t.Fatalf("%s: a failed login opened the console", user)
		}
	}
}

func TestCSRF(t *testing.T) {
	srv := console(t, web.Options{})

	// Login without the token, and with another browser's token.
	b := newBrowser(t, srv)
	b.get("/")
	p := b.post("/login", url.Values{"username": {sb.AdminUser}, "password": {sb.AdminPassword}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("login without csrf = %d, want 403", p.Status)
	}
	mustContain(t, "login refused for csrf", p.Body, "登录页面已过期")
	other := hiddenFields(newBrowser(t, srv).get("/").Body)
	other.Set("username", sb.AdminUser)
	other.Set("password", sb.AdminPassword)
	if p := b.post("/login", other); p.Status != http.StatusForbidden {
		t.Fatalf("login with another browser's csrf = %d, want 403", p.Status)
	}
	if b.get("/gateways").Status != http.StatusSeeOther {
		t.Fatal("a login refused for CSRF opened the console")
	}

	// A cross-site form post is refused even with a token.
	form := hiddenFields(b.get("/").Body)
	form.Set("username", sb.AdminUser)
	form.Set("password", sb.AdminPassword)
	if p := b.post("/login", form, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); p.Status != http.StatusForbidden {
		t.Fatalf("cross-site login = %d, want 403", p.Status)
	}

	// Logged in: a POST without the session's token does nothing.
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	for _, tok := range []string{"", "forged-token"} {
		if p := b.post("/logout", url.Values{"csrf": {tok}}); p.Status != http.StatusForbidden {
			t.Fatalf("logout with csrf %q = %d, want 403", tok, p.Status)
		}
	}
	if p := b.get("/gateways"); p.Status != http.StatusOK {
		t.Fatalf("session gone after refused logouts: GET /gateways = %d", p.Status)
	}
	if p := b.post("/logout", url.Values{}, "X-CSRF-Token", b.csrf()); p.Status != http.StatusSeeOther {
		t.Fatalf("logout with the X-CSRF-Token header = %d, want 303", p.Status)
	}
}

func TestLockout(t *testing.T) {
	clk := newClock()
	srv := console(t, web.Options{Now: clk.Now}) // the defaults: 5 failures in 15 minutes lock for 15
	name, pw := newUser(t, store.RolePlatformAdmin)
	b := newBrowser(t, srv)
	for i := range 5 {
		if p := b.login(name, "wrong"); p.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i+1, p.Status)
		}
	}
	p := b.login(name, pw)
	if p.Status != http.StatusTooManyRequests {
		t.Fatalf("right password after 5 failures = %d, want 429", p.Status)
	}
	mustContain(t, "locked login", p.Body, "锁定", "15 分钟")
	if p.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on a locked login")
	}
	clk.Add(14 * time.Minute)
	if p := b.login(name, pw); p.Status != http.StatusTooManyRequests {
		t.Fatalf("after 14 minutes = %d, want still locked", p.Status)
	}
	clk.Add(time.Minute + time.Second)
	b.mustLogin(name, pw)
}

// Failures older than the window do not count, a success clears them, and
// a name nobody has is locked the same way (the lock reveals nothing). A
// limit of 2 keeps the argon2id checks few.
func TestLockoutWindow(t *testing.T) {
	clk := newClock()
	srv := console(t, web.Options{Now: clk.Now, MaxFailures: 2})
	name, pw := newUser(t, store.RolePlatformAdmin)
	b := newBrowser(t, srv)
	b.login(name, "wrong")
	clk.Add(16 * time.Minute)
	b.login(name, "wrong")
	b.mustLogin(name, pw)

	b = newBrowser(t, srv)
	b.login(name, "wrong")
	b.mustLogin(name, pw) // the success cleared the one failure before it
	b = newBrowser(t, srv)
	if p := b.login(name, "wrong"); p.Status != http.StatusUnauthorized {
		t.Fatalf("one failure after a success = %d, want 401", p.Status)
	}

	for range 2 {
		b.login("ghost", "wrong")
	}
	if p := b.login("ghost", "wrong"); p.Status != http.StatusTooManyRequests {
		t.Fatalf("unknown user after 2 failures = %d, want 429", p.Status)
	}
}

func TestIdleExpiry(t *testing.T) {
	clk := newClock()
	srv := console(t, web.Options{Now: clk.Now})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)

	clk.Add(29 * time.Minute)
	if p := b.get("/gateways"); p.Status != http.StatusOK {
		t.Fatalf("after 29 idle minutes = %d, want 200", p.Status)
	}
	clk.Add(29 * time.Minute) // the request above restarted the idle clock
	if p := b.get("/"); p.Status != http.StatusOK || !strings.Contains(p.Body, "退出") {
		t.Fatalf("29 minutes after the last request = %d, want the landing page", p.Status)
	}

	// The page's background refresh does not keep a session alive.
	clk.Add(20 * time.Minute)
	if p := b.get("/gateways/status", "Accept", "application/json", "X-Console-Refresh", "1"); p.Status != http.StatusOK {
		t.Fatalf("background refresh = %d", p.Status)
	}
	clk.Add(10*time.Minute + time.Second)
	if p := b.get("/gateways/status", "Accept", "application/json", "X-Console-Refresh", "1"); p.Status != http.StatusUnauthorized {
		t.Fatalf("refresh after 30 idle minutes = %d, want 401", p.Status)
	}
	p := b.get("/gateways")
	if p.Status != http.StatusSeeOther {
		t.Fatalf("page after expiry = %d, want a redirect", p.Status)
	}
	mustContain(t, "login page after expiry", b.get(p.location()).Body, "会话已超时", "登录")

	// The idle time is configurable.
	srv = console(t, web.Options{Now: clk.Now, IdleTimeout: 5 * time.Minute})
	b = newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	clk.Add(5 * time.Minute)
	if p := b.get("/"); p.Status != http.StatusOK || !strings.Contains(p.Body, "登录") || strings.Contains(p.Body, "退出") {
		t.Fatalf("after 5 idle minutes with IdleTimeout 5m: %d, want the login page", p.Status)
	}
}

func TestRefusedWithoutSession(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)
	for _, path := range []string{"/send", "/reports", "/gateways", "/no-such-page", "/login/../gateways"} {
		if p := b.get(path); p.Status/100 != 3 {
			t.Errorf("GET %s without a session = %d, want a redirect", path, p.Status)
		} else if p.Status == http.StatusSeeOther && p.location() != "/" {
			t.Errorf("GET %s without a session redirects to %q, want /", path, p.location())
		}
	}
	p := b.get("/gateways/status", "Accept", "application/json")
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, `"unauthorized"`) {
		t.Errorf("JSON without a session = %d %s, want 401 unauthorized", p.Status, p.Body)
	}
	if p := b.post("/logout", url.Values{}); p.Status != http.StatusSeeOther || p.location() != "/" {
		t.Errorf("POST /logout without a session = %d %q", p.Status, p.location())
	}
	// A made-up session id is no session.
	u, _ := url.Parse(srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "hy_session", Value: "made-up"}})
	if p := b.get("/gateways"); p.Status != http.StatusSeeOther {
		t.Errorf("made-up session: GET /gateways = %d", p.Status)
	}
}

// Guesses sent all at once cannot slip past the limit before any of them
// has failed: checks in progress count.
func TestLockoutConcurrent(t *testing.T) {
	srv := console(t, web.Options{MaxFailures: 2})
	name, _ := newUser(t, store.RolePlatformAdmin)
	const n = 8
	type attempt struct {
		b    *browser
		form url.Values
	}
	var as []attempt
	for range n {
		b := newBrowser(t, srv)
		form := hiddenFields(b.get("/").Body)
		form.Set("username", name)
		form.Set("password", "guess")
		as = append(as, attempt{b, form})
	}
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for _, a := range as {
		wg.Go(func() {
			resp, err := a.b.c.PostForm(srv.URL+"/login", a.form)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusUnauthorized] > 2 || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != n {
		t.Fatalf("answers %v: want at most 2 checked (401), the rest refused (429)", count)
	}
}
