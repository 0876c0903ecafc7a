package lockout

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

// memStore keeps failures the way the store's conformance suite requires.
type memStore struct {
	mu   sync.Mutex
	m    map[string]store.LoginLock
	fail error
}

func newMem() *memStore { return &memStore{m: map[string]store.LoginLock{}} }

func (s *memStore) LoginLock(_ context.Context, name string) (store.LoginLock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[name], s.fail
}

func (s *memStore) RecordLoginFailure(_ context.Context, name string, at time.Time, p store.LockPolicy) (store.LoginLock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return store.LoginLock{}, s.fail
	}
	l := s.m[name]
	if l.FirstAt.Before(at.Add(-p.Window)) {
		l.Failures, l.FirstAt = 0, at
	}
	l.Failures++
	if l.Failures >= p.Max {
		l = store.LoginLock{LockedUntil: at.Add(p.LockFor)}
	}
	s.m[name] = l
	return l, nil
}

func (s *memStore) ClearLoginFailures(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, name)
	return s.fail
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLockAfterMaxFailures(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	g := New(newMem(), store.LockPolicy{Max: 3, Window: 15 * time.Minute, LockFor: 10 * time.Minute}, c.now)
	try := func(success bool) (time.Duration, bool) {
		t.Helper()
		wait, ok, err := g.Begin(ctx, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if err := g.End(ctx, "ann", success); err != nil {
				t.Fatal(err)
			}
		}
		return wait, ok
	}
	for i := range 3 {
		if _, ok := try(false); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if wait, ok := try(true); ok || wait != 10*time.Minute {
		t.Fatalf("after 3 failures: ok %v wait %v", ok, wait)
	}
	c.t = c.t.Add(9 * time.Minute)
	if wait, ok := try(true); ok || wait != time.Minute {
		t.Fatalf("9 minutes later: ok %v wait %v", ok, wait)
	}
	c.t = c.t.Add(time.Minute)
	if _, ok := try(true); !ok {
		t.Fatal("refused after the lock ended")
	}
	// The success cleared the count: two failures do not lock.
	try(false)
	try(false)
	if _, ok := try(true); !ok {
		t.Fatal("two failures after a success locked the name")
	}
}

// Checks in progress count: with a limit of 2, only 2 of many concurrent
// checks run; Cancel gives a place back.
func TestPendingChecksCount(t *testing.T) {
	ctx := context.Background()
	g := New(newMem(), store.LockPolicy{Max: 2, Window: time.Hour, LockFor: time.Hour}, nil)
	allowed := 0
	for range 5 {
		if _, ok, _ := g.Begin(ctx, "bob"); ok {
			allowed++
		}
	}
	if allowed != 2 {
		t.Fatalf("%d checks allowed at once, want 2", allowed)
	}
	g.Cancel("bob")
	if _, ok, _ := g.Begin(ctx, "bob"); !ok {
		t.Fatal("a cancelled check did not free its place")
	}
	if _, ok, _ := g.Begin(ctx, "carol"); !ok {
		t.Fatal("another name is held up")
	}
}

// A failure is recorded even when the client has gone.
func TestEndOutlivesCancelledRequest(t *testing.T) {
	st := newMem()
	g := New(st, Default, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if _, ok, _ := g.Begin(ctx, "dan"); !ok {
		t.Fatal("refused")
	}
	cancel()
	if err := g.End(ctx, "dan", false); err != nil {
		t.Fatal(err)
	}
	if l, _ := st.LoginLock(context.Background(), "dan"); l.Failures != 1 {
		t.Fatalf("failures %d, want 1", l.Failures)
	}
}

func TestStoreErrorsRefuse(t *testing.T) {
	st := newMem()
	st.fail = errors.New("disk on fire")
	g := New(st, Default, nil)
	if _, ok, err := g.Begin(context.Background(), "eve"); ok || err == nil {
		t.Fatalf("Begin with a failing store: ok %v err %v", ok, err)
	}
	if err := g.Unlock(context.Background(), "eve"); err == nil {
		t.Fatal("Unlock hid the store's error")
	}
}
