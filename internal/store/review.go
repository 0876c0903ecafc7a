package store

import (
	"context"
	"errors"
	"time"
)

// The rest of the content filter (M4): the review queue and frequency
// limits, both decided inside the accept transaction.
//
// Review queue. A text with a forbidden word whose action is "review" is
// not refused: its request is accepted as usual (fees reserved, counted,
// daily quota) but its messages are Held — not final, never handed to the
// dispatcher nor to crash recovery (PendingMessages lists accepted, queued
// and submitted messages only) — with one Hold per request naming the
// words found. An auditor decides: approved, the messages become Accepted
// and go out; rejected, they end Filtered with code ReviewRejectedCode,
// their reservations released, and a refusal is recorded.
//
// Frequency limits. A business type may allow at most Limit messages to
// one number within Window. Accept counts, per business type and number,
// the messages accepted (not refused) within the window before each
// message's CreatedAt, in the same transaction that writes the item, with
// the (business, number) pairs locked on databases with several writers,
// so two concurrent requests cannot both take the last place.

// Decisions on a hold.
const (
	HoldApproved = "approved"
	HoldRejected = "rejected"
)

// Operator codes of messages the content filter ended (state Filtered).
const (
	ReviewRejectedCode   = "REVIEW_REJECTED"   // an auditor rejected the text
	FrequencyLimitedCode = "FREQUENCY_LIMITED" // its number had reached its business type's frequency limit
)

// ErrDecided: the hold was decided already (DecideHold returns it with the
// hold as it stands, to say by whom and when).
var ErrDecided = errors.New("decided already")

// Hold is one request waiting in (or gone through) the review queue.
type Hold struct {
	BatchID   int64
	AccountID int64
	Business  string
	Src       string
	Content   string
	Words     []string // the review words found in the text
	Messages  int      // messages held (numbers refused at accept are not)
	HeldAt    time.Time
	// The decision; Decision "" = waiting.
	Decision  string // HoldApproved or HoldRejected
	DecidedBy string
	DecidedAt time.Time
	Reason    string
}

// HoldQuery selects holds; the zero value selects the waiting ones.
type HoldQuery struct {
	Decided    bool    // the decided ones (newest decision first) instead of the waiting ones (oldest first)
	AccountIDs []int64 // only these accounts' holds; nil = any (an empty non-nil slice = none)
	Limit      int     // <= 0 = all
}

// HoldDecision is an auditor's decision on one hold.
type HoldDecision struct {
	BatchID  int64
	Decision string // HoldApproved or HoldRejected
	By       string
	Reason   string
	At       time.Time
	// NotBefore, when set, is the earliest time approved messages may go
	// (the business type's sending hours); a later schedule_at is kept.
	NotBefore time.Time
}

// FreqLimit is a business type's frequency limit as AcceptItem carries it.
type FreqLimit struct {
	Limit  int
	Window time.Duration
}

// Limited is a message an accept made final because its number had
// reached the frequency limit.
type Limited struct {
	Index  int       // in AcceptItem.Messages
	Number string    // the message's To
	Count  int       // messages to the number within the window before it
	NextAt time.Time // when the number may have another
	Was    State     // the state it came with (a retried transaction starts from it)
}

// ReviewStore keeps the review queue and the frequency counts.
type ReviewStore interface {
	// Holds lists holds matching q.
	Holds(ctx context.Context, q HoldQuery) ([]*Hold, error)
	// GetHold returns the hold of a batch (ErrNotFound).
	GetHold(ctx context.Context, batchID int64) (*Hold, error)
	// DecideHold applies d in one transaction: the hold is marked decided
	// and its Held messages become Accepted (approved; returned, to be
	// sent) or Filtered with ReviewRejectedCode (rejected: reservations
	// released, counted, their frequency places freed, one refusal of kind
	// "review_rejected" recorded), each with a timeline line. A hold
	// decided already is ErrDecided, returned with the hold; none is
	// ErrNotFound. Two decisions at once: one wins, the other is ErrDecided.
	DecideHold(ctx context.Context, d HoldDecision) (*Hold, []*Message, error)
	// PruneFrequency forgets frequency counts of messages accepted before
	// the given time (none of them counts in any window any more) and
	// returns how many it forgot.
	PruneFrequency(ctx context.Context, before time.Time) (int64, error)
}
