package cngp

import "fmt"

// Command_Status values (LeadTone's CNGPCommandStatus; wujunjenny/smgw
// sends 0, 2, 20, 21, 32, 33 and 39 itself). StatusText knows all.
const (
	StatusOK             uint32 = 0
	StatusBusy           uint32 = 1
	StatusTooManyConns   uint32 = 2
	StatusBadStructure   uint32 = 10
	StatusBadCommand     uint32 = 11
	StatusDuplicateSeq   uint32 = 12
	StatusBadIP          uint32 = 20
	StatusAuthFailed     uint32 = 21
	StatusVersionTooHigh uint32 = 22
	StatusBadFeeUserType uint32 = 23
	StatusBadSubType     uint32 = 24
	StatusNodesCount     uint32 = 25
	StatusBadMsgID       uint32 = 26
	StatusBadSMType      uint32 = 30
	StatusBadPriority    uint32 = 31
	StatusBadFeeType     uint32 = 32
	StatusBadFeeCode     uint32 = 33
	StatusBadMsgFormat   uint32 = 34
	StatusBadTimeFormat  uint32 = 35
	StatusBadMsgLength   uint32 = 36
	StatusExpired        uint32 = 37
	StatusBadQueryType   uint32 = 38
	StatusRouteError     uint32 = 39
)

var statusText = map[uint32]string{
	0: "success", 1: "system busy", 2: "too many connections",
	10: "message structure error", 11: "command id error", 12: "duplicate sequence number",
	20: "IP address error", 21: "authentication error", 22: "version too high",
	23: "illegal FeeUserType", 24: "illegal SubType", 25: "NodesCount over threshold", 26: "illegal MsgID",
	30: "illegal SMType", 31: "illegal Priority", 32: "illegal FeeType", 33: "illegal FeeCode",
	34: "illegal MsgFormat", 35: "illegal time format", 36: "illegal MsgLength",
	37: "validity period expired", 38: "illegal QueryType", 39: "route error",
}

// StatusText explains a Command_Status.
func StatusText(s uint32) string {
	if t, ok := statusText[s]; ok {
		return t
	}
	if s >= 128 && s <= 255 {
		// wujunjenny/smgw uses 128–217 for flow control, black lists …
		return "vendor-defined error"
	}
	return "reserved error"
}

// StatusError is a non-zero status from the peer that ends an operation
// (a refused Login).
type StatusError struct {
	Op     string // "login"
	Status uint32
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("cngp %s refused: status %d (%s)", e.Op, e.Status, StatusText(e.Status))
}
