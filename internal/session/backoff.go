package session

import (
	"math/rand/v2"
	"time"
)

// backoff is the wait before reconnect attempt n (n ≥ 1): lo·2^(n-1) capped
// at hi, then "equal jitter": a uniform pick in [d/2, d]. The floor keeps the
// growth visible; the spread keeps a pool of connections (or a fleet of
// nodes) from redialling a recovered gateway in lockstep.
func backoff(n int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}
