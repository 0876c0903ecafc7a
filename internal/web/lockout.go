package web

import (
	"sync"
	"time"
)

// lockout counts failed logins per username: maxFails failures within
// window lock the username for lockFor. It counts by the name typed, whether
// or not such a user exists, so the lock reveals nothing about who exists.
// Held in memory: a restart forgets it (docs/console.md).
type lockout struct {
	maxFails        int
	window, lockFor time.Duration
	mu              sync.Mutex
	byName          map[string]*attempts
	swept           time.Time
}

type attempts struct {
	fails       []time.Time // failures within the window, oldest first
	pending     int         // password checks running now
	lockedUntil time.Time
}

func newLockout(maxFails int, window, lockFor time.Duration) *lockout {
	return &lockout{maxFails: maxFails, window: window, lockFor: lockFor, byName: map[string]*attempts{}}
}

// begin is called before checking a password. It refuses while the name is
// locked, and counts checks in progress as failures-to-be, so that many
// guesses sent at once cannot slip past the limit before any has failed.
// It returns how long the lock still lasts when it refuses.
func (l *lockout) begin(name string, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	a := l.byName[name]
	if a == nil {
		a = &attempts{}
		l.byName[name] = a
	}
	if now.Before(a.lockedUntil) {
		return a.lockedUntil.Sub(now), false
	}
	a.fails = recent(a.fails, now.Add(-l.window))
	if len(a.fails)+a.pending >= l.maxFails {
		return l.lockFor, false
	}
	a.pending++
	return 0, true
}

// end records the result of a check that begin allowed.
func (l *lockout) end(name string, success bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.byName[name]
	if a == nil {
		return
	}
	a.pending--
	if success {
		a.fails, a.lockedUntil = nil, time.Time{}
		return
	}
	a.fails = append(recent(a.fails, now.Add(-l.window)), now)
	if len(a.fails) >= l.maxFails {
		a.fails, a.lockedUntil = nil, now.Add(l.lockFor)
	}
}

// cancel forgets a check that begin allowed but that never ran.
func (l *lockout) cancel(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a := l.byName[name]; a != nil {
		a.pending--
	}
}

// recent drops the times before since.
func recent(ts []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(since) {
		i++
	}
	return ts[i:]
}

// sweep forgets names with nothing left to remember, at most once a
// minute, so names sprayed by a guesser do not pile up. Called with mu held.
func (l *lockout) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for name, a := range l.byName {
		if a.pending == 0 && !now.Before(a.lockedUntil) && len(recent(a.fails, now.Add(-l.window))) == 0 {
			delete(l.byName, name)
		}
	}
}
