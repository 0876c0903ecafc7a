package cmpp

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// HeaderLen is the fixed CMPP header: Total_Length, Command_Id, Sequence_Id.
const HeaderLen = 12

// Largest PDUs accepted from a peer. The spec states none; these are
// gocmpp's limits, the only public ones (protocols/cmpp.md).
const (
	MaxPDU30 = 3335
	MaxPDU20 = 2477
)

// MaxPDU returns the largest PDU accepted for version v.
func MaxPDU(v Version) int {
	if v.Is30() {
		return MaxPDU30
	}
	return MaxPDU20
}

// Protocol describes CMPP framing to the session engine. Its Version picks
// the PDU size limit and the name; body layouts are chosen per connection.
type Protocol struct {
	Version Version
}

var _ session.Protocol = Protocol{}

// NewProtocol returns the framing for version v.
func NewProtocol(v Version) Protocol { return Protocol{Version: v} }

func (p Protocol) Name() string {
	if p.Version.Is30() {
		return "cmpp3"
	}
	return "cmpp2"
}

func (Protocol) HeaderLen() int { return HeaderLen }

func (p Protocol) MaxPDU() int { return MaxPDU(p.Version) }

// DecodeHeader parses a 12-byte header and rejects impossible lengths so the
// engine never allocates a body from a hostile length field.
func (p Protocol) DecodeHeader(b []byte) (session.Header, error) {
	if len(b) < HeaderLen {
		return session.Header{}, fmt.Errorf("cmpp header: %d bytes, want %d: %w", len(b), HeaderLen, session.ErrMalformed)
	}
	h := session.Header{
		Length:  binary.BigEndian.Uint32(b[0:4]),
		Command: binary.BigEndian.Uint32(b[4:8]),
		Seq:     session.Seq{N: binary.BigEndian.Uint32(b[8:12])},
	}
	if h.Length < HeaderLen {
		return h, fmt.Errorf("cmpp header: Total_Length %d below %d: %w", h.Length, HeaderLen, session.ErrMalformed)
	}
	if max := p.MaxPDU(); h.Length > uint32(max) {
		return h, fmt.Errorf("cmpp header: Total_Length %d above %d (%s): %w", h.Length, max, CommandName(h.Command), session.ErrMalformed)
	}
	return h, nil
}

// AppendHeader appends h; CMPP has no status field in the header, so
// h.Status is ignored.
func (Protocol) AppendHeader(dst []byte, h session.Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, h.Command)
	return binary.BigEndian.AppendUint32(dst, h.Seq.N)
}

func (Protocol) IsResponse(cmd uint32) bool { return cmd&respBit != 0 }

func (Protocol) ResponseTo(cmd uint32) uint32 { return cmd | respBit }

func (Protocol) NextSeq(n uint32) session.Seq { return session.Seq{N: n} }

func (Protocol) Heartbeat() (uint32, []byte, bool) { return CmdActiveTest, nil, true }

func (Protocol) HeartbeatReply(f session.Frame) (uint32, []byte, bool) {
	if f.Command != CmdActiveTest {
		return 0, nil, false
	}
	// A fresh slice: the engine may keep the body until it is written.
	return CmdActiveTestResp, []byte{0}, true
}
