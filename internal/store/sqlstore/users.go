package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hongyan/internal/store"
)

const userCols = `username, password_hash, role, account_id, disabled, created_at, org_id`

// CreateUser stores a user; a taken username is ErrDuplicate.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now()
	}
	given := u.ID
	return s.write(ctx, "create user", func(w *wtx) error {
		id, err := w.insertWithID("users", given, userCols,
			[]any{u.Username, u.PasswordHash, u.Role, u.AccountID, b2i(u.Disabled), us(u.CreatedAt), u.OrgID})
		if err != nil {
			return s.dupOr(err)
		}
		u.ID = id
		return nil
	})
}

// UpdateUser changes a user's password hash, role, account, organisation and disabled flag.
// A changed password or a disable ends the user's console sessions.
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	return s.write(ctx, "update user", func(w *wtx) error {
		if err := w.endSessionsOnChange(u); err != nil { // consolesessions.go
			return err
		}
		n, err := w.execN(`UPDATE users SET password_hash = ?, role = ?, account_id = ?, disabled = ?, org_id = ? WHERE id = ?`,
			u.PasswordHash, u.Role, u.AccountID, b2i(u.Disabled), u.OrgID, u.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %d: %w", u.ID, store.ErrNotFound)
		}
		return nil
	})
}

func (s *Store) user(ctx context.Context, op, q string, args ...any) (*store.User, error) {
	u := &store.User{}
	var disabled, created int64
	err := s.rscanOne(ctx, `SELECT id, `+userCols+` FROM users `+q, args,
		&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.AccountID, &disabled, &created, &u.OrgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	u.Disabled, u.CreatedAt = disabled != 0, tm(created)
	return u, nil
}

// UserByName finds a user by username.
func (s *Store) UserByName(ctx context.Context, username string) (*store.User, error) {
	return s.user(ctx, "user by name", `WHERE username = ?`, username)
}

// CreateUserToken stores a token (its SHA-256) for a user.
func (s *Store) CreateUserToken(ctx context.Context, t *store.UserToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	return s.write(ctx, "create user token", func(w *wtx) error {
		_, err := w.exec(`INSERT INTO user_tokens (hash, prefix, user_id, created_at, revoked, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.Hash, t.Prefix, t.UserID, us(t.CreatedAt), b2i(t.Revoked), us(t.ExpiresAt))
		return s.dupOr(err)
	})
}

// UserByToken finds the enabled user of an unrevoked, unexpired token hash.
func (s *Store) UserByToken(ctx context.Context, hash []byte) (*store.User, error) {
	return s.user(ctx, "user by token",
		`WHERE disabled = 0 AND id = (SELECT user_id FROM user_tokens WHERE hash = ? AND revoked = 0 AND (expires_at = 0 OR expires_at > ?))`,
		hash, us(time.Now()))
}
