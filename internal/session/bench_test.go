package session

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
)

// startEchoPeer is a zero-latency gateway that answers every request at
// once with a 12-byte body (the size of a CMPP 3.0 SUBMIT_RESP). It is
// written against the wire and allocates nothing per frame, so allocation
// counts in the benchmarks are the engine's own.
func startEchoPeer(b testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			b.Cleanup(func() { nc.Close() })
			go serveEcho(nc)
		}
	}()
	return ln.Addr().String()
}

func serveEcho(nc net.Conn) {
	br := bufio.NewReaderSize(nc, 64<<10)
	bw := bufio.NewWriterSize(nc, 64<<10)
	in := make([]byte, testMax)
	out := make([]byte, testHdr+12)
	for {
		if _, err := io.ReadFull(br, in[:testHdr]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(in)
		if n < testHdr || n > testMax {
			return
		}
		if _, err := io.ReadFull(br, in[testHdr:n]); err != nil {
			return
		}
		binary.BigEndian.PutUint32(out, uint32(len(out)))
		binary.BigEndian.PutUint32(out[4:], binary.BigEndian.Uint32(in[4:])|respBit)
		copy(out[8:12], in[8:12])
		if _, err := bw.Write(out); err != nil {
			return
		}
		if br.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				return
			}
		}
	}
}

var benchBody = make([]byte, 150) // about a one-part CMPP 3.0 SUBMIT

func reportRate(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// BenchmarkCall: one Conn, window 16, as many callers as fit, loopback.
func BenchmarkCall(b *testing.B) {
	c := dialConn(b, startEchoPeer(b), Config{Window: 16}, nil)
	ctx := context.Background()
	if _, err := c.Call(ctx, cmdSubmit, benchBody); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Call(ctx, cmdSubmit, benchBody); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, start)
}

// BenchmarkCallSerial: one caller, so one request on the wire at a time: the
// round-trip cost and the allocations of a single Call.
func BenchmarkCallSerial(b *testing.B) {
	c := dialConn(b, startEchoPeer(b), Config{Window: 16}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := c.Call(ctx, cmdSubmit, benchBody); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start)
}

// BenchmarkClientCall: the pool path (ready check, TPS off, pick) over 2
// connections of window 16.
func BenchmarkClientCall(b *testing.B) {
	cl := NewClient(testProto{}, ClientConfig{Addr: startEchoPeer(b), Conns: 2, Conn: Config{Window: 16}}, nil, discardLog)
	cl.Start(context.Background())
	b.Cleanup(func() { _ = cl.Close(context.Background()) })
	ctx := context.Background()
	for cl.Stats().Connected < 2 {
		time.Sleep(time.Millisecond)
	}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := cl.Call(ctx, cmdSubmit, benchBody); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, start)
}

// BenchmarkEngineToEngine: the engine on both ends (Client → Server with a
// Handler); allocations include the server's handler goroutines.
func BenchmarkEngineToEngine(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	resp := make([]byte, 12)
	s := NewServer(testProto{}, Config{Window: 16}, func(*Conn) Handler {
		return func(_ context.Context, c *Conn, f Frame) { _ = c.Reply(f, f.Command|respBit, 0, resp) }
	}, discardLog)
	go func() { _ = s.Serve(ln) }()
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	c := dialConn(b, ln.Addr().String(), Config{Window: 16}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Call(ctx, cmdSubmit, benchBody); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, start)
}
