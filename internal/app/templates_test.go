package app

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Signatures and templates end to end, through the HTTP API of a sandbox:
// units register, the platform administrator approves or rejects, every
// change is audited, accept composes signature + text + unsubscribe text
// (counted and priced), every refusal has its code and message and changes
// no money and no counter, and a templated batch with per-recipient
// variables reaches the simulator with each number's own text.

// ledgerState is everything a refused request must leave as it was: the
// account's money, its count of the day and its statistics counters.
func ledgerState(t *testing.T, sb *Sandbox, key string, acct int64) string {
	t.Helper()
	_, a := call(t, sb, "GET", "/api/v1/account", "", key)
	_, st := call(t, sb, "GET", "/api/v1/stats?period="+time.Now().In(store.Shanghai).Format("2006-01-02"), "", key)
	return fmt.Sprintf("balance %v reserved %v today %d stats %v", a["balance_li"], a["reserved"], dailyCount(t, sb, acct), toJSON(st["totals"]))
}

// captureSubmits records the text of every single-segment submit a
// simulator receives, by number.
type captured struct {
	mu   sync.Mutex
	text map[string][]string
}

func captureSubmits(s Simulator) *captured {
	c := &captured{text: map[string][]string{}}
	s.OnSubmit(func(dest string, content []byte) {
		n, err := sms.NormalizeNumber(dest)
		if err != nil {
			n = dest
		}
		txt, _ := sms.Decode(content, sms.UCS2)
		c.mu.Lock()
		c.text[n] = append(c.text[n], txt)
		c.mu.Unlock()
	})
	return c
}

func (c *captured) of(n string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.text[n])
}

func TestSignaturesAndTemplatesThroughTheAPI(t *testing.T) {
	sb, tok := provinceSandbox(t, SandboxOptions{})
	ids := orgIDs(t, sb)
	as := func(who, method, path, body string) reply {
		t.Helper()
		return answer(call(t, sb, method, path, body, tok[who]))
	}
	acct := strconv.FormatInt(sb.Account.ID, 10)

	// Registering: within one's scope, never as an auditor; the owner is
	// the caller's own unit when not named.
	r := as("gz-admin", "POST", "/api/v1/admin/signatures", `{"text":"广州邮政"}`)
	if r.st != http.StatusCreated || r.m["text"] != "【广州邮政】" || r.m["state"] != "pending" || r.m["org"] != "GD-GZ" || r.m["created_by"] != "gz-admin" {
		t.Fatalf("city signature: %d %v", r.st, r.m)
	}
	gzSig := r.m["id"].(string)
	r = as("partner", "POST", "/api/v1/admin/signatures", `{"text":"【速递伙伴】"}`)
	if r.st != http.StatusCreated || r.m["account"] != DemoPartner {
		t.Fatalf("partner's signature: %d %v", r.st, r.m)
	}
	partnerSig := r.m["id"].(string)
	want(t, "an auditor registers", as("auditor", "POST", "/api/v1/admin/signatures", `{"text":"【审计】"}`), 403, "forbidden")
	want(t, "a county operator for the province", as("ch-operator", "POST", "/api/v1/admin/signatures", `{"text":"【省公司】","org":"GD"}`), 403, "forbidden")
	want(t, "a partner for the province's account", as("partner", "POST", "/api/v1/admin/signatures", `{"text":"【冒名】","account":"demo"}`), 403, "forbidden")
	want(t, "a bad signature", as("admin", "POST", "/api/v1/admin/signatures", `{"text":"【邮】","account":"demo"}`), 400, "invalid_signature")
	want(t, "an unknown field", as("admin", "POST", "/api/v1/admin/signatures", `{"txt":"【中国邮政】","account":"demo"}`), 400, "invalid_json")
	want(t, "no owner for the platform administrator", as("admin", "POST", "/api/v1/admin/signatures", `{"text":"【中国邮政】"}`), 400, "invalid_request")
	r = as("admin", "POST", "/api/v1/admin/signatures", `{"text":"【中国邮政】","account":"demo","default":true}`)
	if r.st != http.StatusCreated || r.m["account_id"] != acct || r.m["default"] != true {
		t.Fatalf("demo's signature: %d %v", r.st, r.m)
	}
	demoSig := r.m["id"].(string)
	want(t, "twice", as("admin", "POST", "/api/v1/admin/signatures", `{"text":"中国邮政","account_id":"`+acct+`"}`), 409, "duplicate")

	// Seeing: scoped lists; the auditor reads everything at the province.
	sigsOf := func(who, q string) []string {
		t.Helper()
		r := as(who, "GET", "/api/v1/admin/signatures"+q, "")
		if r.st != http.StatusOK {
			t.Fatalf("list as %s: %d %v", who, r.st, r.m)
		}
		return field(list(r.m, "signatures"), "text")
	}
	if got := sigsOf("auditor", "?state=pending"); len(got) != 3 {
		t.Fatalf("the auditor sees %v", got)
	}
	if got := sigsOf("gz-admin", ""); !slices.Equal(got, []string{"【广州邮政】", "【速递伙伴】"}) {
		t.Fatalf("the city's administrator sees %v (their city and the partner it manages)", got)
	}
	if got := sigsOf("partner", ""); !slices.Equal(got, []string{"【速递伙伴】"}) {
		t.Fatalf("the partner sees %v", got)
	}
	if got := sigsOf("admin", "?account=demo"); !slices.Equal(got, []string{"【中国邮政】"}) {
		t.Fatalf("?account=demo: %v", got)
	}
	want(t, "another's signature by id", as("partner", "GET", "/api/v1/admin/signatures/"+gzSig, ""), 404, "not_found")

	// Reviewing: the platform administrator only; a rejection has a reason.
	want(t, "a city approves", as("gz-admin", "POST", "/api/v1/admin/signatures/"+gzSig+"/approve", ""), 403, "forbidden")
	want(t, "a rejection without reason", as("admin", "POST", "/api/v1/admin/signatures/"+partnerSig+"/reject", `{}`), 400, "invalid_request")
	r = as("admin", "POST", "/api/v1/admin/signatures/"+partnerSig+"/reject", `{"reason":"与营业执照名称不符"}`)
	if r.st != http.StatusOK || r.m["state"] != "rejected" || r.m["reason"] != "与营业执照名称不符" || r.m["reviewed_by"] != sb.AdminUser {
		t.Fatalf("reject: %d %v", r.st, r.m)
	}
	for _, id := range []string{demoSig, gzSig} {
		if r = as("admin", "POST", "/api/v1/admin/signatures/"+id+"/approve", ""); r.st != http.StatusOK || r.m["state"] != "approved" {
			t.Fatalf("approve %s: %d %v", id, r.st, r.m)
		}
	}
	want(t, "no such signature", as("admin", "POST", "/api/v1/admin/signatures/99999/approve", ""), 404, "not_found")

	// Audited, each in its transaction, before and after.
	_, au := call(t, sb, "GET", "/api/v1/admin/audit?object=signature", "", sb.AdminToken)
	var actions []string
	for _, e := range list(au, "audit") {
		actions = append(actions, e["action"].(string))
		if e["action"] == "reject" && (e["before"].(map[string]any)["state"] != "pending" || e["after"].(map[string]any)["state"] != "rejected") {
			t.Fatalf("reject entry %v", e)
		}
	}
	if strings.Join(actions, ",") != "approve,approve,reject,create,create,create" {
		t.Fatalf("audit actions (newest first) %v", actions)
	}
	_, au = call(t, sb, "GET", "/api/v1/admin/audit?object=signature", "", tok["gz-admin"])
	if n := len(list(au, "audit")); n != 4 { // the city's: its signature (create, approve) and the partner's (create, reject)
		t.Fatalf("the city's administrator sees %d signature entries: %v", n, au)
	}

	// Marketing puts the signature first and 回T退订 last: a 70-character
	// text becomes two segments, and the fee doubles.
	if r = as("admin", "PATCH", "/api/v1/admin/business-types/marketing", `{"signature":"prefix","unsubscribe_text":"回T退订"}`); r.st != http.StatusOK ||
		r.m["signature"] != "prefix" || r.m["unsubscribe_text"] != "回T退订" || r.m["template_required"] != false {
		t.Fatalf("patch marketing: %d %v", r.st, r.m)
	}
	want(t, "a placement that is none of them", as("admin", "PATCH", "/api/v1/admin/business-types/marketing", `{"signature":"middle"}`), 400, "invalid_business_type")
	text70 := strings.Repeat("邮", 70)
	m := send(t, sb, `{"to":["13800138000"],"content":"`+text70+`","business":"marketing"}`)
	msg := m["messages"].([]any)[0].(map[string]any)
	if msg["segments"] != 2.0 {
		t.Fatalf("segments %v, want 2", msg["segments"])
	}
	_, got := call(t, sb, "GET", "/api/v1/messages/"+msg["id"].(string), "", sb.APIKey)
	if got["content"] != "【中国邮政】"+text70+"回T退订" || got["fee"] != 0.08 {
		t.Fatalf("stored %v %v, want the composed text and fee 0.080", got["content"], got["fee"])
	}
	waitState(t, sb, msg["id"].(string), "delivered", 15*time.Second)

	// Templates: registered by the unit, approved, used by code or id.
	r = as("admin", "POST", "/api/v1/admin/templates", `{"code":"parcel","business":"notice","text":"{name}，您的包裹已到{place}，取件码{code}。","account":"demo"}`)
	if r.st != http.StatusCreated || r.m["state"] != "pending" || toJSON(r.m["variables"]) != `["name","place","code"]` {
		t.Fatalf("template: %d %v", r.st, r.m)
	}
	parcel := r.m["id"].(string)
	want(t, "unbalanced", as("admin", "POST", "/api/v1/admin/templates", `{"code":"x","business":"notice","text":"{name，您好","account":"demo"}`), 400, "invalid_template")
	want(t, "no such type", as("admin", "POST", "/api/v1/admin/templates", `{"code":"x","business":"none","text":"您好","account":"demo"}`), 400, "unknown_business")
	r = as("ch-operator", "POST", "/api/v1/admin/templates", `{"code":"notice1","business":"notice","text":"{name}您好，营业厅今日停业。"}`)
	if r.st != http.StatusCreated || r.m["org"] != DemoCounty {
		t.Fatalf("county template: %d %v", r.st, r.m)
	}
	want(t, "an operator approves", as("ch-operator", "POST", "/api/v1/admin/templates/"+r.m["id"].(string)+"/approve", ""), 403, "forbidden")
	if got := list(as("auditor", "GET", "/api/v1/admin/templates?state=pending", "").m, "templates"); len(got) != 2 {
		t.Fatalf("pending templates for the auditor %v", got)
	}

	// Require templates for notices: every refusal below changes nothing.
	if r = as("admin", "PATCH", "/api/v1/admin/business-types/notice", `{"template_required":true,"signature":"suffix"}`); r.st != http.StatusOK {
		t.Fatalf("patch notice: %d %v", r.st, r.m)
	}
	settled(t, sb, sb.APIKey)
	before := ledgerState(t, sb, sb.APIKey, sb.Account.ID)
	refused := func(what, body string, status int, code, inMessage string) {
		t.Helper()
		st, m := call(t, sb, "POST", "/api/v1/messages", body, sb.APIKey)
		if st != status || errCode(m) != code {
			t.Fatalf("%s: %d %v, want %d %s", what, st, m, status, code)
		}
		if msg := m["error"].(map[string]any)["message"].(string); !strings.Contains(msg, inMessage) {
			t.Fatalf("%s: message %q lacks %q", what, msg, inMessage)
		}
	}
	refused("free text", `{"to":["13800138000"],"content":"您的包裹已到"}`, 422, "template_required", "free text is refused")
	refused("pending", `{"to":["13800138000"],"template":"parcel","variables":{"name":"张三","place":"一号柜","code":"1"}}`,
		422, "template_not_approved", "has not approved it yet")
	if r = as("admin", "POST", "/api/v1/admin/templates/"+parcel+"/approve", ""); r.st != http.StatusOK {
		t.Fatalf("approve parcel: %d %v", r.st, r.m)
	}
	refused("a shared variable missing", `{"to":["13800138000"],"template":"parcel","variables":{"name":"张三","place":"一号柜"}}`,
		400, "missing_variable", "{code}")
	refused("one recipient's variable missing", `{"template":"parcel","variables":{"place":"一号柜"},"recipients":[
		{"to":"13800138000","variables":{"name":"张三","code":"1"}},{"to":"13800138001","variables":{"code":"2"}}]}`,
		400, "missing_variable", "{name}, which recipient 2 (13800138001) lacks")
	refused("unknown template", `{"to":["13800138000"],"template":"nothing"}`, 400, "unknown_template", "GET /api/v1/templates")
	refused("both forms", `{"to":["13800138000"],"recipients":[{"to":"13800138001"}],"template":"parcel"}`, 400, "invalid_request", "not both")
	refused("a template of another type", `{"to":["13800138000"],"template":"parcel","business":"marketing","variables":{"name":"a","place":"b","code":"c"}}`,
		422, "template_business_mismatch", "is for business type notice")
	refused("an unapproved signature", `{"to":["13800138000"],"template":"parcel","signature":"速递伙伴","variables":{"name":"a","place":"b","code":"c"}}`,
		422, "signature_not_approved", "is not a registered signature of account demo")
	// Withdraw demo's signature: its province has none, so no signature.
	if st := del(t, sb, "/api/v1/admin/signatures/"+demoSig, sb.AdminToken); st != http.StatusNoContent {
		t.Fatalf("delete signature: %d", st)
	}
	refused("no signature", `{"to":["13800138000"],"template":"parcel","variables":{"name":"a","place":"b","code":"c"}}`,
		422, "no_signature", "account demo and its organisations have no approved signature")
	if after := ledgerState(t, sb, sb.APIKey, sb.Account.ID); after != before {
		t.Fatalf("refusals changed the account:\n%s\n%s", before, after)
	}
	kinds := refusalKinds(t, sb, sb.Account.ID)
	for _, k := range []string{"template_required", "template_not_approved", "no_signature", "signature_not_approved"} {
		if kinds[k] != 1 {
			t.Fatalf("refusals recorded %v: want one %s", kinds, k)
		}
	}

	// A province signature for every unit below it.
	r = as("admin", "POST", "/api/v1/admin/signatures", `{"text":"【中国邮政】","org_id":"`+ids[DemoProvince]+`"}`)
	as("admin", "POST", "/api/v1/admin/signatures/"+r.m["id"].(string)+"/approve", "")

	// The partner's view: its approved templates, with their variables.
	_, tl := call(t, sb, "GET", "/api/v1/templates", "", sb.APIKey)
	if ts := list(tl, "templates"); len(ts) != 1 || ts[0]["code"] != "parcel" || toJSON(ts[0]["variables"]) != `["name","place","code"]` ||
		ts[0]["owner"] != "account demo" {
		t.Fatalf("GET /api/v1/templates: %v", tl)
	}
	_, sl := call(t, sb, "GET", "/api/v1/signatures", "", sb.APIKey)
	if ss := list(sl, "signatures"); len(ss) != 1 || ss[0]["text"] != "【中国邮政】" || ss[0]["default"] != true || ss[0]["owner"] != "organisation GD" {
		t.Fatalf("GET /api/v1/signatures: %v", sl)
	}

	// A templated batch with per-recipient variables: each number gets its
	// own text, counted and priced on its own, delivered through the
	// simulator as composed.
	subs := captureSubmits(sb.Sims["cmcc-cmpp-1"])
	settled(t, sb, sb.APIKey)
	bal0, _ := money(t, sb)
	m = send(t, sb, `{"template":"`+parcel+`","variables":{"place":"邮政营业厅"},"recipients":[
		{"to":"13800138010","variables":{"name":"张三","code":1234}},
		{"to":"13800138011","variables":{"name":"李四","code":"0042","place":"三号快递柜"}},
		{"to":"+86 138-0013-8012","variables":{"name":"王五","code":"7"}}]}`)
	wantText := map[string]string{
		"13800138010": "张三，您的包裹已到邮政营业厅，取件码1234。【中国邮政】",
		"13800138011": "李四，您的包裹已到三号快递柜，取件码0042。【中国邮政】",
		"13800138012": "王五，您的包裹已到邮政营业厅，取件码7。【中国邮政】",
	}
	for _, x := range m["messages"].([]any) {
		mm := x.(map[string]any)
		done := waitState(t, sb, mm["id"].(string), "delivered", 15*time.Second)
		if done["content"] != wantText[mm["to"].(string)] || done["business"] != "notice" || done["segments"] != 1.0 {
			t.Fatalf("message to %v: %v", mm["to"], done)
		}
		if got := subs.of(mm["to"].(string)); len(got) != 1 || got[0] != wantText[mm["to"].(string)] {
			t.Fatalf("the operator received %q for %v", got, mm["to"])
		}
	}
	if bal1, _ := settled(t, sb, sb.APIKey); bal0-bal1 != 150 {
		t.Fatalf("charged %d li for three one-segment notices at 0.05", bal0-bal1)
	}

	// The legacy interface takes a template too.
	q := url.Values{"user": {sb.Account.Name}, "pwd": {sb.Password}, "mobile": {"13800138020"}, "template": {"parcel"},
		"var.name": {"赵六"}, "var.place": {"柜"}, "var.code": {"5"}}
	st, lm := call(t, sb, "GET", "/sms/send?"+q.Encode(), "", "")
	if st != http.StatusCreated {
		t.Fatalf("legacy templated send: %d %v", st, lm)
	}
	_, got = call(t, sb, "GET", "/api/v1/messages/"+firstID(t, lm), "", sb.APIKey)
	if got["content"] != "赵六，您的包裹已到柜，取件码5。【中国邮政】" {
		t.Fatalf("legacy content %v", got["content"])
	}

	// Deleting a template refuses it at once; a rejected one says why.
	if st := del(t, sb, "/api/v1/admin/templates/"+parcel, tok["gz-admin"]); st != http.StatusNotFound {
		t.Fatalf("the city deletes demo's template: %d (outside its scope)", st)
	}
	if st := del(t, sb, "/api/v1/admin/templates/"+parcel, sb.AdminToken); st != http.StatusNoContent {
		t.Fatalf("delete template: %d", st)
	}
	refused("deleted", `{"to":["13800138000"],"template":"parcel","variables":{"name":"a","place":"b","code":"c"}}`, 400, "unknown_template", "parcel")
	_, au = call(t, sb, "GET", "/api/v1/admin/audit?object=template", "", sb.AdminToken)
	actions = actions[:0]
	for _, e := range list(au, "audit") {
		actions = append(actions, e["action"].(string))
	}
	if strings.Join(actions, ",") != "delete,approve,create,create" {
		t.Fatalf("template audit (newest first) %v", actions)
	}
}

// Business type settings from the configuration file.
func TestConfigTemplateSettings(t *testing.T) {
	path := writeConfig(t, `
business_types:
  - code: marketing
    signature: prefix
    unsubscribe_text: 回T退订
    template_required: true
`)
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	bt, err := businessTypeFromConfig(c.BusinessTypes[0])
	if err != nil || bt.Signature != store.SignaturePrefix || bt.UnsubscribeText != "回T退订" || !bt.TemplateRequired {
		t.Fatalf("%+v %v", bt, err)
	}
	bad := writeConfig(t, `
business_types:
  - code: marketing
    signature: left
`)
	if _, err := LoadConfig(bad); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("signature: left: %v", err)
	}
}

// The demo's province has an approved signature and template at once, and
// seeding again adds nothing.
func TestDemoTemplates(t *testing.T) {
	sb, _ := provinceSandbox(t, SandboxOptions{})
	ctx := t.Context()
	for range 2 {
		if err := sb.SeedTemplates(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sigs, _ := sb.Store.Signatures(ctx)
	tps, _ := sb.Store.Templates(ctx)
	if len(sigs) != 1 || len(tps) != 1 {
		t.Fatalf("seeded %d signatures, %d templates", len(sigs), len(tps))
	}
	m := send(t, sb, `{"template":"`+DemoTemplate+`","recipients":[{"to":"13800138000","variables":{"name":"张三","place":"邮政营业厅","code":"1234"}}]}`)
	done := waitState(t, sb, firstID(t, m), "delivered", 15*time.Second)
	if done["content"] != "张三您好，您的包裹已到邮政营业厅，请凭取件码1234领取。" || done["business"] != "notice" {
		t.Fatalf("demo template sent %v", done)
	}
}
