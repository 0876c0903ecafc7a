package sgip

import (
	"fmt"

	"hongyan/internal/session"
)

// PDU is one SGIP body. Marshal appends the body (in variant v where the
// layout depends on it: Submit and Deliver); Unmarshal parses a body
// without its header, reads every layout it knows by length, never panics
// and never keeps a reference to b.
type PDU interface {
	CommandID() uint32
	Marshal(dst []byte, v Variant) ([]byte, error)
	Unmarshal(b []byte) error
}

// NewPDU returns an empty PDU for a command id, or nil for ids this package
// does not model (the SMG↔GNS commands).
func NewPDU(cmd uint32) PDU {
	switch cmd {
	case CmdBind:
		return new(Bind)
	case CmdBindResp:
		return new(BindResp)
	case CmdUnbind:
		return new(Unbind)
	case CmdUnbindResp:
		return new(UnbindResp)
	case CmdSubmit:
		return new(Submit)
	case CmdSubmitResp:
		return new(SubmitResp)
	case CmdDeliver:
		return new(Deliver)
	case CmdDeliverResp:
		return new(DeliverResp)
	case CmdReport:
		return new(Report)
	case CmdReportResp:
		return new(ReportResp)
	case CmdUserRpt:
		return new(UserRpt)
	case CmdUserRptResp:
		return new(UserRptResp)
	case CmdTrace:
		return new(Trace)
	case CmdTraceResp:
		return new(TraceResp)
	}
	return nil
}

// AppendPDU appends a whole PDU (header and body) to dst. Used by tests,
// raw peers and tools; sessions hand bodies to the engine instead.
func AppendPDU(dst []byte, seq session.Seq, p PDU, v Variant) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, HeaderLen)...)
	dst, err := p.Marshal(dst, v)
	if err != nil {
		return dst[:start], err
	}
	n := len(dst) - start
	if n > MaxPDU {
		return dst[:start], fmt.Errorf("sgip %s: %d bytes above limit %d: %w", CommandName(p.CommandID()), n, MaxPDU, ErrInvalid)
	}
	Protocol{}.AppendHeader(dst[:start], session.Header{Length: uint32(n), Command: p.CommandID(), Seq: seq})
	return dst, nil
}

// DecodePDU parses one whole PDU from b (exactly Message_Length bytes).
func DecodePDU(b []byte) (session.Header, PDU, error) {
	h, err := Protocol{}.DecodeHeader(b)
	if err != nil {
		return h, nil, err
	}
	if int(h.Length) != len(b) {
		return h, nil, fmt.Errorf("sgip: Message_Length %d but %d bytes: %w", h.Length, len(b), session.ErrMalformed)
	}
	p := NewPDU(h.Command)
	if p == nil {
		return h, nil, fmt.Errorf("sgip: unsupported command %s: %w", CommandName(h.Command), session.ErrMalformed)
	}
	if err := p.Unmarshal(b[HeaderLen:]); err != nil {
		return h, nil, err
	}
	return h, p, nil
}
