package link

import (
	"context"
	"errors"
	"testing"

	"hongyan/internal/session"
)

func TestLogin(t *testing.T) {
	var l Login
	if l.Ready() || !l.Begin() || l.Begin() || l.Ready() {
		t.Fatal("new → logging in, once")
	}
	l.SetReady()
	if !l.Ready() {
		t.Fatal("not ready")
	}
}

type body struct{ cmd uint32 }

func (b body) CommandID() uint32 { return b.cmd }

func (b body) Marshal(dst []byte, v int) ([]byte, error) {
	if v < 0 {
		return dst, errors.New("bad layout")
	}
	return append(dst, byte(v)), nil
}

// Call hands the encoding error back as it is, wraps the call's and the
// decoder's, and sends the encoded body.
func TestCall(t *testing.T) {
	wrap := func(err error) error { return errors.Join(errors.New("wrapped"), err) }
	var sent []byte
	call := func(_ context.Context, cmd uint32, b []byte) (session.Frame, error) {
		sent = append([]byte(nil), b...)
		return session.Frame{Header: session.Header{Command: cmd | 0x80000000}}, nil
	}
	var got uint32
	decode := func(f session.Frame) error { got = f.Command; return nil }
	if err := Call(context.Background(), call, body{4}, 7, decode, wrap); err != nil || string(sent) != "\x07" || got != 0x80000004 {
		t.Fatalf("%v % x %x", err, sent, got)
	}
	if err := Call(context.Background(), call, body{4}, -1, decode, wrap); err == nil || err.Error() != "bad layout" {
		t.Fatalf("encoding error: %v", err)
	}
	failing := func(context.Context, uint32, []byte) (session.Frame, error) {
		return session.Frame{}, session.ErrClosed
	}
	if err := Call(context.Background(), failing, body{4}, 1, decode, wrap); !errors.Is(err, session.ErrClosed) || err.Error()[:7] != "wrapped" {
		t.Fatalf("call error: %v", err)
	}
}

func TestGoodbyeAll(t *testing.T) {
	var n int
	done := make(chan int, 3)
	GoodbyeAll(context.Background(), []int{1, 2, 3}, func(i int, ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("no deadline")
		}
		done <- i
		return nil
	})
	close(done)
	for i := range done {
		n += i
	}
	if n != 6 {
		t.Fatalf("sum %d", n)
	}
}
