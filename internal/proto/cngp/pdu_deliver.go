package cngp

import "fmt"

// Deliver is an MO message or, with a non-nil Report, a status report.
type Deliver struct {
	MsgID      MsgID  // id of this MO / report (not the submitted message's)
	IsReport   uint8  // 0 MO, 1 status report
	MsgFormat  uint8  //
	RecvTime   string // 14, YYYYMMDDHHMMSS (one source)
	SrcTermID  string // 21: the user; for a report the original recipient
	DestTermID string // 21: the SP number
	MsgContent []byte // MO content; nil when Report is set
	TLVs       TLVs   // ProtocolID, unknown tags verbatim
	Report     *Report
}

// DeliverResp answers Deliver.
type DeliverResp struct {
	Status uint32 // header Command_Status
	MsgID  MsgID
	TLVs   TLVs // CongestionState; may be absent or broken (then dropped)
}

func (*Deliver) CommandID() uint32 { return CmdDeliver }

// Marshal encodes p; a non-nil Report is written as MsgContent and forces
// IsReport = 1.
func (p *Deliver) Marshal(dst []byte, _ Version) ([]byte, error) {
	content, isReport := p.MsgContent, p.IsReport
	if p.Report != nil {
		var buf [ReportLen]byte
		var err error
		if content, err = p.Report.Marshal(buf[:0]); err != nil {
			return dst, err
		}
		isReport = 1
	}
	e := enc{b: dst, pdu: "deliver"}
	if len(content) > MaxContent {
		e.fail("MsgLength %d above %d", len(content), MaxContent)
	}
	e.raw(p.MsgID[:])
	e.u8(isReport)
	e.u8(p.MsgFormat)
	e.str("RecvTime", p.RecvTime, 14)
	e.str("SrcTermID", p.SrcTermID, termIDLen)
	e.str("DestTermID", p.DestTermID, termIDLen)
	e.u8(uint8(len(content)))
	e.raw(content)
	appendTLVs(&e, p.TLVs)
	return e.done(dst)
}

// Unmarshal decodes p; with IsReport = 1 the content is parsed into Report
// (see ParseReport) and MsgContent is nil.
func (p *Deliver) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "deliver")
	*p = Deliver{}
	p.MsgID = d.msgID("MsgID")
	p.IsReport = d.u8("IsReport")
	p.MsgFormat = d.u8("MsgFormat")
	p.RecvTime = d.str("RecvTime", 14)
	p.SrcTermID = d.str("SrcTermID", termIDLen)
	p.DestTermID = d.str("DestTermID", termIDLen)
	n := int(d.u8("MsgLength"))
	if p.IsReport == 1 {
		if d.need("MsgContent", n) {
			r, err := ParseReport(d.b[d.off : d.off+n])
			if err != nil {
				return err
			}
			p.Report = r
			d.off += n
		}
	} else {
		p.MsgContent = d.bytes("MsgContent", n)
	}
	if err := d.result(); err != nil {
		return err
	}
	ts, err := d.tlvTail(true)
	if err != nil {
		return fmt.Errorf("cngp deliver: %w", err)
	}
	p.TLVs = ts
	return nil
}

func (*DeliverResp) CommandID() uint32          { return CmdDeliverResp }
func (p *DeliverResp) HeaderStatus() uint32     { return p.Status }
func (p *DeliverResp) SetHeaderStatus(s uint32) { p.Status = s }

func (p *DeliverResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "deliver_resp"}
	e.raw(p.MsgID[:])
	appendTLVs(&e, p.TLVs)
	return e.done(dst)
}

func (p *DeliverResp) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "deliver_resp"}
	p.MsgID, p.TLVs = d.msgID("MsgID"), nil
	ts, err := d.tlvTail(false)
	p.TLVs = ts
	return err
}

// peekMsgID reads the MsgID that opens Deliver and Forward, so even a
// refusal names the message.
func peekMsgID(b []byte) MsgID {
	d := dec{b: b, pdu: "msg_id"}
	return d.msgID("MsgID")
}
