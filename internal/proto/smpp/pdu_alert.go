package smpp

// AlertNotification (alert_notification, 3.4) tells an ESME that a mobile
// it asked about (set_dpf) is reachable again. It has no response.
type AlertNotification struct {
	SourceAddrTON uint8
	SourceAddrNPI uint8
	SourceAddr    string // ≤ 64, the now-available mobile
	ESMEAddrTON   uint8
	ESMEAddrNPI   uint8
	ESMEAddr      string // ≤ 64
	TLVs          TLVs   // ms_availability_status
}

func (*AlertNotification) CommandID() uint32 { return CmdAlertNotification }

func (p *AlertNotification) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "alert_notification"}
	if !v.HasTLV() {
		e.fail("alert_notification does not exist in SMPP 3.3")
	}
	e.u8(p.SourceAddrTON)
	e.u8(p.SourceAddrNPI)
	e.cstr("source_addr", p.SourceAddr, 65)
	e.u8(p.ESMEAddrTON)
	e.u8(p.ESMEAddrNPI)
	e.cstr("esme_addr", p.ESMEAddr, 65)
	e.tlvs(p.TLVs, v)
	return e.result(len(dst))
}

func (p *AlertNotification) Unmarshal(b []byte, v Version) error {
	d := newDec(b, "alert_notification")
	*p = AlertNotification{}
	p.SourceAddrTON = d.u8("source_addr_ton")
	p.SourceAddrNPI = d.u8("source_addr_npi")
	p.SourceAddr = d.cstr("source_addr", 65, ESME_RINVSRCADR)
	p.ESMEAddrTON = d.u8("esme_addr_ton")
	p.ESMEAddrNPI = d.u8("esme_addr_npi")
	p.ESMEAddr = d.cstr("esme_addr", 65, ESME_RINVDSTADR)
	p.TLVs = d.tlvs(v)
	return d.done()
}
