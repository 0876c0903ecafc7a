package core

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"hongyan/internal/store"
)

// Lanes: a verification code never waits behind a marketing backlog.
const (
	LaneUrgent    = 0 // verification codes
	LaneNotice    = 1 // notices
	LaneMarketing = 2 // marketing
	numLanes      = 3
)

func laneOf(priority int) int { return min(max(priority, 0), numLanes-1) }

// item is a message on its way through the dispatcher.
type item struct {
	msg  *store.Message
	done []bool // per segment (0-based): already acknowledged by the operator
}

// outbox holds the messages ready to send, per operator and lane. It lives
// in memory; the database is the durable copy it is rebuilt from at start.
type outbox struct {
	mu    sync.Mutex
	ops   map[string]*opQueue
	count int
}

type opQueue struct {
	lanes  [numLanes]fifo
	notify chan struct{} // has a token when the queue may be non-empty
}

type fifo struct{ items []*item }

func (f *fifo) push(it *item) { f.items = append(f.items, it) }
func (f *fifo) pushFront(it *item) {
	f.items = append(f.items, nil)
	copy(f.items[1:], f.items)
	f.items[0] = it
}
func (f *fifo) pop() *item {
	it := f.items[0]
	f.items[0] = nil
	f.items = f.items[1:]
	if len(f.items) == 0 {
		f.items = nil // let the backing array go
	}
	return it
}

func newOutbox() *outbox { return &outbox{ops: map[string]*opQueue{}} }

func (o *outbox) queue(op string) *opQueue {
	q := o.ops[op]
	if q == nil {
		q = &opQueue{notify: make(chan struct{}, 1)}
		o.ops[op] = q
	}
	return q
}

func (q *opQueue) wake() {
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// push adds items at the back of their lanes.
func (o *outbox) push(items ...*item) {
	o.mu.Lock()
	touched := map[*opQueue]bool{}
	for _, it := range items {
		q := o.queue(it.msg.Operator)
		q.lanes[laneOf(it.msg.Priority)].push(it)
		touched[q] = true
	}
	o.count += len(items)
	o.mu.Unlock()
	for q := range touched {
		q.wake()
	}
}

// pushFront returns items that could not be sent yet to the head of their lanes.
func (o *outbox) pushFront(items []*item) {
	o.mu.Lock()
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		o.queue(it.msg.Operator).lanes[laneOf(it.msg.Priority)].pushFront(it)
	}
	o.count += len(items)
	o.mu.Unlock()
}

// popBatch waits for at least one item of the operator and returns up to n,
// highest lane first.
func (o *outbox) popBatch(ctx context.Context, op string, n int) ([]*item, error) {
	o.mu.Lock()
	q := o.queue(op)
	o.mu.Unlock()
	for {
		o.mu.Lock()
		var out []*item
		for l := 0; l < numLanes && len(out) < n; l++ {
			for len(q.lanes[l].items) > 0 && len(out) < n {
				out = append(out, q.lanes[l].pop())
			}
		}
		o.count -= len(out)
		more := false
		for l := range q.lanes {
			more = more || len(q.lanes[l].items) > 0
		}
		o.mu.Unlock()
		if more {
			q.wake()
		}
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-q.notify:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Len is the number of messages waiting in the outbox.
func (o *outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.count
}

// delayQueue releases items into the outbox at their time (scheduled sends,
// retry back-off). One timer serves all of them.
type delayQueue struct {
	mu   sync.Mutex
	h    delayHeap
	wake chan struct{}
	out  *outbox
}

type delayed struct {
	at time.Time
	it *item
}

type delayHeap []delayed

func (h delayHeap) Len() int           { return len(h) }
func (h delayHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h delayHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *delayHeap) Push(x any)        { *h = append(*h, x.(delayed)) }
func (h *delayHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func newDelayQueue(out *outbox) *delayQueue {
	return &delayQueue{wake: make(chan struct{}, 1), out: out}
}

func (d *delayQueue) add(at time.Time, it *item) {
	if !at.After(time.Now()) {
		d.out.push(it)
		return
	}
	d.mu.Lock()
	heap.Push(&d.h, delayed{at, it})
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Len is the number of messages waiting for their time.
func (d *delayQueue) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.h.Len()
}

func (d *delayQueue) run(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		d.mu.Lock()
		now := time.Now()
		var due []*item
		for d.h.Len() > 0 && !d.h[0].at.After(now) {
			due = append(due, heap.Pop(&d.h).(delayed).it)
		}
		next := time.Hour
		if d.h.Len() > 0 {
			next = d.h[0].at.Sub(now)
		}
		d.mu.Unlock()
		if len(due) > 0 {
			d.out.push(due...)
		}
		t.Reset(next)
		select {
		case <-t.C:
		case <-d.wake:
		case <-ctx.Done():
			return
		}
	}
}
