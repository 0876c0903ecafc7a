package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/web"
)

// libEntries adds numbers to a category, each with its region.
func libEntries(t *testing.T, cat *store.NumberCategory, rows ...[3]string) {
	t.Helper()
	var es []store.NumberEntry
	for _, r := range rows {
		es = append(es, store.NumberEntry{CategoryID: cat.ID, Number: r[0], Province: r[1], City: r[2], CreatedAt: time.Now()})
	}
	if _, err := sb.Store.AddNumbers(context.Background(), es); err != nil {
		t.Fatal(err)
	}
}

// Sending to a library search's result: the library page offers it with
// the count; the form shows the filter; the server runs the search again
// at send time over the categories the user sees, each number once (one
// in two categories too), leaves out a blacklisted number, fills
// {city} per number; a category out of scope is 404, an empty result is
// said on the form, an auditor may not send.
func TestLibrarySearchSend(t *testing.T) {
	srv := adminConsole(t)
	ctx := context.Background()
	w := newBookWorld(t)
	a := newCategory(t, w.city, fmt.Sprintf("查找发送A-%d", w.n))
	b := newCategory(t, w.city, fmt.Sprintf("查找发送B-%d", w.n))
	g1, g2, s1, black, h1, h2, f1 := admNumber(), admNumber(), admNumber(), admNumber(), admNumber(), admNumber(), admNumber()
	libEntries(t, a, [3]string{g1, "广东", "广州"}, [3]string{g2, "广东", "广州"}, [3]string{s1, "广东", "深圳"},
		[3]string{black, "广东", "广州"}, [3]string{h1, "湖南", "长沙"}, [3]string{h2, "湖南", "长沙"})
	libEntries(t, b, [3]string{g1, "广东", "广州"}, [3]string{f1, "广东", "佛山"})
	if _, err := sb.Core.BlacklistAdd(ctx, []string{black}, "", "test", "admin"); err != nil {
		t.Fatal(err)
	}
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	filter := url.Values{"province": {"广东"}}
	p := city.get("/library?search=1&" + filter.Encode())
	mustContain(t, "library search", p.Body, "共找到 5 个号码", `id="lib-search-send" href="/library/send?province=`+url.QueryEscape("广东")+`"`)
	p = city.get("/library/send?" + filter.Encode())
	wantStatus(t, "search send form", p, http.StatusOK)
	mustContain(t, "search send form", p.Body, "全部类别 · 省份 广东", "共 5 个", `action="/library/send?province=`, "{province}")

	acct := strconv.FormatInt(w.cityAcct.ID, 10)
	p = city.post("/library/send?"+filter.Encode(), form(city.csrf(), "account", acct, "business", "notice", "content", "{city}的客户您好"))
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("search send = %d %q; %.600s", p.Status, p.location(), p.Body)
	}
	s := city.waitStatus(m[1], 30*time.Second, func(s statusJSON) bool { return s.State == "done" && s.Final == s.Total })
	if s.Total != 4 || s.Handed != 4 || s.count(store.Delivered) != 4 {
		t.Fatalf("search send status %+v, want the 4 sendable numbers of 广东 delivered", s)
	}
	want := map[string]string{g1: "广州的客户您好", g2: "广州的客户您好", s1: "深圳的客户您好", f1: "佛山的客户您好"}
	for n, text := range want {
		if ms, _ := sb.Store.MessagesTo(ctx, 0, n, 10); len(ms) != 1 || ms[0].Content != text {
			t.Fatalf("messages to %s: %+v, want one %q", n, ms, text)
		}
	}
	for _, n := range []string{black, h1, h2} {
		if ms, _ := sb.Store.MessagesTo(ctx, 0, n, 10); len(ms) != 0 {
			t.Fatalf("%s was sent to: %+v", n, ms)
		}
	}
	mustContain(t, "batch page", city.get("/batches/"+m[1]).Body, "号码库分类", "省份 广东")

	// One category and a city: only its numbers.
	filter = url.Values{"category": {strconv.FormatInt(b.ID, 10)}, "city": {"佛山"}}
	mustContain(t, "one category", city.get("/library/send?"+filter.Encode()).Body, "类别 "+b.Name+" · 城市 佛山", "共 1 个")

	// Out of scope: the other city's view of the city's category; the county
	// below sees none of the city's numbers.
	other, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city2, nil)
	wantStatus(t, "other city", other.get("/library/send?category="+strconv.FormatInt(a.ID, 10)), http.StatusNotFound)
	wantStatus(t, "other city post", other.post("/library/send?category="+strconv.FormatInt(a.ID, 10),
		form(other.csrf(), "business", "notice", "content", "x")), http.StatusNotFound)
	county, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	p = county.post("/library/send?province="+url.QueryEscape("广东"), form(county.csrf(), "account", strconv.FormatInt(w.unit.ID, 10),
		"business", "notice", "content", "不该发出"))
	wantStatus(t, "county's empty search", p, http.StatusBadRequest)
	aud, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	wantStatus(t, "auditor", aud.get("/library/send?province="+url.QueryEscape("广东")), http.StatusForbidden)
}

// A library send with an approved template: {city} is each number's city
// as the library has it, composed by the core (signature, unsubscribe
// text); a number without a city is left out; a template with a variable
// the library has not is refused on the form.
func TestLibrarySendWithTemplate(t *testing.T) {
	srv := console(t, web.Options{})
	ctx := context.Background()
	f := newTemplateFixture(t)
	tp := &store.Template{AccountID: f.acc.ID, Code: "region", Business: f.bt, Text: "{city}的客户，您好", CreatedBy: "test"}
	if err := sb.Core.CreateTemplate(ctx, tp); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.ReviewTemplate(ctx, tp, true, "", "root"); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	cat := newCategory(t, w.city, fmt.Sprintf("模板分类-%d", w.n))
	gz, sz, none := admNumber(), admNumber(), admNumber()
	libEntries(t, cat, [3]string{gz, "广东", "广州"}, [3]string{sz, "广东", "深圳"}, [3]string{none, "广东", ""})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	path, acct := "/library/"+strconv.FormatInt(cat.ID, 10)+"/send", strconv.FormatInt(f.acc.ID, 10)
	mustContain(t, "template hint", b.get(path+"?account="+acct).Body, "{city}", `<option value="`+strconv.FormatInt(tp.ID, 10)+`"`)

	p := b.post(path, url.Values{"csrf": {b.csrf()}, "account": {acct}, "business": {f.bt}, "template": {strconv.FormatInt(f.tpl.ID, 10)}})
	wantStatus(t, "a template with {name}", p, http.StatusBadRequest)
	mustContain(t, "a template with {name}", p.Body, "该模板使用 {name}")
	p = b.post(path, url.Values{"csrf": {b.csrf()}, "account": {acct}, "business": {f.bt}, "template": {strconv.FormatInt(tp.ID, 10)}})
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("template send = %d %q; %.600s", p.Status, p.location(), p.Body)
	}
	s := b.waitStatus(m[1], 30*time.Second, func(s statusJSON) bool { return s.State == "done" && s.count(store.Delivered) == 2 })
	if s.Total != 2 {
		t.Fatalf("template send status %+v", s)
	}
	for n, city := range map[string]string{gz: "广州", sz: "深圳"} {
		want := f.sign + city + "的客户，您好回T退订"
		if ms, _ := sb.Store.MessagesTo(ctx, 0, n, 10); len(ms) != 1 || ms[0].Content != want {
			t.Fatalf("messages to %s: %+v, want %q", n, ms, want)
		}
	}
	if ms, _ := sb.Store.MessagesTo(ctx, 0, none, 10); len(ms) != 0 {
		t.Fatalf("a number without a city was sent: %+v", ms)
	}
}
