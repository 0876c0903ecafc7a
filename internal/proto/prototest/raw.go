package prototest

import (
	"net"
	"sync"
	"testing"

	"hongyan/internal/session"
)

// Raw is a bare TCP peer that knows only a protocol's framing: it writes
// and reads whole PDUs as bytes, so the session suite can drive any
// protocol byte by byte. The protocol's own PDUs come from its Adapter.
type Raw struct {
	T       testing.TB
	NC      net.Conn
	Proto   session.Protocol
	Goodbye uint32 // the goodbye request ServeBasic answers (TERMINATE, Exit)
}

// Header is a header of length bytes for cmd with sequence number seq
// (status 0 where the header has one).
func (r *Raw) Header(length, cmd, seq uint32) []byte {
	return r.Proto.AppendHeader(nil, session.Header{Length: length, Command: cmd, Seq: session.Seq{N: seq}})
}

// PDU is a whole PDU: a header for cmd and seq, then body.
func (r *Raw) PDU(cmd, seq uint32, body []byte) []byte {
	return append(r.Header(uint32(r.Proto.HeaderLen()+len(body)), cmd, seq), body...)
}

// Write writes raw bytes, failing the test when it cannot.
func (r *Raw) Write(b []byte) {
	r.T.Helper()
	Write(r.T, r.NC, b)
}

// ReadRaw returns the next whole PDU's bytes, waiting at most Wait.
func (r *Raw) ReadRaw() ([]byte, error) { return ReadPDU(r.NC, r.Proto) }

// Read returns the next PDU's header and its bytes (header included).
func (r *Raw) Read() (session.Header, []byte, error) {
	b, err := r.ReadRaw()
	if err != nil {
		return session.Header{}, nil, err
	}
	h, err := r.Proto.DecodeHeader(b)
	return h, b, err
}

// ExpectClosed waits for the other side to close the connection, draining
// what it sent before.
func (r *Raw) ExpectClosed() {
	r.T.Helper()
	ExpectClosed(r.T, func() error { _, err := r.ReadRaw(); return err })
}

// Respond answers the request h with the bodiless response the protocol
// gives a heartbeat (HeartbeatReply) or any other command (ResponseTo).
func (r *Raw) Respond(h session.Header) {
	cmd, body, ok := r.Proto.HeartbeatReply(session.Frame{Header: h})
	if !ok {
		cmd, body = r.Proto.ResponseTo(h.Command), nil
	}
	b := r.Proto.AppendHeader(nil, session.Header{Length: uint32(r.Proto.HeaderLen() + len(body)), Command: cmd, Seq: h.Seq})
	_, _ = r.NC.Write(append(b, body...))
}

// ServeBasic answers heartbeats and the goodbye (then returns) until the
// connection ends, like a minimal well-behaved peer.
func (r *Raw) ServeBasic() {
	Answer(func() (session.Header, error) { h, _, err := r.Read(); return h, err }, func(h session.Header) bool {
		if _, _, ok := r.Proto.HeartbeatReply(session.Frame{Header: h}); ok || h.Command == r.Goodbye {
			r.Respond(h)
		}
		return h.Command == r.Goodbye
	})
}

// Recorder is the bookkeeping a test server's handler shares across the
// protocols: it reports each login and each close of a logged-in
// connection on Logins and Logouts (as the handler's Connected and
// Disconnected), counts submits, tells the handler the status to answer
// them with, and can hold them unanswered.
type Recorder[C any] struct {
	Logins  chan C
	Logouts chan C

	mu      sync.Mutex
	status  uint32
	held    chan struct{}
	submits int
}

// NewRecorder returns a Recorder whose channels hold 16 events.
func NewRecorder[C any]() *Recorder[C] {
	return &Recorder[C]{Logins: make(chan C, 16), Logouts: make(chan C, 16)}
}

// Connected reports c on Logins.
func (r *Recorder[C]) Connected(c C) { r.Logins <- c }

// Disconnected reports c on Logouts.
func (r *Recorder[C]) Disconnected(c C) { r.Logouts <- c }

// Submitted counts a submit and returns the status to answer it with,
// once Hold has released it.
func (r *Recorder[C]) Submitted() uint32 {
	r.mu.Lock()
	r.submits++
	held, status := r.held, r.status
	r.mu.Unlock()
	if held != nil {
		<-held
		r.mu.Lock()
		status = r.status
		r.mu.Unlock()
	}
	return status
}

// SetStatus makes later submits answered with status.
func (r *Recorder[C]) SetStatus(status uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
}

// Submits is how many submits the handler saw.
func (r *Recorder[C]) Submits() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.submits
}

// Hold keeps later submits unanswered until release is called.
func (r *Recorder[C]) Hold() (release func()) {
	ch := make(chan struct{})
	r.mu.Lock()
	r.held = ch
	r.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			r.held = nil
			r.mu.Unlock()
			close(ch)
		})
	}
}
