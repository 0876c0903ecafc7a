package sim

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"hongyan/internal/proto/smpp"
	"hongyan/internal/sms"
)

// SMPP simulates an SMSC speaking SMPP 3.4 or 3.3. It answers submit_sm
// with a hex message id and writes the decimal form in the receipt text —
// the mismatch real SMSCs are known for — while the receipted_message_id
// TLV carries the hex form (configure the gateway with smpp_id_format
// "hex-dec"). Close sends unbind to each ESME; receipts survive a Kill.
type SMPP struct {
	*core[*smpp.Server]
	version  smpp.Version
	accounts map[string]string
	next     atomic.Uint64
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
	s := &SMPP{core: newCore[*smpp.Server]("smpp", cfg.Config, cfg.Logger), version: cfg.Version, accounts: cfg.Accounts}
	s.next.Store(uint64(time.Now().UnixNano()) & 0xFFFFFFFF)
	s.start = func() *smpp.Server {
		return smpp.NewServer(smpp.ServerConfig{Version: s.version, SystemID: "HYSIM", Window: s.cfg.Window, Logger: s.log,
			Auth: smpp.StaticAuth(s.accounts)}, (*smppHandler)(s))
	}
	return s
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
	ctx := s.reportCtx()
	now := reportDate()
	stat := s.pickStat()
	for range s.reportCopies() {
		d := smpp.NewReceipt(orig, &smpp.Receipt{ID: respID, TextID: textID, Stat: stat, SubmitDate: now, DoneDate: now})
		ok := s.deliverReport(ctx, "receipt", func(ctx context.Context) bool {
			rx := s.receivers(systemID)
			if len(rx) == 0 {
				return false
			}
			resp, err := rx[0].Deliver(ctx, d)
			return err == nil && resp.Status == smpp.ESME_ROK
		}, "message_id", respID)
		if !ok {
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
	now := reportDate()
	d := smpp.NewReceipt(&smpp.SubmitSM{SourceAddr: "0", DestAddrNPI: 1, DestinationAddr: dest},
		&smpp.Receipt{ID: strconv.FormatUint(n, 16), TextID: strconv.FormatUint(n, 10), Stat: "DELIVRD", SubmitDate: now, DoneDate: now})
	resp, err := rx[0].Deliver(ctx, d)
	return s.answered("stray receipt", err, smppRefusal(resp))
}

// smppRefusal words a deliver_sm_resp that was not OK ("" for OK or none).
func smppRefusal(resp *smpp.DeliverSMResp) string {
	if resp == nil || resp.Status == smpp.ESME_ROK {
		return ""
	}
	return smpp.StatusName(resp.Status)
}

func (s *SMPP) receivers(systemID string) []*smpp.ServerConn {
	srv, ok := s.server()
	if !ok {
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
	return s.sendMO(text, true, func(coding sms.Coding, p sms.Part) (string, error) {
		d := &smpp.DeliverSM{SourceAddrTON: 0, SourceAddrNPI: 1, SourceAddr: from, DestinationAddr: to,
			DataCoding: coding.SMPPDataCoding(), ShortMessage: p.Content()}
		if len(p.UDH) > 0 {
			d.ESMClass = smpp.EsmUDHI
		}
		resp, err := rx[0].Deliver(ctx, d)
		return smppRefusal(resp), err
	})
}
