package cmpp

import "time"

// Connect (CMPP_CONNECT) logs an SP in; the layout is the same in 2.0 and 3.0.
type Connect struct {
	SourceAddr          string // SP_Id, 6 bytes
	AuthenticatorSource [16]byte
	Version             Version
	Timestamp           uint32 // MMDDHHMMSS as a decimal number
}

// ConnectResp (CMPP_CONNECT_RESP). Status is 4 bytes in 3.0, 1 in 2.0.
type ConnectResp struct {
	Status            uint32
	AuthenticatorISMG [16]byte
	Version           Version // highest version the ISMG supports
}

const (
	connectBodyLen   = 6 + 16 + 1 + 4
	connectResp20Len = 1 + 16 + 1
	connectResp30Len = 4 + 16 + 1
	sourceAddrLen    = 6
)

// NewConnect builds a CONNECT for sourceAddr/secret at time t.
func NewConnect(sourceAddr, secret string, v Version, t time.Time) *Connect {
	ts := Timestamp(t)
	return &Connect{
		SourceAddr:          sourceAddr,
		AuthenticatorSource: AuthSource(sourceAddr, secret, ts),
		Version:             v,
		Timestamp:           ts,
	}
}

func (*Connect) CommandID() uint32 { return CmdConnect }

func (p *Connect) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := newEnc(dst, "connect")
	e.Str("Source_Addr", p.SourceAddr, sourceAddrLen)
	e.Raw(p.AuthenticatorSource[:])
	e.U8(uint8(p.Version))
	e.U32(p.Timestamp)
	return e.Result()
}

func (p *Connect) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "connect")
	p.SourceAddr = d.Str("Source_Addr", sourceAddrLen)
	p.AuthenticatorSource = d.Array16("AuthenticatorSource")
	p.Version = Version(d.U8("Version"))
	p.Timestamp = d.U32("Timestamp")
	return d.Done()
}

func (*ConnectResp) CommandID() uint32 { return CmdConnectResp }

func (p *ConnectResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := newEnc(dst, "connect_resp")
	e.uint("Status", p.Status, statusWidth(v))
	e.Raw(p.AuthenticatorISMG[:])
	e.U8(uint8(p.Version))
	return e.Result()
}

// Unmarshal picks the 2.0 or 3.0 layout by body length (18 or 21 bytes),
// falling back to v: an ISMG may answer a 3.0 login in 2.0 layout.
func (p *ConnectResp) Unmarshal(b []byte, v Version) error {
	return p.unmarshal(b, respLayout(len(b), connectResp20Len, connectResp30Len, v))
}

func (p *ConnectResp) unmarshal(b []byte, layout Version) error {
	d := rawDec(b, "connect_resp")
	p.Status = d.uint("Status", statusWidth(layout))
	p.AuthenticatorISMG = d.Array16("AuthenticatorISMG")
	p.Version = Version(d.U8("Version"))
	return d.Done()
}

// connectRespLayout tells which status width a CONNECT_RESP body used, so
// the client can check AuthenticatorISMG over the bytes actually sent.
func connectRespLayout(b []byte, v Version) Version {
	return respLayout(len(b), connectResp20Len, connectResp30Len, v)
}
