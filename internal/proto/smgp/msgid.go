package smgp

import (
	"encoding/hex"
	"time"

	"hongyan/internal/proto/wire"
)

// MsgIDLen is the size of an SMGP MsgID on the wire.
const MsgIDLen = wire.BCDIDLen

// MsgID is the 10-byte BCD message id (spec §6.2.26): SMGW code (3 bytes,
// 6 digits), MMDDHHMM (4 bytes) and a sequence 000000–999999 (3 bytes).
// Submit_Resp's MsgID and a status report's Id carry the same bytes.
type MsgID [MsgIDLen]byte

// String is the canonical text form: the 20 nibbles as lowercase hex, which
// for a well-formed BCD id is its 20 decimal digits. Ids that are not BCD
// still map one-to-one, so the platform can use it as the matching key.
func (id MsgID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is all zero bytes (not yet assigned).
func (id MsgID) IsZero() bool { return id == MsgID{} }

// ParseMsgID is the inverse of String (upper or lower case).
func ParseMsgID(s string) (MsgID, error) {
	var id MsgID
	err := wire.ParseHexID(id[:], s, "smgp")
	return id, err
}

// NewMsgID packs an id from its parts: gateway is the 6-digit SMGW code
// (area code, "06", index), t gives MMDDHHMM, seq is taken mod 10^6.
func NewMsgID(gateway uint32, t time.Time, seq uint32) MsgID {
	return wire.NewBCDID(gateway, t, seq)
}

// Parts splits a BCD id into gateway code, MMDDHHMM and sequence; ok is
// false when a nibble is not a decimal digit. Use it for diagnostics only:
// ids are matched as opaque keys.
func (id MsgID) Parts() (gateway, mmddhhmm, seq uint32, ok bool) {
	ok = true
	get := func(b []byte) uint32 {
		var v uint32
		for _, x := range b {
			hi, lo := x>>4, x&0x0f
			if hi > 9 || lo > 9 {
				ok = false
			}
			v = v*100 + uint32(hi)*10 + uint32(lo)
		}
		return v
	}
	return get(id[0:3]), get(id[3:7]), get(id[7:10]), ok
}

// MsgIDGenerator hands out MsgIDs for an SMGW-side server, stamped with
// the current Beijing time (the SMGW's clock, whatever the host's zone).
// Safe for concurrent use.
type MsgIDGenerator struct{ g *wire.BCDIDGenerator }

// NewMsgIDGenerator returns a generator for the 6-digit SMGW code gateway
// (e.g. 010061: area 010, device class 06, index 1).
func NewMsgIDGenerator(gateway uint32) *MsgIDGenerator {
	return &MsgIDGenerator{wire.NewBCDIDGenerator(gateway)}
}

// Next returns a new MsgID.
func (g *MsgIDGenerator) Next() MsgID { return g.g.Next() }
