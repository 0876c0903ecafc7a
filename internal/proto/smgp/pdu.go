package smgp

import (
	"hongyan/internal/proto/wire"
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
	return wire.AppendPDU(header, dst, seq, 0, p, v)
}

// DecodePDU parses one whole PDU from b (exactly PacketLength bytes).
func DecodePDU(b []byte, v Version) (session.Header, PDU, error) {
	return wire.DecodePDU(header, b, MaxPDU, NewPDU, func(_ session.Header, p PDU, body []byte) error { return p.Unmarshal(body, v) })
}
