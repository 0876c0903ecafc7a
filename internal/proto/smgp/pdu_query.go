package smgp

// Query asks the SMGW for one day's traffic counts (optional in the spec).
type Query struct {
	QueryTime string // 8, YYYYMMDD
	QueryType uint8  // 0 totals, 1 by QueryCode (service code)
	QueryCode string // 10
}

// QueryResp carries the counts asked for.
type QueryResp struct {
	QueryTime string // 8
	QueryType uint8
	QueryCode string // 10
	MTTLMsg   uint32 // MT messages received from the SP
	MTTLUsr   uint32 // MT users
	MTScs     uint32 // MT forwarded successfully
	MTWT      uint32 // MT waiting
	MTFL      uint32 // MT failed
	MOScs     uint32 // MO delivered to the SP
	MOWT      uint32 // MO waiting
	MOFL      uint32 // MO failed
	Reserve   string // 8
}

func (*Query) CommandID() uint32     { return CmdQuery }
func (*QueryResp) CommandID() uint32 { return CmdQueryResp }

func (p *Query) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "query")
	e.Str("QueryTime", p.QueryTime, 8)
	e.U8(p.QueryType)
	e.Str("QueryCode", p.QueryCode, 10)
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *Query) Unmarshal(b []byte, _ Version) error {
	d := wireProto.Dec(b, "query")
	p.QueryTime = d.Str("QueryTime", 8)
	p.QueryType = d.U8("QueryType")
	p.QueryCode = d.Str("QueryCode", 10)
	return d.Done()
}

func (p *QueryResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := wireProto.Enc(dst, "query_resp")
	e.Str("QueryTime", p.QueryTime, 8)
	e.U8(p.QueryType)
	e.Str("QueryCode", p.QueryCode, 10)
	for _, v := range []uint32{p.MTTLMsg, p.MTTLUsr, p.MTScs, p.MTWT, p.MTFL, p.MOScs, p.MOWT, p.MOFL} {
		e.U32(v)
	}
	e.Str("Reserve", p.Reserve, 8)
	return e.Done(dst, HeaderLen, MaxPDU)
}

func (p *QueryResp) Unmarshal(b []byte, _ Version) error {
	d := wireProto.Dec(b, "query_resp")
	p.QueryTime = d.Str("QueryTime", 8)
	p.QueryType = d.U8("QueryType")
	p.QueryCode = d.Str("QueryCode", 10)
	for _, f := range []*uint32{&p.MTTLMsg, &p.MTTLUsr, &p.MTScs, &p.MTWT, &p.MTFL, &p.MOScs, &p.MOWT, &p.MOFL} {
		*f = d.U32("count")
	}
	p.Reserve = d.Str("Reserve", 8)
	return d.Done()
}
