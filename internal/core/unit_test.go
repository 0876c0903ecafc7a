package core

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

func TestIDGenUniqueAndOrdered(t *testing.T) {
	g := NewIDGen(7)
	var prev int64
	seen := map[int64]bool{}
	for i := 0; i < 20000; i++ { // more than 4096 per ms: borrows ahead, stays unique
		id := g.Next()
		if id <= prev || seen[id] {
			t.Fatalf("id %d not increasing/unique after %d", id, prev)
		}
		if (id>>12)&1023 != 7 {
			t.Fatalf("node bits of %d = %d, want 7", id, (id>>12)&1023)
		}
		seen[id], prev = true, id
	}
}

func TestCommitterGroupsConcurrentCallers(t *testing.T) {
	var mu sync.Mutex
	var batches []int
	release := make(chan struct{})
	c := newCommitter(1000, func(_ context.Context, items []int) error {
		<-release
		mu.Lock()
		batches = append(batches, len(items))
		mu.Unlock()
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	go c.run(ctx)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.do(context.Background(), i) }()
	}
	time.Sleep(50 * time.Millisecond) // all 50 queue behind the first flush
	close(release)
	wg.Wait()
	cancel()
	<-c.done
	total := 0
	for _, n := range batches {
		total += n
	}
	if total != 50 {
		t.Fatalf("flushed %d items, want 50", total)
	}
	if len(batches) > 3 {
		t.Fatalf("50 concurrent callers took %d flushes (%v); group commit should need ≤ 3", len(batches), batches)
	}
}

func TestCommitterReportsFlushError(t *testing.T) {
	boom := errors.New("disk full")
	c := newCommitter(10, func(context.Context, []int) error { return boom })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.run(ctx)
	if err := c.do(context.Background(), 1); !errors.Is(err, boom) {
		t.Fatalf("do = %v, want the flush error", err)
	}
}

func TestOutboxServesHigherLanesFirst(t *testing.T) {
	o := newOutbox()
	mk := func(id int64, prio int) *item {
		return &item{msg: &store.Message{ID: id, Operator: "cmcc", Priority: prio}}
	}
	for i := int64(0); i < 1000; i++ {
		o.push(mk(100+i, LaneMarketing))
	}
	o.push(mk(1, LaneUrgent))
	o.push(mk(2, LaneNotice))
	got, err := o.popBatch(context.Background(), "cmcc", 3)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].msg.ID != 1 || got[1].msg.ID != 2 || got[2].msg.ID != 100 {
		t.Fatalf("pop order %d,%d,%d; want urgent 1, notice 2, then marketing 100", got[0].msg.ID, got[1].msg.ID, got[2].msg.ID)
	}
	if o.Len() != 999 {
		t.Fatalf("Len = %d, want 999", o.Len())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := o.popBatch(ctx, "cucc", 1); err == nil {
		t.Fatal("popBatch on an empty operator returned without waiting")
	}
}

func TestDelayQueueReleasesInTimeOrder(t *testing.T) {
	o := newOutbox()
	d := newDelayQueue(o)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.run(ctx)
	now := time.Now()
	d.add(now.Add(80*time.Millisecond), &item{msg: &store.Message{ID: 2, Operator: "cmcc"}})
	d.add(now.Add(30*time.Millisecond), &item{msg: &store.Message{ID: 1, Operator: "cmcc"}})
	if o.Len() != 0 {
		t.Fatal("delayed items released early")
	}
	pctx, pcancel := context.WithTimeout(ctx, time.Second)
	defer pcancel()
	a, _ := o.popBatch(pctx, "cmcc", 1)
	b, _ := o.popBatch(pctx, "cmcc", 1)
	if a == nil || b == nil || a[0].msg.ID != 1 || b[0].msg.ID != 2 {
		t.Fatal("delay queue did not release in time order")
	}
	if time.Since(now) < 75*time.Millisecond {
		t.Fatal("second item released before its time")
	}
}

func TestStateOfStat(t *testing.T) {
	cases := map[string]store.State{"DELIVRD": store.Delivered, "EXPIRED": store.Expired, "UNDELIV": store.Undelivered,
		"REJECTD": store.Rejected, "MA:0001": store.Undelivered, " delivrd ": store.Delivered}
	for in, want := range cases {
		if got := StateOfStat(in); got != want {
			t.Errorf("StateOfStat(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("邮政2026!")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "邮政2026!") || CheckPassword(h, "邮政2026") || CheckPassword("garbage", "x") {
		t.Fatal("CheckPassword accepts a wrong password or rejects the right one")
	}
	h2, _ := HashPassword("邮政2026!")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}

func TestSignIsHMACOverTimestampAndBody(t *testing.T) {
	// echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
	got := Sign("k", 1700000000, []byte(`{"a":1}`))
	const want = "1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3"
	if got != want {
		t.Fatalf("Sign = %s, want %s (openssl)", got, want)
	}
}
