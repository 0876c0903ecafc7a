package smgp

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"hongyan/internal/proto/prototest"
)

// Fuzz targets: decoders must never panic, errors must wrap ErrMalformed,
// and whatever decodes must survive a round trip through our encoder.

func FuzzDecodeHeader(f *testing.F) {
	f.Add(unhex(f, vector6Login))
	f.Add(unhex(f, "00 00 00 0c 00 00 00 04 00 00 00 02"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		prototest.CheckHeader(t, Protocol{}, b, true)
		for _, v := range allVersions {
			_, _, _ = DecodePDU(b, v) // must not panic
		}
	})
}

// fuzzBody checks one body decoder in every version's layout.
func fuzzBody(t *testing.T, b []byte, newPDU func() PDU) {
	for _, v := range allVersions {
		x := newPDU()
		if err := x.Unmarshal(b, v); prototest.Refused(t, err, v.String()) {
			continue
		}
		if HeaderLen+len(b) > MaxPDU {
			continue // framing refuses such a body before it reaches a decoder
		}
		if !v.HasTLV() { // kept when received, never sent before 3.0
			switch p := x.(type) {
			case *Submit:
				p.TLVs = nil
			case *Deliver:
				p.TLVs = nil
			}
		}
		enc, err := x.Marshal(nil, v)
		if err != nil {
			if errors.Is(err, ErrInvalid) && reencodeMayFail(x) {
				continue
			}
			t.Fatalf("%s: re-encode of %+v: %v", v, x, err)
		}
		y := newPDU()
		if err := y.Unmarshal(enc, v); err != nil {
			t.Fatalf("%s: decode of own encoding %x: %v", v, enc, err)
		}
		if d, ok := x.(*Deliver); ok && d.Report != nil {
			// A tolerant report parse is canonicalised once; from then on
			// the round trip must be exact.
			x, y = y, newPDU()
			enc, _ = x.Marshal(nil, v)
			if err := y.Unmarshal(enc, v); err != nil {
				t.Fatalf("%s: second round: %v", v, err)
			}
		}
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("%s: round trip\n  x %+v\n  y %+v", v, x, y)
		}
	}
}

// reencodeMayFail: what decoding accepts beyond what we send — more than
// 100 destinations, report fields longer than the canonical layout.
func reencodeMayFail(x PDU) bool {
	switch p := x.(type) {
	case *Submit:
		return len(p.DestTermID) > MaxDestinations
	case *Deliver:
		return p.Report != nil
	}
	return false
}

func seedBodies(f *testing.F, ps ...PDU) {
	for _, p := range ps {
		for _, v := range allVersions {
			if b, err := p.Marshal(nil, v); err == nil {
				f.Add(b)
			}
		}
	}
}

func FuzzLogin(f *testing.F) {
	f.Add(unhex(f, vector6Login)[HeaderLen:])
	seedBodies(f, &LoginResp{Status: 21, ServerVersion: V30})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(Login) })
		fuzzBody(t, b, func() PDU { return new(LoginResp) })
	})
}

func FuzzSubmit(f *testing.F) {
	long := &Submit{DestTermID: []string{"13300000001"}, MsgContent: unhex(f, "05 00 03 2a 03 01 4f 60")}
	long.TLVs.SetByte(TagTPUDHI, 1)
	seedBodies(f, sampleSubmit(), long)
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Submit) }) })
}

func FuzzDeliver(f *testing.F) {
	seedBodies(f,
		&Deliver{SrcTermID: "13300000001", DestTermID: "10690000", MsgContent: []byte("hi"), TLVs: TLVs{{Tag: TagLinkID, Value: []byte("x")}}},
		&Deliver{Report: sampleReport()})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, b, func() PDU { return new(Deliver) }) })
}

func FuzzResponses(f *testing.F) {
	seedBodies(f, &SubmitResp{MsgID: rptID, Status: 75}, &DeliverResp{Status: 10})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(SubmitResp) })
		fuzzBody(t, b, func() PDU { return new(DeliverResp) })
	})
}

func FuzzQuery(f *testing.F) {
	seedBodies(f, &Query{QueryTime: "20250116", QueryType: 1, QueryCode: "HELP"}, &QueryResp{QueryTime: "20250116", MTTLMsg: 5})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(Query) })
		fuzzBody(t, b, func() PDU { return new(QueryResp) })
	})
}

// The TLV walker: what parses re-encodes to the same bytes.
func FuzzTLV(f *testing.F) {
	f.Add(unhex(f, "0002 0001 01 0009 0001 03 000a 0001 01"))
	f.Add(unhex(f, "0003 0014 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := ParseTLVs(b)
		if prototest.Refused(t, err, "") {
			return
		}
		e := wireProto.Enc(nil, "tlv")
		e.TLVs(ts)
		if e.Err != nil || !bytes.Equal(e.B, b) {
			t.Fatalf("re-encode %x → %x (%v)", b, e.B, e.Err)
		}
	})
}

// The report parser: tolerant on input, idempotent once canonical.
func FuzzReport(f *testing.F) {
	canon, _ := sampleReport().Marshal(nil)
	f.Add(canon)
	f.Add([]byte("id:01006101161700012345 sub:001 dlvrd:001 submit date:2501161700 done date:2501161701 stat:DELIVRD err:0 text: "))
	f.Add([]byte("ID:0123456789 Stat:UNDELIV Err:005 Txt:abc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReport(b)
		if prototest.Refused(t, err, "") {
			return
		}
		enc, err := r.Marshal(nil)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatal(err)
			}
			return
		}
		r2, err := ParseReport(enc)
		if err != nil {
			t.Fatalf("own encoding %q: %v", enc, err)
		}
		if r2.MsgID != r.MsgID || r2.Stat != r.Stat || r2.Text != r.Text {
			t.Fatalf("lost fields\n  %+v\n  %+v", r, r2)
		}
		enc2, err := r2.Marshal(nil)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("not idempotent %q → %q (%v)", enc, enc2, err)
		}
	})
}
