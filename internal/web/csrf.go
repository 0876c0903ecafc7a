package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// CSRF: every POST carries a token in the hidden form field csrfField.
// After login the token belongs to the session. Before login there is no
// session, so the login form uses a double-submit pair: a random nonce in
// a cookie and, in the form, the nonce's HMAC under a key only this process
// knows — a page on another site can neither read the cookie nor make the
// HMAC. Go's cross-origin protection (Sec-Fetch-Site / Origin) is a second
// wall in front of both.
const (
	csrfField   = "csrf"
	loginCookie = "hy_login"
)

type csrfKeys struct{ key []byte }

func newCSRFKeys() csrfKeys { return csrfKeys{key: []byte(randomToken(32))} }

func (k csrfKeys) sign(nonce string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("login\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// loginToken returns the token for the login form, setting the nonce
// cookie when the browser has none yet.
func (k csrfKeys) loginToken(w http.ResponseWriter, r *http.Request, secure bool) string {
	nonce := ""
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 32 {
		nonce = c.Value
	} else {
		nonce = randomToken(32)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: nonce, Path: "/", HttpOnly: true,
			Secure: secure, SameSite: http.SameSiteLaxMode})
	}
	return k.sign(nonce)
}

// checkLogin verifies the login form's token against the nonce cookie.
func (k csrfKeys) checkLogin(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return equal(r.PostFormValue(csrfField), k.sign(c.Value))
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
