package smpp

import (
	"context"
	"fmt"
	"sync"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// Request/response plumbing shared by Client and Server.

// expect decodes a response frame into resp after checking its command id.
// A generic_nack answers any request: it becomes resp's status (never 0,
// so it cannot pass for success).
func expect(f session.Frame, resp Response, v Version) error {
	switch f.Command {
	case resp.CommandID():
		if err := resp.Unmarshal(f.Body, v); err != nil {
			return err
		}
		resp.SetCommandStatus(f.Status)
		return nil
	case CmdGenericNack:
		st := f.Status
		if st == ESME_ROK {
			st = ESME_RUNKNOWNERR
		}
		resp.SetCommandStatus(st)
		return nil
	}
	return fmt.Errorf("got %s, want %s: %w", CommandName(f.Command), CommandName(resp.CommandID()), session.ErrMalformed)
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// call sends req on pool p and decodes the answer into resp.
func (c *Client) call(ctx context.Context, p *session.Client, req PDU, resp Response) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	body, err := req.Marshal((*bp)[:0], c.cfg.Version)
	if err == nil && HeaderLen+len(body) > MaxPDU {
		err = fmt.Errorf("%d bytes above limit %d: %w", HeaderLen+len(body), MaxPDU, ErrInvalid)
	}
	if err == nil {
		*bp = body // keep the grown buffer: the engine copies the body when queueing
		var f session.Frame
		if f, err = p.Call(ctx, req.CommandID(), body); err == nil {
			err = expect(f, resp, c.cfg.Version)
		}
	}
	if err != nil {
		return fmt.Errorf("smpp %s %s: %w", c.cfg.Name, CommandName(req.CommandID()), err)
	}
	return nil
}

// replyAndClose answers req with r and closes the connection gracefully.
// Close waits for running handlers, so it cannot run on the handler's
// goroutine.
func replyAndClose(conn *session.Conn, req session.Frame, r Response, v Version) {
	_ = reply(conn, req, r, v)
	link.CloseAsync(conn)
}

// reply encodes r (Status into command_status) and answers req.
func reply(conn *session.Conn, req session.Frame, r Response, v Version) error {
	body, err := r.Marshal(nil, v)
	if err != nil {
		return err
	}
	return conn.Reply(req, r.CommandID(), r.CommandStatus(), body)
}

// refusal is the response to request cmd carrying only status (and, for a
// bind, our system_id): what a receiver expects to parse, body included.
func refusal(cmd, status uint32, systemID string) Response {
	r, ok := NewPDU(cmd | respBit).(Response)
	if !ok {
		return &GenericNack{Status: status}
	}
	r.SetCommandStatus(status)
	if b, ok := r.(*BindResp); ok {
		b.SystemID = systemID
	}
	return r
}

// closeConn closes gracefully within link.CloseWait.
func closeConn(conn *session.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), link.CloseWait)
	defer cancel()
	_ = conn.Close(ctx)
}
