package store

import (
	"context"
	"time"
)

// Subscriptions (M8) and the charging modes that count per subscriber and
// month (B1: monthly, monthly_capped).
//
// A subscription service is a business type with a subscription code,
// owned by an account (the service provider): users send DG+code to
// subscribe and TD+code to unsubscribe; the provider pushes to the active
// subscribers and its account is charged per its business type.
//
// Charging per subscriber and month happens inside Accept (SubCharge on an
// AcceptItem): the store keeps, per (account, business, number, month), the
// li reserved or charged and the monthly fees among them, updated in the
// same transaction as the reservation, and gives back to them when a
// message's reservation is released without a charge (a failed message
// under charge_on delivered), so the first message of a month carries the
// monthly fee exactly once and a capped subscriber never pays more than
// the cap, under concurrent accepts and across restarts.

// SubService is a business type offered for subscription.
type SubService struct {
	Business  string // the business type (primary key)
	Code      string // what users send after DG / TD: upper-case letters and digits, unique
	AccountID int64  // the service provider: pushes, and is charged
	CreatedAt time.Time
	// Counts, filled by SubServices(ctx, true).
	Active    int64 // subscribers now
	Cancelled int64 // numbers that subscribed once and are no longer
}

// Sources of a subscription change.
const (
	SubSourceMO    = "mo"    // the user's DG / TD reply
	SubSourceAdmin = "admin" // an administrator (audited)
)

// Subscription is one number's subscription to one service.
type Subscription struct {
	Business    string
	Number      string
	Active      bool
	Source      string    // who made the last change: SubSourceMO, SubSourceAdmin …
	Since       time.Time // last (re)subscribed
	CancelledAt time.Time // zero while active
	CreatedAt   time.Time // first subscribed
	// With SubQuery.Month: what the number was charged that month.
	MonthCharged int64 // li reserved or charged
	MonthlyPaid  bool  // the month's monthly fee is among them
}

// SubQuery selects subscriptions: every field is a filter when set.
type SubQuery struct {
	Business   string
	Number     string
	AccountIDs []int64 // services of these accounts only (nil = any; empty = none)
	State      string  // "active", "cancelled" or "" (both)
	After      string  // keyset paging: business + "/" + number of the last row seen
	Limit      int     // <= 0: 100
	Month      int     // yyyymm (MonthKey): fill MonthCharged / MonthlyPaid
}

// SubCharge makes Accept price an item's messages per subscriber and
// month, and, with Subscribers, send only to active subscribers. The
// store sets each message's Fee (and ChargeOn when it has a fee) from it:
//
//   - ChargeMonthly: Segments × FeePerSegment, plus MonthlyFee for the
//     first message to the number in Month (none reserved or charged yet);
//   - ChargeMonthlyCapped: Segments × FeePerSegment, but no more than what
//     is left of MonthlyCap for the number in Month (0 once it is reached);
//   - anything else: Segments × FeePerSegment (ChargeFree: 0).
//
// With Subscribers, a message to a number not actively subscribed to the
// item's business is final at accept: state Blacklisted, operator code
// NotSubscribed, no fee, a refusal of kind "not_subscribed" recorded.
type SubCharge struct {
	Mode          string
	Month         int // yyyymm in the platform's time zone (MonthKey)
	FeePerSegment int64
	MonthlyFee    int64
	MonthlyCap    int64
	ChargeOn      string
	Subscribers   bool
}

// NotSubscribed is the operator code of a message refused at accept
// because its number is not subscribed to the subscription service.
const NotSubscribed = "NOT_SUBSCRIBED"

// SubMonth is what one number was charged in one month by one account's
// business type.
type SubMonth struct {
	AccountID int64
	Business  string
	Number    string
	Month     int
	Total     int64 // li reserved or charged (monthly fees included)
	Monthly   int64 // monthly fees reserved or charged (0 or 1)
	Messages  int64 // messages that carried a fee
}

// SubscriptionStore keeps subscription services, subscriptions and the
// per-month charge totals Accept maintains.
type SubscriptionStore interface {
	// PutSubService creates or replaces the service of s.Business;
	// ErrDuplicate when another business has s.Code.
	PutSubService(ctx context.Context, s *SubService) error
	// DeleteSubService removes a service (its subscriptions stay, as
	// history); ErrNotFound.
	DeleteSubService(ctx context.Context, business string) error
	// SubServices lists every service by business; with counts, their
	// Active and Cancelled (which read every subscription: for
	// administrators, not for caches).
	SubServices(ctx context.Context, counts bool) ([]*SubService, error)

	// Subscribe makes number an active subscriber of business (since at);
	// it reports false, changing nothing, when it was one already.
	Subscribe(ctx context.Context, business, number, source string, at time.Time) (bool, error)
	// Unsubscribe cancels an active subscription (at); false, changing
	// nothing, when there was none.
	Unsubscribe(ctx context.Context, business, number, source string, at time.Time) (bool, error)
	// Subscriptions lists subscriptions by business and number.
	Subscriptions(ctx context.Context, q SubQuery) ([]*Subscription, error)
	// SubscriberNumbers lists active subscribers of business after the
	// number after, in number order, at most limit: a push pages through
	// them without holding the whole list.
	SubscriberNumbers(ctx context.Context, business, after string, limit int) ([]string, error)
	// SubMonths lists the month's charge totals of a business type
	// (number "" = every number), by number.
	SubMonths(ctx context.Context, accountID int64, business string, month int, number string) ([]SubMonth, error)
}

// MonthKey is the month of t in loc as SubCharge.Month wants it: yyyymm,
// e.g. 202602.
func MonthKey(t time.Time, loc *time.Location) int {
	y, m, _ := t.In(loc).Date()
	return y*100 + int(m)
}
