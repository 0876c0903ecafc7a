package smpp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"hongyan/internal/session"
)

// ServeOutbind accepts connections an SMSC opens to us (spec §2.2.1): the
// SMSC sends outbind, we check it (ClientConfig.OutbindAuth) and answer with
// bind_receiver on that connection, which then delivers to the
// DeliverHandler like any receiver. A connection without a valid outbind
// within DefaultLoginTimeout is closed. It returns nil after Close.
func (c *Client) ServeOutbind(ln net.Listener) error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	c.lns[ln] = struct{}{}
	c.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			c.mu.Lock()
			closing := c.closing
			delete(c.lns, ln)
			c.mu.Unlock()
			if closing || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("smpp %s: outbind accept: %w", c.cfg.Name, err)
		}
		c.acceptOutbind(nc)
	}
}

func (c *Client) acceptOutbind(nc net.Conn) {
	var started atomic.Bool // one outbind per connection
	h := func(ctx context.Context, cn *session.Conn, f session.Frame) {
		if f.Command != CmdOutbind {
			c.handle(ctx, cn, f)
			return
		}
		if !started.CompareAndSwap(false, true) {
			c.log.Warn("second outbind ignored", "remote", cn.RemoteAddr().String())
			return
		}
		var ob Outbind
		if err := ob.Unmarshal(f.Body, c.cfg.Version); err != nil || !c.outbindOK(ob.SystemID, ob.Password) {
			// Spec §4.1.7.1: an ESME refusing an outbind disconnects.
			c.log.Warn("outbind refused", "remote", cn.RemoteAddr().String(), "system_id", ob.SystemID, "err", err)
			go closeConn(cn)
			return
		}
		go func() { // bind is a Call: not on the handler goroutine
			bctx, cancel := context.WithTimeout(c.ctx, c.sess.RequestTimeout)
			defer cancel()
			if err := c.bind(bctx, cn, BindReceiver); err != nil {
				c.log.Warn("bind after outbind failed", "remote", cn.RemoteAddr().String(), "err", err)
				closeConn(cn)
			}
		}()
	}
	conn := session.NewConn(nc, c.protocol(), c.sess, h, c.log.With("outbind", true))
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		_ = nc.Close()
		return
	}
	c.outbinds[conn] = struct{}{}
	c.mu.Unlock()
	conn.Start(c.ctx)
	go func() {
		t := time.NewTimer(DefaultLoginTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			if !bound(conn) {
				c.log.Warn("no outbind within login timeout, closing", "remote", conn.RemoteAddr().String())
				closeConn(conn)
			}
		case <-conn.Done():
		}
		<-conn.Done()
		c.mu.Lock()
		delete(c.outbinds, conn)
		c.mu.Unlock()
	}()
}

func (c *Client) outbindOK(systemID, password string) bool {
	if c.cfg.OutbindAuth != nil {
		return c.cfg.OutbindAuth(systemID, password)
	}
	return subtle.ConstantTimeCompare([]byte(password), []byte(c.cfg.Password)) == 1
}
