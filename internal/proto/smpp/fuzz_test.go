package smpp

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"hongyan/internal/proto/prototest"
)

// Fuzz targets: decoders never panic, errors wrap ErrMalformed, and
// whatever decodes survives decode(encode(x)) == x. Run each briefly:
//   go test -run '^$' -fuzz '^FuzzX$' -fuzztime 5s ./internal/proto/smpp/

func FuzzDecodeHeader(f *testing.F) {
	f.Add(unhex(f, vector4Bind))
	f.Add(unhex(f, vector4EnquireLink))
	f.Add(unhex(f, vector4BindResp))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range []Protocol{NewProtocol(V34), {Version: V33, ESME: true}} {
			prototest.CheckHeader(t, p, b, !p.ESME)
			_, _, _ = DecodePDU(b, p.Version) // whole-PDU decoding must not panic either
		}
	})
}

// roundTrip checks a body decoder in both versions; a refusal must carry
// the status its response would have.
var roundTrip = &prototest.RoundTrip[Version, PDU]{
	Versions: versions,
	Refusal: func(err error) error {
		if !isMalformed(err) {
			return fmt.Errorf("error %v does not wrap ErrMalformed", err)
		}
		var de *DecodeError
		if !errors.As(err, &de) || de.Status == ESME_ROK {
			return fmt.Errorf("%v carries no refusal status", err)
		}
		return nil
	},
	MayFail: func(x PDU, _ Version, err error) bool {
		return errors.Is(err, ErrInvalid) && acceptedNotSent(x) // liberal in what we accept, strict in what we send
	},
}

// fuzzBody checks one body decoder in vs, every version when none.
func fuzzBody(t *testing.T, b []byte, newPDU func() PDU, vs ...Version) {
	t.Helper()
	r := roundTrip
	if len(vs) > 0 {
		c := *roundTrip
		c.Versions = vs
		r = &c
	}
	r.Check(t, b, newPDU)
}

// acceptedNotSent lists what decoders accept and encoders refuse: time
// fields not 0 or 16 characters, sm_length 255, short_message beside
// message_payload, 255 destinations.
func acceptedNotSent(p PDU) bool {
	badTime := func(ss ...string) bool {
		for _, s := range ss {
			if s != "" && len(s) != 16 {
				return true
			}
		}
		return false
	}
	sm := func(m []byte, t TLVs) bool { return len(m) > MaxShortMessage || len(m) > 0 && t.Has(TagMessagePayload) }
	switch x := p.(type) {
	case *SubmitSM:
		return badTime(x.ScheduleDeliveryTime, x.ValidityPeriod) || sm(x.ShortMessage, x.TLVs)
	case *DeliverSM:
		return badTime(x.ScheduleDeliveryTime, x.ValidityPeriod) || sm(x.ShortMessage, x.TLVs)
	case *SubmitMulti:
		return badTime(x.ScheduleDeliveryTime, x.ValidityPeriod) || sm(x.ShortMessage, x.TLVs) || len(x.Dests) > MaxDests
	case *ReplaceSM:
		return badTime(x.ScheduleDeliveryTime, x.ValidityPeriod) || len(x.ShortMessage) > MaxShortMessage
	case *QuerySMResp:
		return badTime(x.FinalDate)
	}
	return false
}

func FuzzBind(f *testing.F) {
	f.Add(unhex(f, vector4Bind)[HeaderLen:])
	f.Add(unhex(f, vector4BindResp)[HeaderLen:])
	roundTrip.Seed(f, &BindResp{Mode: BindTransceiver, SystemID: "S", TLVs: TLVs{{TagScInterfaceVersion, []byte{0x34}}}},
		&Outbind{SystemID: "SMSC", Password: "pw"})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return &Bind{Mode: BindTransmitter} })
		fuzzBody(t, b, func() PDU { return &Bind{Mode: BindTransceiver} }, V34)
		fuzzBody(t, b, func() PDU { return &BindResp{Mode: BindReceiver} })
		fuzzBody(t, b, func() PDU { return new(Outbind) })
	})
}

func FuzzSubmitSM(f *testing.F) {
	roundTrip.Seed(f, sampleSubmit(V34), sampleSubmit(V33),
		&DeliverSM{ESMClass: EsmDeliveryReceipt, ShortMessage: []byte("id:1 stat:DELIVRD"),
			TLVs: TLVs{{TagReceiptedMessageID, []byte("1\x00")}, {TagMessageState, []byte{2}}}},
		&SubmitSM{TLVs: TLVs{{TagMessagePayload, []byte("payload")}}})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(SubmitSM) })
		fuzzBody(t, b, func() PDU { return new(DeliverSM) })
	})
}

func FuzzSubmitMulti(f *testing.F) {
	roundTrip.Seed(f, &SubmitMulti{SourceAddr: "1", Dests: []DestAddress{{Flag: 1, TON: 1, Addr: "8613800138000"}, {Flag: 2, Addr: "dl"}},
		ShortMessage: []byte("x"), TLVs: TLVs{{TagUserMessageReference, []byte{0, 1}}}},
		&SubmitMultiResp{MessageID: "1", Unsuccess: []UnsuccessSME{{TON: 1, Addr: "2", Status: 0x33}}})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(SubmitMulti) })
		fuzzBody(t, b, func() PDU { return new(SubmitMultiResp) })
	})
}

func FuzzDataSM(f *testing.F) {
	roundTrip.Seed(f, &DataSM{SourceAddr: "1", DestinationAddr: "2", TLVs: TLVs{{TagMessagePayload, []byte("hello")}}},
		&DataSMResp{MessageID: "9", TLVs: TLVs{{TagDeliveryFailureReason, []byte{1}}}},
		&AlertNotification{SourceAddr: "1", ESMEAddr: "2", TLVs: TLVs{{TagMsAvailabilityStatus, []byte{0}}}})
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBody(t, b, func() PDU { return new(DataSM) }, V34)
		fuzzBody(t, b, func() PDU { return new(DataSMResp) })
		fuzzBody(t, b, func() PDU { return new(AlertNotification) }, V34)
	})
}

// FuzzOtherBodies covers the responses and the query/cancel/replace family.
func FuzzOtherBodies(f *testing.F) {
	roundTrip.Seed(f, &SubmitSMResp{MessageID: "0A1B"}, &DeliverSMResp{}, &QuerySM{MessageID: "1", SourceAddr: "2"},
		&QuerySMResp{MessageID: "1", FinalDate: "250116170100004+", MessageState: 2},
		&CancelSM{MessageID: "1", SourceAddr: "2", DestinationAddr: "3"},
		&ReplaceSM{MessageID: "1", ShortMessage: []byte("x")})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, mk := range []func() PDU{
			func() PDU { return new(SubmitSMResp) }, func() PDU { return new(DeliverSMResp) },
			func() PDU { return new(QuerySM) }, func() PDU { return new(QuerySMResp) },
			func() PDU { return new(CancelSM) }, func() PDU { return new(ReplaceSM) },
			func() PDU { return new(GenericNack) }, func() PDU { return new(UnbindResp) },
		} {
			fuzzBody(t, b, mk)
		}
	})
}

func FuzzTLVs(f *testing.F) {
	b, _ := AppendTLVs(nil, sampleSubmit(V34).TLVs)
	f.Add(b)
	f.Add([]byte{0x04, 0x24, 0x00, 0x02, 'h', 'i'})
	f.Fuzz(func(t *testing.T, b []byte) {
		tl, err := ParseTLVs(b)
		if err != nil {
			if StatusOf(err) != ESME_RINVOPTPARSTREAM || !isMalformed(err) {
				t.Fatalf("error %v", err)
			}
			return
		}
		out, err := AppendTLVs(nil, tl)
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("re-encode %x → %x %v", b, out, err)
		}
		_, _, _, _ = tl.SAR()
		_, _, _ = tl.NetworkErrorCode()
		_, _ = tl.ReceiptedMessageID()
		if _, err := DecodeContent(EsmUDHI, nil, tl); err != nil && !bytes.Contains([]byte(err.Error()), []byte("header")) {
			t.Fatalf("content: %v", err)
		}
	})
}

func FuzzReceiptText(f *testing.F) {
	for _, s := range []string{
		"id:1234567890 sub:001 dlvrd:001 submit date:0610191018 done date:0610191018 stat:DELIVRD err:000 text:Hello",
		"ID:77 SUBMIT_DATE:2301011200 stat:UNDELIV Text:a:b",
		"id: 1 , stat : x", "text:", "id:", ":", "submit  date:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseReceiptText(s)
		if ok != (r.TextID != "" || r.TextStat != "") {
			t.Fatalf("ok %v for %+v", ok, r)
		}
		if r.State != StateOf(r.TextStat) || r.ID != r.TextID {
			t.Fatalf("derived fields %+v", r)
		}
		_, _ = r.SubmitTime(nil)
		_ = FormatReceiptText(r)
		d := &DeliverSM{ESMClass: EsmDeliveryReceipt, DataCoding: 8, ShortMessage: []byte(s)}
		_, _ = d.Receipt()
	})
}

func FuzzDecodeContent(f *testing.F) {
	f.Add(uint8(EsmUDHI), []byte{5, 0, 3, 1, 2, 1, 'a'})
	f.Add(uint8(EsmUDHI), []byte{6, 8, 4, 0, 1, 2, 2, 'b'})
	f.Add(uint8(0), []byte("plain"))
	f.Fuzz(func(t *testing.T, esm uint8, sm []byte) {
		var tl TLVs
		tl.SetSAR(7, 3, 1)
		c, err := DecodeContent(esm, sm, tl)
		if err != nil {
			return
		}
		if !bytes.HasSuffix(sm, c.Payload) || len(c.UDH)+len(c.Payload) != len(sm) {
			t.Fatalf("payload %x not the rest of %x", c.Payload, sm)
		}
		if c.HasConcat && (c.Concat.Seq < 1 || c.Concat.Seq > c.Concat.Total) {
			t.Fatalf("concat %+v", c.Concat)
		}
	})
}
