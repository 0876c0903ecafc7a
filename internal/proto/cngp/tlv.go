package cngp

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// Optional parameter tags (protocols/cngp.md: wujunjenny/smgw
// common/smppexdef.h, the RongDi client and the Huawei SMProxy agree on the
// first and the last).
const (
	TagProtocolID      uint16 = 0x0100 // 1: GSM TP-PID; Submit, Deliver, Forward
	TagSPID            uint16 = 0x0101 // 10: Forward in 2.0 only (one source)
	TagSrcTermID       uint16 = 0x0102 // defined, use not seen (one source)
	TagCongestionState uint16 = 0x0428 // 1: Submit_Resp, Deliver_Resp, Forward_Resp; meaning unstated, 0 sent
)

// TLV is one optional parameter. Tags this package does not know are kept
// verbatim, in the order received, and sent back the same way.
type TLV struct {
	Tag   uint16
	Value []byte
}

// TLVs is the ordered list of optional parameters after a fixed body.
type TLVs []TLV

// Get returns the value of the first TLV with tag.
func (ts TLVs) Get(tag uint16) ([]byte, bool) {
	for _, t := range ts {
		if t.Tag == tag {
			return t.Value, true
		}
	}
	return nil, false
}

// Has reports whether tag is present.
func (ts TLVs) Has(tag uint16) bool {
	_, ok := ts.Get(tag)
	return ok
}

// Byte returns a one-byte parameter; 0 when absent or empty.
func (ts TLVs) Byte(tag uint16) uint8 {
	if v, ok := ts.Get(tag); ok && len(v) > 0 {
		return v[0]
	}
	return 0
}

// String returns a text parameter cut at the first 0x00, trailing spaces
// dropped.
func (ts TLVs) String(tag uint16) string {
	v, _ := ts.Get(tag)
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return string(bytes.TrimRight(v, " "))
}

// Set replaces the value of tag, or appends it when absent.
func (ts *TLVs) Set(tag uint16, value []byte) {
	for i := range *ts {
		if (*ts)[i].Tag == tag {
			(*ts)[i].Value = value
			return
		}
	}
	*ts = append(*ts, TLV{Tag: tag, Value: value})
}

// SetByte sets a one-byte parameter.
func (ts *TLVs) SetByte(tag uint16, v uint8) { ts.Set(tag, []byte{v}) }

// SetString sets a text parameter, 0x00-padded to width when width > 0.
func (ts *TLVs) SetString(tag uint16, s string, width int) {
	v := []byte(s)
	for len(v) < width {
		v = append(v, 0)
	}
	ts.Set(tag, v)
}

// Del removes every TLV with tag.
func (ts *TLVs) Del(tag uint16) {
	out := (*ts)[:0]
	for _, t := range *ts {
		if t.Tag != tag {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	*ts = out
}

// withDefault returns ts with tag set to value when absent, without
// touching the caller's slice.
func (ts TLVs) withDefault(tag uint16, value uint8) TLVs {
	if ts.Has(tag) {
		return ts
	}
	out := make(TLVs, len(ts), len(ts)+1)
	copy(out, ts)
	return append(out, TLV{Tag: tag, Value: []byte{value}})
}

// appendTLVs encodes ts after a fixed body.
func appendTLVs(e *enc, ts TLVs) {
	for _, t := range ts {
		if len(t.Value) > 0xffff {
			e.fail("TLV 0x%04X value %d bytes above 65535", t.Tag, len(t.Value))
			return
		}
		e.u16(t.Tag)
		e.u16(uint16(len(t.Value)))
		e.raw(t.Value)
	}
}

// ParseTLVs walks the optional parameters in b. Every TLV must lie wholly
// inside b; values are copies (one allocation for all of them). An empty b
// gives nil.
func ParseTLVs(b []byte) (TLVs, error) { return parseTLVs(b, false) }

// parseTLVs is ParseTLVs; owned says b is already a private copy whose
// values may be sub-sliced.
func parseTLVs(b []byte, owned bool) (TLVs, error) {
	if len(b) == 0 {
		return nil, nil
	}
	n, err := countTLVs(b)
	if err != nil {
		return nil, err
	}
	cp := b
	if !owned {
		cp = bytes.Clone(b)
	}
	ts := make(TLVs, 0, n)
	for off := 0; off < len(cp); {
		l := int(binary.BigEndian.Uint16(cp[off+2:]))
		v := cp[off+4 : off+4+l : off+4+l]
		if l == 0 {
			v = nil
		}
		ts = append(ts, TLV{Tag: binary.BigEndian.Uint16(cp[off:]), Value: v})
		off += 4 + l
	}
	return ts, nil
}

// countTLVs checks the walk before anything is allocated.
func countTLVs(b []byte) (int, error) {
	n := 0
	for off := 0; off < len(b); n++ {
		if len(b)-off < 4 {
			return 0, fmt.Errorf("cngp tlv: %d stray bytes at offset %d: %w", len(b)-off, off, session.ErrMalformed)
		}
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if len(b)-off-4 < l {
			return 0, fmt.Errorf("cngp tlv: tag 0x%04X length %d, %d bytes left: %w",
				binary.BigEndian.Uint16(b[off:]), l, len(b)-off-4, session.ErrMalformed)
		}
		off += 4 + l
	}
	return n, nil
}

// tlvTail decodes what follows the fixed body read by d. In a request
// (Submit, Deliver, Forward) it must be a clean TLV walk: a broken one
// usually means a mis-sized fixed body. In a response (strict = false) the
// result is in the header and only the MsgID matters, so a tail that does
// not walk is dropped: the Huawei SMProxy sends a Deliver_Resp whose TLV
// has tag and length left 0 (protocols/cngp.md). Values share d's copy of
// the body.
func (d *dec) tlvTail(strict bool) (TLVs, error) {
	if d.err != nil || d.off == len(d.b) {
		return nil, d.err
	}
	if d.cp == nil {
		d.cp = bytes.Clone(d.b)
	}
	ts, err := parseTLVs(d.cp[d.off:], true)
	if err != nil && !strict {
		return nil, nil
	}
	return ts, err
}
