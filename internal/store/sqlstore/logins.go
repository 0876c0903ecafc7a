package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"hongyan/internal/store"
)

// The login lockout, kept in the database so that it holds across
// restarts, nodes, and the API and console alike.

// pruneEvery: one failure in this many also sweeps the table.
const pruneEvery = 64

var pruneTick atomic.Uint64

// LoginLock reads a name's failures and lock.
func (s *Store) LoginLock(ctx context.Context, name string) (store.LoginLock, error) {
	var l store.LoginLock
	var first, until int64
	err := s.rscanOne(ctx, `SELECT failures, first_at, locked_until FROM login_failures WHERE name = ?`, []any{name},
		&l.Failures, &first, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return store.LoginLock{}, nil
	}
	if err != nil {
		return l, fmt.Errorf("store: login lock: %w", err)
	}
	l.FirstAt, l.LockedUntil = tm(first), tm(until)
	return l, nil
}

// RecordLoginFailure counts a failure in one statement per step, so that
// failures counted at once on several nodes add up (the upsert locks the
// row until the transaction ends).
func (s *Store) RecordLoginFailure(ctx context.Context, name string, at time.Time, p store.LockPolicy) (store.LoginLock, error) {
	if p.Max <= 0 {
		return store.LoginLock{}, fmt.Errorf("store: record login failure: policy Max %d: want > 0", p.Max)
	}
	now, stale := us(at), us(at.Add(-p.Window))
	var l store.LoginLock
	err := s.write(ctx, "record login failure", func(w *wtx) error {
		// A count whose first failure left the window starts again.
		if _, err := w.exec(`INSERT INTO login_failures (name, failures, first_at, locked_until) VALUES (?, 1, ?, 0)
ON CONFLICT (name) DO UPDATE SET
    failures = CASE WHEN login_failures.first_at < ? THEN 1 ELSE login_failures.failures + 1 END,
    first_at = CASE WHEN login_failures.first_at < ? THEN excluded.first_at ELSE login_failures.first_at END`,
			name, now, stale, stale); err != nil {
			return err
		}
		// The Max-th failure locks the name and starts the count again.
		if _, err := w.exec(`UPDATE login_failures SET locked_until = ?, failures = 0, first_at = 0 WHERE name = ? AND failures >= ?`,
			us(at.Add(p.LockFor)), name, p.Max); err != nil {
			return err
		}
		// Now and then forget names with nothing left to remember, so that
		// names sprayed by a guesser do not pile up.
		if pruneTick.Add(1)%pruneEvery == 0 {
			if _, err := w.exec(`DELETE FROM login_failures WHERE locked_until < ? AND first_at < ?`, now, stale); err != nil {
				return err
			}
		}
		var first, until int64
		if err := w.scanOne(`SELECT failures, first_at, locked_until FROM login_failures WHERE name = ?`, []any{name},
			&l.Failures, &first, &until); err != nil {
			return err
		}
		l.FirstAt, l.LockedUntil = tm(first), tm(until)
		return nil
	})
	return l, err
}

// ClearLoginFailures forgets a name's failures and lock.
func (s *Store) ClearLoginFailures(ctx context.Context, name string) error {
	return s.write(ctx, "clear login failures", func(w *wtx) error {
		_, err := w.exec(`DELETE FROM login_failures WHERE name = ?`, name)
		return err
	})
}
