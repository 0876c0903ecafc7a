// Package prototest holds the test scaffolding the protocol packages
// (cmpp, sgip, smgp, cngp, smpp) share: loopback servers and clients with
// cleanup, a log buffer to assert on, hex vectors, waiting on channels, and
// the reading, writing and accepting of bare TCP peers that speak a
// protocol byte by byte; the session suite every protocol runs through an
// Adapter (RunSessionSuite, suite.go) and the fuzz round trip of body
// decoders (RoundTrip). Import it from _test.go files only.
package prototest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hongyan/internal/session"
)

// Wait is how long helpers wait for something that should happen at once
// (a PDU, a channel value, a log line, a login).
const Wait = 3 * time.Second

// Unhex parses hex with any whitespace; text after "//" on a line is a
// comment, so vectors can be laid out field by field.
func Unhex(t testing.TB, s string) []byte {
	t.Helper()
	var clean []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		clean = append(clean, strings.Fields(line)...)
	}
	b, err := hex.DecodeString(strings.Join(clean, ""))
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// Hex16 is Unhex into a 16-byte authenticator.
func Hex16(t testing.TB, s string) (a [16]byte) {
	t.Helper()
	copy(a[:], Unhex(t, s))
	return a
}

// LogBuf collects log output so tests can assert a logged reason.
type LogBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Logger is a debug-level text logger writing to l.
func (l *LogBuf) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// WaitLog polls until the log contains want.
func (l *LogBuf) WaitLog(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(Wait)
	for time.Now().Before(deadline) {
		if strings.Contains(l.String(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("log never contained %q:\n%s", want, l.String())
}

// Quiet is a logger that drops everything.
func Quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Recv returns the next value from ch, failing the test after Wait.
func Recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Wait):
		t.Fatal("timed out waiting on channel")
		panic("unreachable")
	}
}

// Ctx is a context for one call in a test: it ends after 5 s or with the
// test.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Listen listens on a loopback port until the test ends.
func Listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().String()
}

// Server is a protocol package's Server.
type Server interface {
	Serve(ln net.Listener) error
	Close(ctx context.Context) error
}

// Serve runs srv on a loopback port until the test ends, and closes it
// then (within Wait); it returns the address.
func Serve(t testing.TB, srv Server) string {
	t.Helper()
	ln, addr := Listen(t)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Wait)
		defer cancel()
		_ = srv.Close(ctx)
	})
	return addr
}

// Client is a protocol package's Client (or pool).
type Client interface {
	Start(ctx context.Context)
	WaitReady(ctx context.Context) error
	Close(ctx context.Context) error
	Stats() session.Stats
}

// Start starts c until the test ends, and closes it then (within Wait).
func Start[C Client](t testing.TB, c C) C {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), Wait)
		defer ccancel()
		_ = c.Close(cctx)
		cancel()
	})
	return c
}

// WaitReady waits (at most Wait) until c has a session, failing the test
// with its last error otherwise.
func WaitReady(t testing.TB, c Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v (last error %q)", err, c.Stats().LastError)
	}
}

// Dial connects a bare peer to addr until the test ends.
func Dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

// Write writes b to nc or fails the test.
func Write(t testing.TB, nc net.Conn, b []byte) {
	t.Helper()
	if _, err := nc.Write(b); err != nil {
		t.Fatal(err)
	}
}

// ReadPDU returns the next whole PDU's bytes (header and body) from nc,
// framed as p says, waiting at most Wait.
func ReadPDU(nc net.Conn, p session.Protocol) ([]byte, error) {
	_ = nc.SetReadDeadline(time.Now().Add(Wait))
	hl := p.HeaderLen()
	hdr := make([]byte, hl)
	if _, err := io.ReadFull(nc, hdr); err != nil {
		return nil, err
	}
	h, err := p.DecodeHeader(hdr)
	if err != nil {
		return nil, err
	}
	b := make([]byte, h.Length)
	copy(b, hdr)
	if _, err := io.ReadFull(nc, b[hl:]); err != nil {
		return nil, err
	}
	return b, nil
}

// closed reports whether err means the peer closed the connection.
func closed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// ExpectClosed reads with read until the peer closes the connection; PDUs
// queued before the close are drained. A read that times out fails the
// test.
func ExpectClosed(t testing.TB, read func() error) {
	t.Helper()
	for {
		err := read()
		switch {
		case closed(err):
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			t.Fatal("connection not closed")
		}
		// anything else was a PDU queued before the close: keep draining
	}
}

// Accept hands each connection accepted on ln to serve, on a goroutine of
// its own, and closes it when serve returns; it returns when ln is closed.
func Accept(ln net.Listener, serve func(nc net.Conn)) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			serve(nc)
		}()
	}
}

// Answer reads requests with read until the connection ends, calling
// answer for each; it returns when answer says done (after a goodbye) or
// the connection fails. Read timeouts are waited through: a minimal
// well-behaved peer.
func Answer(read func() (session.Header, error), answer func(h session.Header) (done bool)) {
	for {
		h, err := read()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return
		}
		if answer(h) {
			return
		}
	}
}
