package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// addKey gives an account a key and returns its prefix.
func addKey(t *testing.T, acct *store.Account) string {
	t.Helper()
	key := core.NewSecret("hy_", 24)
	k := &store.APIKey{Hash: core.HashKey(key), Prefix: key[:8], AccountID: acct.ID, CreatedAt: time.Now()}
	if err := sb.Store.CreateAPIKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	return k.Prefix
}

// The API keys page lists the keys in the user's scope with their
// account and organisation, filters them, and revokes one (audited,
// CSRF-protected) for the roles that hold keys.
func TestAdminKeysPage(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	unitKey, partnerKey, otherKey := addKey(t, w.unit), addKey(t, w.partner), addKey(t, w.other)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	mustContain(t, "admin's menu", b.get("/").Body, `href="/admin/keys"`)
	p := b.get("/admin/keys")
	wantStatus(t, "keys", p, http.StatusOK)
	mustContain(t, "keys", p.Body, unitKey, partnerKey, otherKey, w.unit.Name, w.county.Code, `id="keys"`)

	// Filters: an organisation takes in those below it; an account; a state.
	p = b.get("/admin/keys?org=" + url.QueryEscape(w.city.Code))
	mustContain(t, "keys of the city", p.Body, unitKey, partnerKey)
	mustNotContain(t, "keys of the city", p.Body, otherKey)
	p = b.get(fmt.Sprintf("/admin/keys?account=%d", w.other.ID))
	mustContain(t, "keys of one account", p.Body, otherKey)
	mustNotContain(t, "keys of one account", p.Body, unitKey)

	// The city's administrator sees the city's keys only, and revokes one.
	gz, gzName := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	p = gz.get("/admin/keys")
	mustContain(t, "city admin's keys", p.Body, unitKey, partnerKey, "吊销")
	mustNotContain(t, "city admin's keys", p.Body, otherKey)
	rev := form(gz.csrf(), "account", fmt.Sprint(w.unit.ID), "prefix", unitKey, "back", "/admin/keys?state=live")
	wantStatus(t, "revoke without a token", gz.post("/admin/keys/revoke", url.Values{"account": rev["account"], "prefix": rev["prefix"]}), http.StatusForbidden)
	outside := form(gz.csrf(), "account", fmt.Sprint(w.other.ID), "prefix", otherKey)
	wantStatus(t, "revoke outside the scope", gz.post("/admin/keys/revoke", outside), http.StatusNotFound)
	p = gz.post("/admin/keys/revoke", rev)
	wantStatus(t, "revoke", p, http.StatusSeeOther)
	if !strings.HasPrefix(p.location(), "/admin/keys?state=live") {
		t.Fatalf("after revoking: back to %q", p.location())
	}
	p = gz.get(p.location())
	mustContain(t, "after revoking", p.Body, "密钥已吊销", partnerKey)
	mustNotContain(t, "live keys after revoking", p.Body, unitKey)
	mustContain(t, "revoked keys", gz.get("/admin/keys?state=revoked").Body, unitKey, "已吊销")
	if es := audit(t, "api_key", gzName); len(es) != 1 || es[0].Action != "revoke" || es[0].ObjectID != fmt.Sprintf("%d:%s", w.unit.ID, unitKey) {
		t.Fatalf("audit of the revoke: %+v", es)
	}
	wantStatus(t, "revoke again", gz.post("/admin/keys/revoke", rev), http.StatusNotFound)

	// An auditor reads without the button; a partner sees its own account's
	// keys only; org_viewer has no page.
	au, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	p = au.get("/admin/keys")
	wantStatus(t, "auditor keys", p, http.StatusOK)
	mustNotContain(t, "auditor keys", p.Body, `action="/admin/keys/revoke"`)
	wantStatus(t, "auditor revokes", au.post("/admin/keys/revoke", form(au.csrf(), "account", fmt.Sprint(w.other.ID), "prefix", otherKey)), http.StatusForbidden)
	pb, _ := loggedIn(t, srv, store.RolePartner, nil, w.partner)
	p = pb.get("/admin/keys")
	mustContain(t, "partner keys", p.Body, partnerKey)
	mustNotContain(t, "partner keys", p.Body, otherKey, unitKey)
	viewer, vpw := newUser(t, "org_viewer")
	vb := newBrowser(t, srv)
	vb.mustLogin(viewer, vpw)
	wantStatus(t, "org_viewer keys", vb.get("/admin/keys"), http.StatusForbidden)
	b.get("/?lang=en")
	p = b.get("/admin/keys")
	mustContain(t, "keys in English", p.Body, "API keys", "Administration")
	mustNotContain(t, "keys in English", p.Body, "[adm.", "[nav.")
}

// The segment page changes the table: a prefix set to another operator
// routes the next number at once, a removed one falls to a shorter
// prefix, a ported number, undo; refusals keep the form; auditors read.
func TestAdminSegmentEdits(t *testing.T) {
	srv := adminConsole(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	prefix := fmt.Sprintf("1361%04d", worldSeq.Add(1)%10000) // 8 digits under 136 (China Mobile)
	number := prefix + "123"
	p := b.post("/admin/segments/prefixes", form(tok, "key", "12", "operator", "cucc"))
	wantStatus(t, "a short prefix", p, http.StatusBadRequest)
	mustContain(t, "a short prefix", p.Body, "号段须为 3 至 8 位数字", `value="12"`)
	p = b.post("/admin/segments/prefixes", form(tok, "key", prefix, "operator", "unicom"))
	wantStatus(t, "an unknown operator", p, http.StatusBadRequest)
	mustContain(t, "an unknown operator", p.Body, "请选择运营商")
	wantStatus(t, "set without a token", b.post("/admin/segments/prefixes", url.Values{"key": {prefix}, "operator": {"cucc"}}), http.StatusForbidden)

	p = b.post("/admin/segments/prefixes", form(tok, "key", prefix, "operator", "cucc"))
	wantStatus(t, "set a prefix", p, http.StatusSeeOther)
	p = b.get(p.location())
	mustContain(t, "after setting", p.Body, "号段已修改", `data-key="`+prefix+`"`, "中国联通", sb.AdminUser)
	if op := sb.Core.Segments().Operator(number); op != "cucc" {
		t.Fatalf("%s routes to %q after the page set %s to cucc", number, op, prefix)
	}
	mustContain(t, "lookup", b.get("/admin/segments?number="+number).Body, number+" 属于中国联通")
	if es := audit(t, "segment_prefix", sb.AdminUser); len(es) == 0 || es[0].ObjectID != prefix || !strings.Contains(es[0].After, "cucc") {
		t.Fatalf("audit of the prefix: %+v", es)
	}

	// A ported number, then undone from the list of changes.
	ported := admNumber()
	wantStatus(t, "a bad ported number", b.post("/admin/segments/ported", form(tok, "key", "123", "operator", "ctcc")), http.StatusBadRequest)
	wantStatus(t, "port a number", b.post("/admin/segments/ported", form(tok, "key", ported, "operator", "ctcc")), http.StatusSeeOther)
	if op := sb.Core.Segments().Operator(ported); op != "ctcc" {
		t.Fatalf("ported %s routes to %q", ported, op)
	}
	p = b.get("/admin/segments")
	row := regexp.MustCompile(`(?s)<tr data-key="` + ported + `" data-kind="ported">.*?</tr>`).FindString(p.Body)
	if !strings.Contains(row, `action="/admin/segments/ported/remove"`) {
		t.Fatalf("the ported number's row has no undo: %q", row)
	}
	wantStatus(t, "undo the port", b.post("/admin/segments/ported/remove", form(tok, "key", ported)), http.StatusSeeOther)
	if op := sb.Core.Segments().Operator(ported); op != "cmcc" {
		t.Fatalf("%s routes to %q after the undo", ported, op)
	}
	// Remove the edited prefix: it falls to 136; removing it again is refused.
	wantStatus(t, "remove the prefix", b.post("/admin/segments/prefixes/remove", form(tok, "key", prefix)), http.StatusSeeOther)
	if op := sb.Core.Segments().Operator(number); op != "cmcc" {
		t.Fatalf("%s routes to %q after %s was removed", number, op, prefix)
	}
	p = b.post("/admin/segments/prefixes/remove", form(tok, "key", prefix))
	wantStatus(t, "remove it again", p, http.StatusNotFound)
	mustContain(t, "remove it again", p.Body, "号段表中没有该号段或号码")
	mustNotContain(t, "changes after undoing", b.get("/admin/segments").Body, `data-key="`+prefix+`"`, `data-key="`+ported+`"`)

	// The auditor reads the page without the forms and may not post them.
	w := newWorld(t)
	au, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	p = au.get("/admin/segments")
	wantStatus(t, "auditor segments", p, http.StatusOK)
	mustContain(t, "auditor segments", p.Body, `id="segment-edits"`)
	mustNotContain(t, "auditor segments", p.Body, `id="seg-set"`, `id="seg-port"`)
	wantStatus(t, "auditor sets", au.post("/admin/segments/prefixes", form(au.csrf(), "key", prefix, "operator", "cucc")), http.StatusForbidden)
	wantStatus(t, "an unknown table", b.post("/admin/segments/nothing", form(tok, "key", prefix, "operator", "cucc")), http.StatusNotFound)
	b.get("/?lang=en")
	p = b.get("/admin/segments")
	mustContain(t, "segments in English", p.Body, "Changes to the segment table", "Add or change a prefix")
	mustNotContain(t, "segments in English", p.Body, "[adm.")
}

// The subscription page pushes to a service's subscribers through the
// admin API and shows the batches; a refused push keeps the form; an
// operator sees no push form.
func TestAdminSubscriptionPush(t *testing.T) {
	srv := adminConsole(t)
	w := newWorld(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	bt := newSubService(t, b, tok, w.unit)
	n1, n2 := admNumber(), admNumber()
	for _, n := range []string{n1, n2} {
		wantStatus(t, "subscribe "+n, b.post("/admin/subscriptions", form(tok, "business", bt, "number", n)), http.StatusSeeOther)
	}
	p := b.get("/admin/subscriptions?business=" + bt)
	mustContain(t, "push form", p.Body, `id="sub-push"`, "2 个在订")
	p = b.post("/admin/subscriptions/push", form(tok, "business", bt, "content", "  "))
	wantStatus(t, "an empty push", p, http.StatusBadRequest)
	mustContain(t, "an empty push", p.Body, "请填写要发送的内容")
	p = b.post("/admin/subscriptions/push", form(tok, "business", bt, "content", "今日新闻", "after", "12"))
	wantStatus(t, "a bad resume number", p, http.StatusBadRequest)
	mustContain(t, "a bad resume number", p.Body, "今日新闻")
	wantStatus(t, "push without a token", b.post("/admin/subscriptions/push", url.Values{"business": {bt}, "content": {"x"}}), http.StatusForbidden)

	// The provider may not send this business type yet: the API's refusal
	// comes back on the form, with what was typed.
	p = b.post("/admin/subscriptions/push", form(tok, "business", bt, "content", "今日新闻"))
	wantStatus(t, "a push the provider may not send", p, http.StatusForbidden)
	mustContain(t, "a push the provider may not send", p.Body, `id="sub-push"`, "今日新闻", "is not granted to the account")
	ctx := context.Background()
	if err := sb.Store.SetGrants(ctx, store.GrantAccount, w.unit.ID, []string{bt}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	p = b.post("/admin/subscriptions/push", form(tok, "business", bt, "content", "今日新闻"))
	wantStatus(t, "push", p, http.StatusSeeOther)
	p = b.get(p.location())
	mustContain(t, "after the push", p.Body, `id="push-result"`, "已向 "+bt+" 的在订用户提交 2 条，共 1 批；0 个号码被拒绝")
	m := regexp.MustCompile(`<a href="/batches/(\d+)" class="push-batch">`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no link to the push's batch")
	}
	msgs, err := sb.Store.MessagesTo(ctx, w.unit.ID, n1, 10)
	if err != nil || len(msgs) != 1 || fmt.Sprint(msgs[0].BatchID) != m[1] || msgs[0].Business != bt {
		t.Fatalf("the pushed message to %s: %+v %v (batch link %s)", n1, msgs, err, m[1])
	}
	wantStatus(t, "the batch page", b.get("/batches/"+m[1]), http.StatusOK)

	b.get("/?lang=en")
	p = b.get("/admin/subscriptions?business=" + bt)
	mustContain(t, "push in English", p.Body, "Send to subscribers", "2 active")
	mustNotContain(t, "push in English", p.Body, "[adm.")

	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	mustNotContain(t, "operator's page", op.get("/admin/subscriptions?business="+bt).Body, `id="sub-push"`)
	wantStatus(t, "operator pushes", op.post("/admin/subscriptions/push", form(op.csrf(), "business", bt, "content", "x")), http.StatusForbidden)
}

// newSubService makes a business type and a subscription service of it
// provided by acct, through the console; it returns the business code.
func newSubService(t *testing.T, b *browser, tok string, acct *store.Account) string {
	t.Helper()
	bt := fmt.Sprintf("news%d", worldSeq.Add(1))
	p := b.post("/admin/business-types", form(tok, "code", bt, "name", "新闻", "enabled", "1", "priority", "1", "max_retries", "1",
		"retry_interval", "10s", "validity", "", "max_segments", "0", "charge_mode", "per_message", "fee", "0.05", "charge_on", "submitted",
		"monthly_fee", "0", "monthly_cap", "0", "service_code", "", "mo_keywords", "", "send_from", "", "send_until", "",
		"freq_limit", "0", "freq_window", "", "signature", "", "unsubscribe_text", ""))
	wantStatus(t, "business type", p, http.StatusSeeOther)
	code := fmt.Sprintf("S%d", worldSeq.Add(1))
	wantStatus(t, "set service", b.post("/admin/subscriptions/services", form(tok, "business", bt, "code", code, "account", acct.Name)), http.StatusSeeOther)
	return bt
}
