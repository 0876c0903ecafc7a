package cngp

import (
	"bytes"
	"errors"
	"testing"

	"hongyan/internal/proto/prototest"
)

// Fuzz targets: decoders must never panic, errors must wrap ErrMalformed,
// and whatever decodes must survive a round trip through our encoder.

func FuzzDecodeHeader(f *testing.F) {
	f.Add(unhex(f, vectorLogin))
	f.Add(unhex(f, vectorSubmitResp))
	f.Add(unhex(f, "00 00 00 10 00 00 00 04 00 00 00 00 00 00 00 02"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		prototest.CheckHeader(t, Protocol{}, b, true)
		for _, v := range allVersions {
			_, _, _ = DecodePDU(b, v) // must not panic
		}
	})
}

// roundTrip checks a body decoder in every version's layout: what is
// accepted beyond what we send (more than 100 destinations, 255 bytes of
// content, report fields longer than the canonical layout, a Forward SPID
// TLV longer than 10) may fail to re-encode, and a tolerant report parse
// is canonicalised once.
var roundTrip = &prototest.RoundTrip[Version, PDU]{
	Versions: allVersions,
	Fits:     func(n int, _ Version) bool { return HeaderLen+n <= MaxPDU },
	Normalize: func(x PDU, v Version) {
		if f, ok := x.(*Forward); ok && !v.HasForwardSPID() {
			f.SPID = "" // understood when received, never sent in 1.0
		}
	},
	MayFail: func(x PDU, _ Version, err error) bool {
		if !errors.Is(err, ErrInvalid) {
			return false
		}
		switch p := x.(type) {
		case *Submit:
			return len(p.DestTermID) > MaxDestinations || len(p.MsgContent) > MaxContent
		case *Deliver:
			return p.Report != nil || len(p.MsgContent) > MaxContent
		case *Forward:
			return len(p.SPID) > 10 || len(p.MsgContent) > MaxContent
		}
		return false
	},
	Reparse: func(x PDU) bool { d, ok := x.(*Deliver); return ok && d.Report != nil },
}

func FuzzLogin(f *testing.F) {
	f.Add(unhex(f, vectorLogin)[HeaderLen:])
	f.Add(unhex(f, vectorLoginResp)[HeaderLen:])
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip.Check(t, b, func() PDU { return new(Login) })
		roundTrip.Check(t, b, func() PDU { return new(LoginResp) })
	})
}

func FuzzSubmit(f *testing.F) {
	f.Add(unhex(f, vectorSubmit)[HeaderLen:])
	roundTrip.Seed(f, sampleSubmit())
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Submit) }) })
}

func FuzzDeliver(f *testing.F) {
	f.Add(unhex(f, vectorReportDeliver)[HeaderLen:])
	roundTrip.Seed(f,
		&Deliver{SrcTermID: "13300000001", DestTermID: "10690000", MsgContent: []byte("hi"), TLVs: TLVs{{Tag: TagProtocolID, Value: []byte{0}}}},
		&Deliver{Report: sampleReport()})
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Deliver) }) })
}

func FuzzForward(f *testing.F) {
	roundTrip.Seed(f, sampleForward())
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip.Check(t, b, func() PDU { return new(Forward) }) })
}

func FuzzResponses(f *testing.F) {
	f.Add(unhex(f, vectorSubmitResp)[HeaderLen:])
	f.Add(unhex(f, vectorDeliverResp)[HeaderLen:])
	f.Add(unhex(f, "01 00 61 01 16 17 01 00 00 07 00 00 00 00 00")) // the SMProxy's Deliver_Resp
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip.Check(t, b, func() PDU { return new(SubmitResp) })
		roundTrip.Check(t, b, func() PDU { return new(DeliverResp) })
		roundTrip.Check(t, b, func() PDU { return new(ForwardResp) })
	})
}

// The TLV walker: what parses re-encodes to the same bytes.
func FuzzTLV(f *testing.F) {
	f.Add(unhex(f, "0100 0001 00 0428 0001 00"))
	f.Add(unhex(f, "0101 000a 00"))
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
	f.Add(unhex(f, vectorReportDeliver)[16+69 : 16+69+ReportLen])
	f.Add([]byte("id:01006101161700012345 sub:001 dlvrd:001;submit_date:2501161700 done_date:2501161701 stat:DELIVRD;err:0;txt: "))
	f.Add([]byte("ID:0123456789 Stat:UNDELIV Err:005 Text:abc"))
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
		if r2.MsgID != r.MsgID || r2.Stat != r.Stat || r2.Txt != r.Txt {
			t.Fatalf("lost fields\n  %+v\n  %+v", r, r2)
		}
		enc2, err := r2.Marshal(nil)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("not idempotent %q → %q (%v)", enc, enc2, err)
		}
	})
}
