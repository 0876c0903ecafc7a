package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Running the SMS business end to end: business types administered through
// the API, grants, sending hours, disabled types, and the limits of
// partner accounts. Every refusal is checked for its code and message and
// for changing no money and no count.

// callWithHeaders is call that also returns the answer's headers.
func callWithHeaders(t *testing.T, sb *Sandbox, method, path, body, key string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+sb.Addr()+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s answered non-JSON %d: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, resp.Header, m
}

// dailyCount is the account's count of messages today, as its quota counts them.
func dailyCount(t *testing.T, sb *Sandbox, acct int64) int64 {
	t.Helper()
	n, err := sb.Core.DailyCount(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// settled waits until the account's messages are all final (nothing
// reserved), so that no charge lands between two readings of its money.
func settled(t *testing.T, sb *Sandbox, key string) (balance, reserved int64) {
	t.Helper()
	waitFor(t, 15*time.Second, "the account's messages final", func() bool {
		_, a := call(t, sb, "GET", "/api/v1/account", "", key)
		balance, reserved = int64(a["balance_li"].(float64)), int64(math.Round(a["reserved"].(float64)*1000))
		return reserved == 0
	})
	return balance, reserved
}

// unchanged fails unless a refusal left the account's money and count as they were.
func unchanged(t *testing.T, sb *Sandbox, what string, bal, res, count int64) {
	t.Helper()
	if b, r := money(t, sb); b != bal || r != res {
		t.Fatalf("%s moved money: balance %d → %d, reserved %d → %d", what, bal, b, res, r)
	}
	if n := dailyCount(t, sb, sb.Account.ID); n != count {
		t.Fatalf("%s changed the day's count: %d → %d", what, count, n)
	}
}

func refusalKinds(t *testing.T, sb *Sandbox, acct int64) map[string]int {
	t.Helper()
	_, rf := call(t, sb, "GET", "/api/v1/admin/refusals?account_id="+strconv.FormatInt(acct, 10), "", sb.AdminToken)
	kinds := map[string]int{}
	list, _ := rf["refusals"].([]any)
	for _, r := range list {
		kinds[r.(map[string]any)["kind"].(string)]++
	}
	return kinds
}

func TestBusinessTypesThroughTheAPI(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	admin := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, method, path, body, sb.AdminToken)
	}
	// The configured types, with every setting.
	st, list := admin("GET", "/api/v1/admin/business-types", "")
	types, _ := list["business_types"].([]any)
	if st != http.StatusOK || len(types) != 3 || list["time_zone"] != "Asia/Shanghai" {
		t.Fatalf("list: %d %v", st, list)
	}
	mk := types[0].(map[string]any)
	if mk["code"] != "marketing" || mk["charge_on"] != "submitted" || mk["charge_mode"] != "per_message" || mk["fee"] != 0.04 ||
		mk["report_required"] != true || mk["at_least_once"] != false || mk["retry_interval"] != "10s" || mk["send_hours"] != "" {
		t.Fatalf("marketing = %v", mk)
	}

	// A new type: survey replies come back to its extension with its keyword.
	st, sv := admin("POST", "/api/v1/admin/business-types", `{"code":"survey","name":"满意度调查","priority":2,"fee":0.03,
		"service_code":"106580009","mo_keywords":["dc","满意"],"validity":"2h","retry_interval":30}`)
	if st != http.StatusCreated || sv["enabled"] != true || sv["max_retries"] != float64(3) || sv["validity"] != "2h0m0s" ||
		sv["retry_interval"] != "30s" || fmt.Sprint(sv["mo_keywords"]) != "[DC 满意]" || sv["report_required"] != true {
		t.Fatalf("create: %d %v", st, sv)
	}
	for body, want := range map[string]string{
		`{"code":"survey"}`:                                            "409 duplicate",
		`{"name":"no code"}`:                                           "400 invalid_business_type",
		`{"code":"x","priority":5}`:                                    "400 invalid_business_type",
		`{"code":"x","charge_mode":"weekly"}`:                          "400 invalid_business_type",
		`{"code":"x","send_hours":"8-21"}`:                             "400 invalid_business_type",
		`{"code":"x","fee":-1}`:                                        "400 invalid_business_type",
		`{"code":"x","report_required":false,"fee":0.1}`:               "400 invalid_business_type",
		`{"code":"x","send_hour":"08:00-21:00"}`:                       "400 invalid_json", // a misspelt key is not ignored
		`{"code":"x","validity":"soon"}`:                               "400 invalid_json",
		`{"code":"x","service_code":"106580009","mo_keywords":["DC"]}`: "409 duplicate", // survey's keyword already
	} {
		if st, m := admin("POST", "/api/v1/admin/business-types", body); fmt.Sprintf("%d %s", st, errCode(m)) != want {
			t.Errorf("create %s: %d %v, want %s", body, st, m, want)
		}
	}
	st, sv = admin("PATCH", "/api/v1/admin/business-types/survey", `{"fee":0.035,"send_hours":"","charge_mode":"free"}`)
	if st != http.StatusOK || sv["fee"] != 0.035 || sv["charge_mode"] != "free" || sv["name"] != "满意度调查" {
		t.Fatalf("patch: %d %v", st, sv)
	}
	if st, m := admin("PATCH", "/api/v1/admin/business-types/nothing", `{"fee":1}`); st != http.StatusNotFound || errCode(m) != "not_found" {
		t.Fatalf("patch a missing type: %d %v", st, m)
	}
	if st, m := admin("PATCH", "/api/v1/admin/business-types/survey", `{"code":"other"}`); st != http.StatusBadRequest {
		t.Fatalf("renaming: %d %v", st, m)
	}
	if st, m := call(t, sb, "POST", "/api/v1/admin/business-types", `{"code":"y"}`, sb.APIKey); st != http.StatusUnauthorized {
		t.Fatalf("an API key on the admin API: %d %v", st, m)
	}
	// The change is audited.
	_, au := admin("GET", "/api/v1/admin/audit?object=business_type:survey", "")
	if es, _ := au["audit"].([]any); len(es) != 2 || !strings.Contains(fmt.Sprint(es[0].(map[string]any)["after"]), "free") {
		t.Fatalf("audit of survey: %v", au)
	}

	// Free: no fee reserved or charged; sent from the type's extension of the account's number.
	bal0, _ := money(t, sb)
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"请回复DC参与调查","business":"survey"}`))
	m := waitState(t, sb, id, "delivered", 15*time.Second)
	if m["src"] != "106580009" || m["fee"] != 0.0 || m["charged"] != 0.0 {
		t.Fatalf("survey message: %v", m)
	}
	waitFor(t, 5*time.Second, "nothing reserved", func() bool { b, r := money(t, sb); return b == bal0 && r == 0 })

	// A reply with the type's keyword is that type's, whatever route took it.
	if err := sb.SendMO(context.Background(), "13800138000", "106580009", "满意，谢谢"); err != nil {
		t.Fatal(err)
	}
	var mo map[string]any
	waitFor(t, 10*time.Second, "the reply in the inbox", func() bool {
		_, in := call(t, sb, "GET", "/api/v1/mo", "", sb.APIKey)
		l, _ := in["mo"].([]any)
		if len(l) > 0 {
			mo = l[len(l)-1].(map[string]any)
		}
		return mo != nil
	})
	if mo["business"] != "survey" || mo["keyword"] != "满意" {
		t.Fatalf("reply: %v", mo)
	}
}

// A unit account may use what its organisation (or one above) is granted
// and what it is granted itself; a partner only what it is granted.
func TestGrantsDecideWhoMaySendWhat(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	ctx := context.Background()
	st := sb.Store
	prov := &store.Org{Level: store.LevelProvince, Code: "T", Name: "测试省"}
	noErr(t, st.CreateOrg(ctx, prov))
	city := &store.Org{ParentID: prov.ID, Level: store.LevelCity, Code: "T-C", Name: "测试市"}
	noErr(t, st.CreateOrg(ctx, city))
	newAccount := func(name, kind string, org int64) (*store.Account, string) {
		a := &store.Account{Name: name, Kind: kind, OrgID: org, Balance: 100_000, ServiceCode: "10658001"}
		noErr(t, st.CreateAccount(ctx, a))
		key := core.NewSecret("hy_", 24)
		noErr(t, st.CreateAPIKey(ctx, &store.APIKey{Hash: core.HashKey(key), Prefix: key[:8], AccountID: a.ID}))
		return a, key
	}
	unit, unitKey := newAccount("city-post", store.KindUnit, city.ID)
	partner, partnerKey := newAccount("courier-co", store.KindPartner, city.ID)
	noErr(t, sb.Core.Reload(ctx))

	sendAs := func(key, business string) (int, map[string]any) {
		t.Helper()
		return call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"通知","business":"`+business+`"}`, key)
	}
	balance := func(key string) int64 {
		t.Helper()
		b, _ := settled(t, sb, key)
		return b
	}
	forbidden := func(key, business, wantInMessage string) {
		t.Helper()
		b0 := balance(key)
		st, m := sendAs(key, business)
		msg, _ := m["error"].(map[string]any)["message"].(string)
		if st != http.StatusForbidden || errCode(m) != "forbidden_business" || !strings.Contains(msg, business) || !strings.Contains(msg, wantInMessage) {
			t.Fatalf("%s without a grant: %d %v", business, st, m)
		}
		if balance(key) != b0 {
			t.Fatalf("a forbidden_business refusal moved money")
		}
	}
	granted := func(key, business string) {
		t.Helper()
		if st, m := sendAs(key, business); st != http.StatusCreated {
			t.Fatalf("%s with a grant: %d %v", business, st, m)
		}
	}
	admin := func(method, path, body string) map[string]any {
		t.Helper()
		st, m := call(t, sb, method, path, body, sb.AdminToken)
		if st != http.StatusOK {
			t.Fatalf("%s %s: %d %v", method, path, st, m)
		}
		return m
	}

	// Nothing granted yet: a new account may send nothing.
	forbidden(unitKey, "notice", "organisation T-C")
	forbidden(partnerKey, "notice", "the account")
	if k := refusalKinds(t, sb, unit.ID); k["forbidden_business"] != 1 {
		t.Fatalf("refusal not recorded: %v", k)
	}
	uid, pid := strconv.FormatInt(unit.ID, 10), strconv.FormatInt(partner.ID, 10)
	cityID, provID := strconv.FormatInt(city.ID, 10), strconv.FormatInt(prov.ID, 10)

	// The province's grant reaches the city's unit, not the partner.
	g := admin("PUT", "/api/v1/admin/grants?org="+provID, `{"business":["notice","notice"]}`)
	if fmt.Sprint(g["business"]) != "[notice]" || fmt.Sprint(g["effective"]) != "[notice]" {
		t.Fatalf("province grants: %v", g)
	}
	granted(unitKey, "notice")
	forbidden(unitKey, "marketing", "organisation T-C")
	forbidden(partnerKey, "notice", "the account")

	// The city adds marketing for itself; the partner gets verify of its own.
	admin("PUT", "/api/v1/admin/grants?org="+cityID, `{"business":["marketing"]}`)
	admin("PUT", "/api/v1/admin/grants?account=courier-co", `{"business":["verify"]}`)
	granted(unitKey, "marketing")
	granted(partnerKey, "verify")
	forbidden(partnerKey, "marketing", "the account")
	g = admin("GET", "/api/v1/admin/grants?account="+uid, "")
	if fmt.Sprint(g["business"]) != "[]" || fmt.Sprint(g["effective"]) != "[marketing notice]" {
		t.Fatalf("unit's grants: %v", g)
	}
	g = admin("GET", "/api/v1/admin/grants?org="+cityID, "")
	if fmt.Sprint(g["business"]) != "[marketing]" || fmt.Sprint(g["effective"]) != "[marketing notice]" {
		t.Fatalf("city's grants: %v", g)
	}
	g = admin("PUT", "/api/v1/admin/grants?account="+pid, `{"business":["*"]}`)
	if fmt.Sprint(g["effective"]) != "[*]" {
		t.Fatalf("partner every type: %v", g)
	}
	granted(partnerKey, "marketing")
	admin("PUT", "/api/v1/admin/grants?account="+pid, `{"business":[]}`)
	forbidden(partnerKey, "verify", "the account")
	all := admin("GET", "/api/v1/admin/grants", "")
	if l, _ := all["grants"].([]any); len(l) < 3 { // the sandbox account's "*", the province's, the city's
		t.Fatalf("every grant: %v", all)
	}
	// The account's own view.
	_, own := call(t, sb, "GET", "/api/v1/account/limits", "", unitKey)
	if fmt.Sprint(own["business"]) != "[marketing notice]" {
		t.Fatalf("own view: %v", own)
	}

	for q, want := range map[string]string{
		"?org=" + provID + `|{"business":["nothing"]}`:            "400 unknown_business",
		"?org=987654|" + `{"business":["notice"]}`:                "404 not_found",
		"?account=987654|" + `{"business":["notice"]}`:            "404 not_found",
		"?account=nobody|" + `{"business":["notice"]}`:            "404 not_found",
		"|" + `{"business":["notice"]}`:                           "400 invalid_request",
		"?org=" + provID + `|{}`:                                  "400 invalid_request",
		"?org=" + provID + `&account=` + uid + `|{"business":[]}`: "400 invalid_request",
	} {
		qs, body, _ := strings.Cut(q, "|")
		if st, m := call(t, sb, "PUT", "/api/v1/admin/grants"+qs, body, sb.AdminToken); fmt.Sprintf("%d %s", st, errCode(m)) != want {
			t.Errorf("PUT grants%s %s: %d %v, want %s", qs, body, st, m, want)
		}
	}
	// The demo's account keeps every type.
	if st, m := sendBusiness(t, sb, "marketing"); st != http.StatusCreated {
		t.Fatalf("the sandbox account: %d %v", st, m)
	}
}

func sendBusiness(t *testing.T, sb *Sandbox, business string) (int, map[string]any) {
	t.Helper()
	return call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"通知","business":"`+business+`"}`, sb.APIKey)
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A disabled type refuses new messages; those accepted before still go out.
func TestDisabledBusinessTypeLetsAcceptedMessagesFinish(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	at := time.Now().Add(3 * time.Second).Format(time.RFC3339)
	id := firstID(t, send(t, sb, `{"to":["13800138000"],"content":"稍后发出","business":"notice","schedule_at":"`+at+`"}`))
	if st, m := call(t, sb, "PATCH", "/api/v1/admin/business-types/notice", `{"enabled":false}`, sb.AdminToken); st != http.StatusOK || m["enabled"] != false {
		t.Fatalf("disable: %d %v", st, m)
	}
	bal, res := money(t, sb)
	count := dailyCount(t, sb, sb.Account.ID)
	if st, m := sendBusiness(t, sb, "notice"); st != http.StatusForbidden || errCode(m) != "business_disabled" {
		t.Fatalf("send with a disabled type: %d %v", st, m)
	}
	unchanged(t, sb, "business_disabled", bal, res, count)
	waitState(t, sb, id, "delivered", 20*time.Second)
	call(t, sb, "PATCH", "/api/v1/admin/business-types/notice", `{"enabled":true}`, sb.AdminToken)
	if st, m := sendBusiness(t, sb, "notice"); st != http.StatusCreated {
		t.Fatalf("enabled again: %d %v", st, m)
	}
}

// Outside its sending hours a message waits for the next window (and the
// answer says so), or is refused when the request asks for that.
func TestSendingHoursDeferOrRefuse(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	loc := sb.Core.TimeZone()
	now := time.Now().In(loc)
	min := now.Hour()*60 + now.Minute()
	hhmm := func(m int) string { m = (m%1440 + 1440) % 1440; return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	// A window that starts two hours from now.
	later := hhmm(min+120) + "-" + hhmm(min+180)
	if st, m := call(t, sb, "PATCH", "/api/v1/admin/business-types/marketing", `{"send_hours":"`+later+`"}`, sb.AdminToken); st != http.StatusOK || m["send_hours"] != later {
		t.Fatalf("set hours: %d %v", st, m)
	}
	bal0, res0 := money(t, sb)
	count0 := dailyCount(t, sb, sb.Account.ID)
	st, ans := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"周末促销","business":"marketing"}`, sb.APIKey)
	if st != http.StatusCreated {
		t.Fatalf("deferred send: %d %v", st, ans)
	}
	until, err := time.Parse(time.RFC3339Nano, fmt.Sprint(ans["deferred_until"]))
	if err != nil {
		t.Fatalf("no deferred_until in %v", ans)
	}
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc).Add(time.Duration(min+120) * time.Minute)
	if !until.Equal(start) || !strings.Contains(fmt.Sprint(ans["notice"]), later) {
		t.Fatalf("deferred until %s (want %s), notice %v", until, start, ans["notice"])
	}
	msg := ans["messages"].([]any)[0].(map[string]any)
	if msg["state"] != "accepted" || msg["schedule_at"] != ans["deferred_until"] {
		t.Fatalf("deferred message: %v", msg)
	}
	_, m := call(t, sb, "GET", "/api/v1/messages/"+msg["id"].(string), "", sb.APIKey)
	if sat, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(m["schedule_at"])); !sat.Equal(start) || m["state"] != "accepted" {
		t.Fatalf("stored message: %v", m)
	}
	// Its fee is held (it will be sent), and it counts today.
	if _, res := money(t, sb); res != res0+40 || dailyCount(t, sb, sb.Account.ID) != count0+1 {
		t.Fatalf("deferred message: reserved %d → %d, count %d → %d", res0, res, count0, dailyCount(t, sb, sb.Account.ID))
	}

	// "outside_hours": "refuse" refuses instead, at no cost.
	bal1, res1 := money(t, sb)
	st, ref := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"周末促销","business":"marketing","outside_hours":"refuse"}`, sb.APIKey)
	msgText := fmt.Sprint(ref["error"].(map[string]any)["message"])
	if st != http.StatusUnprocessableEntity || errCode(ref) != "outside_sending_hours" || !strings.Contains(msgText, later) {
		t.Fatalf("refuse outside hours: %d %v", st, ref)
	}
	unchanged(t, sb, "outside_sending_hours", bal1, res1, count0+1)
	if k := refusalKinds(t, sb, sb.Account.ID); k["outside_sending_hours"] != 1 {
		t.Fatalf("refusal not recorded: %v", k)
	}
	if st, m := call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"x","business":"marketing","outside_hours":"later"}`, sb.APIKey); st != http.StatusBadRequest || errCode(m) != "invalid_request" {
		t.Fatalf("bad outside_hours: %d %v", st, m)
	}
	// A schedule inside the window is kept as it is.
	inWin := start.Add(30 * time.Minute)
	st, ans = call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"定时促销","business":"marketing","schedule_at":"`+inWin.Format(time.RFC3339)+`","outside_hours":"refuse"}`, sb.APIKey)
	if st != http.StatusCreated || ans["deferred_until"] != nil {
		t.Fatalf("scheduled inside the window: %d %v", st, ans)
	}
	// Other types are not concerned.
	if st, m := sendBusiness(t, sb, "notice"); st != http.StatusCreated || m["deferred_until"] != nil {
		t.Fatalf("notice: %d %v", st, m)
	}
	_ = bal0

	// A window around now: sent at once.
	around := hhmm(min-60) + "-" + hhmm(min+60)
	call(t, sb, "PATCH", "/api/v1/admin/business-types/marketing", `{"send_hours":"`+around+`"}`, sb.AdminToken)
	st, ans = call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"现在促销","business":"marketing","outside_hours":"refuse"}`, sb.APIKey)
	if st != http.StatusCreated || ans["deferred_until"] != nil {
		t.Fatalf("inside the window: %d %v", st, ans)
	}
	waitState(t, sb, firstID(t, ans), "delivered", 15*time.Second)
}

// Partner limits: a daily quota counted in the accept transaction, a rate
// limit with Retry-After, and a source-address allow-list at
// authentication.
func TestAccountLimits(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	acct := strconv.FormatInt(sb.Account.ID, 10)
	limits := func(body string) map[string]any {
		t.Helper()
		st, m := call(t, sb, "PUT", "/api/v1/admin/accounts/"+acct+"/limits", body, sb.AdminToken)
		if st != http.StatusOK {
			t.Fatalf("PUT limits %s: %d %v", body, st, m)
		}
		return m
	}
	sendN := func(n int) (int, http.Header, map[string]any) {
		t.Helper()
		var to []string
		for i := range n {
			to = append(to, fmt.Sprintf("1380013%04d", i))
		}
		return callWithHeaders(t, sb, "POST", "/api/v1/messages", `{"to":["`+strings.Join(to, `","`)+`"],"content":"配额测试"}`, sb.APIKey)
	}

	// Daily quota.
	l := limits(`{"daily_quota":3}`)
	if l["daily_quota"] != float64(3) || l["tps_limit"] != float64(0) || fmt.Sprint(l["ip_allow"]) != "[]" || l["today"] != float64(0) {
		t.Fatalf("limits: %v", l)
	}
	if st, _, m := sendN(2); st != http.StatusCreated {
		t.Fatalf("2 of 3: %d %v", st, m)
	}
	bal, res := settled(t, sb, sb.APIKey)
	st, h, m := sendN(2)
	msg := fmt.Sprint(m["error"].(map[string]any)["message"])
	if st != http.StatusTooManyRequests || errCode(m) != "quota_exceeded" || !strings.Contains(msg, "3 messages a day; 2 were accepted today") || h.Get("Retry-After") == "" {
		t.Fatalf("over the quota: %d %v %v", st, h, m)
	}
	if ra, _ := strconv.Atoi(h.Get("Retry-After")); ra <= 0 || ra > 86400 {
		t.Fatalf("Retry-After %q: want the seconds until midnight", h.Get("Retry-After"))
	}
	unchanged(t, sb, "quota_exceeded", bal, res, 2)
	if k := refusalKinds(t, sb, sb.Account.ID); k["quota_exceeded"] != 1 {
		t.Fatalf("refusal not recorded: %v", k)
	}
	if st, _, m := sendN(1); st != http.StatusCreated {
		t.Fatalf("the last place: %d %v", st, m)
	}
	if st, _, m := sendN(1); st != http.StatusTooManyRequests || errCode(m) != "quota_exceeded" {
		t.Fatalf("full: %d %v", st, m)
	}
	_, got := call(t, sb, "GET", "/api/v1/admin/accounts/"+acct+"/limits", "", sb.AdminToken)
	if got["today"] != float64(3) {
		t.Fatalf("admin view: %v", got)
	}
	_, own := call(t, sb, "GET", "/api/v1/account/limits", "", sb.APIKey)
	if own["today"] != float64(3) || own["daily_quota"] != float64(3) || fmt.Sprint(own["business"]) != "[*]" {
		t.Fatalf("own view: %v", own)
	}

	// TPS: two messages a second. Within the budget requests go; a batch
	// bigger than the budget goes too, and the debt holds the next back.
	limits(`{"tps_limit":2}`)
	if st, _, m := sendN(1); st != http.StatusCreated {
		t.Fatalf("within the rate: %d %v", st, m)
	}
	if st, _, m := sendN(4); st != http.StatusCreated { // 2 - 1 - 4 = -3 tokens: 2s until the next
		t.Fatalf("a batch over the budget: %d %v", st, m)
	}
	bal, res = settled(t, sb, sb.APIKey)
	count := dailyCount(t, sb, sb.Account.ID)
	st, h, m = sendN(1)
	if st != http.StatusTooManyRequests || errCode(m) != "rate_limited" || (h.Get("Retry-After") != "1" && h.Get("Retry-After") != "2") ||
		!strings.Contains(fmt.Sprint(m["error"].(map[string]any)["message"]), "2 messages per second") {
		t.Fatalf("over the rate: %d %v %v", st, h, m)
	}
	unchanged(t, sb, "rate_limited", bal, res, count)
	ra, _ := strconv.Atoi(h.Get("Retry-After"))
	time.Sleep(time.Duration(ra) * time.Second)
	if st, _, m := sendN(1); st != http.StatusCreated {
		t.Fatalf("after Retry-After: %d %v", st, m)
	}

	// Source addresses, at authentication of both interfaces.
	bal, res = settled(t, sb, sb.APIKey)
	limits(`{"ip_allow":["10.0.0.0/8","192.0.2.1"]}`)
	st, m = call(t, sb, "POST", "/api/v1/messages", `{"to":["13800138000"],"content":"x"}`, sb.APIKey)
	if st != http.StatusForbidden || errCode(m) != "ip_not_allowed" || !strings.Contains(fmt.Sprint(m["error"].(map[string]any)["message"]), "127.0.0.1") {
		t.Fatalf("from outside the allow-list: %d %v", st, m)
	}
	q := url.Values{"user": {SandboxAccount}, "pwd": {sb.Password}, "mobile": {"13800138000"}, "content": {"x"}}
	if st, _, m := callWithHeaders(t, sb, "GET", "/sms/send?"+q.Encode(), "", ""); st != http.StatusForbidden || errCode(m) != "ip_not_allowed" {
		t.Fatalf("legacy from outside the allow-list: %d %v", st, m)
	}
	limits(`{"ip_allow":["127.0.0.0/8"]}`)
	if st, m := call(t, sb, "GET", "/api/v1/account", "", sb.APIKey); st != http.StatusOK {
		t.Fatalf("from inside the allow-list: %d %v", st, m)
	}
	unchanged(t, sb, "ip_not_allowed", bal, res, count+1)

	for body, want := range map[string]string{
		`{"tps_limit":-1}`:         "400 invalid_limits",
		`{"daily_quota":-5}`:       "400 invalid_limits",
		`{"ip_allow":["nowhere"]}`: "400 invalid_limits",
		`{"tps":5}`:                "400 invalid_json",
	} {
		if st, m := call(t, sb, "PUT", "/api/v1/admin/accounts/"+acct+"/limits", body, sb.AdminToken); fmt.Sprintf("%d %s", st, errCode(m)) != want {
			t.Errorf("PUT limits %s: %d %v, want %s", body, st, m, want)
		}
	}
	if st, m := call(t, sb, "PUT", "/api/v1/admin/accounts/987654/limits", `{}`, sb.AdminToken); st != http.StatusNotFound {
		t.Fatalf("limits of a missing account: %d %v", st, m)
	}
	limits(`{}`)
	if st, m := sendBusiness(t, sb, "notice"); st != http.StatusCreated {
		t.Fatalf("no limits: %d %v", st, m)
	}
}

// The configuration keeps working with the new keys: types with every
// setting, accounts with their business types and limits.
func TestConfigBusinessKeys(t *testing.T) {
	dir := t.TempDir()
	body := `
database: "sqlite:` + dir + `/h.db"
http: {listen: "127.0.0.1:0"}
time_zone: Asia/Shanghai
business_types:
  - {code: notice, fee: 0.05}
  - {code: marketing, priority: 2, fee: 0.04, charge_on: submitted, send_hours: "08:00-21:00",
     service_code: "106580002", mo_keywords: [yx, 营销], report_required: false}
  - {code: club, charge_mode: monthly, monthly_fee: 5, report_required: true}
accounts:
  - {name: everything, service_code: "10658000"}
  - {name: limited, business_types: [notice], ip_allow: [10.0.0.0/8], tps_limit: 20, daily_quota: 5000}
`
	ctx := context.Background()
	for run := range 2 {
		c, err := LoadConfig(writeConfig(t, body))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Build(ctx, c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		bts, _ := p.Store.BusinessTypes(ctx)
		var mk *store.BusinessType
		for _, b := range bts {
			if b.Code == "marketing" {
				mk = b
			}
		}
		if mk == nil || mk.SendFrom != 480 || mk.SendUntil != 1260 || fmt.Sprint(mk.MOKeywords) != "[YX 营销]" || mk.ReportRequired || mk.ServiceCode != "106580002" {
			t.Fatalf("marketing from the config: %+v", mk)
		}
		gs, _ := p.Store.Grants(ctx)
		ls, _ := p.Store.AccountLimits(ctx)
		p.Store.Close()
		if len(gs) != 2 || gs[0].Business != "*" || gs[1].Business != "notice" {
			t.Fatalf("run %d: grants %+v", run, gs)
		}
		if len(ls) != 1 || ls[0].TPS != 20 || ls[0].DailyQuota != 5000 || fmt.Sprint(ls[0].IPAllow) != "[10.0.0.0/8]" {
			t.Fatalf("run %d: limits %+v", run, ls)
		}
	}
	for name, bad := range map[string]string{
		"bad hours":           "business_types: [{code: x, send_hours: '8 to 9'}]\n",
		"bad mode":            "business_types: [{code: x, charge_mode: weekly}]\n",
		"monthly without fee": "business_types: [{code: x, charge_mode: monthly}]\n",
		"bad zone":            "time_zone: Mars/Olympus\n",
		"bad cidr":            "accounts: [{name: a, ip_allow: [nowhere]}]\n",
		"negative quota":      "accounts: [{name: a, daily_quota: -1}]\n",
	} {
		if _, err := LoadConfig(writeConfig(t, bad)); err == nil {
			t.Errorf("%s: config accepted", name)
		}
	}
	c, _ := LoadConfig(writeConfig(t, body+"  - {name: typo, business_types: [noticee]}\n"))
	if _, err := Build(ctx, c, Options{}); err == nil || !strings.Contains(err.Error(), "noticee") {
		t.Fatalf("an unknown business type in an account's list: %v", err)
	}
}
