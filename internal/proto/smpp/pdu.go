package smpp

import (
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// PDU is one SMPP body. Marshal appends the body in version v's layout (3.3
// omits TLVs); Unmarshal parses a body (header excluded), never panics and
// never keeps a reference to b. Decode errors are *DecodeError, wrapping
// session.ErrMalformed; encode errors wrap ErrInvalid.
type PDU interface {
	CommandID() uint32
	Marshal(dst []byte, v Version) ([]byte, error)
	Unmarshal(b []byte, v Version) error
}

// Response is a PDU that answers a request. Its Status field travels in the
// header's command_status; Marshal and Unmarshal leave it alone, AppendPDU
// and DecodePDU move it.
type Response interface {
	PDU
	CommandStatus() uint32
	SetCommandStatus(s uint32)
}

// NewPDU returns an empty PDU for a command id, or nil for an unknown id.
func NewPDU(cmd uint32) PDU {
	switch cmd {
	case CmdGenericNack:
		return new(GenericNack)
	case CmdBindReceiver, CmdBindTransmitter, CmdBindTransceiver:
		m, _ := bindModeOf(cmd)
		return &Bind{Mode: m}
	case CmdBindReceiverResp, CmdBindTransmitterResp, CmdBindTransceiverResp:
		m, _ := bindModeOf(cmd)
		return &BindResp{Mode: m}
	case CmdOutbind:
		return new(Outbind)
	case CmdUnbind:
		return new(Unbind)
	case CmdUnbindResp:
		return new(UnbindResp)
	case CmdEnquireLink:
		return new(EnquireLink)
	case CmdEnquireLinkResp:
		return new(EnquireLinkResp)
	case CmdSubmitSM:
		return new(SubmitSM)
	case CmdSubmitSMResp:
		return new(SubmitSMResp)
	case CmdSubmitMulti:
		return new(SubmitMulti)
	case CmdSubmitMultiResp:
		return new(SubmitMultiResp)
	case CmdDeliverSM:
		return new(DeliverSM)
	case CmdDeliverSMResp:
		return new(DeliverSMResp)
	case CmdDataSM:
		return new(DataSM)
	case CmdDataSMResp:
		return new(DataSMResp)
	case CmdQuerySM:
		return new(QuerySM)
	case CmdQuerySMResp:
		return new(QuerySMResp)
	case CmdCancelSM:
		return new(CancelSM)
	case CmdCancelSMResp:
		return new(CancelSMResp)
	case CmdReplaceSM:
		return new(ReplaceSM)
	case CmdReplaceSMResp:
		return new(ReplaceSMResp)
	case CmdAlertNotification:
		return new(AlertNotification)
	}
	return nil
}

// AppendPDU appends a whole PDU (header and body) to dst; a Response's
// Status goes into command_status. Used by tests, raw peers and tools;
// sessions hand bodies to the engine instead.
func AppendPDU(dst []byte, seq uint32, p PDU, v Version) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, HeaderLen)...)
	dst, err := p.Marshal(dst, v)
	if err != nil {
		return dst[:start], err
	}
	n := len(dst) - start
	if n > MaxPDU {
		return dst[:start], fmt.Errorf("smpp %s: %d bytes above limit %d: %w", CommandName(p.CommandID()), n, MaxPDU, ErrInvalid)
	}
	var status uint32
	if r, ok := p.(Response); ok {
		status = r.CommandStatus()
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(n))
	binary.BigEndian.PutUint32(dst[start+4:], p.CommandID())
	binary.BigEndian.PutUint32(dst[start+8:], status)
	binary.BigEndian.PutUint32(dst[start+12:], seq)
	return dst, nil
}

// DecodePDU parses one whole PDU from b (exactly command_length bytes).
func DecodePDU(b []byte, v Version) (session.Header, PDU, error) {
	h, err := NewProtocol(v).DecodeHeader(b)
	if err != nil {
		return h, nil, err
	}
	if int(h.Length) != len(b) {
		return h, nil, fmt.Errorf("smpp: command_length %d but %d bytes: %w", h.Length, len(b), session.ErrMalformed)
	}
	p := NewPDU(h.Command)
	if p == nil {
		return h, nil, &DecodeError{PDU: CommandName(h.Command), Field: "command_id", Status: ESME_RINVCMDID, Reason: "unknown command"}
	}
	if err := p.Unmarshal(b[HeaderLen:], v); err != nil {
		return h, nil, err
	}
	if r, ok := p.(Response); ok {
		r.SetCommandStatus(h.Status)
	}
	return h, p, nil
}

// encode marshals p into a fresh body, checking the PDU size limit.
func encode(p PDU, v Version) ([]byte, error) {
	b, err := p.Marshal(nil, v)
	if err != nil {
		return nil, err
	}
	if HeaderLen+len(b) > MaxPDU {
		return nil, fmt.Errorf("smpp %s: %d bytes above limit %d: %w", CommandName(p.CommandID()), HeaderLen+len(b), MaxPDU, ErrInvalid)
	}
	return b, nil
}
