package web

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

const sessionCookie = "hy_session"

// session is one logged-in browser. Sessions live in this process's memory:
// a restart logs everybody out, and with several nodes a load balancer must
// keep a browser on one node (docs/console.md). A table comes with the
// organisation work.
type session struct {
	id       string
	userID   int64
	username string
	role     string
	csrf     string // the token every POST of this session carries
	created  time.Time
	lastSeen time.Time
}

// sessions is the in-memory session table.
type sessions struct {
	idle, maxAge time.Duration
	mu           sync.Mutex
	byID         map[string]*session
	swept        time.Time
}

func newSessions(idle, maxAge time.Duration) *sessions {
	return &sessions{idle: idle, maxAge: maxAge, byID: map[string]*session{}}
}

// create starts a session for a user. A fresh id at every login means an
// id planted before login is worth nothing (no session fixation).
func (ss *sessions) create(userID int64, username, role string, now time.Time) session {
	s := &session{id: randomToken(32), userID: userID, username: username, role: role,
		csrf: randomToken(32), created: now, lastSeen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	ss.byID[s.id] = s
	return *s
}

// get returns the live session with this id. touch restarts the idle clock:
// a person's request does, a page's background refresh does not, so an
// unattended screen still times out.
func (ss *sessions) get(id string, now time.Time, touch bool) (session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[id]
	if !ok {
		return session{}, false
	}
	if ss.expired(s, now) {
		delete(ss.byID, id)
		return session{}, false
	}
	if touch {
		s.lastSeen = now
	}
	return *s, true
}

// setRole records a role changed in the store since login.
func (ss *sessions) setRole(id, role string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.byID[id]; ok {
		s.role = role
	}
}

func (ss *sessions) delete(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byID, id)
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.lastSeen) >= ss.idle || now.Sub(s.created) >= ss.maxAge
}

// sweep drops expired sessions, at most once a minute, so abandoned
// browsers do not pile up. Called with mu held.
func (ss *sessions) sweep(now time.Time) {
	if now.Sub(ss.swept) < time.Minute {
		return
	}
	ss.swept = now
	for id, s := range ss.byID {
		if ss.expired(s, now) {
			delete(ss.byID, id)
		}
	}
}

// randomToken returns n random bytes, URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
