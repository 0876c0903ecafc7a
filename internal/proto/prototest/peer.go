package prototest

import (
	"net"
	"testing"

	"hongyan/internal/session"
)

// Peer is a bare TCP peer for byte-level tests: it writes and reads whole
// PDUs (P) with sequence numbers S in layout V, using the protocol
// package's own AppendPDU and DecodePDU, so a test can send anything and
// see exactly what comes back.
type Peer[S, V, P any] struct {
	T  testing.TB
	NC net.Conn
	V  V // the layout PDUs are written and read in; a test may change it

	Proto  session.Protocol // framing: HeaderLen and DecodeHeader
	Append func(dst []byte, seq S, p P, v V) ([]byte, error)
	Decode func(b []byte, v V) (session.Header, P, error)
}

// Send writes pdu with seq, failing the test when it does not encode.
func (p *Peer[S, V, P]) Send(seq S, pdu P) {
	p.T.Helper()
	b, err := p.Append(nil, seq, pdu, p.V)
	if err != nil {
		p.T.Fatal(err)
	}
	p.Write(b)
}

// Write writes raw bytes.
func (p *Peer[S, V, P]) Write(b []byte) {
	p.T.Helper()
	Write(p.T, p.NC, b)
}

// ReadRaw returns the next whole PDU's bytes, waiting at most Wait.
func (p *Peer[S, V, P]) ReadRaw() ([]byte, error) { return ReadPDU(p.NC, p.Proto) }

// Read returns the next PDU's header and decoded body.
func (p *Peer[S, V, P]) Read() (session.Header, P, error) {
	b, err := p.ReadRaw()
	if err != nil {
		var zero P
		return session.Header{}, zero, err
	}
	return p.Decode(b, p.V)
}

// ExpectClosed waits for the other side to close the connection, draining
// what it sent before.
func (p *Peer[S, V, P]) ExpectClosed() {
	p.T.Helper()
	ExpectClosed(p.T, func() error { _, err := p.ReadRaw(); return err })
}

// Answer answers requests until the connection ends or answer says done
// (see the function Answer).
func (p *Peer[S, V, P]) Answer(answer func(h session.Header) (done bool)) {
	Answer(func() (session.Header, error) { h, _, err := p.Read(); return h, err }, answer)
}

// ServeBasic answers heartbeats and the goodbye request (then returns)
// until the connection ends, like a minimal well-behaved peer.
func (p *Peer[S, V, P]) ServeBasic(goodbye uint32) {
	(&Raw{T: p.T, NC: p.NC, Proto: p.Proto, Goodbye: goodbye}).ServeBasic()
}
