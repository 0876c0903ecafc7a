package smpp

import (
	"testing"
	"time"
)

// Receipt texts as SMSCs write them: the spec's form and the variations
// seen in the field.
func TestParseReceiptText(t *testing.T) {
	for _, tc := range []struct {
		name, in                       string
		id, sub, dlvrd, sd, dd, st, er string
		text                           string
		state                          uint8
	}{
		{"spec appendix B", "id:1234567890 sub:001 dlvrd:001 submit date:0610191018 done date:0610191018 stat:DELIVRD err:000 text:Hello world",
			"1234567890", "001", "001", "0610191018", "0610191018", "DELIVRD", "000", "Hello world", StateDelivered},
		{"hex id, capital Text", "id:0A1B2C3D sub:001 dlvrd:000 submit date:2301011200 done date:2301011201 stat:UNDELIV err:001 Text:abc",
			"0A1B2C3D", "001", "000", "2301011200", "2301011201", "UNDELIV", "001", "abc", StateUndeliverable},
		{"upper case labels", "ID:77 SUB:001 DLVRD:001 SUBMIT DATE:2301011200 DONE DATE:2301011201 STAT:DELIVRD ERR:000 TEXT:X",
			"77", "001", "001", "2301011200", "2301011201", "DELIVRD", "000", "X", StateDelivered},
		{"underscore dates", "id:123 sub:001 dlvrd:001 submit_date:2301011200 done_date:2301011201 stat:EXPIRED err:000 text:",
			"123", "001", "001", "2301011200", "2301011201", "EXPIRED", "000", "", StateExpired},
		{"no separator in dates", "id:123 submitdate:2301011200 donedate:2301011201 stat:DELETED",
			"123", "", "", "2301011200", "2301011201", "DELETED", "", "", StateDeleted},
		{"fields missing", "id:123 stat:DELIVRD", "123", "", "", "", "", "DELIVRD", "", "", StateDelivered},
		{"extra spaces", "id: 123   sub: 001  dlvrd:001 submit  date: 2301011200 done date :2301011201  stat: DELIVRD err: 0 text:  hi there",
			"123", "001", "001", "2301011200", "2301011201", "DELIVRD", "0", "hi there", StateDelivered},
		{"seconds in dates", "id:9 sub:001 dlvrd:001 submit date:230101120000 done date:230101120130 stat:DELIVRD err:000",
			"9", "001", "001", "230101120000", "230101120130", "DELIVRD", "000", "", StateDelivered},
		{"text holding labels", "id:5 stat:UNDELIV err:011 text:stat:DELIVRD id:999 sub:x",
			"5", "", "", "", "", "UNDELIV", "011", "stat:DELIVRD id:999 sub:x", StateUndeliverable},
		{"commas", "id:123,sub:001,dlvrd:001,submit date:2301011200,done date:2301011201,stat:REJECTD,err:0B3",
			"123", "001", "001", "2301011200", "2301011201", "REJECTD", "0B3", "", StateRejected},
		{"unknown field", "id:123 sub:001 dlvrd:001 submit date:2301011200 done date:2301011201 stat:DELIVRD err:000 nstat:x mccmnc:46000 text:ok",
			"123", "001", "001", "2301011200", "2301011201", "DELIVRD", "000", "ok", StateDelivered},
		{"full state word", "id:1 stat:DELIVERED", "1", "", "", "", "", "DELIVERED", "", "", StateDelivered},
		{"lower case stat", "id:1 stat:undeliv", "1", "", "", "", "", "undeliv", "", "", StateUndeliverable},
		{"leading zeros", "id:0000012345 sub:001 dlvrd:001 stat:ACCEPTD", "0000012345", "001", "001", "", "", "ACCEPTD", "", "", StateAccepted},
		{"dlvr and txt", "id:1 dlvr:001 stat:DELIVRD txt:x y", "1", "", "001", "", "", "DELIVRD", "", "x y", StateDelivered},
		{"vendor stat", "id:1 stat:MA:0054 err:54", "1", "", "", "", "", "MA:0054", "54", "", 0},
		{"newlines", "id:42\nsub:001\ndlvrd:001\nstat:DELIVRD\nerr:000", "42", "001", "001", "", "", "DELIVRD", "000", "", StateDelivered},
		{"tabs and uuid id", "id:550e8400-e29b-41d4-a716-446655440000\tstat:ENROUTE", "550e8400-e29b-41d4-a716-446655440000", "", "", "", "", "ENROUTE", "", "", StateEnroute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := ParseReceiptText(tc.in)
			if !ok {
				t.Fatal("not recognised")
			}
			got := []string{r.TextID, r.Sub, r.Dlvrd, r.SubmitDate, r.DoneDate, r.TextStat, r.Err, r.Text}
			want := []string{tc.id, tc.sub, tc.dlvrd, tc.sd, tc.dd, tc.st, tc.er, tc.text}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("field %d: got %q, want %q (all %q)", i, got[i], want[i], got)
				}
			}
			if r.State != tc.state || r.ID != tc.id {
				t.Fatalf("state %d id %q", r.State, r.ID)
			}
		})
	}
	for _, s := range []string{"", "hello", "TD", "reply: yes please", "identity:x"} {
		if _, ok := ParseReceiptText(s); ok {
			t.Errorf("%q taken for a receipt", s)
		}
	}
}

// Receipts from deliver_sm: text only, TLVs only, both (TLVs win), the
// wrong esm_class with a receipted_message_id, UCS2 text, message_payload,
// and MO that looks like a receipt.
func TestDeliverReceipt(t *testing.T) {
	text := []byte("id:6699 sub:001 dlvrd:001 submit date:2501161700 done date:2501161701 stat:DELIVRD err:000 text:hi")
	ucs2Text := ucs2(string(text))
	for _, tc := range []struct {
		name      string
		d         *DeliverSM
		ok        bool
		id        string
		fromTLV   bool
		state     uint8
		stat      string
		key       string // under IDHexToDec
		final     bool
		netErr    uint16
		hasNetErr bool
	}{
		{"text only", &DeliverSM{ESMClass: EsmDeliveryReceipt, ShortMessage: text},
			true, "6699", false, StateDelivered, "DELIVRD", "1a2b", true, 0, false},
		{"TLV only", &DeliverSM{ESMClass: EsmDeliveryReceipt,
			TLVs: TLVs{{TagReceiptedMessageID, []byte("1A2B\x00")}, {TagMessageState, []byte{StateUndeliverable}}, {TagNetworkErrorCode, []byte{3, 0, 34}}}},
			true, "1A2B", true, StateUndeliverable, "UNDELIV", "1a2b", true, 34, true},
		{"both: TLVs win", &DeliverSM{ESMClass: EsmDeliveryReceipt, ShortMessage: text,
			TLVs: TLVs{{TagReceiptedMessageID, []byte("00001A2B")}, {TagMessageState, []byte{StateExpired}}}},
			true, "00001A2B", true, StateExpired, "EXPIRED", "1a2b", true, 0, false},
		{"receipted id under esm_class 0", &DeliverSM{ShortMessage: text, TLVs: TLVs{{TagReceiptedMessageID, []byte("1A2B\x00")}}},
			true, "1A2B", true, StateDelivered, "DELIVRD", "1a2b", true, 0, false},
		{"UCS2 receipt text", &DeliverSM{ESMClass: EsmDeliveryReceipt, DataCoding: 8, ShortMessage: ucs2Text},
			true, "6699", false, StateDelivered, "DELIVRD", "1a2b", true, 0, false},
		{"in message_payload", &DeliverSM{ESMClass: EsmDeliveryReceipt, TLVs: TLVs{{TagMessagePayload, text}}},
			true, "6699", false, StateDelivered, "DELIVRD", "1a2b", true, 0, false},
		{"intermediate", &DeliverSM{ESMClass: EsmIntermediate, ShortMessage: []byte("id:6699 stat:ENROUTE")},
			true, "6699", false, StateEnroute, "ENROUTE", "1a2b", false, 0, false},
		{"SME ack", &DeliverSM{ESMClass: EsmSMEDeliveryAck, ShortMessage: []byte("id:6699 stat:DELIVRD")},
			true, "6699", false, StateDelivered, "DELIVRD", "1a2b", true, 0, false},
		{"vendor stat only", &DeliverSM{ESMClass: EsmDeliveryReceipt, ShortMessage: []byte("id:6699 stat:MA:0054")},
			true, "6699", false, 0, "MA:0054", "1a2b", false, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := tc.d.Receipt()
			if ok != tc.ok || r == nil {
				t.Fatalf("ok %v r %+v", ok, r)
			}
			if r.ID != tc.id || r.IDFromTLV != tc.fromTLV || r.State != tc.state || r.Stat != tc.stat ||
				r.Key(IDHexToDec) != tc.key || r.Final() != tc.final ||
				r.HasNetworkError != tc.hasNetErr || r.NetworkError != tc.netErr {
				t.Fatalf("got %+v (key %q final %v)", r, r.Key(IDHexToDec), r.Final())
			}
		})
	}
	// MO, even one that looks like a receipt, is not a receipt.
	for _, mo := range []*DeliverSM{
		{ShortMessage: []byte("TD")},
		{ShortMessage: []byte("id:123 stat:DELIVRD")},
	} {
		if r, ok := mo.Receipt(); ok || r != nil {
			t.Errorf("MO %q read as receipt %+v", mo.ShortMessage, r)
		}
	}
	// Marked as a receipt but unreadable: r is there for logging, ok false.
	if r, ok := (&DeliverSM{ESMClass: EsmDeliveryReceipt, ShortMessage: []byte("garbage")}).Receipt(); ok || r == nil {
		t.Fatalf("garbage receipt: %+v %v", r, ok)
	}
	// data_sm receipts read the same way.
	ds := &DataSM{ESMClass: EsmDeliveryReceipt, TLVs: TLVs{{TagReceiptedMessageID, []byte("42\x00")}, {TagMessageState, []byte{StateDelivered}}}}
	if r, ok := ds.Receipt(); !ok || r.ID != "42" || !r.Delivered() {
		t.Fatalf("data_sm receipt %+v", r)
	}
}

func TestReceiptTimes(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	r, _ := ParseReceiptText("id:1 submit date:2501161700 done date:250116170130 stat:DELIVRD")
	st, ok1 := r.SubmitTime(loc)
	dt, ok2 := r.DoneTime(loc)
	if !ok1 || !ok2 || !st.Equal(time.Date(2025, 1, 16, 17, 0, 0, 0, loc)) || !dt.Equal(time.Date(2025, 1, 16, 17, 1, 30, 0, loc)) {
		t.Fatalf("%v %v %v %v", st, ok1, dt, ok2)
	}
	if tm, ok := ParseReceiptTime("20250116170130", nil); !ok || tm.Year() != 2025 {
		t.Fatal("14-digit date")
	}
	for _, bad := range []string{"", "25011617", "2513161700", "abcdefghij"} {
		if _, ok := ParseReceiptTime(bad, loc); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

// NewReceipt builds what an SMSC sends; our own parser reads it back.
func TestNewReceiptRoundTrip(t *testing.T) {
	orig := &SubmitSM{SourceAddrTON: 5, SourceAddr: "Hongyan", DestAddrTON: 1, DestAddrNPI: 1, DestinationAddr: "8613800138000"}
	d := NewReceipt(orig, &Receipt{ID: "1A2B", TextID: "6699", Stat: "UNDELIV", Err: "034", SubmitDate: "2501161700",
		DoneDate: "2501161701", Text: "鸿雁", HasNetworkError: true, NetworkErrorType: 3, NetworkError: 34})
	if d.SourceAddr != "8613800138000" || d.DestinationAddr != "Hongyan" || d.DestAddrTON != 5 || d.ESMClass != EsmDeliveryReceipt {
		t.Fatalf("addresses %+v", d)
	}
	b, err := d.Marshal(nil, V34)
	if err != nil {
		t.Fatal(err)
	}
	var back DeliverSM
	if err := back.Unmarshal(b, V34); err != nil {
		t.Fatal(err)
	}
	r, ok := back.Receipt()
	if !ok || r.ID != "1A2B" || !r.IDFromTLV || r.TextID != "6699" || r.State != StateUndeliverable || r.Err != "034" ||
		r.Dlvrd != "000" || r.Sub != "001" || r.NetworkError != 34 || !IDHexToDec.MatchID("1A2B", r.TextID) {
		t.Fatalf("%+v", r)
	}
	// On 3.3 the TLVs are gone: the text alone carries the receipt.
	b33, _ := d.Marshal(nil, V33)
	_ = back.Unmarshal(b33, V33)
	r, ok = back.Receipt()
	if !ok || r.ID != "6699" || r.IDFromTLV || r.State != StateUndeliverable || r.Key(IDHexToDec) != "1a2b" {
		t.Fatalf("3.3: %+v", r)
	}
	if StatOf(StateRejected) != "REJECTD" || StatOf(99) != "" || StateOf("nope") != 0 {
		t.Fatal("stat/state")
	}
}
