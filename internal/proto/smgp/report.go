package smgp

import (
	"bytes"
	"strings"

	"hongyan/internal/proto/wire"
)

// Report is the status report carried in a Deliver's MsgContent when
// IsReport = 1 (spec §6.2.63, in the SMPP-style labelled form every
// implementation sends).
type Report struct {
	MsgID      MsgID  // Id: the original Submit_Resp MsgID, the correlation key
	Sub        string // 3, messages submitted
	Dlvrd      string // 3, messages delivered
	SubmitDate string // 10, YYMMDDHHMM
	DoneDate   string // 10, YYMMDDHHMM
	Stat       string // 7: DELIVRD, EXPIRED, UNDELIV, … kept verbatim
	Err        string // 3: 000 success … 999 unknown
	Text       string // 20: 3 length digits + start of the content
}

// ReportLen is the size of a report as this package encodes it.
const ReportLen = 122

// StatDelivered is the only successful Stat.
const StatDelivered = "DELIVRD"

// Delivered reports whether the message reached the handset.
func (r *Report) Delivered() bool { return strings.EqualFold(r.Stat, StatDelivered) }

// reportFormat is SMGP's reading of the shared text report: the canonical
// labels (go_smgp and SMSGate agree but for label case; we send lower case,
// which zysms needs) separated by spaces, "submit date", "submit_date" and
// "submitdate" one label, "text" and "txt" another.
var reportFormat = &wire.ReportFormat{
	Proto: "smgp",
	Labels: [...][]string{
		{"sub:"},
		{"dlvrd:"},
		{"submit date:", "submit_date:", "submitdate:"},
		{"done date:", "done_date:", "donedate:"},
		{"stat:"},
		{"err:"},
		{"text:", "txt:"},
	},
	// " submit_date:" and " done_date:" have the same length as the
	// spaced forms.
	Fixed: [...][]string{
		{"sub:"}, {"dlvrd:"}, {"submit date:", "submit_date:"}, {"done date:", "done_date:"},
		{"stat:"}, {"err:"}, {"text:"},
	},
	Seps:   " ",
	TrimID: bytes.TrimSpace,
}

// Marshal appends the 122-byte report. Empty Sub and Dlvrd are sent as
// "001" and empty Err as "000" (spec defaults); shorter numbers are
// zero-padded on the left, shorter text fields space-padded on the right,
// Text 0x00-padded. A value longer than its field is an error.
func (r *Report) Marshal(dst []byte) ([]byte, error) {
	e := wireProto.Enc(dst, "report")
	return reportFormat.Append(&e, dst, &wire.Report{ID: r.MsgID, Sub: r.Sub, Dlvrd: r.Dlvrd,
		SubmitDate: r.SubmitDate, DoneDate: r.DoneDate, Stat: r.Stat, Err: r.Err, Text: r.Text})
}

// ParseReport reads a report tolerantly. The canonical layout is read by
// fixed offsets, whatever bytes the binary id and the text hold. Anything
// else is read by labels, case-insensitively, in spec order, each label
// optional: "submit date", "submit_date" and "submitdate" are one label,
// "text" and "txt" another. The Id may be the 10 binary bytes (spec) or the
// same as 20 hex/BCD digits (text-form gateways); anything else is refused.
func ParseReport(b []byte) (*Report, error) {
	w, err := reportFormat.Parse(b)
	if err != nil {
		return nil, err
	}
	return &Report{MsgID: w.ID, Sub: w.Sub, Dlvrd: w.Dlvrd, SubmitDate: w.SubmitDate, DoneDate: w.DoneDate,
		Stat: w.Stat, Err: w.Err, Text: w.Text}, nil
}
