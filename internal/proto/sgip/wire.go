package sgip

import (
	"errors"
	"fmt"

	"hongyan/internal/proto/wire"
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

// wireProto names SGIP in the errors of the shared codecs.
var wireProto = &wire.Proto{Name: "sgip", Invalid: ErrInvalid}

// enc is the shared append-style encoder (wire.Enc), with SGIP's errors.
type enc struct{ wire.Enc }

func newEnc(dst []byte, pdu string) enc { return enc{wireProto.Enc(dst, pdu)} }

func (e *enc) seq(s session.Seq) {
	e.U32(s.Node)
	e.U32(s.Time)
	e.U32(s.N)
}

// result returns the encoded bytes, or dst untouched and the first error.
func (e *enc) result(dst []byte) ([]byte, error) {
	if e.Err != nil {
		return dst, e.Err
	}
	if n := HeaderLen + len(e.B) - len(dst); n > MaxPDU {
		return dst, fmt.Errorf("sgip %s: pdu of %d bytes above the %d-byte limit: %w", e.PDU, n, MaxPDU, ErrInvalid)
	}
	return e.B, nil
}

// dec is the shared bounds-checked decoder (wire.Dec); byte fields are
// copied one by one (wire.Dec.Bytes).
type dec struct{ wire.Dec }

// newDec returns a decoder whose string fields share a single copy of b.
func newDec(b []byte, pdu string) dec { return dec{wireProto.Dec(b, pdu)} }

func (d *dec) seq(field string) session.Seq {
	if !d.Need(field, seqLen) {
		return session.Seq{}
	}
	return session.Seq{Node: d.U32(field), Time: d.U32(field), N: d.U32(field)}
}

// end checks that the body was consumed exactly: fixed-size SGIP bodies
// have no optional part, so extra bytes mean a layout we do not know.
func (d *dec) end() error {
	if d.Err == nil && d.Off != len(d.B) {
		d.Err = fmt.Errorf("sgip %s: %d unexpected bytes after the last field: %w", d.PDU, len(d.B)-d.Off, session.ErrMalformed)
	}
	return d.Err
}
