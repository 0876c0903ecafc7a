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
	e := wireProto.Enc(dst, "deliver")
	if len(content) > 255 {
		e.Fail("MsgLength %d above 255", len(content))
	}
	e.Raw(p.MsgID[:])
	e.U8(isReport)
	e.U8(p.MsgFormat)
	e.Str("RecvTime", p.RecvTime, 14)
	e.Str("SrcTermID", p.SrcTermID, termIDLen)
	e.Str("DestTermID", p.DestTermID, termIDLen)
	e.U8(uint8(len(content)))
	e.Raw(content)
	e.Str("Reserve", p.Reserve, 8)
	if v.HasTLV() {
		e.TLVs(p.TLVs)
	}
	return e.Done(dst, HeaderLen, MaxPDU)
}

// Unmarshal decodes p; with IsReport = 1 the content is parsed into Report
// (see ParseReport) and MsgContent is nil.
func (p *Deliver) Unmarshal(b []byte, v Version) error {
	d := wireProto.Dec(b, "deliver")
	*p = Deliver{}
	p.MsgID = d.Array10("MsgID")
	p.IsReport = d.U8("IsReport")
	p.MsgFormat = d.U8("MsgFormat")
	p.RecvTime = d.Str("RecvTime", 14)
	p.SrcTermID = d.Str("SrcTermID", termIDLen)
	p.DestTermID = d.Str("DestTermID", termIDLen)
	n := int(d.U8("MsgLength"))
	if p.IsReport == 1 {
		if d.Need("MsgContent", n) {
			r, err := ParseReport(d.B[d.Off : d.Off+n])
			if err != nil {
				return err
			}
			p.Report = r
			d.Off += n
		}
	} else {
		p.MsgContent = d.Shared("MsgContent", n)
	}
	p.Reserve = d.Str("Reserve", 8)
	if err := d.Done(); err != nil {
		return err
	}
	ts, err := tlvTail(&d, v)
	if err != nil {
		return fmt.Errorf("smgp deliver: %w", err)
	}
	p.TLVs = ts
	return nil
}

func (*DeliverResp) CommandID() uint32 { return CmdDeliverResp }

func (p *DeliverResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "deliver_resp")
	e.Raw(p.MsgID[:])
	e.U32(p.Status)
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *DeliverResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.RawDec(b, "deliver_resp")
	p.MsgID = d.Array10("MsgID")
	p.Status = d.U32("Status")
	return d.Done()
}

// peekMsgID reads the MsgID that opens Deliver (and the responses), so even
// a refusal names the message.
func peekMsgID(b []byte) MsgID {
	d := wireProto.RawDec(b, "msg_id")
	return d.Array10("MsgID")
}
