package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"
)

// BenchmarkProtoSubmit is `hongyan bench --proto` as a Go benchmark: each
// protocol's gateway Driver against its simulator on loopback, window 16,
// one connection, one submitter per window slot; at zero latency and with
// the simulator answering after 20 ms (theory: 16 ÷ 20 ms = 800/s).
//
//	go test -run '^$' -bench ProtoSubmit ./cmd/hongyan/
func BenchmarkProtoSubmit(b *testing.B) {
	for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
		for _, p := range benchProtos {
			b.Run(p.name+"/latency="+lat.String(), func(b *testing.B) {
				o := protoBenchOptions{Latency: lat, Window: 16, Conns: 1, Log: newLogger("error", "text")}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				rig, err := startProtoRig(ctx, p, o)
				if err != nil {
					b.Fatal(err)
				}
				defer rig.close()
				work := make(chan struct{}, 64)
				var wg sync.WaitGroup
				b.ReportAllocs()
				for w := range o.submitters() {
					sub := benchSubmit(rand.New(rand.NewPCG(uint64(w), 1)))
					wg.Go(func() {
						for range work {
							if r, err := rig.drv.Submit(ctx, sub); err != nil || !r.OK {
								b.Errorf("submit: %+v %v", r, err)
								return
							}
						}
					})
				}
				n := 0
				for b.Loop() {
					work <- struct{}{}
					n++
				}
				close(work)
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "submits/s")
			})
		}
	}
}

// captureStdout runs fn with os.Stdout redirected and returns what it
// printed. Tests of this package do not run in parallel.
func captureStdout(t *testing.T, fn func() error) ([]byte, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(&out, r)
	}()
	ferr := fn()
	os.Stdout = saved
	w.Close()
	<-done
	r.Close()
	return out.Bytes(), ferr
}
