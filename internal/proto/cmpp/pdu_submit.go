package cmpp

import (
	"fmt"

	"hongyan/internal/session"
)

// Submit (CMPP_SUBMIT) is one MT message, possibly to several destinations.
// Fields marked 3.0 or 2.0 exist only in that layout and are ignored (left
// zero on decode) in the other.
type Submit struct {
	MsgID              uint64 // SP sends 0; the ISMG assigns
	PkTotal            uint8  // parts of a long message, from 1
	PkNumber           uint8  // this part, from 1
	RegisteredDelivery uint8  // 1 = status report wanted
	MsgLevel           uint8
	ServiceID          string // 10
	FeeUserType        uint8
	FeeTerminalID      string // 32 in 3.0, 21 in 2.0
	FeeTerminalType    uint8  // 3.0
	TPPID              uint8
	TPUDHI             uint8  // 1 = MsgContent starts with a UDH
	MsgFmt             uint8  // 0 ASCII, 3 SIM, 4 binary, 8 UCS2, 15 GB
	MsgSrc             string // 6, SP_Id
	FeeType            string // 2
	FeeCode            string // 6
	ValidTime          string // 17, ValId_Time
	AtTime             string // 17
	SrcID              string // 21
	DestTerminalID     []string
	DestTerminalType   uint8 // 3.0
	MsgContent         []byte
	LinkID             string // 20, 3.0
	Reserve            string // 8, 2.0
}

// SubmitResp (CMPP_SUBMIT_RESP). Result is 4 bytes in 3.0, 1 in 2.0.
type SubmitResp struct {
	MsgID  uint64
	Result uint32
}

// Msg_Fmt values.
const (
	FmtASCII  uint8 = 0
	FmtSIM    uint8 = 3
	FmtBinary uint8 = 4
	FmtUCS2   uint8 = 8
	FmtGB     uint8 = 15
)

// MaxDestinations is the spec's bound on DestUsr_tl ("< 100"); a 3.0 PDU
// may hold fewer, see MaxDests. Decoding accepts more: be liberal in what
// we accept.
const MaxDestinations = 99

const (
	submitResp20Len = 8 + 1
	submitResp30Len = 8 + 4
	// fixed parts of the SUBMIT body, destinations and content excluded
	submitFixed30 = 129 + 1 + 1 + 20
	submitFixed20 = 117 + 1 + 8
)

// MaxDests is how many destinations fit one SUBMIT with contentLen bytes
// of content within the PDU limit of v, capped at MaxDestinations.
func MaxDests(v Version, contentLen int) int {
	fixed := submitFixed20
	if v.Is30() {
		fixed = submitFixed30
	}
	n := (MaxPDU(v) - HeaderLen - fixed - contentLen) / numLen(v)
	return max(0, min(n, MaxDestinations))
}

func (*Submit) CommandID() uint32 { return CmdSubmit }

func (p *Submit) Marshal(dst []byte, v Version) ([]byte, error) {
	is30, nl := v.Is30(), numLen(v)
	e := newEnc(dst, "submit")
	start := len(dst)
	// The PDU size limit is the real bound; MaxDestinations is advice
	// (MaxDests) because some ISMGs accept more.
	if n := len(p.DestTerminalID); n == 0 || n > 255 {
		e.Fail("DestUsr_tl %d outside 1..255", n)
	}
	if len(p.MsgContent) > 255 {
		e.Fail("Msg_Length %d above 255", len(p.MsgContent))
	}
	e.U64(p.MsgID)
	e.U8(p.PkTotal)
	e.U8(p.PkNumber)
	e.U8(p.RegisteredDelivery)
	e.U8(p.MsgLevel)
	e.Str("Service_Id", p.ServiceID, 10)
	e.U8(p.FeeUserType)
	e.Str("Fee_terminal_Id", p.FeeTerminalID, nl)
	if is30 {
		e.U8(p.FeeTerminalType)
	}
	e.U8(p.TPPID)
	e.U8(p.TPUDHI)
	e.U8(p.MsgFmt)
	e.Str("Msg_src", p.MsgSrc, 6)
	e.Str("FeeType", p.FeeType, 2)
	e.Str("FeeCode", p.FeeCode, 6)
	e.Str("ValId_Time", p.ValidTime, 17)
	e.Str("At_Time", p.AtTime, 17)
	e.Str("Src_Id", p.SrcID, 21)
	e.U8(uint8(len(p.DestTerminalID)))
	for _, d := range p.DestTerminalID {
		e.Str("Dest_terminal_Id", d, nl)
	}
	if is30 {
		e.U8(p.DestTerminalType)
	}
	e.U8(uint8(len(p.MsgContent)))
	e.Raw(p.MsgContent)
	if is30 {
		e.Str("LinkID", p.LinkID, 20)
	} else {
		e.Str("Reserve", p.Reserve, 8)
	}
	b, err := e.Result()
	if err == nil {
		err = checkSize("submit", b, start, v)
	}
	if err != nil {
		return dst, err
	}
	return b, nil
}

func (p *Submit) Unmarshal(b []byte, v Version) error {
	is30, nl := v.Is30(), numLen(v)
	d := newDec(b, "submit")
	*p = Submit{}
	p.MsgID = d.U64("Msg_Id")
	p.PkTotal = d.U8("Pk_total")
	p.PkNumber = d.U8("Pk_number")
	p.RegisteredDelivery = d.U8("Registered_Delivery")
	p.MsgLevel = d.U8("Msg_level")
	p.ServiceID = d.Str("Service_Id", 10)
	p.FeeUserType = d.U8("Fee_UserType")
	p.FeeTerminalID = d.Str("Fee_terminal_Id", nl)
	if is30 {
		p.FeeTerminalType = d.U8("Fee_terminal_type")
	}
	p.TPPID = d.U8("TP_pId")
	p.TPUDHI = d.U8("TP_udhi")
	p.MsgFmt = d.U8("Msg_Fmt")
	p.MsgSrc = d.Str("Msg_src", 6)
	p.FeeType = d.Str("FeeType", 2)
	p.FeeCode = d.Str("FeeCode", 6)
	p.ValidTime = d.Str("ValId_Time", 17)
	p.AtTime = d.Str("At_Time", 17)
	p.SrcID = d.Str("Src_Id", 21)
	n := int(d.U8("DestUsr_tl"))
	if n == 0 && d.Err == nil {
		d.Err = fmt.Errorf("cmpp submit: DestUsr_tl is 0: %w", session.ErrMalformed)
	}
	// Check the whole array up front: a hostile count must not make us
	// allocate before we know the bytes are there.
	if d.Need("Dest_terminal_Id", n*nl) && n > 0 {
		p.DestTerminalID = make([]string, n)
		for i := range p.DestTerminalID {
			p.DestTerminalID[i] = d.Str("Dest_terminal_Id", nl)
		}
	}
	if is30 {
		p.DestTerminalType = d.U8("Dest_terminal_type")
	}
	p.MsgContent = d.Bytes("Msg_Content", int(d.U8("Msg_Length")))
	if is30 {
		p.LinkID = d.Str("LinkID", 20)
	} else {
		p.Reserve = d.Str("Reserve", 8)
	}
	return d.Done()
}

func (*SubmitResp) CommandID() uint32 { return CmdSubmitResp }

func (p *SubmitResp) Marshal(dst []byte, v Version) ([]byte, error) {
	e := newEnc(dst, "submit_resp")
	e.U64(p.MsgID)
	e.uint("Result", p.Result, statusWidth(v))
	return e.Result()
}

// Unmarshal picks the layout by body length (9 or 12 bytes), else by v.
func (p *SubmitResp) Unmarshal(b []byte, v Version) error {
	layout := respLayout(len(b), submitResp20Len, submitResp30Len, v)
	d := rawDec(b, "submit_resp")
	p.MsgID = d.U64("Msg_Id")
	p.Result = d.uint("Result", statusWidth(layout))
	return d.Done()
}
