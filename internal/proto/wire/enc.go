package wire

import (
	"encoding/binary"
	"fmt"
)

// Proto names a protocol in the errors of its codecs.
type Proto struct {
	Name    string // "smgp": the first word of every error
	Invalid error  // what encoding errors wrap: the package's ErrInvalid
}

// Enc is an append-style encoder that remembers the first error, so a PDU's
// Marshal reads as a flat list of fields. Make one with Proto.Enc.
type Enc struct {
	B   []byte
	Err error
	P   *Proto
	PDU string // "submit": named in errors
}

// Enc returns an encoder of pdu appending to dst.
func (p *Proto) Enc(dst []byte, pdu string) Enc { return Enc{B: dst, P: p, PDU: pdu} }

// Dec returns a decoder of pdu whose text fields share a single copy of b:
// one allocation per PDU instead of one per field.
func (p *Proto) Dec(b []byte, pdu string) Dec { return Dec{B: b, s: string(b), P: p, PDU: pdu} }

// RawDec returns a decoder of pdu for bodies with few or no text fields:
// each text field is its own allocation, and none is made for the others.
func (p *Proto) RawDec(b []byte, pdu string) Dec { return Dec{B: b, P: p, PDU: pdu} }

func (e *Enc) U8(v uint8) { e.B = append(e.B, v) }

func (e *Enc) U16(v uint16) { e.B = binary.BigEndian.AppendUint16(e.B, v) }

func (e *Enc) U32(v uint32) { e.B = binary.BigEndian.AppendUint32(e.B, v) }

func (e *Enc) U64(v uint64) { e.B = binary.BigEndian.AppendUint64(e.B, v) }

func (e *Enc) Raw(p []byte) { e.B = append(e.B, p...) }

// Str writes s left-aligned in n bytes, 0x00-padded. A longer s is an
// error: silently cutting a phone number would misroute a message.
func (e *Enc) Str(field, s string, n int) {
	if len(s) > n {
		e.Fail("%s %q is %d bytes, field holds %d", field, s, len(s), n)
		return
	}
	e.B = append(e.B, s...)
	for i := len(s); i < n; i++ {
		e.B = append(e.B, 0)
	}
}

// Fail records the first error: "<proto> <pdu>: <message>: <Invalid>".
func (e *Enc) Fail(format string, args ...any) {
	if e.Err == nil {
		e.Err = fmt.Errorf("%s %s: %s: %w", e.P.Name, e.PDU, fmt.Sprintf(format, args...), e.P.Invalid)
	}
}

// Result returns what was encoded and the first error.
func (e *Enc) Result() ([]byte, error) { return e.B, e.Err }

// Done returns the encoded body, or dst unchanged and the first error. It
// also refuses a body whose PDU (with a headerLen-byte header) would exceed
// maxPDU, so nothing is sent that the peer must refuse.
func (e *Enc) Done(dst []byte, headerLen, maxPDU int) ([]byte, error) {
	if e.Err == nil && headerLen+len(e.B)-len(dst) > maxPDU {
		e.Fail("pdu %d bytes above limit %d", headerLen+len(e.B)-len(dst), maxPDU)
	}
	if e.Err != nil {
		return dst, e.Err
	}
	return e.B, nil
}
