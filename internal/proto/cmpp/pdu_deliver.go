package cmpp

// Deliver (CMPP_DELIVER) is an MO message or, with a non-nil Report, a
// status report. Fields marked 3.0 or 2.0 exist only in that layout.
type Deliver struct {
	MsgID              uint64
	DestID             string // 21, the SP service code the user sent to
	ServiceID          string // 10
	TPPID              uint8
	TPUDHI             uint8
	MsgFmt             uint8
	SrcTerminalID      string // 32 in 3.0, 21 in 2.0; for a report the original destination
	SrcTerminalType    uint8  // 3.0
	RegisteredDelivery uint8  // 0 MO, 1 status report
	MsgContent         []byte // MO content; nil when Report is set
	Report             *Report
	LinkID             string // 20, 3.0
	Reserved           string // 8, 2.0
}

// DeliverResp (CMPP_DELIVER_RESP). Result is 4 bytes in 3.0, 1 in 2.0.
type DeliverResp struct {
	MsgID  uint64
	Result uint32
}

const (
	deliverResp20Len = 8 + 1
	deliverResp30Len = 8 + 4
)

// IsReport reports whether d carries a status report.
func (d *Deliver) IsReport() bool { return d.Report != nil || d.RegisteredDelivery == 1 }

func (*Deliver) CommandID() uint32 { return CmdDeliver }

// Marshal encodes d; a non-nil Report is written as Msg_Content in v's
// report layout and forces Registered_Delivery = 1.
func (p *Deliver) Marshal(dst []byte, v Version) ([]byte, error) {
	is30 := v.Is30()
	start := len(dst)
	content, rd := p.MsgContent, p.RegisteredDelivery
	if p.Report != nil {
		var buf [ReportLen30]byte
		var err error
		if content, err = p.Report.Marshal(buf[:0], v); err != nil {
			return dst, err
		}
		rd = 1
	}
	e := enc{b: dst, pdu: "deliver"}
	if len(content) > 255 {
		e.fail("Msg_Length %d above 255", len(content))
	}
	e.u64(p.MsgID)
	e.str("Dest_Id", p.DestID, 21)
	e.str("Service_Id", p.ServiceID, 10)
	e.u8(p.TPPID)
	e.u8(p.TPUDHI)
	e.u8(p.MsgFmt)
	e.str("Src_terminal_Id", p.SrcTerminalID, numLen(v))
	if is30 {
		e.u8(p.SrcTerminalType)
	}
	e.u8(rd)
	e.u8(uint8(len(content)))
	e.raw(content)
	if is30 {
		e.str("LinkID", p.LinkID, 20)
	} else {
		e.str("Reserved", p.Reserved, 8)
	}
	b, err := e.result()
	if err == nil {
		err = checkSize("deliver", b, start, v)
	}
	if err != nil {
		return dst, err
	}
	return b, nil
}

// Unmarshal decodes d; with Registered_Delivery = 1 the content is parsed
// into Report (60- or 71-byte layout, by Msg_Length) and MsgContent is nil.
func (p *Deliver) Unmarshal(b []byte, v Version) error {
	is30 := v.Is30()
	d := newDec(b, "deliver")
	*p = Deliver{}
	p.MsgID = d.u64("Msg_Id")
	p.DestID = d.str("Dest_Id", 21)
	p.ServiceID = d.str("Service_Id", 10)
	p.TPPID = d.u8("TP_pid")
	p.TPUDHI = d.u8("TP_udhi")
	p.MsgFmt = d.u8("Msg_Fmt")
	p.SrcTerminalID = d.str("Src_terminal_Id", numLen(v))
	if is30 {
		p.SrcTerminalType = d.u8("Src_terminal_type")
	}
	p.RegisteredDelivery = d.u8("Registered_Delivery")
	n := int(d.u8("Msg_Length"))
	if p.RegisteredDelivery == 1 {
		if d.need("Msg_Content", n) {
			p.Report = new(Report)
			if err := p.Report.Unmarshal(d.b[d.off : d.off+n]); err != nil {
				return err
			}
			d.off += n
		}
	} else {
		p.MsgContent = d.bytes("Msg_Content", n)
	}
	if is30 {
		p.LinkID = d.str("LinkID", 20)
	} else {
		p.Reserved = d.str("Reserved", 8)
	}
	return d.done()
}

func (*DeliverResp) CommandID() uint32 { return CmdDeliverResp }

func (p *DeliverResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "deliver_resp"}
	e.u64(p.MsgID)
	e.uint("Result", p.Result, statusWidth(v))
	return e.result()
}

// Unmarshal picks the layout by body length (9 or 12 bytes), else by v.
func (p *DeliverResp) Unmarshal(b []byte, v Version) error {
	layout := respLayout(len(b), deliverResp20Len, deliverResp30Len, v)
	d := dec{b: b, pdu: "deliver_resp"}
	p.MsgID = d.u64("Msg_Id")
	p.Result = d.uint("Result", statusWidth(layout))
	return d.done()
}
