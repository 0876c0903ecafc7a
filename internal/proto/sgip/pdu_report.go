package sgip

import "hongyan/internal/session"

// Report (SGIP_REPORT) is the delivery status of an earlier Submit (or
// forwarded Deliver), SMG → SP; body 44 bytes. A Submit to several users
// yields one Report per user, all with the same SubmitSeq.
type Report struct {
	SubmitSeq  session.Seq // Sequence_Number of the original Submit: the correlation key
	ReportType uint8       // ReportForSubmit or ReportForDeliver
	UserNumber string      // 21, the recipient
	State      uint8       // StateDelivered, StateWaiting, StateFailed
	ErrorCode  uint8       // when State is StateFailed: a Result* code, 21–33 typical
	Reserve    string      // 8
}

// ReportType values.
const (
	ReportForSubmit  uint8 = 0
	ReportForDeliver uint8 = 1
)

// State values (spec §5.4: 0 ← DELIVERED; 1 ← ENROUTE, ACCEPTED;
// 2 ← EXPIRED, DELETED, UNDELIVERABLE, UNKNOWN, REJECTED).
const (
	StateDelivered uint8 = 0
	StateWaiting   uint8 = 1
	StateFailed    uint8 = 2
)

// MsgID is the canonical id of the MT this report is about: the same
// string the Client returned in SubmitResp.MsgID.
func (p *Report) MsgID() string { return FormatSeq(p.SubmitSeq) }

// Delivered reports whether the message reached the handset.
func (p *Report) Delivered() bool { return p.State == StateDelivered }

func (*Report) CommandID() uint32 { return CmdReport }

func (p *Report) Marshal(dst []byte, _ Variant) ([]byte, error) {
	e := newEnc(dst, "report")
	e.seq(p.SubmitSeq)
	e.U8(p.ReportType)
	e.Str("UserNumber", p.UserNumber, numberLen)
	e.U8(p.State)
	e.U8(p.ErrorCode)
	e.Str("Reserve", p.Reserve, reserveLen)
	return e.result(dst)
}

// Unmarshal requires the full 44 bytes: a Report without its
// SubmitSequenceNumber (zysms sends 32 bytes) cannot be matched to an MT.
func (p *Report) Unmarshal(b []byte) error {
	d := newDec(b, "report")
	p.SubmitSeq = d.seq("SubmitSequenceNumber")
	p.ReportType = d.U8("ReportType")
	p.UserNumber = d.Str("UserNumber", numberLen)
	p.State = d.U8("State")
	p.ErrorCode = d.U8("ErrorCode")
	p.Reserve = d.Str("Reserve", reserveLen)
	return d.end()
}

// UserRpt (SGIP_USERRPT) tells the SP a user's state changed, SMG → SP;
// body 51 bytes.
type UserRpt struct {
	SPNumber      string // 21
	UserNumber    string // 21
	UserCondition uint8  // UserDeregistered, UserSuspended, UserNormal
	Reserve       string // 8
}

// UserCondition values.
const (
	UserDeregistered uint8 = 0 // 注销
	UserSuspended    uint8 = 1 // 欠费停机
	UserNormal       uint8 = 2 // 恢复正常
)

func (*UserRpt) CommandID() uint32 { return CmdUserRpt }

func (p *UserRpt) Marshal(dst []byte, _ Variant) ([]byte, error) {
	e := newEnc(dst, "userrpt")
	e.Str("SPNumber", p.SPNumber, numberLen)
	e.Str("UserNumber", p.UserNumber, numberLen)
	e.U8(p.UserCondition)
	e.Str("Reserve", p.Reserve, reserveLen)
	return e.result(dst)
}

func (p *UserRpt) Unmarshal(b []byte) error {
	d := newDec(b, "userrpt")
	p.SPNumber = d.Str("SPNumber", numberLen)
	p.UserNumber = d.Str("UserNumber", numberLen)
	p.UserCondition = d.U8("UserCondition")
	p.Reserve = d.Str("Reserve", reserveLen)
	return d.end()
}
