package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/sim"
	"hongyan/internal/sms"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
)

// A platform killed (SIGKILL) with a request held for review and numbers
// at their frequency limit: after the restart the held messages are still
// held and unsent, the limit still counts, and an approval sends them.
func TestCrashWhileHeld(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a platform process; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	dir := t.TempDir()

	const spID = "901234"
	simSecret := core.NewSecret("", 9)
	s := sim.NewCMPP(sim.CMPPConfig{Config: sim.Config{ReportDelay: 20 * time.Millisecond},
		Accounts: map[string]string{spID: simSecret}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	var mu sync.Mutex
	subs := map[string]int{}
	s.OnSubmit(func(dest string, _ []byte) {
		if n, err := sms.NormalizeNumber(dest); err == nil {
			dest = n
		}
		mu.Lock()
		subs[dest]++
		mu.Unlock()
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	submits := func(n string) int { mu.Lock(); defer mu.Unlock(); return subs[n] }

	apiKey, adminToken := core.NewSecret("hy_", 24), core.NewSecret("hya_", 24)
	keySum := sha256.Sum256([]byte(apiKey))
	dbPath := filepath.Join(dir, "hongyan.db")
	cfgPath := filepath.Join(dir, "hongyan.yaml")
	yaml := fmt.Sprintf(`node_id: 1
database: "sqlite:%s"
sqlite_sync: full
http:
  listen: "127.0.0.1:0"
log:
  level: warn
messages:
  default_business: notice
gateways:
  - {name: cmcc-sim, operator: cmcc, protocol: cmpp3, addr: "%s", account: "%s", secret: "%s", service_id: HYCRASH, src_id: "10658001"}
business_types:
  - {code: notice, name: 通知, priority: 1}
  - {code: promo, name: 营销, priority: 2, freq_limit: 2, freq_window: 1h}
accounts:
  - {name: crash, service_code: "10658001", api_key_sha256: "%s", balance_yuan: 1000}
`, filepath.ToSlash(dbPath), s.Addr(), spID, simSecret, hex.EncodeToString(keySum[:]))
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	// The review word and an administrator, in the database before the first start.
	st, err := sqlstore.Open(ctx, "sqlite:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "root", Role: store.RolePlatformAdmin, CreatedAt: time.Now()}
	sum := sha256.Sum256([]byte(adminToken))
	for _, err := range []error{
		st.AddFilterWord(ctx, &store.FilterWord{Word: "中奖", Action: "review"}),
		st.CreateUser(ctx, u),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateUserToken(ctx, &store.UserToken{Hash: sum[:], Prefix: adminToken[:8], UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	cl := &http.Client{Timeout: 10 * time.Second}
	do := func(addr, method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, "http://"+addr+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	c1 := startCrashChild(ctx, t, dir, cfgPath, 1)
	code, held := do(c1.addr, "POST", "/api/v1/messages", apiKey, `{"to":["13800138000","13800138001"],"content":"恭喜中奖"}`)
	if code != http.StatusAccepted {
		t.Fatalf("held send: %d %v", code, held)
	}
	for range 2 {
		if code, m := do(c1.addr, "POST", "/api/v1/messages", apiKey, `{"to":["13900139000"],"content":"促销","business":"promo"}`); code != http.StatusCreated {
			t.Fatalf("promo send: %d %v", code, m)
		}
	}
	if err := c1.kill(); err != nil {
		t.Fatal(err)
	}

	c2 := startCrashChild(ctx, t, dir, cfgPath, 2)
	time.Sleep(500 * time.Millisecond) // recovery has run; anything it sent would be on its way
	batch := held["batch_id"].(string)
	for _, x := range held["messages"].([]any) {
		id := x.(map[string]any)["id"].(string)
		if _, m := do(c2.addr, "GET", "/api/v1/messages/"+id, apiKey, ""); m["state"] != "held" {
			t.Fatalf("after the kill, held message %s is %v", id, m["state"])
		}
	}
	if n := submits("13800138000") + submits("13800138001"); n != 0 {
		t.Fatalf("held messages reached the operator %d time(s)", n)
	}
	if code, m := do(c2.addr, "POST", "/api/v1/messages", apiKey, `{"to":["13900139000"],"content":"促销","business":"promo"}`); code != http.StatusTooManyRequests {
		t.Fatalf("the third promo within the hour after the kill: %d %v", code, m)
	}
	if code, m := do(c2.addr, "POST", "/api/v1/admin/review/"+batch+"/approve", adminToken, ""); code != http.StatusOK {
		t.Fatalf("approve after the kill: %d %v", code, m)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, b := do(c2.addr, "GET", "/api/v1/batches/"+batch, apiKey, "")
		if c, _ := b["counts"].(map[string]any); c["delivered"] == float64(2) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("approved messages not delivered: %v", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if submits("13800138000") != 1 || submits("13800138001") != 1 {
		t.Fatalf("approved messages reached the operator %d and %d times", submits("13800138000"), submits("13800138001"))
	}
	c2.stop(t)
}
