package sqlstore

import (
	"fmt"
	"sync"
)

// What the hot paths know of messages (msgInfo) is kept between the calls
// that touch them, so that a message accepted in one group commit is not
// read back by the one that queues it, nor by those that record its submit
// and its report.
//
// Within one transaction that is always so (wtx.msgs; every hot path keeps
// the entries of the rows it writes current). On SQLite the knowledge also
// outlives the transaction (msgCache): the store's one writer connection
// makes every change to messages, so what it has written or read stays
// true — with two guards. PRAGMA data_version, read at the start of each
// write transaction, changes when another connection (another process)
// has committed to the file since: then everything is forgotten. And a
// transaction that does not commit may have changed entries it then did
// not write: then, too, everything is forgotten. PostgreSQL has writers on
// other connections and nodes, and locks rows as it reads them, so there
// the knowledge lives for one transaction only.

// msgCache is SQLite's cross-transaction knowledge of messages, bounded by
// generations: when the current one is full it becomes the old one and the
// old one is dropped; a look-up in the old one brings the entry back.
// Messages leave it when they go final (they are seldom touched again).
type msgCache struct {
	mu       sync.Mutex // held for a whole write transaction (writeOnce)
	cur, old map[int64]*msgInfo
	max      int   // entries per generation
	version  int64 // PRAGMA data_version as last read; -1 = not read yet
}

// msgCacheGen is the size of a generation: two of them hold the messages
// accepted and in flight over many seconds at full speed (a backlog
// waiting for its gateways included), in some 25 MB at most.
const msgCacheGen = 1 << 17

func newMsgCache(gen int) *msgCache {
	return &msgCache{cur: make(map[int64]*msgInfo), old: map[int64]*msgInfo{}, max: gen, version: -1}
}

func (c *msgCache) get(id int64) *msgInfo {
	if m := c.cur[id]; m != nil {
		return m
	}
	if m := c.old[id]; m != nil {
		delete(c.old, id)
		c.put(id, m)
		return m
	}
	return nil
}

func (c *msgCache) put(id int64, m *msgInfo) {
	if len(c.cur) >= c.max {
		c.old, c.cur = c.cur, make(map[int64]*msgInfo, c.max)
	}
	c.cur[id] = m
}

func (c *msgCache) drop(id int64) {
	delete(c.cur, id)
	delete(c.old, id)
}

func (c *msgCache) clear() {
	clear(c.cur)
	clear(c.old)
}

// begin runs at the start of a write transaction: forget everything if
// another connection has written to the database since the last look.
func (c *msgCache) begin(w *wtx) error {
	var v int64
	if err := w.scanOne(`PRAGMA data_version`, nil, &v); err != nil {
		return fmt.Errorf("data version: %w", err)
	}
	if v != c.version {
		c.clear()
		c.version = v
	}
	return nil
}

// msg returns what the transaction knows of message id, or nil.
func (w *wtx) msg(id int64) *msgInfo {
	if c := w.s.mc; c != nil {
		return c.get(id)
	}
	return w.msgs[id]
}

// keep records what the transaction knows of message id.
func (w *wtx) keep(id int64, m *msgInfo) {
	if c := w.s.mc; c != nil {
		c.put(id, m)
		return
	}
	if w.msgs == nil {
		w.msgs = map[int64]*msgInfo{}
	}
	w.msgs[id] = m
}

// final notes that message id went final: beyond this transaction it need
// not be remembered.
func (w *wtx) final(id int64) {
	if c := w.s.mc; c != nil {
		w.finals = append(w.finals, id)
	}
}

// settle runs after the transaction: forget all if it did not commit, or
// the messages that went final if it did.
func (w *wtx) settle(committed bool) {
	c := w.s.mc
	if c == nil {
		return
	}
	if !committed {
		c.clear()
		c.version = -1
		return
	}
	for _, id := range w.finals {
		c.drop(id)
	}
}
