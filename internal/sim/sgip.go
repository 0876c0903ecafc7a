package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"

	"hongyan/internal/proto/sgip"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// SGIP simulates a China Unicom SMG speaking SGIP 1.2. SPs bind to it to
// submit; for MO and status reports it connects back, as a real SMG does,
// to the SP's Receiver at SPAddr with SPLogin / SPPassword.
//
// Close also closes the connection back to the SP; Kill drops it without
// Unbind, and reports already due are delivered once it is back (Restart).
type SGIP struct {
	*core[*sgip.Server]
	cfg   SGIPConfig
	back  *sgip.Client  // to the SP's Receiver; guarded by core.mu
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
	s := &SGIP{core: newCore[*sgip.Server]("sgip", cfg.Config, cfg.Logger), cfg: cfg}
	s.start = func() *sgip.Server {
		if s.cfg.SPAddr != "" {
			s.back = sgip.NewSMGClient(sgip.ClientConfig{Name: "sim-sgip", Addr: s.cfg.SPAddr,
				LoginName: s.cfg.SPLogin, LoginPassword: s.cfg.SPPassword, NodeID: s.cfg.NodeID,
				Window: s.behaviour.cfg.Window, Logger: s.log})
		}
		return sgip.NewSMGServer(sgip.ServerConfig{Window: s.behaviour.cfg.Window, Logger: s.log,
			Auth: func(login, pw string, _ net.Addr) bool {
				want, ok := s.cfg.Accounts[login]
				return ok && want == pw
			}}, (*sgipHandler)(s))
	}
	s.detach = func() func(context.Context) error {
		back := s.back
		s.back = nil
		if back == nil {
			return nil
		}
		return back.Close
	}
	return s
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
	return s.deliverReport(ctx, "report", func(ctx context.Context) bool {
		back, _ := s.backClient()
		if back == nil {
			return false
		}
		resp, err := back.Report(ctx, rp)
		return err == nil && resp.Result == sgip.ResultOK
	}, "msg_id", rp.MsgID())
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
	refused := ""
	if err == nil && resp.Result != sgip.ResultOK {
		refused = fmt.Sprintf("result %d", resp.Result)
	}
	return s.answered("stray report", err, refused)
}

// SendMO delivers a user's message (split with UDH when long) over a
// connection the simulator opens to the SP's Receiver.
func (s *SGIP) SendMO(ctx context.Context, from, to, text string) error {
	back, _ := s.backClient()
	if back == nil {
		return ErrNoClient
	}
	return s.sendMO(text, false, func(coding sms.Coding, p sms.Part) (string, error) {
		d := &sgip.Deliver{UserNumber: with86(from), SPNumber: to, MessageCoding: coding.FormatByte(), MessageContent: p.Content()}
		if len(p.UDH) > 0 {
			d.TPUDHI = 1
		}
		resp, err := back.Deliver(ctx, d)
		if err != nil || resp.Result == sgip.ResultOK {
			return "", err
		}
		return fmt.Sprintf("result %d", resp.Result), nil
	})
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
