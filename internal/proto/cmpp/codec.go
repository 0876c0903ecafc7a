package cmpp

import (
	"hongyan/internal/proto/wire"
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

// header is CMPP's 12-byte header: Total_Length, Command_Id, Sequence_Id.
var header = &wire.Header{Proto: "cmpp", LengthName: "Total_Length", Command: CommandName}

// DecodeHeader parses a 12-byte header and rejects impossible lengths so the
// engine never allocates a body from a hostile length field.
func (p Protocol) DecodeHeader(b []byte) (session.Header, error) { return header.Decode(b, p.MaxPDU()) }

// AppendHeader appends h; CMPP has no status field in the header, so
// h.Status is ignored.
func (Protocol) AppendHeader(dst []byte, h session.Header) []byte { return header.Append(dst, h) }

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
