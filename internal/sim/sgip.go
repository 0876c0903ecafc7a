package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/proto/sgip"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// SGIP simulates a China Unicom SMG speaking SGIP 1.2. SPs bind to it to
// submit; for MO and status reports it connects back, as a real SMG does,
// to the SP's Receiver at SPAddr with SPLogin / SPPassword.
type SGIP struct {
	*behaviour
	cfg SGIPConfig
	log *slog.Logger

	mu    sync.Mutex
	srv   *sgip.Server
	back  *sgip.Client // to the SP's Receiver
	ln    net.Listener
	addr  string          // of the last Listen, for Restart
	ctx   context.Context // reports' lifetime: until Close (a Kill keeps them)
	stop  context.CancelFunc
	wg    sync.WaitGroup
	stray atomic.Uint32 // SendStrayReport's made-up sequence numbers
}

// SGIPConfig configures an SGIP simulator.
type SGIPConfig struct {
	Config
	Accounts   map[string]string // SP LoginName → LoginPassword accepted on Bind
	SPAddr     string            // the SP's Receiver, where Deliver and Report go ("" = no MO, no reports)
	SPLogin    string            // our Bind to the SP's Receiver
	SPPassword string
	NodeID     uint32 // the SMG's node id 1AAAAX [101001]
	Logger     *slog.Logger
}

// NewSGIP builds an SGIP simulator; call Listen to start it.
func NewSGIP(cfg SGIPConfig) *SGIP {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.NodeID == 0 {
		cfg.NodeID = 101001
	}
	if cfg.RejectCode == 0 {
		cfg.RejectCode = uint32(sgip.ResultNodeBusy)
	}
	return &SGIP{behaviour: newBehaviour(cfg.Config), cfg: cfg, log: cfg.Logger}
}

// Listen starts serving on addr; Addr tells which.
func (s *SGIP) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim sgip: listen %s: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln, s.addr = ln, ln.Addr().String()
	if s.ctx == nil || s.ctx.Err() != nil {
		s.ctx, s.stop = context.WithCancel(context.Background())
	}
	s.down.Store(false)
	s.srv = sgip.NewSMGServer(sgip.ServerConfig{Window: s.behaviour.cfg.Window, Logger: s.log,
		Auth: func(login, pw string, _ net.Addr) bool {
			want, ok := s.cfg.Accounts[login]
			return ok && want == pw
		}}, (*sgipHandler)(s))
	if s.cfg.SPAddr != "" {
		s.back = sgip.NewSMGClient(sgip.ClientConfig{Name: "sim-sgip", Addr: s.cfg.SPAddr,
			LoginName: s.cfg.SPLogin, LoginPassword: s.cfg.SPPassword, NodeID: s.cfg.NodeID,
			Window: s.behaviour.cfg.Window, Logger: s.log})
	}
	srv := s.srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil {
			s.log.Error("sim sgip: serve", "err", err)
		}
	}()
	return nil
}

// Addr is the listening address.
func (s *SGIP) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the simulator and its connections to the SP; Listen may
// start it again.
func (s *SGIP) Close(ctx context.Context) error {
	s.mu.Lock()
	srv, back, stop := s.srv, s.back, s.stop
	s.srv, s.back, s.ln = nil, nil, nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	if srv == nil {
		return nil
	}
	err := srv.Close(ctx)
	if back != nil {
		err = errors.Join(err, back.Close(ctx))
	}
	s.wg.Wait()
	return err
}

// Kill stops the simulator at once, as a crashed SMG: the listener, every
// connection and the connection back to the SP close without Unbind, and
// submits being handled get no response. Reports already due are kept and
// delivered once it is back (Restart).
func (s *SGIP) Kill() {
	s.down.Store(true)
	s.mu.Lock()
	srv, back := s.srv, s.back
	s.srv, s.back, s.ln = nil, nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.Close(killCtx())
	if back != nil {
		_ = back.Close(killCtx())
	}
	s.wg.Wait()
}

// Restart listens again on the address of the last Listen.
func (s *SGIP) Restart() error {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	return s.Listen(addr)
}

func (s *SGIP) backClient() (*sgip.Client, context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.back, s.ctx
}

type sgipHandler SGIP

func (h *sgipHandler) Submit(ctx context.Context, sc *sgip.ServerConn, sub *sgip.Submit) *sgip.SubmitResp {
	s := (*SGIP)(h)
	users := make([]string, len(sub.UserNumber))
	for k, u := range sub.UserNumber {
		users[k] = strip86(u)
	}
	s.received(users, sub.MessageContent)
	if !s.answers() {
		return nil
	}
	if s.decide() {
		return &sgip.SubmitResp{Result: uint8(s.behaviour.cfg.RejectCode)}
	}
	if !s.behaviour.cfg.NoReports && sub.ReportFlag != sgip.ReportNever {
		seq := sub.Seq
		for _, u := range sub.UserNumber {
			stat := s.pickStat()
			if sub.ReportFlag == sgip.ReportOnFailure && stat == "DELIVRD" {
				continue
			}
			s.report(func() {
				for range s.reportCopies() {
					rp := &sgip.Report{SubmitSeq: seq, ReportType: sgip.ReportForSubmit, UserNumber: u}
					rp.State, rp.ErrorCode = sgipState(stat)
					if !s.sendReport(rp) {
						return
					}
				}
			})
		}
	}
	return &sgip.SubmitResp{Result: sgip.ResultOK}
}

// sgipState maps a simulated stat to a Report's State and ErrorCode.
func sgipState(stat string) (state, code uint8) {
	switch stat {
	case "DELIVRD":
		return sgip.StateDelivered, 0
	case "EXPIRED", "UNDELIV":
		return sgip.StateFailed, sgip.ResultUserUnavailable
	case "UNKNOWN":
		return sgip.StateFailed, sgip.ResultUnknownUser
	case "REJECTD":
		return sgip.StateFailed, sgip.ResultIllegalDevice
	}
	return sgip.StateFailed, sgip.ResultSystemFailure
}

func (s *SGIP) sendReport(rp *sgip.Report) bool {
	_, ctx := s.backClient()
	if ctx == nil {
		return false
	}
	ok := s.keepTrying(ctx, func(ctx context.Context) bool {
		back, _ := s.backClient()
		if back == nil {
			return false
		}
		resp, err := back.Report(ctx, rp)
		return err == nil && resp.Result == sgip.ResultOK
	})
	if !ok {
		s.log.Warn("sim sgip: report not delivered", "msg_id", rp.MsgID())
	}
	return ok
}

// SendStrayReport sends a delivered Report for a Submit sequence number
// the SP never used (an SMG's mix-up).
func (s *SGIP) SendStrayReport(ctx context.Context, dest string) error {
	back, _ := s.backClient()
	if back == nil {
		return ErrNoClient
	}
	rp := &sgip.Report{SubmitSeq: session.Seq{Node: 1, Time: 1010000, N: s.stray.Add(1)},
		ReportType: sgip.ReportForSubmit, UserNumber: with86(dest), State: sgip.StateDelivered}
	resp, err := back.Report(ctx, rp)
	if err != nil {
		return fmt.Errorf("sim sgip: stray report: %w", err)
	}
	if resp.Result != sgip.ResultOK {
		return fmt.Errorf("sim sgip: platform answered a stray report with result %d", resp.Result)
	}
	return nil
}

// SendMO delivers a user's message (split with UDH when long) over a
// connection the simulator opens to the SP's Receiver.
func (s *SGIP) SendMO(ctx context.Context, from, to, text string) error {
	back, _ := s.backClient()
	if back == nil {
		return ErrNoClient
	}
	text = s.moText(text)
	coding := sms.PickCoding(text)
	parts, err := sms.Split(text, coding, uint8(time.Now().UnixNano()))
	if err != nil {
		return fmt.Errorf("sim sgip: MO text: %w", err)
	}
	for _, p := range parts {
		d := &sgip.Deliver{UserNumber: with86(from), SPNumber: to, MessageCoding: coding.FormatByte(), MessageContent: p.Content()}
		if len(p.UDH) > 0 {
			d.TPUDHI = 1
		}
		resp, err := back.Deliver(ctx, d)
		if err != nil {
			return fmt.Errorf("sim sgip: deliver MO: %w", err)
		}
		if resp.Result != sgip.ResultOK {
			return fmt.Errorf("sim sgip: platform answered MO with result %d", resp.Result)
		}
	}
	s.stats.mo.Add(1)
	return nil
}

func with86(n string) string {
	n = strings.TrimPrefix(n, "+")
	if strings.HasPrefix(n, "86") && len(n) == 13 {
		return n
	}
	return "86" + n
}

func strip86(n string) string {
	if strings.HasPrefix(n, "86") && len(n) == 13 {
		return n[2:]
	}
	return n
}
