package cmpp

import (
	"fmt"

	"hongyan/internal/proto/wire"
	"hongyan/internal/session"
)

// PDU is one CMPP body. Marshal appends the body in version v's layout;
// Unmarshal parses a body (without the header), never panics and never
// keeps a reference to b.
type PDU interface {
	CommandID() uint32
	Marshal(dst []byte, v Version) ([]byte, error)
	Unmarshal(b []byte, v Version) error
}

// NewPDU returns an empty PDU for a command id, or nil for ids this package
// does not model (FWD and the ISMG↔GNS route commands).
func NewPDU(cmd uint32) PDU {
	switch cmd {
	case CmdConnect:
		return new(Connect)
	case CmdConnectResp:
		return new(ConnectResp)
	case CmdTerminate:
		return new(Terminate)
	case CmdTerminateResp:
		return new(TerminateResp)
	case CmdSubmit:
		return new(Submit)
	case CmdSubmitResp:
		return new(SubmitResp)
	case CmdDeliver:
		return new(Deliver)
	case CmdDeliverResp:
		return new(DeliverResp)
	case CmdQuery:
		return new(Query)
	case CmdQueryResp:
		return new(QueryResp)
	case CmdCancel:
		return new(Cancel)
	case CmdCancelResp:
		return new(CancelResp)
	case CmdActiveTest:
		return new(ActiveTest)
	case CmdActiveTestResp:
		return new(ActiveTestResp)
	}
	return nil
}

// AppendPDU appends a whole PDU (header and body) to dst. Used by tests,
// raw peers and tools; sessions hand bodies to the engine instead.
func AppendPDU(dst []byte, seq uint32, p PDU, v Version) ([]byte, error) {
	start := len(dst)
	dst, err := wire.AppendPDU(header, dst, seq, 0, p, v)
	if n := len(dst) - start; err == nil && n > MaxPDU(v) {
		return dst[:start], fmt.Errorf("cmpp %s: %d bytes above limit %d: %w", CommandName(p.CommandID()), n, MaxPDU(v), ErrInvalid)
	}
	return dst, err
}

// DecodePDU parses one whole PDU from b (exactly Total_Length bytes).
func DecodePDU(b []byte, v Version) (session.Header, PDU, error) {
	return wire.DecodePDU(header, b, MaxPDU(v), NewPDU, func(_ session.Header, p PDU, body []byte) error { return p.Unmarshal(body, v) })
}

// checkSize rejects a body (dst[start:]) whose PDU would exceed v's limit,
// so we never send what the peer must refuse.
func checkSize(pdu string, dst []byte, start int, v Version) error {
	if n := HeaderLen + len(dst) - start; n > MaxPDU(v) {
		return fmt.Errorf("cmpp %s: pdu %d bytes above limit %d for %s: %w", pdu, n, MaxPDU(v), v, ErrInvalid)
	}
	return nil
}
