package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// call is one outstanding request waiting for its response. They are pooled:
// after warm-up a Call allocates nothing of its own.
type call struct {
	ch    chan Frame // cap 1; the read loop sends at most once per registration
	timer *time.Timer
}

var callPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &call{ch: make(chan Frame, 1), timer: t}
}}

// hbCall marks a heartbeat's sequence number in the pending table: its
// response is expected (not logged as unknown) but nobody waits for it.
var hbCall = &call{}

// errNotSent marks a Call that failed before its request was queued, so the
// Client may safely try another connection.
var errNotSent = errors.New("request not sent")

// Call sends a request and waits for its response, within the window;
// an unanswered request is resent (same sequence number) up to
// Config.Resends times, then ErrTimeout. If ctx ends first Call returns
// ctx.Err() and frees the window slot; if the connection closes, an error
// wrapping ErrClosed. body is copied when queued; the response's Body is the
// caller's.
func (c *Conn) Call(ctx context.Context, cmd uint32, body []byte) (Frame, error) {
	return c.call(ctx, cmd, body, false)
}

// call is Call; paid says the first attempt's TPS token was already taken.
func (c *Conn) call(ctx context.Context, cmd uint32, body []byte, paid bool) (Frame, error) {
	if err := ctx.Err(); err != nil {
		return Frame{}, err
	}
	if !paid {
		if err := c.waitToken(ctx); err != nil {
			return Frame{}, err
		}
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return Frame{}, ctx.Err()
	case <-c.closingC:
		return Frame{}, c.notSent()
	case <-c.done:
		return Frame{}, c.notSent()
	}
	defer func() { <-c.slots }()

	h := Header{
		Length:  uint32(c.p.HeaderLen() + len(body)),
		Command: cmd,
		Seq:     c.p.NextSeq(c.seq.Add(1)),
	}
	pc := callPool.Get().(*call)
	c.mu.Lock()
	if c.closing || c.dead {
		c.mu.Unlock()
		callPool.Put(pc)
		return Frame{}, c.notSent()
	}
	c.active++ // Close waits for it
	c.pending[h.Seq] = pc
	c.mu.Unlock()
	defer c.leave()

	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := c.waitToken(ctx); err != nil {
				if f, ok := c.forget(h.Seq, pc); ok {
					return f, nil
				}
				return Frame{}, err
			}
			c.resends.Add(1)
		}
		if err := c.send(h, body); err != nil {
			c.forget(h.Seq, pc)
			return Frame{}, err
		}
		c.sent.Add(1)
		pc.timer.Reset(c.cfg.RequestTimeout)
		select {
		case f := <-pc.ch:
			pc.timer.Stop()
			callPool.Put(pc)
			return f, nil
		case <-pc.timer.C:
			if attempt < c.cfg.Resends {
				c.log.Debug("request timed out, resending", "cmd", cmd, "seq", h.Seq, "attempt", attempt+1)
				continue
			}
			if f, ok := c.forget(h.Seq, pc); ok {
				return f, nil
			}
			c.timeouts.Add(1)
			return Frame{}, fmt.Errorf("session %s: cmd %#x seq %v after %d attempts of %s: %w",
				c.p.Name(), cmd, h.Seq, attempt+1, c.cfg.RequestTimeout, ErrTimeout)
		case <-ctx.Done():
			pc.timer.Stop()
			if f, ok := c.forget(h.Seq, pc); ok {
				return f, nil
			}
			return Frame{}, ctx.Err()
		case <-c.done:
			pc.timer.Stop()
			if f, ok := c.forget(h.Seq, pc); ok {
				return f, nil
			}
			return Frame{}, fmt.Errorf("session %s: cmd %#x seq %v in flight: %w", c.p.Name(), cmd, h.Seq, c.err)
		}
	}
}

// forget unregisters seq. If the read loop already took pc, its response is
// on the way: wait for it and return it, so a slot is never reused while a
// send to pc.ch is pending. pc goes back to the pool either way.
func (c *Conn) forget(seq Seq, pc *call) (Frame, bool) {
	c.mu.Lock()
	mine := c.pending[seq] == pc
	if mine {
		delete(c.pending, seq)
	}
	c.mu.Unlock()
	if mine {
		callPool.Put(pc)
		return Frame{}, false
	}
	f := <-pc.ch
	callPool.Put(pc)
	return f, true
}

func (c *Conn) waitToken(ctx context.Context) error {
	lim := c.limiter.Load()
	if lim == nil {
		return nil
	}
	return waitLimiter(ctx, lim)
}

// waitLimiter wraps rate's "would exceed deadline" so that callers can test
// it with errors.Is(err, context.DeadlineExceeded).
func waitLimiter(ctx context.Context, lim *rate.Limiter) error {
	if err := lim.Wait(ctx); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("session: tps limit: %w (%w)", context.DeadlineExceeded, err)
	}
	return nil
}

// notSent is the error for a Call refused before anything was queued.
func (c *Conn) notSent() error {
	cause := c.Err()
	if cause == nil {
		cause = fmt.Errorf("%w: closing", ErrClosed)
	}
	return fmt.Errorf("session %s: %w: %w", c.p.Name(), errNotSent, cause)
}

// Reply answers the peer's request req with command cmd (normally
// ResponseTo(req.Command)), header status and body.
func (c *Conn) Reply(req Frame, cmd uint32, status uint32, body []byte) error {
	return c.send(Header{
		Length:  uint32(c.p.HeaderLen() + len(body)),
		Command: cmd,
		Status:  status,
		Seq:     req.Seq,
	}, body)
}

// send queues one frame for the write loop.
func (c *Conn) send(h Header, body []byte) error {
	c.wmu.Lock()
	if c.wdead {
		c.wmu.Unlock()
		cause := c.Err()
		if cause == nil {
			cause = ErrClosed
		}
		return fmt.Errorf("session %s: send %#x: %w", c.p.Name(), h.Command, cause)
	}
	c.wbuf = c.p.AppendHeader(c.wbuf, h)
	c.wbuf = append(c.wbuf, body...)
	c.wmu.Unlock()
	select {
	case c.wsig <- struct{}{}:
	default:
	}
	return nil
}
