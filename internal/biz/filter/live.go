package filter

import "sync/atomic"

// Live holds the current Filter and swaps it atomically, so traffic never
// stops while the list is rebuilt: build with New, then Store. The zero
// value is ready and holds an empty filter.
type Live struct {
	p atomic.Pointer[Filter]
}

// empty is what a Live holds before its first Store.
var empty = func() *Filter {
	f, err := New(nil)
	if err != nil {
		panic(err) // cannot happen: no rules, nothing to refuse
	}
	return f
}()

// Load returns the current filter, never nil. Callers keep the returned
// filter for the whole check of one message, so a message is judged by one
// list even if a Store happens meanwhile.
func (l *Live) Load() *Filter {
	if f := l.p.Load(); f != nil {
		return f
	}
	return empty
}

// Store makes f the current filter; nil goes back to the empty one.
func (l *Live) Store(f *Filter) { l.p.Store(f) }
