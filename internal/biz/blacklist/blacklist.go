// Package blacklist is the in-memory form of the blacklist every accepted
// number is checked against: a number barred from every business type
// (global) or from some. A check is one map look-up under a shard's read
// lock, so a 100-number request costs a hundred look-ups and no database
// trip; the store holds the durable copy and Set is rebuilt from it at
// start. Sharding keeps writers (an import of a million numbers, an
// unsubscribe) from stalling readers, and each change costs O(1), not a
// copy of the list.
package blacklist

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// Global is the business code of a global entry.
const Global = ""

const shards = 64

type shard struct {
	mu sync.RWMutex
	m  map[string][]string // number → business codes (Global = all)
}

type table struct {
	seed   maphash.Seed
	shards [shards]shard
}

func newTable() *table {
	t := &table{seed: maphash.MakeSeed()}
	for i := range t.shards {
		t.shards[i].m = map[string][]string{}
	}
	return t
}

func (t *table) shard(number string) *shard {
	return &t.shards[maphash.String(t.seed, number)%shards]
}

// Set is safe for concurrent use.
type Set struct {
	t atomic.Pointer[table]
}

// Entry is one number barred from one business type (Global = all).
type Entry struct{ Number, Business string }

// New returns an empty set.
func New() *Set {
	s := &Set{}
	s.t.Store(newTable())
	return s
}

// Blocked reports whether number may not receive messages of business, and
// whether that is because of a global entry.
func (s *Set) Blocked(number, business string) (blocked, global bool) {
	sh := s.t.Load().shard(number)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	for _, b := range sh.m[number] {
		if b == Global {
			return true, true
		}
		if b == business {
			blocked = true
		}
	}
	return blocked, false
}

// Len is the number of entries (number and business pairs).
func (s *Set) Len() int {
	t := s.t.Load()
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		for _, bs := range sh.m {
			n += len(bs)
		}
		sh.mu.RUnlock()
	}
	return n
}

// Replace swaps in a whole new list (after loading it from the store).
func (s *Set) Replace(entries []Entry) {
	t := newTable()
	for _, e := range entries {
		add(t.shard(e.Number), e)
	}
	s.t.Store(t)
}

// Add bars numbers from businesses.
func (s *Set) Add(entries ...Entry) {
	t := s.t.Load()
	for _, e := range entries {
		sh := t.shard(e.Number)
		sh.mu.Lock()
		add(sh, e)
		sh.mu.Unlock()
	}
}

func add(sh *shard, e Entry) {
	for _, b := range sh.m[e.Number] {
		if b == e.Business {
			return
		}
	}
	sh.m[e.Number] = append(sh.m[e.Number], e.Business)
}

// Remove lifts the entry of number for business.
func (s *Set) Remove(number, business string) {
	sh := s.t.Load().shard(number)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var keep []string
	for _, b := range sh.m[number] {
		if b != business {
			keep = append(keep, b)
		}
	}
	if len(keep) == 0 {
		delete(sh.m, number)
	} else {
		sh.m[number] = keep
	}
}
