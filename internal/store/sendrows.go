package store

import (
	"context"
	"errors"
	"time"
)

// Durable send runs: the units a console send hands to the core are stored
// when the send starts, so that a run cut short by a crash or a restart is
// continued — by this node or another — from its first unfinished unit.
//
// A run is owned through a lease (node, token, expiry) that its owner
// renews while it runs; a run whose lease ended belongs to whoever claims
// it first. A unit is marked done in the same transaction that writes the
// send's counts, so the counts and the resume position never disagree. A
// unit handed to the core but not yet marked done is handed again after a
// resume: its client_ref (console:SEND:UNIT) makes the core answer with
// the batch it made the first time, and nothing is sent twice.

// SendRun is a send whose units are stored.
type SendRun struct {
	SendID    int64
	Template  string // an approved template's id ("" = free text)
	Personal  bool   // the texts differ per row: one unit's refusal refuses only that unit
	Units     int    // how many units the send has
	Ready     bool   // every unit is stored (a run being saved is not claimed)
	Lease     SendLease
	CreatedAt time.Time
}

// SendLease is who runs a send, and until when unless renewed.
type SendLease struct {
	Node  int    // the owner's node id
	Token string // the owner process's own token
	Until time.Time
}

// SendUnit is one call of the core's Accept: numbers that share a text,
// or a template's rows with their variables (aligned with Numbers).
type SendUnit struct {
	Unit    int // its place in the send; its client_ref's last part
	Text    string
	Numbers []string
	Vars    []map[string]string // nil: free text
}

// UnitDone is a unit handed over: accepted, or refused whole with Code.
type UnitDone struct {
	Unit int
	Code string // "" = accepted
}

// ErrLeaseLost: the run is no longer the caller's (another node claimed
// it, or it was stopped and its rows deleted).
var ErrLeaseLost = errors.New("store: send run lease lost")

// SendRunStore keeps the units of the console's sends while they run.
type SendRunStore interface {
	// SaveSendRun stores a run with every unit, in transactions of many
	// units each, leased to run.Lease from the first; the run becomes
	// Ready (claimable) in the transaction that stores its last unit.
	// ErrDuplicate when the send has a run.
	SaveSendRun(ctx context.Context, run *SendRun, units []SendUnit) error
	// GetSendRun reads a send's run; ErrNotFound when it has none (never
	// stored, or finished).
	GetSendRun(ctx context.Context, sendID int64) (*SendRun, error)
	// ClaimSendRuns leases to lease at most limit ready runs whose lease
	// ended by now — and, with ownNode, those leased to lease.Node under
	// another token (this node's previous process) — and returns them.
	// Two claimers never both get one run.
	ClaimSendRuns(ctx context.Context, lease SendLease, now time.Time, ownNode bool, limit int) ([]*SendRun, error)
	// SendRunUnits calls fn with each unit of a send not done yet, in
	// unit order.
	SendRunUnits(ctx context.Context, sendID int64, fn func(*SendUnit) error) error
	// SendRunRefusals counts the numbers of the units refused so far, by code.
	SendRunRefusals(ctx context.Context, sendID int64) (map[string]int, error)
	// FlushSendRun records a run's progress in one transaction: renews the
	// lease to lease.Until (ErrLeaseLost unless lease.Token holds it),
	// marks done units and writes p to the send as UpdateSend does. When
	// p.State is set the run is over: its run and units are deleted.
	FlushSendRun(ctx context.Context, sendID int64, lease SendLease, done []UnitDone, p SendProgress) error
	// ReleaseSendRun ends token's lease on a run, so that any node may
	// claim it at once (a clean shutdown).
	ReleaseSendRun(ctx context.Context, sendID int64, token string) error
	// StopSendRun deletes a send's run and units whoever holds it and
	// marks the send stopped with errText if it was sending; the owner's
	// next flush gets ErrLeaseLost. False when the send had no run.
	StopSendRun(ctx context.Context, sendID int64, errText string, at time.Time) (bool, error)
	// CleanSendRuns deletes what a crash left behind: runs never finished
	// being saved whose lease ended by now, and runs of sends no longer
	// sending. It returns how many runs it deleted.
	CleanSendRuns(ctx context.Context, now time.Time) (int, error)
}
