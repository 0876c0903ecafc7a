package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"hongyan/internal/proto/cmpp"
	"hongyan/internal/sms"
)

// CMPP simulates a China Mobile ISMG speaking CMPP 3.0 or 2.0.
type CMPP struct {
	*behaviour
	version  cmpp.Version
	accounts map[string]string // Source_Addr → secret; empty = accept any with secret "secret"
	log      *slog.Logger
	ids      *cmpp.MsgIDGenerator

	mu   sync.Mutex
	srv  *cmpp.Server
	ln   net.Listener
	addr string          // of the last Listen, for Restart
	ctx  context.Context // reports' lifetime: until Close (a Kill keeps them)
	stop context.CancelFunc
	wg   sync.WaitGroup
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
	return &CMPP{behaviour: newBehaviour(cfg.Config), version: cfg.Version, accounts: cfg.Accounts,
		log: cfg.Logger, ids: cmpp.NewMsgIDGenerator(cfg.Gateway)}
}

// Listen starts serving on addr ("127.0.0.1:0" picks a port); Addr tells which.
func (s *CMPP) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim cmpp: listen %s: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln, s.addr = ln, ln.Addr().String()
	if s.ctx == nil || s.ctx.Err() != nil {
		s.ctx, s.stop = context.WithCancel(context.Background())
	}
	s.down.Store(false)
	s.srv = cmpp.NewServer(cmpp.ServerConfig{Version: s.version, Logger: s.log, Auth: s.auth, Window: s.cfg.Window}, (*cmppHandler)(s))
	srv := s.srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil {
			s.log.Error("sim cmpp: serve", "err", err)
		}
	}()
	return nil
}

// Addr is the listening address.
func (s *CMPP) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the simulator (a gateway going down) with TERMINATE to each
// client, and drops the status reports not yet delivered; Listen may start
// it again.
func (s *CMPP) Close(ctx context.Context) error {
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

// Kill stops the simulator at once, as a crashed ISMG: the listener and
// every connection close without TERMINATE, and submits being handled get
// no response. Status reports already due are kept and delivered once it
// is back (Restart), as an ISMG keeps them for the SP.
func (s *CMPP) Kill() {
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
func (s *CMPP) Restart() error {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	return s.Listen(addr)
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
	s.mu.Lock()
	ctx := s.ctx
	s.mu.Unlock()
	send := func() {
		now := time.Now().In(time.FixedZone("CST", 8*3600)).Format("0601021504")
		stat := s.pickStat()
		for range s.reportCopies() {
			d := &cmpp.Deliver{MsgID: s.ids.Next(), DestID: "", SrcTerminalID: dest, RegisteredDelivery: 1,
				Report: &cmpp.Report{MsgID: id, Stat: stat, SubmitTime: now, DoneTime: now, DestTerminalID: dest}}
			ok := s.keepTrying(ctx, func(ctx context.Context) bool {
				conn := sc
				if conn == nil || !s.alive(conn) {
					conn = s.connFor(sc)
				}
				if conn == nil {
					return false
				}
				resp, err := conn.Deliver(ctx, d)
				return err == nil && resp.Result == 0
			})
			if !ok {
				s.log.Warn("sim cmpp: report not delivered", "msg_id", id)
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
	now := time.Now().In(time.FixedZone("CST", 8*3600)).Format("0601021504")
	d := &cmpp.Deliver{MsgID: s.ids.Next(), SrcTerminalID: dest, RegisteredDelivery: 1,
		Report: &cmpp.Report{MsgID: s.ids.Next(), Stat: "DELIVRD", SubmitTime: now, DoneTime: now, DestTerminalID: dest}}
	resp, err := conn.Deliver(ctx, d)
	if err != nil {
		return fmt.Errorf("sim cmpp: stray report: %w", err)
	}
	if resp.Result != 0 {
		return fmt.Errorf("sim cmpp: platform answered a stray report with result %d", resp.Result)
	}
	return nil
}

func (s *CMPP) alive(sc *cmpp.ServerConn) bool {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
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
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
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
	text = s.moText(text)
	coding := sms.PickCoding(text)
	parts, err := sms.Split(text, coding, uint8(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("sim cmpp: MO text: %w", err)
	}
	for _, p := range parts {
		d := &cmpp.Deliver{MsgID: s.ids.Next(), DestID: to, SrcTerminalID: from, MsgFmt: coding.FormatByte(), MsgContent: p.Content()}
		if len(p.UDH) > 0 {
			d.TPUDHI = 1
		}
		resp, err := conn.Deliver(ctx, d)
		if err != nil {
			return fmt.Errorf("sim cmpp: deliver MO: %w", err)
		}
		if resp.Result != 0 {
			return fmt.Errorf("sim cmpp: platform answered MO with result %d", resp.Result)
		}
	}
	s.stats.mo.Add(1)
	return nil
}
