package wire

import (
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// BCDIDLen is the size of SMGP's and CNGP's MsgID.
const BCDIDLen = 10

// ParseHexID fills id from its text form, 2·len(id) hex digits (upper or
// lower case); proto names the protocol in errors.
func ParseHexID(id []byte, s, proto string) error {
	if len(s) != 2*len(id) {
		return fmt.Errorf("%s msgid %q: %d characters, want %d", proto, s, len(s), 2*len(id))
	}
	if _, err := hex.Decode(id, []byte(s)); err != nil {
		return fmt.Errorf("%s msgid %q: %w", proto, s, err)
	}
	return nil
}

// NewBCDID packs a 10-byte id in SMGP's BCD layout: gateway code (6
// digits, taken mod 10^6), MMDDHHMM of t, sequence (6 digits, taken mod
// 10^6).
func NewBCDID(gateway uint32, t time.Time, seq uint32) [BCDIDLen]byte {
	var id [BCDIDLen]byte
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

// BCDIDGenerator hands out BCD ids for an SMGW-side server, stamped with
// the current Beijing time. Safe for concurrent use.
type BCDIDGenerator struct {
	gateway uint32
	// Now is the clock [time.Now]; tests fix it before use.
	Now func() time.Time

	mu sync.Mutex
	// Seq is the next sequence, 0..999999; tests may set it before use.
	Seq uint32
}

// NewBCDIDGenerator returns a generator for the 6-digit gateway code
// (taken mod 10^6).
func NewBCDIDGenerator(gateway uint32) *BCDIDGenerator {
	return &BCDIDGenerator{gateway: gateway % 1000000, Now: time.Now}
}

// Next returns a new id.
func (g *BCDIDGenerator) Next() [BCDIDLen]byte {
	g.mu.Lock()
	seq := g.Seq
	g.Seq = (g.Seq + 1) % 1000000
	g.mu.Unlock()
	return NewBCDID(g.gateway, g.Now().In(beijing), seq)
}
