package core

import (
	"testing"
	"time"

	"hongyan/internal/store"
)

// A message scheduled days ahead is valid from its scheduled time, not from
// its acceptance: otherwise it would reach the operator already expired.
func TestValidUntilCountsFromTheSchedule(t *testing.T) {
	c := &Core{cfg: Config{Validity: 48 * time.Hour}, caches: newCaches(nil)}
	c.caches.biz = map[string]*store.BusinessType{"verify": {Code: "verify", Validity: 10 * time.Minute}}
	created := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	sched := created.Add(72 * time.Hour)
	for _, tc := range []struct {
		m    store.Message
		want time.Time
	}{
		{store.Message{CreatedAt: created, Business: "notice"}, created.Add(48 * time.Hour)},
		{store.Message{CreatedAt: created, ScheduleAt: sched, Business: "notice"}, sched.Add(48 * time.Hour)},
		{store.Message{CreatedAt: created, ScheduleAt: sched, Business: "verify"}, sched.Add(10 * time.Minute)},
	} {
		if got := c.validUntil(&tc.m); !got.Equal(tc.want) {
			t.Errorf("validUntil(%+v) = %v, want %v", tc.m, got, tc.want)
		}
		if c.expired(&tc.m, tc.want.Add(-time.Second)) || !c.expired(&tc.m, tc.want.Add(time.Second)) {
			t.Errorf("expired disagrees with validUntil for %+v", tc.m)
		}
	}
}
