// Package session is the engine every operator protocol shares: framing over
// TCP, sequence numbers, a sliding window of outstanding requests with
// per-request timeout and bounded resend, heartbeats with N misses → close,
// client connection pools with reconnect (exponential back-off + jitter), a
// TPS limit shared by all connections of one gateway account, and graceful
// shutdown that waits for in-flight requests.
//
// The engine knows nothing of a protocol's bodies: a Protocol tells it how a
// header looks, which command is a heartbeat and how to answer one. Login
// (CMPP_CONNECT, SGIP Bind, …) is an ordinary Call made by the protocol
// package right after the connection opens.
//
// Each Conn runs three goroutines (conn.go): a read loop that reads header
// then body through a bufio.Reader and either hands a response to the Call
// waiting for its Seq or a request to a Handler goroutine (inbound.go,
// bounded by InboundConcurrent); a write loop that writes every frame queued
// since its last write in one syscall (writeloop.go); and a heartbeat timer
// (heartbeat.go). The window is a buffered channel of Window tokens
// (call.go). Client (client.go, redial.go) keeps a pool of Conns with back-off
// (backoff.go) and one rate.Limiter; Server (server.go) accepts.
//
// THIS FILE IS THE CONTRACT other packages are written against. Keep the
// names and signatures; add freely.
package session

import (
	"context"
	"errors"
	"time"
)

// Seq is a PDU sequence number. CMPP, SMGP, CNGP and SMPP use only N; SGIP's
// 12-byte sequence is (Node, Time, N).
type Seq struct{ Node, Time, N uint32 }

// Header is the protocol-neutral view of a PDU header.
type Header struct {
	Length  uint32 // whole PDU, header included
	Command uint32
	Status  uint32 // SMPP/CNGP command_status; 0 where the header has none
	Seq     Seq
}

// Frame is one whole PDU: its header and the bytes after the header.
type Frame struct {
	Header
	Body []byte
}

// Protocol describes one protocol's framing and housekeeping to the engine.
type Protocol interface {
	Name() string
	HeaderLen() int
	// MaxPDU is the largest PDU accepted from a peer; a bigger length field
	// closes the connection with ErrMalformed.
	MaxPDU() int
	// DecodeHeader parses HeaderLen() bytes. It must reject lengths below
	// HeaderLen() or above MaxPDU() with an error wrapping ErrMalformed.
	DecodeHeader(b []byte) (Header, error)
	// AppendHeader appends the encoded header to dst.
	AppendHeader(dst []byte, h Header) []byte
	// IsResponse reports whether cmd answers a request (top bit set in all five protocols).
	IsResponse(cmd uint32) bool
	// ResponseTo is the command id that answers request cmd.
	ResponseTo(cmd uint32) uint32
	// NextSeq decorates the engine's counter n (SGIP adds node id and time).
	NextSeq(n uint32) Seq
	// Heartbeat is the request sent on an idle connection; ok=false if the
	// protocol has none (SGIP), in which case idle connections are closed.
	Heartbeat() (cmd uint32, body []byte, ok bool)
	// HeartbeatReply answers a peer's heartbeat request without bothering the
	// Handler; ok=false if f is not a heartbeat.
	HeartbeatReply(f Frame) (cmd uint32, body []byte, ok bool)
}

// Errors the engine returns; wrap them with context, test them with errors.Is.
var (
	ErrMalformed = errors.New("malformed pdu")    // framing violation: connection closed
	ErrTimeout   = errors.New("response timeout") // no response after all resends
	ErrClosed    = errors.New("session closed")   // connection or client closed / closing
	ErrNoSession = errors.New("no session ready") // client has no logged-in connection
	// ErrIdle is the cause when a connection of a protocol without heartbeat
	// (SGIP) is closed after Config.IdleHeartbeat without traffic.
	ErrIdle = errors.New("idle connection")
)

// Config tunes one connection. Zero values take the defaults in brackets
// (CMPP spec values where they exist).
type Config struct {
	Window            int           // outstanding requests we send [16]
	RequestTimeout    time.Duration // per attempt [60s]
	Resends           int           // extra attempts after a timeout [2]; negative = none
	IdleHeartbeat     time.Duration // idle time before a heartbeat [3m]
	HeartbeatMisses   int           // unanswered heartbeats before the connection is closed [3]
	WriteTimeout      time.Duration // [10s]
	InboundConcurrent int           // peer requests handled at once [= Window*4]
}

// Handler is called for every request the peer sends (heartbeats excepted),
// each in its own goroutine, so a slow handler never blocks the read loop.
// It must answer with c.Reply (or decide not to, which the peer will time out).
type Handler func(ctx context.Context, c *Conn, f Frame)

// Stats is a snapshot for status pages and metrics.
type Stats struct {
	Connected  int   // logged-in connections
	InFlight   int   // requests awaiting a response
	Window     int   // total window across connections
	Sent       int64 // requests sent (resends included)
	Timeouts   int64
	Resends    int64
	Reconnects int64
	LastError  string
}

// ClientConfig describes a pool of connections to one gateway account.
type ClientConfig struct {
	Name  string  // gateway name, for logs and metrics
	Addr  string  // host:port
	Conns int     // connections kept open [1]
	TPS   float64 // requests/s across all connections; 0 = unlimited
	Burst int     // requests the TPS bucket may release at once [1]
	Conn  Config
	// Login runs on each new connection before it takes traffic (CONNECT,
	// Bind, Login …). An error closes the connection and triggers back-off.
	Login func(ctx context.Context, c *Conn) error
	// Logout runs on graceful Close (TERMINATE, Unbind, Exit …); may be nil.
	Logout      func(ctx context.Context, c *Conn) error
	BackoffMin  time.Duration // [500ms]
	BackoffMax  time.Duration // [30s]
	DialTimeout time.Duration // [10s]
}
