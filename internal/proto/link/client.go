package link

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"hongyan/internal/session"
)

// Logger is l, or slog.Default() when l is nil.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// Window is cfg with its Window set to window when that is > 0: the
// protocols' configs name the window apart from the session tuning.
func Window(cfg session.Config, window int) session.Config {
	if window > 0 {
		cfg.Window = window
	}
	return cfg
}

// PoolConfig is what the protocols' ClientConfigs say alike about their
// pool of connections (see session.ClientConfig).
type PoolConfig struct {
	Name, Addr string
	Conns      int
	Window     int // overrides Session.Window when > 0
	TPS        float64
	Burst      int
	Session    session.Config
	BackoffMin time.Duration
	BackoffMax time.Duration
}

// Pool is a protocol Client's pool of logged-in connections to one
// account. Embedded in the Client, it gives it Start, WaitReady, Close and
// Stats.
type Pool struct{ sc *session.Client }

// NewPool returns the pool of a Client that logs each new connection in
// with login, says goodbye on Close with logout and serves the peer's
// requests with h; the Caller sends a request on the pool.
func NewPool(p session.Protocol, cfg PoolConfig, login, logout func(context.Context, *session.Conn) error, h session.Handler, log *slog.Logger) (Pool, Caller) {
	sc := session.NewClient(p, session.ClientConfig{
		Name:       cfg.Name,
		Addr:       cfg.Addr,
		Conns:      cfg.Conns,
		TPS:        cfg.TPS,
		Burst:      cfg.Burst,
		Conn:       Window(cfg.Session, cfg.Window),
		Login:      login,
		Logout:     logout,
		BackoffMin: cfg.BackoffMin,
		BackoffMax: cfg.BackoffMax,
	}, h, log)
	return Pool{sc}, sc.Call
}

// Start connects and keeps the pool up until Close or ctx ends.
func (p Pool) Start(ctx context.Context) { p.sc.Start(ctx) }

// WaitReady blocks until at least one connection is logged in.
func (p Pool) WaitReady(ctx context.Context) error { return p.sc.WaitReady(ctx) }

// Close says goodbye on each connection (the protocol's TERMINATE or Exit)
// after its in-flight requests finish, and closes it.
func (p Pool) Close(ctx context.Context) error { return p.sc.Close(ctx) }

// Stats is the pool's snapshot.
func (p Pool) Stats() session.Stats { return p.sc.Stats() }

// ClientLogin is a client's login exchange on a new connection: the one
// request (CONNECT, Login, Bind …) and the checks of its answer that every
// protocol makes in the same order.
type ClientLogin[V any] struct {
	Op      string // starts the errors: "cmpp connect"
	Request PDU[V] // sent in Version
	Version V
	// Decode checks the answer's command id and decodes it, returning its
	// status (0: accepted).
	Decode func(session.Frame) (status uint32, err error)
	// Refused is the error for a non-zero status.
	Refused func(status uint32) error
	// Verify, when set, checks the peer's authenticator in an accepted
	// answer. A failure is ErrAuth, or only SkipWarn logged when SkipAuth.
	Verify   func(session.Frame) bool
	ErrAuth  error
	SkipAuth bool
	SkipWarn string
}

// Run logs in on conn. An encoding error comes back as it is (nothing was
// sent); a failed call, an answer that does not decode and a failed
// verification are wrapped with Op.
func (l *ClientLogin[V]) Run(ctx context.Context, conn *session.Conn, log *slog.Logger) error {
	body, err := l.Request.Marshal(nil, l.Version)
	if err != nil {
		return err
	}
	f, err := conn.Call(ctx, l.Request.CommandID(), body)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Op, err)
	}
	status, err := l.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Op, err)
	}
	if status != 0 {
		return l.Refused(status)
	}
	if l.Verify != nil && !l.Verify(f) {
		if !l.SkipAuth {
			return fmt.Errorf("%s: %w", l.Op, l.ErrAuth)
		}
		log.Warn(l.SkipWarn)
	}
	return nil
}
