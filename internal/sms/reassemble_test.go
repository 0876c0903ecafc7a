package sms

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 16, 17, 0, 0, 0, time.UTC)

func c8(ref, total, seq int) Concat { return Concat{Ref: uint16(ref), Total: total, Seq: seq} }

// add feeds parts and returns the result of the last Add, failing if an
// earlier one completed.
func add(t *testing.T, r *Reassembler, key string, parts ...struct {
	c Concat
	p string
}) ([]byte, bool) {
	t.Helper()
	var whole []byte
	var done bool
	for i, pt := range parts {
		whole, done = r.Add(key, pt.c, []byte(pt.p), t0)
		if done && i != len(parts)-1 {
			t.Fatalf("completed early at part %d", i)
		}
	}
	return whole, done
}

type pp = struct {
	c Concat
	p string
}

func TestReassembleInOrder(t *testing.T) {
	r := NewReassembler(time.Minute)
	whole, done := add(t, r, "k", pp{c8(1, 3, 1), "aa"}, pp{c8(1, 3, 2), "bb"}, pp{c8(1, 3, 3), "cc"})
	if !done || string(whole) != "aabbcc" {
		t.Fatalf("got %q, %v", whole, done)
	}
	if r.Pending() != 0 {
		t.Errorf("%d pending after completion", r.Pending())
	}
}

func TestReassembleOutOfOrderAndDuplicates(t *testing.T) {
	r := NewReassembler(time.Minute)
	whole, done := add(t, r, "k",
		pp{c8(1, 3, 3), "cc"},
		pp{c8(1, 3, 1), "aa"},
		pp{c8(1, 3, 3), "cc"}, // resent by the gateway
		pp{c8(1, 3, 1), "aa"},
		pp{c8(1, 3, 2), "bb"},
	)
	if !done || string(whole) != "aabbcc" {
		t.Fatalf("got %q, %v", whole, done)
	}
	if p := r.Expire(t0.Add(time.Hour)); len(p) != 0 {
		t.Errorf("Expire after completion returned %+v", p)
	}
}

func TestReassembleKeysAndRefsApart(t *testing.T) {
	r := NewReassembler(time.Minute)
	r.Add("A", c8(1, 2, 1), []byte("A1"), t0)
	r.Add("B", c8(1, 2, 1), []byte("B1"), t0)                                   // other key
	r.Add("A", c8(2, 2, 1), []byte("X1"), t0)                                   // other ref
	r.Add("A", Concat{Ref: 1, Total: 2, Seq: 1, Ref16: true}, []byte("W1"), t0) // 16-bit ref 1
	if w, done := r.Add("A", Concat{Ref: 0x101, Total: 2, Seq: 2}, []byte("A2"), t0); !done || string(w) != "A1A2" {
		// An 8-bit reference is the low byte only.
		t.Fatalf("A: %q, %v", w, done)
	}
	if w, done := r.Add("B", c8(1, 2, 2), []byte("B2"), t0); !done || string(w) != "B1B2" {
		t.Fatalf("B: %q, %v", w, done)
	}
	if w, done := r.Add("A", Concat{Ref: 1, Total: 2, Seq: 2, Ref16: true}, []byte("W2"), t0); !done || string(w) != "W1W2" {
		t.Fatalf("W: %q, %v", w, done)
	}
	if r.Pending() != 1 {
		t.Errorf("pending %d, want 1 (ref 2)", r.Pending())
	}
}

func TestReassembleInconsistentTotal(t *testing.T) {
	r := NewReassembler(time.Minute)
	r.Add("k", c8(5, 3, 1), []byte("old1"), t0)
	// Same reference, Total 2: another message.
	r.Add("k", c8(5, 2, 1), []byte("new1"), t0.Add(time.Second))
	if w, done := r.Add("k", c8(5, 2, 2), []byte("new2"), t0.Add(time.Second)); !done || string(w) != "new1new2" {
		t.Fatalf("new message: %q, %v", w, done)
	}
	exp := r.Expire(t0.Add(2 * time.Minute))
	if len(exp) != 1 || exp[0].Concat.Total != 3 || string(exp[0].Parts[1]) != "old1" {
		t.Fatalf("Expire = %+v, want the Total-3 message", exp)
	}
}

func TestReassembleReusedReference(t *testing.T) {
	r := NewReassembler(time.Minute)
	r.Add("k", c8(5, 3, 1), []byte("old1"), t0)
	r.Add("k", c8(5, 3, 2), []byte("old2"), t0)
	// Part 1 again with other bytes: the sender reused the reference.
	if _, done := r.Add("k", c8(5, 3, 1), []byte("new1"), t0.Add(time.Second)); done {
		t.Fatal("completed a message with one part")
	}
	// The displaced message comes back at once, whatever its age.
	exp := r.Expire(t0.Add(time.Second))
	if len(exp) != 1 || len(exp[0].Parts) != 2 || string(exp[0].Parts[2]) != "old2" || !exp[0].First.Equal(t0) {
		t.Fatalf("Expire = %+v, want old message with 2 parts", exp)
	}
	r.Add("k", c8(5, 3, 2), []byte("new2"), t0)
	if w, done := r.Add("k", c8(5, 3, 3), []byte("new3"), t0); !done || string(w) != "new1new2new3" {
		t.Fatalf("new message: %q, %v", w, done)
	}
}

func TestReassembleTimeout(t *testing.T) {
	r := NewReassembler(time.Minute)
	r.Add("k1", c8(1, 3, 1), []byte("a"), t0)
	r.Add("k1", c8(1, 3, 3), []byte("c"), t0.Add(50*time.Second))
	r.Add("k2", c8(9, 2, 2), []byte("z"), t0.Add(30*time.Second))

	if exp := r.Expire(t0.Add(time.Minute)); len(exp) != 0 {
		t.Fatalf("expired at exactly the timeout: %+v", exp)
	}
	exp := r.Expire(t0.Add(time.Minute + time.Second))
	if len(exp) != 1 {
		t.Fatalf("Expire = %+v, want k1 only", exp)
	}
	p := exp[0]
	want := Partial{Key: "k1", Concat: Concat{Ref: 1, Total: 3}, First: t0}
	if p.Key != want.Key || p.Concat != want.Concat || !p.First.Equal(want.First) ||
		len(p.Parts) != 2 || string(p.Parts[1]) != "a" || string(p.Parts[3]) != "c" {
		t.Fatalf("Expire = %+v, want %+v with parts 1 and 3", p, want)
	}
	// The late part 2 now starts a new message rather than completing.
	if _, done := r.Add("k1", c8(1, 3, 2), []byte("b"), t0.Add(2*time.Minute)); done {
		t.Error("a part after expiry completed the expired message")
	}
	exp = r.Expire(t0.Add(time.Hour))
	if len(exp) != 2 || exp[0].Key != "k2" || exp[1].Key != "k1" {
		t.Fatalf("Expire = %+v, want k2 then k1 (oldest first)", exp)
	}
}

func TestReassembleSinglePartAndBadConcat(t *testing.T) {
	r := NewReassembler(0)
	for _, c := range []Concat{c8(1, 1, 1), c8(1, 0, 0), c8(1, 3, 0), c8(1, 3, 4)} {
		if w, done := r.Add("k", c, []byte("x"), t0); !done || string(w) != "x" {
			t.Errorf("Add(%+v) = %q, %v; want passed through", c, w, done)
		}
	}
	if r.Pending() != 0 {
		t.Errorf("%d pending", r.Pending())
	}
	// The zero timeout means the default.
	r.Add("k", c8(1, 2, 1), nil, t0)
	if exp := r.Expire(t0.Add(DefaultReassemblyTimeout)); len(exp) != 0 {
		t.Errorf("expired before the default timeout: %+v", exp)
	}
	exp := r.Expire(t0.Add(DefaultReassemblyTimeout + 1))
	if len(exp) != 1 || exp[0].Parts[1] == nil {
		t.Errorf("empty part lost: %+v", exp)
	}
}

func TestReassembleCopiesPayload(t *testing.T) {
	var r Reassembler // the zero value works
	buf := []byte("aa")
	r.Add("k", c8(1, 2, 1), buf, t0)
	copy(buf, "XX") // the protocol reuses its read buffer
	w, done := r.Add("k", c8(1, 2, 2), []byte("bb"), t0)
	if !done || string(w) != "aabb" {
		t.Fatalf("got %q, %v", w, done)
	}
}

func TestReassembleConcurrent(t *testing.T) {
	r := NewReassembler(time.Minute)
	const senders, total = 50, 5
	var wg sync.WaitGroup
	results := make([][]byte, senders)
	for s := range senders {
		for seq := total; seq >= 1; seq-- {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprint("sender", s)
				if w, done := r.Add(key, c8(s, total, seq), []byte{byte('0' + seq)}, t0); done {
					results[s] = w // exactly one Add per key completes
				}
			}()
		}
	}
	wg.Wait()
	for s, w := range results {
		if !bytes.Equal(w, []byte("12345")) {
			t.Errorf("sender %d: %q", s, w)
		}
	}
	if r.Pending() != 0 {
		t.Errorf("%d pending", r.Pending())
	}
}
