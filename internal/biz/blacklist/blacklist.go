// Package blacklist is the in-memory form of the blacklist every accepted
// number is checked against: a number barred from every business type
// (global) or from some. Reads are lock-free snapshots, so checking a
// 100-number request costs a hundred map look-ups and no database trip;
// the store holds the durable copy and Set is rebuilt from it at start.
package blacklist

import (
	"sync"
	"sync/atomic"
)

// Global is the business code of a global entry.
const Global = ""

// Set is safe for concurrent use. Writers copy on write per number, so
// readers never lock.
type Set struct {
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[map[string][]string]
}

// New returns an empty set.
func New() *Set {
	s := &Set{}
	m := map[string][]string{}
	s.snap.Store(&m)
	return s
}

// Blocked reports whether number may not receive messages of business, and
// whether that is because of a global entry.
func (s *Set) Blocked(number, business string) (blocked, global bool) {
	for _, b := range (*s.snap.Load())[number] {
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
	n := 0
	for _, bs := range *s.snap.Load() {
		n += len(bs)
	}
	return n
}

// Replace swaps in a whole new list (after loading it from the store).
func (s *Set) Replace(entries map[string][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Store(&entries)
}

// Add bars number from business (Global = all).
func (s *Set) Add(number, business string) {
	s.update(func(m map[string][]string) {
		for _, b := range m[number] {
			if b == business {
				return
			}
		}
		m[number] = append(append([]string(nil), m[number]...), business)
	})
}

// Remove lifts the entry of number for business.
func (s *Set) Remove(number, business string) {
	s.update(func(m map[string][]string) {
		var keep []string
		for _, b := range m[number] {
			if b != business {
				keep = append(keep, b)
			}
		}
		if len(keep) == 0 {
			delete(m, number)
		} else {
			m[number] = keep
		}
	})
}

// update copies the map (entries are shared, slices replaced not mutated)
// and publishes the changed copy. Admin changes are rare; a copy of a
// million entries takes milliseconds and keeps every read lock-free.
func (s *Set) update(change func(map[string][]string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.snap.Load()
	m := make(map[string][]string, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	change(m)
	s.snap.Store(&m)
}
