package cngp

import (
	"hongyan/internal/proto/wire"
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
	return wire.AppendPDU(header, dst, seq, headerStatus(p), p, v)
}

// DecodePDU parses one whole PDU from b (exactly Total_Length bytes); a
// Response gets the header's Command_Status.
func DecodePDU(b []byte, v Version) (session.Header, PDU, error) {
	return wire.DecodePDU(header, b, MaxPDU, NewPDU, func(h session.Header, p PDU, body []byte) error {
		return decodeFrame(session.Frame{Header: h, Body: body}, p, v)
	})
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
