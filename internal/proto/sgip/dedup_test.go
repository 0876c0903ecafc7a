package sgip

import (
	"testing"
	"time"

	"hongyan/internal/session"
)

func TestDedupStatesAndEviction(t *testing.T) {
	d := newDedup()
	k := func(n uint32) dedupKey {
		return dedupKey{login: "smg", cmd: CmdDeliver, seq: session.Seq{Node: 1, Time: 2, N: n}}
	}
	body := []byte("body")
	if st, _ := d.begin(k(1), body); st != dedupFresh {
		t.Fatal(st)
	}
	if st, _ := d.begin(k(1), body); st != dedupPending {
		t.Fatalf("in progress: %v", st)
	}
	if st, _ := d.begin(k(1), []byte("other")); st != dedupConflict {
		t.Fatalf("other body: %v", st)
	}
	d.finish(k(1), ResultOK, true)
	if st, r := d.begin(k(1), body); st != dedupAnswered || r != 0 {
		t.Fatalf("answered: %v %d", st, r)
	}
	// Another login's same number is another request.
	if st, _ := d.begin(dedupKey{login: "x", cmd: CmdDeliver, seq: k(1).seq}, body); st != dedupFresh {
		t.Fatal(st)
	}
	// Failures and unanswered requests are forgotten.
	d.begin(k(2), body)
	d.finish(k(2), ResultSystemFailure, true)
	if st, _ := d.begin(k(2), body); st != dedupFresh {
		t.Fatalf("after failure: %v", st)
	}
	d.finish(k(2), 0, false)
	if st, _ := d.begin(k(2), body); st != dedupFresh {
		t.Fatalf("after no answer: %v", st)
	}

	// Bounded by count: the oldest go first.
	d = newDedup()
	d.max = 3
	for n := uint32(1); n <= 5; n++ {
		d.begin(k(n), body)
		d.finish(k(n), ResultOK, true)
	}
	if len(d.seen) > 3 {
		t.Fatalf("%d entries kept, max 3", len(d.seen))
	}
	if st, _ := d.begin(k(1), body); st != dedupFresh {
		t.Fatal("oldest not evicted")
	}
	if st, _ := d.begin(k(5), body); st != dedupAnswered {
		t.Fatal("newest evicted")
	}

	// Bounded by age.
	d = newDedup()
	d.ttl = time.Millisecond
	d.begin(k(1), body)
	d.finish(k(1), ResultOK, true)
	time.Sleep(2 * time.Millisecond)
	if st, _ := d.begin(k(1), body); st != dedupFresh {
		t.Fatal("expired entry still answered")
	}
	d.begin(k(2), body)
	if len(d.seen) != 2 || len(d.order) > 3 {
		t.Fatalf("%d entries, order %d", len(d.seen), len(d.order))
	}
}
