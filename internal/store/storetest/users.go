package storetest

import (
	"crypto/sha256"
	"errors"
	"testing"

	"hongyan/internal/store"
)

func testUsersAndTokens(t *testing.T, s store.Store) {
	f := newFx(t, s)
	u := &store.User{Username: "admin", PasswordHash: "$argon2id$x", Role: store.RolePlatformAdmin, CreatedAt: base}
	f.must(s.CreateUser(f.ctx, u))
	if u.ID == 0 {
		t.Fatal("CreateUser set no ID")
	}
	if err := s.CreateUser(f.ctx, &store.User{Username: "admin", Role: "x"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate username: %v", err)
	}
	got, err := s.UserByName(f.ctx, "admin")
	f.must(err)
	if got.ID != u.ID || got.Role != store.RolePlatformAdmin || got.PasswordHash != "$argon2id$x" || !got.CreatedAt.Equal(base) {
		t.Fatalf("UserByName = %+v", got)
	}
	h := sha256.Sum256([]byte("tok"))
	f.must(s.CreateUserToken(f.ctx, &store.UserToken{Hash: h[:], Prefix: "tok", UserID: u.ID}))
	if got, err := s.UserByToken(f.ctx, h[:]); err != nil || got.ID != u.ID {
		t.Fatalf("UserByToken = %+v, %v", got, err)
	}
	other := sha256.Sum256([]byte("nope"))
	if _, err := s.UserByToken(f.ctx, other[:]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	u.Disabled, u.PasswordHash = true, "$argon2id$y"
	f.must(s.UpdateUser(f.ctx, u))
	if _, err := s.UserByToken(f.ctx, h[:]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token of a disabled user still works: %v", err)
	}
	if got, _ := s.UserByName(f.ctx, "admin"); got.PasswordHash != "$argon2id$y" || !got.Disabled {
		t.Fatalf("after UpdateUser: %+v", got)
	}
	if _, err := s.UserByName(f.ctx, "ghost"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing user: %v", err)
	}
}
