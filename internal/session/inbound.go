package session

import (
	"fmt"
	"sync"
)

// inbound runs the peer's requests through the Handler: at most max at once,
// as many again queued. Only a peer that overruns its own window by that
// much makes the read loop wait (TCP then backpressures it); a well-behaved
// peer never delays the responses we are waiting for.
type inbound struct {
	mu      sync.Mutex
	max     int
	running int
	queue   []Frame
	space   chan struct{} // cap 1: "a handler finished"
}

// dispatch hands a peer request to a handler goroutine. It returns false if
// the connection closed while waiting for room.
func (c *Conn) dispatch(f Frame) bool {
	if c.h == nil {
		c.log.Warn("request dropped: no handler", "cmd", f.Command, "seq", f.Seq)
		return true
	}
	if !c.enter() {
		c.log.Debug("request dropped: closing", "cmd", f.Command, "seq", f.Seq)
		return true
	}
	for {
		c.in.mu.Lock()
		if c.in.running < c.in.max {
			c.in.running++
			c.in.mu.Unlock()
			go c.serve(f)
			return true
		}
		if len(c.in.queue) < c.in.max {
			c.in.queue = append(c.in.queue, f)
			c.in.mu.Unlock()
			return true
		}
		c.in.mu.Unlock()
		select {
		case <-c.in.space:
		case <-c.done:
			c.leave()
			return false
		}
	}
}

// serve runs f, then whatever queued behind it, on one goroutine.
func (c *Conn) serve(f Frame) {
	for {
		select {
		case <-c.done: // closed: the answer could not be sent anyway
		default:
			c.handle(f)
		}
		c.leave()
		c.in.mu.Lock()
		if len(c.in.queue) == 0 {
			c.in.running--
			c.in.queue = c.in.queue[:0]
			c.in.mu.Unlock()
			c.signalSpace()
			return
		}
		f = c.in.queue[0]
		c.in.queue[0] = Frame{}
		c.in.queue = c.in.queue[1:]
		c.in.mu.Unlock()
		c.signalSpace()
	}
}

func (c *Conn) signalSpace() {
	select {
	case c.in.space <- struct{}{}:
	default:
	}
}

// handle runs the Handler; a panic in it closes this connection, not the
// process.
func (c *Conn) handle(f Frame) {
	defer func() {
		if r := recover(); r != nil {
			c.abort(fmt.Errorf("handler panic on cmd %#x: %v", f.Command, r))
		}
	}()
	c.h(c.ctx, c, f)
}
