package sgip

// Deliver (SGIP_DELIVER) is an MO message, SMG → SP.
type Deliver struct {
	UserNumber     string // 21, the sender, "86"-prefixed
	SPNumber       string // 21, the SP access number (with extension) the user sent to
	TPPID          uint8
	TPUDHI         uint8 // 1 = MessageContent starts with a UDH
	MessageCoding  uint8
	MessageContent []byte
	Reserve        string // 8
	LinkID         string // 8, LinkID variant only (doc.go)
}

func (*Deliver) CommandID() uint32 { return CmdDeliver }

func (p *Deliver) Marshal(dst []byte, v Variant) ([]byte, error) {
	e := newEnc(dst, "deliver")
	e.Str("UserNumber", p.UserNumber, numberLen)
	e.Str("SPNumber", p.SPNumber, numberLen)
	e.U8(p.TPPID)
	e.U8(p.TPUDHI)
	e.U8(p.MessageCoding)
	e.messageTail(p.MessageContent, p.Reserve, p.LinkID, v)
	return e.result(dst)
}

// Unmarshal reads every Deliver layout (doc.go); LinkID is set when the
// body carries one.
func (p *Deliver) Unmarshal(b []byte) error {
	d := newDec(b, "deliver")
	*p = Deliver{}
	p.UserNumber = d.Str("UserNumber", numberLen)
	p.SPNumber = d.Str("SPNumber", numberLen)
	p.TPPID = d.U8("TP_pid")
	p.TPUDHI = d.U8("TP_udhi")
	p.MessageCoding = d.U8("MessageCoding")
	p.MessageContent, p.Reserve, p.LinkID, _ = d.messageTail()
	return d.Done()
}
