package cmpp

// Terminate (CMPP_TERMINATE) has no body; either side may send it.
type Terminate struct{}

// TerminateResp (CMPP_TERMINATE_RESP) has no body.
type TerminateResp struct{}

// ActiveTest (CMPP_ACTIVE_TEST) is the heartbeat; it has no body.
type ActiveTest struct{}

// ActiveTestResp (CMPP_ACTIVE_TEST_RESP) carries one reserved byte.
type ActiveTestResp struct{ Reserved uint8 }

func (*Terminate) CommandID() uint32      { return CmdTerminate }
func (*TerminateResp) CommandID() uint32  { return CmdTerminateResp }
func (*ActiveTest) CommandID() uint32     { return CmdActiveTest }
func (*ActiveTestResp) CommandID() uint32 { return CmdActiveTestResp }

func (*Terminate) Marshal(dst []byte, _ Version) ([]byte, error)     { return dst, nil }
func (*TerminateResp) Marshal(dst []byte, _ Version) ([]byte, error) { return dst, nil }
func (*ActiveTest) Marshal(dst []byte, _ Version) ([]byte, error)    { return dst, nil }
func (p *ActiveTestResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	return append(dst, p.Reserved), nil
}

// Bodyless PDUs ignore trailing bytes: being strict here would drop a
// working link over padding.
func (*Terminate) Unmarshal([]byte, Version) error     { return nil }
func (*TerminateResp) Unmarshal([]byte, Version) error { return nil }
func (*ActiveTest) Unmarshal([]byte, Version) error    { return nil }

// Unmarshal accepts an empty body too; some peers omit the reserved byte.
func (p *ActiveTestResp) Unmarshal(b []byte, _ Version) error {
	p.Reserved = 0
	if len(b) > 0 {
		p.Reserved = b[0]
	}
	return nil
}
