package sgip

import (
	"context"
	"fmt"
	"testing"

	"hongyan/internal/proto/prototest"
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
	s := benchSubmit()
	prototest.Throughput(b, c, 16, func(ctx context.Context) error {
		r, err := c.Submit(ctx, s)
		if err == nil && r.Result != 0 {
			return fmt.Errorf("%+v", r)
		}
		return err
	})
}

// benchSMG answers every Submit at once and keeps nothing.
type benchSMG struct{}

func (benchSMG) Submit(context.Context, *ServerConn, *Submit) *SubmitResp { return &SubmitResp{} }
