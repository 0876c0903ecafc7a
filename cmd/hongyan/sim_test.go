package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/proto/sgip"
	"hongyan/internal/proto/smgp"
	"hongyan/internal/sms"
)

// The SMGP simulator answers an SMGP client, 3.0 and 2.0: login, submit,
// and a status report whose MsgID is the Submit_Resp's.
func TestSimCommandSMGP(t *testing.T) {
	for _, tc := range []struct {
		proto string
		v     smgp.Version
	}{{"smgp3", smgp.V30}, {"smgp2", smgp.V20}} {
		t.Run(tc.proto, func(t *testing.T) {
			addr := freeAddr(t)
			runCmd(t, runSim, "--proto", tc.proto, "--listen", addr, "--account", "10601234", "--secret", "pw", "--report-delay", "10ms", "--log", "error")
			reports := make(chan *smgp.Report, 1)
			cl := smgp.NewClient(smgp.ClientConfig{Name: "t", Addr: addr, ClientID: "10601234", Secret: "pw", Version: tc.v,
				BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond},
				func(_ context.Context, d *smgp.Deliver) uint32 {
					if d.Report != nil {
						reports <- d.Report
					}
					return smgp.StatusOK
				})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cl.Start(ctx)
			defer cl.Close(context.Background())
			if err := cl.WaitReady(ctx); err != nil {
				t.Fatal(err)
			}
			resp, err := cl.Submit(ctx, &smgp.Submit{MsgType: 6, NeedReport: 1, ServiceID: "HY", FeeType: "00", MsgFormat: smgp.FmtASCII,
				SrcTermID: "10658000", DestTermID: []string{"13312345678"}, MsgContent: []byte("hi")})
			if err != nil || resp.Status != smgp.StatusOK {
				t.Fatalf("submit: %+v %v", resp, err)
			}
			select {
			case r := <-reports:
				if r.MsgID != resp.MsgID || r.Stat != "DELIVRD" {
					t.Fatalf("report %+v for %v", r, resp.MsgID)
				}
			case <-ctx.Done():
				t.Fatal("no status report from the SMGP simulator")
			}
		})
	}
	if err := runSim(context.Background(), []string{"--proto", "smgp3"}); err == nil {
		t.Fatal("smgp sim without --account accepted")
	}
}

// sgipInbound records what the SMG simulator sends the SP's receiver.
type sgipInbound struct {
	mu      sync.Mutex
	reports []gateway.Report
	mo      []gateway.MO
}

func (in *sgipInbound) Report(_ context.Context, _ *gateway.Gateway, r gateway.Report) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.reports = append(in.reports, r)
	return nil
}

func (in *sgipInbound) MO(_ context.Context, _ *gateway.Gateway, m gateway.MO) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.mo = append(in.mo, m)
	return nil
}

// The standalone SGIP simulator binds to the SP, submits are answered, and
// the SMG connects back to the SP's receiver (--sp-addr) with the report
// and with an injected MO.
func TestSimCommandSGIP(t *testing.T) {
	simAddr, recvAddr := freeAddr(t), freeAddr(t)
	runCmd(t, runSim, "--proto", "sgip", "--listen", simAddr, "--account", "hongyan", "--secret", "pw",
		"--sp-addr", recvAddr, "--sp-login", "smg", "--sp-password", "smgpw", "--report-delay", "10ms",
		"--mo-every", "50ms", "--log", "error")
	node, err := sgip.SPNodeID("010", "90120")
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway.Gateway{Config: gateway.Config{Name: "cucc-sgip-t", Operator: gateway.CUCC, Protocol: "sgip", Addr: simAddr,
		Account: "hongyan", Secret: "pw", Listen: recvAddr, NodeID: node, SMGLogin: "smg", SMGPassword: "smgpw", ServiceID: "HY", SrcID: "10658000"}}
	in := &sgipInbound{}
	d, err := gateway.NewSGIP(g, in, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	d.Start(ctx)
	defer d.Close(context.Background())
	var res gateway.Result
	for {
		content, _ := sms.Encode("联通测试", sms.UCS2)
		res, err = d.Submit(ctx, &gateway.Submit{MessageID: 1, Seq: 1, Total: 1, Src: "10658000", To: "13012345678",
			Coding: sms.UCS2, Content: content, WantReport: true})
		if err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond) // the simulator is still starting
	}
	if err != nil || !res.OK || res.OpMsgID == "" {
		t.Fatalf("submit: %+v %v", res, err)
	}
	for {
		in.mu.Lock()
		done := len(in.reports) > 0 && len(in.mo) > 0
		var rep gateway.Report
		if len(in.reports) > 0 {
			rep = in.reports[0]
		}
		in.mu.Unlock()
		if done {
			if rep.OpMsgID != res.OpMsgID || rep.Stat != "DELIVRD" && rep.Stat != "0" {
				t.Fatalf("report %+v for %s", rep, res.OpMsgID)
			}
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("no report and MO through the receiver: reports %v, MO %v", in.reports, in.mo)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
