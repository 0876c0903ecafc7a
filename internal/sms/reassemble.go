package sms

import (
	"bytes"
	"sort"
	"sync"
	"time"
)

// DefaultReassemblyTimeout is used when NewReassembler is given a
// non-positive timeout. Handsets send the parts of one message within
// seconds; gateways that queue MO during an outage can take minutes.
const DefaultReassemblyTimeout = 10 * time.Minute

// Reassembler joins the segments of incoming (MO) long messages. It is safe
// for concurrent use; the zero value uses DefaultReassemblyTimeout.
//
// A message is identified by the caller's key (e.g. operator+from+to), the
// reference, whether the reference is 16-bit, and Total: a part whose Total
// disagrees with the parts held under the same reference starts a new
// message. Nothing is dropped silently: whatever does not complete comes
// back from Expire.
type Reassembler struct {
	timeout time.Duration

	mu      sync.Mutex
	pending map[msgKey]*pendingMsg
	evicted []Partial // displaced by a reused reference; handed out by Expire
}

// Partial is what arrived of a message that did not complete. Concat holds
// Ref, Ref16 and Total; Seq is 0. Parts maps Seq to payload.
type Partial struct {
	Key    string
	Concat Concat
	Parts  map[int][]byte
	First  time.Time
}

type msgKey struct {
	key   string
	ref   uint16
	ref16 bool
	total int
}

type pendingMsg struct {
	parts map[int][]byte
	size  int
	first time.Time
}

// NewReassembler returns a Reassembler that gives up on a message timeout
// after its first part arrived (see Expire).
func NewReassembler(timeout time.Duration) *Reassembler {
	return &Reassembler{timeout: timeout}
}

// Add stores one part under key and returns the whole payload (parts joined
// in Seq order, a new slice) once all parts are there. payload is copied, so
// the caller may reuse its buffer.
//
// A part already held is ignored when its bytes are the same (a gateway
// resending a Deliver); with different bytes the sender has reused the
// reference for a new message, so the old one goes to Expire's result and
// the new one starts with this part. A Concat that cannot be placed (Total
// below 2, Seq outside 1..Total) is returned at once as a message of its
// own.
func (r *Reassembler) Add(key string, c Concat, payload []byte, now time.Time) (whole []byte, done bool) {
	if c.Total < 2 || c.Seq < 1 || c.Seq > c.Total {
		return bytes.Clone(nonNil(payload)), true
	}
	k := msgKey{key: key, ref: c.Ref, ref16: c.Ref16, total: c.Total}
	if !c.Ref16 {
		k.ref &= 0xFF
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == nil {
		r.pending = make(map[msgKey]*pendingMsg)
	}
	m := r.pending[k]
	if m != nil {
		if old, dup := m.parts[c.Seq]; dup {
			if bytes.Equal(old, payload) {
				return nil, false
			}
			r.evicted = append(r.evicted, m.partial(k))
			m = nil
		}
	}
	if m == nil {
		m = &pendingMsg{parts: make(map[int][]byte, c.Total), first: now}
		r.pending[k] = m
	}
	m.parts[c.Seq] = bytes.Clone(nonNil(payload))
	m.size += len(payload)
	if len(m.parts) < c.Total {
		return nil, false
	}
	delete(r.pending, k)
	whole = make([]byte, 0, m.size)
	for seq := 1; seq <= c.Total; seq++ {
		whole = append(whole, m.parts[seq]...)
	}
	return whole, true
}

// Expire removes the messages whose first part is older than the timeout
// and returns what arrived of them, together with messages displaced by a
// reused reference since the last call, oldest first, so the caller can
// store them as incomplete rather than lose them.
func (r *Reassembler) Expire(now time.Time) []Partial {
	timeout := r.timeout
	if timeout <= 0 {
		timeout = DefaultReassemblyTimeout
	}
	r.mu.Lock()
	out := r.evicted
	r.evicted = nil
	for k, m := range r.pending {
		if now.Sub(m.first) > timeout {
			out = append(out, m.partial(k))
			delete(r.pending, k)
		}
	}
	r.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].First.Equal(out[j].First) {
			return out[i].First.Before(out[j].First)
		}
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Concat.Ref < out[j].Concat.Ref
	})
	return out
}

// Pending is the number of incomplete messages held, for metrics.
func (r *Reassembler) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

func (m *pendingMsg) partial(k msgKey) Partial {
	return Partial{
		Key:    k.key,
		Concat: Concat{Ref: k.ref, Total: k.total, Ref16: k.ref16},
		Parts:  m.parts,
		First:  m.first,
	}
}

// nonNil makes an empty part distinguishable from a missing one.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
