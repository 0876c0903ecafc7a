package cmpp

import (
	"context"
	"fmt"
	"testing"

	"hongyan/internal/proto/prototest"
)

func BenchmarkSubmitMarshal(b *testing.B) {
	for _, v := range []Version{V20, V30} {
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
	for _, v := range []Version{V20, V30} {
		b.Run(v.String(), func(b *testing.B) {
			body, _ := sampleSubmit(v).Marshal(nil, v)
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
	body, _ := (&Deliver{MsgID: 1, SrcTerminalID: "13800138000", Report: sampleReport(V30)}).Marshal(nil, V30)
	var d Deliver
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Unmarshal(body, V30); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientSubmit measures SUBMIT→SUBMIT_RESP throughput of one
// connection with window 16 against our Server on loopback; 16 goroutines
// keep the window full.
func BenchmarkClientSubmit(b *testing.B) {
	for _, v := range []Version{V20, V30} {
		b.Run(v.String(), func(b *testing.B) {
			h := &benchISMG{gen: NewMsgIDGenerator(1)}
			_, addr := startServer(b, v, h, nil)
			cfg := clientConfig(addr, v)
			cfg.Window = 16
			c := NewClient(cfg, nil)
			s := &Submit{MsgFmt: FmtUCS2, SrcID: "10658000", DestTerminalID: []string{"13800138000"}, MsgContent: ucs2("鸿雁传书，一路平安")}
			prototest.Throughput(b, c, 16, func(ctx context.Context) error {
				r, err := c.Submit(ctx, s)
				if err == nil && r.Result != 0 {
					return fmt.Errorf("%+v", r)
				}
				return err
			})
		})
	}
}

// benchISMG answers every SUBMIT at once and keeps nothing.
type benchISMG struct{ gen *MsgIDGenerator }

func (h *benchISMG) Submit(_ context.Context, _ *ServerConn, s *Submit) *SubmitResp {
	return &SubmitResp{MsgID: h.gen.NextN(len(s.DestTerminalID))}
}
func (*benchISMG) Connected(*ServerConn)    {}
func (*benchISMG) Disconnected(*ServerConn) {}
