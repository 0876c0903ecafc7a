package sgip

import (
	"context"
	"log/slog"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// handle serves one request on a Server connection.
func (s *Server) handle(ctx context.Context, sc *ServerConn, f session.Frame) {
	if f.Command == CmdBind {
		s.bind(sc, f)
		return
	}
	if !sc.bound() {
		s.log.Warn("request before Bind, closing", "remote", sc.remote(), "cmd", CommandName(f.Command))
		link.CloseAsync(sc.conn)
		return
	}
	switch {
	case f.Command == CmdUnbind:
		s.log.Info("peer sent Unbind", "remote", sc.remote(), "login_name", sc.loginName)
		link.ReplyAndClose(sc.conn, f, CmdUnbindResp, 0, nil)
	case s.smg != nil && f.Command == CmdSubmit:
		s.submit(ctx, sc, f)
	case s.smg != nil && f.Command == CmdTrace:
		s.trace(ctx, sc, f)
	case s.recv != nil && f.Command == CmdDeliver:
		var d Deliver
		s.answer(sc, f, &d, &DeliverResp{}, func() uint8 { return s.recv.Deliver(ctx, sc, &d) })
	case s.recv != nil && f.Command == CmdReport:
		var r Report
		s.answer(sc, f, &r, &ReportResp{}, func() uint8 { return s.recv.Report(ctx, sc, &r) })
	case s.recv != nil && f.Command == CmdUserRpt:
		var u UserRpt
		s.answer(sc, f, &u, &UserRptResp{}, func() uint8 {
			if uh, ok := s.recv.(UserRptHandler); ok {
				return uh.UserRpt(ctx, sc, &u)
			}
			s.log.Info("UserRpt ignored (no handler)", "sp_number", u.SPNumber, "user", u.UserNumber, "condition", u.UserCondition)
			return ResultOK
		})
	default:
		refuse(sc.conn, s.log, f)
	}
}

// resultPDU is a response whose body is Result + Reserve.
type resultPDU interface {
	PDU
	result() uint8
	setResult(uint8)
}

func (p *DeliverResp) result() uint8 { return p.Result }
func (p *ReportResp) result() uint8  { return p.Result }
func (p *UserRptResp) result() uint8 { return p.Result }

func (p *DeliverResp) setResult(r uint8) { p.Result = r }
func (p *ReportResp) setResult(r uint8)  { p.Result = r }
func (p *UserRptResp) setResult(r uint8) { p.Result = r }

// answer decodes req from f and replies resp with run's result, or with
// ResultBadParameter when the body does not parse: its framing was intact,
// so the connection stays. Resends are answered without running again.
func (s *Server) answer(sc *ServerConn, f session.Frame, req PDU, resp resultPDU, run func() uint8) {
	if err := req.Unmarshal(f.Body); err != nil {
		s.log.Warn("malformed request refused", "remote", sc.remote(), "login_name", sc.loginName,
			"cmd", CommandName(f.Command), "seq", FormatSeq(f.Seq), "err", err)
		resp.setResult(ResultBadParameter)
		reply(sc.conn, s.log, f, resp)
		return
	}
	s.once(sc, f, func() (uint8, PDU) {
		resp.setResult(run())
		return resp.result(), resp
	}, func(r uint8) PDU {
		resp.setResult(r)
		return resp
	})
}

func (s *Server) submit(ctx context.Context, sc *ServerConn, f session.Frame) {
	var m Submit
	if err := m.Unmarshal(f.Body); err != nil {
		s.log.Warn("malformed Submit refused", "remote", sc.remote(), "login_name", sc.loginName, "seq", FormatSeq(f.Seq), "err", err)
		reply(sc.conn, s.log, f, &SubmitResp{Result: ResultBadParameter})
		return
	}
	m.Seq = f.Seq
	s.once(sc, f, func() (uint8, PDU) {
		r := s.smg.Submit(ctx, sc, &m)
		if r == nil {
			return 0, nil
		}
		return r.Result, r
	}, func(r uint8) PDU {
		return &SubmitResp{Result: r}
	})
}

// once runs a request through the duplicate check (dedup.go) and answers
// it: run processes a fresh request and returns its result and response
// (nil: leave it unanswered); again builds the response to a resend or a
// conflict. The check is settled before the response goes out, so a peer
// that resends on seeing it finds the request finished. A Sequence_Number
// without its time word (zysms sends (0, 0, n), restarting n with the
// process) is too weak a key: such requests are not checked.
func (s *Server) once(sc *ServerConn, f session.Frame, run func() (uint8, PDU), again func(uint8) PDU) {
	if f.Seq.Time == 0 {
		if _, resp := run(); resp != nil {
			reply(sc.conn, s.log, f, resp)
		}
		return
	}
	k := dedupKey{login: sc.loginName, cmd: f.Command, seq: f.Seq}
	switch st, r := s.dedup.begin(k, f.Body); st {
	case dedupPending:
		s.log.Info("resend of a request still in progress dropped", "login_name", sc.loginName, "cmd", CommandName(f.Command), "seq", FormatSeq(f.Seq))
		return
	case dedupAnswered:
		s.log.Info("resend answered again, not processed twice", "login_name", sc.loginName, "cmd", CommandName(f.Command), "seq", FormatSeq(f.Seq))
		reply(sc.conn, s.log, f, again(r))
		return
	case dedupConflict:
		s.log.Warn("sequence number reused with a different body", "login_name", sc.loginName, "cmd", CommandName(f.Command), "seq", FormatSeq(f.Seq))
		reply(sc.conn, s.log, f, again(ResultBadSequence))
		return
	}
	finished := false
	defer func() {
		if !finished { // the handler panicked: let a resend try again
			s.dedup.finish(k, 0, false)
		}
	}()
	r, resp := run()
	finished = true
	s.dedup.finish(k, r, resp != nil)
	if resp != nil {
		reply(sc.conn, s.log, f, resp)
	}
}

func (s *Server) trace(ctx context.Context, sc *ServerConn, f session.Frame) {
	var t Trace
	r := &TraceResp{}
	if err := t.Unmarshal(f.Body); err != nil {
		s.log.Warn("malformed Trace", "remote", sc.remote(), "seq", FormatSeq(f.Seq), "err", err)
	} else if th, ok := s.smg.(TraceHandler); ok {
		if r = th.Trace(ctx, sc, &t); r == nil {
			return
		}
	}
	reply(sc.conn, s.log, f, r)
}

// refuse answers a request this connection does not serve. A command the
// spec defines gets Result 30 "function not provided" (spec §3.7.2: correct
// syntax, unsupported command → error response); an id outside the spec is
// a malformed command, and the connection is dropped.
func refuse(conn *session.Conn, log *slog.Logger, f session.Frame) {
	switch {
	case f.Command == CmdTrace:
		reply(conn, log, f, &TraceResp{})
	case isSpecCommand(f.Command):
		log.Warn("unsupported request refused", "remote", link.Remote(conn), "cmd", CommandName(f.Command), "seq", FormatSeq(f.Seq))
		body, _ := marshalResp(nil, "resp", ResultNotProvided, "")
		if err := conn.Reply(f, Protocol{}.ResponseTo(f.Command), 0, body); err != nil {
			log.Warn("reply failed", "cmd", CommandName(f.Command), "err", err)
		}
	default:
		log.Warn("unknown command, closing", "remote", link.Remote(conn), "cmd", CommandName(f.Command), "seq", FormatSeq(f.Seq))
		link.CloseAsync(conn)
	}
}

// reply encodes p and answers req; false only means the link is gone.
func reply(conn *session.Conn, log *slog.Logger, req session.Frame, p PDU) bool {
	body, err := p.Marshal(nil, Standard)
	if err == nil {
		err = conn.Reply(req, p.CommandID(), 0, body)
	}
	if err != nil {
		log.Warn("reply failed", "cmd", CommandName(p.CommandID()), "seq", FormatSeq(req.Seq), "err", err)
		return false
	}
	return true
}
