package prototest

import (
	"context"
	"sync"
	"testing"
)

// Throughput runs b's client-session benchmark: c is started and made
// ready, then b.N calls of submit run from workers goroutines (keeping a
// window of that size full); allocations and submits/s are reported. A
// submit that fails stops its worker with the error.
func Throughput(b *testing.B, c Client, workers int, submit func(ctx context.Context) error) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx)
	if err := c.WaitReady(ctx); err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan struct{}, 64)
	for range workers {
		wg.Go(func() {
			for range work {
				if err := submit(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	for i := 0; i < b.N; i++ {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
}
