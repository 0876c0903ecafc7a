package smgp

import (
	"hongyan/internal/proto/wire"
	"hongyan/internal/session"
)

// HeaderLen is the SMGP header: PacketLength, RequestID, SequenceID.
const HeaderLen = 12

// MaxPDU is the largest PDU sent or accepted. The spec text read states
// none; 2048 is go_smgp's limit, the only public one (protocols/smgp.md).
// It bounds a Submit's destinations, see MaxDests.
const MaxPDU = 2048

// Protocol describes SMGP framing to the session engine. The framing is the
// same in every version; body layouts are chosen per connection.
type Protocol struct{}

var _ session.Protocol = Protocol{}

func (Protocol) Name() string { return "smgp" }

func (Protocol) HeaderLen() int { return HeaderLen }

func (Protocol) MaxPDU() int { return MaxPDU }

// header is SMGP's 12-byte header: PacketLength, RequestID, SequenceID.
var header = &wire.Header{Proto: "smgp", LengthName: "PacketLength", Command: CommandName}

// DecodeHeader parses a 12-byte header and rejects impossible lengths so the
// engine never allocates a body from a hostile length field.
func (Protocol) DecodeHeader(b []byte) (session.Header, error) { return header.Decode(b, MaxPDU) }

// AppendHeader appends h; SMGP has no status in the header, so h.Status
// is ignored.
func (Protocol) AppendHeader(dst []byte, h session.Header) []byte { return header.Append(dst, h) }

func (Protocol) IsResponse(cmd uint32) bool { return cmd&respBit != 0 }

func (Protocol) ResponseTo(cmd uint32) uint32 { return cmd | respBit }

func (Protocol) NextSeq(n uint32) session.Seq { return session.Seq{N: n} }

func (Protocol) Heartbeat() (uint32, []byte, bool) { return CmdActiveTest, nil, true }

// HeartbeatReply answers Active_Test with a bodiless Active_Test_Resp.
func (Protocol) HeartbeatReply(f session.Frame) (uint32, []byte, bool) {
	if f.Command != CmdActiveTest {
		return 0, nil, false
	}
	return CmdActiveTestResp, nil, true
}
