package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hongyan/internal/biz/filter"
	"hongyan/internal/store"
)

// The review queue (M4): a text with a forbidden word whose action is
// "review" is not refused; its request is stored in the accept
// transaction as usual (fees reserved, counted, quota) with its messages
// Held, and a hold naming the words waits for an auditor. Held messages
// are never in the outbox: the dispatcher never sees them and crash
// recovery does not load them (store.PendingMessages), so a crash while
// held loses nothing and sends nothing. Approval makes them accepted and
// enqueues them at once; rejection ends them filtered (REVIEW_REJECTED),
// releasing their reservations. Both are one store transaction, with the
// auditor's audit entry (store.WithAudit in ctx).

// reviewHits collects the review words found in a request's texts.
type reviewHits struct {
	words []string
	text  string // the first text with one
}

// add notes the review words of text (only run for a text whose decisive
// hit is a review word: the common clean text never gets here).
func (r *reviewHits) add(f *filter.Filter, text string) {
	if r.text == "" {
		r.text = text
	}
	for _, h := range f.FindAll(text) {
		if h.Rule.Action == filter.Review && !slices.Contains(r.words, h.Rule.Word) {
			r.words = append(r.words, h.Rule.Word)
		}
	}
}

// hold is the review-queue entry of a request with review words, or nil.
func (r *reviewHits) hold(business, src string, at time.Time) *store.Hold {
	if r == nil || r.text == "" {
		return nil
	}
	return &store.Hold{Business: business, Src: src, Content: r.text, Words: r.words, HeldAt: at}
}

// heldNotice is what the sender is told of a held request.
func heldNotice(h *store.Hold) string {
	return fmt.Sprintf("the content contains %s, which an auditor reviews first: the messages are held and go out only when approved",
		quoteList(h.Words))
}

func quoteList(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, ", ")
}

// Holds lists the review queue (q's zero value: the waiting holds).
func (c *Core) Holds(ctx context.Context, q store.HoldQuery) ([]*store.Hold, error) {
	hs, err := c.st.Holds(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("core: review queue: %w", err)
	}
	return hs, nil
}

// ApproveHold releases a held request's messages: they become accepted and
// go to the outbox now — or, outside their business type's sending hours,
// at the window's start. It returns the hold as decided and the messages.
func (c *Core) ApproveHold(ctx context.Context, batchID int64, by string) (*store.Hold, []*store.Message, error) {
	now := c.now()
	d := store.HoldDecision{BatchID: batchID, Decision: store.HoldApproved, By: by, At: now}
	if h, err := c.st.GetHold(ctx, batchID); err == nil {
		if bt := c.caches.business(h.Business); bt != nil && bt.SendFrom != bt.SendUntil {
			if start := windowStart(now, bt.SendFrom, bt.SendUntil, c.biz.loc); !start.Equal(now) {
				d.NotBefore = start
			}
		}
	}
	h, msgs, err := c.decide(ctx, d)
	if err != nil {
		return h, nil, err
	}
	// The caller gets copies: the dispatcher owns the originals.
	out := make([]*store.Message, len(msgs))
	for i, m := range msgs {
		cp := *m
		out[i] = &cp
	}
	for _, m := range msgs {
		c.enqueue(&item{msg: m}, now)
	}
	c.log.Info("held request approved", "batch", batchID, "by", by, "messages", len(msgs))
	return h, out, nil
}

// maxReason bounds a rejection's reason (it is shown and stored).
const maxReason = 500

// RejectHold ends a held request's messages filtered (REVIEW_REJECTED)
// with reason, which is required: the sender is told it.
func (c *Core) RejectHold(ctx context.Context, batchID int64, by, reason string) (*store.Hold, []*store.Message, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, nil, refuse(http.StatusBadRequest, "invalid_reason", "a rejection needs a reason (the sender is told it)")
	}
	if utf8.RuneCountInString(reason) > maxReason {
		return nil, nil, refuse(http.StatusBadRequest, "invalid_reason", "the reason is longer than %d characters", maxReason)
	}
	h, msgs, err := c.decide(ctx, store.HoldDecision{BatchID: batchID, Decision: store.HoldRejected, By: by, Reason: reason, At: c.now()})
	if err != nil {
		return h, nil, err
	}
	for _, m := range msgs {
		c.finalized(ctx, m.ID, store.Filtered) // status pushes, metrics
	}
	c.log.Info("held request rejected", "batch", batchID, "by", by, "messages", len(msgs), "reason", reason)
	return h, msgs, nil
}

// decide stores a decision, turning the store's answers into refusals.
func (c *Core) decide(ctx context.Context, d store.HoldDecision) (*store.Hold, []*store.Message, error) {
	h, msgs, err := c.st.DecideHold(ctx, d)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, refuse(http.StatusNotFound, "not_found", "no request %d is held for review", d.BatchID)
	case errors.Is(err, store.ErrDecided) && h != nil:
		return h, nil, refuse(http.StatusConflict, "already_decided", "request %d was %s by %s at %s; a decision is final",
			d.BatchID, h.Decision, h.DecidedBy, h.DecidedAt.In(c.biz.loc).Format(time.RFC3339))
	case err != nil:
		return nil, nil, fmt.Errorf("core: review decision on batch %d: %w", d.BatchID, err)
	}
	return h, msgs, nil
}
