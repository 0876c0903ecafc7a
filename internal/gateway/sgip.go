package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"hongyan/internal/proto/sgip"
	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// sgipDriver adapts SGIP 1.2's two directions to the Driver interface: an
// sgip.Client binds to the SMG for MT, and an sgip.Receiver listens on
// Config.Listen for the SMG's own Bind, over which Deliver (MO) and Report
// arrive.
type sgipDriver struct {
	g     *Gateway
	cl    *sgip.Client
	recv  *sgip.Server
	in    Inbound
	log   *slog.Logger
	login string
	pass  string
	nets  []*net.IPNet // SMGIPs; empty = any source

	mu        sync.Mutex
	listenErr string // the Receiver's listen failure, "" while listening
	ln        net.Listener
	closed    bool
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// NewSGIP builds the driver of an SGIP 1.2 gateway ("sgip").
func NewSGIP(g *Gateway, in Inbound, log *slog.Logger) (Driver, error) {
	switch g.Protocol {
	case "sgip", "sgip12":
	default:
		return nil, fmt.Errorf("gateway %s: protocol %q is not SGIP", g.Name, g.Protocol)
	}
	if len(g.Account) == 0 || len(g.Account) > 16 {
		return nil, fmt.Errorf("gateway %s: SGIP account (LoginName) must be 1-16 characters, got %q", g.Name, g.Account)
	}
	if len(g.Secret) > 16 {
		return nil, fmt.Errorf("gateway %s: SGIP secret (LoginPassword) must be at most 16 characters", g.Name)
	}
	if g.Listen == "" {
		return nil, fmt.Errorf("gateway %s: SGIP needs listen, the address the SMG connects back to for MO and reports", g.Name)
	}
	if g.NodeID == 0 {
		return nil, fmt.Errorf("gateway %s: SGIP needs node_id, the SP node id 3AAAAQQQQQ the operator assigned", g.Name)
	}
	if log == nil {
		log = slog.Default()
	}
	d := &sgipDriver{g: g, in: in, log: log, login: g.SMGLogin, pass: g.SMGPassword}
	if d.login == "" {
		d.login = g.Account
	}
	if d.pass == "" {
		d.pass = g.Secret
	}
	for _, s := range g.SMGIPs {
		n, err := parseIPNet(s)
		if err != nil {
			return nil, fmt.Errorf("gateway %s: smg_ips: %w", g.Name, err)
		}
		d.nets = append(d.nets, n)
	}
	d.cl = sgip.NewClient(sgip.ClientConfig{
		Name: g.Name, Addr: g.Addr, LoginName: g.Account, LoginPassword: g.Secret, NodeID: g.NodeID,
		Conns: max(g.Conns, 1), Window: g.Window, TPS: g.TPS, LinkIDVariant: g.SGIPLinkID,
		Session: session.Config{Window: g.Window, RequestTimeout: g.RequestTimeout},
		Logger:  log,
	})
	d.recv = sgip.NewReceiver(sgip.ServerConfig{Auth: d.auth, Window: g.Window,
		Logger: log.With("gateway", g.Name)}, (*sgipInbound)(d))
	return d, nil
}

func parseIPNet(s string) (*net.IPNet, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP or CIDR", s)
		}
		return n, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("%q is not an IP or CIDR", s)
	}
	bits := 128
	if ip4 := ip.To4(); ip4 != nil {
		ip, bits = ip4, 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
}

// auth checks the SMG's Bind: credentials and, when smg_ips is set, the
// source address.
func (d *sgipDriver) auth(login, password string, remote net.Addr) bool {
	if login != d.login || password != d.pass {
		d.log.Warn("SGIP bind from the SMG refused: wrong login or password", "gateway", d.g.Name, "remote", addrOf(remote), "login", login)
		return false
	}
	if len(d.nets) == 0 {
		return true
	}
	var ip net.IP
	if ta, ok := remote.(*net.TCPAddr); ok {
		ip = ta.IP
	} else if remote != nil {
		host, _, _ := net.SplitHostPort(remote.String())
		ip = net.ParseIP(host)
	}
	for _, n := range d.nets {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	d.log.Warn("SGIP bind from the SMG refused: source address not in smg_ips", "gateway", d.g.Name, "remote", addrOf(remote))
	return false
}

func addrOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// Start connects the client and starts the Receiver. A listen failure is
// logged, shown in Stats().LastError and retried until Close.
func (d *sgipDriver) Start(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.stop != nil {
		return
	}
	lctx, stop := context.WithCancel(ctx)
	d.stop = stop
	d.cl.Start(ctx)
	d.wg.Add(1)
	go d.serve(lctx)
}

// serve listens on g.Listen (retrying while the address is taken) and
// accepts the SMG's connections until Close.
func (d *sgipDriver) serve(ctx context.Context) {
	defer d.wg.Done()
	for wait := 500 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		ln, err := net.Listen("tcp", d.g.Listen)
		if err == nil {
			d.mu.Lock()
			if d.closed {
				d.mu.Unlock()
				_ = ln.Close()
				return
			}
			d.ln, d.listenErr = ln, ""
			d.mu.Unlock()
			d.log.Info("SGIP receiver listening for the SMG", "gateway", d.g.Name, "addr", ln.Addr().String())
			if err := d.recv.Serve(ln); err != nil && ctx.Err() == nil {
				d.log.Error("SGIP receiver stopped", "gateway", d.g.Name, "err", err)
			}
			return
		}
		msg := fmt.Sprintf("sgip receiver: listen %s: %v", d.g.Listen, err)
		d.mu.Lock()
		d.listenErr = msg
		d.mu.Unlock()
		d.log.Error("SGIP receiver cannot listen; MO and reports cannot arrive", "gateway", d.g.Name, "addr", d.g.Listen, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Close stops the Receiver and the client.
func (d *sgipDriver) Close(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	stop, ln := d.stop, d.ln
	d.mu.Unlock()
	if stop != nil {
		stop()
	}
	err := d.recv.Close(ctx)
	if ln != nil {
		_ = ln.Close() // in case Serve had not taken it yet
	}
	err = errors.Join(err, d.cl.Close(ctx))
	d.wg.Wait()
	return err
}

// Stats are the client's: Connected counts the sessions bound right now,
// none while idle (SGIP connects per burst); a Receiver that cannot listen
// shows as LastError.
func (d *sgipDriver) Stats() session.Stats {
	st := d.cl.Stats()
	d.mu.Lock()
	if d.listenErr != "" {
		st.LastError = d.listenErr
	}
	d.mu.Unlock()
	return st
}

// Available: bound, or idle and connecting on demand; not while the client
// backs off after a failed connect or Bind (see sgip.Client.Available).
func (d *sgipDriver) Available() bool { return d.cl.Available() }

// sgipRetryable says which Submit_Resp results may succeed later or
// through another gateway: congestion (3 too many connections, 11 node
// busy, 33 SMSC queue full), transient network trouble (21 unreachable,
// 22 routing error, 32 system failure). Everything else (bad login,
// parameters, number, length, unknown user, …) refuses this message.
func sgipRetryable(r uint8) bool {
	switch r {
	case sgip.ResultTooManyConns, sgip.ResultNodeBusy, sgip.ResultSMSCQueueFull,
		sgip.ResultUnreachable, sgip.ResultRoutingError, sgip.ResultSystemFailure:
		return true
	}
	return false
}

// sgipNumber writes a number as SGIP wants it: "86"-prefixed for
// mainland numbers; international numbers without their '+'.
func sgipNumber(n string) string {
	switch {
	case strings.HasPrefix(n, "+"):
		return n[1:]
	case strings.HasPrefix(n, "86") && len(n) == 13:
		return n
	}
	return "86" + n
}

// fromSGIPNumber strips the "86" of a mainland number.
func fromSGIPNumber(n string) string {
	n = strings.TrimPrefix(n, "+")
	if strings.HasPrefix(n, "86") && len(n) == 13 {
		return n[2:]
	}
	return n
}

func (d *sgipDriver) Submit(ctx context.Context, s *Submit) (Result, error) {
	svc := s.ServiceID
	if svc == "" {
		svc = d.g.ServiceID
	}
	sub := &sgip.Submit{
		SPNumber: s.Src, UserNumber: []string{sgipNumber(s.To)}, ServiceType: svc,
		FeeType: 1, FeeValue: "0", GivenValue: "0", // free to the user: the platform bills its own customers
		MorelatetoMTFlag: sgip.MTNotForMO, ReportFlag: sgip.ReportAlways,
		MessageCoding: s.Coding.FormatByte(), MessageContent: s.Content, LinkID: s.LinkID,
	}
	// ReportFlag is always 1 whatever s.WantReport: SGIP's default (0)
	// reports failures only, and the platform settles every MT by its
	// report; one nobody waits for is harmless.
	if s.UDHI {
		sub.TPUDHI = 1
	}
	if !s.ValidUntil.IsZero() {
		sub.ExpireTime = sgipTime(s.ValidUntil)
	}
	resp, err := d.cl.Submit(ctx, sub)
	if err != nil {
		return Result{}, err
	}
	if resp.Result != sgip.ResultOK {
		return Result{Code: strconv.Itoa(int(resp.Result)), Retryable: sgipRetryable(resp.Result)}, nil
	}
	return Result{OK: true, Code: "0", OpMsgID: resp.MsgID}, nil
}

// sgipTime is the spec's "yymmddhhmmss032+" in Beijing time.
func sgipTime(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("060102150405") + "032+"
}

// SGIPStat maps a Report's State and ErrorCode to the stat the platform
// stores: State 0 → "DELIVRD"; State 2 → "ERR:<ErrorCode>" (the raw
// SGIP error code kept, an undelivered state); any other state →
// "STATE:<n>". State 1 (waiting) is not final and yields "" (not stored).
func SGIPStat(state, errorCode uint8) string {
	switch state {
	case sgip.StateDelivered:
		return "DELIVRD"
	case sgip.StateWaiting:
		return ""
	case sgip.StateFailed:
		return "ERR:" + strconv.Itoa(int(errorCode))
	}
	return "STATE:" + strconv.Itoa(int(state))
}

// sgipInbound is the Receiver's handler: what the SMG sends us.
type sgipInbound sgipDriver

// Deliver is an MO; a failure to store it answers Result 11 (node busy)
// so that the SMG resends.
func (h *sgipInbound) Deliver(ctx context.Context, _ *sgip.ServerConn, dl *sgip.Deliver) uint8 {
	d := (*sgipDriver)(h)
	udhi := dl.TPUDHI == 1
	from := fromSGIPNumber(dl.UserNumber)
	err := d.in.MO(ctx, d.g, MO{From: from, To: dl.SPNumber, LinkID: dl.LinkID,
		Coding: sms.CodingFromFormat(dl.MessageCoding), UDHI: udhi, Content: dl.MessageContent})
	if err != nil {
		d.log.Error("MO not stored; asking the SMG to resend", "gateway", d.g.Name, "from", from, "err", err)
		return sgip.ResultNodeBusy
	}
	return sgip.ResultOK
}

// Report is a status report; one not stored answers Result 11 so the SMG
// resends it.
func (h *sgipInbound) Report(ctx context.Context, _ *sgip.ServerConn, r *sgip.Report) uint8 {
	d := (*sgipDriver)(h)
	if r.ReportType != sgip.ReportForSubmit {
		d.log.Info("SGIP report about a Deliver ignored", "gateway", d.g.Name, "msg_id", r.MsgID())
		return sgip.ResultOK
	}
	stat := SGIPStat(r.State, r.ErrorCode)
	if stat == "" {
		d.log.Debug("SGIP interim report (waiting) ignored", "gateway", d.g.Name, "msg_id", r.MsgID())
		return sgip.ResultOK
	}
	if err := d.in.Report(ctx, d.g, Report{OpMsgID: r.MsgID(), Stat: stat, To: fromSGIPNumber(r.UserNumber)}); err != nil {
		d.log.Error("status report not stored; asking the SMG to resend", "gateway", d.g.Name, "msg_id", r.MsgID(), "err", err)
		return sgip.ResultNodeBusy
	}
	return sgip.ResultOK
}
