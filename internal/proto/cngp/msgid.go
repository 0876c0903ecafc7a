package cngp

import (
	"encoding/hex"
	"time"

	"hongyan/internal/proto/wire"
)

// MsgIDLen is the size of a CNGP MsgID on the wire.
const MsgIDLen = wire.BCDIDLen

// MsgID is the 10-byte message id of Submit_Resp, Deliver and a status
// report's Id. Two implementations call it BCD; none states its inner
// layout, so it is an opaque key here. Submit_Resp's MsgID and the report's
// Id carry the same bytes.
type MsgID [MsgIDLen]byte

// String is the canonical text form: the 20 nibbles as lowercase hex, which
// for a BCD id is its 20 decimal digits. Ids that are not BCD still map
// one-to-one, so the platform can use it as the matching key.
func (id MsgID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is all zero bytes (not yet assigned).
func (id MsgID) IsZero() bool { return id == MsgID{} }

// ParseMsgID is the inverse of String (upper or lower case).
func ParseMsgID(s string) (MsgID, error) {
	var id MsgID
	err := wire.ParseHexID(id[:], s, "cngp")
	return id, err
}

// NewMsgID packs an id the way our SMGW side issues them, borrowing SMGP's
// BCD layout since CNGP's is unknown: gateway code (6 digits), MMDDHHMM,
// sequence (6 digits, taken mod 10^6).
func NewMsgID(gateway uint32, t time.Time, seq uint32) MsgID {
	return wire.NewBCDID(gateway, t, seq)
}

// MsgIDGenerator hands out MsgIDs for an SMGW-side server, stamped with
// the current Beijing time (the SMGW's clock, whatever the host's zone).
// Safe for concurrent use.
type MsgIDGenerator struct{ g *wire.BCDIDGenerator }

// NewMsgIDGenerator returns a generator for the 6-digit gateway code.
func NewMsgIDGenerator(gateway uint32) *MsgIDGenerator {
	return &MsgIDGenerator{wire.NewBCDIDGenerator(gateway)}
}

// Next returns a new MsgID.
func (g *MsgIDGenerator) Next() MsgID { return g.g.Next() }
