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
	e := enc{b: dst, pdu: "login"}
	e.str("ClientID", p.ClientID, clientIDLen)
	e.raw(p.AuthenticatorClient[:])
	e.u8(p.LoginMode)
	e.u32(p.TimeStamp)
	e.u8(uint8(p.Version))
	return e.done(dst)
}

func (p *Login) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "login")
	p.ClientID = d.str("ClientID", clientIDLen)
	p.AuthenticatorClient = d.array16("AuthenticatorClient")
	p.LoginMode = d.u8("LoginMode")
	p.TimeStamp = d.u32("TimeStamp")
	p.Version = Version(d.u8("Version"))
	return d.result()
}

func (*LoginResp) CommandID() uint32          { return CmdLoginResp }
func (p *LoginResp) HeaderStatus() uint32     { return p.Status }
func (p *LoginResp) SetHeaderStatus(s uint32) { p.Status = s }

func (p *LoginResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "login_resp"}
	e.raw(p.AuthenticatorServer[:])
	e.u8(uint8(p.Version))
	return e.done(dst)
}

func (p *LoginResp) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "login_resp"}
	p.AuthenticatorServer = d.array16("AuthenticatorServer")
	p.Version = Version(d.u8("Version"))
	return d.result()
}
