package smgp

import "hongyan/internal/proto/wire"

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
type TLV = wire.TLV

// TLVs is the ordered list of optional parameters after a fixed body; its
// helpers (Get, Byte, String, Set, SetByte, SetString, Del …) are shared
// with CNGP.
type TLVs = wire.TLVs

// ParseTLVs walks the optional parameters in b. Every TLV must lie wholly
// inside b; values are copies (one allocation for all of them). An empty b
// gives nil.
func ParseTLVs(b []byte) (TLVs, error) { return wire.ParseTLVs(b, false, "smgp") }

// tlvTail decodes what follows the fixed body read by d. In 3.0 it must be
// a clean TLV walk. Before 3.0 TLVs are not defined: a clean walk is kept
// (a gateway that sends TP_udhi anyway is understood), anything else is
// ignored. Values share d's copy of the body.
func tlvTail(d *dec, v Version) (TLVs, error) { return d.TLVTail(v.HasTLV()) }
