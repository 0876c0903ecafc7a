package smgp

import (
	"context"
	"fmt"
	"testing"

	"hongyan/internal/proto/prototest"
)

func benchSubmit() *Submit {
	s := &Submit{MsgType: 6, NeedReport: 1, ServiceID: "HELP", FeeType: "01", FeeCode: "000010", MsgFormat: FmtUCS2,
		SrcTermID: "106900001234", DestTermID: []string{"13300000001"}, MsgContent: make([]byte, 140)}
	s.TLVs.SetByte(TagTPUDHI, 1)
	s.TLVs.SetByte(TagPkTotal, 3)
	s.TLVs.SetByte(TagPkNumber, 1)
	return s
}

func BenchmarkSubmitMarshal(b *testing.B) {
	for _, v := range []Version{V20, V30} {
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
	for _, v := range []Version{V20, V30} {
		b.Run(v.String(), func(b *testing.B) {
			body, _ := benchSubmit().Marshal(nil, v)
			var s Submit
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

func BenchmarkDeliverReportUnmarshal(b *testing.B) {
	body, _ := (&Deliver{SrcTermID: "13300000001", Report: sampleReport()}).Marshal(nil, V30)
	var d Deliver
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Unmarshal(body, V30); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientSubmit measures Submit→Submit_Resp throughput of one
// connection with window 16 against our Server on loopback; 16 goroutines
// keep the window full.
func BenchmarkClientSubmit(b *testing.B) {
	for _, v := range []Version{V20, V30} {
		b.Run(v.String(), func(b *testing.B) {
			_, addr := startServer(b, v, &benchSMGW{gen: NewMsgIDGenerator(1)}, nil)
			cfg := clientConfig(addr, v)
			cfg.Window = 16
			c := NewClient(cfg, nil)
			s := benchSubmit()
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

// benchSMGW answers every Submit at once and keeps nothing.
type benchSMGW struct{ gen *MsgIDGenerator }

func (h *benchSMGW) Submit(context.Context, *ServerConn, *Submit) *SubmitResp {
	return &SubmitResp{MsgID: h.gen.Next()}
}
func (*benchSMGW) Connected(*ServerConn)    {}
func (*benchSMGW) Disconnected(*ServerConn) {}
