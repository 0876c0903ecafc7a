package core

import (
	"sync"
	"time"
)

// IDGen makes time-ordered 63-bit ids unique across nodes (a snowflake):
// 41 bits of milliseconds since 2024-01-01, 10 bits of node, 12 bits of
// sequence. Ids sort by creation time, which keeps index inserts append-only.
type IDGen struct {
	mu   sync.Mutex
	node int64
	last int64
	seq  int64
}

var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// NewIDGen returns a generator for node 0..1023.
func NewIDGen(node int) *IDGen { return &IDGen{node: int64(node) & 1023} }

// Next returns a new id. Within one millisecond 4096 ids are available;
// beyond that it borrows from the next millisecond rather than sleeping.
func (g *IDGen) Next() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now().UnixMilli() - idEpoch
	if now > g.last {
		g.last, g.seq = now, 0
	} else {
		g.seq++
		if g.seq > 4095 {
			g.last++
			g.seq = 0
		}
	}
	return g.last<<22 | g.node<<12 | g.seq
}

// IDAt is the id a message accepted at t would have had on node with
// sequence seq: for writing history (the demo's past traffic) whose ids
// sort with its times like live ones. Use a node no live process uses.
func IDAt(t time.Time, node, seq int) int64 {
	return (t.UnixMilli()-idEpoch)<<22 | int64(node&1023)<<12 | int64(seq&4095)
}
