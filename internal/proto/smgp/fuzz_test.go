package smgp

import (
	"bytes"
	"errors"
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

// roundTrip checks a body decoder in every version's layout: what is
// accepted beyond what we send (more than 100 destinations, report fields
// longer than the canonical layout) may fail to re-encode, and a tolerant
// report parse is canonicalised once.
var roundTrip = &prototest.RoundTrip[Version, PDU]{
	Versions: allVersions,
	Fits:     func(n int, _ Version) bool { return HeaderLen+n <= MaxPDU },
	Normalize: func(x PDU, v Version) {
		if !v.HasTLV() { // kept when received, never sent before 3.0
			switch p := x.(type) {
			case *Submit:
				p.TLVs = nil
			case *Deliver:
				p.TLVs = nil
			}
		}
	},
	MayFail: func(x PDU, _ Version, err error) bool {
		if !errors.Is(err, ErrInvalid) {
			return false
		}
		switch p := x.(type) {
		case *Submit:
			return len(p.DestTermID) > MaxDestinations
		case *Deliver:
			return p.Report != nil
		}
		return false
	},
	Reparse: func(x PDU) bool { d, ok := x.(*Deliver); return ok && d.Report != nil },
}

func FuzzLogin(f *testing.F) {
	f.Add(unhex(f, vector6Login)[HeaderLen:])
	roundTrip.Seed(f, &LoginResp{Status: 21, ServerVersion: V30})
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip.Check(t, b, func() PDU { return new(Login) })
		roundTrip.Check(t, b, func() PDU { return new(LoginResp) })
	})
}

func FuzzSubmit(f *testing.F) {
	long := &Submit{DestTermID: []string{"13300000001"}, MsgContent: unhex(f, "05 00 03 2a 03 01 4f 60")}
	long.TLVs.SetByte(TagTPUDHI, 1)
	roundTrip.Seed(f, sampleSubmit(), long)
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Submit) }) })
}

func FuzzDeliver(f *testing.F) {
	roundTrip.Seed(f,
		&Deliver{SrcTermID: "13300000001", DestTermID: "10690000", MsgContent: []byte("hi"), TLVs: TLVs{{Tag: TagLinkID, Value: []byte("x")}}},
		&Deliver{Report: sampleReport()})
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Deliver) }) })
}

func FuzzResponses(f *testing.F) {
	roundTrip.Seed(f, &SubmitResp{MsgID: rptID, Status: 75}, &DeliverResp{Status: 10})
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip.Check(t, b, func() PDU { return new(SubmitResp) })
		roundTrip.Check(t, b, func() PDU { return new(DeliverResp) })
	})
}

func FuzzQuery(f *testing.F) {
	roundTrip.Seed(f, &Query{QueryTime: "20250116", QueryType: 1, QueryCode: "HELP"}, &QueryResp{QueryTime: "20250116", MTTLMsg: 5})
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip.Check(t, b, func() PDU { return new(Query) })
		roundTrip.Check(t, b, func() PDU { return new(QueryResp) })
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
