// Package store persists Hongyan's messages, accounts and pushes behind one
// interface, with two implementations over database/sql: SQLite (embedded,
// the default) and PostgreSQL (through pgx). One conformance suite
// (storetest) runs against both.
//
// The hot paths (Accept, MarkQueued, RecordSubmits, ApplyReports) take many
// items at once and commit them in ONE transaction: callers group-commit.
//
// THIS FILE IS THE CONTRACT the core is written against. Keep names and
// semantics; add freely.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors; test with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("duplicate")
)

// State of a message. Ranks only grow: a state is never replaced by one of a
// lower rank (a late or duplicate report never moves a message back).
type State string

const (
	Held        State = "held"        // stored, waiting for an auditor's decision (review.go); never sent as it is
	Accepted    State = "accepted"    // durable in the outbox
	Queued      State = "queued"      // handed to a gateway session (in flight or waiting for retry)
	Submitted   State = "submitted"   // every segment acknowledged by the operator
	Delivered   State = "delivered"   // final: every segment DELIVRD
	Undelivered State = "undelivered" // final: a segment's report said it failed
	Expired     State = "expired"     // final: validity ran out (report EXPIRED, or never sent in time)
	Rejected    State = "rejected"    // final: the operator refused the submit, not retryable / retries used up
	Failed      State = "failed"      // final: platform could not send (no route, retries used up)
	Unknown     State = "unknown"     // final: in doubt after a crash, business type is at-most-once
	Filtered    State = "filtered"    // final: the content filter (at accept, a frequency limit, or an auditor's rejection; review.go)
	Blacklisted State = "blacklisted" // final at accept
)

// Rank orders states; final states share the top rank.
func (s State) Rank() int {
	switch s {
	case Held:
		return 1
	case Accepted:
		return 2
	case Queued:
		return 3
	case Submitted:
		return 4
	case Delivered, Undelivered, Expired, Rejected, Failed, Unknown, Filtered, Blacklisted, Cancelled, Sent:
		return 9
	}
	return 0
}

// Final reports whether no further transition can happen.
func (s State) Final() bool { return s.Rank() == 9 }

// Account is a sending account (a business system or partner). Money is in
// li (厘, 0.001 yuan) to keep sums exact.
type Account struct {
	ID           int64
	Name         string
	Balance      int64  // li
	Reserved     int64  // li held for accepted messages not yet final (read-only: the store keeps it)
	CreditLimit  int64  // li a postpaid account may go below zero; 0 = prepaid
	OrgID        int64  // the organisation it belongs to (partners: the one managing them); 0 = none
	Kind         string // KindUnit (default) or KindPartner
	ServiceCode  string // long number owned, e.g. "10658000"; MO to it or any extension lands here
	CallbackURL  string // receive URL for MO and status pushes; "" = inbox only
	Secret       string // HMAC-SHA256 key for pushes (stored as given: it must be usable to sign)
	PasswordHash string // for the legacy GET interface (user=&pwd=); "" = not allowed
	CreatedAt    time.Time
}

// APIKey is stored as SHA-256 of the key; Prefix (first 8 chars) is shown in lists.
type APIKey struct {
	Hash      []byte
	Prefix    string
	AccountID int64
	CreatedAt time.Time
	Revoked   bool
}

// Roles of users (the business-management work adds organisation roles).
const (
	RolePlatformAdmin = "platform_admin" // everything, every organisation
)

// User is a person who logs in to the console or uses the admin API.
type User struct {
	ID           int64
	Username     string
	PasswordHash string // argon2id
	Role         string
	AccountID    int64 // the sending account the user works for; 0 = none
	OrgID        int64 // the organisation the user belongs to; 0 = none (platform level)
	Disabled     bool
	CreatedAt    time.Time
}

// UserToken is an admin-API token, stored as its SHA-256.
type UserToken struct {
	Hash      []byte
	Prefix    string
	UserID    int64
	CreatedAt time.Time
	Revoked   bool
	ExpiresAt time.Time // zero = never (login tokens expire; the demo's printed one does not)
}

// BusinessType is the per-type policy the core needs (issue 4 adds billing fields).
type BusinessType struct {
	Code          string
	Name          string
	Priority      int           // lane: 0 = highest (verification codes), 1 = notices, 2 = marketing
	MaxRetries    int           // extra attempts after a failed submit
	RetryInterval time.Duration // base back-off; doubles per attempt
	MaxSegments   int           // texts longer than this are refused (content_too_long); 0 = platform default
	AtLeastOnce   bool          // in-doubt after a crash: resend (true) or mark Unknown (false)
	Validity      time.Duration // 0 = platform default
	Enabled       bool
	FeePerSegment int64  // li; 0 = free
	ChargeOn      string // ChargeDelivered (default) or ChargeSubmitted
	// Business administration (business.go).
	ChargeMode     string   // ChargePerMessage (default), ChargeMonthly, ChargeMonthlyCapped, ChargeFree
	MonthlyFee     int64    // li per subscriber and month (monthly)
	MonthlyCap     int64    // li a subscriber pays at most per month (monthly_capped)
	ReportRequired bool     // the type needs status reports (charging on delivery does)
	ServiceCode    string   // the type's long number or extension; "" = none
	MOKeywords     []string // normalised keywords users reply with to reach this type
	SendFrom       int      // sending hours, minutes after midnight in the platform's time zone;
	SendUntil      int      // from == until: any time; from > until: over midnight
	// Frequency limit (review.go): at most FreqLimit messages of this type
	// to one number within FreqWindow; 0 = no limit.
	FreqLimit  int
	FreqWindow time.Duration
	// Signatures and templates (templates.go).
	TemplateRequired bool   // free text is refused: messages must use an approved template
	Signature        string // where the unit's signature goes: SignatureNone (default), SignaturePrefix, SignatureSuffix
	UnsubscribeText  string // appended to every message (e.g. 回T退订, for marketing); "" = none
}

// When a message's fee is taken (it is reserved at accept either way).
const (
	ChargeDelivered = "delivered" // only a delivered message is charged (status reports required)
	ChargeSubmitted = "submitted" // every message the operator accepted is charged, whatever its report
)

// Charges says whether a message going final in state to, from state
// from, is charged under policy chargeOn. Everything else releases its
// reservation: a refusal, a failure before the operator took it.
func Charges(chargeOn string, from, to State) bool {
	switch {
	case to == Delivered:
		return chargeOn == ChargeDelivered || chargeOn == ChargeSubmitted
	case chargeOn == ChargeSubmitted:
		return from == Submitted && (to == Undelivered || to == Expired || to == Unknown || to == Sent)
	}
	return false
}

// LedgerEntry is one movement of an account's balance.
type LedgerEntry struct {
	ID           int64
	AccountID    int64
	At           time.Time
	Kind         string // "recharge", "adjust", "charge"
	Amount       int64  // li; negative takes money
	BalanceAfter int64
	Messages     int // charges: how many messages the row covers
	Note         string
	Actor        string // who did it (user name), "" = the platform
}

// BlacklistEntry bars a number from one business type, or from all ("").
type BlacklistEntry struct {
	Number    string
	Business  string
	Reason    string
	Source    string // "admin", "import", "unsubscribe", …
	CreatedAt time.Time
}

// FilterWord is a forbidden word and what to do with a text containing it.
type FilterWord struct {
	ID        int64
	Word      string
	Action    string // "reject" or "review"
	CreatedAt time.Time
}

// Refusal records a request or number a rule refused, against its account.
type Refusal struct {
	AccountID int64
	Business  string
	Kind      string // "blacklisted", "content_filtered", "insufficient_balance", …
	Number    string
	Detail    string
	At        time.Time
}

// Batch is one API request's worth of messages.
type Batch struct {
	ID        int64
	AccountID int64
	ClientRef string // idempotency key per account; "" = none
	Total     int
	CreatedAt time.Time
}

// Message is one destination number's message (possibly several segments).
type Message struct {
	ID           int64
	BatchID      int64
	AccountID    int64
	To           string // normalised number
	Src          string // service code + extension shown as sender
	Content      string
	Business     string
	Priority     int
	Segments     int
	Operator     string // cmcc, cucc, ctcc, cbn, intl
	Gateway      string // last gateway used
	State        State
	Attempts     int       // submit attempts made (retries = Attempts-1)
	NextAttempt  time.Time // zero = now
	ScheduleAt   time.Time // zero = immediately
	InFlight     bool      // handed to a gateway session and not yet acknowledged: in doubt after a crash
	CreatedAt    time.Time
	SubmittedAt  time.Time
	DoneAt       time.Time
	OperatorCode string // operator's raw code of the final state (e.g. DELIVRD, UNDELIV, or a submit result)
	Fee          int64  // li the message costs when charged; reserved from the account at accept
	ChargeOn     string // ChargeDelivered, ChargeSubmitted, or "" (free)
	Charged      int64  // li taken at its final state
}

// Segment is one submitted part of a message.
type Segment struct {
	MessageID   int64
	Seq         int // 1-based
	Gateway     string
	OpMsgID     string // operator message id, canonical form (see core)
	State       State  // Queued, Submitted, Delivered, Undelivered, Expired, Rejected
	Code        string
	SubmittedAt time.Time
	DoneAt      time.Time
}

// Event is one line of a message's timeline (?trace=1).
type Event struct {
	MessageID int64
	At        time.Time
	Kind      string // accepted, queued, submitted, submit_error, retry, report, state, push, recovered …
	Segment   int    // 0 = whole message
	Detail    string
}

// AcceptItem is one API request inside a group commit. On return Dup is set
// when (AccountID, ClientRef) already existed; then ExistingBatch is that
// batch's ID and nothing of this item was written.
type AcceptItem struct {
	Batch    Batch
	Messages []*Message
	Events   []Event
	// results
	Dup           bool
	ExistingBatch int64
	NoFunds       bool // refused: the fees of its messages exceed what the account may spend; nothing written
	// Day (yyyymmdd, DayKey), when not 0, adds the item's messages not final
	// at accept to the account's count of that day (DailyCount).
	Day int
	// DailyQuota, when > 0, refuses the item if the day's count would pass it.
	DailyQuota int64
	OverQuota  bool // refused: the day's quota would be exceeded; nothing written
	// Sub, when set, prices the item's messages per subscriber and month
	// and may limit them to subscribers (subscriptions.go).
	Sub *SubCharge
	// Hold, when set, is the review-queue entry of an item whose messages
	// are Held (review.go); written with the item.
	Hold *Hold
	// Freq, when its Limit > 0, is the item's business type's frequency
	// limit (review.go): Limited lists the messages it made final;
	// FreqRefused, that it would have left no message to send (nothing written).
	Freq        FreqLimit
	Limited     []Limited
	FreqRefused bool
}

// QueuedMark hands a message to a gateway: state → Queued (if lower),
// Gateway/Operator set, Attempts+1, InFlight = true, segments 1..Segments
// created (or reset to Queued if not yet submitted) on that gateway.
type QueuedMark struct {
	MessageID int64
	Operator  string
	Gateway   string
	Segments  int
	At        time.Time
}

// SubmitResult is the operator's answer to one segment's submit.
type SubmitResult struct {
	MessageID int64
	Seq       int
	Gateway   string
	OpMsgID   string // set when OK
	OK        bool
	Code      string // operator's result code ("0" when OK)
	At        time.Time
}

// Report is a status report from an operator.
type Report struct {
	Gateway string
	OpMsgID string
	State   State  // Delivered, Undelivered, Expired, Rejected (mapped from Code)
	Code    string // operator's raw stat, e.g. DELIVRD
	To      string
	At      time.Time
}

// ReportOutcome says what ApplyReports did with one report.
type ReportOutcome struct {
	Matched   bool
	MessageID int64
	AccountID int64 // owner of the matched message
	Seq       int
	Duplicate bool  // segment already final: nothing changed
	Final     State // message's state after this report if it became final, else ""
}

// Retry puts a message back to wait: InFlight=false, NextAttempt set, event written.
type Retry struct {
	MessageID   int64
	NextAttempt time.Time
	Reason      string
	At          time.Time
}

// Finish sets a final state without a report (rejected, failed, expired, unknown).
type Finish struct {
	MessageID int64
	State     State
	Code      string
	Reason    string
	At        time.Time
}

// MO is a user-originated message received from an operator.
type MO struct {
	ID         int64
	AccountID  int64 // 0 = no owner found
	From       string
	To         string // service code + extension the user sent to
	Content    string
	Operator   string
	Gateway    string
	Keyword    string
	Business   string // business type of the MO route that matched; "" = none
	RouteID    int64  // the MO route that matched; 0 = the account's service code or none
	ReceivedAt time.Time
}

// MORoute sends users' replies to a business: an MO whose destination
// starts with ServiceCode (the long number plus any extension) and, when
// Keyword is set, whose text starts with that keyword, belongs to AccountID
// and Business and is pushed to URL (the account's receive URL when empty).
type MORoute struct {
	ID          int64
	ServiceCode string
	Keyword     string // normalised (upper case, half-width); "" = any text
	AccountID   int64
	Business    string
	URL         string
	CreatedAt   time.Time
}

// Push is one callback to a business system's receive URL (MO or status).
type Push struct {
	ID        int64
	AccountID int64
	Kind      string // "mo" or "status"
	RefID     int64  // MO id or message id
	URL       string
	Body      []byte
	Attempts  int
	NextAt    time.Time
	Done      bool
	LastError string
	CreatedAt time.Time
}

// PushAttempt records every try of a push.
type PushAttempt struct {
	PushID     int64
	At         time.Time
	HTTPStatus int
	Error      string
	Duration   time.Duration
}

// WriteSet is one group commit of the hot path. Write applies its parts in
// field order (so a report finds a submit recorded in the same batch) and
// fills the outcomes; the semantics of each part are those of the method of
// the same name.
type WriteSet struct {
	Accept   []*AcceptItem
	Queued   []QueuedMark
	Submits  []SubmitResult
	Reports  []Report
	Retries  []Retry
	Finishes []Finish
	Events   []Event
	Refusals []Refusal
	// Outcomes, set by Write.
	SubmitOutcomes []ReportOutcome // reports kept unmatched that a submit now matched
	ReportOutcomes []ReportOutcome // one per Reports entry
}

// Store is everything the platform persists.
type Store interface {
	OrgStore
	AdminStore
	BusinessStore
	StatsStore        // stats.go
	CancelStore       // cancel.go
	SendStore         // sends.go
	SendRunStore      // sendrows.go: a send's units while it runs
	SubscriptionStore // subscriptions.go
	SegmentStore      // segments.go: edits of the number segment table
	// The review queue and frequency limits (review.go).
	ReviewStore
	// Signatures and templates (templates.go).
	TemplateStore
	// The number library and customer information (library.go, customers.go).
	LibraryStore
	CustomerStore
	// Counts of library and customer searches (library_search.go).
	LibrarySearchStore
	AddressBookStore // addressbook.go
	InboxStore       // inbox.go
	EnterpriseStore  // enterprises.go
	// Console sessions (sessions.go).
	ConsoleSessionStore

	// Close releases the database.
	Close() error
	// Dialect names the implementation: "sqlite" or "postgres".
	Dialect() string

	// --- accounts, keys, business types (rarely written; callers cache) ---
	CreateAccount(ctx context.Context, a *Account) error // sets a.ID if 0
	GetAccount(ctx context.Context, id int64) (*Account, error)
	// UpdateAccount changes settings (not the balance); ErrNotFound, ErrDuplicate (name).
	UpdateAccount(ctx context.Context, a *Account) error
	AccountByName(ctx context.Context, name string) (*Account, error)
	Accounts(ctx context.Context) ([]*Account, error)
	CreateAPIKey(ctx context.Context, k *APIKey) error
	CreateUser(ctx context.Context, u *User) error // sets u.ID; ErrDuplicate for a taken username
	UpdateUser(ctx context.Context, u *User) error
	UserByName(ctx context.Context, username string) (*User, error)
	CreateUserToken(ctx context.Context, t *UserToken) error
	// UserByToken finds the enabled user of an unrevoked, unexpired token hash (ErrNotFound otherwise).
	UserByToken(ctx context.Context, hash []byte) (*User, error)
	APIKeys(ctx context.Context) ([]*APIKey, error) // all, revoked included
	UpsertBusinessType(ctx context.Context, b *BusinessType) error
	BusinessTypes(ctx context.Context) ([]*BusinessType, error)
	// CreateMORoute adds a route (sets r.ID); ErrDuplicate when the
	// (ServiceCode, Keyword) pair is taken.
	CreateMORoute(ctx context.Context, r *MORoute) error
	DeleteMORoute(ctx context.Context, id int64) error // ErrNotFound
	MORoutes(ctx context.Context) ([]*MORoute, error)  // by id

	// --- money ---
	// Recharge adds amount (li; negative = an adjustment down) to the
	// balance and writes a ledger row of kind; returns the new balance.
	Recharge(ctx context.Context, accountID, amount int64, kind, note, actor string) (int64, error)
	// Ledger lists an account's entries, newest first.
	Ledger(ctx context.Context, accountID int64, limit int) ([]LedgerEntry, error)

	// --- rules ---
	// AddBlacklist stores entries (an existing number+business is updated); returns how many were new.
	AddBlacklist(ctx context.Context, es []BlacklistEntry) (int, error)
	RemoveBlacklist(ctx context.Context, number, business string) error // ErrNotFound
	// Blacklist calls fn for every entry (ordered by number, business).
	Blacklist(ctx context.Context, fn func(BlacklistEntry) error) error
	AddFilterWord(ctx context.Context, w *FilterWord) error // sets ID; ErrDuplicate for a word listed already
	RemoveFilterWord(ctx context.Context, id int64) error   // ErrNotFound
	FilterWords(ctx context.Context) ([]*FilterWord, error)
	// Refusals lists an account's refusals (0 = all), newest first.
	Refusals(ctx context.Context, accountID int64, limit int) ([]Refusal, error)

	// --- message hot path: each call is ONE transaction ---

	// Accept inserts batches, messages and events of many requests. Items
	// whose (AccountID, ClientRef) exists (or repeats inside the call) are
	// marked Dup and not written; every other item is written whole.
	// The fees of an item's messages not final at accept are reserved on
	// its account; an item whose fees exceed balance + credit_limit -
	// reserved is marked NoFunds and not written (checked before Dup).
	// An item with a Day adds its messages not final at accept to its
	// account's count of that day; one whose DailyQuota that count would
	// pass is marked OverQuota and not written (checked first).
	// When a message goes final (by any method), its reservation is
	// released and, if Charges says so, its fee taken from the balance
	// (messages.charged, one ledger row per account per transaction).
	Accept(ctx context.Context, items []*AcceptItem) error
	// Write applies a WriteSet in ONE transaction: how the core group-commits
	// every kind of hot-path write together (one fsync for all of them).
	Write(ctx context.Context, b *WriteSet) error
	// MarkQueued durably hands messages to gateways before they go on the wire.
	MarkQueued(ctx context.Context, marks []QueuedMark) error
	// RecordSubmits stores submit answers. An OK segment gets its OpMsgID and
	// state Submitted; when every segment of a message is Submitted the
	// message becomes Submitted (SubmittedAt set, InFlight=false). A report
	// kept as unmatched for that OpMsgID is applied right after (report
	// before submit response) and its outcome returned.
	RecordSubmits(ctx context.Context, results []SubmitResult) ([]ReportOutcome, error)
	// ApplyReports matches reports by OpMsgID within the reporting gateway
	// (operator ids are unique per gateway only; a report with an empty
	// Gateway matches any). A segment already final is a Duplicate. When every segment
	// of a message is final, the message goes final: Delivered if all are
	// Delivered, else the first failed segment's state and code. Unmatched
	// reports are kept (UnmatchedReports) and counted, never dropped.
	ApplyReports(ctx context.Context, reports []Report) ([]ReportOutcome, error)
	// ScheduleRetries puts messages back to wait for another attempt.
	ScheduleRetries(ctx context.Context, retries []Retry) error
	// FinishMessages sets final states (forward only: a final message is left alone).
	FinishMessages(ctx context.Context, fins []Finish) error
	// AddEvents appends timeline lines.
	AddEvents(ctx context.Context, evs []Event) error

	// --- recovery ---
	// StaleSubmitted lists Submitted messages created before the given
	// time, oldest first, at most limit: those whose reports never came.
	StaleSubmitted(ctx context.Context, before time.Time, limit int) ([]int64, error)
	// PendingMessages calls fn for every message not in a final state, oldest
	// first — except held ones, which wait for an auditor, not a gateway (review.go).
	PendingMessages(ctx context.Context, fn func(*Message) error) error

	// --- queries (scoped by account; accountID 0 = any) ---
	GetMessage(ctx context.Context, accountID, id int64) (*Message, error)
	Segments(ctx context.Context, messageID int64) ([]Segment, error)
	Events(ctx context.Context, messageID int64) ([]Event, error)
	GetBatch(ctx context.Context, accountID, id int64) (*Batch, error)
	BatchCounts(ctx context.Context, batchID int64) (map[State]int, error)
	BatchFailures(ctx context.Context, batchID int64, limit int) ([]*Message, error)
	// BatchMessages lists a batch's messages in id order (for idempotent replays).
	BatchMessages(ctx context.Context, accountID, batchID int64, limit int) ([]*Message, error)
	MessagesTo(ctx context.Context, accountID int64, to string, limit int) ([]*Message, error)
	UnmatchedReports(ctx context.Context, limit int) ([]Report, error)
	CountUnmatched(ctx context.Context) (int64, error)

	// --- MO and pushes ---
	InsertMO(ctx context.Context, mos []*MO) error // sets IDs if 0
	ListMO(ctx context.Context, accountID int64, afterID int64, limit int) ([]*MO, error)
	InsertPushes(ctx context.Context, ps []*Push) error // sets IDs if 0
	// DuePushes returns undone pushes with NextAt <= now, oldest first.
	DuePushes(ctx context.Context, now time.Time, limit int) ([]*Push, error)
	// RecordPushAttempt stores the attempt and updates the push (Attempts+1,
	// Done or NextAt/LastError as given in p).
	RecordPushAttempt(ctx context.Context, p *Push, a PushAttempt) error
	PushAttempts(ctx context.Context, pushID int64) ([]PushAttempt, error)
	PushesFor(ctx context.Context, kind string, refID int64) ([]*Push, error)
}
