package smpp

import (
	"context"
	"sync"
	"testing"
)

func BenchmarkSubmitMarshal(b *testing.B) {
	for _, v := range versions {
		b.Run(v.String(), func(b *testing.B) {
			s := sampleSubmit(v)
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
	for _, v := range versions {
		b.Run(v.String(), func(b *testing.B) {
			body, _ := sampleSubmit(v).Marshal(nil, v)
			var s SubmitSM
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if err := s.Unmarshal(body, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReceipt decodes a receipt deliver_sm and reads the receipt.
func BenchmarkReceipt(b *testing.B) {
	d := NewReceipt(sampleSubmit(V34), &Receipt{ID: "0A1B2C3D", TextID: "0169552957", Stat: "DELIVRD",
		SubmitDate: "2501161700", DoneDate: "2501161701"})
	body, _ := d.Marshal(nil, V34)
	var got DeliverSM
	b.ReportAllocs()
	for b.Loop() {
		if err := got.Unmarshal(body, V34); err != nil {
			b.Fatal(err)
		}
		if r, ok := got.Receipt(); !ok || !r.Delivered() {
			b.Fatal("receipt")
		}
	}
}

// BenchmarkClientSubmit measures submit_sm→submit_sm_resp throughput of
// one transceiver connection with window 16 against our Server on
// loopback; 16 goroutines keep the window full.
func BenchmarkClientSubmit(b *testing.B) {
	for _, v := range versions {
		b.Run(v.String(), func(b *testing.B) {
			_, addr := startServer(b, serverConfig(V34, nil), benchSMSC{})
			cfg := clientConfig(addr, v)
			cfg.Window = 16
			if !v.HasTLV() {
				cfg.BindMode = BindTransmitter
			}
			c, err := NewClient(cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c.Start(ctx)
			if err := c.WaitReady(ctx); err != nil {
				b.Fatal(err)
			}
			defer c.Close(ctx)
			s := &SubmitSM{SourceAddrTON: 5, SourceAddr: "Hongyan", DestAddrTON: 1, DestAddrNPI: 1,
				DestinationAddr: "8613800138000", RegisteredDelivery: 1, DataCoding: 8, ShortMessage: ucs2("鸿雁传书，一路平安")}
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			work := make(chan struct{}, 64)
			for range 16 {
				wg.Go(func() {
					for range work {
						if r, err := c.Submit(ctx, s); err != nil || r.Status != 0 {
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
		})
	}
}

// benchSMSC answers every submit_sm at once and keeps nothing.
type benchSMSC struct{}

func (benchSMSC) Submit(context.Context, *ServerConn, *SubmitSM) *SubmitSMResp {
	return &SubmitSMResp{MessageID: "1A2B3C4D"}
}
func (benchSMSC) Connected(*ServerConn)    {}
func (benchSMSC) Disconnected(*ServerConn) {}
