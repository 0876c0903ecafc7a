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
	e := newEnc(dst, "cancel")
	e.U64(p.MsgID)
	return e.Result()
}

func (p *Cancel) Unmarshal(b []byte, _ Version) error {
	d := rawDec(b, "cancel")
	p.MsgID = d.U64("Msg_Id")
	return d.Done()
}

func (*CancelResp) CommandID() uint32 { return CmdCancelResp }

func (p *CancelResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := newEnc(dst, "cancel_resp")
	e.uint("Success_Id", p.SuccessID, statusWidth(v))
	return e.Result()
}

// Unmarshal picks the layout by body length (1 or 4 bytes), else by v.
func (p *CancelResp) Unmarshal(b []byte, v Version) error {
	layout := respLayout(len(b), cancelResp20Len, cancelResp30Len, v)
	d := rawDec(b, "cancel_resp")
	p.SuccessID = d.uint("Success_Id", statusWidth(layout))
	return d.Done()
}
