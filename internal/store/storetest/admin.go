package storetest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

func tokenHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// Users are listed and found by id; tokens expire and are revoked per user.
func testUserAdmin(t *testing.T, s store.Store) {
	f := newFx(t, s)
	a := &store.User{Username: "a", Role: store.RoleOrgAdmin, OrgID: 7, CreatedAt: base}
	b := &store.User{Username: "b", Role: store.RolePartner, AccountID: f.acct, Disabled: true, CreatedAt: base}
	f.must(s.CreateUser(f.ctx, a))
	f.must(s.CreateUser(f.ctx, b))
	got, err := s.GetUser(f.ctx, b.ID)
	f.must(err)
	if got.Username != "b" || got.Role != store.RolePartner || got.AccountID != f.acct || !got.Disabled || !got.CreatedAt.Equal(base) {
		t.Fatalf("GetUser = %+v", got)
	}
	_, err = s.GetUser(f.ctx, 987654)
	wantErr(t, err, store.ErrNotFound, "GetUser of a missing id")
	us, err := s.Users(f.ctx)
	f.must(err)
	if len(us) != 2 || us[0].ID != a.ID || us[1].ID != b.ID || us[0].OrgID != 7 || us[0].Disabled {
		t.Fatalf("Users = %+v", us)
	}

	// Expiry: a token past its time is no token; zero = never.
	live, old, never, other := tokenHash("live"), tokenHash("old"), tokenHash("never"), tokenHash("other")
	f.must(s.CreateUserToken(f.ctx, &store.UserToken{Hash: live, Prefix: "live", UserID: a.ID, ExpiresAt: time.Now().Add(time.Hour)}))
	f.must(s.CreateUserToken(f.ctx, &store.UserToken{Hash: old, Prefix: "old", UserID: a.ID, ExpiresAt: time.Now().Add(-time.Second)}))
	f.must(s.CreateUserToken(f.ctx, &store.UserToken{Hash: never, Prefix: "never", UserID: a.ID}))
	f.must(s.CreateUserToken(f.ctx, &store.UserToken{Hash: other, Prefix: "other", UserID: b.ID}))
	for _, h := range [][]byte{live, never} {
		if u, err := s.UserByToken(f.ctx, h); err != nil || u.ID != a.ID {
			t.Fatalf("live token: %+v, %v", u, err)
		}
	}
	_, err = s.UserByToken(f.ctx, old)
	wantErr(t, err, store.ErrNotFound, "expired token")

	// Logging out revokes that one token, once.
	out := bytes.Repeat([]byte{0x5a}, 32)
	f.must(s.CreateUserToken(f.ctx, &store.UserToken{Hash: out, Prefix: "hya_out0", UserID: a.ID, CreatedAt: base}))
	f.must(s.RevokeUserToken(f.ctx, out))
	_, err = s.UserByToken(f.ctx, out)
	wantErr(t, err, store.ErrNotFound, "logged-out token")
	wantErr(t, s.RevokeUserToken(f.ctx, out), store.ErrNotFound, "logging out twice")
	wantErr(t, s.RevokeUserToken(f.ctx, bytes.Repeat([]byte{0x5b}, 32)), store.ErrNotFound, "an unknown token")
	if _, err := s.UserByToken(f.ctx, live); err != nil {
		t.Fatalf("another token of the same user after a logout: %v", err)
	}

	// Revoking all but the caller's own token (a password change).
	n, err := s.RevokeUserTokens(f.ctx, a.ID, live)
	f.must(err)
	if n != 2 { // old and never; live is kept
		t.Fatalf("RevokeUserTokens revoked %d, want 2", n)
	}
	if _, err := s.UserByToken(f.ctx, live); err != nil {
		t.Fatalf("the kept token: %v", err)
	}
	_, err = s.UserByToken(f.ctx, never)
	wantErr(t, err, store.ErrNotFound, "revoked token")
	n, err = s.RevokeUserTokens(f.ctx, a.ID, nil)
	f.must(err)
	if n != 1 {
		t.Fatalf("RevokeUserTokens(all) revoked %d, want 1", n)
	}
	_, err = s.UserByToken(f.ctx, live)
	wantErr(t, err, store.ErrNotFound, "token after revoking all")
	// Another user's tokens are untouched (b is disabled: check the row is not revoked by re-enabling).
	b.Disabled = false
	f.must(s.UpdateUser(f.ctx, b))
	if u, err := s.UserByToken(f.ctx, other); err != nil || u.ID != b.ID {
		t.Fatalf("other user's token: %+v, %v", u, err)
	}
}

// An account's keys are revoked by prefix, only that account's, only once.
func testRevokeAPIKey(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("other")
	f.must(s.CreateAPIKey(f.ctx, &store.APIKey{Hash: bytes.Repeat([]byte{1}, 32), Prefix: "hy_aaaaa", AccountID: f.acct}))
	f.must(s.CreateAPIKey(f.ctx, &store.APIKey{Hash: bytes.Repeat([]byte{2}, 32), Prefix: "hy_bbbbb", AccountID: f.acct}))
	f.must(s.CreateAPIKey(f.ctx, &store.APIKey{Hash: bytes.Repeat([]byte{3}, 32), Prefix: "hy_aaaaa", AccountID: other.ID}))
	_, err := s.RevokeAPIKey(f.ctx, f.acct, "hy_zzzzz")
	wantErr(t, err, store.ErrNotFound, "unknown prefix")
	n, err := s.RevokeAPIKey(f.ctx, f.acct, "hy_aaaaa")
	if err != nil || n != 1 {
		t.Fatalf("RevokeAPIKey = %d, %v", n, err)
	}
	_, err = s.RevokeAPIKey(f.ctx, f.acct, "hy_aaaaa")
	wantErr(t, err, store.ErrNotFound, "a revoked key again")
	ks, err := s.APIKeys(f.ctx)
	f.must(err)
	for _, k := range ks {
		want := k.Hash[0] == 1
		if k.Revoked != want {
			t.Fatalf("key %d of account %d: revoked %v, want %v", k.Hash[0], k.AccountID, k.Revoked, want)
		}
	}
}

// The lockout counts failures within the window, locks at the limit,
// starts again after, is cleared by a success, and adds up failures
// recorded at once.
func testLoginLockout(t *testing.T, s store.Store) {
	f := newFx(t, s)
	p := store.LockPolicy{Max: 3, Window: 15 * time.Minute, LockFor: 10 * time.Minute}
	if l, err := s.LoginLock(f.ctx, "nobody"); err != nil || l != (store.LoginLock{}) {
		t.Fatalf("LoginLock of an unknown name = %+v, %v", l, err)
	}
	rec := func(name string, at time.Time) store.LoginLock {
		t.Helper()
		l, err := s.RecordLoginFailure(f.ctx, name, at, p)
		f.must(err)
		return l
	}
	if l := rec("ann", base); l.Failures != 1 || !l.FirstAt.Equal(base) || !l.LockedUntil.IsZero() {
		t.Fatalf("first failure: %+v", l)
	}
	// Out of the window: the count starts again.
	t1 := base.Add(16 * time.Minute)
	if l := rec("ann", t1); l.Failures != 1 || !l.FirstAt.Equal(t1) {
		t.Fatalf("failure after the window: %+v", l)
	}
	rec("ann", t1.Add(time.Minute))
	l := rec("ann", t1.Add(2*time.Minute))
	if want := t1.Add(2*time.Minute + p.LockFor); !l.LockedUntil.Equal(want) || l.Failures != 0 {
		t.Fatalf("third failure: %+v, want locked until %v", l, want)
	}
	if got, err := s.LoginLock(f.ctx, "ann"); err != nil || got != l {
		t.Fatalf("LoginLock = %+v, %v; want %+v", got, err, l)
	}
	// After the lock a failure counts from one, the lock's time is kept.
	if l2 := rec("ann", t1.Add(time.Hour)); l2.Failures != 1 || !l2.LockedUntil.Equal(l.LockedUntil) {
		t.Fatalf("failure after the lock: %+v", l2)
	}
	f.must(s.ClearLoginFailures(f.ctx, "ann"))
	f.must(s.ClearLoginFailures(f.ctx, "never-failed"))
	if got, _ := s.LoginLock(f.ctx, "ann"); got != (store.LoginLock{}) {
		t.Fatalf("after ClearLoginFailures: %+v", got)
	}
	if _, err := s.RecordLoginFailure(f.ctx, "x", base, store.LockPolicy{}); err == nil {
		t.Fatal("a policy without Max was accepted")
	}

	// Failures recorded at once (several nodes) all count.
	big := store.LockPolicy{Max: 1000, Window: time.Hour, LockFor: time.Minute}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			_, err := s.RecordLoginFailure(f.ctx, "bob", base.Add(time.Duration(i)*time.Millisecond), big)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.must(err)
	}
	if got, _ := s.LoginLock(f.ctx, "bob"); got.Failures != 20 {
		t.Fatalf("20 concurrent failures counted %d", got.Failures)
	}
}

// An entry rides in the context to the write that makes the change: it is
// written with the change, not without it, and only once.
func testAuditLog(t *testing.T, s store.Store) {
	f := newFx(t, s)
	org := &store.Org{Level: store.LevelProvince, Code: "P", Name: "省公司"}
	e := &store.AuditEntry{At: base, UserID: 1, Username: "root", Action: "create", Object: "org", Before: ""}
	ctx := store.WithAudit(f.ctx, e, func(e *store.AuditEntry) {
		e.ObjectID, e.OrgID, e.After = strconv.FormatInt(org.ID, 10), org.ID, `{"code":"P"}`
	})
	f.must(s.CreateOrg(ctx, org))
	// A second write with the same context does not repeat the entry.
	org.Name = "省公司（改）"
	f.must(s.UpdateOrg(ctx, org))
	// A change that fails writes no entry.
	bad := store.WithAudit(f.ctx, &store.AuditEntry{Username: "root", Action: "update", Object: "org", ObjectID: "404"}, nil)
	wantErr(t, s.UpdateOrg(bad, &store.Org{ID: 404, Level: 1, Code: "Z", Name: "z"}), store.ErrNotFound, "update of a missing org")
	dup := store.WithAudit(f.ctx, &store.AuditEntry{Username: "root", Action: "create", Object: "org"}, nil)
	wantErr(t, s.CreateOrg(dup, &store.Org{Level: 1, Code: "P", Name: "again"}), store.ErrDuplicate, "taken code")
	// A write through another method carries it too (money, the hot path's tables).
	f.must(s.AddAudit(f.ctx, &store.AuditEntry{At: base.Add(time.Second), Username: "ops", Action: "recharge", Object: "account",
		ObjectID: strconv.FormatInt(f.acct, 10), OrgID: 9, After: `{"amount":"5.000"}`}))
	rc := store.WithAudit(f.ctx, &store.AuditEntry{At: base.Add(2 * time.Second), Username: "ops", Action: "recharge", Object: "account",
		ObjectID: strconv.FormatInt(f.acct, 10), OrgID: 9}, nil)
	_, err := s.Recharge(rc, f.acct, 5000, "recharge", "", "ops")
	f.must(err)

	all, err := s.Audit(f.ctx, store.AuditQuery{})
	f.must(err)
	if len(all) != 3 {
		t.Fatalf("Audit: %d entries, want 3: %+v", len(all), all)
	}
	first := all[2]
	if first.ID != e.ID || first.Username != "root" || first.Object != "org" || first.ObjectID != strconv.FormatInt(org.ID, 10) ||
		first.OrgID != org.ID || first.After != `{"code":"P"}` || first.Before != "" || !first.At.Equal(base) || first.UserID != 1 {
		t.Fatalf("the org's entry = %+v", first)
	}
	if all[0].ID <= all[1].ID || all[1].ID <= all[2].ID {
		t.Fatalf("not newest first: %d %d %d", all[0].ID, all[1].ID, all[2].ID)
	}
	for _, tc := range []struct {
		q    store.AuditQuery
		want int
	}{
		{store.AuditQuery{Object: "account"}, 2},
		{store.AuditQuery{Object: "account", ObjectID: strconv.FormatInt(f.acct, 10)}, 2},
		{store.AuditQuery{Object: "account", ObjectID: "0"}, 0},
		{store.AuditQuery{Username: "root"}, 1},
		{store.AuditQuery{Username: "ops", Limit: 1}, 1},
		{store.AuditQuery{OrgIDs: []int64{9}}, 2},
		{store.AuditQuery{OrgIDs: []int64{org.ID, 9}}, 3},
		{store.AuditQuery{OrgIDs: []int64{}}, 0},
		{store.AuditQuery{BeforeID: all[0].ID}, 2},
	} {
		got, err := s.Audit(f.ctx, tc.q)
		f.must(err)
		if len(got) != tc.want {
			t.Errorf("Audit(%+v): %d entries, want %d", tc.q, len(got), tc.want)
		}
	}
	// A scope of more organisations than one statement's usual list.
	many := []int64{9}
	for i := range 300 {
		many = append(many, int64(10_000+i))
	}
	if got, err := s.Audit(f.ctx, store.AuditQuery{OrgIDs: many}); err != nil || len(got) != 2 {
		t.Fatalf("Audit over 301 organisations: %d, %v", len(got), err)
	}
}

// Refusals of several accounts at once, newest first.
func testRefusalsIn(t *testing.T, s store.Store) {
	f := newFx(t, s)
	b, c := f.account("b"), f.account("c")
	var rs []store.Refusal
	for i, acct := range []int64{f.acct, b.ID, c.ID, f.acct} {
		rs = append(rs, store.Refusal{AccountID: acct, Kind: "blacklisted", Number: fmt.Sprint(13800138000 + i), At: base.Add(time.Duration(i) * time.Second)})
	}
	f.must(s.Write(f.ctx, &store.WriteSet{Refusals: rs}))
	got, err := s.RefusalsIn(f.ctx, []int64{f.acct, c.ID}, 0)
	f.must(err)
	if len(got) != 3 || got[0].Number != "13800138003" || got[1].AccountID != c.ID || got[2].Number != "13800138000" {
		t.Fatalf("RefusalsIn = %+v", got)
	}
	if got, _ := s.RefusalsIn(f.ctx, []int64{f.acct, c.ID}, 2); len(got) != 2 {
		t.Fatalf("RefusalsIn with limit 2: %d", len(got))
	}
	if got, err := s.RefusalsIn(f.ctx, nil, 0); err != nil || len(got) != 0 {
		t.Fatalf("RefusalsIn(no accounts) = %v, %v", got, err)
	}
	// By kind, over some accounts or all of them.
	f.must(s.Write(f.ctx, &store.WriteSet{Refusals: []store.Refusal{
		{AccountID: b.ID, Kind: "content_filtered", Detail: "赌博", At: base.Add(10 * time.Second)},
		{AccountID: c.ID, Kind: "content_filtered", Detail: "彩票", At: base.Add(11 * time.Second)}}}))
	got, err = s.RefusalsWhere(f.ctx, store.RefusalQuery{Kind: "content_filtered"})
	f.must(err)
	if len(got) != 2 || got[0].Detail != "彩票" || got[1].Detail != "赌博" {
		t.Fatalf("RefusalsWhere(kind) = %+v", got)
	}
	got, err = s.RefusalsWhere(f.ctx, store.RefusalQuery{Accounts: []int64{b.ID}, Kind: "content_filtered"})
	f.must(err)
	if len(got) != 1 || got[0].AccountID != b.ID {
		t.Fatalf("RefusalsWhere(account, kind) = %+v", got)
	}
	if got, _ := s.RefusalsWhere(f.ctx, store.RefusalQuery{Accounts: []int64{f.acct}, Kind: "content_filtered"}); len(got) != 0 {
		t.Fatalf("RefusalsWhere of an account without that kind = %+v", got)
	}
	if got, _ := s.RefusalsWhere(f.ctx, store.RefusalQuery{Accounts: []int64{}}); len(got) != 0 {
		t.Fatalf("RefusalsWhere(no accounts) = %+v", got)
	}
	if got, _ := s.RefusalsWhere(f.ctx, store.RefusalQuery{Limit: 1}); len(got) != 1 || got[0].Detail != "彩票" {
		t.Fatalf("RefusalsWhere(limit 1) = %+v", got)
	}
}
