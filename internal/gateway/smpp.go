package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"hongyan/internal/proto/smpp"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// smppDriver adapts an SMPP ESME client to the Driver interface.
type smppDriver struct {
	g   *Gateway
	cl  *smpp.Client
	in  Inbound
	idf smpp.IDFormat
	log *slog.Logger
}

// NewSMPP builds the driver of an SMPP 3.4 ("smpp34") or 3.3 ("smpp33") gateway.
func NewSMPP(g *Gateway, in Inbound, log *slog.Logger) (Driver, error) {
	v := smpp.V34
	switch g.Protocol {
	case "smpp34", "smpp":
	case "smpp33":
		v = smpp.V33
	default:
		return nil, fmt.Errorf("gateway %s: protocol %q is not SMPP", g.Name, g.Protocol)
	}
	idf, err := smpp.ParseIDFormat(g.SMPPIDFormat)
	if err != nil {
		return nil, fmt.Errorf("gateway %s: smpp_id_format: %w", g.Name, err)
	}
	d := &smppDriver{g: g, in: in, idf: idf, log: log}
	d.cl, err = smpp.NewClient(smpp.ClientConfig{
		Name: g.Name, Addr: g.Addr, SystemID: g.Account, Password: g.Secret, SystemType: g.SystemType, Version: v,
		Conns: max(g.Conns, 1), Window: g.Window, TPS: g.TPS, IDFormat: idf,
		Session: session.Config{Window: g.Window, RequestTimeout: g.RequestTimeout, IdleHeartbeat: g.Heartbeat},
		Logger:  log,
	}, d.deliver)
	if err != nil {
		return nil, fmt.Errorf("gateway %s: %w", g.Name, err)
	}
	return d, nil
}

func (d *smppDriver) Start(ctx context.Context)       { d.cl.Start(ctx) }
func (d *smppDriver) Close(ctx context.Context) error { return d.cl.Close(ctx) }
func (d *smppDriver) Stats() session.Stats            { return d.cl.Stats() }

// Available: at least one session is logged in.
func (d *smppDriver) Available() bool { return d.cl.Stats().Connected > 0 }

func (d *smppDriver) Submit(ctx context.Context, s *Submit) (Result, error) {
	sub := &smpp.SubmitSM{
		ServiceType: s.ServiceID, SourceAddr: s.Src, DataCoding: s.Coding.SMPPDataCoding(),
		RegisteredDelivery: 0,
	}
	if s.WantReport {
		sub.RegisteredDelivery = 1
	}
	// Mainland numbers go as national numbers; E.164 ones as international.
	if strings.HasPrefix(s.To, "+") {
		sub.DestAddrTON, sub.DestAddrNPI, sub.DestinationAddr = 1, 1, s.To[1:]
	} else {
		sub.DestAddrTON, sub.DestAddrNPI, sub.DestinationAddr = 0, 1, s.To
	}
	if err := sub.SetSegment(s.Content, s.UDHI, smpp.LongUDH); err != nil {
		return Result{}, fmt.Errorf("gateway %s: %w", d.g.Name, err)
	}
	resp, err := d.cl.Submit(ctx, sub)
	if err != nil {
		return Result{}, err
	}
	if resp.Status != smpp.ESME_ROK {
		return Result{Code: smpp.StatusName(resp.Status), Retryable: smpp.Retryable(resp.Status)}, nil
	}
	return Result{OK: true, Code: "0", OpMsgID: d.idf.RespKey(resp.MessageID)}, nil
}

// deliver handles an MO or a receipt; a failure status makes the SMSC
// deliver it again later.
func (d *smppDriver) deliver(ctx context.Context, dl *smpp.DeliverSM) uint32 {
	if r, ok := dl.Receipt(); ok {
		if !r.Final() {
			return smpp.ESME_ROK // intermediate receipts change nothing
		}
		if err := d.in.Report(ctx, d.g, Report{OpMsgID: r.Key(d.idf), Stat: r.Stat, To: dl.SourceAddr}); err != nil {
			d.log.Error("receipt not stored; asking the SMSC to resend", "gateway", d.g.Name, "err", err)
			return smpp.ESME_RX_T_APPN
		}
		return smpp.ESME_ROK
	}
	c, err := dl.Content()
	if err != nil {
		d.log.Warn("MO with unreadable content", "gateway", d.g.Name, "from", dl.SourceAddr, "err", err)
		return smpp.ESME_RINVMSGLEN
	}
	mo := MO{From: dl.SourceAddr, To: dl.DestinationAddr, ServiceID: dl.ServiceType,
		Coding: sms.CodingFromSMPP(dl.DataCoding), Content: c.Payload}
	if c.HasConcat {
		// The core reassembles from a UDH, whichever way the parts came.
		mo.UDHI = true
		mo.Content = append(sms.ConcatUDH(c.Concat), c.Payload...)
	}
	if err := d.in.MO(ctx, d.g, mo); err != nil {
		d.log.Error("MO not stored; asking the SMSC to resend", "gateway", d.g.Name, "from", dl.SourceAddr, "err", err)
		return smpp.ESME_RX_T_APPN
	}
	return smpp.ESME_ROK
}
