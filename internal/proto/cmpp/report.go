package cmpp

import (
	"fmt"

	"hongyan/internal/session"
)

// Report is the status report carried in a DELIVER's Msg_Content when
// Registered_Delivery = 1.
type Report struct {
	MsgID          uint64 // Msg_Id of the original SUBMIT_RESP: the correlation key
	Stat           string // 7 chars, kept verbatim (DELIVRD, UNDELIV, MA:0001, vendor codes …)
	SubmitTime     string // YYMMDDHHMM
	DoneTime       string // YYMMDDHHMM
	DestTerminalID string // 32 bytes in 3.0, 21 in 2.0
	SMSCSequence   uint32
}

// Report sizes: 3.0 widened Dest_terminal_Id from 21 to 32 bytes.
const (
	ReportLen20 = 8 + 7 + 10 + 10 + 21 + 4
	ReportLen30 = 8 + 7 + 10 + 10 + 32 + 4
)

// StatDelivered is the only successful Stat value.
const StatDelivered = "DELIVRD"

// Delivered reports whether the message reached the handset.
func (r *Report) Delivered() bool { return r.Stat == StatDelivered }

// Marshal appends the report in v's layout (71 bytes 3.0, 60 bytes 2.0).
func (r *Report) Marshal(dst []byte, v Version) ([]byte, error) {
	e := newEnc(dst, "report")
	e.U64(r.MsgID)
	e.Str("Stat", r.Stat, 7)
	e.Str("Submit_time", r.SubmitTime, 10)
	e.Str("Done_time", r.DoneTime, 10)
	e.Str("Dest_terminal_Id", r.DestTerminalID, numLen(v))
	e.U32(r.SMSCSequence)
	return e.Result()
}

// Unmarshal decodes a report, choosing the layout by its length (60 or 71
// bytes) whatever the session version: gocmpp and some ISMGs send the
// 60-byte layout on 3.0 links.
func (r *Report) Unmarshal(b []byte) error {
	var nl int
	switch len(b) {
	case ReportLen30:
		nl = 32
	case ReportLen20:
		nl = 21
	default:
		return fmt.Errorf("cmpp report: %d bytes, want %d or %d: %w", len(b), ReportLen20, ReportLen30, session.ErrMalformed)
	}
	d := newDec(b, "report")
	r.MsgID = d.U64("Msg_Id")
	r.Stat = d.Str("Stat", 7)
	r.SubmitTime = d.Str("Submit_time", 10)
	r.DoneTime = d.Str("Done_time", 10)
	r.DestTerminalID = d.Str("Dest_terminal_Id", nl)
	r.SMSCSequence = d.U32("SMSC_sequence")
	return d.Done()
}
