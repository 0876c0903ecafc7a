package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/proto/cmpp"
	"hongyan/internal/proto/cngp"
	"hongyan/internal/proto/smpp"
)

// TestMain hashes passwords cheaply: the commands' tests log in often.
func TestMain(m *testing.M) {
	core.LightPasswordHashing()
	os.Exit(m.Run())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// runCmd runs a subcommand until the test ends.
func runCmd(t *testing.T, fn func(context.Context, []string) error, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("command %v: %v", args, err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("command %v did not stop", args)
		}
	})
}

// The standalone simulator answers a CMPP client: login, submit, report.
func TestSimCommand(t *testing.T) {
	addr := freeAddr(t)
	runCmd(t, runSim, "--proto", "cmpp3", "--listen", addr, "--account", "901234", "--secret", "pw",
		"--report-delay", "10ms", "--log", "error")
	reports := make(chan *cmpp.Report, 1)
	cl := cmpp.NewClient(cmpp.ClientConfig{Name: "t", Addr: addr, SourceAddr: "901234", Secret: "pw"},
		func(_ context.Context, d *cmpp.Deliver) uint32 {
			if d.Report != nil {
				reports <- d.Report
			}
			return 0
		})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl.Start(ctx)
	defer cl.Close(context.Background())
	if err := cl.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Submit(ctx, &cmpp.Submit{RegisteredDelivery: 1, DestTerminalID: []string{"13800138000"}, MsgContent: []byte("hi"), SrcID: "10658000"})
	if err != nil || resp.Result != 0 {
		t.Fatalf("submit: %+v %v", resp, err)
	}
	select {
	case r := <-reports:
		if r.MsgID != resp.MsgID || r.Stat != "DELIVRD" {
			t.Fatalf("report %+v for msg %d", r, resp.MsgID)
		}
	case <-ctx.Done():
		t.Fatal("no status report from the simulator")
	}
}

func TestSimCommandRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--proto", "x25"}, {"--reject", "2"}, {"--report-mix", "DELIVRD"}} {
		if err := runSim(context.Background(), args); err == nil {
			t.Errorf("sim %v accepted", args)
		}
	}
}

// serve runs from a YAML file: a message sent over HTTP is delivered by a
// standalone simulator.
func TestServeCommand(t *testing.T) {
	simAddr, httpAddr := freeAddr(t), freeAddr(t)
	runCmd(t, runSim, "--listen", simAddr, "--account", "901234", "--secret", "pw", "--report-delay", "10ms", "--log", "error")
	key := "hy_test_key_for_serve_command_000000"
	dir := t.TempDir()
	cfg := fmt.Sprintf(`database: "sqlite:%s/h.db"
http: {listen: "%s"}
log: {level: error}
gateways:
  - {name: cmcc-1, operator: cmcc, protocol: cmpp3, addr: "%s", account: "901234", secret: pw, src_id: "10658000"}
accounts:
  - {name: ems, service_code: "1065800001", api_key_sha256: "%s"}
`, dir, httpAddr, simAddr, sha256hex(key))
	path := filepath.Join(dir, "hongyan.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	runCmd(t, runServe, "-c", path)
	base := "http://" + httpAddr
	var id string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("POST", base+"/api/v1/messages", strings.NewReader(`{"to":["13800138000"],"content":"serve"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			var m struct {
				Messages []struct{ ID string } `json:"messages"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if resp.StatusCode == 201 && len(m.Messages) == 1 {
				id = m.Messages[0].ID
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if id == "" {
		t.Fatal("serve never accepted a message")
	}
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", base+"/api/v1/messages/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var m struct{ State string }
			_ = json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if m.State == "delivered" {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("message sent through serve was not delivered")
}

func TestRedactDSN(t *testing.T) {
	if got := redactDSN("postgres://u:secret@db:5432/x"); strings.Contains(got, "secret") {
		t.Fatalf("redactDSN leaked the password: %s", got)
	}
	if got := redactDSN("sqlite:./a.db"); got != "sqlite:./a.db" {
		t.Fatalf("redactDSN changed a sqlite path: %s", got)
	}
}

func TestSimCommandSMPP(t *testing.T) {
	addr := freeAddr(t)
	runCmd(t, runSim, "--proto", "smpp34", "--listen", addr, "--account", "esme", "--secret", "pw", "--report-delay", "10ms", "--log", "error")
	receipts := make(chan *smpp.Receipt, 1)
	cl, err := smpp.NewClient(smpp.ClientConfig{Name: "t", Addr: addr, SystemID: "esme", Password: "pw", IDFormat: smpp.IDHexToDec},
		func(_ context.Context, d *smpp.DeliverSM) uint32 {
			if r, ok := d.Receipt(); ok {
				receipts <- r
			}
			return smpp.ESME_ROK
		})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl.Start(ctx)
	defer cl.Close(context.Background())
	if err := cl.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Submit(ctx, &smpp.SubmitSM{DestinationAddr: "19212345678", RegisteredDelivery: 1, ShortMessage: []byte("hi")})
	if err != nil || resp.Status != smpp.ESME_ROK {
		t.Fatalf("submit: %+v %v", resp, err)
	}
	select {
	case r := <-receipts:
		if r.Key(smpp.IDHexToDec) != smpp.IDHexToDec.RespKey(resp.MessageID) || r.Stat != "DELIVRD" {
			t.Fatalf("receipt %+v does not match message id %s", r, resp.MessageID)
		}
	case <-ctx.Done():
		t.Fatal("no receipt from the SMPP simulator")
	}
	if err := runSim(context.Background(), []string{"--proto", "smpp34"}); err == nil {
		t.Fatal("smpp sim without --account accepted")
	}
}

// bench --proto runs a protocol's driver against its simulator and prints
// one JSON object per protocol. Only that it ran is checked: performance is
// measured by the bench itself, never asserted by a timed test.
func TestBenchProtoCommand(t *testing.T) {
	for _, proto := range []string{"cmpp3", "sgip"} {
		out, err := captureStdout(t, func() error {
			return runBench(context.Background(), []string{"--proto", proto, "--duration", "1s", "--json"})
		})
		if err != nil {
			t.Fatalf("bench --proto %s: %v", proto, err)
		}
		var res struct {
			Mode, Proto string
			Submits     int64
			Window      int
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("bench --proto %s: output is not one JSON object: %v\n%s", proto, err, out)
		}
		if res.Mode != "proto" || res.Proto != proto || res.Window != 16 || res.Submits <= 0 {
			t.Fatalf("bench --proto %s: %+v\n%s", proto, res, out)
		}
	}
	for _, args := range [][]string{{"--proto", "x25"}, {"--latency", "20ms"}, {"--proto", "cmpp3", "--mode", "batch"}, {"--proto", "cmpp3", "--window", "0"}} {
		if err := runBench(context.Background(), args); err == nil {
			t.Errorf("bench %v accepted", args)
		}
	}
}

// The CNGP simulator answers a CNGP client: login, submit, a status
// report whose Id is the Submit_Resp's MsgID; cngp1 is a 1.0-only SMGW.
func TestSimCommandCNGP(t *testing.T) {
	addr := freeAddr(t)
	runCmd(t, runSim, "--proto", "cngp2", "--listen", addr, "--account", "1234567890", "--secret", "pw", "--report-delay", "10ms", "--log", "error")
	reports := make(chan *cngp.Report, 1)
	cl := cngp.NewClient(cngp.ClientConfig{Name: "t", Addr: addr, ClientID: "1234567890", Secret: "pw"},
		func(_ context.Context, d *cngp.Deliver) uint32 {
			if d.Report != nil {
				reports <- d.Report
			}
			return cngp.StatusOK
		})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl.Start(ctx)
	defer cl.Close(context.Background())
	if err := cl.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Submit(ctx, &cngp.Submit{SubType: cngp.SubTypeOnDemand, NeedReport: 1, DestTermID: []string{"13312345678"},
		MsgContent: []byte("hi"), SrcTermID: "10658000"})
	if err != nil || resp.Status != cngp.StatusOK || resp.MsgID.IsZero() {
		t.Fatalf("submit: %+v %v", resp, err)
	}
	select {
	case r := <-reports:
		if r.MsgID != resp.MsgID || r.Stat != "DELIVRD" {
			t.Fatalf("report %+v for msg %s", r, resp.MsgID)
		}
	case <-ctx.Done():
		t.Fatal("no status report from the CNGP simulator")
	}

	addr1 := freeAddr(t)
	runCmd(t, runSim, "--proto", "cngp1", "--listen", addr1, "--account", "1234567890", "--secret", "pw", "--log", "error")
	for _, tc := range []struct {
		v  cngp.Version
		ok bool
	}{{cngp.V10, true}, {cngp.V20, false}} { // the first also waits for the simulator to listen
		c := cngp.NewClient(cngp.ClientConfig{Name: "t1", Addr: addr1, ClientID: "1234567890", Secret: "pw", Version: tc.v,
			BackoffMin: 20 * time.Millisecond, BackoffMax: 50 * time.Millisecond}, nil)
		wait := 2 * time.Second
		if !tc.ok {
			wait = 500 * time.Millisecond // long enough for several refused logins
		}
		wctx, wcancel := context.WithTimeout(context.Background(), wait)
		c.Start(wctx)
		err := c.WaitReady(wctx)
		last := c.Stats().LastError
		_ = c.Close(context.Background())
		wcancel()
		if tc.ok != (err == nil) || (!tc.ok && !strings.Contains(last, "status 22")) {
			t.Fatalf("version %s at cngp1: %v (%s)", tc.v, err, last)
		}
	}
	if err := runSim(context.Background(), []string{"--proto", "cngp2"}); err == nil {
		t.Fatal("cngp sim without --account accepted")
	}
}
