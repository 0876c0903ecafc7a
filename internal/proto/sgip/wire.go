package sgip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"hongyan/internal/session"
)

// ErrInvalid marks a PDU that cannot be encoded as given (field too long,
// no recipients, PDU above the size limit …).
var ErrInvalid = errors.New("sgip: invalid pdu field")

// Variant is the body layout of Submit and Deliver this side sends.
// Decoders read both, telling them apart by length (doc.go).
type Variant uint8

const (
	// Standard is SGIP 1.2 as specified: Submit and Deliver end with Reserve(8).
	Standard Variant = iota
	// LinkIDVariant appends an 8-byte LinkID after Reserve in Submit and
	// Deliver: an assumption, see doc.go; only for SMGs that require it.
	LinkIDVariant
)

func (v Variant) String() string {
	if v == LinkIDVariant {
		return "1.2+linkid"
	}
	return "1.2"
}

// Field sizes shared by several PDUs.
const (
	numberLen  = 21 // UserNumber, SPNumber, ChargeNumber
	reserveLen = 8
	linkIDLen  = 8
	seqLen     = 12
)

// enc is an append-style encoder that remembers the first error, so a PDU's
// Marshal reads as a flat list of fields.
type enc struct {
	b   []byte
	err error
	pdu string
}

func (e *enc) u8(v uint8) { e.b = append(e.b, v) }

func (e *enc) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }

func (e *enc) seq(s session.Seq) {
	e.u32(s.Node)
	e.u32(s.Time)
	e.u32(s.N)
}

// str writes s left-aligned in n bytes, 0x00-padded. A longer s is an
// error: silently cutting a phone number would misroute a message.
func (e *enc) str(field, s string, n int) {
	if len(s) > n {
		e.fail("%s %q is %d bytes, field holds %d", field, s, len(s), n)
		return
	}
	e.b = append(e.b, s...)
	for i := len(s); i < n; i++ {
		e.b = append(e.b, 0)
	}
}

func (e *enc) raw(p []byte) { e.b = append(e.b, p...) }

func (e *enc) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("sgip %s: %s: %w", e.pdu, fmt.Sprintf(format, args...), ErrInvalid)
	}
}

// result returns the encoded bytes, or dst untouched and the first error.
func (e *enc) result(dst []byte) ([]byte, error) {
	if e.err != nil {
		return dst, e.err
	}
	if n := HeaderLen + len(e.b) - len(dst); n > MaxPDU {
		return dst, fmt.Errorf("sgip %s: pdu of %d bytes above the %d-byte limit: %w", e.pdu, n, MaxPDU, ErrInvalid)
	}
	return e.b, nil
}

// dec is a bounds-checked decoder: reads past the end set err and return
// zero values, so an Unmarshal never panics on hostile input.
type dec struct {
	b   []byte
	s   string // string copy of b: string fields share one allocation
	off int
	err error
	pdu string
}

// newDec returns a decoder whose string fields share a single copy of b.
func newDec(b []byte, pdu string) dec { return dec{b: b, s: string(b), pdu: pdu} }

func (d *dec) need(field string, n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.b)-d.off < n {
		d.err = fmt.Errorf("sgip %s: body truncated at %s (need %d bytes, have %d): %w",
			d.pdu, field, n, len(d.b)-d.off, session.ErrMalformed)
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

func (d *dec) seq(field string) session.Seq {
	if !d.need(field, seqLen) {
		return session.Seq{}
	}
	return session.Seq{Node: d.u32(field), Time: d.u32(field), N: d.u32(field)}
}

// str reads an n-byte text field. It stops at the first 0x00 (C peers
// leave garbage after the terminator) and drops trailing spaces.
func (d *dec) str(field string, n int) string {
	if !d.need(field, n) {
		return ""
	}
	start := d.off
	p := d.b[start : start+n]
	d.off += n
	if i := bytes.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	p = bytes.TrimRight(p, " ")
	if len(p) == 0 {
		return ""
	}
	if d.s != "" {
		return d.s[start : start+len(p)]
	}
	return string(p)
}

// bytes copies n bytes so decoded PDUs never alias the engine's buffers.
func (d *dec) bytes(field string, n int) []byte {
	if !d.need(field, n) || n == 0 {
		return nil
	}
	p := make([]byte, n)
	copy(p, d.b[d.off:])
	d.off += n
	return p
}

func (d *dec) left() int { return len(d.b) - d.off }

// end checks that the body was consumed exactly: fixed-size SGIP bodies
// have no optional part, so extra bytes mean a layout we do not know.
func (d *dec) end() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = fmt.Errorf("sgip %s: %d unexpected bytes after the last field: %w", d.pdu, len(d.b)-d.off, session.ErrMalformed)
	}
	return d.err
}

func (d *dec) done() error { return d.err }
