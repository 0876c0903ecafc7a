package smpp

// dest_flag values in submit_multi.
const (
	DestFlagSME      uint8 = 1 // an SME address
	DestFlagDistList uint8 = 2 // a distribution list name
)

// MaxDests is the most destinations one submit_multi carries (spec
// §4.5.1: number_of_dests ≤ 254).
const MaxDests = 254

// DestAddress is one destination of a submit_multi: an SME address, or a
// distribution list name when Flag is DestFlagDistList.
type DestAddress struct {
	Flag uint8
	TON  uint8  // SME address only
	NPI  uint8  // SME address only
	Addr string // destination_addr (≤ 20) or dl_name (≤ 20)
}

// SubmitMulti (submit_multi) is one MT message to several destinations.
type SubmitMulti struct {
	ServiceType          string
	SourceAddrTON        uint8
	SourceAddrNPI        uint8
	SourceAddr           string
	Dests                []DestAddress // 1..254
	ESMClass             uint8
	ProtocolID           uint8
	PriorityFlag         uint8
	ScheduleDeliveryTime string
	ValidityPeriod       string
	RegisteredDelivery   uint8
	ReplaceIfPresentFlag uint8
	DataCoding           uint8
	SMDefaultMsgID       uint8
	ShortMessage         []byte
	TLVs                 TLVs
}

// UnsuccessSME is a destination a submit_multi could not be sent to.
type UnsuccessSME struct {
	TON, NPI uint8
	Addr     string
	Status   uint32 // error_status_code
}

// SubmitMultiResp answers SubmitMulti: the message id and the destinations
// that failed.
type SubmitMultiResp struct {
	Status    uint32
	MessageID string
	Unsuccess []UnsuccessSME
}

func (*SubmitMulti) CommandID() uint32 { return CmdSubmitMulti }

func (p *SubmitMulti) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "submit_multi"}
	if n := len(p.Dests); n == 0 || n > MaxDests {
		e.fail("number_of_dests %d outside 1..%d", n, MaxDests)
	}
	e.cstr("service_type", p.ServiceType, 6)
	e.u8(p.SourceAddrTON)
	e.u8(p.SourceAddrNPI)
	e.cstr("source_addr", p.SourceAddr, 21)
	e.u8(uint8(len(p.Dests)))
	for _, d := range p.Dests {
		e.u8(d.Flag)
		switch d.Flag {
		case DestFlagSME:
			e.u8(d.TON)
			e.u8(d.NPI)
			e.cstr("destination_addr", d.Addr, 21)
		case DestFlagDistList:
			e.cstr("dl_name", d.Addr, 21)
		default:
			e.fail("dest_flag %d is neither 1 (SME) nor 2 (list)", d.Flag)
		}
	}
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

func (p *SubmitMulti) Unmarshal(b []byte, v Version) error {
	d := newDec(b, "submit_multi")
	*p = SubmitMulti{}
	p.ServiceType = d.cstr("service_type", 6, ESME_RINVSERTYP)
	p.SourceAddrTON = d.u8("source_addr_ton")
	p.SourceAddrNPI = d.u8("source_addr_npi")
	p.SourceAddr = d.cstr("source_addr", 21, ESME_RINVSRCADR)
	n := int(d.u8("number_of_dests"))
	if d.err == nil && n == 0 {
		d.fail("number_of_dests", ESME_RINVNUMDESTS, "is 0")
	}
	// Each destination takes at least 2 bytes: check before allocating
	// what a hostile count asks for.
	if d.need("dest_address", 2*n) && n > 0 {
		p.Dests = make([]DestAddress, n)
		for i := range p.Dests {
			x := &p.Dests[i]
			x.Flag = d.u8("dest_flag")
			switch x.Flag {
			case DestFlagSME:
				x.TON = d.u8("dest_addr_ton")
				x.NPI = d.u8("dest_addr_npi")
				x.Addr = d.cstr("destination_addr", 21, ESME_RINVDSTADR)
			case DestFlagDistList:
				x.Addr = d.cstr("dl_name", 21, ESME_RINVDLNAME)
			default:
				d.fail("dest_flag", ESME_RINVDESTFLAG, "value %d", x.Flag)
			}
		}
	}
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
	if d.err != nil {
		p.Dests = nil
	}
	return d.done()
}

func (*SubmitMultiResp) CommandID() uint32           { return CmdSubmitMultiResp }
func (p *SubmitMultiResp) CommandStatus() uint32     { return p.Status }
func (p *SubmitMultiResp) SetCommandStatus(s uint32) { p.Status = s }

func (p *SubmitMultiResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "submit_multi_resp"}
	if len(p.Unsuccess) > 255 {
		e.fail("no_unsuccess %d above 255", len(p.Unsuccess))
	}
	e.cstr("message_id", p.MessageID, 65)
	e.u8(uint8(len(p.Unsuccess)))
	for _, u := range p.Unsuccess {
		e.u8(u.TON)
		e.u8(u.NPI)
		e.cstr("destination_addr", u.Addr, 21)
		e.u32(u.Status)
	}
	return e.result(len(dst))
}

// Unmarshal accepts an empty body, and a body that ends after message_id.
func (p *SubmitMultiResp) Unmarshal(b []byte, _ Version) error {
	*p = SubmitMultiResp{Status: p.Status}
	if len(b) == 0 {
		return nil
	}
	d := newDec(b, "submit_multi_resp")
	p.MessageID = d.cstrTail("message_id", 65, ESME_RINVMSGID)
	if d.err != nil || d.off == len(d.b) {
		return d.done()
	}
	n := int(d.u8("no_unsuccess"))
	if d.need("unsuccess_sme", 7*n) && n > 0 {
		p.Unsuccess = make([]UnsuccessSME, n)
		for i := range p.Unsuccess {
			u := &p.Unsuccess[i]
			u.TON = d.u8("dest_addr_ton")
			u.NPI = d.u8("dest_addr_npi")
			u.Addr = d.cstr("destination_addr", 21, ESME_RINVDSTADR)
			u.Status = d.u32("error_status_code")
		}
	}
	if d.err != nil {
		p.Unsuccess = nil
	}
	return d.done()
}
