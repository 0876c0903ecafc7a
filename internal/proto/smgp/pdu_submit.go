package smgp

import (
	"fmt"

	"hongyan/internal/session"
)

// Submit is one MT message, possibly to several destinations.
type Submit struct {
	MsgType      uint8  // 6 MT (the Client's default), 7 point-to-point, 0 MO
	NeedReport   uint8  // 1 = status report wanted
	Priority     uint8  // 0 low … 3 high
	ServiceID    string // 10
	FeeType      string // 2: "00" free, "01" per message, "02" monthly, "03" capped
	FeeCode      string // 6, fen
	FixedFee     string // 6, fen; absent in 1.3 (ignored there)
	MsgFormat    uint8  // FmtASCII, FmtUCS2, FmtGB …
	ValidTime    string // 17
	AtTime       string // 17
	SrcTermID    string // 21
	ChargeTermID string // 21; empty = charge the receiver
	DestTermID   []string
	MsgContent   []byte
	Reserve      string // 8
	TLVs         TLVs   // 3.0 only: dropped when encoding 1.3/2.0
}

// SubmitResp answers Submit with the MsgID the SMGW assigned.
type SubmitResp struct {
	MsgID  MsgID
	Status uint32
}

// MsgFormat values.
const (
	FmtASCII  uint8 = 0
	FmtSIM    uint8 = 3
	FmtBinary uint8 = 4
	FmtUCS2   uint8 = 8
	FmtGB     uint8 = 15 // GB18030 in 3.0
)

// MsgType values.
const (
	MsgTypeMO  uint8 = 0
	MsgTypeMT  uint8 = 6
	MsgTypeP2P uint8 = 7
)

// MaxDestinations is the spec's bound on DestTermIDCount; fewer fit one
// PDU of MaxPDU bytes, see MaxDests. Decoding accepts up to 255.
const MaxDestinations = 100

const (
	termIDLen = 21
	// fixed parts of the Submit body, destinations and content excluded
	submitFixed30 = 114
	submitFixed13 = 108
)

// MaxDests is how many destinations fit one Submit with contentLen bytes of
// content and tlvLen bytes of TLVs within MaxPDU, capped at MaxDestinations.
func MaxDests(v Version, contentLen, tlvLen int) int {
	fixed := submitFixed30
	if !v.HasFixedFee() {
		fixed = submitFixed13
	}
	if !v.HasTLV() {
		tlvLen = 0
	}
	n := (MaxPDU - HeaderLen - fixed - contentLen - tlvLen) / termIDLen
	return max(0, min(n, MaxDestinations))
}

// UDHI reports whether the content starts with a user data header
// (TP_udhi TLV = 1; 3.0 only).
func (p *Submit) UDHI() bool { return p.TLVs.Byte(TagTPUDHI) == 1 }

func (*Submit) CommandID() uint32 { return CmdSubmit }

func (p *Submit) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "submit"}
	if n := len(p.DestTermID); n == 0 || n > MaxDestinations {
		e.fail("DestTermIDCount %d outside 1..%d", n, MaxDestinations)
	}
	if len(p.MsgContent) > 255 {
		e.fail("MsgLength %d above 255", len(p.MsgContent))
	}
	e.u8(p.MsgType)
	e.u8(p.NeedReport)
	e.u8(p.Priority)
	e.str("ServiceID", p.ServiceID, 10)
	e.str("FeeType", p.FeeType, 2)
	e.str("FeeCode", p.FeeCode, 6)
	if v.HasFixedFee() {
		e.str("FixedFee", p.FixedFee, 6)
	}
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
	e.str("Reserve", p.Reserve, 8)
	if v.HasTLV() {
		appendTLVs(&e, p.TLVs)
	}
	return e.done(dst)
}

func (p *Submit) Unmarshal(b []byte, v Version) error {
	d := newDec(b, "submit")
	*p = Submit{}
	p.MsgType = d.u8("MsgType")
	p.NeedReport = d.u8("NeedReport")
	p.Priority = d.u8("Priority")
	p.ServiceID = d.str("ServiceID", 10)
	p.FeeType = d.str("FeeType", 2)
	p.FeeCode = d.str("FeeCode", 6)
	if v.HasFixedFee() {
		p.FixedFee = d.str("FixedFee", 6)
	}
	p.MsgFormat = d.u8("MsgFormat")
	p.ValidTime = d.str("ValidTime", 17)
	p.AtTime = d.str("AtTime", 17)
	p.SrcTermID = d.str("SrcTermID", termIDLen)
	p.ChargeTermID = d.str("ChargeTermID", termIDLen)
	n := int(d.u8("DestTermIDCount"))
	if n == 0 && d.err == nil {
		d.err = fmt.Errorf("smgp submit: DestTermIDCount is 0: %w", session.ErrMalformed)
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
	p.Reserve = d.str("Reserve", 8)
	if err := d.result(); err != nil {
		return err
	}
	ts, err := d.tlvTail(v)
	if err != nil {
		return fmt.Errorf("smgp submit: %w", err)
	}
	p.TLVs = ts
	return nil
}

func (*SubmitResp) CommandID() uint32 { return CmdSubmitResp }

func (p *SubmitResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "submit_resp"}
	e.raw(p.MsgID[:])
	e.u32(p.Status)
	return e.done(dst)
}

func (p *SubmitResp) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "submit_resp"}
	p.MsgID = d.msgID("MsgID")
	p.Status = d.u32("Status")
	return d.result()
}
