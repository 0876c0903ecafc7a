package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"sync"
	"time"

	"hongyan/internal/store"
)

const sessionCookie = "hy_session"

// Sessions are kept in the database (store.ConsoleSessionStore): a restart
// logs nobody out and every node behind a load balancer knows every
// session, so no stickiness is needed. Each request reads its session
// there — no cache, so a logout, a disable or a password change on any
// node ends the session on every node at its next request.
const (
	// sweepEvery: expired rows are deleted at a login at most this often
	// per node. Rows are only added by logins, so sweeping at logins keeps
	// the table as small as the sessions alive; an expired row left in it
	// meanwhile is refused when read.
	sweepEvery = 10 * time.Minute
	// touchMax: a session's last-seen time is written at most this often
	// (the idle timeout counts from the last write, so a session ends at
	// most this much early), not at every request.
	touchMax = time.Minute
)

// session is one logged-in browser.
type session struct {
	id       string
	userID   int64
	username string
	role     string
	csrf     string // the token every POST of this session carries
	created  time.Time
	lastSeen time.Time
}

// sessions is the console's side of the session table: the expiry rules.
type sessions struct {
	st           store.ConsoleSessionStore
	log          *slog.Logger
	idle, maxAge time.Duration
	touchEvery   time.Duration
	mu           sync.Mutex
	swept        time.Time
}

func newSessions(st store.ConsoleSessionStore, log *slog.Logger, idle, maxAge time.Duration) *sessions {
	return &sessions{st: st, log: log, idle: idle, maxAge: maxAge, touchEvery: min(touchMax, idle/10)}
}

// hashID is what the table keeps of a session id.
func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// create starts a session for a user. A fresh id at every login means an
// id planted before login is worth nothing (no session fixation).
func (ss *sessions) create(ctx context.Context, userID int64, username, role string, now time.Time) (session, error) {
	ss.sweep(ctx, now)
	s := session{id: randomToken(32), userID: userID, username: username, role: role,
		csrf: randomToken(32), created: now, lastSeen: now}
	err := ss.st.CreateConsoleSession(ctx, &store.ConsoleSession{IDHash: hashID(s.id), UserID: userID, Username: username,
		Role: role, CSRF: s.csrf, CreatedAt: now, LastSeen: now})
	if err != nil {
		return session{}, err
	}
	return s, nil
}

// get returns the session with this id: live, ended (unknown, expired,
// logged out) or unavailable (the store failed: refuse the request, keep
// the session). touch restarts the idle clock: a person's request does, a
// page's background refresh does not, so an unattended screen still times
// out.
func (ss *sessions) get(ctx context.Context, id string, now time.Time, touch bool) (session, sessionState) {
	if id == "" || len(id) > 128 {
		return session{}, ended
	}
	h := hashID(id)
	cs, err := ss.st.ConsoleSession(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return session{}, ended
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			ss.log.Error("console: read session", "err", err)
		}
		return session{}, unavailable
	}
	s := session{id: id, userID: cs.UserID, username: cs.Username, role: cs.Role, csrf: cs.CSRF,
		created: cs.CreatedAt, lastSeen: cs.LastSeen}
	if ss.expired(s, now) {
		ss.delete(id)
		return session{}, ended
	}
	if touch && now.Sub(s.lastSeen) >= ss.touchEvery {
		// A failed touch costs at most an early timeout: serve the request.
		if err := ss.st.TouchConsoleSession(ctx, h, now); err != nil {
			ss.log.Warn("console: touch session", "user", s.username, "err", err)
		} else {
			s.lastSeen = now
		}
	}
	return s, live
}

// setRole records a role changed in the store since login.
func (ss *sessions) setRole(id, role string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ss.st.SetConsoleSessionRole(ctx, hashID(id), role); err != nil {
		ss.log.Warn("console: record session role", "err", err)
	}
}

// end ends one session (a logout), even when the browser has gone away.
func (ss *sessions) end(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return ss.st.DeleteConsoleSession(ctx, hashID(id))
}

// delete ends a session found expired or whose user is gone; a failure
// is only logged, since the session is refused anyway and swept later.
func (ss *sessions) delete(id string) {
	if err := ss.end(context.Background(), id); err != nil {
		ss.log.Warn("console: delete session", "err", err)
	}
}

func (ss *sessions) expired(s session, now time.Time) bool {
	return now.Sub(s.lastSeen) >= ss.idle || now.Sub(s.created) >= ss.maxAge
}

// sweep deletes expired sessions, at most once per sweepEvery on this node.
func (ss *sessions) sweep(ctx context.Context, now time.Time) {
	ss.mu.Lock()
	due := ss.swept.IsZero() || now.Sub(ss.swept) >= sweepEvery || now.Before(ss.swept)
	if due {
		ss.swept = now
	}
	ss.mu.Unlock()
	if !due {
		return
	}
	n, err := ss.st.DeleteExpiredConsoleSessions(ctx, now.Add(-ss.idle), now.Add(-ss.maxAge))
	if err != nil {
		ss.log.Warn("console: sweep sessions", "err", err)
		return
	}
	if n > 0 {
		ss.log.Debug("console: swept expired sessions", "n", n)
	}
}

// randomToken returns n random bytes, URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
