package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"hongyan/internal/proto/smgp"
	"hongyan/internal/sms"
)

// SMGP simulates a China Telecom SMGW speaking SMGP 3.0 (serving 2.0 and
// 1.3 clients in their own layouts).
type SMGP struct {
	*behaviour
	accounts map[string]string
	log      *slog.Logger
	ids      *smgp.MsgIDGenerator

	mu   sync.Mutex
	srv  *smgp.Server
	ln   net.Listener
	addr string          // of the last Listen, for Restart
	ctx  context.Context // reports' lifetime: until Close (a Kill keeps them)
	stop context.CancelFunc
	wg   sync.WaitGroup
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
	return &SMGP{behaviour: newBehaviour(cfg.Config), accounts: cfg.Accounts, log: cfg.Logger, ids: smgp.NewMsgIDGenerator(cfg.Gateway)}
}

// Listen starts serving on addr; Addr tells which.
func (s *SMGP) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim smgp: listen %s: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln, s.addr = ln, ln.Addr().String()
	if s.ctx == nil || s.ctx.Err() != nil {
		s.ctx, s.stop = context.WithCancel(context.Background())
	}
	s.down.Store(false)
	s.srv = smgp.NewServer(smgp.ServerConfig{Window: s.cfg.Window, Logger: s.log, Auth: func(id string) (string, bool) {
		sec, ok := s.accounts[id]
		return sec, ok
	}}, (*smgpHandler)(s))
	srv := s.srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil {
			s.log.Error("sim smgp: serve", "err", err)
		}
	}()
	return nil
}

// Addr is the listening address.
func (s *SMGP) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the simulator (Exit to each client) and drops the status
// reports not yet delivered; Listen may start it again.
func (s *SMGP) Close(ctx context.Context) error {
	s.mu.Lock()
	srv, stop := s.srv, s.stop
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	if srv == nil {
		return nil
	}
	err := srv.Close(ctx)
	s.wg.Wait()
	return err
}

// Kill stops the simulator at once, as a crashed SMGW: the listener and
// every connection close without Exit, and submits being handled get no
// response. Status reports already due are kept and delivered once it is
// back (Restart).
func (s *SMGP) Kill() {
	s.down.Store(true)
	s.mu.Lock()
	srv := s.srv
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.Close(killCtx())
	s.wg.Wait()
}

// Restart listens again on the address of the last Listen.
func (s *SMGP) Restart() error {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	return s.Listen(addr)
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
	s.mu.Lock()
	ctx := s.ctx
	s.mu.Unlock()
	now := time.Now().In(time.FixedZone("CST", 8*3600)).Format("0601021504")
	stat := s.pickStat()
	for range s.reportCopies() {
		d := &smgp.Deliver{MsgID: s.ids.Next(), IsReport: 1, SrcTermID: dest,
			Report: &smgp.Report{MsgID: id, Sub: "001", Dlvrd: "001", SubmitDate: now, DoneDate: now, Stat: stat, Err: "000"}}
		ok := s.keepTrying(ctx, func(ctx context.Context) bool {
			conn := s.deliverConn(clientID)
			if conn == nil {
				return false
			}
			resp, err := conn.Deliver(ctx, d)
			return err == nil && resp.Status == smgp.StatusOK
		})
		if !ok {
			s.log.Warn("sim smgp: report not delivered", "msg_id", id.String())
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
	now := time.Now().In(time.FixedZone("CST", 8*3600)).Format("0601021504")
	d := &smgp.Deliver{MsgID: s.ids.Next(), IsReport: 1, SrcTermID: dest,
		Report: &smgp.Report{MsgID: s.ids.Next(), Sub: "001", Dlvrd: "001", SubmitDate: now, DoneDate: now, Stat: "DELIVRD", Err: "000"}}
	resp, err := conn.Deliver(ctx, d)
	if err != nil {
		return fmt.Errorf("sim smgp: stray report: %w", err)
	}
	if resp.Status != smgp.StatusOK {
		return fmt.Errorf("sim smgp: platform answered a stray report with status %d", resp.Status)
	}
	return nil
}

// deliverConn finds a logged-in connection that may receive Delivers,
// preferring the given client (any when "").
func (s *SMGP) deliverConn(clientID string) *smgp.ServerConn {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	var any *smgp.ServerConn
	for _, c := range srv.Conns() {
		if !c.LoginMode().CanDeliver() {
			continue
		}
		if clientID == "" || c.ClientID() == clientID {
			return c
		}
		any = c
	}
	return any
}

// SendMO delivers a user's message (split with UDH when long).
func (s *SMGP) SendMO(ctx context.Context, from, to, text string) error {
	conn := s.deliverConn("")
	if conn == nil {
		return ErrNoClient
	}
	text = s.moText(text)
	coding := sms.PickCoding(text)
	parts, err := sms.Split(text, coding, uint8(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("sim smgp: MO text: %w", err)
	}
	for _, p := range parts {
		d := &smgp.Deliver{MsgID: s.ids.Next(), MsgFormat: coding.FormatByte(), SrcTermID: from, DestTermID: to,
			RecvTime: time.Now().Format("20060102150405"), MsgContent: p.Content()}
		if len(p.UDH) > 0 {
			d.TLVs.SetByte(smgp.TagTPUDHI, 1)
		}
		resp, err := conn.Deliver(ctx, d)
		if err != nil {
			return fmt.Errorf("sim smgp: deliver MO: %w", err)
		}
		if resp.Status != smgp.StatusOK {
			return fmt.Errorf("sim smgp: platform answered MO with status %d", resp.Status)
		}
	}
	s.stats.mo.Add(1)
	return nil
}
