package smgp

import (
	"encoding/binary"
	"fmt"

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

// DecodeHeader parses a 12-byte header and rejects impossible lengths so the
// engine never allocates a body from a hostile length field.
func (Protocol) DecodeHeader(b []byte) (session.Header, error) {
	if len(b) < HeaderLen {
		return session.Header{}, fmt.Errorf("smgp header: %d bytes, want %d: %w", len(b), HeaderLen, session.ErrMalformed)
	}
	h := session.Header{
		Length:  binary.BigEndian.Uint32(b[0:4]),
		Command: binary.BigEndian.Uint32(b[4:8]),
		Seq:     session.Seq{N: binary.BigEndian.Uint32(b[8:12])},
	}
	if h.Length < HeaderLen {
		return h, fmt.Errorf("smgp header: PacketLength %d below %d: %w", h.Length, HeaderLen, session.ErrMalformed)
	}
	if h.Length > MaxPDU {
		return h, fmt.Errorf("smgp header: PacketLength %d above %d (%s): %w", h.Length, MaxPDU, CommandName(h.Command), session.ErrMalformed)
	}
	return h, nil
}

// AppendHeader appends h; SMGP has no status in the header, so h.Status
// is ignored.
func (Protocol) AppendHeader(dst []byte, h session.Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, h.Command)
	return binary.BigEndian.AppendUint32(dst, h.Seq.N)
}

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
