package smpp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"hongyan/internal/proto/link"
	"hongyan/internal/session"
)

// ServerConfig describes the SMSC side (the simulator, and the platform's
// own SMPP service for enterprise clients).
type ServerConfig struct {
	// Version is the highest version served [V34]. A 3.4 server serves 3.3
	// ESMEs (interface_version ≤ 0x33) in the 3.3 layout; a 3.3 server
	// answers bind_transceiver and data_sm with generic_nack ESME_RINVCMDID.
	Version  Version
	SystemID string // ours, in bind_*_resp ["hongyan"]
	Window   int    // outstanding deliver_sm per connection; overrides Session.Window [10]
	Session  session.Config
	Logger   *slog.Logger
	// LoginTimeout closes a connection that has not bound by then, so
	// enquire_link alone cannot hold a socket [30s].
	LoginTimeout time.Duration
	// Auth checks a bind and returns ESME_ROK, ESME_RINVSYSID (unknown
	// system_id), ESME_RINVPASWD (wrong password) or any other refusal
	// (ESME_RBINDFAIL …). A nil Auth refuses everyone. See StaticAuth.
	Auth func(systemID, password string) (status uint32)
}

// StaticAuth authenticates against a fixed system_id → password map.
func StaticAuth(accounts map[string]string) func(systemID, password string) uint32 {
	return func(systemID, password string) uint32 {
		want, ok := accounts[systemID]
		switch {
		case !ok:
			return ESME_RINVSYSID
		case !secretEqual(want, password):
			return ESME_RINVPASWD
		}
		return ESME_ROK
	}
}

// ServerHandler is the application behind a Server.
type ServerHandler interface {
	// Submit is called per submit_sm, and per data_sm converted by
	// DataSM.AsSubmitSM (the answer then goes back as data_sm_resp), off
	// the read loop. A nil result leaves the request unanswered (the ESME
	// times out), e.g. to simulate loss.
	Submit(ctx context.Context, sc *ServerConn, s *SubmitSM) *SubmitSMResp
	// Connected follows a successful bind, after the bind_*_resp is queued.
	Connected(sc *ServerConn)
	// Disconnected follows the close of a connection that had bound.
	Disconnected(sc *ServerConn)
}

// Optional interfaces of a ServerHandler. Without them query_sm fails with
// ESME_RQUERYFAIL, cancel_sm with ESME_RCANCELFAIL, replace_sm with
// ESME_RREPLACEFAIL, and submit_multi is fanned out to Submit per SME
// destination (distribution lists fail with ESME_RINVDLNAME).
type (
	QueryHandler interface {
		QuerySM(ctx context.Context, sc *ServerConn, q *QuerySM) *QuerySMResp
	}
	CancelHandler interface {
		CancelSM(ctx context.Context, sc *ServerConn, k *CancelSM) *CancelSMResp
	}
	ReplaceHandler interface {
		ReplaceSM(ctx context.Context, sc *ServerConn, r *ReplaceSM) *ReplaceSMResp
	}
	SubmitMultiHandler interface {
		SubmitMulti(ctx context.Context, sc *ServerConn, s *SubmitMulti) *SubmitMultiResp
	}
)

// Server accepts ESMEs.
type Server struct {
	cfg  ServerConfig
	h    ServerHandler
	log  *slog.Logger
	sess session.Config
	ss   *session.Server

	ctx    context.Context // outbind connections run until Close
	cancel context.CancelFunc

	mu       sync.Mutex
	outbound map[*session.Conn]struct{} // connections we opened with outbind
}

// ServerConn is one ESME connection on a Server.
type ServerConn struct {
	srv  *Server
	conn *session.Conn

	state    atomic.Int32 // connOpen → connBinding → connBound
	systemID string       // set before state becomes connBound
	mode     BindMode
	version  Version
}

const (
	connOpen int32 = iota
	connBinding
	connBound
)

// NewServer returns a Server; call Serve to accept.
func NewServer(cfg ServerConfig, h ServerHandler) *Server {
	if cfg.Version == 0 {
		cfg.Version = V34
	}
	if cfg.SystemID == "" {
		cfg.SystemID = "hongyan"
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = DefaultLoginTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, h: h, log: log.With("smpp_server", cfg.Version.String()),
		sess: sessionDefaults(cfg.Session, cfg.Window), outbound: make(map[*session.Conn]struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ss = session.NewServer(NewProtocol(cfg.Version), s.sess, s.onConn, log)
	return s
}

// Serve accepts on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error { return s.ss.Serve(ln) }

// Close sends unbind to every bound ESME (bounded by link.CloseWait and
// ctx), then closes all connections gracefully.
func (s *Server) Close(ctx context.Context) error {
	link.GoodbyeAll(ctx, s.Conns(), (*ServerConn).unbind)
	var wg sync.WaitGroup
	s.mu.Lock()
	outs := make([]*session.Conn, 0, len(s.outbound))
	for c := range s.outbound {
		outs = append(outs, c)
	}
	s.mu.Unlock()
	for _, c := range outs {
		wg.Go(func() { _ = c.Close(ctx) })
	}
	err := s.ss.Close(ctx)
	wg.Wait()
	s.cancel()
	return err
}

// Conns returns the bound connections.
func (s *Server) Conns() []*ServerConn {
	var out []*ServerConn
	add := func(c *session.Conn) {
		if sc, ok := c.Value().(*ServerConn); ok && sc.state.Load() == connBound {
			out = append(out, sc)
		}
	}
	for _, c := range s.ss.Conns() {
		add(c)
	}
	s.mu.Lock()
	for c := range s.outbound {
		add(c)
	}
	s.mu.Unlock()
	return out
}

// Receivers returns the bound connections of systemID that may receive
// deliver_sm (receivers and transceivers); "" matches every account.
func (s *Server) Receivers(systemID string) []*ServerConn {
	var out []*ServerConn
	for _, sc := range s.Conns() {
		if sc.mode.CanReceive() && (systemID == "" || sc.systemID == systemID) {
			out = append(out, sc)
		}
	}
	return out
}

func (s *Server) onConn(c *session.Conn) session.Handler {
	sc := s.newConn(c)
	return func(ctx context.Context, _ *session.Conn, f session.Frame) { s.handle(ctx, sc, f) }
}

func (s *Server) newConn(c *session.Conn) *ServerConn {
	sc := &ServerConn{srv: s, conn: c}
	c.SetValue(sc)
	time.AfterFunc(s.cfg.LoginTimeout, func() {
		if sc.state.Load() != connBound && c.Err() == nil {
			s.log.Warn("no bind within login timeout, closing", "remote", sc.remote(), "timeout", s.cfg.LoginTimeout)
			go closeConn(c)
		}
	})
	return sc
}

// Outbind opens a connection to an ESME listening at addr and sends
// outbind (spec §2.2.1); the ESME is expected to answer with
// bind_receiver, after which the connection is served like an accepted
// one (Connected, Deliver …).
func (s *Server) Outbind(ctx context.Context, addr, systemID, password string) error {
	ob := &Outbind{SystemID: systemID, Password: password}
	body, err := ob.Marshal(nil, s.cfg.Version)
	if err != nil {
		return err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smpp outbind to %s: %w", addr, err)
	}
	var sc *ServerConn
	h := func(ctx context.Context, _ *session.Conn, f session.Frame) { s.handle(ctx, sc, f) }
	c := session.NewConn(nc, NewProtocol(s.cfg.Version), s.sess, h, s.log.With("outbind", addr))
	sc = s.newConn(c)
	s.mu.Lock()
	s.outbound[c] = struct{}{}
	s.mu.Unlock()
	c.Start(s.ctx)
	go func() {
		<-c.Done()
		s.mu.Lock()
		delete(s.outbound, c)
		s.mu.Unlock()
	}()
	// outbind has no response, so it is written like one: it is the first
	// PDU on the connection, and nothing will ever answer its sequence.
	if err := c.Reply(session.Frame{Header: session.Header{Seq: session.Seq{N: 1}}}, CmdOutbind, 0, body); err != nil {
		return fmt.Errorf("smpp outbind to %s: %w", addr, err)
	}
	return nil
}
