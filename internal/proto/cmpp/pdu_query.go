package cmpp

// Query (CMPP_QUERY) asks the ISMG for traffic counts of one day.
type Query struct {
	Time      string // 8, YYYYMMDD
	QueryType uint8  // 0 totals, 1 by Service_Id
	QueryCode string // 10, the Service_Id when QueryType = 1
	Reserve   string // 8
}

// QueryResp (CMPP_QUERY_RESP): message counts, all u32.
type QueryResp struct {
	Time      string // 8
	QueryType uint8
	QueryCode string // 10
	MTTLMsg   uint32 // MT messages received from the SP
	MTTLUsr   uint32 // MT users
	MTScs     uint32 // MT forwarded successfully
	MTWT      uint32 // MT waiting
	MTFL      uint32 // MT failed
	MOScs     uint32 // MO delivered successfully
	MOWT      uint32 // MO waiting
	MOFL      uint32 // MO failed
}

func (*Query) CommandID() uint32 { return CmdQuery }

func (p *Query) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "query"}
	e.str("Time", p.Time, 8)
	e.u8(p.QueryType)
	e.str("Query_Code", p.QueryCode, 10)
	e.str("Reserve", p.Reserve, 8)
	return e.result()
}

func (p *Query) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "query")
	p.Time = d.str("Time", 8)
	p.QueryType = d.u8("Query_Type")
	p.QueryCode = d.str("Query_Code", 10)
	p.Reserve = d.str("Reserve", 8)
	return d.done()
}

func (*QueryResp) CommandID() uint32 { return CmdQueryResp }

func (p *QueryResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := enc{b: dst, pdu: "query_resp"}
	e.str("Time", p.Time, 8)
	e.u8(p.QueryType)
	e.str("Query_Code", p.QueryCode, 10)
	for _, n := range [...]uint32{p.MTTLMsg, p.MTTLUsr, p.MTScs, p.MTWT, p.MTFL, p.MOScs, p.MOWT, p.MOFL} {
		e.u32(n)
	}
	return e.result()
}

func (p *QueryResp) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "query_resp")
	p.Time = d.str("Time", 8)
	p.QueryType = d.u8("Query_Type")
	p.QueryCode = d.str("Query_Code", 10)
	for _, n := range [...]*uint32{&p.MTTLMsg, &p.MTTLUsr, &p.MTScs, &p.MTWT, &p.MTFL, &p.MOScs, &p.MOWT, &p.MOFL} {
		*n = d.u32("count")
	}
	return d.done()
}
