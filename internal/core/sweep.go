package core

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// sweepLoop ends messages whose status reports never came, so every
// accepted message reaches a final state: after ReportWait a submitted
// message becomes unknown (code NOREPORT). A report arriving later is still
// recorded on its segment, but the message keeps its final state.
func (c *Core) sweepLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			ids, err := c.st.StaleSubmitted(ctx, c.now().Add(-c.cfg.ReportWait), 500)
			if err != nil {
				if ctx.Err() == nil {
					c.log.Error("look for messages without reports", "err", err)
				}
				break
			}
			if len(ids) == 0 {
				break
			}
			now := c.now()
			fins := make([]store.Finish, len(ids))
			for i, id := range ids {
				fins[i] = store.Finish{MessageID: id, State: store.Unknown, Code: "NOREPORT",
					Reason: fmt.Sprintf("no status report within %s", c.cfg.ReportWait), At: now}
			}
			if err := c.write(ctx, writeOp{finishes: fins}); err != nil {
				c.log.Error("end messages without reports", "err", err)
				break
			}
			c.log.Info("ended messages without status reports as unknown", "count", len(ids))
			if len(ids) < 500 {
				break
			}
		}
	}
}
