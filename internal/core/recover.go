package core

import (
	"context"
	"fmt"
	"slices"

	"hongyan/internal/store"
)

// recover rebuilds the outbox from the database after a start or crash.
// A message marked in flight without every segment acknowledged is in
// doubt: it may or may not have reached the operator. Its business type
// decides: at-least-once resends the unacknowledged segments (a phone may
// get them twice), at-most-once marks it unknown.
func (c *Core) recover(ctx context.Context) error {
	now := c.now()
	var resend, unknown, waiting int
	var fins []store.Finish
	var evs []store.Event
	err := c.st.PendingMessages(ctx, func(m *store.Message) error {
		switch {
		case m.State == store.Submitted && !c.wantsReport(m):
			fins = append(fins, sentWithoutReport(m.ID, now)) // submitted just before the stop
			return nil
		case m.State == store.Submitted:
			return nil // waiting for reports
		case m.State == store.Accepted:
			c.enqueue(&item{msg: m}, now)
			waiting++
			return nil
		}
		// Queued: in flight at the crash, or waiting for a retry.
		segs, err := c.st.Segments(ctx, m.ID)
		if err != nil {
			return fmt.Errorf("segments of %d: %w", m.ID, err)
		}
		it := &item{msg: m, done: make([]bool, m.Segments)}
		for _, s := range segs {
			if s.OpMsgID != "" && s.Seq >= 1 && s.Seq <= m.Segments {
				it.done[s.Seq-1] = true
			}
		}
		if !slices.Contains(it.done, false) && !c.wantsReport(m) {
			// Every segment acknowledged, the message not yet marked so.
			fins = append(fins, sentWithoutReport(m.ID, now))
			return nil
		}
		if !m.InFlight {
			c.enqueue(it, now)
			waiting++
			return nil
		}
		bt := c.caches.business(m.Business)
		if bt != nil && !bt.AtLeastOnce {
			fins = append(fins, store.Finish{MessageID: m.ID, State: store.Unknown, Code: "IN_DOUBT",
				Reason: "in flight when the platform stopped; business type is at-most-once, so not resent", At: now})
			unknown++
			return nil
		}
		evs = append(evs, store.Event{MessageID: m.ID, At: now, Kind: "recovered",
			Detail: "in flight when the platform stopped; resending unacknowledged segments (at-least-once)"})
		m.InFlight = false
		c.enqueue(it, now)
		resend++
		return nil
	})
	if err != nil {
		return err
	}
	if len(fins) > 0 {
		if err := c.st.FinishMessages(ctx, fins); err != nil {
			return err
		}
	}
	if len(evs) > 0 {
		if err := c.st.AddEvents(ctx, evs); err != nil {
			return err
		}
	}
	if resend+unknown+waiting > 0 {
		c.log.Info("recovered pending messages", "waiting", waiting, "resend_in_doubt", resend, "unknown_in_doubt", unknown)
	}
	return nil
}
