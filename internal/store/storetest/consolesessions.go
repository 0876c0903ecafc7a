package storetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"hongyan/internal/store"
)

// testConsoleSessions: sessions are found by their hash, touched only
// forward, end one by one, by user, by UpdateUser's password change or
// disable (not by a role change), and by the sweep.
func testConsoleSessions(t *testing.T, s store.Store) {
	f := newFx(t, s)
	hash := func(id string) []byte { h := sha256.Sum256([]byte(id)); return h[:] }
	u := &store.User{Username: "sess-user", PasswordHash: "$argon2id$a", Role: "operator", CreatedAt: base}
	other := &store.User{Username: "sess-other", PasswordHash: "$argon2id$b", Role: "auditor", CreatedAt: base}
	f.must(s.CreateUser(f.ctx, u))
	f.must(s.CreateUser(f.ctx, other))
	open := func(id string, uu *store.User, at time.Time) {
		t.Helper()
		f.must(s.CreateConsoleSession(f.ctx, &store.ConsoleSession{IDHash: hash(id), UserID: uu.ID, Username: uu.Username,
			Role: uu.Role, CSRF: "csrf-" + id, CreatedAt: at, LastSeen: at}))
	}
	alive := func(id string) bool {
		t.Helper()
		_, err := s.ConsoleSession(f.ctx, hash(id))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("ConsoleSession(%s): %v", id, err)
		}
		return err == nil
	}

	open("a1", u, base)
	got, err := s.ConsoleSession(f.ctx, hash("a1"))
	f.must(err)
	if !bytes.Equal(got.IDHash, hash("a1")) || got.UserID != u.ID || got.Username != "sess-user" || got.Role != "operator" ||
		got.CSRF != "csrf-a1" || !got.CreatedAt.Equal(base) || !got.LastSeen.Equal(base) {
		t.Fatalf("ConsoleSession = %+v", got)
	}
	if err := s.CreateConsoleSession(f.ctx, &store.ConsoleSession{IDHash: hash("a1"), UserID: u.ID, Username: "x", Role: "x",
		CSRF: "x", CreatedAt: base, LastSeen: base}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate hash: %v", err)
	}
	if _, err := s.ConsoleSession(f.ctx, hash("nope")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown session: %v", err)
	}

	// Touch moves last_seen forward only; role changes stick.
	f.must(s.TouchConsoleSession(f.ctx, hash("a1"), base.Add(2*time.Minute)))
	f.must(s.TouchConsoleSession(f.ctx, hash("a1"), base.Add(time.Minute)))      // a slower node's older touch
	f.must(s.TouchConsoleSession(f.ctx, hash("ghost"), base.Add(2*time.Minute))) // no such session: no error
	f.must(s.SetConsoleSessionRole(f.ctx, hash("a1"), "auditor"))
	got, err = s.ConsoleSession(f.ctx, hash("a1"))
	f.must(err)
	if !got.LastSeen.Equal(base.Add(2*time.Minute)) || got.Role != "auditor" || !got.CreatedAt.Equal(base) {
		t.Fatalf("after touches and role: %+v", got)
	}

	// One session ends; deleting it again is no error.
	open("a2", u, base)
	f.must(s.DeleteConsoleSession(f.ctx, hash("a2")))
	f.must(s.DeleteConsoleSession(f.ctx, hash("a2")))
	if alive("a2") || !alive("a1") {
		t.Fatal("DeleteConsoleSession ended the wrong session")
	}

	// Every session of a user, and only theirs.
	open("a3", u, base)
	open("b1", other, base)
	n, err := s.DeleteUserSessions(f.ctx, u.ID)
	f.must(err)
	if n != 2 || alive("a1") || alive("a3") || !alive("b1") {
		t.Fatalf("DeleteUserSessions = %d; a1 %v a3 %v b1 %v", n, alive("a1"), alive("a3"), alive("b1"))
	}

	// UpdateUser: a role change keeps the sessions, a new password or a
	// disable ends them.
	open("a4", u, base)
	u.Role = "org_admin"
	f.must(s.UpdateUser(f.ctx, u))
	if !alive("a4") || !alive("b1") {
		t.Fatal("a role change ended sessions")
	}
	u.PasswordHash = "$argon2id$a2"
	f.must(s.UpdateUser(f.ctx, u))
	if alive("a4") || !alive("b1") {
		t.Fatalf("after a password change: a4 %v (want ended), b1 %v (want alive)", alive("a4"), alive("b1"))
	}
	open("b2", other, base)
	other.Disabled = true
	f.must(s.UpdateUser(f.ctx, other))
	if alive("b1") || alive("b2") {
		t.Fatal("disabling a user left their sessions")
	}
	other.Disabled = false
	open("b3", other, base)
	f.must(s.UpdateUser(f.ctx, other)) // enabling again, same password: nothing ends
	if !alive("b3") {
		t.Fatal("enabling a user ended a session")
	}

	// The sweep: idle or old sessions go, live ones stay.
	open("idle", u, base)                                   // last seen at base
	open("old", u, base.Add(-13*time.Hour))                 // created long ago…
	f.must(s.TouchConsoleSession(f.ctx, hash("old"), base)) // …but used recently
	open("fresh", u, base.Add(10*time.Minute))
	n, err = s.DeleteExpiredConsoleSessions(f.ctx, base.Add(time.Minute), base.Add(-12*time.Hour))
	f.must(err)
	if n != 3 || alive("idle") || alive("old") || alive("b3") || !alive("fresh") {
		t.Fatalf("sweep deleted %d; idle %v old %v b3 %v fresh %v", n, alive("idle"), alive("old"), alive("b3"), alive("fresh"))
	}

	// A secret is stored once: later callers get the first one.
	k1, err := s.ConsoleSecret(f.ctx, "login-csrf", []byte("first"))
	f.must(err)
	k2, err := s.ConsoleSecret(f.ctx, "login-csrf", []byte("second"))
	f.must(err)
	k3, err := s.ConsoleSecret(f.ctx, "other", []byte("third"))
	f.must(err)
	if string(k1) != "first" || string(k2) != "first" || string(k3) != "third" {
		t.Fatalf("ConsoleSecret = %q, %q, %q", k1, k2, k3)
	}
}
