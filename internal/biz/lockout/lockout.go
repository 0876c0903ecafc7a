// Package lockout is the login lockout shared by the admin API and the
// console: failed logins are counted per name typed (whether or not such a
// user exists, so the lock reveals nothing) and kept in the store, so a
// lock holds across restarts, nodes, and both ways of logging in.
package lockout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"hongyan/internal/store"
)

// Default is 5 failures within 15 minutes lock the name for 15 minutes.
var Default = store.LockPolicy{Max: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}

// Store is the part of store.Store the lockout uses.
type Store interface {
	LoginLock(ctx context.Context, name string) (store.LoginLock, error)
	RecordLoginFailure(ctx context.Context, name string, at time.Time, p store.LockPolicy) (store.LoginLock, error)
	ClearLoginFailures(ctx context.Context, name string) error
}

// Guard applies a policy. Checks in progress are counted in memory as
// failures-to-be (they last a password hash's time), so guesses sent at
// once cannot slip past the limit before any has failed; the failures
// themselves are in the store.
type Guard struct {
	st  Store
	p   store.LockPolicy
	now func() time.Time

	mu      sync.Mutex
	pending map[string]int // name → checks allowed by Begin and not yet ended
}

// New returns a guard over st; now nil = time.Now.
func New(st Store, p store.LockPolicy, now func() time.Time) *Guard {
	if now == nil {
		now = time.Now
	}
	return &Guard{st: st, p: p, now: now, pending: map[string]int{}}
}

// Policy returns the guard's rule.
func (g *Guard) Policy() store.LockPolicy { return g.p }

// Begin is called before checking a password. It refuses (ok false) while
// the name is locked, or when the checks running now would reach the limit
// if they failed, and then says how long to wait. A store error refuses too.
func (g *Guard) Begin(ctx context.Context, name string) (wait time.Duration, ok bool, err error) {
	now := g.now()
	// The read and the count happen under one lock, so two checks of one
	// name cannot both see room for one more.
	g.mu.Lock()
	defer g.mu.Unlock()
	l, err := g.st.LoginLock(ctx, name)
	if err != nil {
		return 0, false, fmt.Errorf("lockout: %w", err)
	}
	if now.Before(l.LockedUntil) {
		return l.LockedUntil.Sub(now), false, nil
	}
	fails := l.Failures
	if l.FirstAt.Before(now.Add(-g.p.Window)) {
		fails = 0
	}
	if fails+g.pending[name] >= g.p.Max {
		return g.p.LockFor, false, nil
	}
	g.pending[name]++
	return 0, true, nil
}

// End records the result of a check Begin allowed. The store is written
// even when ctx is cancelled: a guesser who hangs up after sending a
// password must not escape the count.
func (g *Guard) End(ctx context.Context, name string, success bool) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	if success {
		err = g.st.ClearLoginFailures(ctx, name)
	} else {
		_, err = g.st.RecordLoginFailure(ctx, name, g.now(), g.p)
	}
	g.Cancel(name) // after the write: meanwhile the failure counts twice, never zero times
	if err != nil {
		return fmt.Errorf("lockout: %w", err)
	}
	return nil
}

// Cancel forgets a check Begin allowed that never ran (the client went
// away, the store failed before the password was checked).
func (g *Guard) Cancel(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending[name] <= 1 {
		delete(g.pending, name)
		return
	}
	g.pending[name]--
}

// Unlock forgets a name's failures and lock (an administrator reset the password).
func (g *Guard) Unlock(ctx context.Context, name string) error {
	if err := g.st.ClearLoginFailures(ctx, name); err != nil {
		return fmt.Errorf("lockout: unlock %s: %w", name, err)
	}
	return nil
}
