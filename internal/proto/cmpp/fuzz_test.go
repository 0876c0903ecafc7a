package cmpp

import (
	"errors"
	"reflect"
	"testing"

	"hongyan/internal/proto/prototest"
)

// Fuzz targets: decoders must never panic, errors must wrap ErrMalformed,
// and whatever decodes must survive decode(encode(x)) == x.

func FuzzDecodeHeader(f *testing.F) {
	f.Add(unhex(f, vector1Connect))
	f.Add(unhex(f, "00 00 00 0c 00 00 00 08 00 00 00 02"))
	f.Add(unhex(f, "00 00 00 0d 80 00 00 08 00 00 00 02 00"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range []Version{V20, V30} {
			prototest.CheckHeader(t, NewProtocol(v), b, true)
			// Whole-PDU decoding must not panic either.
			_, _, _ = DecodePDU(b, v)
		}
	})
}

// fuzzBody checks one body decoder in both layouts.
func fuzzBody(t *testing.T, b []byte, newPDU func() PDU) {
	for _, v := range []Version{V20, V30} {
		x := newPDU()
		if err := x.Unmarshal(b, v); prototest.Refused(t, err, v.String()) {
			continue
		}
		if HeaderLen+len(b) > MaxPDU(v) {
			continue // framing refuses such a body before it reaches a decoder
		}
		// Responses are decoded in the layout their length says; re-encode
		// in that one.
		ev := wireLayout(x, b, v)
		enc, err := x.Marshal(nil, ev)
		if err != nil {
			// The one legitimate case: a 71-byte report whose number does
			// not fit the 2.0 layout it would be re-encoded in.
			if d, ok := x.(*Deliver); ok && d.Report != nil && !v.Is30() && errors.Is(err, ErrInvalid) {
				continue
			}
			t.Fatalf("%s: re-encode of %+v: %v", v, x, err)
		}
		y := newPDU()
		if err := y.Unmarshal(enc, ev); err != nil {
			t.Fatalf("%s: decode of own encoding %x: %v", v, enc, err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("%s: round trip\n  x %+v\n  y %+v", v, x, y)
		}
	}
}

// wireLayout is the layout a body of x's type and length decodes in.
func wireLayout(x PDU, b []byte, v Version) Version {
	switch x.(type) {
	case *ConnectResp:
		return respLayout(len(b), connectResp20Len, connectResp30Len, v)
	case *SubmitResp:
		return respLayout(len(b), submitResp20Len, submitResp30Len, v)
	case *DeliverResp:
		return respLayout(len(b), deliverResp20Len, deliverResp30Len, v)
	case *CancelResp:
		return respLayout(len(b), cancelResp20Len, cancelResp30Len, v)
	}
	return v
}

func seedBodies(f *testing.F, ps ...PDU) {
	for _, p := range ps {
		for _, v := range []Version{V20, V30} {
			if b, err := p.Marshal(nil, v); err == nil {
				f.Add(b)
			}
		}
	}
}

func FuzzConnect(f *testing.F) {
	f.Add(unhex(f, vector1Connect)[HeaderLen:])
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Connect) }) })
}

func FuzzConnectResp(f *testing.F) {
	f.Add(unhex(f, "00 00 00 00 cc 31 4d 5d f1 ae 13 b0 9f 72 16 74 94 7b 5d 28 30"))
	seedBodies(f, &ConnectResp{Status: 3, Version: V20})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(ConnectResp) }) })
}

func FuzzSubmit(f *testing.F) {
	seedBodies(f, sampleSubmit(V20), sampleSubmit(V30),
		&Submit{TPUDHI: 1, PkTotal: 3, PkNumber: 1, DestTerminalID: []string{"13800138000"},
			MsgContent: unhex(f, "05 00 03 2a 03 01 4f 60")})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Submit) }) })
}

func FuzzSubmitResp(f *testing.F) {
	seedBodies(f, &SubmitResp{MsgID: 0x18440000274D0001, Result: 8})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(SubmitResp) }) })
}

func FuzzDeliver(f *testing.F) {
	seedBodies(f,
		&Deliver{MsgID: 1, DestID: "10658000", SrcTerminalID: "13800138000", MsgContent: []byte("hi")},
		&Deliver{MsgID: 2, Report: sampleReport(V20)},
		&Deliver{MsgID: 3, Report: sampleReport(V30)})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Deliver) }) })
}

func FuzzDeliverResp(f *testing.F) {
	seedBodies(f, &DeliverResp{MsgID: 9, Result: 1})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(DeliverResp) }) })
}

func FuzzQuery(f *testing.F) {
	seedBodies(f, &Query{Time: "20250116", QueryType: 1, QueryCode: "HELP"},
		&QueryResp{Time: "20250116", MTTLMsg: 5})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(Query) })
		fuzzBody(t, b, func() PDU { return new(QueryResp) })
	})
}

func FuzzCancel(f *testing.F) {
	seedBodies(f, &Cancel{MsgID: 0xB2B9DA8000010000}, &CancelResp{SuccessID: 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(Cancel) })
		fuzzBody(t, b, func() PDU { return new(CancelResp) })
	})
}
