package smpp

// ReplaceSM (replace_sm) replaces a submitted message not yet delivered.
// 3.4 defines no TLVs for it; trailing bytes are ignored. ReplaceSMResp is
// header-only (pdu_simple.go).
type ReplaceSM struct {
	MessageID            string
	SourceAddrTON        uint8
	SourceAddrNPI        uint8
	SourceAddr           string
	ScheduleDeliveryTime string
	ValidityPeriod       string
	RegisteredDelivery   uint8
	SMDefaultMsgID       uint8
	ShortMessage         []byte
}

func (*ReplaceSM) CommandID() uint32 { return CmdReplaceSM }

func (p *ReplaceSM) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "replace_sm"}
	e.cstr("message_id", p.MessageID, 65)
	e.u8(p.SourceAddrTON)
	e.u8(p.SourceAddrNPI)
	e.cstr("source_addr", p.SourceAddr, 21)
	e.time("schedule_delivery_time", p.ScheduleDeliveryTime)
	e.time("validity_period", p.ValidityPeriod)
	e.u8(p.RegisteredDelivery)
	e.u8(p.SMDefaultMsgID)
	e.shortMessage(p.ShortMessage, nil, v)
	return e.result(len(dst))
}

func (p *ReplaceSM) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "replace_sm")
	*p = ReplaceSM{}
	p.MessageID = d.cstr("message_id", 65, ESME_RINVMSGID)
	p.SourceAddrTON = d.u8("source_addr_ton")
	p.SourceAddrNPI = d.u8("source_addr_npi")
	p.SourceAddr = d.cstr("source_addr", 21, ESME_RINVSRCADR)
	p.ScheduleDeliveryTime = d.cstr("schedule_delivery_time", 17, ESME_RINVSCHED)
	p.ValidityPeriod = d.cstr("validity_period", 17, ESME_RINVEXPIRY)
	p.RegisteredDelivery = d.u8("registered_delivery")
	p.SMDefaultMsgID = d.u8("sm_default_msg_id")
	p.ShortMessage = d.shortMessage()
	return d.done()
}
