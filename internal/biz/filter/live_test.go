package filter

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestLiveBeforeStore(t *testing.T) {
	var l Live
	f := l.Load()
	if f == nil || f.Len() != 0 {
		t.Fatalf("zero Live: Load = %v", f)
	}
	if h, ok := f.Check("违禁词"); ok {
		t.Fatalf("empty filter hit %v", h)
	}
	if hits := f.FindAll("违禁词"); hits != nil {
		t.Fatalf("empty filter found %v", hits)
	}
	g, err := New([]Rule{{1, "违禁词", Reject}})
	if err != nil {
		t.Fatal(err)
	}
	l.Store(g)
	if l.Load() != g {
		t.Fatal("Load does not return the stored filter")
	}
	l.Store(nil)
	if f := l.Load(); f == nil || f.Len() != 0 {
		t.Fatalf("after Store(nil): Load = %v", f)
	}
}

// TestLiveSwap swaps between two lists, rebuilding each time, while 8
// goroutines check messages: every check must see one whole list, never a
// mix or nothing.
func TestLiveSwap(t *testing.T) {
	listA := []Rule{{1, "违禁词", Reject}, {2, "发票", Review}}
	listB := []Rule{{3, "违禁词", Review}, {4, "赌博", Reject}}
	const text = "代开发票，违 禁 词，赌博"
	var l Live
	a, err := New(listA)
	if err != nil {
		t.Fatal(err)
	}
	l.Store(a)

	var stop atomic.Bool
	var sawA, sawB atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				h, ok := l.Load().Check(text)
				switch {
				case !ok:
					t.Error("no hit")
					return
				case h.Rule.ID == 1: // list A: its reject
					sawA.Add(1)
				case h.Rule.ID == 4: // list B: its reject
					sawB.Add(1)
				default:
					t.Errorf("hit %v belongs to neither list's decision", h)
					return
				}
			}
		})
	}
	for i := 0; i < 200 || sawA.Load() == 0 || sawB.Load() == 0; i++ {
		list := listA
		if i%2 == 0 {
			list = listB
		}
		f, err := New(list)
		if err != nil {
			t.Fatal(err)
		}
		l.Store(f)
		if i > 100000 {
			t.Fatal("checkers never saw both lists")
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("checks under list A %d, under list B %d", sawA.Load(), sawB.Load())
}
