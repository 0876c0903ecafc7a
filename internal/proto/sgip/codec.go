package sgip

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// HeaderLen is the SGIP header: Message_Length, Command_ID and the 12-byte
// Sequence_Number (spec §4.2.1; netty-codec-sgip's 16 is wrong).
const HeaderLen = 20

// MaxPDU is the largest PDU sent or accepted: "每个消息包最大不超过 2K 字节"
// (spec §4). It also bounds a Submit's recipients, see MaxUsers.
const MaxPDU = 2048

// Protocol describes SGIP framing to the session engine. It carries this
// side's Sequencer: every connection built on one Protocol value draws from
// the same counter, so sequence numbers stay unique across a pool.
type Protocol struct {
	seq *Sequencer
}

var _ session.Protocol = Protocol{}

// NewProtocol returns the framing whose requests are numbered by s.
func NewProtocol(s *Sequencer) Protocol { return Protocol{seq: s} }

// Sequencer is the one numbering this Protocol's requests.
func (p Protocol) Sequencer() *Sequencer { return p.seq }

func (Protocol) Name() string { return "sgip" }

func (Protocol) HeaderLen() int { return HeaderLen }

func (Protocol) MaxPDU() int { return MaxPDU }

// DecodeHeader parses a 20-byte header and rejects impossible lengths so the
// engine never allocates a body from a hostile length field.
func (Protocol) DecodeHeader(b []byte) (session.Header, error) {
	if len(b) < HeaderLen {
		return session.Header{}, fmt.Errorf("sgip header: %d bytes, want %d: %w", len(b), HeaderLen, session.ErrMalformed)
	}
	h := session.Header{
		Length:  binary.BigEndian.Uint32(b[0:4]),
		Command: binary.BigEndian.Uint32(b[4:8]),
		Seq: session.Seq{
			Node: binary.BigEndian.Uint32(b[8:12]),
			Time: binary.BigEndian.Uint32(b[12:16]),
			N:    binary.BigEndian.Uint32(b[16:20]),
		},
	}
	if h.Length < HeaderLen {
		return h, fmt.Errorf("sgip header: Message_Length %d below %d: %w", h.Length, HeaderLen, session.ErrMalformed)
	}
	if h.Length > MaxPDU {
		return h, fmt.Errorf("sgip header: Message_Length %d above %d (%s): %w", h.Length, MaxPDU, CommandName(h.Command), session.ErrMalformed)
	}
	return h, nil
}

// AppendHeader appends h; SGIP has no status field in the header, so
// h.Status is ignored.
func (Protocol) AppendHeader(dst []byte, h session.Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, h.Command)
	dst = binary.BigEndian.AppendUint32(dst, h.Seq.Node)
	dst = binary.BigEndian.AppendUint32(dst, h.Seq.Time)
	return binary.BigEndian.AppendUint32(dst, h.Seq.N)
}

func (Protocol) IsResponse(cmd uint32) bool { return cmd&respBit != 0 }

func (Protocol) ResponseTo(cmd uint32) uint32 { return cmd | respBit }

// NextSeq ignores the engine's per-connection counter n and draws from the
// shared Sequencer: a per-connection counter would repeat the same
// (node, time, counter) triple on two connections in the same second, and
// the SMG would drop the second Submit as a duplicate.
func (p Protocol) NextSeq(uint32) session.Seq { return p.seq.Next() }

// Heartbeat: SGIP has none; the engine closes idle connections instead.
func (Protocol) Heartbeat() (uint32, []byte, bool) { return 0, nil, false }

func (Protocol) HeartbeatReply(session.Frame) (uint32, []byte, bool) { return 0, nil, false }
