package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"

	"hongyan/internal/core"
	"hongyan/internal/sms"
)

// legacySend is GET/POST /sms/send?user=&pwd=&mobile=&content= for systems
// that cannot send JSON or headers. Same rules and answers as the JSON API.
func (s *Server) legacySend(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "cannot parse the query: "+err.Error())
		return
	}
	user, pwd := r.Form.Get("user"), r.Form.Get("pwd")
	acc := s.core.AccountByName(user)
	if acc == nil || acc.PasswordHash == "" || !s.pw.verify(acc.PasswordHash, pwd) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "wrong user or pwd")
		return
	}
	if err := s.core.CheckIP(acc, r.RemoteAddr); err != nil {
		s.writeErr(w, r, err)
		return
	}
	req := &core.SendRequest{AccountID: acc.ID, To: splitNumbers(r.Form.Get("mobile")), Content: r.Form.Get("content"),
		Business: r.Form.Get("business"), ClientRef: r.Form.Get("client_ref"), Ext: r.Form.Get("ext"),
		OutsideHours: r.Form.Get("outside_hours")}
	legacyTemplated(r.Form, req) // template=, signature=, var.NAME= (templates.go)
	s.send(w, r, req)
}

// passwordCache remembers passwords that verified, as SHA-256, so the slow
// KDF runs once per password rather than once per legacy request.
type passwordCache struct {
	mu sync.Mutex
	ok map[string][32]byte // stored hash → sha256(password)
}

func newPasswordCache() *passwordCache { return &passwordCache{ok: map[string][32]byte{}} }

func (p *passwordCache) verify(stored, pwd string) bool {
	sum := sha256.Sum256([]byte(pwd))
	p.mu.Lock()
	known, hit := p.ok[stored]
	p.mu.Unlock()
	if hit {
		return subtle.ConstantTimeCompare(known[:], sum[:]) == 1
	}
	if !core.CheckPassword(stored, pwd) {
		return false
	}
	p.mu.Lock()
	p.ok[stored] = sum
	p.mu.Unlock()
	return true
}

func normalizeOrSame(n string) string {
	if v, err := sms.NormalizeNumber(n); err == nil {
		return v
	}
	return n
}

type demoMOBody struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Content string `json:"content"`
}

func (s *Server) demoMO(w http.ResponseWriter, r *http.Request) {
	var b demoMOBody
	if err := decodeJSON(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", err.Error())
		return
	}
	if strings.TrimSpace(b.From) == "" || strings.TrimSpace(b.To) == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", `give "from", "to" and "content"`)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	if err := s.opts.DemoMO(ctx, b.From, b.To, b.Content); err != nil {
		writeError(w, http.StatusBadRequest, "demo_mo_failed", err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "sent", "from": b.From, "to": b.To})
}
