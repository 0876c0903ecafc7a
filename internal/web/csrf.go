package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"

	"hongyan/internal/store"
)

// CSRF: every POST carries a token in the hidden form field csrfField.
// After login the token belongs to the session. Before login there is no
// session, so the login form uses a double-submit pair: a random nonce in
// a cookie and, in the form, the nonce's HMAC under a key only the
// platform knows — a page on another site can neither read the cookie nor
// make the HMAC. The key is kept in the database, so a form one node
// served is accepted by every other. Go's cross-origin protection
// (Sec-Fetch-Site / Origin) is a second wall in front of both.
const (
	csrfField   = "csrf"
	loginCookie = "hy_login"
	// loginKeyName names the login form's key among the console secrets.
	loginKeyName = "login_csrf"
)

type csrfKeys struct{ k *loginKey }

// loginKey is the shared key, read from the store once it is needed and
// kept for the life of the process (it never changes).
type loginKey struct {
	st  store.ConsoleSessionStore
	mu  sync.Mutex
	key []byte
}

func newCSRFKeys(st store.ConsoleSessionStore) csrfKeys { return csrfKeys{k: &loginKey{st: st}} }

func (k csrfKeys) key(ctx context.Context) ([]byte, error) {
	k.k.mu.Lock()
	defer k.k.mu.Unlock()
	if k.k.key == nil {
		key, err := k.k.st.ConsoleSecret(ctx, loginKeyName, []byte(randomToken(32)))
		if err != nil {
			return nil, fmt.Errorf("login form key: %w", err)
		}
		k.k.key = key
	}
	return k.k.key, nil
}

func (k csrfKeys) sign(ctx context.Context, nonce string) (string, error) {
	key, err := k.key(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("login\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// loginToken returns the token for the login form, setting the nonce
// cookie when the browser has none yet.
func (k csrfKeys) loginToken(w http.ResponseWriter, r *http.Request, secure bool) (string, error) {
	nonce := ""
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 32 {
		nonce = c.Value
	} else {
		nonce = randomToken(32)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: nonce, Path: "/", HttpOnly: true,
			Secure: secure, SameSite: http.SameSiteLaxMode})
	}
	return k.sign(r.Context(), nonce)
}

// checkLogin verifies the login form's token against the nonce cookie.
func (k csrfKeys) checkLogin(r *http.Request) (bool, error) {
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" {
		return false, nil
	}
	want, err := k.sign(r.Context(), c.Value)
	if err != nil {
		return false, err
	}
	return equal(r.PostFormValue(csrfField), want), nil
}

// checkSession verifies a POST's token against its session's: the form
// field, or the X-CSRF-Token header for a script's request.
func checkSession(r *http.Request, s session) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue(csrfField)
	}
	return s.csrf != "" && equal(tok, s.csrf)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
