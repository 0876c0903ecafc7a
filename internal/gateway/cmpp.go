package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"hongyan/internal/proto/cmpp"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// cmppDriver adapts a CMPP client to the Driver interface.
type cmppDriver struct {
	g   *Gateway
	cl  *cmpp.Client
	in  Inbound
	log *slog.Logger
	v   cmpp.Version
}

// NewCMPP builds the driver of a CMPP 3.0 ("cmpp3") or 2.0 ("cmpp2") gateway.
func NewCMPP(g *Gateway, in Inbound, log *slog.Logger) (Driver, error) {
	v := cmpp.V30
	switch g.Protocol {
	case "cmpp3", "cmpp30", "cmpp":
	case "cmpp2", "cmpp20":
		v = cmpp.V20
	default:
		return nil, fmt.Errorf("gateway %s: protocol %q is not CMPP", g.Name, g.Protocol)
	}
	if len(g.Account) == 0 || len(g.Account) > 6 {
		return nil, fmt.Errorf("gateway %s: CMPP account (SP_Id, Source_Addr) must be 1-6 characters, got %q", g.Name, g.Account)
	}
	d := &cmppDriver{g: g, in: in, log: log, v: v} // the client names the gateway in its logs
	d.cl = cmpp.NewClient(cmpp.ClientConfig{
		Name: g.Name, Addr: g.Addr, SourceAddr: g.Account, Secret: g.Secret, Version: v,
		Conns: max(g.Conns, 1), Window: g.Window, TPS: g.TPS,
		Session: session.Config{Window: g.Window, RequestTimeout: g.RequestTimeout, IdleHeartbeat: g.Heartbeat},
		Logger:  d.log,
	}, d.deliver)
	return d, nil
}

func (d *cmppDriver) Start(ctx context.Context)       { d.cl.Start(ctx) }
func (d *cmppDriver) Close(ctx context.Context) error { return d.cl.Close(ctx) }
func (d *cmppDriver) Stats() session.Stats            { return d.cl.Stats() }

// Available: at least one session is logged in.
func (d *cmppDriver) Available() bool { return d.cl.Stats().Connected > 0 }

// CMPP submit results worth trying again: flow control and busy codes.
func cmppRetryable(result uint32) bool {
	switch result {
	case 8: // flow control error (too fast)
		return true
	}
	return result >= 100 // vendor codes: mostly congestion; retries are bounded anyway
}

func (d *cmppDriver) Submit(ctx context.Context, s *Submit) (Result, error) {
	svc := s.ServiceID
	if svc == "" {
		svc = d.g.ServiceID
	}
	sub := &cmpp.Submit{
		PkTotal: uint8(s.Total), PkNumber: uint8(s.Seq), MsgLevel: 0, ServiceID: svc,
		FeeUserType: 2, // charge the SP: the platform bills its own users
		MsgFmt:      s.Coding.FormatByte(), MsgSrc: d.g.Account, FeeType: "01", FeeCode: "000000",
		SrcID: s.Src, DestTerminalID: []string{s.To}, MsgContent: s.Content, LinkID: s.LinkID,
	}
	if s.WantReport {
		sub.RegisteredDelivery = 1
	}
	if s.UDHI {
		sub.TPUDHI = 1
	}
	if !s.ValidUntil.IsZero() {
		sub.ValidTime = smppTime(s.ValidUntil)
	}
	resp, err := d.cl.Submit(ctx, sub)
	if err != nil {
		return Result{}, err
	}
	r := Result{Code: strconv.FormatUint(uint64(resp.Result), 10), OK: resp.Result == 0}
	if r.OK {
		r.OpMsgID = strconv.FormatUint(resp.MsgID, 10)
	} else {
		r.Retryable = cmppRetryable(resp.Result)
	}
	return r, nil
}

// deliver handles an MO or a status report; a non-zero result makes the
// ISMG resend, which is what we want when it could not be stored.
func (d *cmppDriver) deliver(ctx context.Context, dl *cmpp.Deliver) uint32 {
	if dl.Report != nil {
		rp := dl.Report
		err := d.in.Report(ctx, d.g, Report{OpMsgID: strconv.FormatUint(rp.MsgID, 10), Stat: rp.Stat,
			To: rp.DestTerminalID})
		if err != nil {
			d.log.Error("status report not stored; asking the ISMG to resend", "err", err)
			return 9
		}
		return 0
	}
	err := d.in.MO(ctx, d.g, MO{From: dl.SrcTerminalID, To: dl.DestID, ServiceID: dl.ServiceID, LinkID: dl.LinkID,
		Coding: sms.CodingFromFormat(dl.MsgFmt), UDHI: dl.TPUDHI == 1, Content: dl.MsgContent})
	if err != nil {
		d.log.Error("MO not stored; asking the ISMG to resend", "from", dl.SrcTerminalID, "err", err)
		return 9
	}
	return 0
}

// smppTime is the SMPP 3.3 absolute time CMPP uses: YYMMDDhhmmsstnnp, "032+" for UTC+8.
func smppTime(t time.Time) string {
	return t.In(chinaTZ).Format("060102150405") + "032+"
}

var chinaTZ = time.FixedZone("CST", 8*3600)
