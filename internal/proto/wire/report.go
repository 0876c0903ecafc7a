package wire

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"hongyan/internal/session"
)

// ReportIDLen is the size of the binary Id that opens a text report.
const ReportIDLen = 10

// Report is a status report in the labelled text form SMGP and CNGP carry
// in a Deliver: "id:" and the 10 binary bytes of the Submit_Resp's MsgID,
// then " sub:001 dlvrd:001 submit date:YYMMDDHHMM done date:YYMMDDHHMM
// stat:DELIVRD err:000 text:…". Each package names the fields its own way
// and converts.
type Report struct {
	ID         [ReportIDLen]byte
	Sub        string // 3
	Dlvrd      string // 3
	SubmitDate string // 10
	DoneDate   string // 10
	Stat       string // 7
	Err        string // 3
	Text       string // 20
}

// The report's fields in order, as indexes into ReportFormat's tables.
const (
	RptSub = iota
	RptDlvrd
	RptSubmitDate
	RptDoneDate
	RptStat
	RptErr
	RptText
	rptFields
)

// reportOffsets is where the separator before each label stands in the
// canonical layout: "id:" + 10 bytes, then fields 3, 3, 10, 10, 7, 3 wide.
// The date labels' spellings all have the same length.
var reportOffsets = [rptFields]int{13, 21, 31, 54, 75, 88, 96}

// ReportFormat is one protocol's reading of the text report.
type ReportFormat struct {
	Proto string // "smgp": the first word of errors
	// Labels are each field's spellings, ':' included; the first is the
	// one sent, and its name without ':' names the field in errors. A
	// report that is not in the canonical layout is read by labels,
	// trying them in this order.
	Labels [rptFields][]string
	// Fixed are the spellings accepted at the canonical offsets.
	Fixed [rptFields][]string
	// Seps are the bytes accepted before a label at its canonical offset;
	// they and 0x00 are trimmed from values.
	Seps string
	// TrimID trims a labelled Id before it is tried as 20 hex digits.
	TrimID func([]byte) []byte
}

// Append appends r in the canonical layout. Empty Sub and Dlvrd are sent
// as "001" and empty Err as "000"; shorter numbers are zero-padded on the
// left, shorter text fields space-padded on the right, Text 0x00-padded. A
// value longer than its field is an error, and dst comes back unchanged.
func (f *ReportFormat) Append(e *Enc, dst []byte, r *Report) ([]byte, error) {
	e.Raw([]byte("id:"))
	e.Raw(r.ID[:])
	f.label(e, RptSub)
	e.num(f.field(RptSub), r.Sub, "001")
	f.label(e, RptDlvrd)
	e.num(f.field(RptDlvrd), r.Dlvrd, "001")
	f.label(e, RptSubmitDate)
	e.text(f.field(RptSubmitDate), r.SubmitDate, 10, ' ')
	f.label(e, RptDoneDate)
	e.text(f.field(RptDoneDate), r.DoneDate, 10, ' ')
	f.label(e, RptStat)
	e.text(f.field(RptStat), r.Stat, 7, ' ')
	f.label(e, RptErr)
	e.num(f.field(RptErr), r.Err, "000")
	f.label(e, RptText)
	e.text(f.field(RptText), r.Text, 20, 0)
	if e.Err != nil {
		return dst, e.Err
	}
	return e.B, nil
}

func (f *ReportFormat) label(e *Enc, i int) {
	e.U8(' ')
	e.Raw([]byte(f.Labels[i][0]))
}

func (f *ReportFormat) field(i int) string { return strings.TrimSuffix(f.Labels[i][0], ":") }

// num writes a 3-digit field, left-padded with '0', def when empty.
func (e *Enc) num(field, s, def string) {
	if s == "" {
		s = def
	}
	if len(s) > 3 {
		e.Fail("%s %q longer than 3", field, s)
		return
	}
	for i := len(s); i < 3; i++ {
		e.U8('0')
	}
	e.Raw([]byte(s))
}

// text writes s right-padded with pad to n bytes.
func (e *Enc) text(field, s string, n int, pad byte) {
	if len(s) > n {
		e.Fail("%s %q longer than %d", field, s, n)
		return
	}
	e.Raw([]byte(s))
	for i := len(s); i < n; i++ {
		e.U8(pad)
	}
}

// Parse reads a report tolerantly. The canonical layout is read by fixed
// offsets, whatever bytes the binary id and the text hold. Anything else is
// read by labels, case-insensitively, in order, each label optional. The
// Id may be the 10 binary bytes or the same as 20 hex/BCD digits; anything
// else is refused.
func (f *ReportFormat) Parse(b []byte) (Report, error) {
	if len(b) < 3 || !strings.EqualFold(string(b[:3]), "id:") {
		return Report{}, fmt.Errorf("%s report: content does not start with \"id:\": %w", f.Proto, session.ErrMalformed)
	}
	if r, ok := f.parseFixed(b); ok {
		return r, nil
	}
	return f.parseLabelled(b)
}

func (f *ReportFormat) parseFixed(b []byte) (Report, bool) {
	shortest := len(f.Fixed[RptText][0])
	for _, a := range f.Fixed[RptText] {
		shortest = min(shortest, len(a))
	}
	if len(b) < reportOffsets[RptText]+1+shortest {
		return Report{}, false
	}
	textAt := 0
	for i, off := range reportOffsets {
		if strings.IndexByte(f.Seps, b[off]) < 0 {
			return Report{}, false
		}
		found := ""
		for _, a := range f.Fixed[i] {
			if end := off + 1 + len(a); end <= len(b) && strings.EqualFold(string(b[off+1:end]), a) {
				found = a
				break
			}
		}
		if found == "" {
			return Report{}, false
		}
		textAt = off + 1 + len(found) // the last label is text
	}
	str := string(b) // one allocation shared by every field
	r := Report{
		Sub:        f.trim(str[18:21]),
		Dlvrd:      f.trim(str[28:31]),
		SubmitDate: f.trim(str[44:54]),
		DoneDate:   f.trim(str[65:75]),
		Stat:       f.trim(str[81:88]),
		Err:        f.trim(str[93:96]),
		Text:       f.trim(str[textAt:]),
	}
	copy(r.ID[:], b[3:13])
	return r, true
}

func (f *ReportFormat) parseLabelled(b []byte) (Report, error) {
	low := asciiLower(b)
	type hit struct{ start, end int }
	var hits [rptFields]hit
	pos, idEnd := 3, len(b)
	for i, alts := range f.Labels {
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
	id, err := f.reportID(b[3:idEnd], idEnd < len(b))
	if err != nil {
		return Report{}, err
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
		return f.trim(str[hits[i].end:end])
	}
	return Report{ID: id, Sub: val(RptSub), Dlvrd: val(RptDlvrd), SubmitDate: val(RptSubmitDate),
		DoneDate: val(RptDoneDate), Stat: val(RptStat), Err: val(RptErr), Text: val(RptText)}, nil
}

// reportID reads the Id: 20 hex digits, or 10 binary bytes followed only
// by separators before the next label. With no label at all (nothing but
// the id, or an unlabelled tail) the first 10 bytes are taken.
func (f *ReportFormat) reportID(raw []byte, labelled bool) ([ReportIDLen]byte, error) {
	var id [ReportIDLen]byte
	if t := f.TrimID(raw); len(t) == 2*ReportIDLen {
		if _, err := hex.Decode(id[:], t); err == nil {
			return id, nil
		}
	}
	if len(raw) >= ReportIDLen && (!labelled || len(bytes.TrimRight(raw[ReportIDLen:], f.Seps)) == 0) {
		copy(id[:], raw)
		return id, nil
	}
	return id, fmt.Errorf("%s report: Id of %d bytes is neither 10 binary bytes nor 20 digits: %w", f.Proto, len(raw), session.ErrMalformed)
}

// trim drops padding and separators at both ends.
func (f *ReportFormat) trim(s string) string { return strings.Trim(s, f.Seps+"\x00") }

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
