package sgip

import "hongyan/internal/session"

// The five plain responses share one body: Result(1) + Reserve(8).

// BindResp (SGIP_BIND_RESP).
type BindResp struct {
	Result  uint8 // 0 OK, else a Result* code
	Reserve string
}

// SubmitResp (SGIP_SUBMIT_RESP). Seq and MsgID are not body fields: the
// Client fills them from the header it matched, because SGIP has no message
// id and the Submit's sequence number identifies the MT in its Report.
type SubmitResp struct {
	Result  uint8
	Reserve string
	Seq     session.Seq // the Submit's (and this response's) Sequence_Number
	MsgID   string      // FormatSeq(Seq): the MT's operator message id
}

// DeliverResp (SGIP_DELIVER_RESP).
type DeliverResp struct {
	Result  uint8
	Reserve string
}

// ReportResp (SGIP_REPORT_RESP).
type ReportResp struct {
	Result  uint8
	Reserve string
}

// UserRptResp (SGIP_USERRPT_RESP).
type UserRptResp struct {
	Result  uint8
	Reserve string
}

func marshalResp(dst []byte, pdu string, result uint8, reserve string) ([]byte, error) {
	e := newEnc(dst, pdu)
	e.U8(result)
	e.Str("Reserve", reserve, reserveLen)
	return e.result(dst)
}

// unmarshalResp reads Result and whatever Reserve is there: some peers
// (zysms' Bind_Resp) send the Result byte alone, and a response we cannot
// read loses the outcome of a request that did happen.
func unmarshalResp(b []byte, pdu string) (uint8, string, error) {
	d := newDec(b, pdu)
	r := d.U8("Result")
	reserve := d.Str("Reserve", min(reserveLen, d.Left()))
	return r, reserve, d.Done()
}

func (*BindResp) CommandID() uint32    { return CmdBindResp }
func (*SubmitResp) CommandID() uint32  { return CmdSubmitResp }
func (*DeliverResp) CommandID() uint32 { return CmdDeliverResp }
func (*ReportResp) CommandID() uint32  { return CmdReportResp }
func (*UserRptResp) CommandID() uint32 { return CmdUserRptResp }

func (p *BindResp) Marshal(dst []byte, _ Variant) ([]byte, error) {
	return marshalResp(dst, "bind_resp", p.Result, p.Reserve)
}

func (p *SubmitResp) Marshal(dst []byte, _ Variant) ([]byte, error) {
	return marshalResp(dst, "submit_resp", p.Result, p.Reserve)
}

func (p *DeliverResp) Marshal(dst []byte, _ Variant) ([]byte, error) {
	return marshalResp(dst, "deliver_resp", p.Result, p.Reserve)
}

func (p *ReportResp) Marshal(dst []byte, _ Variant) ([]byte, error) {
	return marshalResp(dst, "report_resp", p.Result, p.Reserve)
}

func (p *UserRptResp) Marshal(dst []byte, _ Variant) ([]byte, error) {
	return marshalResp(dst, "userrpt_resp", p.Result, p.Reserve)
}

func (p *BindResp) Unmarshal(b []byte) (err error) {
	p.Result, p.Reserve, err = unmarshalResp(b, "bind_resp")
	return err
}

// Unmarshal reads the body only; Seq and MsgID are left alone.
func (p *SubmitResp) Unmarshal(b []byte) (err error) {
	p.Result, p.Reserve, err = unmarshalResp(b, "submit_resp")
	return err
}

func (p *DeliverResp) Unmarshal(b []byte) (err error) {
	p.Result, p.Reserve, err = unmarshalResp(b, "deliver_resp")
	return err
}

func (p *ReportResp) Unmarshal(b []byte) (err error) {
	p.Result, p.Reserve, err = unmarshalResp(b, "report_resp")
	return err
}

func (p *UserRptResp) Unmarshal(b []byte) (err error) {
	p.Result, p.Reserve, err = unmarshalResp(b, "userrpt_resp")
	return err
}
