package smgp

import "fmt"

// Deliver is an MO message or, with a non-nil Report, a status report.
type Deliver struct {
	MsgID      MsgID // id of this MO / report (not the submitted message's)
	IsReport   uint8 // 0 MO, 1 status report
	MsgFormat  uint8
	RecvTime   string // 14, YYYYMMDDHHMMSS
	SrcTermID  string // 21: the user; for a report the original recipient
	DestTermID string // 21: the SP number
	MsgContent []byte // MO content; nil when Report is set
	Reserve    string // 8
	TLVs       TLVs   // 3.0 only: dropped when encoding 1.3/2.0
	Report     *Report
}

// DeliverResp answers Deliver.
type DeliverResp struct {
	MsgID  MsgID
	Status uint32
}

// UDHI reports whether the content starts with a user data header
// (TP_udhi TLV = 1; 3.0 only).
func (p *Deliver) UDHI() bool { return p.TLVs.Byte(TagTPUDHI) == 1 }

func (*Deliver) CommandID() uint32 { return CmdDeliver }

// Marshal encodes p; a non-nil Report is written as MsgContent and forces
// IsReport = 1.
func (p *Deliver) Marshal(dst []byte, v Version) ([]byte, error) {
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
	if len(content) > 255 {
		e.fail("MsgLength %d above 255", len(content))
	}
	e.raw(p.MsgID[:])
	e.u8(isReport)
	e.u8(p.MsgFormat)
	e.str("RecvTime", p.RecvTime, 14)
	e.str("SrcTermID", p.SrcTermID, termIDLen)
	e.str("DestTermID", p.DestTermID, termIDLen)
	e.u8(uint8(len(content)))
	e.raw(content)
	e.str("Reserve", p.Reserve, 8)
	if v.HasTLV() {
		appendTLVs(&e, p.TLVs)
	}
	return e.done(dst)
}

// Unmarshal decodes p; with IsReport = 1 the content is parsed into Report
// (see ParseReport) and MsgContent is nil.
func (p *Deliver) Unmarshal(b []byte, v Version) error {
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
	p.Reserve = d.str("Reserve", 8)
	if err := d.result(); err != nil {
		return err
	}
	ts, err := d.tlvTail(v)
	if err != nil {
		return fmt.Errorf("smgp deliver: %w", err)
	}
	p.TLVs = ts
	return nil
}

func (*DeliverResp) CommandID() uint32 { return CmdDeliverResp }

func (p *DeliverResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "deliver_resp"}
	e.raw(p.MsgID[:])
	e.u32(p.Status)
	return e.done(dst)
}

func (p *DeliverResp) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "deliver_resp"}
	p.MsgID = d.msgID("MsgID")
	p.Status = d.u32("Status")
	return d.result()
}

// peekMsgID reads the MsgID that opens Deliver (and the responses), so even
// a refusal names the message.
func peekMsgID(b []byte) MsgID {
	d := dec{b: b, pdu: "msg_id"}
	return d.msgID("MsgID")
}
