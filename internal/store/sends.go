package store

import (
	"context"
	"time"
)

// Send is one submission of the console's send page: a text to a list of
// numbers, or a file of numbers (with a template filled per row). Each
// call of the core's Accept makes one batch of at most the platform's
// recipients per request, and a personalised file makes one per distinct
// text, so a send ties together every batch it made. Its id comes from
// the core's id generator; a send of one batch takes that batch's id, so
// the console and the API speak of the same number.
type Send struct {
	ID        int64
	AccountID int64
	UserID    int64 // who sent it from the console
	Username  string
	Kind      string // SendSingle, SendGroup, SendFile
	Business  string
	Content   string // the text, or the file's template with {fields}
	FileName  string
	Total     int // numbers to send (valid rows of a file)
	Accepted  int // numbers the core accepted so far
	Refused   int // rows the core refused while sending
	// Skipped is what was left out before sending: a group's contacts
	// lacking a template's variable, a file's invalid, duplicate or
	// blacklisted rows. Not in Total.
	Skipped    int
	ScheduleAt time.Time
	State      string // SendSending, SendDone, SendStopped
	Error      string // why a send stopped early
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Kinds and states of a Send.
const (
	SendSingle = "single"
	SendGroup  = "group"
	SendFile   = "file"

	SendSending = "sending" // numbers still being handed to the core
	SendDone    = "done"    // every number was handed over (accepted or refused)
	SendStopped = "stopped" // handing over stopped early (Error says why)
)

// SendProgress updates a send while its numbers are handed to the core.
type SendProgress struct {
	Batches  []int64 // batches made since the last update
	Accepted int     // totals so far (not increments)
	Refused  int
	State    string // "" = unchanged
	Error    string
	At       time.Time
}

// SendQuery selects sends, newest first.
type SendQuery struct {
	// Accounts restricts the list to these accounts' sends; nil = any, an
	// empty non-nil slice = none.
	Accounts []int64
	// ScheduledAfter, when set, keeps only sends scheduled after it (those
	// that have not started yet).
	ScheduledAfter time.Time
	BeforeID       int64 // paging: sends older than this id
	Limit          int   // <= 0 = all
}

// FailureReason counts a send's messages that ended in one failed state
// with one operator code.
type FailureReason struct {
	State State
	Code  string
	Count int
}

// SendStore keeps the console's sends.
type SendStore interface {
	// CreateSend stores s and ties batches to it; ErrDuplicate when a
	// send with that id exists.
	CreateSend(ctx context.Context, s *Send, batches []int64) error
	// UpdateSend records progress: batches added, counts, state; ErrNotFound.
	UpdateSend(ctx context.Context, id int64, p SendProgress) error
	// GetSend reads one send; ErrNotFound.
	GetSend(ctx context.Context, id int64) (*Send, error)
	// Sends lists sends matching q, newest first.
	Sends(ctx context.Context, q SendQuery) ([]*Send, error)
	// SendBatches lists the batches of a send, ascending.
	SendBatches(ctx context.Context, id int64) ([]int64, error)
	// SendCounts counts a send's messages by state (over all its batches).
	SendCounts(ctx context.Context, id int64) (map[State]int, error)
	// SendReasons counts a send's failed messages (final, neither
	// Delivered nor Cancelled) by state and operator code, most first.
	SendReasons(ctx context.Context, id int64) ([]FailureReason, error)
	// SendFailures calls fn for each of a send's failed messages (as
	// SendReasons counts them), in id order, at most limit (<= 0 = all).
	SendFailures(ctx context.Context, id int64, limit int, fn func(*Message) error) error
}
