package smgp

import "fmt"

// Status values (spec §6.2.6) used by this package; StatusText knows all.
const (
	StatusOK              uint32 = 0
	StatusBusy            uint32 = 1
	StatusTooManyConns    uint32 = 2
	StatusBadStructure    uint32 = 10
	StatusBadCommand      uint32 = 11
	StatusDuplicateSeq    uint32 = 12
	StatusBadIP           uint32 = 20
	StatusAuthFailed      uint32 = 21
	StatusVersionTooHigh  uint32 = 22
	StatusBadMsgType      uint32 = 30
	StatusBadPriority     uint32 = 31
	StatusBadFeeType      uint32 = 32
	StatusBadFeeCode      uint32 = 33
	StatusBadMsgFormat    uint32 = 34
	StatusBadTimeFormat   uint32 = 35
	StatusBadMsgLength    uint32 = 36
	StatusExpired         uint32 = 37
	StatusBadQueryType    uint32 = 38
	StatusRoutingError    uint32 = 39
	StatusBadSrcTermID    uint32 = 46
	StatusBadDestTermID   uint32 = 47
	StatusBadChargeTermID uint32 = 48
	StatusSPForbiddenTime uint32 = 74
	StatusSPDailyLimit    uint32 = 75
	StatusSPExpired       uint32 = 76
)

var statusText = map[uint32]string{
	0: "success", 1: "system busy", 2: "too many connections",
	10: "message structure error", 11: "command id error", 12: "duplicate sequence number",
	20: "IP address error", 21: "authentication error", 22: "version too high",
	30: "illegal MsgType", 31: "illegal Priority", 32: "illegal FeeType", 33: "illegal FeeCode",
	34: "illegal MsgFormat", 35: "illegal time format", 36: "illegal MsgLength",
	37: "validity period already passed", 38: "illegal QueryType", 39: "routing error",
	40: "illegal FixedFee", 41: "illegal UpdateType", 42: "illegal RouteId", 43: "illegal ServiceId",
	44: "illegal ValidTime", 45: "illegal AtTime", 46: "illegal SrcTermId", 47: "illegal DestTermId",
	48: "illegal ChargeTermId", 49: "illegal SPCode",
	56: "illegal SrcGatewayID", 57: "illegal QueryTermID", 58: "no matching route", 59: "illegal SPType",
	60: "illegal LastRouteID", 61: "illegal RouteType", 62: "illegal DestGatewayID", 63: "illegal DestGatewayIP",
	64: "illegal DestGatewayPort", 65: "illegal TermRangeID", 66: "illegal ProvinceCode", 67: "illegal UserType",
	68: "route update not supported", 69: "illegal SPID", 70: "illegal SPAccessType", 71: "route update failed",
	72: "illegal Time", 73: "illegal MServiceID", 74: "SP sending forbidden in this time window",
	75: "SP exceeded daily volume", 76: "SP account expired",
}

// StatusText explains a Status (Login_Resp, Submit_Resp, Deliver_Resp).
func StatusText(s uint32) string {
	if t, ok := statusText[s]; ok {
		return t
	}
	switch {
	case s >= 128 && s <= 255:
		return "vendor-defined error"
	case s >= 50 && s <= 55, s >= 112 && s <= 116:
		return "other error"
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
	return fmt.Sprintf("smgp %s refused: status %d (%s)", e.Op, e.Status, StatusText(e.Status))
}
