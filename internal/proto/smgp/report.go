package smgp

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"hongyan/internal/session"
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

// The canonical layout, label by label (go_smgp and SMSGate agree but for
// label case; we send lower case, which zysms needs).
const (
	lblSub    = " sub:"
	lblDlvrd  = " dlvrd:"
	lblSubmit = " submit date:"
	lblDone   = " done date:"
	lblStat   = " stat:"
	lblErr    = " err:"
	lblText   = " text:"
)

// Marshal appends the 122-byte report. Empty Sub and Dlvrd are sent as
// "001" and empty Err as "000" (spec defaults); shorter numbers are
// zero-padded on the left, shorter text fields space-padded on the right,
// Text 0x00-padded. A value longer than its field is an error.
func (r *Report) Marshal(dst []byte) ([]byte, error) {
	e := enc{b: dst, pdu: "report"}
	e.raw([]byte("id:"))
	e.raw(r.MsgID[:])
	e.raw([]byte(lblSub))
	e.num("sub", r.Sub, "001")
	e.raw([]byte(lblDlvrd))
	e.num("dlvrd", r.Dlvrd, "001")
	e.raw([]byte(lblSubmit))
	e.text("submit date", r.SubmitDate, 10, ' ')
	e.raw([]byte(lblDone))
	e.text("done date", r.DoneDate, 10, ' ')
	e.raw([]byte(lblStat))
	e.text("stat", r.Stat, 7, ' ')
	e.raw([]byte(lblErr))
	e.num("err", r.Err, "000")
	e.raw([]byte(lblText))
	e.text("text", r.Text, 20, 0)
	if e.err != nil {
		return dst, e.err
	}
	return e.b, nil
}

// num writes a 3-digit field, left-padded with '0', def when empty.
func (e *enc) num(field, s, def string) {
	if s == "" {
		s = def
	}
	if len(s) > 3 {
		e.fail("%s %q longer than 3", field, s)
		return
	}
	for i := len(s); i < 3; i++ {
		e.u8('0')
	}
	e.raw([]byte(s))
}

// text writes s right-padded with pad to n bytes.
func (e *enc) text(field, s string, n int, pad byte) {
	if len(s) > n {
		e.fail("%s %q longer than %d", field, s, n)
		return
	}
	e.raw([]byte(s))
	for i := len(s); i < n; i++ {
		e.u8(pad)
	}
}

// ParseReport reads a report tolerantly. The canonical layout is read by
// fixed offsets, whatever bytes the binary id and the text hold. Anything
// else is read by labels, case-insensitively, in spec order, each label
// optional: "submit date", "submit_date" and "submitdate" are one label,
// "text" and "txt" another. The Id may be the 10 binary bytes (spec) or the
// same as 20 hex/BCD digits (text-form gateways); anything else is refused.
func ParseReport(b []byte) (*Report, error) {
	if len(b) < 3 || !strings.EqualFold(string(b[:3]), "id:") {
		return nil, fmt.Errorf("smgp report: content does not start with \"id:\": %w", session.ErrMalformed)
	}
	if r, ok := parseFixed(b); ok {
		return r, nil
	}
	return parseLabelled(b)
}

// fixedLabels are the canonical labels at their offsets; " submit_date:"
// and " done_date:" have the same length as the spaced forms.
var fixedLabels = []struct {
	off  int
	alts []string
}{
	{13, []string{lblSub}}, {21, []string{lblDlvrd}},
	{31, []string{lblSubmit, " submit_date:"}}, {54, []string{lblDone, " done_date:"}},
	{75, []string{lblStat}}, {88, []string{lblErr}}, {96, []string{lblText}},
}

func parseFixed(b []byte) (*Report, bool) {
	if len(b) < 102 {
		return nil, false
	}
	for _, l := range fixedLabels {
		ok := false
		for _, a := range l.alts {
			ok = ok || strings.EqualFold(string(b[l.off:l.off+len(a)]), a)
		}
		if !ok {
			return nil, false
		}
	}
	str := string(b) // one allocation shared by every field
	r := &Report{
		Sub:        trimField(str[18:21]),
		Dlvrd:      trimField(str[28:31]),
		SubmitDate: trimField(str[44:54]),
		DoneDate:   trimField(str[65:75]),
		Stat:       trimField(str[81:88]),
		Err:        trimField(str[93:96]),
		Text:       trimField(str[102:]),
	}
	copy(r.MsgID[:], b[3:13])
	return r, true
}

// labelled fields in spec order, with the spellings seen in the field.
var reportLabels = [...][]string{
	{"sub:"},
	{"dlvrd:"},
	{"submit date:", "submit_date:", "submitdate:"},
	{"done date:", "done_date:", "donedate:"},
	{"stat:"},
	{"err:"},
	{"text:", "txt:"},
}

func parseLabelled(b []byte) (*Report, error) {
	low := asciiLower(b)
	type hit struct{ start, end int }
	var hits [len(reportLabels)]hit
	pos, idEnd := 3, len(b)
	for i, alts := range reportLabels {
		hits[i] = hit{-1, -1}
		best := -1
		var bestLen int
		for _, a := range alts {
			if j := bytes.Index(low[pos:], []byte(a)); j >= 0 && (best < 0 || pos+j < best) {
				best, bestLen = pos+j, len(a)
			}
		}
		if best < 0 {
			continue
		}
		hits[i] = hit{best, best + bestLen}
		if idEnd == len(b) {
			idEnd = best
		}
		pos = best + bestLen
	}
	id, err := reportID(b[3:idEnd], idEnd < len(b))
	if err != nil {
		return nil, err
	}
	str := string(b) // one allocation shared by every field
	// A value runs from its label to the next label found.
	val := func(i int) string {
		if hits[i].start < 0 {
			return ""
		}
		end := len(b)
		for _, h := range hits[i+1:] {
			if h.start >= 0 {
				end = h.start
				break
			}
		}
		return trimField(str[hits[i].end:end])
	}
	return &Report{MsgID: id, Sub: val(0), Dlvrd: val(1), SubmitDate: val(2), DoneDate: val(3),
		Stat: val(4), Err: val(5), Text: val(6)}, nil
}

// reportID reads the Id: 20 hex digits, or 10 binary bytes followed only
// by spaces before the next label. With no label at all (nothing but the
// id, or an unlabelled tail) the first 10 bytes are taken.
func reportID(raw []byte, labelled bool) (MsgID, error) {
	var id MsgID
	if t := bytes.TrimSpace(raw); len(t) == 2*MsgIDLen {
		if _, err := hex.Decode(id[:], t); err == nil {
			return id, nil
		}
	}
	if len(raw) >= MsgIDLen && (!labelled || len(bytes.TrimRight(raw[MsgIDLen:], " ")) == 0) {
		copy(id[:], raw)
		return id, nil
	}
	return id, fmt.Errorf("smgp report: Id of %d bytes is neither 10 binary bytes nor 20 digits: %w", len(raw), session.ErrMalformed)
}

// trimField drops padding: spaces and 0x00 at both ends.
func trimField(s string) string { return strings.Trim(s, " \x00") }

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
