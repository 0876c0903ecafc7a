package cngp

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"hongyan/internal/session"
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

// The canonical labels, each with the one separator byte before it.
const (
	lblSub    = " sub:"
	lblDlvrd  = " dlvrd:"
	lblSubmit = " submit_date:"
	lblDone   = " done_date:"
	lblStat   = " stat:"
	lblErr    = " err:"
	lblTxt    = " txt:"
)

// Marshal appends the 121-byte report: "id:" + 10 binary bytes, then the
// labelled fields with spaces between them (the Huawei SMProxy reads Stat,
// SubmitDate and DoneDate at offsets 81, 44 and 65). Empty Sub and Dlvrd
// are sent as "001", empty Err as "000"; shorter numbers are zero-padded on
// the left, text fields space-padded on the right, Txt 0x00-padded. A value
// longer than its field is an error.
func (r *Report) Marshal(dst []byte) ([]byte, error) {
	e := enc{b: dst, pdu: "report"}
	e.raw([]byte("id:"))
	e.raw(r.MsgID[:])
	e.raw([]byte(lblSub))
	e.num("sub", r.Sub, "001")
	e.raw([]byte(lblDlvrd))
	e.num("dlvrd", r.Dlvrd, "001")
	e.raw([]byte(lblSubmit))
	e.text("submit_date", r.SubmitDate, 10, ' ')
	e.raw([]byte(lblDone))
	e.text("done_date", r.DoneDate, 10, ' ')
	e.raw([]byte(lblStat))
	e.text("stat", r.Stat, 7, ' ')
	e.raw([]byte(lblErr))
	e.num("err", r.Err, "000")
	e.raw([]byte(lblTxt))
	e.text("txt", r.Txt, 20, 0)
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
// fixed offsets, with ' ' or ';' as the byte before each label
// (wujunjenny/smgw's Deliver path writes ';' in places) and whatever bytes
// the binary id and the text hold. Anything else is read by labels,
// case-insensitively, in order, each optional: "submit_date", "submit date"
// and "submitdate" are one label, "txt" and "text" another. The Id may be
// the 10 binary bytes or the same as 20 hex/BCD digits; anything else is
// refused.
func ParseReport(b []byte) (*Report, error) {
	if len(b) < 3 || !strings.EqualFold(string(b[:3]), "id:") {
		return nil, fmt.Errorf("cngp report: content does not start with \"id:\": %w", session.ErrMalformed)
	}
	if r, ok := parseFixed(b); ok {
		return r, nil
	}
	return parseLabelled(b)
}

// fixedLabels are the canonical labels (without their separator byte) at
// the offset of that separator; the spaced date labels have the same
// length as the underscored ones.
var fixedLabels = []struct {
	off  int
	alts []string
}{
	{13, []string{"sub:"}}, {21, []string{"dlvrd:"}},
	{31, []string{"submit_date:", "submit date:"}}, {54, []string{"done_date:", "done date:"}},
	{75, []string{"stat:"}}, {88, []string{"err:"}}, {96, []string{"txt:", "text:"}},
}

func parseFixed(b []byte) (*Report, bool) {
	if len(b) < 101 {
		return nil, false
	}
	txtAt := 0
	for _, l := range fixedLabels {
		if c := b[l.off]; c != ' ' && c != ';' {
			return nil, false
		}
		found := ""
		for _, a := range l.alts {
			if end := l.off + 1 + len(a); end <= len(b) && strings.EqualFold(string(b[l.off+1:end]), a) {
				found = a
				break
			}
		}
		if found == "" {
			return nil, false
		}
		txtAt = l.off + 1 + len(found) // the last label is txt
	}
	str := string(b) // one allocation shared by every field
	r := &Report{
		Sub:        trimField(str[18:21]),
		Dlvrd:      trimField(str[28:31]),
		SubmitDate: trimField(str[44:54]),
		DoneDate:   trimField(str[65:75]),
		Stat:       trimField(str[81:88]),
		Err:        trimField(str[93:96]),
		Txt:        trimField(str[txtAt:]),
	}
	copy(r.MsgID[:], b[3:13])
	return r, true
}

// labelled fields in order, with the spellings seen in the field.
var reportLabels = [...][]string{
	{"sub:"},
	{"dlvrd:"},
	{"submit_date:", "submit date:", "submitdate:"},
	{"done_date:", "done date:", "donedate:"},
	{"stat:"},
	{"err:"},
	{"txt:", "text:"},
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
		Stat: val(4), Err: val(5), Txt: val(6)}, nil
}

// reportID reads the Id: 20 hex digits, or 10 binary bytes followed only
// by separators before the next label. With no label at all the first 10
// bytes are taken.
func reportID(raw []byte, labelled bool) (MsgID, error) {
	var id MsgID
	if t := bytes.Trim(raw, " ;"); len(t) == 2*MsgIDLen {
		if _, err := hex.Decode(id[:], t); err == nil {
			return id, nil
		}
	}
	if len(raw) >= MsgIDLen && (!labelled || len(bytes.TrimRight(raw[MsgIDLen:], " ;")) == 0) {
		copy(id[:], raw)
		return id, nil
	}
	return id, fmt.Errorf("cngp report: Id of %d bytes is neither 10 binary bytes nor 20 digits: %w", len(raw), session.ErrMalformed)
}

// trimField drops padding and separators: spaces, ';' and 0x00 at both ends.
func trimField(s string) string { return strings.Trim(s, " ;\x00") }

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
