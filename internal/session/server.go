package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Server accepts connections and runs each with the Handler onConn gives it.
type Server struct {
	p      Protocol
	cfg    Config
	onConn func(c *Conn) Handler
	log    *slog.Logger

	ctx    context.Context // every connection's Start context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	lns    map[net.Listener]struct{}
	conns  map[*Conn]struct{}
	wg     sync.WaitGroup // live connections
}

// NewServer returns a Server; onConn (may be nil: requests are then dropped)
// is called once per accepted connection, before its loops start.
func NewServer(p Protocol, cfg Config, onConn func(c *Conn) Handler, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		p:      p,
		cfg:    cfg,
		onConn: onConn,
		log:    log.With("proto", p.Name()),
		ctx:    ctx,
		cancel: cancel,
		lns:    make(map[net.Listener]struct{}),
		conns:  make(map[*Conn]struct{}),
	}
}

// Serve accepts on ln until Close; it returns nil after Close. It may run on
// several listeners at once.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.lns[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.lns, ln)
		s.mu.Unlock()
	}()

	var pause time.Duration // after a transient accept error (EMFILE …)
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				pause = min(max(2*pause, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed, retrying", "err", err, "in", pause)
				select {
				case <-time.After(pause):
					continue
				case <-s.ctx.Done():
					return nil
				}
			}
			return fmt.Errorf("session %s: accept on %s: %w", s.p.Name(), ln.Addr(), err)
		}
		pause = 0
		s.accept(nc)
	}
}

func (s *Server) accept(nc net.Conn) {
	c := NewConn(nc, s.p, s.cfg, nil, s.log)
	if s.onConn != nil {
		c.h = s.onConn(c)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	c.onClose = append(c.onClose, func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.wg.Done()
	})
	c.Start(s.ctx)
}

// isTemporary recognises the accept errors worth retrying (out of file
// descriptors and the like) without the deprecated net.Error.Temporary.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops accepting and closes every connection gracefully (until ctx
// ends; then the rest are closed at once and ctx's error returned).
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.lns {
		_ = ln.Close()
	}
	conns := s.snapshot()
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.Close(ctx)
		}()
	}
	wg.Wait()

	all := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(all)
	}()
	var err error
	select {
	case <-all:
	case <-ctx.Done():
		err = fmt.Errorf("session %s: server close: %w", s.p.Name(), ctx.Err())
	}
	s.cancel() // aborts whatever is left
	<-all
	return err
}

// Conns returns the live connections (e.g. to push a DELIVER to a client).
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot()
}

func (s *Server) snapshot() []*Conn {
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}
