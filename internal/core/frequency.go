package core

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"hongyan/internal/store"
)

// Frequency limits (M4 "filtering by send frequency"): a business type may
// allow at most FreqLimit messages to one number within FreqWindow. The
// store decides in the accept transaction (store/review.go): a number over
// its limit is kept as a final message, filtered with FREQUENCY_LIMITED,
// not sent and not charged, and recorded as a refusal; a request whose
// numbers are all over (or blacklisted) is refused whole. The counts live
// in the database, so they hold across restarts and across nodes.

// frequencyRefusal is the refusal of a request none of whose numbers may
// have another message now; nothing of it was stored.
func (c *Core) frequencyRefusal(ctx context.Context, acc *store.Account, bt *store.BusinessType, ai *store.AcceptItem, blacklisted []store.Refusal, now time.Time) error {
	c.m.refused.WithLabelValues("frequency_limited").Add(float64(len(ai.Limited)))
	rs := append([]store.Refusal(nil), blacklisted...)
	next := ai.Limited[0].NextAt
	for _, l := range ai.Limited {
		rs = append(rs, store.Refusal{AccountID: acc.ID, Business: bt.Code, Kind: "frequency_limited", Number: l.Number,
			Detail: fmt.Sprintf("%d message(s) within %s (the limit is %d); the next is allowed at %s",
				l.Count, ShortDuration(bt.FreqWindow), bt.FreqLimit, l.NextAt.In(c.biz.loc).Format(time.RFC3339)), At: now})
		if l.NextAt.Before(next) {
			next = l.NextAt
		}
	}
	c.recordRefusals(ctx, rs...)
	limit := fmt.Sprintf("business type %s allows %d message(s) to a number within %s", bt.Code, bt.FreqLimit, ShortDuration(bt.FreqWindow))
	at := next.In(c.biz.loc).Format(time.RFC3339)
	e := &Error{Status: http.StatusTooManyRequests, Code: "frequency_limited", RetryAfter: max(next.Sub(now), time.Second)}
	switch {
	case len(ai.Limited) == 1 && len(blacklisted) == 0:
		e.Message = fmt.Sprintf("%s; %s has had %d: the next is allowed at %s", limit, ai.Limited[0].Number, ai.Limited[0].Count, at)
	case len(blacklisted) == 0:
		e.Message = fmt.Sprintf("%s; all %d numbers have reached it: the first may have another at %s", limit, len(ai.Limited), at)
	default:
		e.Message = fmt.Sprintf("%s; of the %d numbers, %d have reached it and %d are blacklisted: the first may have another at %s",
			limit, len(ai.Messages), len(ai.Limited), len(blacklisted), at)
	}
	return e
}

// ShortDuration writes a window as people do: 1h, 30m, 24h, 1h30m.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// maxFreqWindow bounds a frequency limit's window.
const maxFreqWindow = 31 * 24 * time.Hour

// checkFrequency validates a business type's frequency limit.
func checkFrequency(b *store.BusinessType) error {
	if b.FreqLimit < 0 || b.FreqLimit > 1_000_000 {
		return fmt.Errorf("freq_limit %d: want 0 (no limit) to 1000000", b.FreqLimit)
	}
	if b.FreqWindow < 0 || b.FreqWindow > maxFreqWindow || b.FreqWindow%time.Second != 0 {
		return fmt.Errorf("freq_window %s: want whole seconds up to %s", b.FreqWindow, ShortDuration(maxFreqWindow))
	}
	if b.FreqLimit > 0 && b.FreqWindow == 0 {
		return fmt.Errorf("freq_limit %d needs a freq_window (e.g. 1h, 24h)", b.FreqLimit)
	}
	return nil
}

// pruneLoop forgets, now and then, the frequency counts no window reaches
// any more. It only keeps the table small: the counts are read by time,
// so an old one left behind changes no decision.
func (c *Core) pruneLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		bts, err := c.st.BusinessTypes(ctx)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("frequency counts: read business types", "err", err)
			}
			continue
		}
		keep := 24 * time.Hour // a margin for a window lengthened meanwhile
		for _, b := range bts {
			keep = max(keep, b.FreqWindow)
		}
		n, err := c.st.PruneFrequency(ctx, c.now().Add(-keep))
		switch {
		case err != nil && ctx.Err() == nil:
			c.log.Warn("frequency counts: prune", "err", err)
		case n > 0:
			c.log.Debug("frequency counts pruned", "count", n, "older_than", keep)
		}
	}
}
