package cngp

import (
	"fmt"

	"hongyan/internal/session"
)

// Submit is one MT message, possibly to several destinations. There is no
// Reserve field (unlike SMGP) and no TP_udhi: a long message is a UDH at
// the start of MsgContent.
type Submit struct {
	SPID         string // 10: SP corp code
	SubType      uint8  // SubTypeCancel … SubTypeSubscription
	NeedReport   uint8  // 1 = status report wanted
	Priority     uint8  // 0 low … 3 high
	ServiceID    string // 10
	FeeType      string // 2: "00" free, "01" per message, "02" monthly, "03" capped, "04", "05"
	FeeUserType  uint8  // 0 charge dest, 1 source, 2 SP, 3 ChargeTermID
	FeeCode      string // 6, fen
	MsgFormat    uint8  // FmtASCII, FmtUCS2, FmtGB …
	ValidTime    string // 17
	AtTime       string // 17
	SrcTermID    string // 21
	ChargeTermID string // 21
	DestTermID   []string
	MsgContent   []byte
	TLVs         TLVs // ProtocolID, unknown tags verbatim
}

// SubmitResp answers Submit with the MsgID the SMGW assigned.
type SubmitResp struct {
	Status uint32 // header Command_Status
	MsgID  MsgID
	TLVs   TLVs // CongestionState; may be absent
}

// SubType values (the RongDi client, wujunjenny/smgw, the Huawei SMProxy).
const (
	SubTypeCancel       uint8 = 0 // cancel a subscription
	SubTypeRequest      uint8 = 1 // subscribe / on-demand request
	SubTypeOnDemand     uint8 = 2 // on-demand delivery
	SubTypeSubscription uint8 = 3 // subscription delivery
)

// MsgFormat values (as CMPP).
const (
	FmtASCII  uint8 = 0
	FmtSIM    uint8 = 3
	FmtBinary uint8 = 4
	FmtUCS2   uint8 = 8
	FmtGB     uint8 = 15
)

const (
	// MaxDestinations bounds DestTermIDCount (the Huawei SMProxy's limit).
	// Decoding accepts up to 255.
	MaxDestinations = 100
	// MaxContent is MsgContent's limit (three implementations agree).
	MaxContent = 254

	termIDLen   = 21
	submitFixed = 110 // fixed part of the body, destinations and content excluded
)

func (*Submit) CommandID() uint32 { return CmdSubmit }

func (p *Submit) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "submit"}
	if n := len(p.DestTermID); n == 0 || n > MaxDestinations {
		e.fail("DestTermIDCount %d outside 1..%d", n, MaxDestinations)
	}
	if len(p.MsgContent) > MaxContent {
		e.fail("MsgLength %d above %d", len(p.MsgContent), MaxContent)
	}
	e.str("SPID", p.SPID, 10)
	e.u8(p.SubType)
	e.u8(p.NeedReport)
	e.u8(p.Priority)
	e.str("ServiceID", p.ServiceID, 10)
	e.str("FeeType", p.FeeType, 2)
	e.u8(p.FeeUserType)
	e.str("FeeCode", p.FeeCode, 6)
	e.u8(p.MsgFormat)
	e.str("ValidTime", p.ValidTime, 17)
	e.str("AtTime", p.AtTime, 17)
	e.str("SrcTermID", p.SrcTermID, termIDLen)
	e.str("ChargeTermID", p.ChargeTermID, termIDLen)
	e.u8(uint8(len(p.DestTermID)))
	for _, d := range p.DestTermID {
		e.str("DestTermID", d, termIDLen)
	}
	e.u8(uint8(len(p.MsgContent)))
	e.raw(p.MsgContent)
	appendTLVs(&e, p.TLVs)
	return e.done(dst)
}

func (p *Submit) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "submit")
	*p = Submit{}
	p.SPID = d.str("SPID", 10)
	p.SubType = d.u8("SubType")
	p.NeedReport = d.u8("NeedReport")
	p.Priority = d.u8("Priority")
	p.ServiceID = d.str("ServiceID", 10)
	p.FeeType = d.str("FeeType", 2)
	p.FeeUserType = d.u8("FeeUserType")
	p.FeeCode = d.str("FeeCode", 6)
	p.MsgFormat = d.u8("MsgFormat")
	p.ValidTime = d.str("ValidTime", 17)
	p.AtTime = d.str("AtTime", 17)
	p.SrcTermID = d.str("SrcTermID", termIDLen)
	p.ChargeTermID = d.str("ChargeTermID", termIDLen)
	n := int(d.u8("DestTermIDCount"))
	if n == 0 && d.err == nil {
		d.err = fmt.Errorf("cngp submit: DestTermIDCount is 0: %w", session.ErrMalformed)
	}
	// Check the whole array first: a hostile count must not make us
	// allocate before we know the bytes are there.
	if d.need("DestTermID", n*termIDLen) && n > 0 {
		p.DestTermID = make([]string, n)
		for i := range p.DestTermID {
			p.DestTermID[i] = d.str("DestTermID", termIDLen)
		}
	}
	p.MsgContent = d.bytes("MsgContent", int(d.u8("MsgLength")))
	if err := d.result(); err != nil {
		return err
	}
	ts, err := d.tlvTail(true)
	if err != nil {
		return fmt.Errorf("cngp submit: %w", err)
	}
	p.TLVs = ts
	return nil
}

func (*SubmitResp) CommandID() uint32          { return CmdSubmitResp }
func (p *SubmitResp) HeaderStatus() uint32     { return p.Status }
func (p *SubmitResp) SetHeaderStatus(s uint32) { p.Status = s }

func (p *SubmitResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "submit_resp"}
	e.raw(p.MsgID[:])
	appendTLVs(&e, p.TLVs)
	return e.done(dst)
}

// Unmarshal reads the MsgID; a CongestionState TLV is optional (two
// implementations read only the MsgID).
func (p *SubmitResp) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "submit_resp"}
	p.MsgID, p.TLVs = d.msgID("MsgID"), nil
	ts, err := d.tlvTail(false)
	p.TLVs = ts
	return err
}
