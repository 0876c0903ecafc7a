package session

// STUB: the session helper replaces this file with the real engine
// (conn.go, client.go, server.go …). Signatures here are the contract.

import (
	"context"
	"log/slog"
	"net"
)

// Conn is one TCP connection running a protocol: a read loop, a write loop,
// the window of our outstanding requests and the heartbeat timer.
type Conn struct{ _ int }

// NewConn wraps an open connection; call Start to run its loops.
func NewConn(nc net.Conn, p Protocol, cfg Config, h Handler, log *slog.Logger) *Conn {
	panic("session: not implemented")
}

// Start runs the read and write loops until ctx ends or the connection closes.
func (c *Conn) Start(ctx context.Context) { panic("session: not implemented") }

// Call sends a request and waits for its response, within the window;
// an unanswered request is resent up to Config.Resends times, then ErrTimeout.
func (c *Conn) Call(ctx context.Context, cmd uint32, body []byte) (Frame, error) {
	panic("session: not implemented")
}

// Reply answers the peer's request req with command cmd (normally
// ResponseTo(req.Command)), header status and body.
func (c *Conn) Reply(req Frame, cmd uint32, status uint32, body []byte) error {
	panic("session: not implemented")
}

// Close stops new Calls, waits (until ctx ends) for in-flight ones, then closes.
func (c *Conn) Close(ctx context.Context) error { panic("session: not implemented") }

// Done is closed when the connection has closed; Err then tells why.
func (c *Conn) Done() <-chan struct{} { panic("session: not implemented") }
func (c *Conn) Err() error            { panic("session: not implemented") }
func (c *Conn) RemoteAddr() net.Addr  { panic("session: not implemented") }

// SetValue / Value keep the protocol's per-connection state (e.g. the
// logged-in account on a server connection).
func (c *Conn) SetValue(v any) { panic("session: not implemented") }
func (c *Conn) Value() any     { panic("session: not implemented") }

// Client keeps ClientConfig.Conns logged-in connections to one gateway
// account, reconnecting with back-off, and spreads Calls over them.
type Client struct{ _ int }

func NewClient(p Protocol, cfg ClientConfig, h Handler, log *slog.Logger) *Client {
	panic("session: not implemented")
}

// Start dials and keeps the pool up until Close or ctx ends.
func (cl *Client) Start(ctx context.Context) { panic("session: not implemented") }

// Call waits for the TPS limiter and a free window slot on a ready
// connection (ErrNoSession if none becomes ready before ctx ends), then Calls.
func (cl *Client) Call(ctx context.Context, cmd uint32, body []byte) (Frame, error) {
	panic("session: not implemented")
}

// WaitReady blocks until at least one connection is logged in.
func (cl *Client) WaitReady(ctx context.Context) error { panic("session: not implemented") }

// Close stops new Calls, waits for in-flight ones (until ctx ends), runs
// Logout on each connection and closes them.
func (cl *Client) Close(ctx context.Context) error { panic("session: not implemented") }
func (cl *Client) Stats() Stats                    { panic("session: not implemented") }

// Server accepts connections and runs each with the Handler onConn gives it.
type Server struct{ _ int }

func NewServer(p Protocol, cfg Config, onConn func(c *Conn) Handler, log *slog.Logger) *Server {
	panic("session: not implemented")
}

// Serve accepts on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error { panic("session: not implemented") }

// Close stops accepting and closes every connection gracefully (until ctx ends).
func (s *Server) Close(ctx context.Context) error { panic("session: not implemented") }

// Conns returns the live connections (e.g. to push a DELIVER to a client).
func (s *Server) Conns() []*Conn { panic("session: not implemented") }
