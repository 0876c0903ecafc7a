package smpp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var versions = []Version{V33, V34}

// tl builds TLVs only where the version has them.
func tl(v Version, t TLVs) TLVs {
	if !v.HasTLV() {
		return nil
	}
	return t
}

func sampleSubmit(v Version) *SubmitSM {
	return &SubmitSM{
		ServiceType: "CMT", SourceAddrTON: 5, SourceAddrNPI: 0, SourceAddr: "Hongyan",
		DestAddrTON: 1, DestAddrNPI: 1, DestinationAddr: "8613800138000",
		ESMClass: EsmUDHI, ProtocolID: 0, PriorityFlag: 1,
		ScheduleDeliveryTime: "", ValidityPeriod: "000001000000000R",
		RegisteredDelivery: RegDeliveryReceipt, DataCoding: 8,
		ShortMessage: []byte{5, 0, 3, 0x2a, 2, 1, 0x4f, 0x60, 0x59, 0x7d},
		TLVs: tl(v, TLVs{
			{TagUserMessageReference, []byte{0x12, 0x34}},
			{TagSourcePort, []byte{0x0b, 0x84}},
			{0x1401, []byte("vendor")}, // unknown: kept verbatim
			{0x1402, nil},
		}),
	}
}

// roundTripCases lists one PDU of each kind that exists in v, with its
// expected body length where it is worth pinning.
func roundTripCases(v Version) []struct {
	p       PDU
	bodyLen int
} {
	receipt := &DeliverSM{SourceAddrTON: 1, SourceAddrNPI: 1, SourceAddr: "8613800138000", DestinationAddr: "10658000",
		ESMClass:     EsmDeliveryReceipt,
		ShortMessage: []byte("id:1A2B sub:001 dlvrd:001 submit date:2501161700 done date:2501161701 stat:DELIVRD err:000 text:hi"),
		TLVs: tl(v, TLVs{{TagReceiptedMessageID, []byte("1A2B\x00")}, {TagMessageState, []byte{StateDelivered}},
			{TagNetworkErrorCode, []byte{3, 0, 0}}})}
	cases := []struct {
		p       PDU
		bodyLen int
	}{
		{&Bind{Mode: BindTransmitter, SystemID: "smppclient1", Password: "password", InterfaceVersion: uint8(v)}, 26},
		{&Bind{Mode: BindReceiver, SystemID: "a", Password: "b", SystemType: "VMA", InterfaceVersion: uint8(v),
			AddrTON: 1, AddrNPI: 1, AddressRange: "^861[0-9]+$"}, 2 + 2 + 4 + 3 + 12},
		{&BindResp{Mode: BindReceiver, SystemID: "SMSC", TLVs: tl(v, TLVs{{TagScInterfaceVersion, []byte{0x34}}})}, map[Version]int{V33: 5, V34: 10}[v]},
		{&BindResp{Mode: BindTransmitter, SystemID: "SMSC"}, 5},
		{&Outbind{SystemID: "SMSC", Password: "pw"}, 8},
		{&Unbind{}, 0},
		{&UnbindResp{}, 0},
		{&EnquireLink{}, 0},
		{&EnquireLinkResp{}, 0},
		{&GenericNack{Status: ESME_RINVCMDID}, 0},
		{sampleSubmit(v), -1},
		{&SubmitSMResp{MessageID: "0A1B2C3D"}, 9},
		{&SubmitMulti{SourceAddr: "10658000", Dests: []DestAddress{
			{Flag: DestFlagSME, TON: 1, NPI: 1, Addr: "8613800138000"}, {Flag: DestFlagDistList, Addr: "friends"}},
			DataCoding: 8, ShortMessage: []byte{0x4f, 0x60}, TLVs: tl(v, TLVs{{TagUserMessageReference, []byte{0, 7}}})}, -1},
		{&SubmitMultiResp{MessageID: "77", Unsuccess: []UnsuccessSME{{TON: 1, NPI: 1, Addr: "8613800138001", Status: ESME_RINVDSTADR}}}, 3 + 1 + 2 + 14 + 4},
		{&SubmitMultiResp{MessageID: "77"}, 4},
		{receipt, -1},
		{&DeliverSM{SourceAddr: "13800138000", DestinationAddr: "10658000123", DataCoding: 8, ShortMessage: []byte{0x90, 0x00, 0x8b, 0xa2}}, 1 + 2 + 12 + 2 + 12 + 3 + 1 + 1 + 4 + 1 + 4},
		{&DeliverSMResp{}, 1},
		{&QuerySM{MessageID: "42", SourceAddrTON: 5, SourceAddr: "Hongyan"}, 3 + 2 + 8},
		{&QuerySMResp{MessageID: "42", FinalDate: "250116170100004+", MessageState: StateDelivered, ErrorCode: 0}, 3 + 17 + 2},
		{&CancelSM{ServiceType: "CMT", MessageID: "42", SourceAddr: "Hongyan", DestinationAddr: "8613800138000"}, 4 + 3 + 2 + 8 + 2 + 14},
		{&CancelSMResp{}, 0},
		{&ReplaceSM{MessageID: "42", SourceAddr: "Hongyan", ValidityPeriod: "000002000000000R", RegisteredDelivery: 1,
			ShortMessage: []byte("new text")}, 3 + 2 + 8 + 1 + 17 + 2 + 1 + 8},
		{&ReplaceSMResp{}, 0},
	}
	if v.HasTLV() {
		cases = append(cases, []struct {
			p       PDU
			bodyLen int
		}{
			{&Bind{Mode: BindTransceiver, SystemID: "x", Password: "y", InterfaceVersion: 0x34}, 2 + 2 + 1 + 3 + 1},
			{&BindResp{Mode: BindTransceiver, SystemID: "S"}, 2},
			{&DataSM{ServiceType: "WAP", SourceAddr: strings.Repeat("1", 64), DestinationAddr: "8613800138000",
				ESMClass: 0, RegisteredDelivery: 1, DataCoding: 4,
				TLVs: TLVs{{TagMessagePayload, bytes.Repeat([]byte{0xab}, 300)}, {TagSourcePort, []byte{0, 80}}}}, 4 + 2 + 65 + 2 + 14 + 3 + 304 + 6},
			{&DataSMResp{MessageID: "9", TLVs: TLVs{{TagDeliveryFailureReason, []byte{1}}}}, 2 + 5},
			{&AlertNotification{SourceAddrTON: 1, SourceAddrNPI: 1, SourceAddr: "8613800138000", ESMEAddr: "Hongyan",
				TLVs: TLVs{{TagMsAvailabilityStatus, []byte{0}}}}, 2 + 14 + 2 + 8 + 5},
		}...)
	}
	return cases
}

func TestRoundTripEveryPDU(t *testing.T) {
	for _, v := range versions {
		for _, tc := range roundTripCases(v) {
			t.Run(v.String()+"/"+CommandName(tc.p.CommandID()), func(t *testing.T) {
				pdu, err := AppendPDU(nil, 0x01020304, tc.p, v)
				if err != nil {
					t.Fatal(err)
				}
				if got := len(pdu) - HeaderLen; tc.bodyLen >= 0 && got != tc.bodyLen {
					t.Fatalf("body %d bytes, want %d: %x", got, tc.bodyLen, pdu[HeaderLen:])
				}
				h, got, err := DecodePDU(pdu, v)
				if err != nil {
					t.Fatal(err)
				}
				if h.Command != tc.p.CommandID() || h.Seq.N != 0x01020304 || int(h.Length) != len(pdu) {
					t.Fatalf("header %+v", h)
				}
				if !reflect.DeepEqual(got, tc.p) {
					t.Fatalf("round trip\n got %+v\nwant %+v", got, tc.p)
				}
				// Every strict prefix decodes or fails cleanly.
				body := pdu[HeaderLen:]
				for n := range len(body) {
					q := NewPDU(h.Command)
					if err := q.Unmarshal(body[:n], v); err != nil && !isMalformed(err) {
						t.Fatalf("prefix %d: %v does not wrap ErrMalformed", n, err)
					}
				}
			})
		}
	}
}

// 3.3 has no TLVs: they are left out on encode and ignored on decode;
// PDUs that exist only in 3.4 are refused.
func TestVersion33(t *testing.T) {
	s := sampleSubmit(V34)
	b33, err := s.Marshal(nil, V33)
	if err != nil {
		t.Fatal(err)
	}
	b34, _ := s.Marshal(nil, V34)
	if len(b34)-len(b33) != 4+2+4+2+4+6+4 {
		t.Fatalf("TLVs take %d bytes", len(b34)-len(b33))
	}
	var got SubmitSM
	if err := got.Unmarshal(b34, V33); err != nil || got.TLVs != nil || !bytes.Equal(got.ShortMessage, s.ShortMessage) {
		t.Fatalf("3.4 body read as 3.3: %+v %v", got, err)
	}
	for _, p := range []PDU{&Bind{Mode: BindTransceiver}, &DataSM{}, &AlertNotification{}} {
		if _, err := p.Marshal(nil, V33); !errors.Is(err, ErrInvalid) {
			t.Errorf("%T on 3.3: %v", p, err)
		}
	}
	// A message_payload that 3.3 cannot carry does not turn into an empty
	// message: short_message stays as given (empty), and Client.Submit
	// refuses it (session tests).
	p := &SubmitSM{TLVs: TLVs{{TagMessagePayload, []byte("x")}}}
	b, _ := p.Marshal(nil, V33)
	if err := got.Unmarshal(b, V33); err != nil || len(got.ShortMessage) != 0 {
		t.Fatalf("%+v %v", got, err)
	}
}

// Responses with a non-zero command_status: submit_sm_resp is sent without
// a body (spec §4.4.2), bind_resp keeps system_id (linxGnu/gosmpp cannot
// read a bodiless bind_transceiver_resp) but drops its TLVs, and every
// response decodes without a body.
func TestErrorResponsesWithoutBody(t *testing.T) {
	for _, tc := range []struct {
		r   Response
		len int
	}{
		{&BindResp{Mode: BindTransceiver, Status: ESME_RINVPASWD, SystemID: "SMSC", TLVs: TLVs{{TagScInterfaceVersion, []byte{0x34}}}}, HeaderLen + 5},
		{&SubmitSMResp{Status: ESME_RTHROTTLED, MessageID: "1"}, HeaderLen},
	} {
		b, err := AppendPDU(nil, 9, tc.r, V34)
		if err != nil || len(b) != tc.len {
			t.Fatalf("%T: %x %v", tc.r, b, err)
		}
		_, p, err := DecodePDU(b, V34)
		if err != nil || p.(Response).CommandStatus() != tc.r.CommandStatus() {
			t.Fatalf("%T: %+v %v", tc.r, p, err)
		}
	}
	for _, cmd := range []uint32{CmdBindReceiverResp, CmdBindTransmitterResp, CmdBindTransceiverResp, CmdSubmitSMResp,
		CmdSubmitMultiResp, CmdDeliverSMResp, CmdDataSMResp, CmdQuerySMResp, CmdCancelSMResp, CmdReplaceSMResp,
		CmdUnbindResp, CmdEnquireLinkResp, CmdGenericNack} {
		hdr := NewProtocol(V34).AppendHeader(nil, sessionHeader(16, cmd, ESME_RSYSERR, 3))
		_, p, err := DecodePDU(hdr, V34)
		if err != nil || p.(Response).CommandStatus() != ESME_RSYSERR {
			t.Errorf("%s without body: %+v %v", CommandName(cmd), p, err)
		}
	}
	// A message_id that ends the body without its NUL is taken as is.
	var r SubmitSMResp
	if err := r.Unmarshal([]byte("abc"), V34); err != nil || r.MessageID != "abc" {
		t.Fatalf("unterminated id: %+v %v", r, err)
	}
}

// C-Octet Strings: NUL-terminated, max including the NUL, over-long or
// unterminated strings refused with the field's status.
func TestCOctetStrings(t *testing.T) {
	ok := &SubmitSM{SourceAddr: strings.Repeat("1", 20), DestinationAddr: "2"}
	if _, err := ok.Marshal(nil, V34); err != nil {
		t.Fatalf("20-char source_addr: %v", err)
	}
	for _, bad := range []*SubmitSM{
		{SourceAddr: strings.Repeat("1", 21)},
		{ServiceType: "CMTXYZ"},
		{DestinationAddr: "a\x00b"},
		{ValidityPeriod: "1d"},
		{ShortMessage: make([]byte, 255)},
		{ShortMessage: []byte("x"), TLVs: TLVs{{TagMessagePayload, []byte("y")}}},
	} {
		if _, err := bad.Marshal(nil, V34); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	// Marshal on error leaves dst as it was.
	if out, err := (&SubmitSM{SourceAddr: strings.Repeat("1", 30)}).Marshal([]byte("keep"), V34); err == nil || string(out) != "keep" {
		t.Fatalf("dst after error %q", out)
	}

	body, _ := (&SubmitSM{SourceAddr: "1", DestinationAddr: "2"}).Marshal(nil, V34)
	long := append([]byte{0, 1, 1}, []byte(strings.Repeat("9", 25))...) // source_addr without NUL within 21
	long = append(long, body[5:]...)
	var s SubmitSM
	err := s.Unmarshal(long, V34)
	if StatusOf(err) != ESME_RINVSRCADR || !isMalformed(err) {
		t.Fatalf("over-long source_addr: %v", err)
	}
	if err := s.Unmarshal([]byte("CMT"), V34); StatusOf(err) != ESME_RINVCMDLEN {
		t.Fatalf("unterminated service_type: %v", err)
	}
	// sm_length beyond the body.
	body[len(body)-1] = 9
	if err := s.Unmarshal(body, V34); StatusOf(err) != ESME_RINVMSGLEN {
		t.Fatalf("sm_length: %v", err)
	}
}

func TestTLVs(t *testing.T) {
	var tl TLVs
	tl.SetSAR(0x1234, 3, 2)
	tl.SetCString(TagReceiptedMessageID, "abc")
	tl.SetU8(TagMessageState, StateExpired)
	tl.SetNetworkErrorCode(3, 0x0101)
	tl.Set(0x1500, []byte{1, 2, 3})
	b, err := AppendTLVs(nil, tl)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseTLVs(b)
	if err != nil || !reflect.DeepEqual(back, tl) {
		t.Fatalf("%+v %v", back, err)
	}
	if ref, tot, seq, ok := back.SAR(); !ok || ref != 0x1234 || tot != 3 || seq != 2 {
		t.Fatal("SAR")
	}
	if id, ok := back.ReceiptedMessageID(); !ok || id != "abc" {
		t.Fatal("receipted id")
	}
	if st, ok := back.MessageState(); !ok || st != StateExpired {
		t.Fatal("message_state")
	}
	if nt, code, ok := back.NetworkErrorCode(); !ok || nt != 3 || code != 0x0101 {
		t.Fatal("network_error_code")
	}
	// Values are copies with capped capacity: appending to one cannot
	// overwrite its neighbour.
	v0, _ := back.Get(TagSarMsgRefNum)
	_ = append(v0, 0xff)
	if tot, _ := back.U8(TagSarTotalSegments); tot != 3 {
		t.Fatal("append overwrote the next value")
	}
	back.Del(TagMessageState)
	if back.Has(TagMessageState) || len(back) != len(tl)-1 {
		t.Fatal("Del")
	}
	// Wrong lengths make typed getters say !ok, not panic.
	bad := TLVs{{TagSarMsgRefNum, []byte{1}}, {TagSarTotalSegments, []byte{2}}, {TagSarSegmentSeqnum, []byte{1}}}
	if _, _, _, ok := bad.SAR(); ok {
		t.Fatal("1-byte sar_msg_ref_num accepted")
	}
	for _, b := range [][]byte{{0, 1}, {0, 1, 0, 5, 1, 2}, {0, 1, 0, 0, 9}} {
		if _, err := ParseTLVs(b); StatusOf(err) != ESME_RINVOPTPARSTREAM {
			t.Errorf("% x: %v", b, err)
		}
	}
	if _, err := AppendTLVs(nil, TLVs{{1, make([]byte, 70000)}}); !errors.Is(err, ErrInvalid) {
		t.Fatal("oversized TLV")
	}
}

// A hostile number_of_dests must not allocate or read past the body.
func TestSubmitMultiHostileCount(t *testing.T) {
	b, _ := (&SubmitMulti{Dests: []DestAddress{{Flag: 1, Addr: "1"}}}).Marshal(nil, V34)
	b[4] = 254 // number_of_dests after service_type "", ton, npi, source_addr ""
	var s SubmitMulti
	if err := s.Unmarshal(b, V34); !isMalformed(err) || s.Dests != nil {
		t.Fatalf("%v %+v", err, s.Dests)
	}
	b[4] = 0
	if err := s.Unmarshal(b, V34); StatusOf(err) != ESME_RINVNUMDESTS {
		t.Fatalf("0 dests: %v", err)
	}
	if _, err := (&SubmitMulti{}).Marshal(nil, V34); !errors.Is(err, ErrInvalid) {
		t.Fatal("no destination accepted")
	}
}

func TestDecodePDUErrors(t *testing.T) {
	pdu, _ := AppendPDU(nil, 1, &QuerySM{MessageID: "1"}, V34)
	if _, _, err := DecodePDU(pdu[:len(pdu)-1], V34); !isMalformed(err) {
		t.Fatalf("short: %v", err)
	}
	unknown := NewProtocol(V34).AppendHeader(nil, sessionHeader(16, 0x42, 0, 1))
	if _, _, err := DecodePDU(unknown, V34); StatusOf(err) != ESME_RINVCMDID {
		t.Fatalf("unknown: %v", err)
	}
	big := &DataSM{TLVs: TLVs{{TagMessagePayload, make([]byte, 65530)}}}
	if _, err := AppendPDU(nil, 1, big, V34); !errors.Is(err, ErrInvalid) {
		t.Fatalf("oversized data_sm: %v", err)
	}
}
