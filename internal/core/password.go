package core

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"

	"hongyan/internal/store"
)

// argon2id parameters (RFC 9106's second recommended option, memory-light).
const (
	argonThreads = 2
	argonKeyLen  = 32
)

// argonTime and argonMemory are variables only for LightPasswordHashing.
var (
	argonTime   uint32 = 3
	argonMemory uint32 = 64 * 1024
)

// LightPasswordHashing makes HashPassword cheap (one pass over 8 MiB) for
// test binaries that create and log in hundreds of users — some 0.6 s
// each under the race detector otherwise. Hashes made so verify as any
// other, since each carries its parameters. Call it before anything
// hashes (TestMain); the product never calls it.
func LightPasswordHashing() { argonTime, argonMemory = 1, 8*1024 }

// HashPassword returns an encoded argon2id hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword verifies pw against an encoded argon2id hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewSecret returns a random URL-safe token with a prefix, e.g. "hy_…".
func NewSecret(prefix string, bytes int) string {
	b := make([]byte, bytes)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// VerifyUser checks a username and password for a login (console or admin
// API). An unknown or disabled user still costs one argon2id check, so
// timing does not tell who exists; ok is false for all three.
func VerifyUser(ctx context.Context, st store.Store, name, pw string) (u *store.User, ok bool, err error) {
	u, err = st.UserByName(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, false, fmt.Errorf("verify user: %w", err)
	}
	if err != nil || u.Disabled {
		CheckPassword(dummyHash(), pw)
		return nil, false, nil
	}
	return u, CheckPassword(u.PasswordHash, pw), nil
}

// dummyHash is a real argon2id hash of nothing anyone knows, made once.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(NewSecret("", 16))
	if err != nil {
		panic(err)
	}
	return h
})
