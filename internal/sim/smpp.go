package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/proto/smpp"
	"hongyan/internal/sms"
)

// SMPP simulates an SMSC speaking SMPP 3.4 or 3.3. It answers submit_sm
// with a hex message id and writes the decimal form in the receipt text —
// the mismatch real SMSCs are known for — while the receipted_message_id
// TLV carries the hex form (configure the gateway with smpp_id_format
// "hex-dec").
type SMPP struct {
	*behaviour
	version  smpp.Version
	accounts map[string]string
	log      *slog.Logger
	next     atomic.Uint64

	mu   sync.Mutex
	srv  *smpp.Server
	ln   net.Listener
	addr string          // of the last Listen, for Restart
	ctx  context.Context // receipts' lifetime: until Close (a Kill keeps them)
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// SMPPConfig configures an SMPP simulator.
type SMPPConfig struct {
	Config
	Version  smpp.Version      // [3.4]
	Accounts map[string]string // system_id → password
	Logger   *slog.Logger
}

// NewSMPP builds an SMPP simulator; call Listen to start it.
func NewSMPP(cfg SMPPConfig) *SMPP {
	if cfg.Version == 0 {
		cfg.Version = smpp.V34
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RejectCode == 0 {
		cfg.RejectCode = smpp.ESME_RTHROTTLED
	}
	s := &SMPP{behaviour: newBehaviour(cfg.Config), version: cfg.Version, accounts: cfg.Accounts, log: cfg.Logger}
	s.next.Store(uint64(time.Now().UnixNano()) & 0xFFFFFFFF)
	return s
}

// Listen starts serving on addr; Addr tells which.
func (s *SMPP) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim smpp: listen %s: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln, s.addr = ln, ln.Addr().String()
	if s.ctx == nil || s.ctx.Err() != nil {
		s.ctx, s.stop = context.WithCancel(context.Background())
	}
	s.down.Store(false)
	s.srv = smpp.NewServer(smpp.ServerConfig{Version: s.version, SystemID: "HYSIM", Window: s.cfg.Window, Logger: s.log,
		Auth: smpp.StaticAuth(s.accounts)}, (*smppHandler)(s))
	srv := s.srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil {
			s.log.Error("sim smpp: serve", "err", err)
		}
	}()
	return nil
}

// Addr is the listening address.
func (s *SMPP) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the simulator (unbind to each ESME) and drops the receipts
// not yet delivered; Listen may start it again.
func (s *SMPP) Close(ctx context.Context) error {
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

// Kill stops the simulator at once, as a crashed SMSC: the listener and
// every connection close without unbind, and submits being handled get no
// response. Receipts already due are kept and delivered once it is back
// (Restart).
func (s *SMPP) Kill() {
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
func (s *SMPP) Restart() error {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	return s.Listen(addr)
}

type smppHandler SMPP

func (h *smppHandler) Connected(*smpp.ServerConn)    {}
func (h *smppHandler) Disconnected(*smpp.ServerConn) {}

func (h *smppHandler) Submit(ctx context.Context, sc *smpp.ServerConn, sub *smpp.SubmitSM) *smpp.SubmitSMResp {
	s := (*SMPP)(h)
	s.received([]string{sub.DestinationAddr}, sub.ShortMessage)
	if !s.answers() {
		return nil
	}
	if s.decide() {
		return &smpp.SubmitSMResp{Status: s.cfg.RejectCode}
	}
	n := s.next.Add(1)
	id := strconv.FormatUint(n, 16)
	if sub.RegisteredDelivery&1 == 1 && !s.cfg.NoReports {
		orig := *sub
		s.report(func() { s.sendReceipt(sc.SystemID(), &orig, id, strconv.FormatUint(n, 10)) })
	}
	return &smpp.SubmitSMResp{MessageID: id}
}

func (s *SMPP) sendReceipt(systemID string, orig *smpp.SubmitSM, respID, textID string) {
	s.mu.Lock()
	ctx := s.ctx
	s.mu.Unlock()
	now := time.Now().In(time.FixedZone("CST", 8*3600)).Format("0601021504")
	stat := s.pickStat()
	for range s.reportCopies() {
		d := smpp.NewReceipt(orig, &smpp.Receipt{ID: respID, TextID: textID, Stat: stat, SubmitDate: now, DoneDate: now})
		ok := s.keepTrying(ctx, func(ctx context.Context) bool {
			rx := s.receivers(systemID)
			if len(rx) == 0 {
				return false
			}
			resp, err := rx[0].Deliver(ctx, d)
			return err == nil && resp.Status == smpp.ESME_ROK
		})
		if !ok {
			s.log.Warn("sim smpp: receipt not delivered", "message_id", respID)
			return
		}
	}
}

// SendStrayReport sends a DELIVRD receipt for a message id this simulator
// never gave out (an SMSC's mix-up).
func (s *SMPP) SendStrayReport(ctx context.Context, dest string) error {
	rx := s.receivers("")
	if len(rx) == 0 {
		return ErrNoClient
	}
	n := s.next.Add(1)
	now := time.Now().In(time.FixedZone("CST", 8*3600)).Format("0601021504")
	d := smpp.NewReceipt(&smpp.SubmitSM{SourceAddr: "0", DestAddrNPI: 1, DestinationAddr: dest},
		&smpp.Receipt{ID: strconv.FormatUint(n, 16), TextID: strconv.FormatUint(n, 10), Stat: "DELIVRD", SubmitDate: now, DoneDate: now})
	resp, err := rx[0].Deliver(ctx, d)
	if err != nil {
		return fmt.Errorf("sim smpp: stray receipt: %w", err)
	}
	if resp.Status != smpp.ESME_ROK {
		return fmt.Errorf("sim smpp: platform answered a stray receipt with %s", smpp.StatusName(resp.Status))
	}
	return nil
}

func (s *SMPP) receivers(systemID string) []*smpp.ServerConn {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if rx := srv.Receivers(systemID); len(rx) > 0 {
		return rx
	}
	return srv.Receivers("")
}

// SendMO delivers a user's message (split with UDH when long) to a bound receiver.
func (s *SMPP) SendMO(ctx context.Context, from, to, text string) error {
	rx := s.receivers("")
	if len(rx) == 0 {
		return ErrNoClient
	}
	text = s.moText(text)
	coding := sms.PickCoding(text)
	if coding == sms.ASCII {
		coding = sms.GSM7 // SMPP's default alphabet
	}
	parts, err := sms.Split(text, coding, uint8(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("sim smpp: MO text: %w", err)
	}
	for _, p := range parts {
		d := &smpp.DeliverSM{SourceAddrTON: 0, SourceAddrNPI: 1, SourceAddr: from, DestinationAddr: to,
			DataCoding: coding.SMPPDataCoding(), ShortMessage: p.Content()}
		if len(p.UDH) > 0 {
			d.ESMClass = smpp.EsmUDHI
		}
		resp, err := rx[0].Deliver(ctx, d)
		if err != nil {
			return fmt.Errorf("sim smpp: deliver MO: %w", err)
		}
		if resp.Status != smpp.ESME_ROK {
			return fmt.Errorf("sim smpp: platform answered MO with %s", smpp.StatusName(resp.Status))
		}
	}
	s.stats.mo.Add(1)
	return nil
}
