// Package gateway is the one interface every operator protocol sits behind:
// the core hands it protocol-neutral segments and receives protocol-neutral
// reports and MO; it never learns which protocol carried them. It also owns
// routing by number segment and the per-operator gateway pools (priority,
// weight, health, failover).
package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"hongyan/internal/session"
	"hongyan/internal/sms"
)

// Submit is one segment to send.
type Submit struct {
	MessageID  int64
	Seq, Total int
	Src        string // service code + extension shown as the sender
	To         string // normalised number
	ServiceID  string // operator business code; "" = the gateway's default
	Coding     sms.Coding
	UDHI       bool
	Content    []byte // UDH (when UDHI) followed by the encoded text
	WantReport bool
	ValidUntil time.Time // zero = operator default
	LinkID     string
}

// Result is the operator's answer to a Submit.
type Result struct {
	OpMsgID string // canonical operator message id (decimal for CMPP's u64)
	OK      bool
	Code    string // operator's raw result, "0" when OK
	// Retryable says a refusal may succeed later or elsewhere (flow control,
	// busy), as opposed to a permanent refusal of this message.
	Retryable bool
}

// Report is a status report, already mapped to a platform state.
type Report struct {
	OpMsgID string
	Stat    string // operator's raw stat (DELIVRD, UNDELIV, …)
	To      string
	Done    time.Time
}

// MO is a user's message to a service code, as received: the core
// decodes it and reassembles long messages (UDHI) from their parts.
type MO struct {
	From, To  string
	ServiceID string
	LinkID    string
	Coding    sms.Coding
	UDHI      bool
	Content   []byte
}

// Inbound receives what gateways hear from operators. Each call returns
// only once the item is durably stored (nil) or could not be (error, and the
// protocol answers the operator with a failure so it resends).
type Inbound interface {
	Report(ctx context.Context, gw *Gateway, r Report) error
	MO(ctx context.Context, gw *Gateway, m MO) error
}

// Driver is one protocol's client for one gateway account.
type Driver interface {
	Start(ctx context.Context)
	// Submit sends one segment. An error means it was not answered (not
	// connected, timeout, connection lost): the outcome is unknown or it was
	// never sent; a refusal by the operator is a Result with OK=false.
	Submit(ctx context.Context, s *Submit) (Result, error)
	Close(ctx context.Context) error
	// Stats are the driver's counters; Connected is the number of sessions
	// logged in right now, nothing else.
	Stats() session.Stats
	// Available reports whether a Submit would be tried now: a session is
	// logged in, or the driver opens one on demand (SGIP, idle). False
	// while every session is down or the driver backs off after failed
	// logins.
	Available() bool
}

// ErrNoGateway means no healthy gateway serves the operator right now.
var ErrNoGateway = errors.New("no gateway available")

// noAnswer reports whether a Submit error is the link's: no session, the
// connection closed or broke, or no answer in time.
func noAnswer(err error) bool {
	return errors.Is(err, session.ErrTimeout) || errors.Is(err, session.ErrClosed) ||
		errors.Is(err, session.ErrNoSession) || errors.Is(err, session.ErrMalformed)
}

// InDoubt reports whether a Submit error leaves the segment's fate
// unknown: it may have reached the operator (no answer in time, the
// connection lost with the request in flight). Errors from before
// anything was sent (no gateway, no session) are not in doubt. When it
// cannot tell, it says in doubt.
func InDoubt(err error) bool {
	return err != nil && !errors.Is(err, ErrNoGateway) && !errors.Is(err, session.ErrNoSession)
}

// Config describes one gateway account.
type Config struct {
	Name      string  `yaml:"name"`
	Operator  string  `yaml:"operator"` // cmcc, cucc, ctcc, cbn, intl
	Protocol  string  `yaml:"protocol"` // cmpp3, cmpp2, smgp3, smgp2, smgp13, cngp2, cngp1, sgip, smpp34, smpp33
	Addr      string  `yaml:"addr"`
	Account   string  `yaml:"account"` // CMPP Source_Addr (SP_Id)
	Secret    string  `yaml:"secret"`
	ServiceID string  `yaml:"service_id"`
	SrcID     string  `yaml:"src_id"` // service code (long number) used as sender base
	Conns     int     `yaml:"conns"`
	Window    int     `yaml:"window"`
	TPS       float64 `yaml:"tps"`
	Priority  int     `yaml:"priority"` // lower is preferred; equal priorities share by Weight
	Weight    int     `yaml:"weight"`
	// SMPP: how the SMSC writes message ids in submit_sm_resp vs receipts:
	// "" or "as-is", "dec", "hex", "hex-dec" (resp hex, receipt decimal) or
	// "dec-hex" (docs/config.md).
	SMPPIDFormat string `yaml:"smpp_id_format"`
	SystemType   string `yaml:"system_type"` // SMPP bind system_type
	// SGIP (docs/config.md): the SMG connects back to us for MO and
	// reports. Listen is our Receiver's address (required for sgip);
	// NodeID is our SP node id 3AAAAQQQQQ, the first word of every
	// Sequence_Number (required for sgip, assigned by the operator);
	// SMGLogin / SMGPassword are what the SMG's Bind must carry [Account /
	// Secret]; SMGIPs limits the SMG's source addresses (IPs or CIDRs;
	// empty = any).
	Listen      string   `yaml:"listen"`
	NodeID      uint32   `yaml:"node_id"`
	SMGLogin    string   `yaml:"smg_login"`
	SMGPassword string   `yaml:"smg_password"`
	SMGIPs      []string `yaml:"smg_ips"`
	// SGIPLinkID sends Submit with the 8-byte LinkID after Reserve (the
	// LinkID variant, an assumed layout: docs/protocols.md) [false].
	SGIPLinkID bool `yaml:"sgip_link_id"`
	// CNGP (docs/config.md, docs/protocols.md): points no CNGP source
	// settles. CNGPLoginVersion is the Version byte sent in Login [0x20 for
	// cngp2, 0x10 for cngp1]; CNGPSubType the Submit SubType [2, on-demand
	// delivery]; CNGPNoTLVs sends Submit and Deliver_Resp without their
	// ProtocolID / CongestionState TLVs; CNGPSkipAuthServer accepts a
	// Login_Resp whose AuthenticatorServer does not verify; CNGPUDHITag,
	// when not 0, is the TLV tag that carries TP_udhi = 1 on parts that
	// start with a UDH (no source names one).
	CNGPLoginVersion   int    `yaml:"cngp_login_version"`
	CNGPSubType        int    `yaml:"cngp_sub_type"`
	CNGPNoTLVs         bool   `yaml:"cngp_no_tlvs"`
	CNGPSkipAuthServer bool   `yaml:"cngp_skip_auth_server"`
	CNGPUDHITag        uint16 `yaml:"cngp_udhi_tag"`
	// Timers (0 = protocol defaults).
	RequestTimeout time.Duration `yaml:"request_timeout"`
	Heartbeat      time.Duration `yaml:"heartbeat"`
}

// Gateway is a configured account with its driver and health.
type Gateway struct {
	Config
	Driver Driver

	health health
}

// Health follows submit results (Gateway.Submit): DemoteAfter errors in a
// row (timeouts, connection lost: no answer) take a gateway out of
// rotation even while its sessions look up — a peer that stopped
// answering without closing. After ProbeAfter the pool lets one submit
// through as a probe; the first submit answered (accepted or refused)
// puts the gateway back, an error keeps it out for another ProbeAfter.
const (
	DemoteAfter = 3
	ProbeAfter  = 5 * time.Second
)

type health struct {
	mu      sync.Mutex
	fails   int       // submit errors in a row
	downAt  time.Time // demoted since (last error while demoted); zero = in rotation
	probeAt time.Time // when Pick last handed out a probe while demoted
	probes  int       // probe submits in flight
	// probeAfter overrides ProbeAfter (tests); 0 = ProbeAfter.
	probeAfter time.Duration
	now        func() time.Time // tests; nil = time.Now
}

func (h *health) clock() time.Time {
	if h.now != nil {
		return h.now()
	}
	return time.Now()
}

func (h *health) wait() time.Duration {
	if h.probeAfter > 0 {
		return h.probeAfter
	}
	return ProbeAfter
}

// Healthy reports whether the gateway takes traffic: its driver is
// available and it is not demoted for failing submits, or it is demoted
// but due for a probe.
func (g *Gateway) Healthy() bool {
	if !g.Driver.Available() {
		return false
	}
	h := &g.health
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.downAt.IsZero() || h.clock().Sub(h.downAt) >= h.wait()
}

// Demoted reports whether failing submits took the gateway out of
// rotation (see DemoteAfter).
func (g *Gateway) Demoted() bool {
	h := &g.health
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.downAt.IsZero()
}

// takeProbe is Pick's check of a healthy gateway: true when it may be
// picked now. A demoted gateway yields one probe per ProbeAfter, and none
// while a probe is out.
func (g *Gateway) takeProbe(commit bool) bool {
	h := &g.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.downAt.IsZero() {
		return true
	}
	now := h.clock()
	if h.probes > 0 || now.Sub(h.downAt) < h.wait() || now.Sub(h.probeAt) < h.wait() {
		return false
	}
	if commit {
		h.probeAt = now
	}
	return true
}

// SessionWait is how long a submit may wait for a session of a driver that
// is not available (its connection died between the check and the
// request): then it gives up, nothing sent, with ErrNoGateway, and frees
// its window slot for a gateway that works.
const SessionWait = time.Second

// Submit sends one segment through the driver and keeps the gateway's
// health: the way the core submits. It fails with ErrNoGateway, nothing
// sent, when the driver is not available, or stops being available and
// the submit is still waiting for a session after SessionWait.
func (g *Gateway) Submit(ctx context.Context, s *Submit) (Result, error) {
	if !g.Driver.Available() {
		return Result{}, fmt.Errorf("gateway %s: %w", g.Name, ErrNoGateway)
	}
	h := &g.health
	h.mu.Lock()
	probe := !h.downAt.IsZero()
	if probe {
		h.probes++
	}
	h.mu.Unlock()

	sctx, cancel := context.WithCancel(ctx)
	w := &sessionWatch{g: g, cancel: cancel}
	w.arm()
	res, err := g.Driver.Submit(sctx, s)
	gaveUp := w.stop()
	cancel()
	if gaveUp && errors.Is(err, session.ErrNoSession) {
		err = fmt.Errorf("gateway %s: %w: %w", g.Name, ErrNoGateway, err)
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if probe {
		h.probes--
	}
	switch {
	case err == nil:
		// Answered, accepted or refused: the operator is there.
		h.fails, h.downAt, h.probeAt = 0, time.Time{}, time.Time{}
	case ctx.Err() != nil || !noAnswer(err):
		// The caller gave up, or the segment could not be encoded: says
		// nothing about the gateway.
	default:
		h.fails++
		if h.fails >= DemoteAfter {
			h.downAt = h.clock()
		}
	}
	return res, err
}

// sessionWatch cancels a submit still running SessionWait after its start
// (and every SessionWait after) once the driver is not available: a
// request on the wire has failed with its connection by then, so what is
// left is waiting for a session that is not coming.
type sessionWatch struct {
	g      *Gateway
	cancel context.CancelFunc
	mu     sync.Mutex
	t      *time.Timer
	done   bool
	gaveUp bool
}

func (w *sessionWatch) arm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t = time.AfterFunc(SessionWait, w.check)
}

func (w *sessionWatch) check() {
	up := w.g.Driver.Available()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	if up {
		w.t.Reset(SessionWait)
		return
	}
	w.gaveUp = true
	w.cancel()
}

// stop ends the watch and says whether it cancelled the submit.
func (w *sessionWatch) stop() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	w.t.Stop()
	return w.gaveUp
}

// Capacity is how many segments may be outstanding at once.
func (g *Gateway) Capacity() int {
	w := g.Window
	if w <= 0 {
		w = 16
	}
	c := g.Conns
	if c <= 0 {
		c = 1
	}
	return w * c
}
