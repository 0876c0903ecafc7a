package smpp

// QuerySM (query_sm) asks for the state of a submitted message.
type QuerySM struct {
	MessageID     string // ≤ 64
	SourceAddrTON uint8
	SourceAddrNPI uint8
	SourceAddr    string // ≤ 20
}

// QuerySMResp answers QuerySM.
type QuerySMResp struct {
	Status       uint32
	MessageID    string
	FinalDate    string // "" while not final, else 16 characters
	MessageState uint8  // StateEnroute … StateRejected
	ErrorCode    uint8  // network error code, network-specific
}

func (*QuerySM) CommandID() uint32 { return CmdQuerySM }

func (p *QuerySM) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "query_sm"}
	e.cstr("message_id", p.MessageID, 65)
	e.u8(p.SourceAddrTON)
	e.u8(p.SourceAddrNPI)
	e.cstr("source_addr", p.SourceAddr, 21)
	return e.result(len(dst))
}

func (p *QuerySM) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "query_sm")
	*p = QuerySM{}
	p.MessageID = d.cstr("message_id", 65, ESME_RINVMSGID)
	p.SourceAddrTON = d.u8("source_addr_ton")
	p.SourceAddrNPI = d.u8("source_addr_npi")
	p.SourceAddr = d.cstrTail("source_addr", 21, ESME_RINVSRCADR)
	return d.done()
}

func (*QuerySMResp) CommandID() uint32           { return CmdQuerySMResp }
func (p *QuerySMResp) CommandStatus() uint32     { return p.Status }
func (p *QuerySMResp) SetCommandStatus(s uint32) { p.Status = s }

func (p *QuerySMResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "query_sm_resp"}
	e.cstr("message_id", p.MessageID, 65)
	e.time("final_date", p.FinalDate)
	e.u8(p.MessageState)
	e.u8(p.ErrorCode)
	return e.result(len(dst))
}

// Unmarshal accepts an empty body (a refusal).
func (p *QuerySMResp) Unmarshal(b []byte, _ Version) error {
	*p = QuerySMResp{Status: p.Status}
	if len(b) == 0 {
		return nil
	}
	d := newDec(b, "query_sm_resp")
	p.MessageID = d.cstr("message_id", 65, ESME_RINVMSGID)
	p.FinalDate = d.cstr("final_date", 17, ESME_RINVCMDLEN)
	p.MessageState = d.u8("message_state")
	p.ErrorCode = d.u8("error_code")
	return d.done()
}
