package sgip

import (
	"context"
	"sync"
	"testing"
)

func benchSubmit() *Submit {
	return &Submit{SPNumber: "10655012345", UserNumber: []string{"8613012345678"}, CorpID: "12345",
		ServiceType: "NEWS", MorelatetoMTFlag: MTNotForMO, ReportFlag: ReportAlways, MessageCoding: CodingUCS2,
		MessageContent: ucs2("鸿雁传书，一路平安")}
}

func BenchmarkSubmitMarshal(b *testing.B) {
	for _, v := range []Variant{Standard, LinkIDVariant} {
		b.Run(v.String(), func(b *testing.B) {
			s := benchSubmit()
			buf := make([]byte, 0, 512)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = s.Marshal(buf[:0], v); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}

func BenchmarkSubmitUnmarshal(b *testing.B) {
	body, _ := benchSubmit().Marshal(nil, Standard)
	var s Submit
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := s.Unmarshal(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReportUnmarshal(b *testing.B) {
	body, _ := sampleReport().Marshal(nil, Standard)
	var r Report
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Unmarshal(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientSubmit measures Submit→Submit_Resp throughput of one
// client session (one connection, window 16) against our SMG server on
// loopback, which answers at once; 16 goroutines keep the window full.
func BenchmarkClientSubmit(b *testing.B) {
	_, addr := startSMG(b, benchSMG{}, nil)
	cfg := spConfig(addr)
	cfg.Window = 16
	c := NewClient(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx)
	if err := c.WaitReady(ctx); err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	s := benchSubmit()
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan struct{}, 64)
	for range 16 {
		wg.Go(func() {
			for range work {
				if r, err := c.Submit(ctx, s); err != nil || r.Result != 0 {
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

// benchSMG answers every Submit at once and keeps nothing.
type benchSMG struct{}

func (benchSMG) Submit(context.Context, *ServerConn, *Submit) *SubmitResp { return &SubmitResp{} }
