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
	e := wireProto.Enc(dst, "login")
	e.Str("ClientID", p.ClientID, clientIDLen)
	e.Raw(p.AuthenticatorClient[:])
	e.U8(p.LoginMode)
	e.U32(p.TimeStamp)
	e.U8(uint8(p.ClientVersion))
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *Login) Unmarshal(b []byte, _ Version) error {
	d := wireProto.Dec(b, "login")
	p.ClientID = d.Str("ClientID", clientIDLen)
	p.AuthenticatorClient = d.Array16("AuthenticatorClient")
	p.LoginMode = d.U8("LoginMode")
	p.TimeStamp = d.U32("TimeStamp")
	p.ClientVersion = Version(d.U8("ClientVersion"))
	return d.Done()
}

func (*LoginResp) CommandID() uint32 { return CmdLoginResp }

func (p *LoginResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "login_resp")
	e.U32(p.Status)
	e.Raw(p.AuthenticatorServer[:])
	e.U8(uint8(p.ServerVersion))
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *LoginResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.RawDec(b, "login_resp")
	p.Status = d.U32("Status")
	p.AuthenticatorServer = d.Array16("AuthenticatorServer")
	p.ServerVersion = Version(d.U8("ServerVersion"))
	return d.Done()
}
