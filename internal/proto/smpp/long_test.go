package smpp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"hongyan/internal/sms"
)

const longChinese = "鸿雁传书，千里一线。邮政短信平台把每一条通知准时送到用户手中，无论是包裹到达、汇款入账还是验证码，" +
	"都经由运营商网关可靠投递，并在状态报告回来时记录结果。长短信会被拆分并在接收端重新组合。"

func TestDecodeContent(t *testing.T) {
	payload := []byte{0x4f, 0x60, 0x59, 0x7d}
	sar := TLVs{}
	sar.SetSAR(0x1234, 3, 2)
	for _, tc := range []struct {
		name    string
		esm     uint8
		sm      []byte
		tlvs    TLVs
		via     ConcatVia
		concat  sms.Concat
		payload []byte
		udh     []byte
	}{
		{"plain", 0, payload, nil, ConcatNone, sms.Concat{}, payload, nil},
		{"udh 8-bit", EsmUDHI, append([]byte{5, 0, 3, 0x2a, 3, 1}, payload...), nil, ConcatUDH,
			sms.Concat{Ref: 0x2a, Total: 3, Seq: 1}, payload, []byte{5, 0, 3, 0x2a, 3, 1}},
		{"udh 16-bit", EsmUDHI, append([]byte{6, 8, 4, 0x12, 0x34, 3, 1}, payload...), nil, ConcatUDH,
			sms.Concat{Ref: 0x1234, Total: 3, Seq: 1, Ref16: true}, payload, []byte{6, 8, 4, 0x12, 0x34, 3, 1}},
		{"sar", 0, payload, sar, ConcatSAR, sms.Concat{Ref: 0x1234, Total: 3, Seq: 2, Ref16: true}, payload, nil},
		// The trap: both carry a reference (and they disagree). The UDH wins.
		{"udh and sar", EsmUDHI, append([]byte{5, 0, 3, 0x2a, 3, 1}, payload...), sar, ConcatUDH,
			sms.Concat{Ref: 0x2a, Total: 3, Seq: 1}, payload, []byte{5, 0, 3, 0x2a, 3, 1}},
		// A UDH without concatenation (a port element) is stripped; SAR
		// then supplies the concatenation.
		{"port udh and sar", EsmUDHI, append([]byte{6, 5, 4, 0x0b, 0x84, 0x23, 0xf0}, payload...), sar, ConcatSAR,
			sms.Concat{Ref: 0x1234, Total: 3, Seq: 2, Ref16: true}, payload, []byte{6, 5, 4, 0x0b, 0x84, 0x23, 0xf0}},
		{"message_payload", 0, nil, TLVs{{TagMessagePayload, payload}}, ConcatNone, sms.Concat{}, payload, nil},
		{"message_payload with udh", EsmUDHI, nil, TLVs{{TagMessagePayload, append([]byte{5, 0, 3, 7, 2, 2}, payload...)}}, ConcatUDH,
			sms.Concat{Ref: 7, Total: 2, Seq: 2}, payload, []byte{5, 0, 3, 7, 2, 2}},
		{"sar seq beyond total ignored", 0, payload, TLVs{{TagSarMsgRefNum, []byte{0, 1}}, {TagSarTotalSegments, []byte{2}}, {TagSarSegmentSeqnum, []byte{3}}},
			ConcatNone, sms.Concat{}, payload, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeContent(tc.esm, tc.sm, tc.tlvs)
			if err != nil {
				t.Fatal(err)
			}
			if c.Via != tc.via || c.HasConcat != (tc.via != ConcatNone) || c.Concat != tc.concat ||
				!bytes.Equal(c.Payload, tc.payload) || !bytes.Equal(c.UDH, tc.udh) {
				t.Fatalf("%+v", c)
			}
		})
	}
	if _, err := DecodeContent(EsmUDHI, []byte{9, 0, 3, 1}, nil); !errors.Is(err, sms.ErrMalformedUDH) {
		t.Fatalf("bad UDH: %v", err)
	}
}

// A long Chinese text split each way reassembles to the original.
func TestSplitSubmitReassembles(t *testing.T) {
	base := &SubmitSM{SourceAddr: "10658000", DestAddrTON: 1, DestinationAddr: "8613800138000", RegisteredDelivery: 1,
		TLVs: TLVs{{TagUserMessageReference, []byte{0, 9}}}}
	for _, mode := range []LongMode{LongUDH, LongSAR, LongPayload} {
		t.Run(mode.String(), func(t *testing.T) {
			parts, err := SplitSubmit(base, longChinese, sms.UCS2, 0x2a, mode)
			if err != nil {
				t.Fatal(err)
			}
			wantParts := map[LongMode]int{LongUDH: 2, LongSAR: 2, LongPayload: 1}[mode]
			if len(parts) != wantParts {
				t.Fatalf("%d parts", len(parts))
			}
			r := sms.NewReassembler(time.Minute)
			var whole []byte
			for i, p := range parts {
				b, err := p.Marshal(nil, V34) // every part is a valid PDU
				if err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
				var back SubmitSM
				if err := back.Unmarshal(b, V34); err != nil {
					t.Fatal(err)
				}
				if back.DataCoding != 8 || back.DestinationAddr != base.DestinationAddr || !back.TLVs.Has(TagUserMessageReference) {
					t.Fatalf("part %d lost fields: %+v", i, back)
				}
				c, err := back.Content()
				if err != nil {
					t.Fatal(err)
				}
				switch mode {
				case LongUDH:
					if c.Via != ConcatUDH || back.ESMClass&EsmUDHI == 0 || back.TLVs.Has(TagSarMsgRefNum) {
						t.Fatalf("udh part %+v", c)
					}
				case LongSAR:
					if c.Via != ConcatSAR || back.ESMClass&EsmUDHI != 0 || c.Concat.Ref != 0x2a || len(back.ShortMessage) > 134 {
						t.Fatalf("sar part %+v", c)
					}
				case LongPayload:
					if !c.FromPayload || len(back.ShortMessage) != 0 {
						t.Fatalf("payload part %+v", c)
					}
				}
				if !c.HasConcat {
					whole = c.Payload
					continue
				}
				if w, done := r.Add("k", c.Concat, c.Payload, time.Now()); done {
					whole = w
				}
			}
			if got := fromUCS2(whole); got != longChinese {
				t.Fatalf("reassembled %q", got)
			}
			if len(base.TLVs) != 1 || base.ESMClass != 0 {
				t.Fatal("base modified")
			}
		})
	}
	// A short text is one PDU without concatenation in every mode.
	for _, mode := range []LongMode{LongUDH, LongSAR} {
		parts, _ := SplitSubmit(base, "你好", sms.UCS2, 1, mode)
		if len(parts) != 1 || parts[0].ESMClass&EsmUDHI != 0 || parts[0].TLVs.Has(TagSarMsgRefNum) {
			t.Fatalf("%s short: %+v", mode, parts[0])
		}
	}
}

// SetSegment converts the core's UDH segments to SAR, and keeps the UDH
// when it holds more than SAR can say.
func TestSetSegment(t *testing.T) {
	parts, _ := sms.Split(strings.Repeat("邮", 100), sms.UCS2, 0x33)
	var s SubmitSM
	if err := s.SetSegment(parts[1].Content(), true, LongSAR); err != nil {
		t.Fatal(err)
	}
	if ref, tot, seq, ok := s.TLVs.SAR(); !ok || ref != 0x33 || tot != 2 || seq != 2 || s.ESMClass&EsmUDHI != 0 ||
		!bytes.Equal(s.ShortMessage, parts[1].Payload) {
		t.Fatalf("%+v", s)
	}
	// Back to UDH: the SAR TLVs go.
	if err := s.SetSegment(parts[1].Content(), true, LongUDH); err != nil || s.TLVs.Has(TagSarMsgRefNum) || s.ESMClass&EsmUDHI == 0 {
		t.Fatalf("%+v %v", s, err)
	}
	withPort := append([]byte{11, 0, 3, 1, 2, 1, 5, 4, 0x0b, 0x84, 0x23, 0xf0}, 'x')
	if err := s.SetSegment(withPort, true, LongSAR); err != nil || s.TLVs.Has(TagSarMsgRefNum) || !bytes.Equal(s.ShortMessage, withPort) {
		t.Fatalf("port UDH: %+v %v", s, err)
	}
	if err := s.SetSegment(make([]byte, 300), false, LongUDH); !errors.Is(err, ErrInvalid) {
		t.Fatal("300-byte segment accepted")
	}
	if err := s.SetSegment(make([]byte, 300), false, LongPayload); err != nil || len(s.ShortMessage) != 0 {
		t.Fatal("payload mode")
	}
	for _, m := range []string{"udh", "sar", "payload"} {
		if lm, err := ParseLongMode(m); err != nil || lm.String() != m {
			t.Errorf("ParseLongMode(%q)", m)
		}
	}
}
