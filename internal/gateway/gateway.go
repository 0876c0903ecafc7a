// Package gateway is the one interface every operator protocol sits behind:
// the core hands it protocol-neutral segments and receives protocol-neutral
// reports and MO; it never learns which protocol carried them. It also owns
// routing by number segment and the per-operator gateway pools (priority,
// weight, health, failover).
package gateway

import (
	"context"
	"errors"
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
	Stats() session.Stats
}

// ErrNoGateway means no healthy gateway serves the operator right now.
var ErrNoGateway = errors.New("no gateway available")

// Config describes one gateway account.
type Config struct {
	Name      string  `yaml:"name"`
	Operator  string  `yaml:"operator"` // cmcc, cucc, ctcc, cbn, intl
	Protocol  string  `yaml:"protocol"` // cmpp3, cmpp2, smgp3, smgp2, smgp13, sgip, smpp34, smpp33
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
	// Timers (0 = protocol defaults).
	RequestTimeout time.Duration `yaml:"request_timeout"`
	Heartbeat      time.Duration `yaml:"heartbeat"`
}

// Gateway is a configured account with its driver and health.
type Gateway struct {
	Config
	Driver Driver
}

// Healthy reports whether at least one session is logged in.
func (g *Gateway) Healthy() bool { return g.Driver.Stats().Connected > 0 }

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
