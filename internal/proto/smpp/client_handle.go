package smpp

import (
	"context"

	"hongyan/internal/session"
)

// handle serves the SMSC's requests on our connections: deliver_sm,
// data_sm, unbind and (ignored) outbind and alert_notification. The engine
// answers enquire_link itself. Anything else gets generic_nack
// ESME_RINVCMDID.
func (c *Client) handle(ctx context.Context, conn *session.Conn, f session.Frame) {
	v := c.cfg.Version
	switch {
	case f.Command == CmdDeliverSM:
		c.deliver(ctx, conn, f)
	case f.Command == CmdDataSM && v.HasTLV():
		c.dataSM(ctx, conn, f)
	case f.Command == CmdUnbind:
		c.log.Info("SMSC sent unbind", "remote", conn.RemoteAddr().String())
		if ec, ok := conn.Value().(*esmeConn); ok {
			ec.bound.Store(false)
		}
		replyAndClose(conn, f, &UnbindResp{}, c.cfg.Version)
	case f.Command == CmdOutbind:
		c.log.Warn("outbind on a connection we opened ignored", "remote", conn.RemoteAddr().String())
	case f.Command == CmdAlertNotification && v.HasTLV():
		var a AlertNotification
		if err := a.Unmarshal(f.Body, v); err == nil {
			c.log.Info("alert_notification", "source_addr", a.SourceAddr, "esme_addr", a.ESMEAddr)
		}
	default:
		c.log.Warn("unexpected request from SMSC", "cmd", CommandName(f.Command), "seq", f.Seq.N)
		_ = conn.Reply(f, CmdGenericNack, ESME_RINVCMDID, nil)
	}
}

func (c *Client) deliver(ctx context.Context, conn *session.Conn, f session.Frame) {
	var d DeliverSM
	status := ESME_ROK
	if err := d.Unmarshal(f.Body, c.cfg.Version); err != nil {
		c.log.Warn("malformed deliver_sm refused", "seq", f.Seq.N, "err", err)
		status = StatusOf(err)
	} else if c.h != nil {
		status = c.h(ctx, &d)
	}
	c.reply(conn, f, &DeliverSMResp{Status: status})
}

func (c *Client) dataSM(ctx context.Context, conn *session.Conn, f session.Frame) {
	var d DataSM
	status := ESME_ROK
	if err := d.Unmarshal(f.Body, c.cfg.Version); err != nil {
		c.log.Warn("malformed data_sm refused", "seq", f.Seq.N, "err", err)
		status = StatusOf(err)
	} else if c.h != nil {
		status = c.h(ctx, d.AsDeliverSM())
	}
	c.reply(conn, f, &DataSMResp{Status: status})
}

// reply encodes r and answers req; failures only mean the link is gone.
func (c *Client) reply(conn *session.Conn, req session.Frame, r Response) {
	if err := reply(conn, req, r, c.cfg.Version); err != nil {
		c.log.Warn("reply failed", "cmd", CommandName(r.CommandID()), "seq", req.Seq.N, "err", err)
	}
}
