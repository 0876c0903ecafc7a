package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Statistics (B4) and what settlement (B3) reads.
//
// The store keeps counters in the same transactions as the messages they
// count — never a side job that can fall behind or be skipped — per hour
// (and, for fast reports over long ranges, per day and per month; the
// same counts summed) × account × business type × operator × gateway ×
// state, each with a message count, a segment count and the fees charged
// (li); reports by organisation sum the accounts that belong to it
// (accounts.org_id). What is counted, and when:
//
//   - Accepted: every message accepted (those final at accept, e.g.
//     blacklisted, included), in the hour of its CreatedAt, with its
//     segments; gateway "".
//   - Submitted: every segment the operator acknowledged (segments, in the
//     hour of the acknowledgement, on the acknowledging gateway), and every
//     message whose last segment was acknowledged (messages, in that hour).
//   - each final state: every message that went final in it, in the hour
//     of its DoneAt, with its segments and the fee charged (Message.Charged),
//     on its last gateway.
//
// Hours, days and months are those of Asia/Shanghai (UTC+8 all year, no
// daylight saving since 1991). An account's counters belong to the
// organisation it belongs to when the report is made: moving an account
// moves its history with it.

// Shanghai is the time zone of statistics and settlement periods.
var Shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// Grain is the time unit of a statistics report's rows.
type Grain string

// Grains; GrainNone sums the whole range into one row per group.
const (
	GrainNone  Grain = ""
	GrainHour  Grain = "hour"
	GrainDay   Grain = "day"
	GrainMonth Grain = "month"
)

// StatDim is a dimension a report can group by besides time and state.
type StatDim string

// Dimensions.
const (
	DimAccount  StatDim = "account"
	DimOrg      StatDim = "org"
	DimBusiness StatDim = "business"
	DimOperator StatDim = "operator"
	DimGateway  StatDim = "gateway"
)

// StatDims lists every dimension, in the order report rows are sorted.
var StatDims = []StatDim{DimAccount, DimOrg, DimBusiness, DimOperator, DimGateway}

// StatStates are the states counted, in report order.
var StatStates = []State{Accepted, Submitted, Delivered, Undelivered, Expired, Rejected, Failed, Unknown, Sent, Filtered, Blacklisted, Cancelled}

// StatsQuery asks for counters summed over [From, To), which must be whole
// hours.
type StatsQuery struct {
	From, To time.Time
	Grain    Grain     // rows per hour, day or month; GrainNone = the whole range
	GroupBy  []StatDim // the state is always a dimension (every row is one state's)
	// Accounts, when not nil, restricts the report to these accounts (what
	// the asking user may see); an empty, non-nil slice sees nothing.
	Accounts []int64
	Orgs     []int64 // only the counters of accounts of these organisations; nil = any
	Business string  // "" = any
	Operator string  // "" = any
	Gateway  string  // "" = any
}

// Check validates the query.
func (q *StatsQuery) Check() error {
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return fmt.Errorf("stats: the range [%s, %s) is empty", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	if q.From.Unix()%3600 != 0 || q.To.Unix()%3600 != 0 || q.From.Nanosecond() != 0 || q.To.Nanosecond() != 0 {
		return fmt.Errorf("stats: the range [%s, %s) must start and end on whole hours", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	switch q.Grain {
	case GrainNone, GrainHour, GrainDay, GrainMonth:
	default:
		return fmt.Errorf("stats: unknown grain %q", q.Grain)
	}
	for i, d := range q.GroupBy {
		if !slices.Contains(StatDims, d) {
			return fmt.Errorf("stats: unknown dimension %q", d)
		}
		if slices.Contains(q.GroupBy[:i], d) {
			return fmt.Errorf("stats: dimension %q given twice", d)
		}
	}
	return nil
}

// StatRow is one group's counter for one state. Dimensions the query did
// not group by are zero; Bucket is the start of the row's hour, day or
// month (in Shanghai), zero with GrainNone.
type StatRow struct {
	Bucket    time.Time
	AccountID int64
	OrgID     int64
	Business  string
	Operator  string
	Gateway   string
	State     State
	Messages  int64
	Segments  int64
	Fees      int64 // li charged
}

// SentSegment is one segment an operator acknowledged (for reconciling
// with the operator's bill).
type SentSegment struct {
	MessageID   int64
	Seq         int
	AccountID   int64
	Operator    string
	Gateway     string
	OpMsgID     string
	SubmittedAt time.Time
}

// StatsStore reads the counters and the segments settlement needs.
type StatsStore interface {
	// Stats sums counters over the query's range, grouped by its grain,
	// dimensions and state, ordered by bucket, dimensions (StatDims order)
	// and state (StatStates order). Answers from the coarsest counters
	// that tile the range, so a year's report reads a few thousand rows.
	Stats(ctx context.Context, q StatsQuery) ([]StatRow, error)
	// SentSegments calls fn for every segment of a message to operator that
	// the operator acknowledged in [from, to), in no particular order. It
	// reads every segment row: an occasional task (reconciliation), not a report.
	SentSegments(ctx context.Context, operator string, from, to time.Time, fn func(SentSegment) error) error
	// SegmentsByOpID returns the acknowledged segments with these operator
	// message ids, on any gateway.
	SegmentsByOpID(ctx context.Context, opIDs []string) ([]SentSegment, error)
}

// HourStart is the start of t's hour.
func HourStart(t time.Time) time.Time {
	u := t.Unix()
	return time.Unix(u-mod(u, 3600), 0).In(Shanghai)
}

// DayStart is the start (midnight in Shanghai) of t's day.
func DayStart(t time.Time) time.Time {
	t = t.In(Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Shanghai)
}

// MonthStart is the start of t's month in Shanghai.
func MonthStart(t time.Time) time.Time {
	t = t.In(Shanghai)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, Shanghai)
}

// BucketStart is the start of t's bucket of grain g (t itself for GrainNone).
func BucketStart(g Grain, t time.Time) time.Time {
	switch g {
	case GrainHour:
		return HourStart(t)
	case GrainDay:
		return DayStart(t)
	case GrainMonth:
		return MonthStart(t)
	}
	return t
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
