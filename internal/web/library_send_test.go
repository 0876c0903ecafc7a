package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Sending to a number-library category: the category's numbers go to the
// background hand-over (never through the browser) and are delivered; a
// user who does not see the category gets 404, one who may not send 403.
func TestLibrarySendToCategory(t *testing.T) {
	srv := adminConsole(t)
	ctx := context.Background()
	w := newBookWorld(t)
	c := &store.NumberCategory{OrgID: w.city.ID, Name: fmt.Sprintf("发送测试-%d", w.n), CreatedBy: "test", CreatedAt: time.Now()}
	if err := sb.Store.CreateNumberCategory(ctx, c); err != nil {
		t.Fatal(err)
	}
	nums := []string{admNumber(), admNumber(), admNumber()}
	var es []store.NumberEntry
	for _, n := range nums {
		es = append(es, store.NumberEntry{CategoryID: c.ID, Number: n, Province: "广东", City: "广州", CreatedAt: time.Now()})
	}
	if _, err := sb.Store.AddNumbers(ctx, es); err != nil {
		t.Fatal(err)
	}
	cid, acct := strconv.FormatInt(c.ID, 10), strconv.FormatInt(w.cityAcct.ID, 10)
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	mustContain(t, "library page", city.get("/library").Body, `href="/library/`+cid+`/send"`, "发送到此分类")
	p := city.get("/library/" + cid + "/send")
	wantStatus(t, "send form", p, http.StatusOK)
	mustContain(t, "send form", p.Body, `action="/library/`+cid+`/send"`, c.Name)

	p = city.post("/library/"+cid+"/send", form(city.csrf(), "account", acct, "business", "notice", "content", ""))
	wantStatus(t, "empty text", p, http.StatusBadRequest)
	p = city.post("/library/"+cid+"/send", form(city.csrf(), "account", acct, "business", "notice", "content", "号码库分类测试"))
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("library send = %d %q; %.600s", p.Status, p.location(), p.Body)
	}
	s := city.waitStatus(m[1], 30*time.Second, func(s statusJSON) bool { return s.State == "done" && s.count(store.Delivered) == 3 })
	if s.Total != 3 || s.Handed != 3 {
		t.Fatalf("library send status %+v", s)
	}
	for _, n := range nums {
		if ms, _ := sb.Store.MessagesTo(ctx, 0, n, 10); len(ms) != 1 || ms[0].Content != "号码库分类测试" {
			t.Fatalf("messages to %s: %+v", n, ms)
		}
	}
	mustContain(t, "batch page", city.get("/batches/"+m[1]).Body, "号码库分类", c.Name)

	// The county below does not see the city's category; an auditor may not send.
	county, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	wantStatus(t, "county", county.get("/library/"+cid+"/send"), http.StatusNotFound)
	wantStatus(t, "county post", county.post("/library/"+cid+"/send", form(county.csrf(), "business", "notice", "content", "x")), http.StatusNotFound)
	aud, _ := loggedIn(t, srv, store.RoleAuditor, w.prov, nil)
	wantStatus(t, "auditor", aud.get("/library/"+cid+"/send"), http.StatusForbidden)
}
