package sgip

import (
	"errors"
	"reflect"
	"testing"

	"hongyan/internal/proto/prototest"
)

// Fuzz targets: decoders must never panic, errors must wrap ErrMalformed,
// and whatever decodes must survive decode(encode(x)) == x.

func FuzzDecodeHeader(f *testing.F) {
	f.Add(unhex(f, vector5Bind))
	f.Add(unhex(f, vector5BindResp))
	f.Add(rawHeader(0xffffffff, CmdSubmit))
	f.Add(rawHeader(HeaderLen, CmdUnbind))
	f.Fuzz(func(t *testing.T, b []byte) {
		prototest.CheckHeader(t, Protocol{}, b, true)
		// Whole-PDU decoding must not panic either.
		_, _, _ = DecodePDU(b)
	})
}

// fuzzBody checks one body decoder.
func fuzzBody(t *testing.T, b []byte, newPDU func() PDU) {
	x := newPDU()
	if err := x.Unmarshal(b); prototest.Refused(t, err, "") {
		return
	}
	if HeaderLen+len(b) > MaxPDU {
		return // framing refuses such a body before it reaches a decoder
	}
	v := Standard
	switch p := x.(type) {
	case *Submit:
		if p.LinkID != "" {
			v = LinkIDVariant
		}
	case *Deliver:
		if p.LinkID != "" {
			v = LinkIDVariant
		}
	}
	enc, err := x.Marshal(nil, v)
	if err != nil {
		// A 1-byte MessageLength is re-encoded in 4: 3 bytes more may
		// cross the limit.
		if errors.Is(err, ErrInvalid) && HeaderLen+len(b)+3 > MaxPDU {
			return
		}
		t.Fatalf("re-encode of %+v: %v", x, err)
	}
	y := newPDU()
	if err := y.Unmarshal(enc); err != nil {
		t.Fatalf("decode of own encoding %x: %v", enc, err)
	}
	if !reflect.DeepEqual(x, y) {
		t.Fatalf("round trip\n  x %+v\n  y %+v", x, y)
	}
}

func seedBodies(f *testing.F, ps ...PDU) {
	for _, p := range ps {
		for _, v := range []Variant{Standard, LinkIDVariant} {
			if b, err := p.Marshal(nil, v); err == nil {
				f.Add(b)
			}
		}
	}
}

func FuzzBind(f *testing.F) {
	f.Add(unhex(f, vector5Bind)[HeaderLen:])
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Bind) }) })
}

// FuzzResp covers the five Result + Reserve responses and Unbind's.
func FuzzResp(f *testing.F) {
	f.Add(unhex(f, vector5BindResp)[HeaderLen:])
	f.Add([]byte{4})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, n := range []func() PDU{
			func() PDU { return new(BindResp) }, func() PDU { return new(SubmitResp) },
			func() PDU { return new(DeliverResp) }, func() PDU { return new(ReportResp) },
			func() PDU { return new(UserRptResp) }, func() PDU { return new(UnbindResp) },
			func() PDU { return new(Unbind) },
		} {
			fuzzBody(t, b, n)
		}
	})
}

func FuzzSubmit(f *testing.F) {
	s := sampleSubmit()
	s.LinkID = "LINK0001"
	seedBodies(f, sampleSubmit(), s, &Submit{UserNumber: []string{"8613012345678"}})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Submit) }) })
}

func FuzzDeliver(f *testing.F) {
	d := sampleDeliver()
	d.LinkID = "L"
	seedBodies(f, sampleDeliver(), d)
	f.Add(append(make([]byte, 45), 2, 'h', 'i', 0, 0, 0, 0, 0, 0, 0, 0)) // 1-byte MessageLength
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Deliver) }) })
}

func FuzzReport(f *testing.F) {
	seedBodies(f, sampleReport())
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Report) }) })
}

func FuzzUserRpt(f *testing.F) {
	seedBodies(f, &UserRpt{SPNumber: "10655", UserNumber: "8613012345678", UserCondition: 2})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(UserRpt) }) })
}

func FuzzTrace(f *testing.F) {
	seedBodies(f, &Trace{SubmitSeq: vector5Seq, UserNumber: "8613012345678"},
		&TraceResp{Nodes: []TraceNode{{NodeID: "101001"}, {Result: 1}}}, &TraceResp{})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(Trace) })
		fuzzBody(t, b, func() PDU { return new(TraceResp) })
	})
}
