package cmpp

import (
	"sync"
	"time"
)

// Msg_Id layout (spec §8.4.3.2), most significant bits first:
// month 4 | day 5 | hour 5 | minute 6 | second 6 | gateway 22 | sequence 16.
const (
	msgIDGatewayBits = 22
	// MaxGatewayCode is the largest ISMG code a Msg_Id can hold.
	MaxGatewayCode = 1<<msgIDGatewayBits - 1
)

// PackMsgID builds a Msg_Id. Each field is masked to its width, so an
// out-of-range value cannot spill into its neighbour.
func PackMsgID(month, day, hour, minute, sec, gateway uint32, seq uint16) uint64 {
	return uint64(month&0xf)<<60 |
		uint64(day&0x1f)<<55 |
		uint64(hour&0x1f)<<50 |
		uint64(minute&0x3f)<<44 |
		uint64(sec&0x3f)<<38 |
		uint64(gateway&MaxGatewayCode)<<16 |
		uint64(seq)
}

// UnpackMsgID splits a Msg_Id into its fields. SPs should still treat ids
// as opaque keys: not every ISMG fills them by the book.
func UnpackMsgID(id uint64) (month, day, hour, minute, sec, gateway uint32, seq uint16) {
	return uint32(id >> 60 & 0xf),
		uint32(id >> 55 & 0x1f),
		uint32(id >> 50 & 0x1f),
		uint32(id >> 44 & 0x3f),
		uint32(id >> 38 & 0x3f),
		uint32(id >> 16 & MaxGatewayCode),
		uint16(id)
}

// MsgIDGenerator hands out Msg_Ids for an ISMG-side server: the current
// time, a fixed gateway code and a 16-bit sequence that wraps. Safe for
// concurrent use.
type MsgIDGenerator struct {
	gateway uint32
	now     func() time.Time

	mu  sync.Mutex
	seq uint32 // next sequence, 0..0xffff
}

// NewMsgIDGenerator returns a generator for ISMG code gateway (masked to
// 22 bits).
func NewMsgIDGenerator(gateway uint32) *MsgIDGenerator {
	return &MsgIDGenerator{gateway: gateway & MaxGatewayCode, now: time.Now}
}

// Next returns a new Msg_Id.
func (g *MsgIDGenerator) Next() uint64 { return g.NextN(1) }

// NextN reserves n consecutive ids and returns the first: a SUBMIT to n
// destinations gets Msg_Id … Msg_Id+n-1, one per destination (spec
// appendix 1). The run never wraps inside the sequence field, so id+k keeps
// the same time and gateway bits.
func (g *MsgIDGenerator) NextN(n int) uint64 {
	n = max(1, min(n, 0x10000))
	g.mu.Lock()
	if g.seq+uint32(n) > 0x10000 {
		g.seq = 0
	}
	seq := g.seq
	g.seq = (g.seq + uint32(n)) & 0xffff
	g.mu.Unlock()
	t := g.now()
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	return PackMsgID(uint32(mo), uint32(d), uint32(h), uint32(mi), uint32(s), g.gateway, uint16(seq))
}
