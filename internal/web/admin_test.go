package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
	"hongyan/internal/web"
)

// The administration pages are clients of the admin API in process: these
// tests drive them as browsers do and check what the API's rules make of
// it — roles (a county operator never opens a province page), scope (a
// partner sees only its own account), CSRF, the audit entry of each
// change, and forms that keep what was typed when refused.

// adminConsole is a console wired to the sandbox's admin API.
func adminConsole(t *testing.T) *httptest.Server {
	t.Helper()
	return console(t, web.Options{Admin: sb.API})
}

var worldSeq atomic.Int64

// world is a small province of its own for one test: a province, two
// cities, a county under the first, a unit account in the county, a
// partner account and a unit account of the second city.
type world struct {
	n                         int64
	prov, city, city2, county *store.Org
	unit, partner, other      *store.Account
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{n: worldSeq.Add(1)}
	org := func(code, name string, level int, parent *store.Org) *store.Org {
		o := &store.Org{Level: level, Code: fmt.Sprintf("T%d-%s", w.n, code), Name: fmt.Sprintf("%s%d", name, w.n), CreatedAt: time.Now()}
		if parent != nil {
			o.ParentID = parent.ID
		}
		if err := sb.Store.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.prov = org("P", "测试省", store.LevelProvince, nil)
	w.city = org("C", "测试市", store.LevelCity, w.prov)
	w.city2 = org("D", "另一市", store.LevelCity, w.prov)
	w.county = org("CC", "测试县", store.LevelCounty, w.city)
	acct := func(name, kind string, o *store.Org) *store.Account {
		a := &store.Account{Name: fmt.Sprintf("%s-%d", name, w.n), Kind: kind, OrgID: o.ID, Balance: 100_000, Secret: "s", CreatedAt: time.Now()}
		if err := sb.Store.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	w.unit = acct("county-unit", store.KindUnit, w.county)
	w.partner = acct("partner", store.KindPartner, w.city)
	w.other = acct("other-city", store.KindUnit, w.city2)
	if err := sb.Core.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// userIn creates a user of a role in an organisation (or of a partner
// account) and returns its name and password.
func userIn(t *testing.T, role string, org *store.Org, acct *store.Account) (string, string) {
	t.Helper()
	name := fmt.Sprintf("adm%d", userSeq.Add(1))
	pw := core.NewSecret("", 9)
	h, err := core.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: name, PasswordHash: h, Role: role, CreatedAt: time.Now()}
	if org != nil {
		u.OrgID = org.ID
	}
	if acct != nil {
		u.AccountID, u.OrgID = acct.ID, acct.OrgID
	}
	if err := sb.Store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return name, pw
}

// loggedIn is a browser logged in as a new user of role.
func loggedIn(t *testing.T, srv *httptest.Server, role string, org *store.Org, acct *store.Account) (*browser, string) {
	t.Helper()
	name, pw := userIn(t, role, org, acct)
	b := newBrowser(t, srv)
	b.mustLogin(name, pw)
	return b, name
}

// audit lists the audit entries of object type obj made by user.
func audit(t *testing.T, obj, user string) []*store.AuditEntry {
	t.Helper()
	es, err := sb.Store.Audit(context.Background(), store.AuditQuery{Object: obj, Username: user})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func form(csrf string, kv ...string) url.Values {
	v := url.Values{"csrf": {csrf}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func wantStatus(t *testing.T, what string, p page, status int) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s = %d, want %d; body: %.800s", what, p.Status, status, p.Body)
	}
}

var admNumSeq atomic.Int64

func admNumber() string { return fmt.Sprintf("1370%07d", 2_000_000+admNumSeq.Add(1)) }

// The page table follows the admin API's role table, page by page.
func TestAdminPagesFollowAPIRoles(t *testing.T) {
	if m := web.AdminRoleMismatches(sb.API.AdminRoles()); len(m) > 0 {
		t.Fatalf("the administration pages and the admin API disagree:\n%s", strings.Join(m, "\n"))
	}
}

// Who opens what: a county operator never opens the province's pages, not
// even by typing the URL, and its menu does not offer them; a partner sees
// its own account and nothing else; an auditor reads but does not change.
func TestAdminRolesAndScope(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)

	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	home := op.get("/")
	mustContain(t, "operator's menu", home.Body, `href="/admin/orgs"`, `href="/admin/accounts"`, "管理")
	mustNotContain(t, "operator's menu", home.Body, `href="/admin/users"`, `href="/admin/business-types"`, `href="/admin/words"`,
		`href="/admin/review"`, `href="/admin/blacklist"`, `href="/admin/segments"`, `href="/admin/audit"`)
	for _, path := range []string{"/admin/users", "/admin/business-types", "/admin/business-types/notice", "/admin/words",
		"/admin/review", "/admin/blacklist", "/admin/segments", "/admin/audit"} {
		p := op.get(path)
		wantStatus(t, "county operator GET "+path, p, http.StatusForbidden)
		mustContain(t, path, p.Body, "您的角色无权打开此页面")
	}
	tok := op.csrf()
	for _, path := range []string{"/admin/orgs", "/admin/words", "/admin/blacklist", "/admin/business-types", "/admin/users"} {
		wantStatus(t, "county operator POST "+path, op.post(path, form(tok, "code", "X", "name", "X", "words", "x")), http.StatusForbidden)
	}
	// Its organisations: the county only, read-only.
	p := op.get("/admin/orgs")
	wantStatus(t, "operator orgs", p, http.StatusOK)
	mustContain(t, "operator's tree", p.Body, w.county.Code)
	mustNotContain(t, "operator's tree", p.Body, w.city.Code+`"`, w.prov.Code+`"`, `action="/admin/orgs"`)
	// Its accounts: the county's, not the other city's; another account's page is 404.
	p = op.get("/admin/accounts")
	mustContain(t, "operator's accounts", p.Body, w.unit.Name)
	mustNotContain(t, "operator's accounts", p.Body, w.other.Name, w.partner.Name, `id="account-add"`)
	wantStatus(t, "operator opens another city's account", op.get(fmt.Sprintf("/admin/accounts/%d", w.other.ID)), http.StatusNotFound)

	// A partner: its own account only.
	pb, _ := loggedIn(t, srv, store.RolePartner, nil, w.partner)
	p = pb.get("/admin/accounts")
	wantStatus(t, "partner accounts", p, http.StatusOK)
	mustContain(t, "partner's accounts", p.Body, w.partner.Name)
	mustNotContain(t, "partner's accounts", p.Body, w.unit.Name, w.other.Name, sb.Account.Name+"<")
	wantStatus(t, "partner opens its account", pb.get(fmt.Sprintf("/admin/accounts/%d", w.partner.ID)), http.StatusOK)
	wantStatus(t, "partner opens a unit account", pb.get(fmt.Sprintf("/admin/accounts/%d", w.unit.ID)), http.StatusNotFound)
	wantStatus(t, "partner opens the tree", pb.get("/admin/orgs"), http.StatusForbidden)
	mustNotContain(t, "partner's account page", pb.get(fmt.Sprintf("/admin/accounts/%d", w.partner.ID)).Body, `/recharge"`, `id="limits"`)

	// A city's administrator: the city and its county, not the province
	// or the other city; may add below the city, not elsewhere.
	ca, caName := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	p = ca.get("/admin/orgs")
	mustContain(t, "city admin's tree", p.Body, `data-code="`+w.city.Code+`"`, `data-code="`+w.county.Code+`"`)
	mustNotContain(t, "city admin's tree", p.Body, `data-code="`+w.prov.Code+`"`, `data-code="`+w.city2.Code+`"`)
	tok = ca.csrf()
	newCounty := fmt.Sprintf("T%d-NEW", w.n)
	p = ca.post("/admin/orgs", form(tok, "parent", strconv.FormatInt(w.city2.ID, 10), "code", newCounty, "name", "越权县"))
	wantStatus(t, "city admin adds below another city", p, http.StatusForbidden)
	mustContain(t, "refused add", p.Body, "不在您的管辖范围内", `value="`+newCounty+`"`, "越权县") // kept what was typed
	p = ca.post("/admin/orgs", form(tok, "parent", strconv.FormatInt(w.city.ID, 10), "code", newCounty, "name", "新县"))
	wantStatus(t, "city admin adds a county", p, http.StatusSeeOther)
	if es := audit(t, "org", caName); len(es) != 1 || es[0].Action != "create" || !strings.Contains(es[0].After, newCounty) {
		t.Fatalf("audit of the new county: %+v", es)
	}
	// A duplicate code is refused next to the code field, the name kept.
	p = ca.post("/admin/orgs", form(tok, "parent", strconv.FormatInt(w.city.ID, 10), "code", newCounty, "name", "重复县"))
	wantStatus(t, "duplicate code", p, http.StatusConflict)
	mustContain(t, "duplicate code", p.Body, "该编码已被其他机构使用", "重复县")
	// Renaming the county is audited with before and after.
	p = ca.post(fmt.Sprintf("/admin/orgs/%d", w.county.ID), form(tok, "name", "改名县", "code", w.county.Code))
	wantStatus(t, "rename", p, http.StatusSeeOther)
	es := audit(t, "org", caName)
	if len(es) != 2 || es[0].Action != "update" || !strings.Contains(es[0].Before, w.county.Name) || !strings.Contains(es[0].After, "改名县") {
		t.Fatalf("audit of the rename: %+v", es)
	}
	mustContain(t, "tree after rename", ca.get("/admin/orgs?m=org_renamed").Body, "改名县", "已保存机构名称")
	// Not the province: 404 as for what does not exist.
	wantStatus(t, "city admin renames the province", ca.post(fmt.Sprintf("/admin/orgs/%d", w.prov.ID), form(tok, "name", "x")), http.StatusNotFound)
	// Business types are the province's: read by auditors, changed by platform administrators.
	wantStatus(t, "city admin business types", ca.get("/admin/business-types"), http.StatusForbidden)
	au, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	p = au.get("/admin/business-types/notice")
	wantStatus(t, "auditor reads a business type", p, http.StatusOK)
	mustContain(t, "auditor's business type", p.Body, "<fieldset class=\"adm-group\" disabled>")
	wantStatus(t, "auditor changes a business type", au.post("/admin/business-types/notice", form(au.csrf(), "name", "x")), http.StatusForbidden)
	// The audit log of a city administrator: its own changes, not the platform's.
	p = ca.get("/admin/audit?object=org")
	wantStatus(t, "city admin audit", p, http.StatusOK)
	mustContain(t, "city admin audit", p.Body, newCounty, caName)
}

// Every POST needs the session's token, from the form or the header.
func TestAdminCSRF(t *testing.T) {
	srv := adminConsole(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	word := fmt.Sprintf("跨站词%d", worldSeq.Add(1))
	p := b.post("/admin/words", url.Values{"words": {word}, "action": {"reject"}})
	wantStatus(t, "add a word without a token", p, http.StatusForbidden)
	p = b.post("/admin/words", url.Values{"csrf": {"forged"}, "words": {word}, "action": {"reject"}})
	wantStatus(t, "add a word with a wrong token", p, http.StatusForbidden)
	mustNotContain(t, "word list", b.get("/admin/words").Body, word)
	p = b.post("/admin/words", url.Values{"words": {word}, "action": {"reject"}}, "X-CSRF-Token", b.csrf())
	wantStatus(t, "add a word with the header", p, http.StatusSeeOther)
	p = b.get("/admin/words?q=" + url.QueryEscape(word))
	mustContain(t, "word list", p.Body, word)
	id := regexp.MustCompile(`/admin/words/(\d+)/delete`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no remove form for the word")
	}
	wantStatus(t, "remove", b.post("/admin/words/"+id[1]+"/delete", form(b.csrf())), http.StatusSeeOther)
}

// Users: an organisation's administrator adds one (the made password shown
// once), is told next to the field what is wrong, disables and resets.
func TestAdminUsers(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	ca, caName := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	tok := ca.csrf()
	name := fmt.Sprintf("t%d-op", w.n)
	p := ca.post("/admin/users", form(tok, "username", name, "role", store.RolePlatformAdmin, "org", strconv.FormatInt(w.county.ID, 10)))
	wantStatus(t, "city admin makes a platform administrator", p, http.StatusForbidden)
	mustContain(t, "refusal", p.Body, "只有平台管理员可以设置或修改平台管理员", `value="`+name+`"`)
	p = ca.post("/admin/users", form(tok, "username", name, "role", store.RoleOperator, "org", strconv.FormatInt(w.county.ID, 10)))
	wantStatus(t, "add an operator", p, http.StatusCreated)
	mustContain(t, "new user", p.Body, `id="new-password"`, "只显示", name)
	pw := regexp.MustCompile(`id="new-password-value">([^<]+)<`).FindStringSubmatch(p.Body)
	if pw == nil {
		t.Fatal("the made password is not shown")
	}
	nb := newBrowser(t, srv)
	nb.mustLogin(name, pw[1])
	if es := audit(t, "user", caName); len(es) != 1 || es[0].Action != "create" || strings.Contains(es[0].After, pw[1]) {
		t.Fatalf("audit of the new user: %+v", es)
	}
	// Taken: said next to the username, the choices kept.
	p = ca.post("/admin/users", form(tok, "username", name, "role", store.RoleAuditor, "org", strconv.FormatInt(w.city.ID, 10)))
	wantStatus(t, "duplicate user", p, http.StatusConflict)
	mustContain(t, "duplicate user", p.Body, "该用户名已被使用", `value="`+store.RoleAuditor+`" selected`)

	u, err := sb.Store.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	uid := strconv.FormatInt(u.ID, 10)
	wantStatus(t, "disable", ca.post("/admin/users/"+uid, form(tok, "op", "disable")), http.StatusSeeOther)
	if p := nb.get("/"); strings.Contains(p.Body, "退出") {
		t.Fatal("a disabled user's session still works")
	}
	wantStatus(t, "enable", ca.post("/admin/users/"+uid, form(tok, "op", "enable")), http.StatusSeeOther)
	p = ca.post("/admin/users/"+uid, form(tok, "op", "reset"))
	wantStatus(t, "reset", p, http.StatusOK)
	pw2 := regexp.MustCompile(`id="new-password-value">([^<]+)<`).FindStringSubmatch(p.Body)
	if pw2 == nil || pw2[1] == pw[1] {
		t.Fatalf("reset shows no new password: %.300s", p.Body)
	}
	if p := newBrowser(t, srv).login(name, pw[1]); p.Status == http.StatusSeeOther {
		t.Fatal("the old password still works after a reset")
	}
	newBrowser(t, srv).mustLogin(name, pw2[1])
	// Its own row has no buttons; another city's user is out of reach.
	mustNotContain(t, "own row", rowOf(ca.get("/admin/users?q="+caName).Body, caName), `value="disable"`)
	loggedIn(t, srv, store.RoleOperator, w.city2, nil)
	mustNotContain(t, "city admin's users", ca.get("/admin/users").Body, w.city2.Name)
}

// rowOf is the table row of a user.
func rowOf(body, user string) string {
	i := strings.Index(body, `data-user="`+user+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</tr>")
	return body[i : i+j]
}

// Accounts: create (secret once), recharge with a note (audited, in the
// ledger), a refused amount keeps the form, limits and grants.
func TestAdminAccounts(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	name := fmt.Sprintf("t%d-new", w.n)
	p := b.post("/admin/accounts", form(tok, "name", name, "kind", "unit", "org", strconv.FormatInt(w.county.ID, 10), "balance", "abc"))
	wantStatus(t, "bad opening balance", p, http.StatusBadRequest)
	mustContain(t, "bad opening balance", p.Body, "请输入金额", `value="`+name+`"`, `value="abc"`)
	p = b.post("/admin/accounts", form(tok, "name", name, "kind", "unit", "org", strconv.FormatInt(w.county.ID, 10), "balance", "12.5"))
	wantStatus(t, "create account", p, http.StatusCreated)
	mustContain(t, "new account", p.Body, `id="new-secret-value"`)
	acc, err := sb.Store.AccountByName(context.Background(), name)
	if err != nil || acc.Balance != 12_500 || acc.OrgID != w.county.ID {
		t.Fatalf("new account %+v %v", acc, err)
	}
	path := fmt.Sprintf("/admin/accounts/%d", acc.ID)

	p = b.post(path+"/recharge", form(tok, "amount", "0", "note", "零"))
	wantStatus(t, "zero recharge", p, http.StatusBadRequest)
	mustContain(t, "zero recharge", p.Body, "金额不能为 0", `value="零"`)
	p = b.post(path+"/recharge", form(tok, "amount", "500", "note", "转账 0042"))
	wantStatus(t, "recharge", p, http.StatusSeeOther)
	if a, _ := sb.Store.GetAccount(context.Background(), acc.ID); a.Balance != 512_500 {
		t.Fatalf("balance after recharge %d", a.Balance)
	}
	es := audit(t, "account", sb.AdminUser)
	if len(es) == 0 || es[0].Action != "recharge" || es[0].ObjectID != strconv.FormatInt(acc.ID, 10) || !strings.Contains(es[0].After, "转账 0042") {
		t.Fatalf("audit of the recharge: %+v", es[0])
	}
	p = b.get(path)
	mustContain(t, "account page", p.Body, "转账 0042", "512.500", `data-confirm-amount=`)

	// Limits: a bad address is said next to its field and kept.
	p = b.post(path+"/limits", form(tok, "tps", "20", "daily_quota", "5000", "ip_allow", "not-an-ip"))
	wantStatus(t, "bad limits", p, http.StatusBadRequest)
	mustContain(t, "bad limits", p.Body, "请输入有效的 IP 地址", "not-an-ip", `value="5000"`)
	wantStatus(t, "limits", b.post(path+"/limits", form(tok, "tps", "20", "daily_quota", "5000", "ip_allow", "203.0.113.0/24\n192.0.2.7")), http.StatusSeeOther)
	if l := sb.Core.AccountLimits(acc.ID); l.TPS != 20 || l.DailyQuota != 5000 || len(l.IPAllow) != 2 {
		t.Fatalf("limits %+v", l)
	}
	// Grants: only notice.
	wantStatus(t, "grants", b.post(path+"/grants", form(tok, "business", "notice")), http.StatusSeeOther)
	g, err := sb.Core.Grants(context.Background(), store.GrantAccount, acc.ID)
	if err != nil || len(g.Own) != 1 || g.Own[0] != "notice" {
		t.Fatalf("grants %+v %v", g, err)
	}
	if es := audit(t, "grants", sb.AdminUser); len(es) == 0 {
		t.Fatal("grants not audited")
	}
	// An organisation's administrator recharges below it but sets no limits.
	ca, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	wantStatus(t, "city admin recharges the county's account", ca.post(path+"/recharge", form(ca.csrf(), "amount", "-2.5", "note", "调整")), http.StatusSeeOther)
	wantStatus(t, "city admin sets limits", ca.post(path+"/limits", form(ca.csrf(), "tps", "1")), http.StatusForbidden)
	wantStatus(t, "city admin recharges another city's account", ca.post(fmt.Sprintf("/admin/accounts/%d/recharge", w.other.ID),
		form(ca.csrf(), "amount", "1", "note", "x")), http.StatusNotFound)

	// Grants to an organisation reach the unit accounts below it (A4).
	wantStatus(t, "city admin grants", ca.post(fmt.Sprintf("/admin/orgs/%d/grants", w.city.ID), form(ca.csrf(), "business", "verify")),
		http.StatusForbidden)
	wantStatus(t, "org grants", b.post(fmt.Sprintf("/admin/orgs/%d/grants", w.city.ID), form(tok, "business", "verify")), http.StatusSeeOther)
	if g, err := sb.Core.Grants(context.Background(), store.GrantAccount, w.unit.ID); err != nil || !slices.Contains(g.Effective, "verify") {
		t.Fatalf("the county's unit account after a grant to the city: %+v %v", g, err)
	}
	mustContain(t, "tree with grants", b.get("/admin/orgs").Body, "验证码")
	p = b.post(fmt.Sprintf("/admin/orgs/%d/grants", w.city.ID), form(tok, "business", "no-such-type"))
	wantStatus(t, "grant of an unknown type", p, http.StatusBadRequest)
	mustContain(t, "grant of an unknown type", p.Body, "业务类型不存在")
}

// Business types: every setting through the form, a value of the wrong
// kind or one the core refuses said next to its field, enable/disable.
func TestAdminBusinessTypes(t *testing.T) {
	srv := adminConsole(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	code := fmt.Sprintf("survey%d", worldSeq.Add(1))
	fields := func(kv ...string) url.Values {
		v := form(tok, "code", code, "name", "满意度调查", "enabled", "1", "priority", "2", "max_retries", "1", "retry_interval", "10s",
			"validity", "", "max_segments", "0", "charge_mode", "per_message", "fee", "0.03", "charge_on", "submitted", "monthly_fee", "0",
			"monthly_cap", "0", "report_required", "1", "service_code", "", "mo_keywords", "", "send_from", "08:00", "send_until", "21:00",
			"freq_limit", "3", "freq_window", "24h", "signature", "prefix", "unsubscribe_text", "回T退订")
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	p := b.post("/admin/business-types", fields("retry_interval", "ten seconds"))
	wantStatus(t, "bad duration", p, http.StatusBadRequest)
	mustContain(t, "bad duration", p.Body, "请输入时长", `value="ten seconds"`, `value="满意度调查"`)
	p = b.post("/admin/business-types", fields("charge_mode", "monthly", "monthly_fee", "0"))
	wantStatus(t, "monthly without a fee", p, http.StatusBadRequest)
	mustContain(t, "monthly without a fee", p.Body, "包月方式需要包月费", "表单中有需要修改的项目")
	p = b.post("/admin/business-types", fields())
	wantStatus(t, "create", p, http.StatusSeeOther)
	bt, err := sb.Core.BusinessType(context.Background(), code)
	if err != nil || bt.FeePerSegment != 30 || bt.FreqLimit != 3 || bt.Signature != "prefix" || bt.SendFrom != 8*60 || bt.Priority != 2 {
		t.Fatalf("created %+v %v", bt, err)
	}
	p = b.get("/admin/business-types/" + code)
	mustContain(t, "edit page", p.Body, `value="08:00"`, `value="24h"`, `value="回T退订"`, `value="0.030"`)
	wantStatus(t, "edit", b.post("/admin/business-types/"+code, fields("fee", "0.05", "send_from", "", "send_until", "", "report_required", "")),
		http.StatusSeeOther)
	if bt, _ = sb.Core.BusinessType(context.Background(), code); bt.FeePerSegment != 50 || bt.SendFrom != bt.SendUntil || bt.ReportRequired {
		t.Fatalf("edited %+v", bt)
	}
	es := audit(t, "business_type", sb.AdminUser)
	if len(es) < 2 || es[0].ObjectID != code || es[0].Action != "update" {
		t.Fatalf("audit %+v", es[0])
	}
	wantStatus(t, "disable", b.post("/admin/business-types/"+code, form(tok, "op", "toggle", "enabled", "0")), http.StatusSeeOther)
	if bt, _ = sb.Core.BusinessType(context.Background(), code); bt.Enabled {
		t.Fatal("still enabled")
	}
	mustContain(t, "list", b.get("/admin/business-types").Body, `data-code="`+code+`"`, "已停用")
}

// apiSend sends through the HTTP API with the sandbox's key.
func apiSend(t *testing.T, to, content string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"to": []string{to}, "content": content})
	req, _ := http.NewRequest("POST", "http://"+sb.Addr()+"/api/v1/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+sb.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode >= 300 {
		t.Fatalf("API send = %d %v", resp.StatusCode, m)
	}
	return m
}

// Forbidden words and the review queue: words added many at once (a
// duplicate left in the box), a text with a review word held, marked in
// the queue, rejected without a reason refused, approved — and sent.
func TestAdminWordsAndReview(t *testing.T) {
	srv := adminConsole(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	n := worldSeq.Add(1)
	w1, w2 := fmt.Sprintf("审核甲%d", n), fmt.Sprintf("审核乙%d", n)
	p := b.post("/admin/words", form(tok, "words", w1+"\n"+w2+"\n\n", "action", "review"))
	wantStatus(t, "add words", p, http.StatusSeeOther)
	p = b.post("/admin/words", form(tok, "words", w1+"\n"+fmt.Sprintf("审核丙%d", n), "action", "review"))
	wantStatus(t, "add a duplicate", p, http.StatusBadRequest)
	mustContain(t, "partly added", p.Body, "已添加 1 个", "已在列表中", ">"+w1+"</textarea>")
	if es := audit(t, "filter_word", sb.AdminUser); len(es) < 3 {
		t.Fatalf("words not audited: %d entries", len(es))
	}
	t.Cleanup(func() {
		ws, _ := sb.Store.FilterWords(context.Background())
		for _, fw := range ws {
			if strings.HasSuffix(fw.Word, strconv.FormatInt(n, 10)) {
				_ = sb.Core.FilterWordRemove(context.Background(), fw.ID)
			}
		}
	})

	to := admNumber()
	m := apiSend(t, to, "恭喜您获得 "+w1+" 资格")
	if m["held"] != true {
		t.Fatalf("not held: %v", m)
	}
	batch := m["batch_id"].(string)
	msgID := m["messages"].([]any)[0].(map[string]any)["id"].(string)
	p = b.get("/admin/review")
	wantStatus(t, "review queue", p, http.StatusOK)
	mustContain(t, "review queue", p.Body, `data-batch="`+batch+`"`, "<mark>"+w1+"</mark>")
	// Rejecting needs a reason: said next to the box.
	p = b.post("/admin/review/"+batch+"/reject", form(tok, "reason", "  "))
	wantStatus(t, "reject without a reason", p, http.StatusBadRequest)
	mustContain(t, "reject without a reason", p.Body, "驳回时请填写原因")
	// An operator may not decide.
	ob, _ := loggedIn(t, srv, store.RoleOperator, nil, nil)
	wantStatus(t, "operator approves", ob.post("/admin/review/"+batch+"/approve", form(ob.csrf())), http.StatusForbidden)

	p = b.post("/admin/review/"+batch+"/approve", form(tok))
	wantStatus(t, "approve", p, http.StatusSeeOther)
	if es := audit(t, "hold", sb.AdminUser); len(es) == 0 || es[0].Action != "approve" || es[0].ObjectID != batch {
		t.Fatalf("approval not audited: %+v", es)
	}
	id, _ := strconv.ParseInt(msgID, 10, 64)
	deadline := time.Now().Add(20 * time.Second)
	for {
		msg, err := sb.Store.GetMessage(context.Background(), 0, id)
		if err == nil && msg.State == store.Delivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("approved message not delivered: %+v %v", msg, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Decided once: a second decision is refused and says so.
	p = b.post("/admin/review/"+batch+"/reject", form(tok, "reason", "晚了"))
	wantStatus(t, "second decision", p, http.StatusConflict)
	mustContain(t, "second decision", p.Body, "已由其他审核员处理")
	mustContain(t, "decided list", b.get("/admin/review?state=decided").Body, `data-batch="`+batch+`"`, "已通过")
}

// The blacklist: a paste with a bad number is refused whole and kept, a
// good one added; a number found; a file imported with its progress; an
// entry lifted — each audited.
func TestAdminBlacklist(t *testing.T) {
	srv := adminConsole(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	n1, n2 := admNumber(), admNumber()
	p := b.post("/admin/blacklist", form(tok, "numbers", n1+"\n12345\n"+n2, "reason", "投诉"))
	wantStatus(t, "paste with a bad number", p, http.StatusBadRequest)
	mustContain(t, "paste with a bad number", p.Body, "有 1 个号码无效", "<li>12345</li>", n1, `value="投诉"`)
	if sb.Core.Blocked(n1, "") {
		t.Fatal("a refused paste added numbers")
	}
	p = b.post("/admin/blacklist", form(tok, "numbers", n1+", "+n2, "reason", "投诉"))
	wantStatus(t, "paste", p, http.StatusSeeOther)
	p = b.get(p.location())
	mustContain(t, "after the paste", p.Body, "2 个号码已在黑名单中（新增 2 个）")
	if !sb.Core.Blocked(n1, "notice") || !sb.Core.Blocked(n2, "") {
		t.Fatal("numbers not blacklisted")
	}
	mustContain(t, "find", b.get("/admin/blacklist?number="+url.QueryEscape("+86 "+n1)).Body, `data-number="`+n1+`"`, "投诉", "管理员 "+sb.AdminUser)

	// A file: a header, 250 numbers, one repeated, two invalid rows.
	var file strings.Builder
	file.WriteString("手机号,备注\n")
	var nums []string
	for range 250 {
		nums = append(nums, admNumber())
		file.WriteString(nums[len(nums)-1] + ",x\n")
	}
	file.WriteString(nums[0] + "\nabc\n123\n")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", tok)
	_ = mw.WriteField("business", "notice")
	_ = mw.WriteField("reason", "退订名单")
	fw, _ := mw.CreateFormFile("file", "黑名单.csv")
	_, _ = fw.Write([]byte(file.String()))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.base+"/admin/blacklist/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	p = b.do(req)
	wantStatus(t, "import", p, http.StatusSeeOther)
	job := p.location()
	if !strings.HasPrefix(job, "/admin/blacklist/import/") {
		t.Fatalf("import answer goes to %q", job)
	}
	var st struct {
		Total, Done, Added, Invalid int
		Finished                    bool
		Error                       string
	}
	deadline := time.Now().Add(15 * time.Second)
	for !st.Finished {
		if time.Now().After(deadline) {
			t.Fatalf("import not finished: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
		sp := b.get(job+"/status", "Accept", "application/json")
		if err := json.Unmarshal([]byte(sp.Body), &st); err != nil {
			t.Fatalf("status %q: %v", sp.Body, err)
		}
	}
	if st.Total != 250 || st.Done != 250 || st.Added != 250 || st.Invalid != 2 || st.Error != "" {
		t.Fatalf("import result %+v", st)
	}
	mustContain(t, "import page", b.get(job).Body, "导入完成", "2 行不是有效号码", "abc")
	if !sb.Core.Blocked(nums[249], "notice") || sb.Core.Blocked(nums[249], "verify") {
		t.Fatal("imported numbers not on the notice blacklist only")
	}
	if es := audit(t, "blacklist", sb.AdminUser); len(es) < 2 || !strings.Contains(es[0].After, `"source":"import"`) {
		t.Fatalf("import not audited: %+v", es[0])
	}
	// Someone else's import is not to be seen.
	other := newBrowser(t, srv)
	name, pw := userIn(t, store.RolePlatformAdmin, nil, nil)
	other.mustLogin(name, pw)
	wantStatus(t, "another user's import", other.get(job), http.StatusNotFound)

	wantStatus(t, "lift", b.post("/admin/blacklist/remove", form(tok, "number", n1, "business", "")), http.StatusSeeOther)
	if sb.Core.Blocked(n1, "") {
		t.Fatal("still blacklisted")
	}
	mustContain(t, "after lifting", b.get("/admin/blacklist?number="+n1).Body, "不在黑名单中")
	// An auditor reads, never changes.
	au, _ := loggedIn(t, srv, store.RoleAuditor, nil, nil)
	p = au.get("/admin/blacklist")
	wantStatus(t, "auditor reads", p, http.StatusOK)
	mustNotContain(t, "auditor's blacklist", p.Body, `id="bl-add"`, `/admin/blacklist/remove`)
	wantStatus(t, "auditor adds", au.post("/admin/blacklist", form(au.csrf(), "numbers", n1)), http.StatusForbidden)
}

// Signatures and templates: a unit registers, a platform administrator
// approves; the unit may not approve its own.
func TestAdminSignaturesAndTemplates(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	ca, caName := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	tok := ca.csrf()
	sig := fmt.Sprintf("【测试单位%d】", w.n)
	p := ca.post("/admin/signatures", form(tok, "text", "【1】", "owner", ""))
	wantStatus(t, "bad signature", p, http.StatusBadRequest)
	mustContain(t, "bad signature", p.Body, "签名须为 2 至 20 个字", `value="【1】"`)
	wantStatus(t, "register", ca.post("/admin/signatures", form(tok, "text", sig, "owner", "")), http.StatusSeeOther)
	p = ca.get("/admin/signatures?state=pending")
	mustContain(t, "pending", p.Body, sig, "待审批")
	mustNotContain(t, "city admin's list", p.Body, "/approve\"")
	id := regexp.MustCompile(`data-id="(\d+)" data-state="pending"`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no row")
	}
	wantStatus(t, "city admin approves", ca.post("/admin/signatures/"+id[1]+"/approve", form(tok)), http.StatusForbidden)
	if es := audit(t, "signature", caName); len(es) != 1 || es[0].Action != "create" {
		t.Fatalf("registration audit %+v", es)
	}
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	wantStatus(t, "approve", b.post("/admin/signatures/"+id[1]+"/approve", form(b.csrf(), "back_state", "pending")), http.StatusSeeOther)
	mustContain(t, "approved", ca.get("/admin/signatures?state=approved").Body, sig)

	code := fmt.Sprintf("parcel_%d", w.n)
	wantStatus(t, "template", ca.post("/admin/templates", form(tok, "code", code, "business", "notice", "text", "{name}，您的包裹已到", "owner", "")),
		http.StatusSeeOther)
	p = ca.post("/admin/templates", form(tok, "code", code, "business", "notice", "text", "{name}，再来一次", "owner", ""))
	wantStatus(t, "duplicate template", p, http.StatusConflict)
	mustContain(t, "duplicate template", p.Body, "该单位已有相同编码的模板", "再来一次")
	p = b.get("/admin/templates?state=pending")
	mustContain(t, "templates", p.Body, code, "<code>name</code>")
	tid := regexp.MustCompile(`data-id="(\d+)" data-state="pending"`).FindStringSubmatch(p.Body)
	p = b.post("/admin/templates/"+tid[1]+"/reject", form(b.csrf(), "reason", ""))
	wantStatus(t, "reject without a reason", p, http.StatusBadRequest)
	wantStatus(t, "reject", b.post("/admin/templates/"+tid[1]+"/reject", form(b.csrf(), "reason", "请写明取件地址")), http.StatusSeeOther)
	mustContain(t, "rejected", ca.get("/admin/templates?state=rejected").Body, "请写明取件地址")
}

// Segments: the table, a number's operator and gateways; the audit log
// filtered by object and by user.
func TestAdminSegmentsAndAudit(t *testing.T) {
	srv := adminConsole(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	p := b.get("/admin/segments?number=13800138000")
	wantStatus(t, "segments", p, http.StatusOK)
	mustContain(t, "segments", p.Body, "13800138000 属于中国移动", `data-operator="cmcc"`, "<code>138</code>", "正常")
	wantStatus(t, "bad number", b.get("/admin/segments?number=12"), http.StatusBadRequest)
	mustContain(t, "prefix filter", b.get("/admin/segments?q=133").Body, "<code>133</code>")
	mustNotContain(t, "prefix filter", b.get("/admin/segments?q=133").Body, "<code>138</code>")

	w := newWorld(t)
	tok := b.csrf()
	wantStatus(t, "rename", b.post(fmt.Sprintf("/admin/orgs/%d", w.city2.ID), form(tok, "name", "审计市", "code", w.city2.Code)), http.StatusSeeOther)
	p = b.get("/admin/audit?object=org&object_id=" + strconv.FormatInt(w.city2.ID, 10))
	wantStatus(t, "audit", p, http.StatusOK)
	mustContain(t, "audit by object", p.Body, "审计市", "修改", sb.AdminUser)
	if strings.Count(p.Body, `<tr data-id=`) != 1 {
		t.Fatalf("audit filter by object: %d rows", strings.Count(p.Body, `<tr data-id=`))
	}
	mustNotContain(t, "audit by another user", b.get("/admin/audit?user=nobody-at-all").Body, "<tr data-id=")
	wantStatus(t, "id without type", b.get("/admin/audit?object_id=1"), http.StatusBadRequest)
}

// Every administration page renders in English too.
func TestAdminPagesEnglish(t *testing.T) {
	srv := adminConsole(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	b.get("/?lang=en")
	for _, path := range []string{"/admin/orgs", "/admin/users", "/admin/accounts", fmt.Sprintf("/admin/accounts/%d", sb.Account.ID),
		"/admin/business-types", "/admin/business-types?new", "/admin/business-types/notice", "/admin/words", "/admin/review",
		"/admin/review?state=decided", "/admin/blacklist", "/admin/signatures", "/admin/templates", "/admin/segments", "/admin/audit"} {
		p := b.get(path)
		wantStatus(t, "GET "+path, p, http.StatusOK)
		mustContain(t, path, p.Body, "Administration")
		mustNotContain(t, path, p.Body, "[adm.", "[nav.")
	}
}
