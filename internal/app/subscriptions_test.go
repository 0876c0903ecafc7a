package app

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Subscriptions (M8) end to end through the simulators' MO path: a user's
// DG + code subscribes, the provider pushes with its API key and pays the
// monthly fee once per subscriber and month, TD + code unsubscribes, and
// administrators see and change subscriptions (audited).
func TestSubscriptionsEndToEnd(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	ctx := context.Background()
	admin := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, method, path, body, sb.AdminToken)
	}
	partner := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, method, path, body, sb.APIKey)
	}
	balance := func() int64 {
		t.Helper()
		_, a := partner("GET", "/api/v1/account", "")
		n, _ := a["balance_li"].(float64)
		return int64(n)
	}
	if st, m := admin("POST", "/api/v1/admin/business-types",
		`{"code":"news","name":"新闻早报","priority":2,"charge_mode":"monthly","monthly_fee":3,"charge_on":"submitted"}`); st != http.StatusCreated {
		t.Fatalf("business type: %d %v", st, m)
	}
	// Mistakes change nothing.
	for body, code := range map[string]string{
		`{"code":"10 01","account":"` + SandboxAccount + `"}`: "invalid_subscription_service",
		`{"code":"1001"}`:                    "invalid_subscription_service",
		`{"code":"1001","account":"nobody"}`: "invalid_subscription_service",
		`{"code":"1001","acount":"x"}`:       "invalid_json",
	} {
		st, m := admin("PUT", "/api/v1/admin/subscriptions/services/news", body)
		if e, _ := m["error"].(map[string]any); st != http.StatusBadRequest || e["code"] != code {
			t.Errorf("PUT service %s: %d %v, want %s", body, st, m, code)
		}
	}
	if st, _ := admin("PUT", "/api/v1/admin/subscriptions/services/nothing", `{"code":"1001","account":"`+SandboxAccount+`"}`); st != http.StatusNotFound {
		t.Fatalf("a service of a missing type: %d", st)
	}
	st, svc := admin("PUT", "/api/v1/admin/subscriptions/services/news", `{"code":"1001","account":"`+SandboxAccount+`"}`)
	if st != http.StatusOK || svc["code"] != "1001" || svc["account"] != SandboxAccount {
		t.Fatalf("put service: %d %v", st, svc)
	}

	before := balance()
	const u1, u2, u3 = "13800138000", "13800138001", "13800138002"
	mo := func(from, text string) {
		t.Helper()
		if err := sb.SendMO(ctx, from, SandboxServiceCode, text); err != nil {
			t.Fatal(err)
		}
	}
	subs := func(q string) []any {
		t.Helper()
		st, m := admin("GET", "/api/v1/admin/subscriptions?"+q, "")
		if st != http.StatusOK {
			t.Fatalf("list %s: %d %v", q, st, m)
		}
		l, _ := m["subscriptions"].([]any)
		return l
	}
	mo(u1, "DG1001")
	mo(u2, "ｄｇ　1001")
	waitFor(t, 10*time.Second, "two subscribers", func() bool { return len(subs("business=news&state=active")) == 2 })
	// Each got a free confirmation from the provider's number.
	waitFor(t, 10*time.Second, "confirmation", func() bool {
		_, m := partner("GET", "/api/v1/messages?to="+u1, "")
		l, _ := m["messages"].([]any)
		return len(l) == 1 && strings.Contains(l[0].(map[string]any)["content"].(string), "您已成功订购新闻早报（资费3元/月）")
	})
	if b := balance(); b != before {
		t.Fatalf("confirmations cost %d li", before-b)
	}

	// The provider pushes: each subscriber's first message of the month
	// carries the monthly fee (charged on submission).
	if st, m := partner("POST", "/api/v1/subscriptions/news/push", `{"content":""}`); st != http.StatusBadRequest {
		t.Fatalf("empty push: %d %v", st, m)
	}
	if st, m := partner("POST", "/api/v1/subscriptions/notice/push", `{"content":"x"}`); st != http.StatusNotFound {
		t.Fatalf("push to a type that is no service: %d %v", st, m)
	}
	if b := balance(); b != before {
		t.Fatal("refused pushes cost money")
	}
	st, p := partner("POST", "/api/v1/subscriptions/news/push", `{"content":"今日新闻：鸿雁上线"}`)
	if st != http.StatusCreated || p["accepted"] != float64(2) || len(p["batch_ids"].([]any)) != 1 {
		t.Fatalf("push: %d %v", st, p)
	}
	waitFor(t, 15*time.Second, "monthly fees charged", func() bool { return balance() == before-6000 })
	st, p = partner("POST", "/api/v1/subscriptions/news/push", `{"content":"午间新闻"}`)
	if st != http.StatusCreated || p["accepted"] != float64(2) {
		t.Fatalf("second push: %d %v", st, p)
	}
	l := subs("business=news&number=" + u1)
	if len(l) != 1 || l[0].(map[string]any)["month_charged"] != 3.0 || l[0].(map[string]any)["monthly_fee_charged"] != true {
		t.Fatalf("u1's month: %v", l)
	}

	// A direct send of the service's type to a non-subscriber is refused at accept.
	st, m := partner("POST", "/api/v1/messages", `{"to":["`+u3+`"],"content":"x","business":"news"}`)
	if st != http.StatusCreated || m["messages"].([]any)[0].(map[string]any)["state"] != "blacklisted" {
		t.Fatalf("send to a non-subscriber: %d %v", st, m)
	}

	// TD1001: cancelled, not blacklisted; the next push skips the number.
	mo(u1, "TD1001")
	waitFor(t, 10*time.Second, "unsubscribed", func() bool { return len(subs("business=news&state=cancelled")) == 1 })
	if sb.Core.Blocked(u1, "news") {
		t.Fatal("TD + code blacklisted the number")
	}
	time.Sleep(200 * time.Millisecond) // the second push's fees settle (nothing more to charge)
	mid := balance()
	st, p = partner("POST", "/api/v1/subscriptions/news/push", `{"content":"晚间新闻"}`)
	if st != http.StatusCreated || p["accepted"] != float64(1) {
		t.Fatalf("push after TD: %d %v", st, p)
	}
	time.Sleep(300 * time.Millisecond)
	if b := balance(); b != mid || mid != before-6000 {
		t.Fatalf("balance %d then %d, want %d: a monthly fee charged twice", mid, b, before-6000)
	}

	// Administrators: services with counts, manual subscribe and unsubscribe, audited.
	_, sv := admin("GET", "/api/v1/admin/subscriptions/services", "")
	if l, _ := sv["services"].([]any); len(l) != 1 || l[0].(map[string]any)["active"] != 1.0 || l[0].(map[string]any)["cancelled"] != 1.0 {
		t.Fatalf("services %v", sv)
	}
	if st, m := admin("POST", "/api/v1/admin/subscriptions", `{"business":"news","number":"1380013"}`); st != http.StatusBadRequest {
		t.Fatalf("a bad number: %d %v", st, m)
	}
	if st, m := admin("POST", "/api/v1/admin/subscriptions", `{"business":"news","number":"`+u3+`"}`); st != http.StatusCreated || m["state"] != "active" || m["source"] != "admin" {
		t.Fatalf("manual subscribe: %d %v", st, m)
	}
	if st, m := admin("POST", "/api/v1/admin/subscriptions", `{"business":"news","number":"`+u3+`"}`); st != http.StatusOK || m["changed"] != false {
		t.Fatalf("again: %d %v", st, m)
	}
	if st, m := admin("DELETE", "/api/v1/admin/subscriptions/news/"+u3, ""); st != http.StatusOK || m["state"] != "cancelled" {
		t.Fatalf("manual unsubscribe: %d %v", st, m)
	}
	if st, _ := admin("DELETE", "/api/v1/admin/subscriptions/news/13900139000", ""); st != http.StatusNotFound {
		t.Fatalf("unsubscribing a stranger: %d", st)
	}
	_, au := admin("GET", "/api/v1/admin/audit?object=subscription", "")
	if l, _ := au["audit"].([]any); len(l) != 2 {
		b, _ := json.Marshal(au)
		t.Fatalf("audit: %s", b)
	}
	if st, _ := admin("DELETE", "/api/v1/admin/subscriptions/services/news", ""); st != http.StatusConflict {
		t.Fatalf("deleting a service with subscribers: %d", st)
	}
	// The partner sees its services and subscribers; not the admin API.
	if st, m := partner("GET", "/api/v1/subscriptions", ""); st != http.StatusOK || len(m["services"].([]any)) != 1 {
		t.Fatalf("own services: %d %v", st, m)
	}
	if st, m := partner("GET", "/api/v1/subscriptions/news/subscribers?state=active", ""); st != http.StatusOK || len(m["subscriptions"].([]any)) != 1 {
		t.Fatalf("own subscribers: %d %v", st, m)
	}
	if st, _ := partner("GET", "/api/v1/admin/subscriptions", ""); st != http.StatusUnauthorized {
		t.Fatalf("an API key on the admin API: %d", st)
	}
	// An administrator pushes as the provider.
	if st, p := admin("POST", "/api/v1/admin/subscriptions/news/push", `{"content":"通知"}`); st != http.StatusCreated || p["accepted"] != 1.0 {
		t.Fatalf("admin push: %d %v", st, p)
	}
}

// Subscriptions are scoped by the provider's account: an organisation's
// administrator sees and changes the subscriptions of its own accounts'
// services only; a partner user reads its own.
func TestSubscriptionsScoped(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	admin := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, method, path, body, sb.AdminToken)
	}
	for _, bt := range []string{"news", "weather"} {
		if st, m := admin("POST", "/api/v1/admin/business-types", `{"code":"`+bt+`","charge_mode":"free"}`); st != http.StatusCreated {
			t.Fatalf("business type %s: %d %v", bt, st, m)
		}
	}
	if st, m := admin("PUT", "/api/v1/admin/subscriptions/services/news", `{"code":"1001","account":"`+SandboxAccount+`"}`); st != http.StatusOK {
		t.Fatalf("news: %d %v", st, m)
	}
	if st, m := admin("PUT", "/api/v1/admin/subscriptions/services/weather", `{"code":"1002","account":"`+DemoPartner+`"}`); st != http.StatusOK {
		t.Fatalf("weather: %d %v", st, m)
	}
	if st, m := admin("PUT", "/api/v1/admin/subscriptions/services/weather", `{"code":"1001","account":"`+DemoPartner+`"}`); st != http.StatusConflict {
		t.Fatalf("a taken code: %d %v", st, m)
	}
	for _, x := range []string{`{"business":"news","number":"13800138000"}`, `{"business":"weather","number":"13800138001"}`} {
		if st, m := admin("POST", "/api/v1/admin/subscriptions", x); st != http.StatusCreated {
			t.Fatalf("subscribe %s: %d %v", x, st, m)
		}
	}
	city := tok["gz-admin"]
	_, m := call(t, sb, "GET", "/api/v1/admin/subscriptions", "", city)
	if l := list(m, "subscriptions"); len(l) != 1 || l[0]["business"] != "weather" {
		t.Fatalf("the city sees %v", m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/subscriptions/services", "", city)
	if l := list(m, "services"); len(l) != 1 || l[0]["business"] != "weather" {
		t.Fatalf("the city's services %v", m)
	}
	want(t, "the city subscribes to the province's service", answer(call(t, sb, "POST", "/api/v1/admin/subscriptions",
		`{"business":"news","number":"13800138002"}`, city)), 404, "not_found")
	want(t, "the city pushes the province's service", answer(call(t, sb, "POST", "/api/v1/admin/subscriptions/news/push",
		`{"content":"x"}`, city)), 404, "not_found")
	if st, m := call(t, sb, "POST", "/api/v1/admin/subscriptions", `{"business":"weather","number":"13800138002"}`, city); st != http.StatusCreated {
		t.Fatalf("the city subscribes to its partner's service: %d %v", st, m)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/subscriptions?business=news", "", tok["partner"])
	if l := list(m, "subscriptions"); len(l) != 0 {
		t.Fatalf("a partner sees another's subscriptions: %v", l)
	}
	_, m = call(t, sb, "GET", "/api/v1/admin/subscriptions", "", tok["partner"])
	if l := list(m, "subscriptions"); len(l) != 2 {
		t.Fatalf("the partner's own: %v", m)
	}
	if xs, err := sb.Store.Subscriptions(context.Background(), store.SubQuery{Business: "news"}); err != nil || len(xs) != 1 {
		t.Fatalf("news subscriptions %v %v", xs, err)
	}
}

// The subscriptions section of docs/config.md's example loads; mistakes
// are refused; configured services are applied at start.
func TestSubscriptionsConfig(t *testing.T) {
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i, j := strings.Index(text, "\nsubscriptions:"), strings.Index(text, "\nsettlement:")
	if i < 0 || j < i {
		t.Fatal("docs/config.md has no subscriptions: example before settlement:")
	}
	c, err := LoadConfig(writeConfig(t, text[i+1:j+1]))
	if err != nil {
		t.Fatalf("the documented example: %v\n%s", err, text[i+1:j+1])
	}
	s := c.Subscriptions
	if len(s.SubscribeWords) != 3 || len(s.Services) != 1 || s.Services[0].Code != "1001" || s.replies().UnknownCode == "" {
		t.Fatalf("parsed %+v", s)
	}
	for name, body := range map[string]string{
		"bad code":     "subscriptions: {services: [{business: a, code: '10 01', account: x}]}\n",
		"no account":   "subscriptions: {services: [{business: a, code: '1001'}]}\n",
		"no business":  "subscriptions: {services: [{code: '1001', account: x}]}\n",
		"code twice":   "subscriptions: {services: [{business: a, code: '1001', account: x}, {business: b, code: '1001', account: x}]}\n",
		"unknown key":  "subscriptions: {replys: {subscribed: x}}\n",
		"unknown key2": "subscriptions: {services: [{business: a, code: '1001', acount: x}]}\n",
	} {
		if _, err := LoadConfig(writeConfig(t, body)); err == nil {
			t.Errorf("%s: config accepted", name)
		}
	}

	sb := testSandbox(t, SandboxOptions{})
	ctx := context.Background()
	sb.Config.Subscriptions.Services = []SubServiceConfig{{Business: "notice", Code: "tz1", Account: SandboxAccount}}
	if err := sb.seedSubscriptions(ctx); err != nil {
		t.Fatal(err)
	}
	svcs, err := sb.Store.SubServices(ctx, false)
	if err != nil || len(svcs) != 1 || svcs[0].Code != "TZ1" || svcs[0].AccountID != sb.Account.ID {
		t.Fatalf("seeded %+v %v", svcs, err)
	}
	sb.Config.Subscriptions.Services[0].Business = "nothing"
	if err := sb.seedSubscriptions(ctx); err == nil {
		t.Fatal("a service of a missing business type was seeded")
	}
}
