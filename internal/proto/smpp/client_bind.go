package smpp

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// esmeConn is the per-connection state of a bound ESME connection.
type esmeConn struct {
	mode   BindMode
	smscID string
	bound  atomic.Bool
}

func bound(conn *session.Conn) bool {
	ec, ok := conn.Value().(*esmeConn)
	return ok && ec.bound.Load()
}

// bind sends bind_transmitter/receiver/transceiver on a new connection and
// checks the answer: a bind_*_resp with status 0, or a refusal (non-zero
// status, or generic_nack from an SMSC that does not know the command).
func (c *Client) bind(ctx context.Context, conn *session.Conn, mode BindMode) error {
	req := &Bind{Mode: mode, SystemID: c.cfg.SystemID, Password: c.cfg.Password, SystemType: c.cfg.SystemType,
		InterfaceVersion: uint8(c.cfg.Version), AddrTON: c.cfg.AddrTON, AddrNPI: c.cfg.AddrNPI, AddressRange: c.cfg.AddressRange}
	op := CommandName(req.CommandID())
	resp := &BindResp{Mode: mode}
	l := link.ClientLogin[Version]{Op: "smpp " + op, Request: req, Version: c.cfg.Version,
		Decode:  func(f session.Frame) (uint32, error) { err := expect(f, resp, c.cfg.Version); return resp.Status, err },
		Refused: func(status uint32) error { return &StatusError{Op: op, Status: status} },
	}
	if err := l.Run(ctx, conn, c.log); err != nil {
		return err
	}
	ec := &esmeConn{mode: mode, smscID: resp.SystemID}
	ec.bound.Store(true)
	conn.SetValue(ec)
	attrs := []any{"remote", conn.RemoteAddr().String(), "mode", mode.String(), "smsc", resp.SystemID}
	if v, ok := resp.TLVs.U8(TagScInterfaceVersion); ok {
		attrs = append(attrs, "sc_interface_version", fmt.Sprintf("%#x", v))
	}
	c.log.Info("smpp bound", attrs...)
	return nil
}

// unbind sends unbind; the SMSC closing right after its answer is fine.
func (c *Client) unbind(ctx context.Context, conn *session.Conn) error {
	if ec, ok := conn.Value().(*esmeConn); ok {
		ec.bound.Store(false)
	}
	f, err := conn.Call(ctx, CmdUnbind, nil)
	if err != nil {
		if errors.Is(err, session.ErrClosed) {
			return nil
		}
		return fmt.Errorf("smpp unbind: %w", err)
	}
	if f.Command != CmdUnbindResp && f.Command != CmdGenericNack {
		return fmt.Errorf("smpp unbind: got %s", CommandName(f.Command))
	}
	return nil
}
