package smpp

// SubmitSM (submit_sm) is one MT message from the ESME. DeliverSM has the
// same layout.
type SubmitSM struct {
	ServiceType          string // ≤ 5; "" = SMSC default
	SourceAddrTON        uint8
	SourceAddrNPI        uint8
	SourceAddr           string // ≤ 20
	DestAddrTON          uint8
	DestAddrNPI          uint8
	DestinationAddr      string // ≤ 20
	ESMClass             uint8  // EsmUDHI (0x40) when ShortMessage starts with a UDH
	ProtocolID           uint8
	PriorityFlag         uint8
	ScheduleDeliveryTime string // "" or 16 characters YYMMDDhhmmsstnnp
	ValidityPeriod       string // "" or 16 characters
	RegisteredDelivery   uint8  // RegDeliveryReceipt (1) asks for a receipt
	ReplaceIfPresentFlag uint8
	DataCoding           uint8 // sms.Coding.SMPPDataCoding()
	SMDefaultMsgID       uint8
	ShortMessage         []byte // ≤ 254 bytes; empty when message_payload is used
	TLVs                 TLVs   // 3.4 only
}

// DeliverSM (deliver_sm) is an MO message or a delivery receipt from the
// SMSC. Same layout as SubmitSM; the schedule, validity, replace and default
// message fields are unused (spec §4.6.1).
type DeliverSM SubmitSM

// SubmitSMResp answers SubmitSM. Its body is omitted when Status ≠ 0 (spec
// §4.4.2).
type SubmitSMResp struct {
	Status    uint32
	MessageID string // ≤ 64, SMSC-assigned, opaque
}

// DeliverSMResp answers DeliverSM; message_id is unused (empty).
type DeliverSMResp struct {
	Status    uint32
	MessageID string
}

// esm_class bits (spec §5.2.12).
const (
	EsmTypeMask          uint8 = 0x3C // message type bits 5–2
	EsmDeliveryReceipt   uint8 = 0x04 // SMSC delivery receipt
	EsmSMEDeliveryAck    uint8 = 0x08 // SME delivery acknowledgement
	EsmUserAck           uint8 = 0x10 // manual/user acknowledgement
	EsmConversationAbort uint8 = 0x18
	EsmIntermediate      uint8 = 0x20 // intermediate delivery notification
	EsmUDHI              uint8 = 0x40 // short_message starts with a UDH
	EsmReplyPath         uint8 = 0x80
)

// registered_delivery values (spec §5.2.17).
const (
	RegDeliveryNone         uint8 = 0x00
	RegDeliveryReceipt      uint8 = 0x01 // on success or failure
	RegDeliveryFailureOnly  uint8 = 0x02
	RegDeliveryIntermediate uint8 = 0x10
)

func (*SubmitSM) CommandID() uint32  { return CmdSubmitSM }
func (*DeliverSM) CommandID() uint32 { return CmdDeliverSM }

func (p *SubmitSM) Marshal(dst []byte, v Version) ([]byte, error) {
	return p.marshal(dst, v, "submit_sm")
}

func (p *SubmitSM) Unmarshal(b []byte, v Version) error {
	return p.unmarshal(b, v, "submit_sm")
}

func (p *DeliverSM) Marshal(dst []byte, v Version) ([]byte, error) {
	return (*SubmitSM)(p).marshal(dst, v, "deliver_sm")
}

func (p *DeliverSM) Unmarshal(b []byte, v Version) error {
	return (*SubmitSM)(p).unmarshal(b, v, "deliver_sm")
}

func (p *SubmitSM) marshal(dst []byte, v Version, name string) ([]byte, error) {
	e := enc{b: dst, pdu: name}
	e.cstr("service_type", p.ServiceType, 6)
	e.u8(p.SourceAddrTON)
	e.u8(p.SourceAddrNPI)
	e.cstr("source_addr", p.SourceAddr, 21)
	e.u8(p.DestAddrTON)
	e.u8(p.DestAddrNPI)
	e.cstr("destination_addr", p.DestinationAddr, 21)
	e.u8(p.ESMClass)
	e.u8(p.ProtocolID)
	e.u8(p.PriorityFlag)
	e.time("schedule_delivery_time", p.ScheduleDeliveryTime)
	e.time("validity_period", p.ValidityPeriod)
	e.u8(p.RegisteredDelivery)
	e.u8(p.ReplaceIfPresentFlag)
	e.u8(p.DataCoding)
	e.u8(p.SMDefaultMsgID)
	e.shortMessage(p.ShortMessage, p.TLVs, v)
	e.tlvs(p.TLVs, v)
	return e.result(len(dst))
}

func (p *SubmitSM) unmarshal(b []byte, v Version, name string) error {
	d := newDec(b, name)
	*p = SubmitSM{}
	p.ServiceType = d.cstr("service_type", 6, ESME_RINVSERTYP)
	p.SourceAddrTON = d.u8("source_addr_ton")
	p.SourceAddrNPI = d.u8("source_addr_npi")
	p.SourceAddr = d.cstr("source_addr", 21, ESME_RINVSRCADR)
	p.DestAddrTON = d.u8("dest_addr_ton")
	p.DestAddrNPI = d.u8("dest_addr_npi")
	p.DestinationAddr = d.cstr("destination_addr", 21, ESME_RINVDSTADR)
	p.ESMClass = d.u8("esm_class")
	p.ProtocolID = d.u8("protocol_id")
	p.PriorityFlag = d.u8("priority_flag")
	p.ScheduleDeliveryTime = d.cstr("schedule_delivery_time", 17, ESME_RINVSCHED)
	p.ValidityPeriod = d.cstr("validity_period", 17, ESME_RINVEXPIRY)
	p.RegisteredDelivery = d.u8("registered_delivery")
	p.ReplaceIfPresentFlag = d.u8("replace_if_present_flag")
	p.DataCoding = d.u8("data_coding")
	p.SMDefaultMsgID = d.u8("sm_default_msg_id")
	p.ShortMessage = d.shortMessage()
	p.TLVs = d.tlvs(v)
	return d.done()
}

func (*SubmitSMResp) CommandID() uint32  { return CmdSubmitSMResp }
func (*DeliverSMResp) CommandID() uint32 { return CmdDeliverSMResp }

func (p *SubmitSMResp) CommandStatus() uint32      { return p.Status }
func (p *SubmitSMResp) SetCommandStatus(s uint32)  { p.Status = s }
func (p *DeliverSMResp) CommandStatus() uint32     { return p.Status }
func (p *DeliverSMResp) SetCommandStatus(s uint32) { p.Status = s }

func (p *SubmitSMResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	if p.Status != ESME_ROK {
		return dst, nil
	}
	e := enc{b: dst, pdu: "submit_sm_resp"}
	e.cstr("message_id", p.MessageID, 65)
	return e.result(len(dst))
}

// Unmarshal accepts an empty body (refusals carry none) and a message_id
// missing its NUL; trailing bytes are ignored (3.4 defines no TLVs here).
func (p *SubmitSMResp) Unmarshal(b []byte, _ Version) error {
	*p = SubmitSMResp{Status: p.Status}
	if len(b) == 0 {
		return nil
	}
	d := newDec(b, "submit_sm_resp")
	p.MessageID = d.cstrTail("message_id", 65, ESME_RINVMSGID)
	return d.done()
}

func (p *DeliverSMResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "deliver_sm_resp"}
	e.cstr("message_id", p.MessageID, 65)
	return e.result(len(dst))
}

// Unmarshal accepts an empty body: many ESMEs send a header-only resp.
func (p *DeliverSMResp) Unmarshal(b []byte, _ Version) error {
	*p = DeliverSMResp{Status: p.Status}
	if len(b) == 0 {
		return nil
	}
	d := newDec(b, "deliver_sm_resp")
	p.MessageID = d.cstrTail("message_id", 65, ESME_RINVMSGID)
	return d.done()
}
