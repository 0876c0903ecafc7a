package store

import (
	"context"
	"time"
)

// Running the SMS business (A2–A4, B1–B2): what a business type charges and
// when it may send, which organisations and accounts may use which types,
// and the access limits of (partner) accounts.

// Charging modes of a business type (B1). Only per_message and free change
// what accept reserves today; the monthly modes' fee and cap are kept for
// the subscriptions (M8), which charge them per subscriber and month.
const (
	ChargePerMessage    = "per_message"    // FeePerSegment for every segment (the default)
	ChargeMonthly       = "monthly"        // a monthly fee per subscriber (包月); messages as per_message (usually 0)
	ChargeMonthlyCapped = "monthly_capped" // per message, at most MonthlyCap per subscriber and month (封顶)
	ChargeFree          = "free"           // nothing, whatever FeePerSegment says
)

// ValidChargeMode reports whether m names a charging mode ("" is per_message).
func ValidChargeMode(m string) bool {
	switch m {
	case "", ChargePerMessage, ChargeMonthly, ChargeMonthlyCapped, ChargeFree:
		return true
	}
	return false
}

// Grant subjects: a grant gives an organisation or an account the use of a
// business type.
const (
	GrantOrg     = "org"
	GrantAccount = "account"
)

// GrantAll as a granted business means every type, including types added later.
const GrantAll = "*"

// Grant lets Subject SubjectID send messages of Business (a code or GrantAll).
type Grant struct {
	Subject   string // GrantOrg or GrantAccount
	SubjectID int64
	Business  string
	CreatedAt time.Time
}

// AccountLimits are an account's access limits (A2's flow-control
// settings; meant for partners, usable on any account). Zero values mean
// no limit. An account with no row has none.
type AccountLimits struct {
	AccountID  int64
	IPAllow    []string // CIDRs (or single addresses) the API may be called from; empty = any
	TPS        int      // messages per second the account may submit (per node); 0 = any
	DailyQuota int64    // messages the account may have accepted per day; 0 = any
	UpdatedAt  time.Time
}

// BusinessStore keeps business types beyond the core's policy fields,
// grants and account limits (all small: read whole, cached by callers) and
// the per-account daily message counts that Accept maintains.
type BusinessStore interface {
	// CreateBusinessType adds a type; ErrDuplicate when the code is taken.
	CreateBusinessType(ctx context.Context, b *BusinessType) error
	// UpdateBusinessType replaces every setting of an existing type; ErrNotFound.
	UpdateBusinessType(ctx context.Context, b *BusinessType) error

	// SetGrants replaces the business types granted to one organisation or
	// account (an empty list removes them all).
	SetGrants(ctx context.Context, subject string, subjectID int64, business []string) error
	// Grants lists every grant, by subject, subject id and business.
	Grants(ctx context.Context) ([]Grant, error)

	// SetAccountLimits stores an account's limits (replacing what it had).
	SetAccountLimits(ctx context.Context, l *AccountLimits) error
	// AccountLimits lists every account's limits, by account id.
	AccountLimits(ctx context.Context) ([]*AccountLimits, error)

	// DailyCount is how many messages Accept counted for the account on day
	// (see AcceptItem.Day); 0 when none.
	DailyCount(ctx context.Context, accountID int64, day int) (int64, error)
}

// DayKey is the day of t in loc as AcceptItem.Day and DailyCount want it:
// yyyymmdd, e.g. 20260314.
func DayKey(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return y*10000 + int(m)*100 + d
}
