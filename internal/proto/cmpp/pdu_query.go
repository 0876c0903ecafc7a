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
	e := newEnc(dst, "query")
	e.Str("Time", p.Time, 8)
	e.U8(p.QueryType)
	e.Str("Query_Code", p.QueryCode, 10)
	e.Str("Reserve", p.Reserve, 8)
	return e.Result()
}

func (p *Query) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "query")
	p.Time = d.Str("Time", 8)
	p.QueryType = d.U8("Query_Type")
	p.QueryCode = d.Str("Query_Code", 10)
	p.Reserve = d.Str("Reserve", 8)
	return d.Done()
}

func (*QueryResp) CommandID() uint32 { return CmdQueryResp }

func (p *QueryResp) Marshal(dst []byte, _ Version) ([]byte, error) {
	e := newEnc(dst, "query_resp")
	e.Str("Time", p.Time, 8)
	e.U8(p.QueryType)
	e.Str("Query_Code", p.QueryCode, 10)
	for _, n := range [...]uint32{p.MTTLMsg, p.MTTLUsr, p.MTScs, p.MTWT, p.MTFL, p.MOScs, p.MOWT, p.MOFL} {
		e.U32(n)
	}
	return e.Result()
}

func (p *QueryResp) Unmarshal(b []byte, _ Version) error {
	d := newDec(b, "query_resp")
	p.Time = d.Str("Time", 8)
	p.QueryType = d.U8("Query_Type")
	p.QueryCode = d.Str("Query_Code", 10)
	for _, n := range [...]*uint32{&p.MTTLMsg, &p.MTTLUsr, &p.MTScs, &p.MTWT, &p.MTFL, &p.MOScs, &p.MOWT, &p.MOFL} {
		*n = d.U32("count")
	}
	return d.Done()
}
