package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"hongyan/internal/app"
)

// sendAs posts a send request with the sandbox's API key and returns the
// status and the batch id.
func sendAs(t *testing.T, sb *app.Sandbox, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+sb.Addr()+"/api/v1/messages", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+sb.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		BatchID string `json:"batch_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m.BatchID
}

func TestAdminReviewCommands(t *testing.T) {
	sb := adminSandbox(t)
	out := mustAdmin(t, "keyword", "add", "中奖", "--action", "review")
	if !strings.Contains(out, `forbidden word "中奖" added`) || !strings.Contains(out, "review") {
		t.Fatalf("keyword add printed %q", out)
	}
	if out := mustAdmin(t, "review", "list"); !strings.Contains(out, "no request is waiting") {
		t.Fatalf("empty queue printed %q", out)
	}
	st, batch := sendAs(t, sb, `{"to":["13800138000","13800138001"],"content":"恭喜中奖，请回复领取"}`)
	if st != http.StatusAccepted || batch == "" {
		t.Fatalf("held send: %d %q", st, batch)
	}
	out = mustAdmin(t, "review", "list")
	for _, want := range []string{batch, "demo", "notice", "10658000", "中奖", "恭喜中奖，请回复领取"} {
		if !strings.Contains(out, want) {
			t.Fatalf("review list lacks %q:\n%s", want, out)
		}
	}
	out = mustAdmin(t, "review", "show", batch)
	if !strings.Contains(out, "13800138001") || !strings.Contains(out, "held") || !strings.Contains(out, "waiting for a decision") {
		t.Fatalf("review show printed:\n%s", out)
	}
	out = mustAdmin(t, "review", "approve", batch)
	if !strings.Contains(out, "request "+batch+" approved: 2 message(s) released") {
		t.Fatalf("review approve printed %q", out)
	}
	if _, err := admin(t, "review", "approve", batch); err == nil || !strings.Contains(err.Error(), "already_decided") || !strings.Contains(err.Error(), "409") {
		t.Fatalf("approving twice: %v", err)
	}

	_, b2 := sendAs(t, sb, `{"to":["13800138002"],"content":"中奖了"}`)
	if _, err := admin(t, "review", "reject", b2); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("reject without a reason: %v", err)
	}
	out = mustAdmin(t, "review", "reject", b2, "--reason", "抽奖内容")
	if !strings.Contains(out, "request "+b2+" rejected: 1 message(s) filtered") {
		t.Fatalf("review reject printed %q", out)
	}
	out = mustAdmin(t, "review", "list", "--decided", "--account", app.SandboxAccount)
	if !strings.Contains(out, "rejected") || !strings.Contains(out, "抽奖内容") || !strings.Contains(out, "approved") {
		t.Fatalf("review list --decided:\n%s", out)
	}
	if _, err := admin(t, "review", "frobnicate"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("unknown review verb: %v", err)
	}

	// Frequency limits through the business type's settings.
	out = mustAdmin(t, "business", "update", "marketing", "--freq-limit", "1", "--freq-window", "24h")
	if !strings.Contains(out, "at most 1 per number per 24h") {
		t.Fatalf("business update printed %q", out)
	}
	if st, _ := sendAs(t, sb, `{"to":["13900139000"],"content":"促销","business":"marketing"}`); st != http.StatusCreated {
		t.Fatalf("first marketing message: %d", st)
	}
	if st, _ := sendAs(t, sb, `{"to":["13900139000"],"content":"促销","business":"marketing"}`); st != http.StatusTooManyRequests {
		t.Fatalf("second marketing message within the day: %d", st)
	}
	if out := mustAdmin(t, "business", "update", "marketing", "--freq-limit", "2"); !strings.Contains(out, "at most 2 per number per 24h") {
		t.Fatalf("the window is kept when only the limit changes: %q", out)
	}
	if _, err := admin(t, "business", "update", "marketing", "--freq-window", "0s"); err == nil || !strings.Contains(err.Error(), "freq_window") {
		t.Fatalf("a limit without a window: %v", err)
	}
}
