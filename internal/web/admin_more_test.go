package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"hongyan/internal/store"
)

// MO routes, subscriptions and refusals: each page opens for the roles of
// its API endpoints and no other, changes are audited, CSRF is needed.
func TestAdminMOSubsRefusals(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	home := b.get("/")
	mustContain(t, "admin's menu", home.Body, `href="/admin/mo-routes"`, `href="/admin/subscriptions"`, `href="/admin/refusals"`)

	// Roles: an operator opens subscriptions and refusals, not MO routes;
	// an auditor reads MO routes without the form; org_viewer opens none.
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	wantStatus(t, "operator MO routes", op.get("/admin/mo-routes"), http.StatusForbidden)
	wantStatus(t, "operator subscriptions", op.get("/admin/subscriptions"), http.StatusOK)
	wantStatus(t, "operator refusals", op.get("/admin/refusals"), http.StatusOK)
	wantStatus(t, "operator subscribes", op.post("/admin/subscriptions", form(op.csrf(), "business", "x", "number", admNumber())), http.StatusForbidden)
	au, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	p := au.get("/admin/mo-routes")
	wantStatus(t, "auditor MO routes", p, http.StatusOK)
	mustNotContain(t, "auditor MO routes", p.Body, `id="mo-add"`)
	wantStatus(t, "auditor adds a route", au.post("/admin/mo-routes", form(au.csrf(), "service_code", "1065")), http.StatusForbidden)
	viewer, vpw := newUser(t, "org_viewer")
	vb := newBrowser(t, srv)
	vb.mustLogin(viewer, vpw)
	for _, path := range []string{"/admin/mo-routes", "/admin/subscriptions", "/admin/refusals"} {
		wantStatus(t, "org_viewer GET "+path, vb.get(path), http.StatusForbidden)
	}

	// MO routes: a bad form keeps what was typed, errors by the fields;
	// add and remove are audited; CSRF is needed.
	code := fmt.Sprintf("10658%06d", worldSeq.Add(1))
	p = b.post("/admin/mo-routes", form(tok, "service_code", "12ab", "keyword", "CX", "account", "", "business", "notice", "url", "ftp://x"))
	wantStatus(t, "bad route", p, http.StatusBadRequest)
	mustContain(t, "bad route", p.Body, "接入号须为 1 至 21 位数字", "请选择存在的账户", "地址须以 http://", `value="CX"`)
	add := url.Values{"service_code": {code}, "keyword": {"CX"}, "account": {w.unit.Name}, "business": {"notice"}, "url": {"https://q.example/mo"}}
	wantStatus(t, "route without a token", b.post("/admin/mo-routes", add), http.StatusForbidden)
	add.Set("csrf", tok)
	p = b.post("/admin/mo-routes", add)
	wantStatus(t, "add route", p, http.StatusSeeOther)
	p = b.get(p.location())
	mustContain(t, "routes", p.Body, code, "CX", w.unit.Name, "https://q.example/mo", "上行路由已添加")
	wantStatus(t, "duplicate route", b.post("/admin/mo-routes", add), http.StatusConflict)
	if es := audit(t, "mo_route", sb.AdminUser); len(es) == 0 || es[0].Action != "create" || !strings.Contains(es[0].After, code) {
		t.Fatalf("audit of the route: %+v", es)
	}
	m := regexp.MustCompile(`<tr data-id="(\d+)">\s*<td class="name"[^>]*><code>` + code).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no row of the new route")
	}
	wantStatus(t, "remove without a token", b.post("/admin/mo-routes/"+m[1]+"/delete", url.Values{}), http.StatusForbidden)
	wantStatus(t, "remove route", b.post("/admin/mo-routes/"+m[1]+"/delete", form(tok)), http.StatusSeeOther)
	mustNotContain(t, "routes after remove", b.get("/admin/mo-routes").Body, code)
	if es := audit(t, "mo_route", sb.AdminUser); es[0].Action != "delete" || es[0].ObjectID != m[1] {
		t.Fatalf("audit of the removal: %+v", es[0])
	}

	// Subscriptions: a service of a new business type, a number subscribed
	// and unsubscribed by hand, the service removed when empty.
	bt := fmt.Sprintf("news%d", worldSeq.Add(1))
	p = b.post("/admin/business-types", form(tok, "code", bt, "name", "新闻", "enabled", "1", "priority", "1", "max_retries", "1",
		"retry_interval", "10s", "validity", "", "max_segments", "0", "charge_mode", "per_message", "fee", "0.05", "charge_on", "submitted",
		"monthly_fee", "0", "monthly_cap", "0", "service_code", "", "mo_keywords", "", "send_from", "", "send_until", "",
		"freq_limit", "0", "freq_window", "", "signature", "", "unsubscribe_text", ""))
	wantStatus(t, "business type", p, http.StatusSeeOther)
	subCode := fmt.Sprintf("S%d", worldSeq.Add(1))
	p = b.post("/admin/subscriptions/services", form(tok, "business", bt, "code", "!!", "account", w.unit.Name))
	wantStatus(t, "bad service code", p, http.StatusBadRequest)
	mustContain(t, "bad service code", p.Body, "业务代码须为 1 至 20 位字母或数字")
	wantStatus(t, "set service", b.post("/admin/subscriptions/services", form(tok, "business", bt, "code", subCode, "account", w.unit.Name)), http.StatusSeeOther)
	num := admNumber()
	wantStatus(t, "subscribe without a token", b.post("/admin/subscriptions", url.Values{"business": {bt}, "number": {num}}), http.StatusForbidden)
	wantStatus(t, "subscribe", b.post("/admin/subscriptions", form(tok, "business", bt, "number", num)), http.StatusSeeOther)
	p = b.get("/admin/subscriptions?business=" + bt)
	mustContain(t, "subscribers", p.Body, `data-business="`+bt+`"`, strings.ToUpper(subCode), w.unit.Name, `data-number="`+num+`"`, "在订")
	// The county operator of the provider sees it too, without the forms.
	p = op.get("/admin/subscriptions?business=" + bt)
	mustContain(t, "operator's subscribers", p.Body, `data-number="`+num+`"`)
	mustNotContain(t, "operator's subscribers", p.Body, `id="sub-add"`, `id="service-set"`)
	p = b.post("/admin/subscriptions/services/"+bt+"/delete", form(tok))
	wantStatus(t, "remove a service with subscribers", p, http.StatusConflict)
	mustContain(t, "remove a service with subscribers", p.Body, "该业务仍有订购用户")
	wantStatus(t, "unsubscribe", b.post("/admin/subscriptions/remove", form(tok, "business", bt, "number", num)), http.StatusSeeOther)
	mustContain(t, "cancelled", b.get("/admin/subscriptions?state=cancelled&business="+bt).Body, `data-number="`+num+`"`, "已退订")
	es := audit(t, "subscription", sb.AdminUser)
	if len(es) < 2 || es[0].Action != "unsubscribe" || es[1].Action != "subscribe" || es[0].ObjectID != bt+":"+num {
		t.Fatalf("audit of the subscriptions: %+v", es)
	}
	if es := audit(t, "subscription_service", sb.AdminUser); len(es) == 0 || es[0].ObjectID != bt {
		t.Fatalf("audit of the service: %+v", es)
	}

	// Refusals: a send to a blacklisted number, shown with its kind in Chinese.
	bl := admNumber()
	wantStatus(t, "blacklist", b.post("/admin/blacklist", form(tok, "numbers", bl, "reason", "测试")), http.StatusSeeOther)
	body := strings.NewReader(`{"to": ["` + bl + `"], "content": "拒绝记录测试"}`)
	req, _ := http.NewRequest("POST", "http://"+sb.Addr()+"/api/v1/messages", body)
	req.Header.Set("Authorization", "Bearer "+sb.APIKey)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("send to a blacklisted number: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	p = b.get(fmt.Sprintf("/admin/refusals?kind=blacklisted&account=%d", sb.Account.ID))
	wantStatus(t, "refusals", p, http.StatusOK)
	mustContain(t, "refusals", p.Body, bl, "黑名单", sb.Account.Name)
	mustNotContain(t, "refusals of another kind", b.get("/admin/refusals?kind=quota_exceeded").Body, bl)
	// A partner sees only its own account's.
	pb, _ := loggedIn(t, srv, store.RolePartner, nil, w.partner)
	p = pb.get("/admin/refusals")
	wantStatus(t, "partner refusals", p, http.StatusOK)
	mustNotContain(t, "partner refusals", p.Body, bl)
}
