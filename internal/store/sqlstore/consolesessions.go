package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// Console sessions (store/sessions.go): one row per logged-in browser,
// found by its id's hash.

// CreateConsoleSession stores a new session; a taken hash is ErrDuplicate.
func (s *Store) CreateConsoleSession(ctx context.Context, cs *store.ConsoleSession) error {
	if len(cs.IDHash) == 0 {
		return errors.New("store: create console session: no id hash")
	}
	return s.write(ctx, "create console session", func(w *wtx) error {
		_, err := w.exec(`INSERT INTO console_sessions (id_hash, user_id, username, role, csrf, created_at, last_seen)
VALUES (?, ?, ?, ?, ?, ?, ?)`, cs.IDHash, cs.UserID, cs.Username, cs.Role, cs.CSRF, us(cs.CreatedAt), us(cs.LastSeen))
		return s.dupOr(err)
	})
}

// ConsoleSession finds a session by its id's hash.
func (s *Store) ConsoleSession(ctx context.Context, idHash []byte) (*store.ConsoleSession, error) {
	cs := &store.ConsoleSession{IDHash: idHash}
	var created, seen int64
	err := s.rscanOne(ctx, `SELECT user_id, username, role, csrf, created_at, last_seen FROM console_sessions WHERE id_hash = ?`,
		[]any{idHash}, &cs.UserID, &cs.Username, &cs.Role, &cs.CSRF, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: console session: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: console session: %w", err)
	}
	cs.CreatedAt, cs.LastSeen = tm(created), tm(seen)
	return cs, nil
}

// TouchConsoleSession moves last_seen forward (two nodes touching at once
// never move it back).
func (s *Store) TouchConsoleSession(ctx context.Context, idHash []byte, at time.Time) error {
	return s.write(ctx, "touch console session", func(w *wtx) error {
		_, err := w.exec(`UPDATE console_sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?`, us(at), idHash, us(at))
		return err
	})
}

// SetConsoleSessionRole records a role changed since login.
func (s *Store) SetConsoleSessionRole(ctx context.Context, idHash []byte, role string) error {
	return s.write(ctx, "set console session role", func(w *wtx) error {
		_, err := w.exec(`UPDATE console_sessions SET role = ? WHERE id_hash = ?`, role, idHash)
		return err
	})
}

// DeleteConsoleSession ends one session.
func (s *Store) DeleteConsoleSession(ctx context.Context, idHash []byte) error {
	return s.write(ctx, "delete console session", func(w *wtx) error {
		_, err := w.exec(`DELETE FROM console_sessions WHERE id_hash = ?`, idHash)
		return err
	})
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := s.write(ctx, "delete user sessions", func(w *wtx) error {
		var err error
		n, err = w.execN(`DELETE FROM console_sessions WHERE user_id = ?`, userID)
		return err
	})
	return int(n), err
}

// endSessionsOnChange deletes a user's sessions, in UpdateUser's
// transaction, when the update changes the password or disables the user:
// whoever does it (the user, an administrator, the CLI), the sessions
// opened with the old password or before the disable end with it.
func (w *wtx) endSessionsOnChange(u *store.User) error {
	_, err := w.exec(`DELETE FROM console_sessions WHERE user_id = ?
  AND EXISTS (SELECT 1 FROM users WHERE id = ? AND (password_hash <> ? OR ? = 1))`,
		u.ID, u.ID, u.PasswordHash, b2i(u.Disabled))
	return err
}

// DeleteExpiredConsoleSessions sweeps sessions idle or old. The table
// holds one row per browser logged in: the scan is small, and the console
// runs it rarely.
func (s *Store) DeleteExpiredConsoleSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error) {
	var n int64
	err := s.write(ctx, "delete expired console sessions", func(w *wtx) error {
		var err error
		n, err = w.execN(`DELETE FROM console_sessions WHERE last_seen < ? OR created_at < ?`, us(idleBefore), us(createdBefore))
		return err
	})
	return int(n), err
}

// ConsoleSecret returns the secret named name, storing fresh first when
// there is none; nodes racing to store theirs all read the winner's.
func (s *Store) ConsoleSecret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	if len(fresh) == 0 {
		return nil, errors.New("store: console secret: empty secret")
	}
	var v []byte
	err := s.write(ctx, "console secret", func(w *wtx) error {
		if _, err := w.exec(s.d.insertIgnore(`INSERT INTO console_secrets (name, value) VALUES (?, ?)`), name, fresh); err != nil {
			return err
		}
		return w.scanOne(`SELECT value FROM console_secrets WHERE name = ?`, []any{name}, &v)
	})
	return v, err
}
