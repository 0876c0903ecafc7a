package sim

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"hongyan/internal/proto/smgp"
	"hongyan/internal/sms"
)

// SMGP simulates a China Telecom SMGW speaking SMGP 3.0 (serving 2.0 and
// 1.3 clients in their own layouts). Close sends Exit to each client.
type SMGP struct {
	*core[*smgp.Server]
	accounts map[string]string
	ids      *smgp.MsgIDGenerator
}

// SMGPConfig configures an SMGP simulator.
type SMGPConfig struct {
	Config
	Accounts map[string]string // ClientID → secret
	Gateway  uint32            // SMGW code inside MsgIDs [10061]
	Logger   *slog.Logger
}

// NewSMGP builds an SMGP simulator; call Listen to start it.
func NewSMGP(cfg SMGPConfig) *SMGP {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Gateway == 0 {
		cfg.Gateway = 10061
	}
	if cfg.RejectCode == 0 {
		cfg.RejectCode = smgp.StatusBusy
	}
	s := &SMGP{core: newCore[*smgp.Server]("smgp", cfg.Config, cfg.Logger), accounts: cfg.Accounts,
		ids: smgp.NewMsgIDGenerator(cfg.Gateway)}
	s.start = func() *smgp.Server {
		return smgp.NewServer(smgp.ServerConfig{Window: s.cfg.Window, Logger: s.log, Auth: func(id string) (string, bool) {
			sec, ok := s.accounts[id]
			return sec, ok
		}}, (*smgpHandler)(s))
	}
	return s
}

type smgpHandler SMGP

func (h *smgpHandler) Connected(*smgp.ServerConn)    {}
func (h *smgpHandler) Disconnected(*smgp.ServerConn) {}

func (h *smgpHandler) Submit(ctx context.Context, sc *smgp.ServerConn, sub *smgp.Submit) *smgp.SubmitResp {
	s := (*SMGP)(h)
	s.received(sub.DestTermID, sub.MsgContent)
	if !s.answers() {
		return nil
	}
	if s.decide() {
		return &smgp.SubmitResp{Status: s.cfg.RejectCode}
	}
	id := s.ids.Next()
	if sub.NeedReport == 1 && !s.cfg.NoReports {
		for _, dest := range sub.DestTermID {
			s.report(func() { s.sendReport(sc.ClientID(), id, dest) })
		}
	}
	return &smgp.SubmitResp{MsgID: id}
}

func (s *SMGP) sendReport(clientID string, id smgp.MsgID, dest string) {
	ctx := s.reportCtx()
	now := reportDate()
	stat := s.pickStat()
	for range s.reportCopies() {
		d := &smgp.Deliver{MsgID: s.ids.Next(), IsReport: 1, SrcTermID: dest,
			Report: &smgp.Report{MsgID: id, Sub: "001", Dlvrd: "001", SubmitDate: now, DoneDate: now, Stat: stat, Err: "000"}}
		ok := s.deliverReport(ctx, "report", func(ctx context.Context) bool {
			conn := s.deliverConn(clientID)
			if conn == nil {
				return false
			}
			resp, err := conn.Deliver(ctx, d)
			return err == nil && resp.Status == smgp.StatusOK
		}, "msg_id", id.String())
		if !ok {
			return
		}
	}
}

// SendStrayReport sends a DELIVRD status report for a MsgID this simulator
// never gave out (an operator's mix-up).
func (s *SMGP) SendStrayReport(ctx context.Context, dest string) error {
	conn := s.deliverConn("")
	if conn == nil {
		return ErrNoClient
	}
	now := reportDate()
	d := &smgp.Deliver{MsgID: s.ids.Next(), IsReport: 1, SrcTermID: dest,
		Report: &smgp.Report{MsgID: s.ids.Next(), Sub: "001", Dlvrd: "001", SubmitDate: now, DoneDate: now, Stat: "DELIVRD", Err: "000"}}
	resp, err := conn.Deliver(ctx, d)
	return s.answered("stray report", err, smgpRefusal(resp))
}

// smgpRefusal words a Deliver_Resp that was not OK ("" for OK or none).
func smgpRefusal(resp *smgp.DeliverResp) string {
	if resp == nil || resp.Status == smgp.StatusOK {
		return ""
	}
	return fmt.Sprintf("status %d", resp.Status)
}

// deliverConn finds a logged-in connection that may receive Delivers,
// preferring the given client (any when "").
func (s *SMGP) deliverConn(clientID string) *smgp.ServerConn {
	srv, ok := s.server()
	if !ok {
		return nil
	}
	return pickConn(srv.Conns(), func(c *smgp.ServerConn) bool { return c.LoginMode().CanDeliver() },
		(*smgp.ServerConn).ClientID, clientID)
}

// SendMO delivers a user's message (split with UDH when long).
func (s *SMGP) SendMO(ctx context.Context, from, to, text string) error {
	conn := s.deliverConn("")
	if conn == nil {
		return ErrNoClient
	}
	return s.sendMO(text, false, func(coding sms.Coding, p sms.Part) (string, error) {
		d := &smgp.Deliver{MsgID: s.ids.Next(), MsgFormat: coding.FormatByte(), SrcTermID: from, DestTermID: to,
			RecvTime: time.Now().Format("20060102150405"), MsgContent: p.Content()}
		if len(p.UDH) > 0 {
			d.TLVs.SetByte(smgp.TagTPUDHI, 1)
		}
		resp, err := conn.Deliver(ctx, d)
		return smgpRefusal(resp), err
	})
}
