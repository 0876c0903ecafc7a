package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"hongyan/internal/proto/cmpp"
	"hongyan/internal/sms"
)

// CMPP simulates a China Mobile ISMG speaking CMPP 3.0 or 2.0. Close (a
// gateway going down) sends TERMINATE to each client; status reports
// survive a Kill, as an ISMG keeps them for the SP.
type CMPP struct {
	*core[*cmpp.Server]
	version  cmpp.Version
	accounts map[string]string // Source_Addr → secret; empty = accept any with secret "secret"
	ids      *cmpp.MsgIDGenerator
}

// CMPPConfig configures a CMPP simulator.
type CMPPConfig struct {
	Config
	Version  cmpp.Version      // [3.0]
	Accounts map[string]string // Source_Addr → secret
	Gateway  uint32            // ISMG code inside Msg_Id [10061]
	Logger   *slog.Logger
}

// NewCMPP builds a CMPP simulator; call Listen to start it.
func NewCMPP(cfg CMPPConfig) *CMPP {
	if cfg.Version == 0 {
		cfg.Version = cmpp.V30
	}
	if cfg.Gateway == 0 {
		cfg.Gateway = 10061
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &CMPP{core: newCore[*cmpp.Server]("cmpp", cfg.Config, cfg.Logger), version: cfg.Version, accounts: cfg.Accounts,
		ids: cmpp.NewMsgIDGenerator(cfg.Gateway)}
	s.start = func() *cmpp.Server {
		return cmpp.NewServer(cmpp.ServerConfig{Version: s.version, Logger: s.log, Auth: s.auth, Window: s.cfg.Window}, (*cmppHandler)(s))
	}
	return s
}

func (s *CMPP) auth(sourceAddr string) (string, bool) {
	if len(s.accounts) == 0 {
		return "secret", true
	}
	sec, ok := s.accounts[sourceAddr]
	return sec, ok
}

type cmppHandler CMPP

func (h *cmppHandler) Connected(sc *cmpp.ServerConn)    {}
func (h *cmppHandler) Disconnected(sc *cmpp.ServerConn) {}

func (h *cmppHandler) Submit(ctx context.Context, sc *cmpp.ServerConn, sub *cmpp.Submit) *cmpp.SubmitResp {
	s := (*CMPP)(h)
	s.received(sub.DestTerminalID, sub.MsgContent)
	if !s.answers() {
		return nil
	}
	if s.decide() {
		return &cmpp.SubmitResp{Result: s.cfg.RejectCode}
	}
	n := max(len(sub.DestTerminalID), 1)
	first := s.ids.NextN(n)
	if sub.RegisteredDelivery == 1 && !s.cfg.NoReports {
		for i, dest := range sub.DestTerminalID {
			s.scheduleReport(sc, first+uint64(i), dest)
		}
	}
	return &cmpp.SubmitResp{MsgID: first}
}

// scheduleReport sends a report after the configured delay, on the same
// connection if it still lives, else on another of the same account.
func (s *CMPP) scheduleReport(sc *cmpp.ServerConn, id uint64, dest string) {
	ctx := s.reportCtx()
	send := func() {
		now := reportDate()
		stat := s.pickStat()
		for range s.reportCopies() {
			d := &cmpp.Deliver{MsgID: s.ids.Next(), DestID: "", SrcTerminalID: dest, RegisteredDelivery: 1,
				Report: &cmpp.Report{MsgID: id, Stat: stat, SubmitTime: now, DoneTime: now, DestTerminalID: dest}}
			ok := s.deliverReport(ctx, "report", func(ctx context.Context) bool {
				conn := sc
				if conn == nil || !s.alive(conn) {
					conn = s.connFor(sc)
				}
				if conn == nil {
					return false
				}
				resp, err := conn.Deliver(ctx, d)
				return err == nil && resp.Result == 0
			}, "msg_id", id)
			if !ok {
				return
			}
		}
	}
	s.report(send)
}

// SendStrayReport sends a DELIVRD status report for a message id this
// simulator never gave out (an operator's mix-up).
func (s *CMPP) SendStrayReport(ctx context.Context, dest string) error {
	conn := s.connFor(nil)
	if conn == nil {
		return ErrNoClient
	}
	now := reportDate()
	d := &cmpp.Deliver{MsgID: s.ids.Next(), SrcTerminalID: dest, RegisteredDelivery: 1,
		Report: &cmpp.Report{MsgID: s.ids.Next(), Stat: "DELIVRD", SubmitTime: now, DoneTime: now, DestTerminalID: dest}}
	resp, err := conn.Deliver(ctx, d)
	return s.answered("stray report", err, cmppRefusal(resp))
}

// cmppRefusal words a DELIVER_RESP that was not OK ("" for OK or none).
func cmppRefusal(resp *cmpp.DeliverResp) string {
	if resp == nil || resp.Result == 0 {
		return ""
	}
	return fmt.Sprintf("result %d", resp.Result)
}

func (s *CMPP) alive(sc *cmpp.ServerConn) bool {
	srv, ok := s.server()
	if !ok {
		return false
	}
	for _, c := range srv.Conns() {
		if c == sc {
			return true
		}
	}
	return false
}

// connFor finds a live connection, preferring the account of prev.
func (s *CMPP) connFor(prev *cmpp.ServerConn) *cmpp.ServerConn {
	srv, ok := s.server()
	if !ok {
		return nil
	}
	conns := srv.Conns()
	for _, c := range conns {
		if prev == nil || c.SourceAddr() == prev.SourceAddr() {
			return c
		}
	}
	if len(conns) > 0 {
		return conns[0]
	}
	return nil
}

// ErrNoClient means no SP is connected to receive an MO.
var ErrNoClient = errors.New("no client connected to the simulator")

// SendMO sends a user's message as DELIVER (split with UDH when long).
func (s *CMPP) SendMO(ctx context.Context, from, to, text string) error {
	conn := s.connFor(nil)
	if conn == nil {
		return ErrNoClient
	}
	return s.sendMO(text, false, func(coding sms.Coding, p sms.Part) (string, error) {
		d := &cmpp.Deliver{MsgID: s.ids.Next(), DestID: to, SrcTerminalID: from, MsgFmt: coding.FormatByte(), MsgContent: p.Content()}
		if len(p.UDH) > 0 {
			d.TPUDHI = 1
		}
		resp, err := conn.Deliver(ctx, d)
		return cmppRefusal(resp), err
	})
}
