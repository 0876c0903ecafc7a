package smpp

// CancelSM (cancel_sm) withdraws a message not yet delivered: one by
// MessageID, or (MessageID empty) all from SourceAddr to DestinationAddr of
// ServiceType. CancelSMResp is header-only (pdu_simple.go).
type CancelSM struct {
	ServiceType     string
	MessageID       string
	SourceAddrTON   uint8
	SourceAddrNPI   uint8
	SourceAddr      string
	DestAddrTON     uint8
	DestAddrNPI     uint8
	DestinationAddr string
}

func (*CancelSM) CommandID() uint32 { return CmdCancelSM }

func (p *CancelSM) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "cancel_sm"}
	e.cstr("service_type", p.ServiceType, 6)
	e.cstr("message_id", p.MessageID, 65)
	e.u8(p.SourceAddrTON)
	e.u8(p.SourceAddrNPI)
	e.cstr("source_addr", p.SourceAddr, 21)
	e.u8(p.DestAddrTON)
	e.u8(p.DestAddrNPI)
	e.cstr("destination_addr", p.DestinationAddr, 21)
	return e.result(len(dst))
}

func (p *CancelSM) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "cancel_sm")
	*p = CancelSM{}
	p.ServiceType = d.cstr("service_type", 6, ESME_RINVSERTYP)
	p.MessageID = d.cstr("message_id", 65, ESME_RINVMSGID)
	p.SourceAddrTON = d.u8("source_addr_ton")
	p.SourceAddrNPI = d.u8("source_addr_npi")
	p.SourceAddr = d.cstr("source_addr", 21, ESME_RINVSRCADR)
	p.DestAddrTON = d.u8("dest_addr_ton")
	p.DestAddrNPI = d.u8("dest_addr_npi")
	p.DestinationAddr = d.cstrTail("destination_addr", 21, ESME_RINVDSTADR)
	return d.done()
}
