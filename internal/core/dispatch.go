package core

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// dispatchLoop sends one operator's messages: take a batch from the outbox
// (highest lane first), pick a gateway for each, durably mark them queued
// (the in-doubt window after a crash is exactly what is marked and not yet
// acknowledged), then submit every segment within the gateway's window.
func (c *Core) dispatchLoop(ctx context.Context, op string) {
	for {
		// Take no more than the gateways can start on now: whatever is taken
		// is marked in flight, and in flight means in doubt after a crash.
		items, err := c.out.popBatch(ctx, op, min(max(c.freeSlots(op), 1), c.cfg.DispatchBatch))
		if err != nil {
			return
		}
		now := c.now()
		var marks []store.QueuedMark
		var send []*item
		var gws []*gateway.Gateway
		var expired []store.Finish
		for i, it := range items {
			if c.expired(it.msg, now) {
				expired = append(expired, store.Finish{MessageID: it.msg.ID, State: store.Expired, Code: "EXPIRED",
					Reason: "validity ran out before the message could be sent", At: now})
				continue
			}
			gw, err := c.pool.Pick(op)
			if err != nil {
				// No gateway of this operator is up: keep the rest waiting in
				// order and look again shortly; nothing fails meanwhile.
				c.out.pushFront(items[i:])
				c.m.noGateway.Inc()
				select {
				case <-ctx.Done():
					return
				case <-time.After(250 * time.Millisecond):
				}
				break
			}
			marks = append(marks, store.QueuedMark{MessageID: it.msg.ID, Operator: op, Gateway: gw.Name, Segments: it.msg.Segments, At: now})
			send = append(send, it)
			gws = append(gws, gw)
		}
		if len(expired) > 0 {
			if err := c.write(ctx, writeOp{finishes: expired}); err != nil {
				c.log.Error("expire messages", "err", err)
			}
		}
		if len(marks) == 0 {
			continue
		}
		if err := c.write(ctx, writeOp{queued: marks}); err != nil {
			c.log.Error("mark queued; will try again", "operator", op, "err", err)
			c.out.pushFront(send)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		for i, it := range send {
			it.msg.State = maxState(it.msg.State, store.Queued)
			it.msg.Gateway = gws[i].Name
			it.msg.Attempts++
			it.msg.InFlight = true
			if !c.submitItem(ctx, it, gws[i]) {
				return
			}
		}
	}
}

// freeSlots is the free window of the operator's healthy gateways.
func (c *Core) freeSlots(op string) int {
	free := 0
	for _, g := range c.pool.ByOperator(op) {
		if g.Healthy() {
			sem := c.gwSem[g.Name]
			free += cap(sem) - len(sem)
		}
	}
	return free
}

func (c *Core) expired(m *store.Message, now time.Time) bool {
	return now.After(c.validUntil(m))
}

// validUntil is when a message stops being worth sending: its validity
// (the business type's, else the platform's) counted from its scheduled
// time, or from its acceptance when it was not scheduled.
func (c *Core) validUntil(m *store.Message) time.Time {
	start := m.CreatedAt
	if m.ScheduleAt.After(start) {
		start = m.ScheduleAt
	}
	v := c.cfg.Validity
	if bt := c.caches.business(m.Business); bt != nil && bt.Validity > 0 {
		v = bt.Validity
	}
	return start.Add(v)
}

func maxState(a, b store.State) store.State {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// segOutcome is one segment's submit outcome within an attempt.
type segOutcome struct {
	res gateway.Result
	err error
}

// submitItem submits the item's unacknowledged segments, each taking a slot
// of the gateway's window; it returns false when ctx ended.
func (c *Core) submitItem(ctx context.Context, it *item, gw *gateway.Gateway) bool {
	m := it.msg
	coding := sms.PickCoding(m.Content)
	parts, err := sms.Split(m.Content, coding, uint8(m.ID))
	if err != nil || len(parts) != m.Segments {
		// Accept validated the text, so this is a bug or changed limits.
		c.finishAsync(ctx, store.Finish{MessageID: m.ID, State: store.Failed, Code: "SPLIT",
			Reason: fmt.Sprintf("cannot split text into %d segments: %v (got %d)", m.Segments, err, len(parts)), At: c.now()})
		return true
	}
	if len(it.done) != len(parts) {
		it.done = make([]bool, len(parts))
	}
	outcomes := make([]segOutcome, len(parts))
	var remaining atomic.Int32
	todo := 0
	for i := range parts {
		if !it.done[i] {
			todo++
		}
	}
	if todo == 0 { // every segment acknowledged before a restart
		return true
	}
	remaining.Store(int32(todo))
	sem := c.gwSem[gw.Name]
	src := m.Src
	if src == "" {
		src = gw.SrcID
	}
	validUntil := c.validUntil(m) // the operator's validity matches ours, scheduled messages included
	wantReport := c.wantsReport(m)
	for i, p := range parts {
		if it.done[i] {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		sub := &gateway.Submit{
			MessageID: m.ID, Seq: p.Seq, Total: p.Total, Src: src, To: m.To,
			Coding: coding, UDHI: len(p.UDH) > 0, Content: p.Content(), WantReport: wantReport, ValidUntil: validUntil,
		}
		c.inflight.Add(1)
		go func() {
			defer c.inflight.Done()
			// Not the loop's ctx: a stop lets submits in flight finish.
			ctx := context.WithoutCancel(ctx)
			res, err := c.submitOne(ctx, gw, sub)
			if err == nil && res.OK {
				it.done[i] = true
				c.recordSubmit(ctx, store.SubmitResult{MessageID: m.ID, Seq: p.Seq, Gateway: gw.Name, OpMsgID: res.OpMsgID, OK: true, Code: res.Code, At: c.now()})
			}
			// The slot is freed only now: a submit stays in doubt until its
			// acknowledgement is committed, and the window bounds how many
			// can be in doubt at a crash.
			<-sem
			outcomes[i] = segOutcome{res, err}
			if remaining.Add(-1) == 0 {
				c.attemptDone(ctx, it, gw, outcomes)
			}
		}()
	}
	return true
}

// submitOne fails fast when the gateway is down rather than waiting out
// the request timeout with a window slot held.
func (c *Core) submitOne(ctx context.Context, gw *gateway.Gateway, s *gateway.Submit) (gateway.Result, error) {
	if !gw.Healthy() {
		return gateway.Result{}, fmt.Errorf("gateway %s: %w", gw.Name, gateway.ErrNoGateway)
	}
	start := time.Now()
	res, err := gw.Submit(ctx, s) // through the Gateway: its health follows the results
	c.m.submitSeconds.Observe(time.Since(start).Seconds())
	return res, err
}

// recordSubmit stores an acknowledged segment. Until it is committed, a
// report for its operator id waits (see waitPending) instead of being
// filed as unmatched.
func (c *Core) recordSubmit(ctx context.Context, r store.SubmitResult) {
	ch := make(chan struct{})
	c.pendingMu.Lock()
	c.pending[r.OpMsgID] = ch
	c.pendingMu.Unlock()
	if err := c.write(ctx, writeOp{submits: []store.SubmitResult{r}}); err != nil {
		c.log.Error("record submit", "message", r.MessageID, "seq", r.Seq, "op_msg_id", r.OpMsgID, "err", err)
	}
	c.pendingMu.Lock()
	delete(c.pending, r.OpMsgID)
	c.pendingMu.Unlock()
	close(ch)
	c.m.segmentsSubmitted.Inc()
}

func (c *Core) waitPending(ctx context.Context, opID string) {
	c.pendingMu.Lock()
	ch := c.pending[opID]
	c.pendingMu.Unlock()
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
	}
}

// attemptDone decides what follows an attempt once every segment answered:
// nothing (all acknowledged; reports will finish it), a retry with
// back-off, or a final refusal.
func (c *Core) attemptDone(ctx context.Context, it *item, gw *gateway.Gateway, outcomes []segOutcome) {
	m := it.msg
	var failed *segOutcome
	for i := range outcomes {
		o := &outcomes[i]
		if o.err != nil || (!o.res.OK && o.res.Code != "") {
			if failed == nil || (failed.err != nil && o.err == nil) {
				failed = o // a refusal says more than a transport error
			}
		}
	}
	if failed == nil {
		c.m.submitted.Inc()
		if !c.wantsReport(m) {
			c.finishAsync(ctx, sentWithoutReport(m.ID, c.now()))
		}
		return
	}
	now := c.now()
	bt := c.caches.business(m.Business)
	maxRetries, interval := 3, 5*time.Second
	if bt != nil {
		maxRetries, interval = bt.MaxRetries, bt.RetryInterval
	}
	if interval <= 0 {
		interval = 5 * time.Second
	}
	if bt != nil && !bt.AtLeastOnce {
		// A submit without an answer may have reached the operator: an
		// at-most-once message is not sent again (as after a crash).
		for _, o := range outcomes {
			if gateway.InDoubt(o.err) {
				c.finishAsync(ctx, store.Finish{MessageID: m.ID, State: store.Unknown, Code: "IN_DOUBT",
					Reason: "no answer from " + gw.Name + ": " + o.err.Error() + "; business type is at-most-once, so not resent", At: now})
				return
			}
		}
	}
	reason, code := "", ""
	retryable := true
	switch {
	case failed.err != nil && errors.Is(failed.err, gateway.ErrNoGateway):
		// Never reached the operator: does not use up an attempt.
		m.Attempts--
		reason = failed.err.Error()
	case failed.err != nil:
		reason = "no answer from " + gw.Name + ": " + failed.err.Error()
	default:
		code = failed.res.Code
		retryable = failed.res.Retryable
		reason = fmt.Sprintf("%s refused the submit (result %s)", gw.Name, code)
	}
	if retryable && m.Attempts <= maxRetries {
		back := interval << min(max(m.Attempts-1, 0), 10)
		back = min(back, 10*time.Minute)
		back += time.Duration(rand.Int64N(int64(back)/5 + 1)) // jitter: retries of a burst spread out
		next := now.Add(back)
		m.NextAttempt = next
		m.InFlight = false
		if err := c.write(ctx, writeOp{retries: []store.Retry{{MessageID: m.ID, NextAttempt: next, Reason: reason, At: now}}}); err != nil {
			c.log.Error("schedule retry", "message", m.ID, "err", err)
		}
		c.m.retries.Inc()
		c.delay.add(next, it)
		return
	}
	state := store.Rejected
	if failed.err != nil {
		state = store.Failed
	}
	c.finishAsync(ctx, store.Finish{MessageID: m.ID, State: state, Code: code, Reason: reason + fmt.Sprintf(" after %d attempt(s)", m.Attempts), At: now})
}

func (c *Core) finishAsync(ctx context.Context, f store.Finish) {
	if err := c.write(ctx, writeOp{finishes: []store.Finish{f}}); err != nil {
		c.log.Error("finish message", "message", f.MessageID, "state", f.State, "err", err)
	}
}

// wantsReport says whether m's business type asks the operator for status
// reports (the default, and for a type no longer known).
func (c *Core) wantsReport(m *store.Message) bool {
	bt := c.caches.business(m.Business)
	return bt == nil || bt.ReportRequired
}

// sentWithoutReport ends a message of a type without status reports once
// the operator took every segment.
func sentWithoutReport(id int64, at time.Time) store.Finish {
	return store.Finish{MessageID: id, State: store.Sent, Code: "NOREPORT",
		Reason: "the operator took every segment; the business type asks for no status report", At: at}
}
