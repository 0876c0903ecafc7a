package smgp

import (
	"errors"
	"testing"

	"hongyan/internal/session"
)

var rptID = NewMsgIDFromString("01006101161700012345")

func rptBin() string { return string(rptID[:]) }

// The canonical layout: 122 bytes, labels at the offsets of smgp.md.
func TestReportCanonical(t *testing.T) {
	b, err := sampleReport().Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != ReportLen {
		t.Fatalf("%d bytes", len(b))
	}
	want := "id:" + rptBin() + " sub:001 dlvrd:001 submit date:2501161700 done date:2501161701 stat:DELIVRD err:000 text:005hello\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	if string(b) != want {
		t.Fatalf("\n got %q\nwant %q", b, want)
	}
	r, err := ParseReport(b)
	if err != nil || *r != *sampleReport() {
		t.Fatalf("%+v %v", r, err)
	}
	// Defaults for empty numbers.
	b, _ = (&Report{MsgID: rptID, Stat: "UNDELIV"}).Marshal(nil)
	r, _ = ParseReport(b)
	if r.Sub != "001" || r.Dlvrd != "001" || r.Err != "000" || r.Stat != "UNDELIV" || r.Delivered() {
		t.Fatalf("%+v", r)
	}
}

// Real-world shapes: label case and spelling, text-form ids, missing
// fields, short texts, binary ids containing spaces.
func TestParseReportShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Report
	}{
		{"go_smgp capitalised, fixed offsets",
			"id:" + rptBin() + " sub:001 dlvrd:001 Submit date:2501161700 done date:2501161701 stat:DELIVRD err:000 Text:01234567890123456789",
			Report{MsgID: rptID, Sub: "001", Dlvrd: "001", SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "000", Text: "01234567890123456789"}},
		{"underscored labels, upper case, Txt",
			"id:" + rptBin() + " sub:001 dlvrd:000 Submit_date:2501161700 done_date:2501161702 Stat:UNDELIV Err:005 Txt:",
			Report{MsgID: rptID, Sub: "001", Dlvrd: "000", SubmitDate: "2501161700", DoneDate: "2501161702", Stat: "UNDELIV", Err: "005"}},
		{"text id, 20 digits (zysms-like, lowercase, trailing space)",
			"id:01006101161700012345 sub:001 dlvrd:001 submit date:2501161700 done date:2501161701 stat:DELIVRD err:0 text: ",
			Report{MsgID: rptID, Sub: "001", Dlvrd: "001", SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "0"}},
		{"missing sub and dlvrd and text",
			"id:" + rptBin() + " submit date:2501161700 done date:2501161701 stat:EXPIRED err:001",
			Report{MsgID: rptID, SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "EXPIRED", Err: "001"}},
		{"only id and stat",
			"ID:" + rptBin() + " STAT:DELIVRD",
			Report{MsgID: rptID, Stat: "DELIVRD"}},
		{"nothing but the id",
			"id:" + rptBin(),
			Report{MsgID: rptID}},
		{"binary id with a 0x20 byte (hour 20)",
			"id:\x01\x00\x61\x01\x16\x20\x00\x01\x23\x45 sub:001 dlvrd:001 submit date:2501162000 done date:2501162001 stat:DELIVRD err:000 text:000",
			Report{MsgID: NewMsgIDFromString("01006101162000012345"), Sub: "001", Dlvrd: "001", SubmitDate: "2501162000", DoneDate: "2501162001", Stat: "DELIVRD", Err: "000", Text: "000"}},
		{"NUL padding inside fields",
			"id:" + rptBin() + " sub:1\x00\x00 dlvrd:1\x00\x00 submit date:2501161700 done date:2501161701 stat:DELIVRD err:0\x00\x00 text:\x00\x00",
			Report{MsgID: rptID, Sub: "1", Dlvrd: "1", SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "0"}},
		{"vendor stat kept verbatim",
			"id:" + rptBin() + " sub:001 dlvrd:000 submit date:2501161700 done date:2501161701 stat:MK:0005 err:999 text:",
			Report{MsgID: rptID, Sub: "001", Dlvrd: "000", SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "MK:0005", Err: "999"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseReport([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if *r != tc.want {
				t.Fatalf("\n got %+v\nwant %+v", *r, tc.want)
			}
			if r.MsgID.String() != tc.want.MsgID.String() {
				t.Fatal("canonical id differs")
			}
		})
	}
}

func TestParseReportRefused(t *testing.T) {
	for _, in := range []string{
		"", "i", "hello world", "msgid:0123456789 stat:DELIVRD",
		"id:12345 sub:001 stat:DELIVRD", // neither 10 bytes nor 20 digits
		"id:short",                      // fewer than 10 bytes
	} {
		if _, err := ParseReport([]byte(in)); !errors.Is(err, session.ErrMalformed) {
			t.Fatalf("%q: %v", in, err)
		}
	}
}

// A report's Id and the Submit_Resp MsgID give the same canonical string.
func TestReportMatchesSubmitResp(t *testing.T) {
	gen := NewMsgIDGenerator(10061)
	resp := &SubmitResp{MsgID: gen.Next()}
	body, _ := (&Deliver{IsReport: 1, Report: &Report{MsgID: resp.MsgID, Stat: StatDelivered}}).Marshal(nil, V30)
	var d Deliver
	if err := d.Unmarshal(body, V30); err != nil {
		t.Fatal(err)
	}
	if d.Report.MsgID.String() != resp.MsgID.String() || !d.Report.Delivered() || d.MsgContent != nil {
		t.Fatalf("%+v", d.Report)
	}
}
