package smgp

import "time"

// Login logs a client in; the layout is the same in 1.3, 2.0 and 3.0.
type Login struct {
	ClientID            string // 8
	AuthenticatorClient [16]byte
	LoginMode           uint8  // wire byte: WireModeSend, WireModeReceive, WireModeTransmit
	TimeStamp           uint32 // MMDDHHMMSS as a decimal number
	ClientVersion       Version
}

// LoginResp answers Login. AuthenticatorServer is zero when refused.
type LoginResp struct {
	Status              uint32
	AuthenticatorServer [16]byte
	ServerVersion       Version // highest version the server supports
}

const clientIDLen = 8

// NewLogin builds a Login for clientID/secret at time t.
func NewLogin(clientID, secret string, mode LoginMode, v Version, t time.Time) *Login {
	ts := Timestamp(t)
	return &Login{
		ClientID:            clientID,
		AuthenticatorClient: AuthClient(clientID, secret, ts),
		LoginMode:           mode.Wire(),
		TimeStamp:           ts,
		ClientVersion:       v,
	}
}

func (*Login) CommandID() uint32 { return CmdLogin }

func (p *Login) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "login"}
	e.str("ClientID", p.ClientID, clientIDLen)
	e.raw(p.AuthenticatorClient[:])
	e.u8(p.LoginMode)
	e.u32(p.TimeStamp)
	e.u8(uint8(p.ClientVersion))
	return e.done(dst)
}

func (p *Login) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "login")
	p.ClientID = d.str("ClientID", clientIDLen)
	p.AuthenticatorClient = d.array16("AuthenticatorClient")
	p.LoginMode = d.u8("LoginMode")
	p.TimeStamp = d.u32("TimeStamp")
	p.ClientVersion = Version(d.u8("ClientVersion"))
	return d.result()
}

func (*LoginResp) CommandID() uint32 { return CmdLoginResp }

func (p *LoginResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "login_resp"}
	e.u32(p.Status)
	e.raw(p.AuthenticatorServer[:])
	e.u8(uint8(p.ServerVersion))
	return e.done(dst)
}

func (p *LoginResp) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "login_resp"}
	p.Status = d.u32("Status")
	p.AuthenticatorServer = d.array16("AuthenticatorServer")
	p.ServerVersion = Version(d.u8("ServerVersion"))
	return d.result()
}
