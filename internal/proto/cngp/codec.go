package cngp

import (
	"hongyan/internal/proto/wire"
	"hongyan/internal/session"
)

// HeaderLen is the CNGP header: Total_Length, Command_Id, Command_Status,
// Sequence_Id (four big-endian u32; one more than SMGP).
const HeaderLen = 16

// MaxPDU is the largest PDU sent or accepted. No source states one; 4096
// holds the largest Submit the layouts allow (100 destinations, 254 bytes
// of content, TLVs) with room to spare, and still bounds what a hostile
// length field can make us allocate.
const MaxPDU = 4096

// Protocol describes CNGP framing to the session engine. The framing is the
// same in 1.0 and 2.0.
type Protocol struct{}

var _ session.Protocol = Protocol{}

func (Protocol) Name() string { return "cngp" }

func (Protocol) HeaderLen() int { return HeaderLen }

func (Protocol) MaxPDU() int { return MaxPDU }

// header is CNGP's 16-byte header: Total_Length, Command_Id,
// Command_Status, Sequence_Id.
var header = &wire.Header{Proto: "cngp", Status: true, LengthName: "Total_Length", Command: CommandName}

// DecodeHeader parses a 16-byte header and rejects impossible lengths so the
// engine never allocates a body from a hostile length field.
func (Protocol) DecodeHeader(b []byte) (session.Header, error) { return header.Decode(b, MaxPDU) }

// AppendHeader appends h; responses carry their result in Command_Status.
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
