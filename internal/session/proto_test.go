package session

import (
	"encoding/binary"
	"fmt"
)

// testProto is a CMPP-shaped protocol: 12-byte header len/cmd/seq, heartbeat
// command 8 answered by 0x80000008 with a 1-byte body.
type testProto struct {
	noHeartbeat bool
	lax         bool // DecodeHeader skips the length check: the engine must catch it
}

const (
	cmdHB     = 8
	cmdLogin  = 1
	cmdLogout = 2
	cmdSubmit = 4
	respBit   = 0x80000000
	testMax   = 4096
	testHdr   = 12
)

var hbReplyBody = []byte{0}

func (testProto) Name() string   { return "test" }
func (testProto) HeaderLen() int { return testHdr }
func (testProto) MaxPDU() int    { return testMax }

func (p testProto) DecodeHeader(b []byte) (Header, error) {
	h := Header{
		Length:  binary.BigEndian.Uint32(b),
		Command: binary.BigEndian.Uint32(b[4:]),
		Seq:     Seq{N: binary.BigEndian.Uint32(b[8:])},
	}
	if !p.lax && (h.Length < testHdr || h.Length > testMax) {
		return Header{}, fmt.Errorf("%w: length %d", ErrMalformed, h.Length)
	}
	return h, nil
}

func (testProto) AppendHeader(dst []byte, h Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, h.Command)
	return binary.BigEndian.AppendUint32(dst, h.Seq.N)
}

func (testProto) IsResponse(cmd uint32) bool          { return cmd&respBit != 0 }
func (testProto) ResponseTo(cmd uint32) uint32        { return cmd | respBit }
func (testProto) NextSeq(n uint32) Seq                { return Seq{N: n} }
func (p testProto) Heartbeat() (uint32, []byte, bool) { return cmdHB, nil, !p.noHeartbeat }

func (p testProto) HeartbeatReply(f Frame) (uint32, []byte, bool) {
	if p.noHeartbeat || f.Command != cmdHB {
		return 0, nil, false
	}
	return cmdHB | respBit, hbReplyBody, true
}

// rawFrame encodes one test-protocol PDU.
func rawFrame(cmd, seq uint32, body []byte) []byte {
	b := testProto{}.AppendHeader(nil, Header{Length: uint32(testHdr + len(body)), Command: cmd, Seq: Seq{N: seq}})
	return append(b, body...)
}
