package cmpp

import "fmt"

// CONNECT_RESP Status values.
const (
	ConnectOK             uint32 = 0
	ConnectBadStructure   uint32 = 1
	ConnectBadSourceAddr  uint32 = 2
	ConnectAuthFailed     uint32 = 3
	ConnectVersionTooHigh uint32 = 4
	ConnectOther          uint32 = 5
)

var connectStatusText = [...]string{
	"ok",
	"message structure error",
	"illegal source address",
	"authentication error",
	"version too high",
	"other error",
}

// ConnectStatusText explains a CONNECT_RESP Status.
func ConnectStatusText(s uint32) string {
	if s < uint32(len(connectStatusText)) {
		return connectStatusText[s]
	}
	return "other error"
}

// SUBMIT_RESP Result values.
const (
	SubmitOK                 uint32 = 0
	SubmitBadStructure       uint32 = 1
	SubmitBadCommand         uint32 = 2
	SubmitDuplicateSeq       uint32 = 3
	SubmitBadMsgLength       uint32 = 4
	SubmitBadFeeCode         uint32 = 5
	SubmitTooLong            uint32 = 6
	SubmitBadServiceID       uint32 = 7
	SubmitFlowControl        uint32 = 8
	SubmitFeeTerminalNotHere uint32 = 9
	SubmitBadSrcID           uint32 = 10
	SubmitBadMsgSrc          uint32 = 11
	SubmitBadFeeTerminalID   uint32 = 12
	SubmitBadDestTerminalID  uint32 = 13
)

var submitResultText = [...]string{
	"ok",
	"message structure error",
	"command id error",
	"duplicate sequence number",
	"message length error",
	"fee code error",
	"exceeds max message length",
	"service code error",
	"flow control error",
	"gateway does not serve this charged number",
	"Src_Id error",
	"Msg_src error",
	"Fee_terminal_Id error",
	"Dest_terminal_Id error",
}

// SubmitResultText explains a SUBMIT_RESP Result (0–99 spec, 100–199 vendor).
func SubmitResultText(r uint32) string {
	switch {
	case r < uint32(len(submitResultText)):
		return submitResultText[r]
	case r >= 100 && r <= 199:
		return "vendor-defined error"
	}
	return "reserved error"
}

// DELIVER_RESP Result values used by this package.
const (
	DeliverOK           uint32 = 0
	DeliverBadStructure uint32 = 1
	DeliverOther        uint32 = 9
)

// StatusError is a non-zero status from the peer that ends an operation
// (a refused CONNECT).
type StatusError struct {
	Op     string // "connect"
	Status uint32
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("cmpp %s refused: status %d (%s)", e.Op, e.Status, ConnectStatusText(e.Status))
}
