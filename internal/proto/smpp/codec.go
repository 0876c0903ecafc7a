package smpp

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// HeaderLen is the SMPP header: command_length, command_id,
// command_status, sequence_number.
const HeaderLen = 16

// MaxPDU is the largest PDU accepted from a peer and the largest we send.
// The spec fixes none; 64 KiB is linxGnu/gosmpp's limit and holds any
// submit_sm, and a data_sm whose message_payload stays below ~65 000 bytes.
const MaxPDU = 64 << 10

// MaxShortMessage is the largest short_message (sm_length 0–254, spec
// §5.2.21); longer content goes in message_payload.
const MaxShortMessage = 254

// maxSeq is the top of the sequence_number range 0x00000001–0x7FFFFFFF.
const maxSeq = 0x7FFFFFFF

// bindSeq is the sequence_number of the bind that opens an ESME connection:
// login is the first request the engine sends on a new connection.
const bindSeq = 1

// Protocol describes SMPP framing to the session engine.
type Protocol struct {
	Version Version
	// ESME makes every bind_*_resp answer our bind whatever its
	// sequence_number: fiorix's smpptest answers binds from its own counter,
	// and fiorix's and linxGnu's ESMEs both ignore the number, so SMSCs
	// that do the same exist unnoticed. Only one bind is ever outstanding on
	// a connection, always the first request, so nothing can be mismatched.
	ESME bool
}

var _ session.Protocol = Protocol{}

// NewProtocol returns the framing for version v (SMSC side).
func NewProtocol(v Version) Protocol { return Protocol{Version: v} }

func (p Protocol) Name() string {
	if p.Version.HasTLV() {
		return "smpp34"
	}
	return "smpp33"
}

func (Protocol) HeaderLen() int { return HeaderLen }

func (Protocol) MaxPDU() int { return MaxPDU }

// DecodeHeader parses a 16-byte header and rejects impossible lengths so the
// engine never allocates a body from a hostile length field.
func (p Protocol) DecodeHeader(b []byte) (session.Header, error) {
	if len(b) < HeaderLen {
		return session.Header{}, fmt.Errorf("smpp header: %d bytes, want %d: %w", len(b), HeaderLen, session.ErrMalformed)
	}
	h := session.Header{
		Length:  binary.BigEndian.Uint32(b[0:4]),
		Command: binary.BigEndian.Uint32(b[4:8]),
		Status:  binary.BigEndian.Uint32(b[8:12]),
		Seq:     session.Seq{N: binary.BigEndian.Uint32(b[12:16])},
	}
	if h.Length < HeaderLen {
		return h, fmt.Errorf("smpp header: command_length %d below %d: %w", h.Length, HeaderLen, session.ErrMalformed)
	}
	if h.Length > MaxPDU {
		return h, fmt.Errorf("smpp header: command_length %d above %d (%s): %w", h.Length, MaxPDU, CommandName(h.Command), session.ErrMalformed)
	}
	if p.ESME && isBindResp(h.Command) {
		h.Seq.N = bindSeq
	}
	return h, nil
}

func (Protocol) AppendHeader(dst []byte, h session.Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, h.Command)
	dst = binary.BigEndian.AppendUint32(dst, h.Status)
	return binary.BigEndian.AppendUint32(dst, h.Seq.N)
}

func (Protocol) IsResponse(cmd uint32) bool { return cmd&respBit != 0 }

func (Protocol) ResponseTo(cmd uint32) uint32 { return cmd | respBit }

// NextSeq keeps sequence numbers in 1..0x7FFFFFFF (spec §3.2), wrapping.
func (Protocol) NextSeq(n uint32) session.Seq { return session.Seq{N: (n-1)%maxSeq + 1} }

func (Protocol) Heartbeat() (uint32, []byte, bool) { return CmdEnquireLink, nil, true }

func (Protocol) HeartbeatReply(f session.Frame) (uint32, []byte, bool) {
	if f.Command != CmdEnquireLink {
		return 0, nil, false
	}
	return CmdEnquireLinkResp, nil, true
}

func isBindResp(cmd uint32) bool {
	switch cmd {
	case CmdBindReceiverResp, CmdBindTransmitterResp, CmdBindTransceiverResp:
		return true
	}
	return false
}
