package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"hongyan/internal/proto/cngp"
	"hongyan/internal/sms"
)

// CNGP simulates a China Netcom SMGW speaking CNGP 2.0 (serving 1.0
// clients too: their SP↔SMGW PDUs are the same).
type CNGP struct {
	*behaviour
	accounts map[string]string
	version  cngp.Version
	log      *slog.Logger
	ids      *cngp.MsgIDGenerator

	mu   sync.Mutex
	srv  *cngp.Server
	ln   net.Listener
	addr string          // of the last Listen, for Restart
	ctx  context.Context // reports' lifetime: until Close (a Kill keeps them)
	stop context.CancelFunc
	wg   sync.WaitGroup
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
	return &CNGP{behaviour: newBehaviour(cfg.Config), accounts: cfg.Accounts, version: cfg.Version, log: cfg.Logger,
		ids: cngp.NewMsgIDGenerator(cfg.Gateway)}
}

// Listen starts serving on addr; Addr tells which.
func (s *CNGP) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim cngp: listen %s: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln, s.addr = ln, ln.Addr().String()
	if s.ctx == nil || s.ctx.Err() != nil {
		s.ctx, s.stop = context.WithCancel(context.Background())
	}
	s.down.Store(false)
	s.srv = cngp.NewServer(cngp.ServerConfig{Version: s.version, Window: s.cfg.Window, Logger: s.log,
		Auth: func(id string) (string, bool) {
			sec, ok := s.accounts[id]
			return sec, ok
		}}, (*cngpHandler)(s))
	srv := s.srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil {
			s.log.Error("sim cngp: serve", "err", err)
		}
	}()
	return nil
}

// Addr is the listening address.
func (s *CNGP) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the simulator (Exit to each client) and drops the status
// reports not yet delivered; Listen may start it again.
func (s *CNGP) Close(ctx context.Context) error {
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
func (s *CNGP) Kill() {
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
func (s *CNGP) Restart() error {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	return s.Listen(addr)
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

// beijingNow is the SMGW's clock: report dates and RecvTime are China time.
func beijingNow() time.Time { return time.Now().In(time.FixedZone("CST", 8*3600)) }

func (s *CNGP) sendReport(clientID string, id cngp.MsgID, dest string) {
	s.mu.Lock()
	ctx := s.ctx
	s.mu.Unlock()
	stat := s.pickStat()
	for range s.reportCopies() {
		d := s.reportDeliver(id, dest, stat)
		ok := s.keepTrying(ctx, func(ctx context.Context) bool {
			conn := s.deliverConn(clientID)
			if conn == nil {
				return false
			}
			resp, err := conn.Deliver(ctx, d)
			return err == nil && resp.Status == cngp.StatusOK
		})
		if !ok {
			s.log.Warn("sim cngp: report not delivered", "msg_id", id.String())
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
	if err != nil {
		return fmt.Errorf("sim cngp: stray report: %w", err)
	}
	if resp.Status != cngp.StatusOK {
		return fmt.Errorf("sim cngp: platform answered a stray report with status %d", resp.Status)
	}
	return nil
}

// deliverConn finds a logged-in connection that may receive Delivers,
// preferring the given client (any when "").
func (s *CNGP) deliverConn(clientID string) *cngp.ServerConn {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	var any *cngp.ServerConn
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

// SendMO delivers a user's message, split with a UDH in the content when
// long (CNGP has no TP_udhi flag).
func (s *CNGP) SendMO(ctx context.Context, from, to, text string) error {
	conn := s.deliverConn("")
	if conn == nil {
		return ErrNoClient
	}
	text = s.moText(text)
	coding := sms.PickCoding(text)
	parts, err := sms.Split(text, coding, uint8(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("sim cngp: MO text: %w", err)
	}
	for _, p := range parts {
		d := &cngp.Deliver{MsgID: s.ids.Next(), MsgFormat: coding.FormatByte(), SrcTermID: from, DestTermID: to,
			RecvTime: beijingNow().Format("20060102150405"), MsgContent: p.Content()}
		resp, err := conn.Deliver(ctx, d)
		if err != nil {
			return fmt.Errorf("sim cngp: deliver MO: %w", err)
		}
		if resp.Status != cngp.StatusOK {
			return fmt.Errorf("sim cngp: platform answered MO with status %d", resp.Status)
		}
	}
	s.stats.mo.Add(1)
	return nil
}
