package sgip

import (
	"fmt"

	"hongyan/internal/session"
)

// Submit (SGIP_SUBMIT) is one MT message from the SP to one or more users.
type Submit struct {
	SPNumber         string   // 21, the SP access number shown as sender
	ChargeNumber     string   // 21; "" = the user pays; 21 × '0' = the SP pays
	UserNumber       []string // 21 each, "86"-prefixed; 1–100 (fewer fit 2 KB, see MaxUsers)
	CorpID           string   // 5; the Client fills it from an SP node id when empty
	ServiceType      string   // 10
	FeeType          uint8    // 0 "send" type, 1 free, 2 per message, 3 monthly, 4 charged by SP
	FeeValue         string   // 6, fen
	GivenValue       string   // 6, fen
	AgentFlag        uint8    // 0 should charge, 1 charged
	MorelatetoMTFlag uint8    // MT* constants: why this MT is sent
	Priority         uint8    // 0–9
	ExpireTime       string   // 16, "yymmddhhmmss032+"; "" = SMSC default
	ScheduleTime     string   // 16; "" = now
	ReportFlag       uint8    // Report* constants; 0 (the default) reports failures only
	TPPID            uint8
	TPUDHI           uint8 // 1 = MessageContent starts with a UDH
	MessageCoding    uint8 // Coding* constants
	MessageType      uint8 // 0 = short message
	MessageContent   []byte
	Reserve          string // 8
	LinkID           string // 8, LinkID variant only (doc.go)

	// Seq is the Sequence_Number the Submit arrived with, filled by the
	// SMG Server (ignored when sending): the MT's identity, which its
	// Report must carry as SubmitSeq.
	Seq session.Seq
}

// MorelatetoMTFlag values.
const (
	MTFirstForMO uint8 = 0 // first MT answering an MO (on demand)
	MTMoreForMO  uint8 = 1 // further MT answering an MO
	MTNotForMO   uint8 = 2 // MT not caused by an MO (notification, push)
	MTSystem     uint8 = 3 // MT caused by system feedback
)

// ReportFlag values. The spec's default, 0, sends no report on success.
const (
	ReportOnFailure uint8 = 0
	ReportAlways    uint8 = 1
	ReportNever     uint8 = 2
	ReportMonthly   uint8 = 3 // monthly-charge record: not delivered to the user, report required
)

// MessageCoding values (others are GSM 03.38 data coding schemes).
const (
	CodingASCII  uint8 = 0
	CodingSIM    uint8 = 3
	CodingBinary uint8 = 4
	CodingUCS2   uint8 = 8
	CodingGBK    uint8 = 15
)

// MaxUserCount is the spec's bound on UserCount.
const MaxUserCount = 100

// submitFixed is the Submit body without recipients and content:
// 123 bytes, plus 8 for the LinkID variant.
const submitFixed = 123

// MaxUsers is how many recipients fit one Submit with contentLen bytes of
// content within the 2 KB PDU limit, capped at MaxUserCount. The spec's
// "1–100" does not fit 2 KB: with 140 bytes of content 84 do.
func MaxUsers(contentLen int, v Variant) int {
	fixed := HeaderLen + submitFixed + contentLen
	if v == LinkIDVariant {
		fixed += linkIDLen
	}
	return max(0, min((MaxPDU-fixed)/numberLen, MaxUserCount))
}

func (*Submit) CommandID() uint32 { return CmdSubmit }

func (p *Submit) Marshal(dst []byte, v Variant) ([]byte, error) {
	e := newEnc(dst, "submit")
	if n := len(p.UserNumber); n == 0 || n > MaxUserCount {
		e.Fail("UserCount %d outside 1..%d", n, MaxUserCount)
	}
	e.Str("SPNumber", p.SPNumber, numberLen)
	e.Str("ChargeNumber", p.ChargeNumber, numberLen)
	e.U8(uint8(len(p.UserNumber)))
	for _, u := range p.UserNumber {
		e.Str("UserNumber", u, numberLen)
	}
	e.Str("CorpId", p.CorpID, 5)
	e.Str("ServiceType", p.ServiceType, 10)
	e.U8(p.FeeType)
	e.Str("FeeValue", p.FeeValue, 6)
	e.Str("GivenValue", p.GivenValue, 6)
	e.U8(p.AgentFlag)
	e.U8(p.MorelatetoMTFlag)
	e.U8(p.Priority)
	e.Str("ExpireTime", p.ExpireTime, 16)
	e.Str("ScheduleTime", p.ScheduleTime, 16)
	e.U8(p.ReportFlag)
	e.U8(p.TPPID)
	e.U8(p.TPUDHI)
	e.U8(p.MessageCoding)
	e.U8(p.MessageType)
	e.messageTail(p.MessageContent, p.Reserve, p.LinkID, v)
	return e.result(dst)
}

// Unmarshal reads every Submit layout (doc.go); LinkID is set when the
// body carries one.
func (p *Submit) Unmarshal(b []byte) error {
	d := newDec(b, "submit")
	*p = Submit{}
	p.SPNumber = d.Str("SPNumber", numberLen)
	p.ChargeNumber = d.Str("ChargeNumber", numberLen)
	n := int(d.U8("UserCount"))
	if n == 0 && d.Err == nil {
		d.Err = fmt.Errorf("sgip submit: UserCount is 0: %w", session.ErrMalformed)
	}
	// Check the whole array up front: a hostile count must not make us
	// allocate before we know the bytes are there.
	if d.Need("UserNumber", n*numberLen) && n > 0 {
		p.UserNumber = make([]string, n)
		for i := range p.UserNumber {
			p.UserNumber[i] = d.Str("UserNumber", numberLen)
		}
	}
	p.CorpID = d.Str("CorpId", 5)
	p.ServiceType = d.Str("ServiceType", 10)
	p.FeeType = d.U8("FeeType")
	p.FeeValue = d.Str("FeeValue", 6)
	p.GivenValue = d.Str("GivenValue", 6)
	p.AgentFlag = d.U8("AgentFlag")
	p.MorelatetoMTFlag = d.U8("MorelatetoMTFlag")
	p.Priority = d.U8("Priority")
	p.ExpireTime = d.Str("ExpireTime", 16)
	p.ScheduleTime = d.Str("ScheduleTime", 16)
	p.ReportFlag = d.U8("ReportFlag")
	p.TPPID = d.U8("TP_pid")
	p.TPUDHI = d.U8("TP_udhi")
	p.MessageCoding = d.U8("MessageCoding")
	p.MessageType = d.U8("MessageType")
	p.MessageContent, p.Reserve, p.LinkID, _ = d.messageTail()
	return d.Done()
}
