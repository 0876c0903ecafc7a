package smgp

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"hongyan/internal/session"
)

// Optional parameter tags (spec §6.3; SMSGate's constants agree).
const (
	TagTPPID            uint16 = 0x0001 // 1: GSM 03.40 TP-PID
	TagTPUDHI           uint16 = 0x0002 // 1: 1 = content starts with a UDH
	TagLinkID           uint16 = 0x0003 // 20: on-demand transaction id
	TagChargeUserType   uint16 = 0x0004 // 1: 0 receiver, 1 sender, 2 SP, 3 ChargeTermID
	TagChargeTermType   uint16 = 0x0005 // 1: 0 real, 1 pseudo
	TagChargeTermPseudo uint16 = 0x0006 // var
	TagDestTermType     uint16 = 0x0007 // 1: 0 real, 1 pseudo
	TagDestTermPseudo   uint16 = 0x0008 // var
	TagPkTotal          uint16 = 0x0009 // 1: parts with the same MsgID
	TagPkNumber         uint16 = 0x000A // 1: part index from 1
	TagSubmitMsgType    uint16 = 0x000B // 1: 0 normal, 1–5 subscription notices
	TagSPDealResult     uint16 = 0x000C // 1: 0 success, 1 failure
	TagSrcTermType      uint16 = 0x000D // 1: 0 real, 1 pseudo
	TagSrcTermPseudo    uint16 = 0x000E // var
	TagNodesCount       uint16 = 0x000F // 1: gateways passed, from 1
	TagMsgSrc           uint16 = 0x0010 // 8: SP service / corp code
	TagSrcType          uint16 = 0x0011 // 1: 0 real, 1 pseudo
	TagMServiceID       uint16 = 0x0012 // 21: mobile-network product id
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
// (LinkID 20, MsgSrc 8, MServiceID 21: fixed sizes in the tag table).
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
	*ts = out
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
			return 0, fmt.Errorf("smgp tlv: %d stray bytes at offset %d: %w", len(b)-off, off, session.ErrMalformed)
		}
		l := int(binary.BigEndian.Uint16(b[off+2:]))
		if len(b)-off-4 < l {
			return 0, fmt.Errorf("smgp tlv: tag 0x%04X length %d, %d bytes left: %w",
				binary.BigEndian.Uint16(b[off:]), l, len(b)-off-4, session.ErrMalformed)
		}
		off += 4 + l
	}
	return n, nil
}

// tlvTail decodes what follows the fixed body read by d. In 3.0 it must be
// a clean TLV walk. Before 3.0 TLVs are not defined: a clean walk is kept
// (a gateway that sends TP_udhi anyway is understood), anything else is
// ignored. Values share d's copy of the body.
func (d *dec) tlvTail(v Version) (TLVs, error) {
	if d.err != nil || d.off == len(d.b) {
		return nil, d.err
	}
	if d.cp == nil {
		d.cp = bytes.Clone(d.b)
	}
	ts, err := parseTLVs(d.cp[d.off:], true)
	if err != nil && !v.HasTLV() {
		return nil, nil
	}
	return ts, err
}
