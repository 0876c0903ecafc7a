package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"hongyan/internal/gateway"
)

// China Unicom numbers (China Netcom's heir) go out over CNGP when the
// operator's gateway speaks it: short and long text delivered, reports
// matched by the 10-byte MsgID, short and long MO come in. Both versions.
func TestCNGPGatewayEndToEnd(t *testing.T) {
	for _, proto := range []string{"cngp2", "cngp1"} {
		t.Run(proto, func(t *testing.T) {
			sb := testSandbox(t, SandboxOptions{Protocols: map[string]string{gateway.CUCC: proto}})
			if g := sb.Pool.All(); !hasGateway(g, "cucc-cngp-1", proto) {
				t.Fatalf("no %s gateway cucc-cngp-1 in the pool", proto)
			}
			short := firstID(t, send(t, sb, `{"to":["13012345678"],"content":"网通号码测试"}`))
			long := firstID(t, send(t, sb, `{"to":["13012345679"],"content":"`+strings.Repeat("邮政", 100)+`"}`))
			for _, id := range []string{short, long} {
				m := waitState(t, sb, id, "delivered", 10*time.Second)
				if m["gateway"] != "cucc-cngp-1" || m["operator"] != "cucc" || m["operator_code"] != "DELIVRD" {
					t.Fatalf("message %s = %v, want delivered through cucc-cngp-1", id, m)
				}
			}
			_, tr := call(t, sb, "GET", "/api/v1/messages/"+long+"?trace=1", "", sb.APIKey)
			if segs := tr["segments_detail"].([]any); len(segs) != 3 {
				t.Fatalf("200 Chinese characters over CNGP: %d segments, want 3", len(segs))
			}
			if st := sb.SimFor(gateway.CUCC).Stats(); st.Submits != 4 || st.Reports != 4 {
				t.Fatalf("CNGP simulator stats %+v, want 4 submits and 4 reports", st)
			}
			longMO := strings.Repeat("网通长回复", 20)
			for _, text := range []string{"网通用户回复", longMO} {
				if err := sb.SendMO(context.Background(), "13012345678", "10658000", text); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 5*time.Second, "CNGP MO in inbox", func() bool {
				_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
				got := 0
				for _, m := range inbox["mo"].([]any) {
					mo := m.(map[string]any)
					if mo["from"] == "13012345678" && mo["to"] == "10658000" && (mo["content"] == "网通用户回复" || mo["content"] == longMO) {
						got++
					}
				}
				return got == 2
			})
		})
	}
}

func hasGateway(gs []*gateway.Gateway, name, proto string) bool {
	for _, g := range gs {
		if g.Name == name && g.Protocol == proto {
			return true
		}
	}
	return false
}

// `protocol: cngp2` in hongyan.yaml, with the CNGP settings, builds a CNGP
// driver; a bad setting stops the start naming the gateway.
func TestCNGPGatewayFromYAML(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, `
gateways:
  - name: cnc-1
    operator: cucc
    protocol: cngp2
    addr: "127.0.0.1:9890"
    account: "1060123456"
    secret: s
    cngp_login_version: 0x10
    cngp_sub_type: 3
    cngp_no_tlvs: true
    cngp_skip_auth_server: true
    cngp_udhi_tag: 0x0002
`))
	if err != nil {
		t.Fatal(err)
	}
	gc := c.Gateways[0]
	if gc.CNGPLoginVersion != 0x10 || gc.CNGPSubType != 3 || !gc.CNGPNoTLVs || !gc.CNGPSkipAuthServer || gc.CNGPUDHITag != 2 {
		t.Fatalf("parsed %+v", gc)
	}
	log := slog.New(slog.DiscardHandler)
	if _, err := NewDriver(&gateway.Gateway{Config: gc}, nil, log); err != nil {
		t.Fatalf("cngp2 driver: %v", err)
	}
	gc.Protocol = "cngp1"
	if _, err := NewDriver(&gateway.Gateway{Config: gc}, nil, log); err != nil {
		t.Fatalf("cngp1 driver: %v", err)
	}
	gc.CNGPSubType = 9
	if _, err := NewDriver(&gateway.Gateway{Config: gc}, nil, log); err == nil || !strings.Contains(err.Error(), "cnc-1") {
		t.Fatalf("bad cngp_sub_type: %v", err)
	}
}
