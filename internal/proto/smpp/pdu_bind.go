package smpp

import "fmt"

// BindMode is how an ESME is bound: what it may send and receive.
type BindMode uint8

const (
	// BindAuto (client configuration only): transceiver on 3.4,
	// transmitter + receiver on 3.3.
	BindAuto BindMode = iota
	BindTransmitter
	BindReceiver
	BindTransceiver
	// BindTxRx (client configuration only): one transmitter and one
	// receiver bind per connection slot.
	BindTxRx
)

func (m BindMode) String() string {
	switch m {
	case BindAuto:
		return "auto"
	case BindTransmitter:
		return "transmitter"
	case BindReceiver:
		return "receiver"
	case BindTransceiver:
		return "transceiver"
	case BindTxRx:
		return "transmitter+receiver"
	}
	return fmt.Sprintf("bindmode(%d)", uint8(m))
}

// CanSubmit reports whether a bind of mode m may send submit_sm / data_sm
// to the SMSC.
func (m BindMode) CanSubmit() bool { return m == BindTransmitter || m == BindTransceiver }

// CanReceive reports whether the SMSC may send deliver_sm / data_sm on a
// bind of mode m.
func (m BindMode) CanReceive() bool { return m == BindReceiver || m == BindTransceiver }

// command is the bind request id of a wire mode (0 for others).
func (m BindMode) command() uint32 {
	switch m {
	case BindTransmitter:
		return CmdBindTransmitter
	case BindReceiver:
		return CmdBindReceiver
	case BindTransceiver:
		return CmdBindTransceiver
	}
	return 0
}

// bindModeOf maps a bind request or response id to its mode.
func bindModeOf(cmd uint32) (BindMode, bool) {
	switch cmd &^ respBit {
	case CmdBindTransmitter:
		return BindTransmitter, true
	case CmdBindReceiver:
		return BindReceiver, true
	case CmdBindTransceiver:
		return BindTransceiver, true
	}
	return 0, false
}

// Bind is bind_transmitter, bind_receiver or bind_transceiver (one body,
// three command ids, chosen by Mode).
type Bind struct {
	Mode             BindMode
	SystemID         string // ≤ 15
	Password         string // ≤ 8, clear text
	SystemType       string // ≤ 12
	InterfaceVersion uint8  // 0x34, or ≤ 0x33 for 3.3
	AddrTON          uint8
	AddrNPI          uint8
	AddressRange     string // ≤ 40, regular expression of served addresses
}

// BindResp is the bind_*_resp; sc_interface_version may follow in TLVs
// (3.4). A refusal still carries system_id (see doc.go), and an empty body
// is accepted.
type BindResp struct {
	Mode     BindMode
	Status   uint32
	SystemID string // SMSC identifier, ≤ 15
	TLVs     TLVs
}

// Outbind asks the ESME, on a connection the SMSC opened, to bind as a
// receiver. It has no response.
type Outbind struct {
	SystemID string // ≤ 15
	Password string // ≤ 8
}

func (p *Bind) CommandID() uint32 { return p.Mode.command() }

func (p *Bind) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "bind"}
	switch {
	case p.Mode.command() == 0:
		e.fail("mode %s is not a wire bind", p.Mode)
	case p.Mode == BindTransceiver && !v.HasTLV():
		e.fail("bind_transceiver does not exist in SMPP 3.3")
	}
	e.cstr("system_id", p.SystemID, 16)
	e.cstr("password", p.Password, 9)
	e.cstr("system_type", p.SystemType, 13)
	e.u8(p.InterfaceVersion)
	e.u8(p.AddrTON)
	e.u8(p.AddrNPI)
	e.cstr("address_range", p.AddressRange, 41)
	return e.result(len(dst))
}

// Unmarshal keeps Mode (set by NewPDU from the command id).
func (p *Bind) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, CommandName(p.Mode.command()))
	*p = Bind{Mode: p.Mode}
	p.SystemID = d.cstr("system_id", 16, ESME_RINVSYSID)
	p.Password = d.cstr("password", 9, ESME_RINVPASWD)
	p.SystemType = d.cstr("system_type", 13, ESME_RINVSYSTYP)
	p.InterfaceVersion = d.u8("interface_version")
	p.AddrTON = d.u8("addr_ton")
	p.AddrNPI = d.u8("addr_npi")
	// Trailing bytes after address_range are ignored: binds carry no TLVs.
	p.AddressRange = d.cstrTail("address_range", 41, ESME_RINVCMDLEN)
	return d.done()
}

func (p *BindResp) CommandID() uint32 { return p.Mode.command() | respBit }

func (p *BindResp) CommandStatus() uint32     { return p.Status }
func (p *BindResp) SetCommandStatus(s uint32) { p.Status = s }

func (p *BindResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "bind_resp"}
	if p.Mode.command() == 0 {
		e.fail("mode %s is not a wire bind", p.Mode)
	}
	e.cstr("system_id", p.SystemID, 16)
	if p.Status == ESME_ROK {
		e.tlvs(p.TLVs, v)
	}
	return e.result(len(dst))
}

// Unmarshal accepts an empty body (refusals carry none) and keeps Mode and
// Status.
func (p *BindResp) Unmarshal(b []byte, v Version) error {
	*p = BindResp{Mode: p.Mode, Status: p.Status}
	if len(b) == 0 {
		return nil
	}
	d := newDec(b, CommandName(p.CommandID()))
	p.SystemID = d.cstrTail("system_id", 16, ESME_RINVSYSID)
	p.TLVs = d.tlvs(v)
	return d.done()
}

func (*Outbind) CommandID() uint32 { return CmdOutbind }

func (p *Outbind) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "outbind"}
	e.cstr("system_id", p.SystemID, 16)
	e.cstr("password", p.Password, 9)
	return e.result(len(dst))
}

func (p *Outbind) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "outbind")
	p.SystemID = d.cstr("system_id", 16, ESME_RINVSYSID)
	p.Password = d.cstrTail("password", 9, ESME_RINVPASWD)
	return d.done()
}
