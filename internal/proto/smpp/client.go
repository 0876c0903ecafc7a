package smpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"hongyan/internal/session"
)

// ClientConfig describes one ESME account at an SMSC.
type ClientConfig struct {
	Name       string // gateway name, for logs and metrics
	Addr       string // SMSC host:port
	SystemID   string // ≤ 15
	Password   string // ≤ 8
	SystemType string // ≤ 12, often empty
	Version    Version
	// BindMode: BindAuto (transceiver on 3.4, transmitter + receiver on
	// 3.3), BindTransceiver, BindTxRx (both binds per connection slot),
	// BindTransmitter or BindReceiver alone.
	BindMode     BindMode
	AddrTON      uint8   // bind addr_ton
	AddrNPI      uint8   // bind addr_npi
	AddressRange string  // bind address_range, ≤ 40
	Conns        int     // connection slots [1]
	Window       int     // outstanding requests per connection; overrides Session.Window [10]
	TPS          float64 // submits/s across all connections; 0 = unlimited
	Burst        int     // submits the TPS bucket may release at once [1]
	Session      session.Config
	BackoffMin   time.Duration
	BackoffMax   time.Duration
	Logger       *slog.Logger
	// IDFormat is how this SMSC writes message ids in submit_sm_resp and in
	// receipt texts; see Receipt.Key and IDFormat.RespKey.
	IDFormat IDFormat
	// OutbindAuth checks an SMSC's outbind on ServeOutbind; nil accepts an
	// outbind whose password is Password.
	OutbindAuth func(systemID, password string) bool
}

// DeliverHandler is called (off the read loop) for each deliver_sm and
// data_sm from the SMSC, MO or receipt (data_sm arrives converted, see
// DataSM.AsDeliverSM). The status it returns goes back in the response:
// ESME_ROK once stored; ESME_RX_T_APPN when it could not be, so the SMSC
// delivers it again later.
type DeliverHandler func(ctx context.Context, d *DeliverSM) (status uint32)

// ErrBindMode means the operation needs a bind this side does not have
// (submit on a receiver, deliver to a transmitter).
var ErrBindMode = errors.New("smpp: not allowed in this bind mode")

// Client is the ESME side: one or two pools of bound connections to one
// SMSC account, reconnecting with back-off.
type Client struct {
	cfg  ClientConfig
	mode BindMode // resolved: never BindAuto
	h    DeliverHandler
	log  *slog.Logger
	sess session.Config

	pools  []*session.Client // one per wire bind mode
	submit *session.Client   // the pool that may submit, nil for a receiver

	ctx    context.Context // outbind connections run until Close
	cancel context.CancelFunc

	mu       sync.Mutex
	closing  bool
	lns      map[net.Listener]struct{}
	outbinds map[*session.Conn]struct{}
}

// NewClient checks cfg and returns a Client; call Start to connect. A nil h
// answers every deliver_sm with ESME_ROK and drops it.
func NewClient(cfg ClientConfig, h DeliverHandler) (*Client, error) {
	if cfg.Version == 0 {
		cfg.Version = V34
	}
	mode, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	c := &Client{
		cfg:      cfg,
		mode:     mode,
		h:        h,
		log:      log.With("gateway", cfg.Name, "smpp", cfg.Version.String()),
		sess:     sessionDefaults(cfg.Session, cfg.Window),
		lns:      make(map[net.Listener]struct{}),
		outbinds: make(map[*session.Conn]struct{}),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	wire := []BindMode{mode}
	if mode == BindTxRx {
		wire = []BindMode{BindTransmitter, BindReceiver}
	}
	for _, m := range wire {
		tps := cfg.TPS
		if !m.CanSubmit() {
			tps = 0 // a receiver sends only enquire_link and unbind
		}
		sc := session.NewClient(c.protocol(), session.ClientConfig{
			Name:       cfg.Name,
			Addr:       cfg.Addr,
			Conns:      cfg.Conns,
			TPS:        tps,
			Burst:      cfg.Burst,
			Conn:       c.sess,
			Login:      func(ctx context.Context, conn *session.Conn) error { return c.bind(ctx, conn, m) },
			Logout:     c.unbind,
			BackoffMin: cfg.BackoffMin,
			BackoffMax: cfg.BackoffMax,
		}, c.handle, log.With("bind", m.String()))
		c.pools = append(c.pools, sc)
		if m.CanSubmit() {
			c.submit = sc
		}
	}
	return c, nil
}

// resolve checks the configuration and returns the effective bind mode.
func (cfg *ClientConfig) resolve() (BindMode, error) {
	if !cfg.Version.valid() {
		return 0, fmt.Errorf("smpp %s: version %#x: want 0x33 or 0x34: %w", cfg.Name, uint8(cfg.Version), ErrInvalid)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"system_id", cfg.SystemID, 15}, {"password", cfg.Password, 8}, {"system_type", cfg.SystemType, 12}, {"address_range", cfg.AddressRange, 40}} {
		if len(f.v) > f.max {
			return 0, fmt.Errorf("smpp %s: %s is %d bytes, max %d: %w", cfg.Name, f.name, len(f.v), f.max, ErrInvalid)
		}
	}
	switch m := cfg.BindMode; m {
	case BindAuto:
		if cfg.Version.HasTLV() {
			return BindTransceiver, nil
		}
		return BindTxRx, nil
	case BindTransceiver:
		if !cfg.Version.HasTLV() {
			return 0, fmt.Errorf("smpp %s: bind_transceiver does not exist in SMPP 3.3; use BindTxRx: %w", cfg.Name, ErrInvalid)
		}
		return m, nil
	case BindTransmitter, BindReceiver, BindTxRx:
		return m, nil
	default:
		return 0, fmt.Errorf("smpp %s: bind mode %s: %w", cfg.Name, m, ErrInvalid)
	}
}

func (c *Client) protocol() Protocol { return Protocol{Version: c.cfg.Version, ESME: true} }

// Start connects and keeps the pools up until Close or ctx ends.
func (c *Client) Start(ctx context.Context) {
	for _, p := range c.pools {
		p.Start(ctx)
	}
}

// WaitReady blocks until every pool (transmitter and receiver in BindTxRx)
// has at least one bound connection.
func (c *Client) WaitReady(ctx context.Context) error {
	for _, p := range c.pools {
		if err := p.WaitReady(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close stops new requests, waits for in-flight ones, sends unbind on
// every bound connection and closes them, outbind ones included.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	c.closing = true
	for ln := range c.lns {
		_ = ln.Close()
	}
	outs := make([]*session.Conn, 0, len(c.outbinds))
	for conn := range c.outbinds {
		outs = append(outs, conn)
	}
	c.mu.Unlock()

	var wg sync.WaitGroup
	errs := make([]error, len(c.pools))
	for i, p := range c.pools {
		wg.Go(func() { errs[i] = p.Close(ctx) })
	}
	for _, conn := range outs {
		wg.Go(func() {
			if bound(conn) {
				_ = c.unbind(ctx, conn)
			}
			_ = conn.Close(ctx)
		})
	}
	wg.Wait()
	c.cancel()
	return errors.Join(errs...)
}

// Stats is the snapshot of the pool that carries submits (the
// transceivers, or the transmitters in BindTxRx); Connected > 0 means
// Submit can go out. A receiver-only client reports its receivers.
func (c *Client) Stats() session.Stats {
	if c.submit != nil {
		return c.submit.Stats()
	}
	return c.pools[0].Stats()
}

// ReceiverStats is the receiver pool's snapshot in BindTxRx mode, else the
// same as Stats.
func (c *Client) ReceiverStats() session.Stats { return c.pools[len(c.pools)-1].Stats() }

// Version is the configured protocol version.
func (c *Client) Version() Version { return c.cfg.Version }

// BindMode is the effective bind mode (BindAuto resolved).
func (c *Client) BindMode() BindMode { return c.mode }

// IDFormat is the configured message id format.
func (c *Client) IDFormat() IDFormat { return c.cfg.IDFormat }
