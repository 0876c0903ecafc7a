package smpp

// Header-only PDUs. Their decoders ignore any body: being strict over
// padding would drop a working link.

// Unbind ends a session; either side may send it.
type Unbind struct{}

// UnbindResp answers Unbind.
type UnbindResp struct{ Status uint32 }

// EnquireLink is the heartbeat; either side may send it.
type EnquireLink struct{}

// EnquireLinkResp answers EnquireLink.
type EnquireLinkResp struct{ Status uint32 }

// GenericNack answers a request that could not be understood (unknown
// command, bad length); its sequence_number is the request's.
type GenericNack struct{ Status uint32 }

// CancelSMResp answers CancelSM.
type CancelSMResp struct{ Status uint32 }

// ReplaceSMResp answers ReplaceSM.
type ReplaceSMResp struct{ Status uint32 }

func (*Unbind) CommandID() uint32          { return CmdUnbind }
func (*UnbindResp) CommandID() uint32      { return CmdUnbindResp }
func (*EnquireLink) CommandID() uint32     { return CmdEnquireLink }
func (*EnquireLinkResp) CommandID() uint32 { return CmdEnquireLinkResp }
func (*GenericNack) CommandID() uint32     { return CmdGenericNack }
func (*CancelSMResp) CommandID() uint32    { return CmdCancelSMResp }
func (*ReplaceSMResp) CommandID() uint32   { return CmdReplaceSMResp }

func (*Unbind) Marshal(dst []byte, _ Version) ([]byte, error)          { return dst, nil }
func (*UnbindResp) Marshal(dst []byte, _ Version) ([]byte, error)      { return dst, nil }
func (*EnquireLink) Marshal(dst []byte, _ Version) ([]byte, error)     { return dst, nil }
func (*EnquireLinkResp) Marshal(dst []byte, _ Version) ([]byte, error) { return dst, nil }
func (*GenericNack) Marshal(dst []byte, _ Version) ([]byte, error)     { return dst, nil }
func (*CancelSMResp) Marshal(dst []byte, _ Version) ([]byte, error)    { return dst, nil }
func (*ReplaceSMResp) Marshal(dst []byte, _ Version) ([]byte, error)   { return dst, nil }

func (*Unbind) Unmarshal([]byte, Version) error          { return nil }
func (*UnbindResp) Unmarshal([]byte, Version) error      { return nil }
func (*EnquireLink) Unmarshal([]byte, Version) error     { return nil }
func (*EnquireLinkResp) Unmarshal([]byte, Version) error { return nil }
func (*GenericNack) Unmarshal([]byte, Version) error     { return nil }
func (*CancelSMResp) Unmarshal([]byte, Version) error    { return nil }
func (*ReplaceSMResp) Unmarshal([]byte, Version) error   { return nil }

func (p *UnbindResp) CommandStatus() uint32      { return p.Status }
func (p *EnquireLinkResp) CommandStatus() uint32 { return p.Status }
func (p *GenericNack) CommandStatus() uint32     { return p.Status }
func (p *CancelSMResp) CommandStatus() uint32    { return p.Status }
func (p *ReplaceSMResp) CommandStatus() uint32   { return p.Status }

func (p *UnbindResp) SetCommandStatus(s uint32)      { p.Status = s }
func (p *EnquireLinkResp) SetCommandStatus(s uint32) { p.Status = s }
func (p *GenericNack) SetCommandStatus(s uint32)     { p.Status = s }
func (p *CancelSMResp) SetCommandStatus(s uint32)    { p.Status = s }
func (p *ReplaceSMResp) SetCommandStatus(s uint32)   { p.Status = s }
