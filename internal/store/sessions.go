package store

import (
	"context"
	"time"
)

// Console sessions (docs/console.md "Rules"), kept in the database so that
// a restart logs nobody out and every node behind a load balancer knows
// every session. A session is found by the SHA-256 of its id: the id
// itself, the cookie's value, is never stored, so a leaked table lets
// nobody log in.

// ConsoleSession is one logged-in browser.
type ConsoleSession struct {
	IDHash    []byte // SHA-256 of the session id
	UserID    int64
	Username  string
	Role      string // as at login, or as last seen changed (SetConsoleSessionRole)
	CSRF      string // the token every POST of the session carries
	CreatedAt time.Time
	LastSeen  time.Time // the last request that counted as the user's activity (written coarsely)
}

// ConsoleSessionStore keeps console sessions. Expiry (idle time, age) is
// the console's rule: the store keeps the times and deletes what it is told.
type ConsoleSessionStore interface {
	// CreateConsoleSession stores a new session; ErrDuplicate for a taken hash.
	CreateConsoleSession(ctx context.Context, s *ConsoleSession) error
	// ConsoleSession finds a session by its id's hash; ErrNotFound.
	ConsoleSession(ctx context.Context, idHash []byte) (*ConsoleSession, error)
	// TouchConsoleSession moves a session's LastSeen forward to at (never
	// back); a missing session is not an error.
	TouchConsoleSession(ctx context.Context, idHash []byte, at time.Time) error
	// SetConsoleSessionRole records a role changed since login.
	SetConsoleSessionRole(ctx context.Context, idHash []byte, role string) error
	// DeleteConsoleSession ends one session (a logout); a missing one is not an error.
	DeleteConsoleSession(ctx context.Context, idHash []byte) error
	// DeleteUserSessions ends every session of a user; returns how many.
	// UpdateUser does it too, in its transaction, when it changes the
	// user's password or disables the user.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)
	// DeleteExpiredConsoleSessions deletes the sessions last seen before
	// idleBefore or created before createdBefore; returns how many.
	DeleteExpiredConsoleSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error)
	// ConsoleSecret returns the secret stored under name, storing fresh
	// first when there is none: every node gets the same one (the login
	// form's CSRF key).
	ConsoleSecret(ctx context.Context, name string, fresh []byte) ([]byte, error)
}
