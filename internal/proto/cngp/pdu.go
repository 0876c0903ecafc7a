package cngp

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// PDU is one CNGP body. Marshal appends the body in version v's layout;
// Unmarshal parses a body (without the header), never panics and never
// keeps a reference to b.
type PDU interface {
	CommandID() uint32
	Marshal(dst []byte, v Version) ([]byte, error)
	Unmarshal(b []byte, v Version) error
}

// Response is a PDU whose result travels in the header's Command_Status,
// not in its body (Login_Resp, Submit_Resp, Deliver_Resp, Forward_Resp).
type Response interface {
	PDU
	HeaderStatus() uint32
	SetHeaderStatus(uint32)
}

// NewPDU returns an empty PDU for a Command_Id, or nil for ids this package
// does not model (Payment_Request, Query_UserState: one source, no layout).
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
	case CmdForward:
		return new(Forward)
	case CmdForwardResp:
		return new(ForwardResp)
	case CmdActiveTest:
		return new(ActiveTest)
	case CmdActiveTestResp:
		return new(ActiveTestResp)
	case CmdExit:
		return new(Exit)
	case CmdExitResp:
		return new(ExitResp)
	}
	return nil
}

// headerStatus is the Command_Status p travels with: its result for a
// Response, 0 for a request.
func headerStatus(p PDU) uint32 {
	if r, ok := p.(Response); ok {
		return r.HeaderStatus()
	}
	return 0
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
	binary.BigEndian.PutUint32(dst[start+8:], headerStatus(p))
	binary.BigEndian.PutUint32(dst[start+12:], seq)
	return dst, nil
}

// DecodePDU parses one whole PDU from b (exactly Total_Length bytes); a
// Response gets the header's Command_Status.
func DecodePDU(b []byte, v Version) (session.Header, PDU, error) {
	h, err := Protocol{}.DecodeHeader(b)
	if err != nil {
		return h, nil, err
	}
	if int(h.Length) != len(b) {
		return h, nil, fmt.Errorf("cngp: Total_Length %d but %d bytes: %w", h.Length, len(b), session.ErrMalformed)
	}
	p := NewPDU(h.Command)
	if p == nil {
		return h, nil, fmt.Errorf("cngp: unsupported command %s: %w", CommandName(h.Command), session.ErrMalformed)
	}
	if err := decodeFrame(session.Frame{Header: h, Body: b[HeaderLen:]}, p, v); err != nil {
		return h, nil, err
	}
	return h, p, nil
}

// decodeFrame parses f's body into p and, for a Response, takes the header
// status. A refusal (status ≠ 0) whose body does not parse is still a
// refusal: many gateways answer errors with a bare header, and the status
// is what the caller needs.
func decodeFrame(f session.Frame, p PDU, v Version) error {
	err := p.Unmarshal(f.Body, v)
	r, ok := p.(Response)
	if !ok {
		return err
	}
	if err != nil && f.Status == StatusOK {
		return err
	}
	r.SetHeaderStatus(f.Status)
	return nil
}
