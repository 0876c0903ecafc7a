package smpp

import (
	"context"
	"fmt"
	"testing"

	"hongyan/internal/proto/prototest"
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
			s := &SubmitSM{SourceAddrTON: 5, SourceAddr: "Hongyan", DestAddrTON: 1, DestAddrNPI: 1,
				DestinationAddr: "8613800138000", RegisteredDelivery: 1, DataCoding: 8, ShortMessage: ucs2("鸿雁传书，一路平安")}
			prototest.Throughput(b, c, 16, func(ctx context.Context) error {
				r, err := c.Submit(ctx, s)
				if err == nil && r.Status != 0 {
					return fmt.Errorf("%+v", r)
				}
				return err
			})
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
