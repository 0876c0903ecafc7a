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
	e := enc{b: dst, pdu: "forward"}
	if len(p.MsgContent) > MaxContent {
		e.fail("MsgLength %d above %d", len(p.MsgContent), MaxContent)
	}
	if p.TLVs.Has(TagSPID) {
		e.fail("SPID belongs in the SPID field, not a TLV")
	}
	e.raw(p.MsgID[:])
	e.str("DestSMGNo", p.DestSMGNo, 6)
	e.str("SrcSMGNo", p.SrcSMGNo, 6)
	e.str("SmcNo", p.SmcNo, 6)
	e.u8(p.SMType)
	e.u8(p.SubType)
	e.u8(p.ReportFlag)
	e.u8(p.Priority)
	e.str("ServiceID", p.ServiceID, 10)
	e.str("FeeType", p.FeeType, 2)
	e.str("FeeCode", p.FeeCode, 6)
	e.u8(p.MsgFormat)
	e.str("ValidTime", p.ValidTime, 17)
	e.str("AtTime", p.AtTime, 17)
	e.str("SrcTermID", p.SrcTermID, termIDLen)
	e.str("DestTermID", p.DestTermID, termIDLen)
	e.str("ChargeTermID", p.ChargeTermID, termIDLen)
	e.u8(uint8(len(p.MsgContent)))
	e.raw(p.MsgContent)
	e.u8(p.NodesCount)
	appendTLVs(&e, p.TLVs)
	if v.HasForwardSPID() && p.SPID != "" {
		if len(p.SPID) > 10 {
			e.fail("SPID %q longer than 10", p.SPID)
		}
		e.u16(TagSPID)
		e.u16(10)
		e.str("SPID", p.SPID, 10)
	}
	return e.done(dst)
}

// Unmarshal decodes p. The SPID TLV is moved into SPID whatever the
// version: a 1.0 peer that sends it anyway is understood.
func (p *Forward) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "forward")
	*p = Forward{}
	p.MsgID = d.msgID("MsgID")
	p.DestSMGNo = d.str("DestSMGNo", 6)
	p.SrcSMGNo = d.str("SrcSMGNo", 6)
	p.SmcNo = d.str("SmcNo", 6)
	p.SMType = d.u8("SMType")
	p.SubType = d.u8("SubType")
	p.ReportFlag = d.u8("ReportFlag")
	p.Priority = d.u8("Priority")
	p.ServiceID = d.str("ServiceID", 10)
	p.FeeType = d.str("FeeType", 2)
	p.FeeCode = d.str("FeeCode", 6)
	p.MsgFormat = d.u8("MsgFormat")
	p.ValidTime = d.str("ValidTime", 17)
	p.AtTime = d.str("AtTime", 17)
	p.SrcTermID = d.str("SrcTermID", termIDLen)
	p.DestTermID = d.str("DestTermID", termIDLen)
	p.ChargeTermID = d.str("ChargeTermID", termIDLen)
	p.MsgContent = d.bytes("MsgContent", int(d.u8("MsgLength")))
	p.NodesCount = d.u8("NodesCount")
	if err := d.result(); err != nil {
		return err
	}
	ts, err := d.tlvTail(true)
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
	e := enc{b: dst, pdu: "forward_resp"}
	e.raw(p.MsgID[:])
	appendTLVs(&e, p.TLVs)
	return e.done(dst)
}

func (p *ForwardResp) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "forward_resp"}
	p.MsgID, p.TLVs = d.msgID("MsgID"), nil
	ts, err := d.tlvTail(false)
	p.TLVs = ts
	return err
}
