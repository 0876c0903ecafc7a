package smpp

import (
	"context"
	"fmt"
	"net"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// bind authenticates a bind_* (spec §4.1): ESME_RALYBND when already bound
// (connection kept), generic_nack ESME_RINVCMDID for bind_transceiver on
// 3.3, else the Auth status; any refusal closes the connection.
func (s *Server) bind(sc *ServerConn, f session.Frame) {
	mode, _ := bindModeOf(f.Command)
	refuse := func(status uint32) Response { return refusal(f.Command, status, s.cfg.SystemID) }
	if !sc.state.CompareAndSwap(connOpen, connBinding) {
		// No system_id here: a concurrent bind may still be writing it.
		s.log.Warn("second bind on a connection", "remote", sc.remote())
		s.reply(sc, f, refuse(ESME_RALYBND))
		return
	}
	var req Bind
	req.Mode = mode
	if err := req.Unmarshal(f.Body, s.cfg.Version); err != nil {
		s.log.Warn("malformed bind refused", "remote", sc.remote(), "err", err)
		replyAndClose(sc.conn, f, refuse(StatusOf(err)), s.cfg.Version)
		return
	}
	v := min(VersionOf(req.InterfaceVersion), s.cfg.Version)
	if mode == BindTransceiver && !v.HasTLV() {
		// 3.3 knows no bind_transceiver: answer as a 3.3 SMSC would, and
		// leave the link open for a transmitter/receiver bind.
		s.log.Warn("bind_transceiver refused on SMPP 3.3", "remote", sc.remote(), "system_id", req.SystemID,
			"interface_version", fmt.Sprintf("%#x", req.InterfaceVersion))
		sc.state.Store(connOpen)
		_ = sc.conn.Reply(f, CmdGenericNack, ESME_RINVCMDID, nil)
		return
	}
	status := ESME_RBINDFAIL
	if s.cfg.Auth != nil {
		status = s.cfg.Auth(req.SystemID, req.Password)
	}
	if status != ESME_ROK {
		s.log.Warn("bind refused", "remote", sc.remote(), "system_id", req.SystemID, "mode", mode.String(), "status", StatusName(status))
		replyAndClose(sc.conn, f, refuse(status), s.cfg.Version)
		return
	}
	sc.systemID, sc.mode, sc.version = req.SystemID, mode, v
	resp := &BindResp{Mode: mode, SystemID: s.cfg.SystemID}
	if v.HasTLV() {
		resp.TLVs.SetU8(TagScInterfaceVersion, uint8(V34))
	}
	// Bound before the answer leaves: requests are served concurrently, and
	// an ESME may submit the moment it reads bind_resp.
	sc.state.Store(connBound)
	if err := reply(sc.conn, f, resp, v); err != nil {
		s.log.Warn("bind_resp not sent", "remote", sc.remote(), "err", err)
		sc.state.Store(connOpen)
		return
	}
	s.log.Info("ESME bound", "remote", sc.remote(), "system_id", sc.systemID, "mode", mode.String(), "version", v.String())
	s.h.Connected(sc)
	go func() {
		<-sc.conn.Done()
		s.log.Info("ESME disconnected", "remote", sc.remote(), "system_id", sc.systemID, "reason", sc.conn.Err())
		s.h.Disconnected(sc)
	}()
}

// SystemID is the bound ESME's system_id.
func (sc *ServerConn) SystemID() string { return sc.systemID }

// BindMode is how the ESME bound: transmitter, receiver or transceiver.
func (sc *ServerConn) BindMode() BindMode { return sc.mode }

// Version is the session's version: the ESME's interface_version, at most
// the server's.
func (sc *ServerConn) Version() Version { return sc.version }

// RemoteAddr is the ESME's address.
func (sc *ServerConn) RemoteAddr() net.Addr { return sc.conn.RemoteAddr() }

// Done is closed when the connection has closed.
func (sc *ServerConn) Done() <-chan struct{} { return sc.conn.Done() }

// Deliver sends a deliver_sm (MO, or a receipt: see NewReceipt) and returns
// the ESME's answer; a refusal (generic_nack included) is a response with a
// non-zero Status. A transmitter bind receives nothing (ErrBindMode). On a
// 3.3 session the TLVs are left out.
func (sc *ServerConn) Deliver(ctx context.Context, d *DeliverSM) (*DeliverSMResp, error) {
	var r DeliverSMResp
	if err := sc.call(ctx, d, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// DataSM sends a data_sm (3.4 sessions only) and returns the answer.
func (sc *ServerConn) DataSM(ctx context.Context, d *DataSM) (*DataSMResp, error) {
	var r DataSMResp
	if err := sc.call(ctx, d, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (sc *ServerConn) call(ctx context.Context, req PDU, resp Response) error {
	name := CommandName(req.CommandID())
	if !sc.mode.CanReceive() {
		return fmt.Errorf("smpp %s to %s (%s bind): %w", name, sc.systemID, sc.mode, ErrBindMode)
	}
	body, err := encode(req, sc.version)
	if err != nil {
		return err
	}
	f, err := sc.conn.Call(ctx, req.CommandID(), body)
	if err == nil {
		err = expect(f, resp, sc.version)
	}
	if err != nil {
		return fmt.Errorf("smpp %s to %s: %w", name, sc.systemID, err)
	}
	return nil
}

// Close sends unbind (bounded by ctx and link.CloseWait), then closes.
func (sc *ServerConn) Close(ctx context.Context) error {
	uctx, cancel := context.WithTimeout(ctx, link.CloseWait)
	defer cancel()
	_ = sc.unbind(uctx)
	return sc.conn.Close(ctx)
}

func (sc *ServerConn) unbind(ctx context.Context) error {
	if !sc.state.CompareAndSwap(connBound, connOpen) {
		return nil
	}
	_, err := sc.conn.Call(ctx, CmdUnbind, nil)
	return err
}

// replyVersion is the layout of our answers: the session's once bound.
func (sc *ServerConn) replyVersion() Version {
	if sc.state.Load() == connBound {
		return sc.version
	}
	return sc.srv.cfg.Version
}

func (sc *ServerConn) remote() string { return link.Remote(sc.conn) }
