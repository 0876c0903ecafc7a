package session

import (
	"fmt"
	"runtime"
	"time"
)

// maxKeptWriteBuf bounds the spare buffer kept between batches, so one burst
// does not pin a large slice for the connection's lifetime.
const maxKeptWriteBuf = 256 << 10

// writeLoop writes whatever frames have been queued since its last write in
// one syscall: under load many Calls and Replies share a write.
func (c *Conn) writeLoop() {
	defer close(c.wdone)
	var spare []byte
	for {
		final := false
		select {
		case <-c.wsig:
		case <-c.flush:
			final = true
		case <-c.done:
			return
		}
		// Let the callers that are runnable right now queue their frames
		// too: under load one write then carries many, which saves far
		// more than the yield costs.
		runtime.Gosched()
		c.wmu.Lock()
		buf := c.wbuf
		c.wbuf = spare[:0]
		if final {
			c.wdead = true // later sends fail instead of vanishing
		}
		c.wmu.Unlock()
		if len(buf) > 0 {
			if err := c.nc.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout)); err != nil {
				c.abort(fmt.Errorf("write: %w", err))
				return
			}
			if _, err := c.nc.Write(buf); err != nil {
				c.abort(fmt.Errorf("write: %w", err))
				return
			}
			c.lastSend.Store(c.since())
		}
		if final {
			return
		}
		if cap(buf) > maxKeptWriteBuf {
			buf = nil
		}
		spare = buf
	}
}
