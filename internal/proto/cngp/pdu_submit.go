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
	e := wireProto.Enc(dst, "submit")
	if n := len(p.DestTermID); n == 0 || n > MaxDestinations {
		e.Fail("DestTermIDCount %d outside 1..%d", n, MaxDestinations)
	}
	if len(p.MsgContent) > MaxContent {
		e.Fail("MsgLength %d above %d", len(p.MsgContent), MaxContent)
	}
	e.Str("SPID", p.SPID, 10)
	e.U8(p.SubType)
	e.U8(p.NeedReport)
	e.U8(p.Priority)
	e.Str("ServiceID", p.ServiceID, 10)
	e.Str("FeeType", p.FeeType, 2)
	e.U8(p.FeeUserType)
	e.Str("FeeCode", p.FeeCode, 6)
	e.U8(p.MsgFormat)
	e.Str("ValidTime", p.ValidTime, 17)
	e.Str("AtTime", p.AtTime, 17)
	e.Str("SrcTermID", p.SrcTermID, termIDLen)
	e.Str("ChargeTermID", p.ChargeTermID, termIDLen)
	e.U8(uint8(len(p.DestTermID)))
	for _, d := range p.DestTermID {
		e.Str("DestTermID", d, termIDLen)
	}
	e.U8(uint8(len(p.MsgContent)))
	e.Raw(p.MsgContent)
	e.TLVs(p.TLVs)
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *Submit) Unmarshal(b []byte, _ Version) error {
	d := wireProto.Dec(b, "submit")
	*p = Submit{}
	p.SPID = d.Str("SPID", 10)
	p.SubType = d.U8("SubType")
	p.NeedReport = d.U8("NeedReport")
	p.Priority = d.U8("Priority")
	p.ServiceID = d.Str("ServiceID", 10)
	p.FeeType = d.Str("FeeType", 2)
	p.FeeUserType = d.U8("FeeUserType")
	p.FeeCode = d.Str("FeeCode", 6)
	p.MsgFormat = d.U8("MsgFormat")
	p.ValidTime = d.Str("ValidTime", 17)
	p.AtTime = d.Str("AtTime", 17)
	p.SrcTermID = d.Str("SrcTermID", termIDLen)
	p.ChargeTermID = d.Str("ChargeTermID", termIDLen)
	n := int(d.U8("DestTermIDCount"))
	if n == 0 && d.Err == nil {
		d.Err = fmt.Errorf("cngp submit: DestTermIDCount is 0: %w", session.ErrMalformed)
	}
	// Check the whole array first: a hostile count must not make us
	// allocate before we know the bytes are there.
	if d.Need("DestTermID", n*termIDLen) && n > 0 {
		p.DestTermID = make([]string, n)
		for i := range p.DestTermID {
			p.DestTermID[i] = d.Str("DestTermID", termIDLen)
		}
	}
	p.MsgContent = d.Shared("MsgContent", int(d.U8("MsgLength")))
	if err := d.Done(); err != nil {
		return err
	}
	ts, err := tlvTail(&d, true)
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
	e := wireProto.Enc(dst, "submit_resp")
	e.Raw(p.MsgID[:])
	e.TLVs(p.TLVs)
	return e.Done(dst, HeaderLen, MaxPDU)
}

// Unmarshal reads the MsgID; a CongestionState TLV is optional (two
// implementations read only the MsgID).
func (p *SubmitResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.RawDec(b, "submit_resp")
	p.MsgID, p.TLVs = d.Array10("MsgID"), nil
	ts, err := tlvTail(&d, false)
	p.TLVs = ts
	return err
}
