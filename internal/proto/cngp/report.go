package cngp

import (
	"bytes"
	"strings"

	"hongyan/internal/proto/wire"
)

// Report is the status report carried in a Deliver's MsgContent when
// IsReport = 1: the labelled text three sources agree on (protocols/cngp.md).
type Report struct {
	MsgID      MsgID  // Id: the original Submit_Resp MsgID, the correlation key
	Sub        string // 3
	Dlvrd      string // 3
	SubmitDate string // 10, YYMMDDHHMM
	DoneDate   string // 10, YYMMDDHHMM
	Stat       string // 7: DELIVRD, EXPIRED, UNDELIV, … kept verbatim
	Err        string // 3: values unknown (no list found)
	Txt        string // 20
}

// ReportLen is the size of a report as this package encodes it (the
// RongDi struct and wujunjenny/smgw's encoder: 121 bytes).
const ReportLen = 121

// StatDelivered is the only successful Stat.
const StatDelivered = "DELIVRD"

// Delivered reports whether the message reached the handset.
func (r *Report) Delivered() bool { return strings.EqualFold(r.Stat, StatDelivered) }

// reportFormat is CNGP's reading of the shared text report: the canonical
// labels are "submit_date", "done_date" and "txt", each after one
// separator byte, ' ' or ';' (wujunjenny/smgw's Deliver path writes ';' in
// places); "submit_date", "submit date" and "submitdate" are one label,
// "txt" and "text" another.
var reportFormat = &wire.ReportFormat{
	Proto: "cngp",
	Labels: [...][]string{
		{"sub:"},
		{"dlvrd:"},
		{"submit_date:", "submit date:", "submitdate:"},
		{"done_date:", "done date:", "donedate:"},
		{"stat:"},
		{"err:"},
		{"txt:", "text:"},
	},
	// The spaced date labels have the same length as the underscored ones.
	Fixed: [...][]string{
		{"sub:"}, {"dlvrd:"}, {"submit_date:", "submit date:"}, {"done_date:", "done date:"},
		{"stat:"}, {"err:"}, {"txt:", "text:"},
	},
	Seps:   " ;",
	TrimID: func(b []byte) []byte { return bytes.Trim(b, " ;") },
}

// Marshal appends the 121-byte report: "id:" + 10 binary bytes, then the
// labelled fields with spaces between them (the Huawei SMProxy reads Stat,
// SubmitDate and DoneDate at offsets 81, 44 and 65). Empty Sub and Dlvrd
// are sent as "001", empty Err as "000"; shorter numbers are zero-padded on
// the left, text fields space-padded on the right, Txt 0x00-padded. A value
// longer than its field is an error.
func (r *Report) Marshal(dst []byte) ([]byte, error) {
	e := wireProto.Enc(dst, "report")
	return reportFormat.Append(&e, dst, &wire.Report{ID: r.MsgID, Sub: r.Sub, Dlvrd: r.Dlvrd,
		SubmitDate: r.SubmitDate, DoneDate: r.DoneDate, Stat: r.Stat, Err: r.Err, Text: r.Txt})
}

// ParseReport reads a report tolerantly. The canonical layout is read by
// fixed offsets, with ' ' or ';' as the byte before each label
// (wujunjenny/smgw's Deliver path writes ';' in places) and whatever bytes
// the binary id and the text hold. Anything else is read by labels,
// case-insensitively, in order, each optional: "submit_date", "submit date"
// and "submitdate" are one label, "txt" and "text" another. The Id may be
// the 10 binary bytes or the same as 20 hex/BCD digits; anything else is
// refused.
func ParseReport(b []byte) (*Report, error) {
	w, err := reportFormat.Parse(b)
	if err != nil {
		return nil, err
	}
	return &Report{MsgID: w.ID, Sub: w.Sub, Dlvrd: w.Dlvrd, SubmitDate: w.SubmitDate, DoneDate: w.DoneDate,
		Stat: w.Stat, Err: w.Err, Txt: w.Text}, nil
}
