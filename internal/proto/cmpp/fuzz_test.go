package cmpp

import (
	"errors"
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

// roundTrip checks a body decoder in both layouts. Responses are decoded
// in the layout their length says and re-encoded in that one. The one
// legitimate re-encode failure: a 71-byte report whose number does not fit
// the 2.0 layout it would be re-encoded in.
var roundTrip = &prototest.RoundTrip[Version, PDU]{
	Versions: []Version{V20, V30},
	Fits:     func(n int, v Version) bool { return HeaderLen+n <= MaxPDU(v) },
	Layout:   wireLayout,
	MayFail: func(x PDU, v Version, err error) bool {
		d, ok := x.(*Deliver)
		return ok && d.Report != nil && !v.Is30() && errors.Is(err, ErrInvalid)
	},
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

func FuzzConnect(f *testing.F) {
	f.Add(unhex(f, vector1Connect)[HeaderLen:])
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Connect) }) })
}

func FuzzConnectResp(f *testing.F) {
	f.Add(unhex(f, "00 00 00 00 cc 31 4d 5d f1 ae 13 b0 9f 72 16 74 94 7b 5d 28 30"))
	roundTrip.Seed(f, &ConnectResp{Status: 3, Version: V20})
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(ConnectResp) }) })
}

func FuzzSubmit(f *testing.F) {
	roundTrip.Seed(f, sampleSubmit(V20), sampleSubmit(V30),
		&Submit{TPUDHI: 1, PkTotal: 3, PkNumber: 1, DestTerminalID: []string{"13800138000"},
			MsgContent: unhex(f, "05 00 03 2a 03 01 4f 60")})
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Submit) }) })
}

func FuzzSubmitResp(f *testing.F) {
	roundTrip.Seed(f, &SubmitResp{MsgID: 0x18440000274D0001, Result: 8})
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(SubmitResp) }) })
}

func FuzzDeliver(f *testing.F) {
	roundTrip.Seed(f,
		&Deliver{MsgID: 1, DestID: "10658000", SrcTerminalID: "13800138000", MsgContent: []byte("hi")},
		&Deliver{MsgID: 2, Report: sampleReport(V20)},
		&Deliver{MsgID: 3, Report: sampleReport(V30)})
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Deliver) }) })
}

func FuzzDeliverResp(f *testing.F) {
	roundTrip.Seed(f, &DeliverResp{MsgID: 9, Result: 1})
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(DeliverResp) }) })
}

func FuzzQuery(f *testing.F) {
	roundTrip.Seed(f, &Query{Time: "20250116", QueryType: 1, QueryCode: "HELP"},
		&QueryResp{Time: "20250116", MTTLMsg: 5})
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip.Check(t, b, func() PDU { return new(Query) })
		roundTrip.Check(t, b, func() PDU { return new(QueryResp) })
	})
}

func FuzzCancel(f *testing.F) {
	roundTrip.Seed(f, &Cancel{MsgID: 0xB2B9DA8000010000}, &CancelResp{SuccessID: 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip.Check(t, b, func() PDU { return new(Cancel) })
		roundTrip.Check(t, b, func() PDU { return new(CancelResp) })
	})
}
