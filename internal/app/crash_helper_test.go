package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash test runs the platform in a child process so that it can really
// be killed with SIGKILL: the test binary re-executes itself with
// crashChildEnv naming a YAML config, and TestCrashChild then runs the
// platform from it exactly as `hongyan serve -c FILE` does, until it is
// killed or interrupted.
const (
	crashChildEnv    = "HONGYAN_CRASH_CHILD"      // path of the child's hongyan.yaml
	crashChildAddrEv = "HONGYAN_CRASH_CHILD_ADDR" // file the child writes its HTTP address to
)

// TestCrashChild is not a test of its own: it is the platform process that
// TestCrashKillRestart starts, kills and restarts. Without crashChildEnv it
// skips.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("helper process of TestCrashKillRestart (runs only when started by it)")
	}
	if err := runCrashChild(path, os.Getenv(crashChildAddrEv)); err != nil {
		fmt.Fprintf(os.Stderr, "crash child: %v\n", err)
		os.Exit(1)
	}
}

// runCrashChild mirrors cmd/hongyan serve: LoadConfig → Build → Start, then
// block until a signal, then Stop. It also writes the HTTP address (the
// config listens on port 0) for the parent, and exits if the parent dies so
// an aborted test leaves no process behind.
func runCrashChild(cfgPath, addrFile string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		return err
	}
	lv := slog.LevelInfo
	_ = lv.UnmarshalText([]byte(cfg.Log.Level))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv}))
	parent := os.Getppid()
	go func() {
		for {
			time.Sleep(300 * time.Millisecond)
			if os.Getppid() != parent {
				os.Exit(3) // orphaned: the test that started us is gone
			}
		}
	}()
	p, err := Build(ctx, cfg, Options{Logger: log})
	if err != nil {
		return err
	}
	if err := p.Start(ctx); err != nil {
		return err
	}
	log.Info("crash child serving", "http", p.Addr(), "pid", os.Getpid())
	if addrFile != "" {
		tmp := addrFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(p.Addr()), 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, addrFile); err != nil {
			return err
		}
	}
	<-ctx.Done()
	log.Info("crash child stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return p.Stop(sctx)
}

// crashChild is one run of the platform process.
type crashChild struct {
	n       int
	cmd     *exec.Cmd
	addr    string
	logPath string
	done    chan struct{} // closed when the process has exited
	err     error         // its Wait result, valid after done
}

// startCrashChild starts the platform process on cfgPath and waits until its
// HTTP interface answers and its gateway is logged in.
func startCrashChild(ctx context.Context, t *testing.T, dir, cfgPath string, n int) *crashChild {
	t.Helper()
	addrFile := filepath.Join(dir, fmt.Sprintf("child-%d.addr", n))
	logPath := filepath.Join(dir, fmt.Sprintf("child-%d.log", n))
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+cfgPath, crashChildAddrEv+"="+addrFile)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start platform process: %v", err)
	}
	c := &crashChild{n: n, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		logf.Close()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("platform process %d log (tail):\n%s", c.n, tailFile(c.logPath, 40))
		}
	})
	// The address file appears once Start returned.
	for {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			c.addr = string(b)
			break
		}
		select {
		case <-c.done:
			t.Fatalf("platform process %d exited before serving (%v):\n%s", n, c.err, tailFile(logPath, 40))
		case <-ctx.Done():
			t.Fatalf("platform process %d did not start in time:\n%s", n, tailFile(logPath, 40))
		case <-time.After(20 * time.Millisecond):
		}
	}
	// Healthy: HTTP answers and the gateway is logged in to the simulator.
	cl := &http.Client{Timeout: 2 * time.Second}
	for {
		var h struct {
			Status     string `json:"status"`
			GatewaysUp int    `json:"gateways_up"`
		}
		if resp, err := cl.Get("http://" + c.addr + "/healthz"); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if h.Status == "ok" && h.GatewaysUp >= 1 {
				return c
			}
		}
		select {
		case <-c.done:
			t.Fatalf("platform process %d exited (%v):\n%s", n, c.err, tailFile(logPath, 40))
		case <-ctx.Done():
			t.Fatalf("platform process %d: not healthy in time (gateway not logged in?):\n%s", n, tailFile(logPath, 40))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL (Process.Kill) and waits for the process to be gone.
// It may run on any goroutine.
func (c *crashChild) kill() error {
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill platform process %d: %w", c.n, err)
	}
	select {
	case <-c.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("platform process %d still running 10s after SIGKILL", c.n)
	}
}

// stop asks the process to shut down cleanly (SIGINT; where signals are not
// supported it is killed instead, which SQLite's WAL survives just as well)
// and waits for it.
func (c *crashChild) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		if err := c.kill(); err != nil {
			t.Error(err)
		}
		return
	}
	select {
	case <-c.done:
		if c.err != nil {
			t.Errorf("platform process %d: clean stop ended with %v:\n%s", c.n, c.err, tailFile(c.logPath, 40))
		}
	case <-time.After(25 * time.Second):
		t.Errorf("platform process %d did not stop within 25s of SIGINT; killing it", c.n)
		if err := c.kill(); err != nil {
			t.Error(err)
		}
	}
}

func tailFile(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	l := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// sendAnswer is POST /api/v1/messages's answer.
type sendAnswer struct {
	BatchID  string `json:"batch_id"`
	Messages []struct {
		ID string `json:"id"`
		To string `json:"to"`
	} `json:"messages"`
	Duplicate bool `json:"duplicate"`
}

// postMessages sends one request; err is a transport failure (the server
// died or is not listening), otherwise status and the decoded answer.
func postMessages(ctx context.Context, cl *http.Client, addr, key string, body []byte) (int, *sendAnswer, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/v1/messages", bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := cl.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, err // cut off mid-answer: as good as no answer
	}
	var a sendAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return resp.StatusCode, nil, raw, nil
	}
	return resp.StatusCode, &a, raw, nil
}

// batchDone asks GET /api/v1/batches/{id} how many of its messages are final.
func batchDone(ctx context.Context, cl *http.Client, addr, key, id string) (done, total int, counts map[string]int, err error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/api/v1/batches/"+id, nil)
	if err != nil {
		return 0, 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := cl.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	var b struct {
		Total  int            `json:"total"`
		Done   int            `json:"done"`
		Counts map[string]int `json:"counts"`
	}
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		return 0, 0, nil, fmt.Errorf("GET batch %s: HTTP %d %s", id, resp.StatusCode, raw)
	}
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		return 0, 0, nil, err
	}
	return b.Done, b.Total, b.Counts, nil
}
