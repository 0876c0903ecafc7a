package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// TLV is one optional parameter of SMGP or CNGP: a 2-byte tag, a 2-byte
// length and the value. Tags a package does not know are kept verbatim, in
// the order received, and sent back the same way.
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

// Byte returns a one-byte parameter (TP_udhi, PkTotal …); 0 when absent
// or empty.
func (ts TLVs) Byte(tag uint16) uint8 {
	if v, ok := ts.Get(tag); ok && len(v) > 0 {
		return v[0]
	}
	return 0
}

// String returns a text parameter (LinkID, MsgSrc …) cut at the first 0x00,
// trailing spaces dropped.
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

// SetString sets a text parameter, 0x00-padded to width when width > 0
// (fixed sizes in the tag tables, such as SMGP's LinkID 20).
func (ts *TLVs) SetString(tag uint16, s string, width int) {
	v := []byte(s)
	for len(v) < width {
		v = append(v, 0)
	}
	ts.Set(tag, v)
}

// Del removes every TLV with tag; a list left empty becomes nil, as a
// decoded body without TLVs is.
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

// WithDefault returns ts with tag set to value when absent, without
// touching the caller's slice.
func (ts TLVs) WithDefault(tag uint16, value uint8) TLVs {
	if ts.Has(tag) {
		return ts
	}
	out := make(TLVs, len(ts), len(ts)+1)
	copy(out, ts)
	return append(out, TLV{Tag: tag, Value: []byte{value}})
}

// TLVs encodes ts after a fixed body.
func (e *Enc) TLVs(ts TLVs) {
	for _, t := range ts {
		if len(t.Value) > 0xffff {
			e.Fail("TLV 0x%04X value %d bytes above 65535", t.Tag, len(t.Value))
			return
		}
		e.U16(t.Tag)
		e.U16(uint16(len(t.Value)))
		e.Raw(t.Value)
	}
}

// ParseTLVs walks the optional parameters in b. Every TLV must lie wholly
// inside b; values are copies (one allocation for all of them), or, when
// owned says b is already a private copy, sub-slices of b. An empty b gives
// nil. proto names the protocol in errors.
func ParseTLVs(b []byte, owned bool, proto string) (TLVs, error) {
	if len(b) == 0 {
		return nil, nil
	}
	n, err := countTLVs(b, proto)
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
func countTLVs(b []byte, proto string) (int, error) {
	n := 0
	for off := 0; off < len(b); n++ {
		if len(b)-off < 4 {
			return 0, fmt.Errorf("%s tlv: %d stray bytes at offset %d: %w", proto, len(b)-off, off, session.ErrMalformed)
		}
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if len(b)-off-4 < l {
			return 0, fmt.Errorf("%s tlv: tag 0x%04X length %d, %d bytes left: %w",
				proto, binary.BigEndian.Uint16(b[off:]), l, len(b)-off-4, session.ErrMalformed)
		}
		off += 4 + l
	}
	return n, nil
}

// TLVTail decodes what follows the fixed body read so far. A tail that
// does not walk is an error when strict, else dropped (nil, nil). The
// values share the decoder's copy of the body (see Shared).
func (d *Dec) TLVTail(strict bool) (TLVs, error) {
	if d.Err != nil || d.Off == len(d.B) {
		return nil, d.Err
	}
	if d.cp == nil {
		d.cp = bytes.Clone(d.B)
	}
	ts, err := ParseTLVs(d.cp[d.Off:], true, d.P.Name)
	if err != nil && !strict {
		return nil, nil
	}
	return ts, err
}
