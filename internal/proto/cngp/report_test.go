package cngp

import (
	"errors"
	"strings"
	"testing"

	"hongyan/internal/session"
)

var rptID = mustID("01006101161700012345")

func rptBin() string { return string(rptID[:]) }

// The canonical layout: 121 bytes, labels as wujunjenny/smgw writes them.
func TestReportCanonical(t *testing.T) {
	b, err := sampleReport().Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != ReportLen {
		t.Fatalf("%d bytes", len(b))
	}
	want := "id:" + rptBin() + " sub:001 dlvrd:001 submit_date:2501161700 done_date:2501161701 stat:DELIVRD err:000 txt:005hello\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	if string(b) != want {
		t.Fatalf("\n got %q\nwant %q", b, want)
	}
	r, err := ParseReport(b)
	if err != nil || *r != *sampleReport() {
		t.Fatalf("%+v %v", r, err)
	}
	b, _ = (&Report{MsgID: rptID, Stat: "UNDELIV"}).Marshal(nil)
	r, _ = ParseReport(b)
	if r.Sub != "001" || r.Dlvrd != "001" || r.Err != "000" || r.Stat != "UNDELIV" || r.Delivered() {
		t.Fatalf("%+v", r)
	}
}

// Shapes seen in the sources and in the field: wujunjenny/smgw's ';'
// separators, spaced or capitalised labels, "text", text-form ids, missing
// fields, ids whose bytes look like separators.
func TestParseReportShapes(t *testing.T) {
	full := Report{MsgID: rptID, Sub: "001", Dlvrd: "001", SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "000"}
	for _, tc := range []struct {
		name string
		in   string
		want Report
	}{
		{"wujunjenny/smgw Deliver path: ';' before submit_date, err and txt",
			"id:" + rptBin() + " sub:001 dlvrd:001;submit_date:2501161700 done_date:2501161701 stat:DELIVRD;err:000;txt:" + strings.Repeat("\x00", 20),
			full},
		{"capitalised labels, fixed offsets",
			"id:" + rptBin() + " Sub:001 Dlvrd:001 Submit_Date:2501161700 Done_Date:2501161701 Stat:DELIVRD Err:000 Txt:01234567890123456789",
			Report{MsgID: rptID, Sub: "001", Dlvrd: "001", SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "000", Txt: "01234567890123456789"}},
		{"SMGP-style spaced labels and text:",
			"id:" + rptBin() + " sub:001 dlvrd:001 submit date:2501161700 done date:2501161701 stat:DELIVRD err:000 text:abc",
			Report{MsgID: rptID, Sub: "001", Dlvrd: "001", SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "DELIVRD", Err: "000", Txt: "abc"}},
		{"extra ';' inserted (offsets shift): read by labels",
			"id:" + rptBin() + " sub:001 dlvrd:001 ;submit_date:2501161700 done_date:2501161701 stat:DELIVRD ;err:000 ;txt:",
			full},
		{"text id, 20 digits",
			"id:01006101161700012345 sub:001 dlvrd:001 submit_date:2501161700 done_date:2501161701 stat:DELIVRD err:000 txt:",
			full},
		{"missing sub, dlvrd and txt",
			"id:" + rptBin() + " submit_date:2501161700 done_date:2501161701 stat:EXPIRED err:001",
			Report{MsgID: rptID, SubmitDate: "2501161700", DoneDate: "2501161701", Stat: "EXPIRED", Err: "001"}},
		{"only id and stat", "ID:" + rptBin() + " STAT:DELIVRD", Report{MsgID: rptID, Stat: "DELIVRD"}},
		{"nothing but the id", "id:" + rptBin(), Report{MsgID: rptID}},
		{"binary id with 0x20 and 0x3b bytes",
			"id:\x01\x00\x61\x01\x16\x20\x3b\x01\x23\x45 sub:001 dlvrd:001 submit_date:2501162000 done_date:2501162001 stat:DELIVRD err:000 txt:",
			Report{MsgID: MsgID{1, 0, 0x61, 1, 0x16, 0x20, 0x3b, 1, 0x23, 0x45}, Sub: "001", Dlvrd: "001", SubmitDate: "2501162000", DoneDate: "2501162001", Stat: "DELIVRD", Err: "000"}},
		{"vendor stat kept verbatim",
			"id:" + rptBin() + " sub:001 dlvrd:000 submit_date:2501161700 done_date:2501161701 stat:MK:0005 err:999 txt:",
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
	body, _ := (&Deliver{IsReport: 1, Report: &Report{MsgID: resp.MsgID, Stat: StatDelivered}}).Marshal(nil, V20)
	var d Deliver
	if err := d.Unmarshal(body, V20); err != nil {
		t.Fatal(err)
	}
	if d.Report.MsgID.String() != resp.MsgID.String() || !d.Report.Delivered() || d.MsgContent != nil {
		t.Fatalf("%+v", d.Report)
	}
}
