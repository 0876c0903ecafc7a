package sqlstore

import (
	"context"
	"fmt"

	"hongyan/internal/store"
)

// GetUser finds a user by id.
func (s *Store) GetUser(ctx context.Context, id int64) (*store.User, error) {
	return s.user(ctx, fmt.Sprintf("user %d", id), `WHERE id = ?`, id)
}

// Users lists every user by id.
func (s *Store) Users(ctx context.Context) ([]*store.User, error) {
	rows, err := s.rquery(ctx, `SELECT id, `+userCols+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var out []*store.User
	for rows.Next() {
		u := &store.User{}
		var disabled, created int64
		if err := rows.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.AccountID, &disabled, &created, &u.OrgID); err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		u.Disabled, u.CreatedAt = disabled != 0, tm(created)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return out, nil
}

// RevokeUserTokens revokes a user's tokens but the one hashed except.
func (s *Store) RevokeUserTokens(ctx context.Context, userID int64, except []byte) (int, error) {
	if except == nil {
		except = []byte{} // matches no token: every hash is 32 bytes
	}
	var n int64
	err := s.write(ctx, "revoke user tokens", func(w *wtx) error {
		var err error
		n, err = w.execN(`UPDATE user_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0 AND hash <> ?`, userID, except)
		return err
	})
	return int(n), err
}

// RevokeUserToken revokes one token.
func (s *Store) RevokeUserToken(ctx context.Context, hash []byte) error {
	return s.write(ctx, "revoke user token", func(w *wtx) error {
		n, err := w.execN(`UPDATE user_tokens SET revoked = 1 WHERE hash = ? AND revoked = 0`, hash)
		if err == nil && n == 0 {
			err = fmt.Errorf("user token: %w", store.ErrNotFound)
		}
		return err
	})
}

// RevokeAPIKey revokes an account's live keys with a prefix.
func (s *Store) RevokeAPIKey(ctx context.Context, accountID int64, prefix string) (int, error) {
	var n int64
	err := s.write(ctx, "revoke api key", func(w *wtx) error {
		var err error
		n, err = w.execN(`UPDATE api_keys SET revoked = 1 WHERE account_id = ? AND prefix = ? AND revoked = 0`, accountID, prefix)
		if err == nil && n == 0 {
			err = fmt.Errorf("account %d key %q: %w", accountID, prefix, store.ErrNotFound)
		}
		return err
	})
	return int(n), err
}

// RefusalsIn lists the refusals of several accounts, newest first.
func (s *Store) RefusalsIn(ctx context.Context, accountIDs []int64, limit int) ([]store.Refusal, error) {
	if accountIDs == nil {
		accountIDs = []int64{} // none, not every account
	}
	return s.RefusalsWhere(ctx, store.RefusalQuery{Accounts: accountIDs, Limit: limit})
}

// RefusalsWhere lists the refusals q selects, newest first.
func (s *Store) RefusalsWhere(ctx context.Context, q store.RefusalQuery) ([]store.Refusal, error) {
	if q.Accounts != nil && len(q.Accounts) == 0 {
		return nil, nil
	}
	sql, args := `SELECT account_id, business, kind, number, detail, at FROM refusals WHERE 1 = 1`, []any(nil)
	if q.Accounts != nil {
		in, iargs := anyInList(q.Accounts)
		sql, args = sql+` AND account_id IN `+in, append(args, iargs...)
	}
	if q.Kind != "" {
		sql, args = sql+` AND kind = ?`, append(args, q.Kind)
	}
	lim, largs := limitClause(q.Limit)
	rows, err := s.rquery(ctx, sql+` ORDER BY id DESC`+lim, append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: refusals: %w", err)
	}
	defer rows.Close()
	var out []store.Refusal
	for rows.Next() {
		var r store.Refusal
		var at int64
		if err := rows.Scan(&r.AccountID, &r.Business, &r.Kind, &r.Number, &r.Detail, &at); err != nil {
			return nil, fmt.Errorf("store: refusals: %w", err)
		}
		r.At = tm(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: refusals: %w", err)
	}
	return out, nil
}
