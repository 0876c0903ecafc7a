package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"hongyan/internal/proto/smgp"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// smgpDriver adapts an SMGP client to the Driver interface.
type smgpDriver struct {
	g   *Gateway
	cl  *smgp.Client
	in  Inbound
	log *slog.Logger
}

// NewSMGP builds the driver of an SMGP 3.0 ("smgp3"), 2.0 ("smgp2") or 1.3 ("smgp13") gateway.
func NewSMGP(g *Gateway, in Inbound, log *slog.Logger) (Driver, error) {
	var v smgp.Version
	switch g.Protocol {
	case "smgp3", "smgp30", "smgp":
		v = smgp.V30
	case "smgp2", "smgp20":
		v = smgp.V20
	case "smgp13":
		v = smgp.V13
	default:
		return nil, fmt.Errorf("gateway %s: protocol %q is not SMGP", g.Name, g.Protocol)
	}
	if len(g.Account) == 0 || len(g.Account) > 8 {
		return nil, fmt.Errorf("gateway %s: SMGP account (ClientID) must be 1-8 characters, got %q", g.Name, g.Account)
	}
	d := &smgpDriver{g: g, in: in, log: log}
	d.cl = smgp.NewClient(smgp.ClientConfig{
		Name: g.Name, Addr: g.Addr, ClientID: g.Account, Secret: g.Secret, Version: v,
		Conns: max(g.Conns, 1), Window: g.Window, TPS: g.TPS,
		Session: session.Config{Window: g.Window, RequestTimeout: g.RequestTimeout, IdleHeartbeat: g.Heartbeat},
		Logger:  log,
	}, d.deliver)
	return d, nil
}

func (d *smgpDriver) Start(ctx context.Context)       { d.cl.Start(ctx) }
func (d *smgpDriver) Close(ctx context.Context) error { return d.cl.Close(ctx) }
func (d *smgpDriver) Stats() session.Stats            { return d.cl.Stats() }

// Available: at least one session is logged in.
func (d *smgpDriver) Available() bool { return d.cl.Stats().Connected > 0 }

// SMGP submit statuses worth trying again: busy, flow and time limits.
func smgpRetryable(st uint32) bool {
	switch st {
	case smgp.StatusBusy, smgp.StatusTooManyConns, smgp.StatusSPDailyLimit:
		return true
	}
	return false
}

func (d *smgpDriver) Submit(ctx context.Context, s *Submit) (Result, error) {
	svc := s.ServiceID
	if svc == "" {
		svc = d.g.ServiceID
	}
	sub := &smgp.Submit{MsgType: 6, ServiceID: svc, FeeType: "00", FeeCode: "000000", FixedFee: "000000",
		MsgFormat: s.Coding.FormatByte(), SrcTermID: s.Src, DestTermID: []string{s.To}, MsgContent: s.Content}
	if s.WantReport {
		sub.NeedReport = 1
	}
	if !s.ValidUntil.IsZero() {
		sub.ValidTime = smppTime(s.ValidUntil)
	}
	if s.UDHI {
		sub.TLVs.SetByte(smgp.TagTPUDHI, 1)
		sub.TLVs.SetByte(smgp.TagPkTotal, uint8(s.Total))
		sub.TLVs.SetByte(smgp.TagPkNumber, uint8(s.Seq))
	}
	if s.LinkID != "" {
		sub.TLVs.SetString(smgp.TagLinkID, s.LinkID, 20)
	}
	resp, err := d.cl.Submit(ctx, sub)
	if err != nil {
		return Result{}, err
	}
	if resp.Status != smgp.StatusOK {
		return Result{Code: strconv.FormatUint(uint64(resp.Status), 10), Retryable: smgpRetryable(resp.Status)}, nil
	}
	return Result{OK: true, Code: "0", OpMsgID: resp.MsgID.String()}, nil
}

// deliver handles an MO or a report; a non-zero status makes the SMGW resend.
func (d *smgpDriver) deliver(ctx context.Context, dl *smgp.Deliver) uint32 {
	if dl.Report != nil {
		if err := d.in.Report(ctx, d.g, Report{OpMsgID: dl.Report.MsgID.String(), Stat: dl.Report.Stat, To: dl.SrcTermID}); err != nil {
			d.log.Error("status report not stored; asking the SMGW to resend", "gateway", d.g.Name, "err", err)
			return smgp.StatusBusy
		}
		return smgp.StatusOK
	}
	udhi := dl.UDHI()
	if !udhi && len(dl.MsgContent) > 0 {
		// Before 3.0 there is no TP_udhi TLV; a concatenation UDH still shows.
		if _, has, _, err := sms.ParseUDH(dl.MsgContent); err == nil && has {
			udhi = true
		}
	}
	err := d.in.MO(ctx, d.g, MO{From: dl.SrcTermID, To: dl.DestTermID, LinkID: dl.TLVs.String(smgp.TagLinkID),
		Coding: sms.CodingFromFormat(dl.MsgFormat), UDHI: udhi, Content: dl.MsgContent})
	if err != nil {
		d.log.Error("MO not stored; asking the SMGW to resend", "gateway", d.g.Name, "from", dl.SrcTermID, "err", err)
		return smgp.StatusBusy
	}
	return smgp.StatusOK
}
