// Package settle turns the statistics counters into settlement statements
// (B3) — with each operator, each partner and sending account, and each
// organisation, by the agreed revenue-share rules — and reconciles the
// segments sent with an operator's bill. It also parses the periods that
// statistics and settlement reports are asked for.
//
// Money is in li (厘, 0.001 yuan), as everywhere in the store; agreed
// rates are kept in micro-yuan (0.000001 yuan) so that a cost such as
// 0.0275 yuan per segment is exact, and amounts are rounded to the li
// (half away from zero) once, per statement line.
package settle

import (
	"fmt"
	"strings"
	"time"

	"hongyan/internal/store"
)

// InputError is bad input from the caller: a period, a date, a bill line.
// Code is the API's error code.
type InputError struct {
	Code    string
	Message string
}

func (e *InputError) Error() string { return e.Message }

func bad(code, format string, args ...any) *InputError {
	return &InputError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Date and time forms accepted for periods and range ends (Shanghai time
// unless a zone is given).
var (
	dayLayouts  = []string{"2006-01-02", "2006/01/02", "20060102"}
	timeLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15"}
)

// ParsePeriod reads a period: a month ("2026-11", "202611"), a day
// ("2026-11-25") or a year ("2026"), in Shanghai time, as [from, to).
func ParsePeriod(s string) (from, to time.Time, err error) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"2006-01", "2006/01", "200601"} {
		if t, err := time.ParseInLocation(l, s, store.Shanghai); err == nil {
			return t, t.AddDate(0, 1, 0), nil
		}
	}
	for _, l := range dayLayouts {
		if t, err := time.ParseInLocation(l, s, store.Shanghai); err == nil {
			return t, t.AddDate(0, 0, 1), nil
		}
	}
	if t, err := time.ParseInLocation("2006", s, store.Shanghai); err == nil {
		return t, t.AddDate(1, 0, 0), nil
	}
	return time.Time{}, time.Time{}, bad("invalid_period", "period %q: want a month (2026-11), a day (2026-11-25) or a year (2026)", s)
}

// parseEnd reads one end of a range. A date or a month names a whole day
// or month: as from it is its start, as to its end (to=2026-11-30 runs
// to the end of that day). A date-time is taken as is and must be a whole
// hour; as to it is exclusive.
func parseEnd(name, s string, isTo bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dayLayouts {
		if t, err := time.ParseInLocation(l, s, store.Shanghai); err == nil {
			if isTo {
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
	}
	for _, l := range []string{"2006-01", "2006/01"} {
		if t, err := time.ParseInLocation(l, s, store.Shanghai); err == nil {
			if isTo {
				t = t.AddDate(0, 1, 0)
			}
			return t, nil
		}
	}
	var t time.Time
	var err error
	if t, err = time.Parse(time.RFC3339, s); err != nil {
		for _, l := range timeLayouts {
			if t, err = time.ParseInLocation(l, s, store.Shanghai); err == nil {
				break
			}
		}
	}
	if err != nil {
		return time.Time{}, bad("invalid_date", "%s %q: want a date (2026-11-25), a month (2026-11) or a whole hour (2026-11-25T08:00, RFC 3339 or Shanghai time)", name, s)
	}
	if t.Unix()%3600 != 0 || t.Nanosecond() != 0 {
		return time.Time{}, bad("invalid_date", "%s %q: statistics are kept per hour; give a whole hour", name, s)
	}
	return t.In(store.Shanghai), nil
}

// ParseRange reads a report's range from its query parameters: period (see
// ParsePeriod), or from and to (see parseEnd; either may be left out: from
// defaults to the start of to's month, to to the end of from's month).
// Neither: the current month (of now). The range must not be empty.
func ParseRange(period, from, to string, now time.Time) (time.Time, time.Time, error) {
	if period != "" {
		if from != "" || to != "" {
			return time.Time{}, time.Time{}, bad("invalid_range", "give either period or from/to, not both")
		}
		return ParsePeriod(period)
	}
	var f, t time.Time
	var err error
	if from != "" {
		if f, err = parseEnd("from", from, false); err != nil {
			return f, t, err
		}
	}
	if to != "" {
		if t, err = parseEnd("to", to, true); err != nil {
			return f, t, err
		}
	}
	switch {
	case f.IsZero() && t.IsZero():
		f = store.MonthStart(now)
		t = f.AddDate(0, 1, 0)
	case f.IsZero():
		f = store.MonthStart(t.Add(-time.Hour))
	case t.IsZero():
		t = store.MonthStart(f).AddDate(0, 1, 0)
	}
	if !f.Before(t) {
		return f, t, bad("invalid_range", "the range from %s to %s is empty", f.Format(time.RFC3339), t.Format(time.RFC3339))
	}
	return f, t, nil
}
