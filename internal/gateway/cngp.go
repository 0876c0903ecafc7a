package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"hongyan/internal/proto/cngp"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// cngpDriver adapts a CNGP client to the Driver interface.
type cngpDriver struct {
	g       *Gateway
	cl      *cngp.Client
	in      Inbound
	log     *slog.Logger
	subType uint8
}

// NewCNGP builds the driver of a CNGP 2.0 ("cngp2") or 1.0 ("cngp1") gateway.
func NewCNGP(g *Gateway, in Inbound, log *slog.Logger) (Driver, error) {
	var v cngp.Version
	switch g.Protocol {
	case "cngp2", "cngp20", "cngp":
		v = cngp.V20
	case "cngp1", "cngp10":
		v = cngp.V10
	default:
		return nil, fmt.Errorf("gateway %s: protocol %q is not CNGP", g.Name, g.Protocol)
	}
	if len(g.Account) == 0 || len(g.Account) > 10 {
		return nil, fmt.Errorf("gateway %s: CNGP account (ClientID) must be 1-10 characters, got %q", g.Name, g.Account)
	}
	if g.CNGPLoginVersion < 0 || g.CNGPLoginVersion > 0xff {
		return nil, fmt.Errorf("gateway %s: cngp_login_version %d does not fit a byte", g.Name, g.CNGPLoginVersion)
	}
	subType := cngp.SubTypeOnDemand
	switch {
	case g.CNGPSubType >= 1 && g.CNGPSubType <= 3:
		subType = uint8(g.CNGPSubType)
	case g.CNGPSubType != 0:
		return nil, fmt.Errorf("gateway %s: cngp_sub_type %d: want 1, 2 or 3", g.Name, g.CNGPSubType)
	}
	d := &cngpDriver{g: g, in: in, log: log, subType: subType}
	d.cl = cngp.NewClient(cngp.ClientConfig{
		Name: g.Name, Addr: g.Addr, ClientID: g.Account, Secret: g.Secret, Version: v,
		LoginVersion: cngp.Version(g.CNGPLoginVersion), OmitTLVs: g.CNGPNoTLVs, InsecureSkipAuthServer: g.CNGPSkipAuthServer,
		Conns: max(g.Conns, 1), Window: g.Window, TPS: g.TPS,
		Session: session.Config{Window: g.Window, RequestTimeout: g.RequestTimeout, IdleHeartbeat: g.Heartbeat},
		Logger:  log,
	}, d.deliver)
	return d, nil
}

func (d *cngpDriver) Start(ctx context.Context)       { d.cl.Start(ctx) }
func (d *cngpDriver) Close(ctx context.Context) error { return d.cl.Close(ctx) }
func (d *cngpDriver) Stats() session.Stats            { return d.cl.Stats() }

// Available: at least one session is logged in.
func (d *cngpDriver) Available() bool { return d.cl.Stats().Connected > 0 }

// CNGP submit statuses worth trying again: busy, too many connections and
// the vendor range, where wujunjenny/smgw reports flow control (retries are
// bounded anyway).
func cngpRetryable(st uint32) bool {
	switch st {
	case cngp.StatusBusy, cngp.StatusTooManyConns:
		return true
	}
	return st >= 128 && st <= 255
}

func (d *cngpDriver) Submit(ctx context.Context, s *Submit) (Result, error) {
	svc := s.ServiceID
	if svc == "" {
		svc = d.g.ServiceID
	}
	// CNGP has no LinkID field: on-demand replies are matched by the SMGW.
	sub := &cngp.Submit{SubType: d.subType, ServiceID: svc, FeeType: "00", FeeCode: "000000",
		MsgFormat: s.Coding.FormatByte(), SrcTermID: s.Src, DestTermID: []string{s.To}, MsgContent: s.Content}
	if s.WantReport {
		sub.NeedReport = 1
	}
	if !s.ValidUntil.IsZero() {
		sub.ValidTime = smppTime(s.ValidUntil)
	}
	if s.UDHI && d.g.CNGPUDHITag != 0 {
		sub.TLVs.SetByte(d.g.CNGPUDHITag, 1)
	}
	resp, err := d.cl.Submit(ctx, sub)
	if err != nil {
		return Result{}, err
	}
	if resp.Status != cngp.StatusOK {
		return Result{Code: strconv.FormatUint(uint64(resp.Status), 10), Retryable: cngpRetryable(resp.Status)}, nil
	}
	return Result{OK: true, Code: "0", OpMsgID: resp.MsgID.String()}, nil
}

// deliver handles an MO or a report; a non-zero status makes the SMGW resend.
func (d *cngpDriver) deliver(ctx context.Context, dl *cngp.Deliver) uint32 {
	if dl.Report != nil {
		if err := d.in.Report(ctx, d.g, Report{OpMsgID: dl.Report.MsgID.String(), Stat: dl.Report.Stat, To: dl.SrcTermID}); err != nil {
			d.log.Error("status report not stored; asking the SMGW to resend", "gateway", d.g.Name, "err", err)
			return cngp.StatusBusy
		}
		return cngp.StatusOK
	}
	// No source shows a TP_udhi for CNGP: a concatenation UDH is found in
	// the content, or flagged by the configured tag.
	udhi := d.g.CNGPUDHITag != 0 && dl.TLVs.Byte(d.g.CNGPUDHITag) == 1
	if !udhi && len(dl.MsgContent) > 0 {
		if _, has, _, err := sms.ParseUDH(dl.MsgContent); err == nil && has {
			udhi = true
		}
	}
	err := d.in.MO(ctx, d.g, MO{From: dl.SrcTermID, To: dl.DestTermID,
		Coding: sms.CodingFromFormat(dl.MsgFormat), UDHI: udhi, Content: dl.MsgContent})
	if err != nil {
		d.log.Error("MO not stored; asking the SMGW to resend", "gateway", d.g.Name, "from", dl.SrcTermID, "err", err)
		return cngp.StatusBusy
	}
	return cngp.StatusOK
}
