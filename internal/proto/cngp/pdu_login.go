package cngp

import "time"

// Login logs a client in: body 32 bytes, the same in 1.0 and 2.0.
type Login struct {
	ClientID            string // 10 (SMGP has 8)
	AuthenticatorClient [16]byte
	LoginMode           uint8  // wire byte: WireModeSend, WireModeReceive, WireModeTransmit
	TimeStamp           uint32 // MMDDHHMMSS as a decimal number
	Version             Version
}

// LoginResp answers Login: body 17 bytes. Status travels in the header;
// AuthenticatorServer is zero when refused.
type LoginResp struct {
	Status              uint32 // header Command_Status
	AuthenticatorServer [16]byte
	Version             Version // highest version the server supports
}

const clientIDLen = 10

// NewLogin builds a Login for clientID/secret at time t.
func NewLogin(clientID, secret string, mode LoginMode, v Version, t time.Time) *Login {
	ts := Timestamp(t)
	return &Login{
		ClientID:            clientID,
		AuthenticatorClient: AuthClient(clientID, secret, ts),
		LoginMode:           mode.Wire(),
		TimeStamp:           ts,
		Version:             v,
	}
}

func (*Login) CommandID() uint32 { return CmdLogin }

func (p *Login) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "login")
	e.Str("ClientID", p.ClientID, clientIDLen)
	e.Raw(p.AuthenticatorClient[:])
	e.U8(p.LoginMode)
	e.U32(p.TimeStamp)
	e.U8(uint8(p.Version))
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *Login) Unmarshal(b []byte, _ Version) error {
	d := wireProto.Dec(b, "login")
	p.ClientID = d.Str("ClientID", clientIDLen)
	p.AuthenticatorClient = d.Array16("AuthenticatorClient")
	p.LoginMode = d.U8("LoginMode")
	p.TimeStamp = d.U32("TimeStamp")
	p.Version = Version(d.U8("Version"))
	return d.Done()
}

func (*LoginResp) CommandID() uint32          { return CmdLoginResp }
func (p *LoginResp) HeaderStatus() uint32     { return p.Status }
func (p *LoginResp) SetHeaderStatus(s uint32) { p.Status = s }

func (p *LoginResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "login_resp")
	e.Raw(p.AuthenticatorServer[:])
	e.U8(uint8(p.Version))
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *LoginResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.RawDec(b, "login_resp")
	p.AuthenticatorServer = d.Array16("AuthenticatorServer")
	p.Version = Version(d.U8("Version"))
	return d.Done()
}
