package cmpp

import (
	"errors"

	"hongyan/internal/proto/wire"
)

// ErrInvalid marks a PDU that cannot be encoded as given (field too long,
// too many destinations, PDU above the size limit …).
var ErrInvalid = errors.New("cmpp: invalid pdu field")

// wireProto names CMPP in the errors of the shared codecs.
var wireProto = &wire.Proto{Name: "cmpp", Invalid: ErrInvalid}

// enc is the shared append-style encoder (wire.Enc), with CMPP's errors.
type enc struct{ wire.Enc }

func newEnc(dst []byte, pdu string) enc { return enc{wireProto.Enc(dst, pdu)} }

// uint writes v in width 1 or 4, the two widths CMPP statuses come in.
func (e *enc) uint(field string, v uint32, width int) {
	if width == 4 {
		e.U32(v)
		return
	}
	if v > 0xff {
		e.Fail("%s %d does not fit the 1-byte 2.0 field", field, v)
		return
	}
	e.U8(uint8(v))
}

// dec is the shared bounds-checked decoder (wire.Dec); byte fields are
// copied one by one (wire.Dec.Bytes).
type dec struct{ wire.Dec }

// newDec returns a decoder whose string fields share a single copy of b:
// one allocation per PDU instead of one per field.
func newDec(b []byte, pdu string) dec { return dec{wireProto.Dec(b, pdu)} }

// rawDec returns a decoder for bodies with few or no text fields.
func rawDec(b []byte, pdu string) dec { return dec{wireProto.RawDec(b, pdu)} }

func (d *dec) uint(field string, width int) uint32 {
	if width == 4 {
		return d.U32(field)
	}
	return uint32(d.U8(field))
}

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
