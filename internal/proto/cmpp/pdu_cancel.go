package cmpp

// Cancel (CMPP_CANCEL) asks the ISMG to drop a not yet delivered message.
type Cancel struct {
	MsgID uint64
}

// CancelResp (CMPP_CANCEL_RESP): Success_Id 0 success, 1 failure; 4 bytes
// in 3.0, 1 in 2.0.
type CancelResp struct {
	SuccessID uint32
}

const (
	cancelResp20Len = 1
	cancelResp30Len = 4
)

func (*Cancel) CommandID() uint32 { return CmdCancel }

func (p *Cancel) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "cancel"}
	e.u64(p.MsgID)
	return e.result()
}

func (p *Cancel) Unmarshal(b []byte, _ Version) error {
	d := dec{b: b, pdu: "cancel"}
	p.MsgID = d.u64("Msg_Id")
	return d.done()
}

func (*CancelResp) CommandID() uint32 { return CmdCancelResp }

func (p *CancelResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := enc{b: dst, pdu: "cancel_resp"}
	e.uint("Success_Id", p.SuccessID, statusWidth(v))
	return e.result()
}

// Unmarshal picks the layout by body length (1 or 4 bytes), else by v.
func (p *CancelResp) Unmarshal(b []byte, v Version) error {
	layout := respLayout(len(b), cancelResp20Len, cancelResp30Len, v)
	d := dec{b: b, pdu: "cancel_resp"}
	p.SuccessID = d.uint("Success_Id", statusWidth(layout))
	return d.done()
}
