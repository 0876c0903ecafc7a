package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzFrameReader feeds arbitrary bytes from a peer through a whole Conn
// (read loop, dispatch, heartbeat replies, response matching) with a lax
// protocol. Nothing may panic, and the connection must end once the bytes
// run out.
func FuzzFrameReader(f *testing.F) {
	f.Add(rawFrame(cmdHB, 1, nil))
	f.Add(append(rawFrame(5, 2, []byte("mo")), rawFrame(cmdSubmit|respBit, 1, []byte("late"))...))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1})
	f.Add(rawFrame(cmdSubmit, 3, bytes.Repeat([]byte{0xee}, 100))[:50])
	f.Fuzz(func(t *testing.T, data []byte) {
		ours, theirs := net.Pipe()
		go func() { _, _ = io.Copy(io.Discard, theirs) }()
		h := func(_ context.Context, c *Conn, fr Frame) { _ = c.Reply(fr, fr.Command|respBit, 0, fr.Body) }
		c := NewConn(ours, testProto{lax: true}, Config{RequestTimeout: time.Second}, h, discardLog)
		c.Start(context.Background())
		go func() {
			_, _ = c.Call(context.Background(), cmdSubmit, []byte("x"))
		}()
		go func() {
			_, _ = theirs.Write(data)
			_ = theirs.Close()
		}()
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("connection outlived its input")
		}
		if !errors.Is(c.Err(), ErrClosed) {
			t.Fatalf("Err() = %v", c.Err())
		}
	})
}

// FuzzReadFrames checks the frame reader's invariants on its own: every
// frame it returns is within bounds and whole; every failure is malformed
// framing or the input ending. The protocol is lax (no length check in
// DecodeHeader), so the bounds are the engine's own.
func FuzzReadFrames(f *testing.F) {
	f.Add(append(rawFrame(1, 1, nil), rawFrame(2, 2, []byte("body"))...))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := newFrameReader(bytes.NewReader(data), testProto{lax: true})
		for {
			fm, err := fr.next()
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			if fm.Length < testHdr || fm.Length > testMax || int(fm.Length) != testHdr+len(fm.Body) {
				t.Fatalf("frame %+v with %d body bytes", fm.Header, len(fm.Body))
			}
		}
	})
}
