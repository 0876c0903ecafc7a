package cngp

import (
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// MsgIDLen is the size of a CNGP MsgID on the wire.
const MsgIDLen = 10

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
	if len(s) != 2*MsgIDLen {
		return id, fmt.Errorf("cngp msgid %q: %d characters, want %d", s, len(s), 2*MsgIDLen)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("cngp msgid %q: %w", s, err)
	}
	return id, nil
}

// NewMsgID packs an id the way our SMGW side issues them, borrowing SMGP's
// BCD layout since CNGP's is unknown: gateway code (6 digits), MMDDHHMM,
// sequence (6 digits, taken mod 10^6).
func NewMsgID(gateway uint32, t time.Time, seq uint32) MsgID {
	var id MsgID
	_, mo, d := t.Date()
	h, mi, _ := t.Clock()
	putBCD(id[0:3], gateway%1000000)
	putBCD(id[3:7], uint32(mo)*1000000+uint32(d)*10000+uint32(h)*100+uint32(mi))
	putBCD(id[7:10], seq%1000000)
	return id
}

// putBCD writes v as 2·len(dst) decimal digits, two per byte, high first.
func putBCD(dst []byte, v uint32) {
	for i := len(dst) - 1; i >= 0; i-- {
		lo := v % 10
		v /= 10
		dst[i] = byte(v%10)<<4 | byte(lo)
		v /= 10
	}
}

// beijing is the SMGW's clock zone: MsgID time is local time in China,
// whatever the host's zone.
var beijing = time.FixedZone("CST", 8*3600)

// MsgIDGenerator hands out MsgIDs for an SMGW-side server. Safe for
// concurrent use.
type MsgIDGenerator struct {
	gateway uint32
	now     func() time.Time

	mu  sync.Mutex
	seq uint32 // next sequence, 0..999999
}

// NewMsgIDGenerator returns a generator for the 6-digit gateway code.
func NewMsgIDGenerator(gateway uint32) *MsgIDGenerator {
	return &MsgIDGenerator{gateway: gateway % 1000000, now: time.Now}
}

// Next returns a new MsgID stamped with the current Beijing time.
func (g *MsgIDGenerator) Next() MsgID {
	g.mu.Lock()
	seq := g.seq
	g.seq = (g.seq + 1) % 1000000
	g.mu.Unlock()
	return NewMsgID(g.gateway, g.now().In(beijing), seq)
}
