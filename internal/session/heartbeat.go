package session

import (
	"fmt"
	"time"
)

// heartbeatLoop watches inbound traffic. After IdleHeartbeat without a frame
// from the peer it sends the protocol's heartbeat; each RequestTimeout
// without any frame counts a miss and probes again; HeartbeatMisses misses
// close the connection (CMPP §7.1: C, T, N). A protocol without heartbeat
// has its connection closed after IdleHeartbeat without traffic either way
// and with nothing in flight.
func (c *Conn) heartbeatLoop() {
	cmd, body, hasHB := c.p.Heartbeat()
	idle := c.cfg.IdleHeartbeat
	t := time.NewTimer(idle)
	defer t.Stop()

	var (
		probing bool
		probeAt int64 // since(t0) when the last probe was queued
		misses  int
		hbSeq   Seq
	)
	for {
		select {
		case <-t.C:
		case <-c.done:
			return
		}
		now := c.since()
		recv := c.lastRecv.Load()

		if !hasHB {
			last := max(recv, c.lastSend.Load())
			if quiet := time.Duration(now - last); quiet < idle || c.busy() {
				t.Reset(max(idle-quiet, idle/4))
				continue
			}
			c.abort(fmt.Errorf("no traffic for %s: %w", idle, ErrIdle))
			return
		}

		if probing && recv >= probeAt {
			probing, misses = false, 0 // the peer spoke: it is alive
		}
		if !probing {
			if quiet := time.Duration(now - recv); quiet < idle {
				t.Reset(idle - quiet)
				continue
			}
		} else {
			misses++
			if misses >= c.cfg.HeartbeatMisses {
				c.abort(fmt.Errorf("%d heartbeats unanswered: %w", misses, ErrTimeout))
				return
			}
		}
		c.mu.Lock()
		if c.pending[hbSeq] == hbCall {
			delete(c.pending, hbSeq)
		}
		hbSeq = c.p.NextSeq(c.seq.Add(1))
		c.pending[hbSeq] = hbCall
		c.mu.Unlock()
		probing, probeAt = true, c.since()
		if err := c.send(Header{Length: uint32(c.p.HeaderLen() + len(body)), Command: cmd, Seq: hbSeq}, body); err != nil {
			return
		}
		t.Reset(c.cfg.RequestTimeout)
	}
}
