package store

import (
	"context"
	"sync/atomic"
	"time"
)

// AdminStore is what the administration needs beyond the core's methods:
// users and their tokens, API keys, the persisted login lockout and the
// audit log.
type AdminStore interface {
	GetUser(ctx context.Context, id int64) (*User, error) // ErrNotFound
	Users(ctx context.Context) ([]*User, error)           // every user, by id
	// RevokeUserTokens revokes a user's tokens except the one whose hash is
	// except (nil = all); returns how many it revoked.
	RevokeUserTokens(ctx context.Context, userID int64, except []byte) (int, error)
	// RevokeUserToken revokes the one token hashed hash (a logout);
	// ErrNotFound when it is unknown or revoked already.
	RevokeUserToken(ctx context.Context, hash []byte) error
	// RevokeAPIKey revokes an account's unrevoked keys with that prefix;
	// ErrNotFound when there is none.
	RevokeAPIKey(ctx context.Context, accountID int64, prefix string) (int, error)
	// RefusalsIn lists the refusals of the given accounts, newest first.
	RefusalsIn(ctx context.Context, accountIDs []int64, limit int) ([]Refusal, error)
	// RefusalsWhere lists the refusals q selects, newest first.
	RefusalsWhere(ctx context.Context, q RefusalQuery) ([]Refusal, error)

	// LoginLock is the lockout state of a login name (the zero LoginLock
	// when it has none).
	LoginLock(ctx context.Context, name string) (LoginLock, error)
	// RecordLoginFailure counts one failed login of name at `at`, in one
	// transaction (several nodes may count at once): failures older than
	// the policy's window start the count again, and the Max-th failure
	// locks the name until at+LockFor (and starts the count again).
	RecordLoginFailure(ctx context.Context, name string, at time.Time, p LockPolicy) (LoginLock, error)
	// ClearLoginFailures forgets a name's failures and lock (a success, an unlock).
	ClearLoginFailures(ctx context.Context, name string) error

	// AddAudit appends an entry (sets e.ID). Prefer WithAudit, which
	// writes the entry in the same transaction as the change.
	AddAudit(ctx context.Context, e *AuditEntry) error
	// Audit lists entries matching q, newest first.
	Audit(ctx context.Context, q AuditQuery) ([]*AuditEntry, error)
}

// LockPolicy is the login lockout's rule: Max failures within Window lock
// the name for LockFor.
type LockPolicy struct {
	Max     int
	Window  time.Duration
	LockFor time.Duration
}

// LoginLock is what is known of a login name's failures.
type LoginLock struct {
	Failures    int       // counted since FirstAt
	FirstAt     time.Time // first failure of the current count
	LockedUntil time.Time // zero = not locked
}

// AuditEntry is one administrative change: who did what to which object,
// with the object before and after as JSON ("" = did not exist / is gone).
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserID   int64
	Username string
	Action   string // "create", "update", "delete", "recharge", "revoke", …
	Object   string // "org", "user", "account", "api_key", "blacklist", "filter_word", "mo_route"
	ObjectID string
	OrgID    int64 // organisation the object belongs to; 0 = platform-wide
	Before   string
	After    string
}

// AuditQuery selects audit entries; zero fields select everything.
type AuditQuery struct {
	Object   string  // object type
	ObjectID string  // with Object
	Username string  // who made the change
	OrgIDs   []int64 // only entries of these organisations; nil = any (an empty non-nil slice = none)
	BeforeID int64   // paging: entries older than this id
	Limit    int     // <= 0 = all
}

// pendingAudit is an entry riding in a context to the store write that
// makes its change.
type pendingAudit struct {
	entry    *AuditEntry
	complete func(*AuditEntry)
	written  atomic.Bool
}

type auditKey struct{}

// WithAudit returns a context whose next successful store write also
// writes e to the audit log, in the same transaction: a change is never
// without its entry, nor an entry without its change. complete (may be
// nil) runs inside that transaction after the change, to fill what only
// the change knows (a new object's id, its state after). Only the first
// write that commits carries the entry; later writes with the context do
// not repeat it.
func WithAudit(ctx context.Context, e *AuditEntry, complete func(*AuditEntry)) context.Context {
	return context.WithValue(ctx, auditKey{}, &pendingAudit{entry: e, complete: complete})
}

// PendingAudit returns the entry a write with ctx must record, or nil (for
// store implementations). done marks it written once the transaction has
// committed.
func PendingAudit(ctx context.Context) (e *AuditEntry, complete func(*AuditEntry), done func()) {
	p, ok := ctx.Value(auditKey{}).(*pendingAudit)
	if !ok || p.written.Load() {
		return nil, nil, nil
	}
	return p.entry, p.complete, func() { p.written.Store(true) }
}

// RefusalQuery selects refusals.
type RefusalQuery struct {
	// Accounts: nil = every account; empty and not nil = none.
	Accounts []int64
	Kind     string // "" = any (blacklisted, content_filtered, …)
	Limit    int    // 0 = all
}
