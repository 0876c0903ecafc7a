package sim

import (
	"context"
	"fmt"
	"log/slog"

	"hongyan/internal/proto/cngp"
	"hongyan/internal/sms"
)

// CNGP simulates a China Netcom SMGW speaking CNGP 2.0 (serving 1.0
// clients too: their SP↔SMGW PDUs are the same). Close sends Exit to each
// client.
type CNGP struct {
	*core[*cngp.Server]
	version  cngp.Version
	accounts map[string]string
	ids      *cngp.MsgIDGenerator
}

// CNGPConfig configures a CNGP simulator.
type CNGPConfig struct {
	Config
	Version  cngp.Version      // highest version served [2.0]; a 1.0-only SMGW refuses 2.0 logins with 22
	Accounts map[string]string // ClientID → secret
	Gateway  uint32            // SMGW code inside MsgIDs [10061]
	Logger   *slog.Logger
}

// NewCNGP builds a CNGP simulator; call Listen to start it.
func NewCNGP(cfg CNGPConfig) *CNGP {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Gateway == 0 {
		cfg.Gateway = 10061
	}
	if cfg.Version == 0 {
		cfg.Version = cngp.V20
	}
	if cfg.RejectCode == 0 {
		cfg.RejectCode = cngp.StatusBusy
	}
	s := &CNGP{core: newCore[*cngp.Server]("cngp", cfg.Config, cfg.Logger), accounts: cfg.Accounts, version: cfg.Version,
		ids: cngp.NewMsgIDGenerator(cfg.Gateway)}
	s.start = func() *cngp.Server {
		return cngp.NewServer(cngp.ServerConfig{Version: s.version, Window: s.cfg.Window, Logger: s.log,
			Auth: func(id string) (string, bool) {
				sec, ok := s.accounts[id]
				return sec, ok
			}}, (*cngpHandler)(s))
	}
	return s
}

type cngpHandler CNGP

func (h *cngpHandler) Connected(*cngp.ServerConn)    {}
func (h *cngpHandler) Disconnected(*cngp.ServerConn) {}

func (h *cngpHandler) Submit(ctx context.Context, sc *cngp.ServerConn, sub *cngp.Submit) *cngp.SubmitResp {
	s := (*CNGP)(h)
	s.received(sub.DestTermID, sub.MsgContent)
	if !s.answers() {
		return nil
	}
	if s.decide() {
		return &cngp.SubmitResp{Status: s.cfg.RejectCode}
	}
	id := s.ids.Next()
	if sub.NeedReport == 1 && !s.cfg.NoReports {
		for _, dest := range sub.DestTermID {
			s.report(func() { s.sendReport(sc.ClientID(), id, dest) })
		}
	}
	return &cngp.SubmitResp{MsgID: id}
}

func (s *CNGP) sendReport(clientID string, id cngp.MsgID, dest string) {
	ctx := s.reportCtx()
	stat := s.pickStat()
	for range s.reportCopies() {
		d := s.reportDeliver(id, dest, stat)
		ok := s.deliverReport(ctx, "report", func(ctx context.Context) bool {
			conn := s.deliverConn(clientID)
			if conn == nil {
				return false
			}
			resp, err := conn.Deliver(ctx, d)
			return err == nil && resp.Status == cngp.StatusOK
		}, "msg_id", id.String())
		if !ok {
			return
		}
	}
}

// reportDeliver is the Deliver carrying a status report for id.
func (s *CNGP) reportDeliver(id cngp.MsgID, dest, stat string) *cngp.Deliver {
	now := beijingNow()
	date := now.Format("0601021504")
	return &cngp.Deliver{MsgID: s.ids.Next(), IsReport: 1, RecvTime: now.Format("20060102150405"), SrcTermID: dest,
		Report: &cngp.Report{MsgID: id, Sub: "001", Dlvrd: "001", SubmitDate: date, DoneDate: date, Stat: stat, Err: "000"}}
}

// SendStrayReport sends a DELIVRD status report for a MsgID this simulator
// never gave out (an operator's mix-up).
func (s *CNGP) SendStrayReport(ctx context.Context, dest string) error {
	conn := s.deliverConn("")
	if conn == nil {
		return ErrNoClient
	}
	resp, err := conn.Deliver(ctx, s.reportDeliver(s.ids.Next(), dest, "DELIVRD"))
	return s.answered("stray report", err, cngpRefusal(resp))
}

// cngpRefusal words a Deliver_Resp that was not OK ("" for OK or none).
func cngpRefusal(resp *cngp.DeliverResp) string {
	if resp == nil || resp.Status == cngp.StatusOK {
		return ""
	}
	return fmt.Sprintf("status %d", resp.Status)
}

// deliverConn finds a logged-in connection that may receive Delivers,
// preferring the given client (any when "").
func (s *CNGP) deliverConn(clientID string) *cngp.ServerConn {
	srv, ok := s.server()
	if !ok {
		return nil
	}
	return pickConn(srv.Conns(), func(c *cngp.ServerConn) bool { return c.LoginMode().CanDeliver() },
		(*cngp.ServerConn).ClientID, clientID)
}

// SendMO delivers a user's message, split with a UDH in the content when
// long (CNGP has no TP_udhi flag).
func (s *CNGP) SendMO(ctx context.Context, from, to, text string) error {
	conn := s.deliverConn("")
	if conn == nil {
		return ErrNoClient
	}
	return s.sendMO(text, false, func(coding sms.Coding, p sms.Part) (string, error) {
		d := &cngp.Deliver{MsgID: s.ids.Next(), MsgFormat: coding.FormatByte(), SrcTermID: from, DestTermID: to,
			RecvTime: beijingNow().Format("20060102150405"), MsgContent: p.Content()}
		resp, err := conn.Deliver(ctx, d)
		return cngpRefusal(resp), err
	})
}
