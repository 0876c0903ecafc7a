package session

import (
	"context"
	"fmt"
	"net"
	"time"
)

// keep holds one slot of the pool open: connect, serve until the connection
// dies, back off, again, until run ends.
func (cl *Client) keep(run, connCtx context.Context, slot int) {
	defer cl.wg.Done()
	log := cl.log.With("slot", slot)
	fails := 0
	for first := true; ; first = false {
		if run.Err() != nil {
			return
		}
		if !first {
			cl.reconnects.Add(1)
		}
		c, err := cl.connect(run, connCtx)
		if err != nil {
			if run.Err() != nil {
				return
			}
			cl.setErr(err)
			log.Warn("connect failed", "err", err)
		} else {
			upAt := time.Now()
			cl.addReady(c)
			log.Info("session ready", "local", addrString(c.nc.LocalAddr()))
			<-c.Done()
			cl.drop(c)
			if run.Err() != nil {
				return
			}
			cl.setErr(c.Err())
			if time.Since(upAt) >= cl.cfg.BackoffMax {
				fails = 0 // it was healthy: this is not a tight failure loop
			}
		}
		fails++
		d := backoff(fails, cl.cfg.BackoffMin, cl.cfg.BackoffMax)
		if cl.onBackoff != nil {
			cl.onBackoff(fails, d)
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-run.Done():
			t.Stop()
			return
		}
	}
}

// connect dials, starts the connection on connCtx and logs in within run.
func (cl *Client) connect(run, connCtx context.Context) (*Conn, error) {
	d := net.Dialer{Timeout: cl.cfg.DialTimeout}
	nc, err := d.DialContext(run, "tcp", cl.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("session %s: dial: %w", cl.cfg.Name, err)
	}
	c := NewConn(nc, cl.p, cl.cfg.Conn, cl.h, cl.log)
	cl.mu.Lock()
	if cl.closing {
		cl.mu.Unlock()
		_ = nc.Close()
		return nil, fmt.Errorf("session %s: %w", cl.cfg.Name, ErrClosed)
	}
	cl.live[c] = struct{}{}
	cl.mu.Unlock()
	c.Start(connCtx)
	if cl.cfg.Login != nil {
		if err := cl.cfg.Login(run, c); err != nil {
			c.abort(fmt.Errorf("login: %w", err))
			cl.drop(c)
			return nil, fmt.Errorf("session %s: login: %w", cl.cfg.Name, err)
		}
	}
	if cl.lim != nil {
		c.limiter.Store(cl.lim) // after login: logins do not spend the gateway's TPS
	}
	return c, nil
}

func (cl *Client) addReady(c *Conn) {
	cl.mu.Lock()
	if cl.closing {
		// Close has already taken its snapshot of live connections.
		cl.mu.Unlock()
		c.abort(fmt.Errorf("client closing"))
		return
	}
	cl.ready = append(cl.ready, c)
	close(cl.readyC)
	cl.readyC = make(chan struct{})
	cl.mu.Unlock()
}

// drop forgets a closed connection, keeping its counters.
func (cl *Client) drop(c *Conn) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if _, ok := cl.live[c]; !ok {
		return
	}
	delete(cl.live, c)
	for i, r := range cl.ready {
		if r == c {
			cl.ready = append(cl.ready[:i], cl.ready[i+1:]...)
			break
		}
	}
	cl.gone.Sent += c.sent.Load()
	cl.gone.Timeouts += c.timeouts.Load()
	cl.gone.Resends += c.resends.Load()
}

func (cl *Client) setErr(err error) {
	if err == nil {
		return
	}
	cl.mu.Lock()
	cl.lastErr = err.Error()
	cl.mu.Unlock()
}
