package smpp

import (
	"context"
	"crypto/subtle"

	"hongyan/internal/session"
)

// handle serves one ESME request: binds, then (once bound) submits and the
// rest. The engine answers enquire_link itself.
func (s *Server) handle(ctx context.Context, sc *ServerConn, f session.Frame) {
	if _, isBind := bindModeOf(f.Command); isBind && f.Command&respBit == 0 {
		s.bind(sc, f)
		return
	}
	v := s.cfg.Version
	if sc.state.Load() == connBound {
		v = sc.version
	}
	if !KnownCommand(f.Command, v) {
		s.log.Warn("unknown command, generic_nack", "remote", sc.remote(), "cmd", CommandName(f.Command), "version", v.String())
		_ = sc.conn.Reply(f, CmdGenericNack, ESME_RINVCMDID, nil)
		return
	}
	if sc.state.Load() != connBound {
		s.log.Warn("request before bind", "remote", sc.remote(), "cmd", CommandName(f.Command))
		if hasResponse(f.Command) {
			s.reply(sc, f, refusal(f.Command, ESME_RINVBNDSTS, s.cfg.SystemID))
		}
		return
	}
	switch f.Command {
	case CmdSubmitSM:
		s.submit(ctx, sc, f)
	case CmdDataSM:
		s.dataSM(ctx, sc, f)
	case CmdSubmitMulti:
		s.submitMulti(ctx, sc, f)
	case CmdQuerySM, CmdCancelSM, CmdReplaceSM:
		s.manage(ctx, sc, f)
	case CmdUnbind:
		s.log.Info("ESME sent unbind", "remote", sc.remote(), "system_id", sc.systemID)
		sc.state.Store(connOpen)
		replyAndClose(sc.conn, f, &UnbindResp{}, sc.version)
	default:
		// deliver_sm, outbind, alert_notification: not for an SMSC.
		s.log.Warn("unexpected request from ESME", "remote", sc.remote(), "cmd", CommandName(f.Command))
		if hasResponse(f.Command) {
			_ = sc.conn.Reply(f, CmdGenericNack, ESME_RINVCMDID, nil)
		}
	}
}

// mayTransmit refuses a transmit request on a receiver bind (spec §2.3).
func (s *Server) mayTransmit(sc *ServerConn, f session.Frame) bool {
	if sc.mode.CanSubmit() {
		return true
	}
	s.log.Warn("transmit request on a receiver bind", "remote", sc.remote(), "system_id", sc.systemID, "cmd", CommandName(f.Command))
	s.reply(sc, f, refusal(f.Command, ESME_RINVBNDSTS, s.cfg.SystemID))
	return false
}

func (s *Server) submit(ctx context.Context, sc *ServerConn, f session.Frame) {
	if !s.mayTransmit(sc, f) {
		return
	}
	var m SubmitSM
	if err := m.Unmarshal(f.Body, sc.version); err != nil {
		s.log.Warn("malformed submit_sm refused", "remote", sc.remote(), "system_id", sc.systemID, "seq", f.Seq.N, "err", err)
		s.reply(sc, f, &SubmitSMResp{Status: StatusOf(err)})
		return
	}
	if r := s.h.Submit(ctx, sc, &m); r != nil {
		s.reply(sc, f, r)
	}
}

func (s *Server) dataSM(ctx context.Context, sc *ServerConn, f session.Frame) {
	if !s.mayTransmit(sc, f) {
		return
	}
	var m DataSM
	if err := m.Unmarshal(f.Body, sc.version); err != nil {
		s.log.Warn("malformed data_sm refused", "remote", sc.remote(), "system_id", sc.systemID, "seq", f.Seq.N, "err", err)
		s.reply(sc, f, &DataSMResp{Status: StatusOf(err)})
		return
	}
	if r := s.h.Submit(ctx, sc, m.AsSubmitSM()); r != nil {
		s.reply(sc, f, &DataSMResp{Status: r.Status, MessageID: r.MessageID})
	}
}

func (s *Server) submitMulti(ctx context.Context, sc *ServerConn, f session.Frame) {
	if !s.mayTransmit(sc, f) {
		return
	}
	var m SubmitMulti
	if err := m.Unmarshal(f.Body, sc.version); err != nil {
		s.log.Warn("malformed submit_multi refused", "remote", sc.remote(), "seq", f.Seq.N, "err", err)
		s.reply(sc, f, &SubmitMultiResp{Status: StatusOf(err)})
		return
	}
	if mh, ok := s.h.(SubmitMultiHandler); ok {
		if r := mh.SubmitMulti(ctx, sc, &m); r != nil {
			s.reply(sc, f, r)
		}
		return
	}
	s.reply(sc, f, s.fanOut(ctx, sc, &m))
}

// fanOut serves a submit_multi through Submit, one destination at a time.
func (s *Server) fanOut(ctx context.Context, sc *ServerConn, m *SubmitMulti) *SubmitMultiResp {
	r := &SubmitMultiResp{}
	for _, d := range m.Dests {
		if d.Flag != DestFlagSME {
			r.Unsuccess = append(r.Unsuccess, UnsuccessSME{Addr: d.Addr, Status: ESME_RINVDLNAME})
			continue
		}
		one := &SubmitSM{ServiceType: m.ServiceType, SourceAddrTON: m.SourceAddrTON, SourceAddrNPI: m.SourceAddrNPI,
			SourceAddr: m.SourceAddr, DestAddrTON: d.TON, DestAddrNPI: d.NPI, DestinationAddr: d.Addr,
			ESMClass: m.ESMClass, ProtocolID: m.ProtocolID, PriorityFlag: m.PriorityFlag,
			ScheduleDeliveryTime: m.ScheduleDeliveryTime, ValidityPeriod: m.ValidityPeriod,
			RegisteredDelivery: m.RegisteredDelivery, ReplaceIfPresentFlag: m.ReplaceIfPresentFlag,
			DataCoding: m.DataCoding, SMDefaultMsgID: m.SMDefaultMsgID, ShortMessage: m.ShortMessage, TLVs: m.TLVs}
		res := s.h.Submit(ctx, sc, one)
		switch {
		case res == nil:
			r.Unsuccess = append(r.Unsuccess, UnsuccessSME{TON: d.TON, NPI: d.NPI, Addr: d.Addr, Status: ESME_RSYSERR})
		case res.Status != ESME_ROK:
			r.Unsuccess = append(r.Unsuccess, UnsuccessSME{TON: d.TON, NPI: d.NPI, Addr: d.Addr, Status: res.Status})
		case r.MessageID == "":
			r.MessageID = res.MessageID
		}
	}
	if r.MessageID == "" {
		r.Status = ESME_RSUBMITFAIL
		if len(r.Unsuccess) > 255 {
			r.Unsuccess = r.Unsuccess[:255]
		}
	}
	return r
}

// manage serves query_sm, cancel_sm and replace_sm through the optional
// handler interfaces, failing them without one.
func (s *Server) manage(ctx context.Context, sc *ServerConn, f session.Frame) {
	if !s.mayTransmit(sc, f) {
		return
	}
	var (
		req  PDU
		fail Response
		call func() Response
	)
	switch f.Command {
	case CmdQuerySM:
		q := new(QuerySM)
		req, fail = q, &QuerySMResp{Status: ESME_RQUERYFAIL}
		if qh, ok := s.h.(QueryHandler); ok {
			call = func() Response {
				if r := qh.QuerySM(ctx, sc, q); r != nil {
					return r
				}
				return nil // a typed nil would pass for an answer
			}
		}
	case CmdCancelSM:
		k := new(CancelSM)
		req, fail = k, &CancelSMResp{Status: ESME_RCANCELFAIL}
		if ch, ok := s.h.(CancelHandler); ok {
			call = func() Response {
				if r := ch.CancelSM(ctx, sc, k); r != nil {
					return r
				}
				return nil
			}
		}
	default:
		r := new(ReplaceSM)
		req, fail = r, &ReplaceSMResp{Status: ESME_RREPLACEFAIL}
		if rh, ok := s.h.(ReplaceHandler); ok {
			call = func() Response {
				if r := rh.ReplaceSM(ctx, sc, r); r != nil {
					return r
				}
				return nil
			}
		}
	}
	if err := req.Unmarshal(f.Body, sc.version); err != nil {
		s.log.Warn("malformed request refused", "remote", sc.remote(), "cmd", CommandName(f.Command), "err", err)
		fail.SetCommandStatus(StatusOf(err))
		s.reply(sc, f, fail)
		return
	}
	if call == nil {
		s.reply(sc, f, fail)
		return
	}
	if r := call(); r != nil {
		s.reply(sc, f, r)
	}
}

func (s *Server) reply(sc *ServerConn, req session.Frame, r Response) {
	if err := reply(sc.conn, req, r, sc.replyVersion()); err != nil {
		s.log.Warn("reply failed", "remote", sc.remote(), "cmd", CommandName(r.CommandID()), "seq", req.Seq.N, "err", err)
	}
}

func secretEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
