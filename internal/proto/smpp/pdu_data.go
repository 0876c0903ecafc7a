package smpp

// DataSM (data_sm, 3.4 only) carries a message either way; its content is
// in the message_payload TLV. Addresses may be up to 64 characters.
type DataSM struct {
	ServiceType        string
	SourceAddrTON      uint8
	SourceAddrNPI      uint8
	SourceAddr         string // ≤ 64
	DestAddrTON        uint8
	DestAddrNPI        uint8
	DestinationAddr    string // ≤ 64
	ESMClass           uint8
	RegisteredDelivery uint8
	DataCoding         uint8
	TLVs               TLVs
}

// DataSMResp answers DataSM: message id and optional delivery_failure_reason,
// network_error_code, additional_status_info_text, dpf_result.
type DataSMResp struct {
	Status    uint32
	MessageID string
	TLVs      TLVs
}

func (*DataSM) CommandID() uint32 { return CmdDataSM }

func (p *DataSM) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "data_sm"}
	if !v.HasTLV() {
		e.fail("data_sm does not exist in SMPP 3.3")
	}
	e.cstr("service_type", p.ServiceType, 6)
	e.u8(p.SourceAddrTON)
	e.u8(p.SourceAddrNPI)
	e.cstr("source_addr", p.SourceAddr, 65)
	e.u8(p.DestAddrTON)
	e.u8(p.DestAddrNPI)
	e.cstr("destination_addr", p.DestinationAddr, 65)
	e.u8(p.ESMClass)
	e.u8(p.RegisteredDelivery)
	e.u8(p.DataCoding)
	e.tlvs(p.TLVs, v)
	return e.result(len(dst))
}

func (p *DataSM) Unmarshal(b []byte, v Version) error {
	d := newDec(b, "data_sm")
	*p = DataSM{}
	p.ServiceType = d.cstr("service_type", 6, ESME_RINVSERTYP)
	p.SourceAddrTON = d.u8("source_addr_ton")
	p.SourceAddrNPI = d.u8("source_addr_npi")
	p.SourceAddr = d.cstr("source_addr", 65, ESME_RINVSRCADR)
	p.DestAddrTON = d.u8("dest_addr_ton")
	p.DestAddrNPI = d.u8("dest_addr_npi")
	p.DestinationAddr = d.cstr("destination_addr", 65, ESME_RINVDSTADR)
	p.ESMClass = d.u8("esm_class")
	p.RegisteredDelivery = d.u8("registered_delivery")
	p.DataCoding = d.u8("data_coding")
	p.TLVs = d.tlvs(v)
	return d.done()
}

func (*DataSMResp) CommandID() uint32           { return CmdDataSMResp }
func (p *DataSMResp) CommandStatus() uint32     { return p.Status }
func (p *DataSMResp) SetCommandStatus(s uint32) { p.Status = s }

// Marshal keeps the body on error too: delivery_failure_reason and
// network_error_code are what explain a refusal.
func (p *DataSMResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "data_sm_resp"}
	e.cstr("message_id", p.MessageID, 65)
	e.tlvs(p.TLVs, v)
	return e.result(len(dst))
}

func (p *DataSMResp) Unmarshal(b []byte, v Version) error {
	*p = DataSMResp{Status: p.Status}
	if len(b) == 0 {
		return nil
	}
	d := newDec(b, "data_sm_resp")
	p.MessageID = d.cstrTail("message_id", 65, ESME_RINVMSGID)
	p.TLVs = d.tlvs(v)
	return d.done()
}

// AsDeliverSM is d as a deliver_sm, for handlers written once for both: the
// content stays in the message_payload TLV (see DeliverSM.Content).
func (d *DataSM) AsDeliverSM() *DeliverSM {
	return &DeliverSM{
		ServiceType:   d.ServiceType,
		SourceAddrTON: d.SourceAddrTON, SourceAddrNPI: d.SourceAddrNPI, SourceAddr: d.SourceAddr,
		DestAddrTON: d.DestAddrTON, DestAddrNPI: d.DestAddrNPI, DestinationAddr: d.DestinationAddr,
		ESMClass: d.ESMClass, RegisteredDelivery: d.RegisteredDelivery, DataCoding: d.DataCoding,
		TLVs: d.TLVs,
	}
}

// AsSubmitSM is d as a submit_sm, for servers that handle both alike.
func (d *DataSM) AsSubmitSM() *SubmitSM { return (*SubmitSM)(d.AsDeliverSM()) }
