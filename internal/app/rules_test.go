package app

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// del sends a DELETE and returns its status (a 204 has no JSON to decode).
func del(t *testing.T, sb *Sandbox, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest("DELETE", "http://"+sb.Addr()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// money reads the account's balance and reservations through the API, in li.
func money(t *testing.T, sb *Sandbox) (balance, reserved int64) {
	t.Helper()
	_, a := call(t, sb, "GET", "/api/v1/account", "", sb.APIKey)
	r, ok := a["reserved"].(float64)
	if !ok {
		t.Fatalf("account = %v", a)
	}
	return int64(a["balance_li"].(float64)), int64(math.Round(r * 1000))
}

// The blacklist and forbidden words are enforced at accept, a refusal costs
// nothing and is recorded, and a delivered message is charged its fee.
func TestBlacklistFilterAndBilling(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	admin := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, method, path, body, sb.AdminToken)
	}
	sendRaw := func(body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, "POST", "/api/v1/messages", body, sb.APIKey)
	}
	bal0, res0 := money(t, sb)
	if res0 != 0 {
		t.Fatalf("reserved %d before any message", res0)
	}

	// Blacklist: global for one number, marketing only for another.
	if st, m := admin("POST", "/api/v1/admin/blacklist", `{"numbers":["+86 137-0013-7000"],"reason":"complaint"}`); st != http.StatusCreated || m["added"] != float64(1) {
		t.Fatalf("blacklist add: %d %v", st, m)
	}
	if st, m := admin("POST", "/api/v1/admin/blacklist", `{"number":"13900139000","business":"marketing"}`); st != http.StatusCreated {
		t.Fatalf("blacklist add for marketing: %d %v", st, m)
	}
	for body, code := range map[string]string{
		`{"numbers":["12345"]}`:                         "invalid_number",
		`{"numbers":[]}`:                                "invalid_number",
		`{"number":"13700137000","business":"nothing"}`: "unknown_business",
		`{"numbers":`:                                   "invalid_json",
	} {
		if st, m := admin("POST", "/api/v1/admin/blacklist", body); st != http.StatusBadRequest || errCode(m) != code {
			t.Errorf("blacklist add %s: %d %v, want 400 %s", body, st, m, code)
		}
	}
	if st, m := sendRaw(`{"to":["13700137000"],"content":"通知"}`); st != http.StatusUnprocessableEntity || errCode(m) != "blacklisted" {
		t.Fatalf("send to a blacklisted number: %d %v", st, m)
	}
	if st, m := sendRaw(`{"to":["13900139000"],"content":"促销","business":"marketing"}`); errCode(m) != "blacklisted" {
		t.Fatalf("marketing to a marketing-blacklisted number: %d %v", st, m)
	}
	// A batch keeps its blacklisted numbers as final, unsent, uncharged messages.
	_, batch := sendRaw(`{"to":["13700137000","13900139000","13800138000"],"content":"通知","business":"notice"}`)
	msgs, _ := batch["messages"].([]any)
	if len(msgs) != 3 || msgs[0].(map[string]any)["state"] != "blacklisted" || msgs[1].(map[string]any)["state"] != "accepted" {
		t.Fatalf("batch with a blacklisted number: %v", batch)
	}
	for _, x := range msgs[1:] {
		waitState(t, sb, x.(map[string]any)["id"].(string), "delivered", 15*time.Second)
	}
	_, b := call(t, sb, "GET", "/api/v1/batches/"+batch["batch_id"].(string), "", sb.APIKey)
	if c := b["counts"].(map[string]any); c["blacklisted"] != float64(1) || c["delivered"] != float64(2) {
		t.Fatalf("batch counts %v", c)
	}

	// Forbidden words, evasions included; a listed word is refused at no cost.
	if st, m := admin("POST", "/api/v1/admin/filter-words", `{"word":"违禁词"}`); st != http.StatusCreated || m["action"] != "reject" {
		t.Fatalf("add word: %d %v", st, m)
	}
	for body, code := range map[string]string{
		`{"word":"违禁词"}`:                  "duplicate",
		`{"word":"，。 "}`:                  "invalid_word",
		`{"word":"中奖","action":"delete"}`: "invalid_action",
	} {
		if st, m := admin("POST", "/api/v1/admin/filter-words", body); st < 400 || st >= 500 || errCode(m) != code {
			t.Errorf("add word %s: %d %v, want %s", body, st, m, code)
		}
	}
	balBefore, _ := money(t, sb)
	for _, text := range []string{"含有违禁词", "违 禁 词", "违*禁*词!", "违\u200b禁词"} {
		if st, m := sendRaw(`{"to":["13800138000"],"content":"` + text + `"}`); st != http.StatusUnprocessableEntity || errCode(m) != "content_filtered" {
			t.Errorf("%q: %d %v, want content_filtered", text, st, m)
		}
	}
	if bal, res := money(t, sb); bal != balBefore || res != 0 {
		t.Fatalf("refusals moved money: balance %d → %d, reserved %d", balBefore, bal, res)
	}
	_, rf := admin("GET", "/api/v1/admin/refusals?account_id="+strconv.FormatInt(sb.Account.ID, 10), "")
	kinds := map[string]int{}
	for _, r := range rf["refusals"].([]any) {
		kinds[r.(map[string]any)["kind"].(string)]++
	}
	if kinds["blacklisted"] != 3 || kinds["content_filtered"] != 4 {
		t.Fatalf("refusals recorded: %v", kinds)
	}
	_, words := admin("GET", "/api/v1/admin/filter-words", "")
	wid := words["words"].([]any)[0].(map[string]any)["id"].(string)
	if st := del(t, sb, "/api/v1/admin/filter-words/"+wid, sb.AdminToken); st != http.StatusNoContent {
		t.Fatalf("remove word: %d", st)
	}
	if st, m := sendRaw(`{"to":["13800138000"],"content":"违禁词已解除"}`); st != http.StatusCreated {
		t.Fatalf("after removing the word: %d %v", st, m)
	}

	// Billing: two delivered notices above, 0.05 yuan per segment; a
	// two-segment message costs two segments.
	long := ""
	for range 8 {
		long += "邮政包裹已到达营业网点请携带证件领取"
	}
	id := firstID(t, send(t, sb, `{"to":["13800138001"],"content":"`+long+`"}`))
	waitState(t, sb, id, "delivered", 15*time.Second)
	waitFor(t, 5*time.Second, "nothing reserved", func() bool { _, r := money(t, sb); return r == 0 })
	_, msg := call(t, sb, "GET", "/api/v1/messages/"+id, "", sb.APIKey)
	segs := int64(msg["segments"].(float64))
	if fee := msg["fee"].(float64); int64(math.Round(fee*1000)) != 50*segs || msg["charged"] != msg["fee"] {
		t.Fatalf("long message fee %v charged %v for %d segments", msg["fee"], msg["charged"], segs)
	}
	if segs < 2 {
		t.Fatalf("long text has %d segments", segs)
	}
	bal1, _ := money(t, sb)
	if want := bal0 - 50*(2+1+segs); bal1 != want { // two batch notices, the unfiltered one, the long one
		t.Fatalf("balance %d, want %d (charged %d)", bal1, want, bal0-bal1)
	}
	_, led := call(t, sb, "GET", "/api/v1/account/ledger", "", sb.APIKey)
	var charged float64
	for _, e := range led["ledger"].([]any) {
		if e := e.(map[string]any); e["kind"] == "charge" {
			charged -= e["amount"].(float64)
		}
	}
	if int64(math.Round(charged*1000)) != bal0-bal1 {
		t.Fatalf("ledger charges %.3f yuan, balance fell by %d li", charged, bal0-bal1)
	}

	// Insufficient balance: refused, nothing stored, nothing reserved.
	acct := strconv.FormatInt(sb.Account.ID, 10)
	if st, m := admin("POST", "/api/v1/admin/accounts/"+acct+"/recharge", `{"amount":`+strconv.FormatFloat(-float64(bal1-30)/1000, 'f', 3, 64)+`,"note":"test"}`); st != http.StatusOK {
		t.Fatalf("adjust down: %d %v", st, m)
	}
	if st, m := sendRaw(`{"to":["13800138002"],"content":"余额不足"}`); st != http.StatusPaymentRequired || errCode(m) != "insufficient_balance" {
		t.Fatalf("send without money: %d %v", st, m)
	}
	if _, m := call(t, sb, "GET", "/api/v1/messages?to=13800138002", "", sb.APIKey); len(m["messages"].([]any)) != 0 {
		t.Fatalf("a refused message was stored: %v", m)
	}
	if st, m := admin("POST", "/api/v1/admin/accounts/"+acct+"/recharge", `{"amount":100}`); st != http.StatusOK || m["balance"] != 100.03 {
		t.Fatalf("recharge: %d %v", st, m)
	}
	if st, _ := sendRaw(`{"to":["13800138002"],"content":"已充值"}`); st != http.StatusCreated {
		t.Fatalf("send after recharge: %d", st)
	}
	for path, want := range map[string]int{
		"/api/v1/admin/accounts/999999/recharge":        http.StatusNotFound,
		"/api/v1/admin/accounts/" + acct + "/recharge?": http.StatusBadRequest,
	} {
		body := `{"amount":1}`
		if want == http.StatusBadRequest {
			body = `{"note":"no amount"}`
		}
		if st, m := admin("POST", path, body); st != want {
			t.Errorf("POST %s %s: %d %v, want %d", path, body, st, m, want)
		}
	}
}

// A user's TD reply puts them on the blacklist of the business type that
// wrote to them from that number, and they are told so, free of charge.
func TestUnsubscribeByReply(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	ctx := context.Background()
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"双十一优惠","business":"marketing","ext":"66"}`))
	waitState(t, sb, id, "delivered", 15*time.Second)
	bal0, _ := money(t, sb)
	if err := sb.SendMO(ctx, "13800138000", "1065800066", "ｔｄ"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "blacklisted for marketing", func() bool { return sb.Core.Blocked("13800138000", "marketing") })
	if sb.Core.Blocked("13800138000", "notice") {
		t.Fatal("unsubscribing from marketing blocked notices too")
	}
	var confirm map[string]any
	waitFor(t, 10*time.Second, "confirmation delivered", func() bool {
		_, l := call(t, sb, "GET", "/api/v1/messages?to=13800138000", "", sb.APIKey)
		ms := l["messages"].([]any)
		confirm = ms[0].(map[string]any)
		return len(ms) == 2 && confirm["state"] == "delivered"
	})
	if !strings.Contains(confirm["content"].(string), "退订营销推广") || confirm["src"] != "1065800066" || confirm["charged"] != float64(0) {
		t.Fatalf("confirmation %v", confirm)
	}
	if bal, _ := money(t, sb); bal != bal0 {
		t.Fatalf("the confirmation was charged: %d → %d", bal0, bal)
	}
	_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
	if l := inbox["mo"].([]any); len(l) != 1 || l[0].(map[string]any)["business"] != "marketing" || l[0].(map[string]any)["keyword"] != "TD" {
		t.Fatalf("inbox %v", inbox)
	}
	if st, m := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"再次促销","business":"marketing"}`, sb.APIKey); errCode(m) != "blacklisted" {
		t.Fatalf("marketing after TD: %d %v", st, m)
	}
	send(t, sb, `{"to":["13800138000"],"content":"您的包裹已到","business":"notice"}`)
	// A TD to a number that never wrote to the user unsubscribes nothing.
	if err := sb.SendMO(ctx, "13900139000", "10658000", "TD"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "second MO stored", func() bool {
		_, inbox := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
		return len(inbox["mo"].([]any)) == 2
	})
	if sb.Core.Blocked("13900139000", "marketing") || sb.Core.Blocked("13900139000", "notice") {
		t.Fatal("a stranger's TD blacklisted them")
	}
}
