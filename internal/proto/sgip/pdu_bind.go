package sgip

// Bind (SGIP_BIND) opens a session; body 41 bytes. The password travels in
// clear text: SGIP has no digest.
type Bind struct {
	LoginType     uint8  // LoginSPToSMG, LoginSMGToSP, …
	LoginName     string // 16
	LoginPassword string // 16
	Reserve       string // 8
}

// Unbind (SGIP_UNBIND) ends a session; no body.
type Unbind struct{}

// UnbindResp (SGIP_UNBIND_RESP); no body.
type UnbindResp struct{}

const loginLen = 16

func (*Bind) CommandID() uint32 { return CmdBind }

func (p *Bind) Marshal(dst []byte, _ Variant) ([]byte, error) {
	e := newEnc(dst, "bind")
	e.U8(p.LoginType)
	e.Str("LoginName", p.LoginName, loginLen)
	e.Str("LoginPassword", p.LoginPassword, loginLen)
	e.Str("Reserve", p.Reserve, reserveLen)
	return e.result(dst)
}

func (p *Bind) Unmarshal(b []byte) error {
	d := newDec(b, "bind")
	p.LoginType = d.U8("LoginType")
	p.LoginName = d.Str("LoginName", loginLen)
	p.LoginPassword = d.Str("LoginPassword", loginLen)
	p.Reserve = d.Str("Reserve", reserveLen)
	return d.end()
}

func (*Unbind) CommandID() uint32     { return CmdUnbind }
func (*UnbindResp) CommandID() uint32 { return CmdUnbindResp }

func (*Unbind) Marshal(dst []byte, _ Variant) ([]byte, error)     { return dst, nil }
func (*UnbindResp) Marshal(dst []byte, _ Variant) ([]byte, error) { return dst, nil }

// Bodyless PDUs ignore trailing bytes: being strict here would drop a
// working link over padding.
func (*Unbind) Unmarshal([]byte) error     { return nil }
func (*UnbindResp) Unmarshal([]byte) error { return nil }
