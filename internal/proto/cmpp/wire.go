package cmpp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"hongyan/internal/session"
)

// ErrInvalid marks a PDU that cannot be encoded as given (field too long,
// too many destinations, PDU above the size limit …).
var ErrInvalid = errors.New("cmpp: invalid pdu field")

// enc is an append-style encoder that remembers the first error, so a PDU's
// Marshal reads as a flat list of fields.
type enc struct {
	b   []byte
	err error
	pdu string
}

func (e *enc) u8(v uint8) { e.b = append(e.b, v) }

func (e *enc) u32(v uint32) { e.b = binary.BigEndian.AppendUint32(e.b, v) }

func (e *enc) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }

// uint writes v in width 1 or 4, the two widths CMPP statuses come in.
func (e *enc) uint(field string, v uint32, width int) {
	if width == 4 {
		e.u32(v)
		return
	}
	if v > 0xff {
		e.fail("%s %d does not fit the 1-byte 2.0 field", field, v)
		return
	}
	e.u8(uint8(v))
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
		e.err = fmt.Errorf("cmpp %s: %s: %w", e.pdu, fmt.Sprintf(format, args...), ErrInvalid)
	}
}

func (e *enc) result() ([]byte, error) { return e.b, e.err }

// dec is a bounds-checked decoder: reads past the end set err and return
// zero values, so a PDU's Unmarshal never panics on hostile input.
type dec struct {
	b   []byte
	s   string // optional string copy of b: fields then share one allocation
	off int
	err error
	pdu string
}

// newDec returns a decoder whose string fields share a single copy of b:
// one allocation per PDU instead of one per field.
func newDec(b []byte, pdu string) dec {
	return dec{b: b, s: string(b), pdu: pdu}
}

func (d *dec) need(field string, n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.b)-d.off < n {
		d.err = fmt.Errorf("cmpp %s: body truncated at %s (need %d bytes, have %d): %w",
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

func (d *dec) u64(field string) uint64 {
	if !d.need(field, 8) {
		return 0
	}
	v := binary.BigEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

func (d *dec) uint(field string, width int) uint32 {
	if width == 4 {
		return d.u32(field)
	}
	return uint32(d.u8(field))
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

func (d *dec) array16(field string) (a [16]byte) {
	if d.need(field, 16) {
		copy(a[:], d.b[d.off:])
		d.off += 16
	}
	return a
}

func (d *dec) done() error { return d.err }

// statusWidth is the width of CONNECT_RESP/SUBMIT_RESP/DELIVER_RESP/
// CANCEL_RESP status fields: widened from 1 to 4 bytes in 3.0.
func statusWidth(v Version) int {
	if v.Is30() {
		return 4
	}
	return 1
}

// numLen is the width of terminal-number fields: 21 bytes in 2.0, 32 in 3.0.
func numLen(v Version) int {
	if v.Is30() {
		return 32
	}
	return 21
}

// respLayout picks the layout of a fixed-size response by its body length
// when it matches one version exactly, else by v. Gateways answering in the
// other version's layout are common enough that guessing from v alone loses
// the status.
func respLayout(n, len20, len30 int, v Version) Version {
	switch n {
	case len20:
		return V20
	case len30:
		return V30
	}
	return v.layout()
}
