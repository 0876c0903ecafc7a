package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// Dec is a bounds-checked decoder: reads past the end set Err and return
// zero values, so a PDU's Unmarshal never panics on hostile input. Errors
// wrap session.ErrMalformed. Make one with Proto.Dec or Proto.RawDec.
type Dec struct {
	B   []byte
	Off int
	Err error
	P   *Proto
	PDU string

	s  string // optional string copy of B: text fields then share one allocation
	cp []byte // lazily made copy of B for Shared and TLVTail
}

// Need reports whether n more bytes are there, recording a truncation
// error when not.
func (d *Dec) Need(field string, n int) bool {
	if d.Err != nil {
		return false
	}
	if n < 0 || len(d.B)-d.Off < n {
		d.Err = fmt.Errorf("%s %s: body truncated at %s (need %d bytes, have %d): %w",
			d.P.Name, d.PDU, field, n, len(d.B)-d.Off, session.ErrMalformed)
		return false
	}
	return true
}

func (d *Dec) U8(field string) uint8 {
	if !d.Need(field, 1) {
		return 0
	}
	v := d.B[d.Off]
	d.Off++
	return v
}

func (d *Dec) U16(field string) uint16 {
	if !d.Need(field, 2) {
		return 0
	}
	v := binary.BigEndian.Uint16(d.B[d.Off:])
	d.Off += 2
	return v
}

func (d *Dec) U32(field string) uint32 {
	if !d.Need(field, 4) {
		return 0
	}
	v := binary.BigEndian.Uint32(d.B[d.Off:])
	d.Off += 4
	return v
}

func (d *Dec) U64(field string) uint64 {
	if !d.Need(field, 8) {
		return 0
	}
	v := binary.BigEndian.Uint64(d.B[d.Off:])
	d.Off += 8
	return v
}

// Str reads an n-byte text field. It stops at the first 0x00 (C peers
// leave garbage after the terminator) and drops trailing spaces.
func (d *Dec) Str(field string, n int) string {
	if !d.Need(field, n) {
		return ""
	}
	start := d.Off
	p := d.B[start : start+n]
	d.Off += n
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

// Bytes copies n bytes so decoded PDUs never alias the engine's buffers.
func (d *Dec) Bytes(field string, n int) []byte {
	if !d.Need(field, n) || n == 0 {
		return nil
	}
	p := make([]byte, n)
	copy(p, d.B[d.Off:])
	d.Off += n
	return p
}

// Shared returns n bytes that never alias the engine's buffers, like
// Bytes, but cut from one copy of the body (shared with TLVTail's values),
// with capacity clipped so an append by the caller cannot overwrite a
// neighbouring field.
func (d *Dec) Shared(field string, n int) []byte {
	if !d.Need(field, n) || n == 0 {
		return nil
	}
	if d.cp == nil {
		d.cp = bytes.Clone(d.B)
	}
	p := d.cp[d.Off : d.Off+n : d.Off+n]
	d.Off += n
	return p
}

// Fixed fills dst (a [16]byte authenticator, a 10-byte MsgID …) from the
// next len(dst) bytes; dst is left as it was when they are not there.
func (d *Dec) Fixed(field string, dst []byte) {
	if d.Need(field, len(dst)) {
		copy(dst, d.B[d.Off:])
		d.Off += len(dst)
	}
}

// Array16 reads a 16-byte field (an authenticator).
func (d *Dec) Array16(field string) (a [16]byte) {
	d.Fixed(field, a[:])
	return a
}

// Array10 reads a 10-byte field (an SMGP or CNGP MsgID).
func (d *Dec) Array10(field string) (a [10]byte) {
	d.Fixed(field, a[:])
	return a
}

// Left is the number of bytes not read yet.
func (d *Dec) Left() int { return len(d.B) - d.Off }

// Done returns the first error.
func (d *Dec) Done() error { return d.Err }
