package cngp

import "hongyan/internal/proto/wire"

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
type TLV = wire.TLV

// TLVs is the ordered list of optional parameters after a fixed body; its
// helpers (Get, Has, Byte, String, Set, SetByte, SetString, Del,
// WithDefault) are shared with SMGP.
type TLVs = wire.TLVs

// ParseTLVs walks the optional parameters in b. Every TLV must lie wholly
// inside b; values are copies (one allocation for all of them). An empty b
// gives nil.
func ParseTLVs(b []byte) (TLVs, error) { return wire.ParseTLVs(b, false, "cngp") }

// tlvTail decodes what follows the fixed body read by d. In a request
// (Submit, Deliver, Forward) it must be a clean TLV walk: a broken one
// usually means a mis-sized fixed body. In a response (strict = false) the
// result is in the header and only the MsgID matters, so a tail that does
// not walk is dropped: the Huawei SMProxy sends a Deliver_Resp whose TLV
// has tag and length left 0 (protocols/cngp.md). Values share d's copy of
// the body.
func tlvTail(d *dec, strict bool) (TLVs, error) { return d.TLVTail(strict) }
