package cngp

import "fmt"

// Forward carries a message between SMGWs (never SP↔SMGW). Its layout is
// wujunjenny/smgw's Cngp_Fwd_Sm struct (one source, all byte fields, read as
// the Submit-style variable content): no implementation of its encoder
// was read. In 2.0 the SPID travels in TLV 0x0101; 1.0 has none.
type Forward struct {
	MsgID        MsgID
	DestSMGNo    string // 6
	SrcSMGNo     string // 6
	SmcNo        string // 6
	SMType       uint8  // 0 MO to an SP, 1 to another network's user …
	SubType      uint8  // as Submit
	ReportFlag   uint8  // 0 this is a report, 1 report wanted, 2 none
	Priority     uint8
	ServiceID    string // 10
	FeeType      string // 2
	FeeCode      string // 6
	MsgFormat    uint8
	ValidTime    string // 17
	AtTime       string // 17
	SrcTermID    string // 21
	DestTermID   string // 21
	ChargeTermID string // 21
	MsgContent   []byte
	NodesCount   uint8  // SMGWs passed
	SPID         string // TLV 0x0101 in 2.0 (10 bytes), not sent in 1.0
	TLVs         TLVs   // other TLVs (ProtocolID …), unknown tags verbatim
}

// ForwardResp answers Forward.
type ForwardResp struct {
	Status uint32 // header Command_Status
	MsgID  MsgID
	TLVs   TLVs // CongestionState
}

func (*Forward) CommandID() uint32 { return CmdForward }

// Marshal encodes p; the SPID TLV is written only from 2.0 on.
func (p *Forward) Marshal(dst []byte, v Version) ([]byte, error) {
	e := wireProto.Enc(dst, "forward")
	if len(p.MsgContent) > MaxContent {
		e.Fail("MsgLength %d above %d", len(p.MsgContent), MaxContent)
	}
	if p.TLVs.Has(TagSPID) {
		e.Fail("SPID belongs in the SPID field, not a TLV")
	}
	e.Raw(p.MsgID[:])
	e.Str("DestSMGNo", p.DestSMGNo, 6)
	e.Str("SrcSMGNo", p.SrcSMGNo, 6)
	e.Str("SmcNo", p.SmcNo, 6)
	e.U8(p.SMType)
	e.U8(p.SubType)
	e.U8(p.ReportFlag)
	e.U8(p.Priority)
	e.Str("ServiceID", p.ServiceID, 10)
	e.Str("FeeType", p.FeeType, 2)
	e.Str("FeeCode", p.FeeCode, 6)
	e.U8(p.MsgFormat)
	e.Str("ValidTime", p.ValidTime, 17)
	e.Str("AtTime", p.AtTime, 17)
	e.Str("SrcTermID", p.SrcTermID, termIDLen)
	e.Str("DestTermID", p.DestTermID, termIDLen)
	e.Str("ChargeTermID", p.ChargeTermID, termIDLen)
	e.U8(uint8(len(p.MsgContent)))
	e.Raw(p.MsgContent)
	e.U8(p.NodesCount)
	e.TLVs(p.TLVs)
	if v.HasForwardSPID() && p.SPID != "" {
		if len(p.SPID) > 10 {
			e.Fail("SPID %q longer than 10", p.SPID)
		}
		e.U16(TagSPID)
		e.U16(10)
		e.Str("SPID", p.SPID, 10)
	}
	return e.Done(dst, HeaderLen, MaxPDU)
}

// Unmarshal decodes p. The SPID TLV is moved into SPID whatever the
// version: a 1.0 peer that sends it anyway is understood.
func (p *Forward) Unmarshal(b []byte, _ Version) error {
	d := wireProto.Dec(b, "forward")
	*p = Forward{}
	p.MsgID = d.Array10("MsgID")
	p.DestSMGNo = d.Str("DestSMGNo", 6)
	p.SrcSMGNo = d.Str("SrcSMGNo", 6)
	p.SmcNo = d.Str("SmcNo", 6)
	p.SMType = d.U8("SMType")
	p.SubType = d.U8("SubType")
	p.ReportFlag = d.U8("ReportFlag")
	p.Priority = d.U8("Priority")
	p.ServiceID = d.Str("ServiceID", 10)
	p.FeeType = d.Str("FeeType", 2)
	p.FeeCode = d.Str("FeeCode", 6)
	p.MsgFormat = d.U8("MsgFormat")
	p.ValidTime = d.Str("ValidTime", 17)
	p.AtTime = d.Str("AtTime", 17)
	p.SrcTermID = d.Str("SrcTermID", termIDLen)
	p.DestTermID = d.Str("DestTermID", termIDLen)
	p.ChargeTermID = d.Str("ChargeTermID", termIDLen)
	p.MsgContent = d.Shared("MsgContent", int(d.U8("MsgLength")))
	p.NodesCount = d.U8("NodesCount")
	if err := d.Done(); err != nil {
		return err
	}
	ts, err := tlvTail(&d, true)
	if err != nil {
		return fmt.Errorf("cngp forward: %w", err)
	}
	if ts.Has(TagSPID) {
		p.SPID = ts.String(TagSPID)
		ts.Del(TagSPID)
	}
	p.TLVs = ts
	return nil
}

func (*ForwardResp) CommandID() uint32          { return CmdForwardResp }
func (p *ForwardResp) HeaderStatus() uint32     { return p.Status }
func (p *ForwardResp) SetHeaderStatus(s uint32) { p.Status = s }

func (p *ForwardResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "forward_resp")
	e.Raw(p.MsgID[:])
	e.TLVs(p.TLVs)
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *ForwardResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.RawDec(b, "forward_resp")
	p.MsgID, p.TLVs = d.Array10("MsgID"), nil
	ts, err := tlvTail(&d, false)
	p.TLVs = ts
	return err
}
