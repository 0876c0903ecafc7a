package sgip

import (
	"sync"
	"time"

	"hongyan/internal/session"
)

// dedup applies spec §3.7.2 to requests a Server hands its application: a
// request whose Sequence_Number was already seen from the same login with
// the same body is a resend (its response got lost or came late) and must
// not be processed twice; the same number with a different body is an
// error (Result 9). Without it every engine resend of a Deliver would store
// the MO twice.
type dedup struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	seen  map[dedupKey]dedupEntry
	order []dedupKey // insertion order, for eviction
}

type dedupKey struct {
	login string
	cmd   uint32
	seq   session.Seq
}

type dedupEntry struct {
	sum    uint64
	done   bool  // answered with result
	result uint8 // only ResultOK is kept: a failure invites a real retry
	at     time.Time
}

// dedupState is what begin found.
type dedupState int

const (
	dedupFresh    dedupState = iota // process it
	dedupPending                    // first copy still being processed: drop this one, its answer is coming
	dedupAnswered                   // answered before: answer the same again
	dedupConflict                   // same number, different body: Result 9
)

// Resends come within (1 + resends) × response timeout: 90 s with the spec's
// 30 s; keep twice the engine default's worth.
const (
	dedupTTL = 6 * time.Minute
	dedupMax = 1 << 16
)

func newDedup() *dedup {
	return &dedup{ttl: dedupTTL, max: dedupMax, seen: make(map[dedupKey]dedupEntry)}
}

// bodySum is FNV-1a, inline: hash/fnv's interface value costs an
// allocation per request.
func bodySum(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// begin registers a request; for dedupAnswered it returns the result given.
func (d *dedup) begin(k dedupKey, body []byte) (dedupState, uint8) {
	sum := bodySum(body)
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.seen[k]; ok && now.Sub(e.at) < d.ttl {
		switch {
		case e.sum != sum:
			return dedupConflict, 0
		case !e.done:
			return dedupPending, 0
		default:
			return dedupAnswered, e.result
		}
	}
	d.evict(now)
	if _, ok := d.seen[k]; !ok {
		d.order = append(d.order, k)
	}
	d.seen[k] = dedupEntry{sum: sum, at: now}
	return dedupFresh, 0
}

// finish records the answer; a failure or no answer forgets the request,
// so a retry is processed afresh.
func (d *dedup) finish(k dedupKey, result uint8, answered bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.seen[k]
	if !ok {
		return
	}
	if !answered || result != ResultOK {
		delete(d.seen, k)
		return
	}
	e.done, e.result = true, result
	d.seen[k] = e
}

// evict drops expired entries from the front and, past max, the oldest.
// order may name a key twice (forgotten, then seen again): popping a stale
// position of a live key only stops the scan early.
func (d *dedup) evict(now time.Time) {
	for len(d.order) > 0 {
		k := d.order[0]
		e, ok := d.seen[k]
		full := len(d.order) >= d.max
		if ok && now.Sub(e.at) < d.ttl && !full {
			break
		}
		if ok && (full || now.Sub(e.at) >= d.ttl) {
			delete(d.seen, k)
		}
		d.order = d.order[1:]
	}
}
