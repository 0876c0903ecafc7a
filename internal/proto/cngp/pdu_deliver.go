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
	e := wireProto.Enc(dst, "deliver")
	if len(content) > MaxContent {
		e.Fail("MsgLength %d above %d", len(content), MaxContent)
	}
	e.Raw(p.MsgID[:])
	e.U8(isReport)
	e.U8(p.MsgFormat)
	e.Str("RecvTime", p.RecvTime, 14)
	e.Str("SrcTermID", p.SrcTermID, termIDLen)
	e.Str("DestTermID", p.DestTermID, termIDLen)
	e.U8(uint8(len(content)))
	e.Raw(content)
	e.TLVs(p.TLVs)
	return e.Done(dst, HeaderLen, MaxPDU)
}

// Unmarshal decodes p; with IsReport = 1 the content is parsed into Report
// (see ParseReport) and MsgContent is nil.
func (p *Deliver) Unmarshal(b []byte, _ Version) error {
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
	if err := d.Done(); err != nil {
		return err
	}
	ts, err := tlvTail(&d, true)
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
	e := wireProto.Enc(dst, "deliver_resp")
	e.Raw(p.MsgID[:])
	e.TLVs(p.TLVs)
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *DeliverResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.RawDec(b, "deliver_resp")
	p.MsgID, p.TLVs = d.Array10("MsgID"), nil
	ts, err := tlvTail(&d, false)
	p.TLVs = ts
	return err
}

// peekMsgID reads the MsgID that opens Deliver and Forward, so even a
// refusal names the message.
func peekMsgID(b []byte) MsgID {
	d := wireProto.RawDec(b, "msg_id")
	return d.Array10("MsgID")
}
