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
	e := newEnc(dst, "deliver")
	if len(content) > 255 {
		e.Fail("Msg_Length %d above 255", len(content))
	}
	e.U64(p.MsgID)
	e.Str("Dest_Id", p.DestID, 21)
	e.Str("Service_Id", p.ServiceID, 10)
	e.U8(p.TPPID)
	e.U8(p.TPUDHI)
	e.U8(p.MsgFmt)
	e.Str("Src_terminal_Id", p.SrcTerminalID, numLen(v))
	if is30 {
		e.U8(p.SrcTerminalType)
	}
	e.U8(rd)
	e.U8(uint8(len(content)))
	e.Raw(content)
	if is30 {
		e.Str("LinkID", p.LinkID, 20)
	} else {
		e.Str("Reserved", p.Reserved, 8)
	}
	b, err := e.Result()
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
	p.MsgID = d.U64("Msg_Id")
	p.DestID = d.Str("Dest_Id", 21)
	p.ServiceID = d.Str("Service_Id", 10)
	p.TPPID = d.U8("TP_pid")
	p.TPUDHI = d.U8("TP_udhi")
	p.MsgFmt = d.U8("Msg_Fmt")
	p.SrcTerminalID = d.Str("Src_terminal_Id", numLen(v))
	if is30 {
		p.SrcTerminalType = d.U8("Src_terminal_type")
	}
	p.RegisteredDelivery = d.U8("Registered_Delivery")
	n := int(d.U8("Msg_Length"))
	if p.RegisteredDelivery == 1 {
		if d.Need("Msg_Content", n) {
			p.Report = new(Report)
			if err := p.Report.Unmarshal(d.B[d.Off : d.Off+n]); err != nil {
				return err
			}
			d.Off += n
		}
	} else {
		p.MsgContent = d.Bytes("Msg_Content", n)
	}
	if is30 {
		p.LinkID = d.Str("LinkID", 20)
	} else {
		p.Reserved = d.Str("Reserved", 8)
	}
	return d.Done()
}

func (*DeliverResp) CommandID() uint32 { return CmdDeliverResp }

func (p *DeliverResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := newEnc(dst, "deliver_resp")
	e.U64(p.MsgID)
	e.uint("Result", p.Result, statusWidth(v))
	return e.Result()
}

// Unmarshal picks the layout by body length (9 or 12 bytes), else by v.
func (p *DeliverResp) Unmarshal(b []byte, v Version) error {
	layout := respLayout(len(b), deliverResp20Len, deliverResp30Len, v)
	d := rawDec(b, "deliver_resp")
	p.MsgID = d.U64("Msg_Id")
	p.Result = d.uint("Result", statusWidth(layout))
	return d.Done()
}
