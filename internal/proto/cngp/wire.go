package cngp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"hongyan/internal/session"
)

// ErrInvalid marks a PDU that cannot be encoded as given (field too long,
// too many destinations, PDU above MaxPDU …).
var ErrInvalid = errors.New("cngp: invalid pdu field")

// enc is an append-style encoder that remembers the first error, so a PDU's
// Marshal reads as a flat list of fields.
type enc struct {
	b   []byte
	err error
	pdu string
}

func (e *enc) u8(v uint8) { e.b = append(e.b, v) }

func (e *enc) u16(v uint16) { e.b = binary.BigEndian.AppendUint16(e.b, v) }

func (e *enc) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }

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
		e.err = fmt.Errorf("cngp %s: %s: %w", e.pdu, fmt.Sprintf(format, args...), ErrInvalid)
	}
}

// done returns the encoded body, or dst unchanged and the first error; it
// also refuses a body whose PDU would exceed MaxPDU, so we never send what
// the peer must refuse.
func (e *enc) done(dst []byte) ([]byte, error) {
	if e.err == nil && HeaderLen+len(e.b)-len(dst) > MaxPDU {
		e.fail("pdu %d bytes above limit %d", HeaderLen+len(e.b)-len(dst), MaxPDU)
	}
	if e.err != nil {
		return dst, e.err
	}
	return e.b, nil
}

// dec is a bounds-checked decoder: reads past the end set err and return
// zero values, so a PDU's Unmarshal never panics on hostile input.
type dec struct {
	b   []byte
	s   string // string copy of b: string fields share one allocation
	cp  []byte // lazily made copy of b: byte fields share one allocation
	off int
	err error
	pdu string
}

func newDec(b []byte, pdu string) dec { return dec{b: b, s: string(b), pdu: pdu} }

func (d *dec) need(field string, n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.b)-d.off < n {
		d.err = fmt.Errorf("cngp %s: body truncated at %s (need %d bytes, have %d): %w",
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

// str reads an n-byte octet string. It stops at the first 0x00 (C peers
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

// bytes returns n bytes that never alias the engine's buffers. They are
// cut from one copy of the body, with capacity clipped so an append by the
// caller cannot overwrite a neighbouring field.
func (d *dec) bytes(field string, n int) []byte {
	if !d.need(field, n) || n == 0 {
		return nil
	}
	if d.cp == nil {
		d.cp = bytes.Clone(d.b)
	}
	p := d.cp[d.off : d.off+n : d.off+n]
	d.off += n
	return p
}

func (d *dec) array16(field string) (a [16]byte) {
	if d.need(field, 16) {
		copy(a[:], d.b[d.off:])
		d.off += 16
	}
	return a
}

func (d *dec) msgID(field string) (id MsgID) {
	if d.need(field, MsgIDLen) {
		copy(id[:], d.b[d.off:])
		d.off += MsgIDLen
	}
	return id
}

func (d *dec) result() error { return d.err }
