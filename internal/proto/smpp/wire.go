package smpp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"hongyan/internal/session"
)

// ErrInvalid marks a PDU that cannot be encoded as given (string too long,
// field not in this version, PDU above MaxPDU …). Nothing is sent.
var ErrInvalid = errors.New("smpp: invalid pdu field")

// DecodeError is a body that does not parse. It wraps session.ErrMalformed
// and carries the command_status the receiver should answer with, so a bad
// submit_sm gets a precise refusal instead of a dropped connection.
type DecodeError struct {
	PDU    string // "submit_sm"
	Field  string // "source_addr"
	Status uint32 // ESME_RINVSRCADR, ESME_RINVCMDLEN, …
	Reason string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("smpp %s: %s: %s (%s)", e.PDU, e.Field, e.Reason, StatusName(e.Status))
}

func (e *DecodeError) Unwrap() error { return session.ErrMalformed }

// StatusOf is the command_status to answer a request whose body failed to
// decode with err: the DecodeError's, else ESME_RSYSERR.
func StatusOf(err error) uint32 {
	if de, ok := errors.AsType[*DecodeError](err); ok {
		return de.Status
	}
	return ESME_RSYSERR
}

// enc is an append-style encoder that remembers the first error, so a
// PDU's Marshal reads as a flat list of fields.
type enc struct {
	b   []byte
	err error
	pdu string
}

func (e *enc) u8(v uint8)   { e.b = append(e.b, v) }
func (e *enc) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *enc) raw(p []byte) { e.b = append(e.b, p...) }

// cstr writes s and its NUL. max includes the NUL, as in the spec tables.
// A longer s is an error: cutting a number or an id would misroute.
func (e *enc) cstr(field, s string, max int) {
	if len(s) > max-1 {
		e.fail("%s %q is %d bytes, max %d", field, s, len(s), max-1)
		return
	}
	if bytes.IndexByte([]byte(s), 0) >= 0 {
		e.fail("%s contains NUL", field)
		return
	}
	e.b = append(e.b, s...)
	e.b = append(e.b, 0)
}

// time writes an SMPP time (schedule_delivery_time, validity_period,
// final_date): empty, or the 16-character absolute/relative form.
func (e *enc) time(field, s string) {
	if s != "" && len(s) != 16 {
		e.fail("%s %q must be empty or 16 characters (YYMMDDhhmmsstnnp)", field, s)
		return
	}
	e.cstr(field, s, 17)
}

// shortMessage writes sm_length and short_message.
func (e *enc) shortMessage(sm []byte, tlvs TLVs, v Version) {
	if len(sm) > MaxShortMessage {
		e.fail("short_message is %d bytes, max %d (use message_payload)", len(sm), MaxShortMessage)
		return
	}
	if len(sm) > 0 && v.HasTLV() && tlvs.Has(TagMessagePayload) {
		e.fail("short_message and message_payload both set (spec: sm_length must be 0)")
		return
	}
	e.u8(uint8(len(sm)))
	e.raw(sm)
}

func (e *enc) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("smpp %s: %s: %w", e.pdu, fmt.Sprintf(format, args...), ErrInvalid)
	}
}

// result returns the encoded bytes, or dst unchanged (start) on error.
func (e *enc) result(start int) ([]byte, error) {
	if e.err != nil {
		return e.b[:start], e.err
	}
	return e.b, nil
}

// dec is a bounds-checked decoder: reads past the end record a DecodeError
// and return zero values, so Unmarshal never panics on hostile input.
type dec struct {
	b   []byte
	s   string // string copy of b: string fields share one allocation
	off int
	err error
	pdu string
}

func newDec(b []byte, pdu string) dec { return dec{b: b, s: string(b), pdu: pdu} }

func (d *dec) fail(field string, status uint32, format string, args ...any) {
	if d.err == nil {
		d.err = &DecodeError{PDU: d.pdu, Field: field, Status: status, Reason: fmt.Sprintf(format, args...)}
	}
}

func (d *dec) need(field string, n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.b)-d.off < n {
		d.fail(field, ESME_RINVCMDLEN, "body truncated (need %d bytes, have %d)", n, len(d.b)-d.off)
		return false
	}
	return true
}

func (d *dec) u8(field string) uint8 {
	if !d.need(field, 1) {
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *dec) u32(field string) uint32 {
	if !d.need(field, 4) {
		return 0
	}
	v := binary.BigEndian.Uint32(d.b[d.off:])
	d.off += 4
	return v
}

// cstr reads a C-Octet String of at most max bytes including the NUL. An
// unterminated or over-long string fails with status.
func (d *dec) cstr(field string, max int, status uint32) string {
	return d.cstring(field, max, status, false)
}

// cstrTail is cstr for a string that ends the body: a missing NUL is
// accepted there, since nothing follows that it could be confused with.
func (d *dec) cstrTail(field string, max int, status uint32) string {
	return d.cstring(field, max, status, true)
}

func (d *dec) cstring(field string, max int, status uint32, tail bool) string {
	if d.err != nil {
		return ""
	}
	rest := d.b[d.off:]
	window := rest[:min(len(rest), max)]
	i := bytes.IndexByte(window, 0)
	if i < 0 {
		switch {
		case len(rest) == 0:
			d.fail(field, ESME_RINVCMDLEN, "body truncated (missing)")
		case tail && len(rest) < max:
			i = len(rest) // unterminated at the very end: take it
			s := d.str(d.off, i)
			d.off += i
			return s
		case len(rest) >= max:
			d.fail(field, status, "longer than %d bytes", max-1)
		default:
			d.fail(field, ESME_RINVCMDLEN, "not NUL-terminated")
		}
		return ""
	}
	s := d.str(d.off, i)
	d.off += i + 1
	return s
}

func (d *dec) str(off, n int) string {
	if n == 0 {
		return ""
	}
	return d.s[off : off+n]
}

// bytes copies n bytes so decoded PDUs never alias the caller's buffer.
func (d *dec) bytes(field string, n int) []byte {
	if !d.need(field, n) || n == 0 {
		return nil
	}
	p := bytes.Clone(d.b[d.off : d.off+n])
	d.off += n
	return p
}

// shortMessage reads sm_length and short_message.
func (d *dec) shortMessage() []byte {
	n := int(d.u8("sm_length"))
	if d.err == nil && len(d.b)-d.off < n {
		d.fail("short_message", ESME_RINVMSGLEN, "sm_length %d but %d bytes left", n, len(d.b)-d.off)
		return nil
	}
	return d.bytes("short_message", n)
}

// tlvs reads the optional parameters that end the body. 3.3 has none: the
// rest is ignored, as a 3.3 peer would.
func (d *dec) tlvs(v Version) TLVs {
	if d.err != nil {
		return nil
	}
	rest := d.b[d.off:]
	d.off = len(d.b)
	if !v.HasTLV() || len(rest) == 0 {
		return nil
	}
	t, err := parseTLVs(rest, d.pdu)
	if err != nil {
		d.err = err
		return nil
	}
	return t
}

func (d *dec) done() error { return d.err }

// tlvs appends the optional parameters; 3.3 has none, so they are omitted.
func (e *enc) tlvs(t TLVs, v Version) {
	if !v.HasTLV() || e.err != nil {
		return
	}
	b, err := AppendTLVs(e.b, t)
	if err != nil {
		e.err = fmt.Errorf("smpp %s: %w", e.pdu, err)
		return
	}
	e.b = b
}
