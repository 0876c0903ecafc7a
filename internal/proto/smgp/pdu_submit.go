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
	e := wireProto.Enc(dst, "submit")
	if n := len(p.DestTermID); n == 0 || n > MaxDestinations {
		e.Fail("DestTermIDCount %d outside 1..%d", n, MaxDestinations)
	}
	if len(p.MsgContent) > 255 {
		e.Fail("MsgLength %d above 255", len(p.MsgContent))
	}
	e.U8(p.MsgType)
	e.U8(p.NeedReport)
	e.U8(p.Priority)
	e.Str("ServiceID", p.ServiceID, 10)
	e.Str("FeeType", p.FeeType, 2)
	e.Str("FeeCode", p.FeeCode, 6)
	if v.HasFixedFee() {
		e.Str("FixedFee", p.FixedFee, 6)
	}
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
	e.Str("Reserve", p.Reserve, 8)
	if v.HasTLV() {
		e.TLVs(p.TLVs)
	}
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *Submit) Unmarshal(b []byte, v Version) error {
	d := wireProto.Dec(b, "submit")
	*p = Submit{}
	p.MsgType = d.U8("MsgType")
	p.NeedReport = d.U8("NeedReport")
	p.Priority = d.U8("Priority")
	p.ServiceID = d.Str("ServiceID", 10)
	p.FeeType = d.Str("FeeType", 2)
	p.FeeCode = d.Str("FeeCode", 6)
	if v.HasFixedFee() {
		p.FixedFee = d.Str("FixedFee", 6)
	}
	p.MsgFormat = d.U8("MsgFormat")
	p.ValidTime = d.Str("ValidTime", 17)
	p.AtTime = d.Str("AtTime", 17)
	p.SrcTermID = d.Str("SrcTermID", termIDLen)
	p.ChargeTermID = d.Str("ChargeTermID", termIDLen)
	n := int(d.U8("DestTermIDCount"))
	if n == 0 && d.Err == nil {
		d.Err = fmt.Errorf("smgp submit: DestTermIDCount is 0: %w", session.ErrMalformed)
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
	p.Reserve = d.Str("Reserve", 8)
	if err := d.Done(); err != nil {
		return err
	}
	ts, err := tlvTail(&d, v)
	if err != nil {
		return fmt.Errorf("smgp submit: %w", err)
	}
	p.TLVs = ts
	return nil
}

func (*SubmitResp) CommandID() uint32 { return CmdSubmitResp }

func (p *SubmitResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "submit_resp")
	e.Raw(p.MsgID[:])
	e.U32(p.Status)
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *SubmitResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.RawDec(b, "submit_resp")
	p.MsgID = d.Array10("MsgID")
	p.Status = d.U32("Status")
	return d.Done()
}
