package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// pushSink is a business system's receive URL that records what it gets.
type pushSink struct {
	srv *httptest.Server
	got chan map[string]any
}

func newPushSink(t *testing.T, secret func() string) *pushSink {
	t.Helper()
	p := &pushSink{got: make(chan map[string]any, 16)}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("X-Hongyan-Timestamp"), 10, 64)
		if r.Header.Get("X-Hongyan-Signature") != "sha256="+core.Sign(secret(), ts, b) {
			t.Errorf("push to %s: signature does not verify", r.URL)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("push body %s: %v", b, err)
		}
		p.got <- m
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushSink) next(t *testing.T, what string) map[string]any {
	t.Helper()
	select {
	case m := <-p.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("no push for %s", what)
		return nil
	}
}

func (p *pushSink) none(t *testing.T, what string) {
	t.Helper()
	select {
	case m := <-p.got:
		t.Fatalf("%s: unexpected push %v", what, m)
	case <-time.After(300 * time.Millisecond):
	}
}

// Replies reach the business they belong to: by the service code
// (extension) they were sent to and the keyword they start with, each at
// its own receive URL, signed, and in the inbox with the business named.
func TestMORoutedByServiceCodeAndKeyword(t *testing.T) {
	var sb *Sandbox
	secret := func() string { return sb.Account.Secret }
	account, query, survey := newPushSink(t, secret), newPushSink(t, secret), newPushSink(t, secret)
	sb = testSandbox(t, SandboxOptions{CallbackURL: account.srv.URL})
	admin := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, method, path, body, sb.AdminToken)
	}
	st, qr := admin("POST", "/api/v1/admin/mo-routes",
		`{"service_code":"10658000","keyword":"cx","account":"`+SandboxAccount+`","business":"notice","url":"`+query.srv.URL+`"}`)
	if st != http.StatusCreated || qr["keyword"] != "CX" {
		t.Fatalf("add keyword route: %d %v", st, qr)
	}
	if st, m := admin("POST", "/api/v1/admin/mo-routes",
		`{"service_code":"1065800088","account_id":"`+strconv.FormatInt(sb.Account.ID, 10)+`","business":"marketing","url":"`+survey.srv.URL+`"}`); st != http.StatusCreated {
		t.Fatalf("add extension route: %d %v", st, m)
	}
	// Mistakes are refused and change nothing.
	for body, code := range map[string]string{
		`{"service_code":"1065x","account":"` + SandboxAccount + `"}`:                      "invalid_route",
		`{"service_code":"10658000","account":"nobody"}`:                                   "invalid_route",
		`{"service_code":"10658000","account":"` + SandboxAccount + `","business":"nope"}`: "unknown_business",
		`{"service_code":"10658000","account":"` + SandboxAccount + `","url":"ftp://x"}`:   "invalid_route",
		`{"service_code":"10658000","keyword":"ＣＸ","account":"` + SandboxAccount + `"}`:    "duplicate",
		`{"service_code":`: "invalid_json",
	} {
		st, m := admin("POST", "/api/v1/admin/mo-routes", body)
		e, _ := m["error"].(map[string]any)
		if st < 400 || st >= 500 || e["code"] != code {
			t.Errorf("POST %s: %d %v, want error %s", body, st, m, code)
		}
	}
	if st, m := call(t, sb, "GET", "/api/v1/admin/mo-routes", "", sb.APIKey); st != http.StatusUnauthorized {
		t.Fatalf("an API key listed MO routes: %d %v", st, m)
	}
	_, list := admin("GET", "/api/v1/admin/mo-routes", "")
	if l, _ := list["mo_routes"].([]any); len(l) != 2 {
		t.Fatalf("routes = %v", list)
	}

	ctx := context.Background()
	mo := func(to, text string) {
		t.Helper()
		if err := sb.SendMO(ctx, "13800138000", to, text); err != nil {
			t.Fatal(err)
		}
	}
	mo("10658000", "ＣＸ 1234") // keyword route, full-width as phones send it
	if m := query.next(t, "CX reply"); m["keyword"] != "CX" || m["business"] != "notice" || m["content"] != "ＣＸ 1234" {
		t.Fatalf("query push %v", m)
	}
	mo("1065800088", "CX 满意") // the extension's own route beats the parent's keyword
	if m := survey.next(t, "survey reply"); m["business"] != "marketing" || m["to"] != "1065800088" {
		t.Fatalf("survey push %v", m)
	}
	mo("10658000", "好的") // no keyword route: the account's own receive URL
	if m := account.next(t, "plain reply"); m["content"] != "好的" || m["business"] != "" {
		t.Fatalf("account push %v", m)
	}
	query.none(t, "after plain reply")
	survey.none(t, "after plain reply")

	_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
	l, _ := inbox["mo"].([]any)
	if len(l) != 3 || l[0].(map[string]any)["business"] != "notice" || l[1].(map[string]any)["business"] != "marketing" {
		t.Fatalf("inbox = %v", inbox)
	}

	// Deleting the keyword route sends its replies to the catch-all again.
	id := qr["id"].(string)
	req, _ := http.NewRequest("DELETE", "http://"+sb.Addr()+"/api/v1/admin/mo-routes/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+sb.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete route: %v %v", resp, err)
	}
	resp.Body.Close()
	if st, _ := admin("DELETE", "/api/v1/admin/mo-routes/"+id, ""); st != http.StatusNotFound {
		t.Fatalf("deleting it again: %d, want 404", st)
	}
	mo("10658000", "CX 5678")
	if m := account.next(t, "CX after delete"); m["content"] != "CX 5678" {
		t.Fatalf("account push %v", m)
	}
	query.none(t, "after delete")
}

// A second sending account with its own extension under the demo's number.
func extensionAccount(t *testing.T, sb *Sandbox, name, code string) (*store.Account, string) {
	t.Helper()
	ctx := context.Background()
	a := &store.Account{Name: name, ServiceCode: code, Balance: 1_000_000}
	if err := sb.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	key := core.NewSecret("hy_", 24)
	if err := sb.Store.CreateAPIKey(ctx, &store.APIKey{Hash: core.HashKey(key), Prefix: key[:8], AccountID: a.ID}); err != nil {
		t.Fatal(err)
	}
	// Like the demo's account, it may use every business type (grants: docs/api.md).
	if err := sb.Store.SetGrants(ctx, store.GrantAccount, a.ID, []string{store.GrantAll}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	return a, key
}

// Two-way conversations: a reply whose extension the operator dropped goes
// back to whoever last wrote to that user from an extension of that
// number; a reply from someone nobody wrote to stays with the number's owner.
func TestReplyRoutedToLastContact(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	_, keyB := extensionAccount(t, sb, "county-office", "1065800012")
	st, m := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"请回复确认","business":"notice"}`, keyB)
	if st != http.StatusCreated {
		t.Fatalf("send from the extension account: %d %v", st, m)
	}
	id := firstID(t, m)
	waitFor(t, 15*time.Second, "delivered", func() bool {
		_, got := call(t, sb, "GET", "/api/v1/messages/"+id, "", keyB)
		return got["state"] == "delivered"
	})
	ctx := context.Background()
	if err := sb.SendMO(ctx, "13800138000", "10658000", "确认"); err != nil { // extension lost on the way back
		t.Fatal(err)
	}
	if err := sb.SendMO(ctx, "13900139000", "10658000", "你好"); err != nil { // nobody wrote to them
		t.Fatal(err)
	}
	inbox := func(key string) []any {
		_, l := call(t, sb, "GET", "/api/v1/mo", "", key)
		return l["mo"].([]any)
	}
	waitFor(t, 5*time.Second, "both replies stored", func() bool { return len(inbox(keyB))+len(inbox(sb.APIKey)) == 2 })
	b, own := inbox(keyB), inbox(sb.APIKey)
	if len(b) != 1 || b[0].(map[string]any)["content"] != "确认" || b[0].(map[string]any)["business"] != "notice" {
		t.Fatalf("extension account's inbox %v", b)
	}
	if len(own) != 1 || own[0].(map[string]any)["from"] != "13900139000" {
		t.Fatalf("number owner's inbox %v", own)
	}
	// A reply that keeps its extension is routed by it, whatever the last contact.
	if err := sb.SendMO(ctx, "13800138000", "1065800012", "再次确认"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "third reply", func() bool { return len(inbox(keyB)) == 2 })
}
