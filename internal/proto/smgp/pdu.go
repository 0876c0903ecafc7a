package smgp

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// PDU is one SMGP body. Marshal appends the body in version v's layout;
// Unmarshal parses a body (without the header), never panics and never
// keeps a reference to b.
type PDU interface {
	CommandID() uint32
	Marshal(dst []byte, v Version) ([]byte, error)
	Unmarshal(b []byte, v Version) error
}

// NewPDU returns an empty PDU for a RequestID, or nil for ids this package
// does not model (Forward, the GNS route and prepaid commands).
func NewPDU(cmd uint32) PDU {
	switch cmd {
	case CmdLogin:
		return new(Login)
	case CmdLoginResp:
		return new(LoginResp)
	case CmdSubmit:
		return new(Submit)
	case CmdSubmitResp:
		return new(SubmitResp)
	case CmdDeliver:
		return new(Deliver)
	case CmdDeliverResp:
		return new(DeliverResp)
	case CmdActiveTest:
		return new(ActiveTest)
	case CmdActiveTestResp:
		return new(ActiveTestResp)
	case CmdExit:
		return new(Exit)
	case CmdExitResp:
		return new(ExitResp)
	case CmdQuery:
		return new(Query)
	case CmdQueryResp:
		return new(QueryResp)
	}
	return nil
}

// AppendPDU appends a whole PDU (header and body) to dst. Used by tests,
// raw peers and tools; sessions hand bodies to the engine instead.
func AppendPDU(dst []byte, seq uint32, p PDU, v Version) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, HeaderLen)...)
	dst, err := p.Marshal(dst, v)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	binary.BigEndian.PutUint32(dst[start+4:], p.CommandID())
	binary.BigEndian.PutUint32(dst[start+8:], seq)
	return dst, nil
}

// DecodePDU parses one whole PDU from b (exactly PacketLength bytes).
func DecodePDU(b []byte, v Version) (session.Header, PDU, error) {
	h, err := Protocol{}.DecodeHeader(b)
	if err != nil {
		return h, nil, err
	}
	if int(h.Length) != len(b) {
		return h, nil, fmt.Errorf("smgp: PacketLength %d but %d bytes: %w", h.Length, len(b), session.ErrMalformed)
	}
	p := NewPDU(h.Command)
	if p == nil {
		return h, nil, fmt.Errorf("smgp: unsupported command %s: %w", CommandName(h.Command), session.ErrMalformed)
	}
	if err := p.Unmarshal(b[HeaderLen:], v); err != nil {
		return h, nil, err
	}
	return h, p, nil
}
