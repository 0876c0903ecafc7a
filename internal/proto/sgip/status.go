package sgip

import "fmt"

// Result and ErrorCode values (spec §5.2). 1–11 answer requests; 21–33
// mostly appear as a Report's ErrorCode.
const (
	ResultOK              uint8 = 0
	ResultIllegalLogin    uint8 = 1  // wrong login name or password
	ResultRepeatedLogin   uint8 = 2  // second Bind on one connection
	ResultTooManyConns    uint8 = 3  // too many connections from one node
	ResultBadLoginType    uint8 = 4  // LoginType not served here
	ResultBadParameter    uint8 = 5  // parameter format error (a body we cannot read)
	ResultBadNumber       uint8 = 6  // mobile number not "86"-prefixed or illegal
	ResultBadMsgID        uint8 = 7  // message id error
	ResultBadLength       uint8 = 8  // message length error
	ResultBadSequence     uint8 = 9  // duplicate or malformed sequence number
	ResultBadGNSOperation uint8 = 10 // illegal GNS operation
	ResultNodeBusy        uint8 = 11 // queue full or otherwise busy
	ResultUnreachable     uint8 = 21 // destination unreachable
	ResultRoutingError    uint8 = 22 // routing error
	ResultNoRoute         uint8 = 23 // route does not exist
	ResultBadChargeNumber uint8 = 24 // charging number invalid
	ResultUserUnavailable uint8 = 25 // out of coverage, switched off
	ResultHandsetFull     uint8 = 26 // handset memory full
	ResultNoSMSSupport    uint8 = 27 // handset does not support SMS
	ResultHandsetError    uint8 = 28 // handset error receiving SMS
	ResultUnknownUser     uint8 = 29 // unknown user
	ResultNotProvided     uint8 = 30 // function not provided
	ResultIllegalDevice   uint8 = 31 // illegal device
	ResultSystemFailure   uint8 = 32 // system failure
	ResultSMSCQueueFull   uint8 = 33 // SMSC queue full
)

var resultText = map[uint8]string{
	ResultOK:              "ok",
	ResultIllegalLogin:    "illegal login",
	ResultRepeatedLogin:   "repeated login",
	ResultTooManyConns:    "too many connections",
	ResultBadLoginType:    "wrong login type",
	ResultBadParameter:    "parameter format error",
	ResultBadNumber:       "illegal mobile number",
	ResultBadMsgID:        "message id error",
	ResultBadLength:       "message length error",
	ResultBadSequence:     "illegal sequence number",
	ResultBadGNSOperation: "illegal GNS operation",
	ResultNodeBusy:        "node busy",
	ResultUnreachable:     "destination unreachable",
	ResultRoutingError:    "routing error",
	ResultNoRoute:         "route does not exist",
	ResultBadChargeNumber: "charging number invalid",
	ResultUserUnavailable: "user cannot be reached",
	ResultHandsetFull:     "handset memory full",
	ResultNoSMSSupport:    "handset does not support SMS",
	ResultHandsetError:    "handset error receiving SMS",
	ResultUnknownUser:     "unknown user",
	ResultNotProvided:     "function not provided",
	ResultIllegalDevice:   "illegal device",
	ResultSystemFailure:   "system failure",
	ResultSMSCQueueFull:   "SMSC queue full",
}

// ResultText explains a Result or ErrorCode.
func ResultText(r uint8) string {
	if t, ok := resultText[r]; ok {
		return t
	}
	return "reserved error"
}

// StatusError is a non-zero Result that ends an operation (a refused Bind).
type StatusError struct {
	Op     string // "bind"
	Result uint8
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("sgip %s refused: result %d (%s)", e.Op, e.Result, ResultText(e.Result))
}
