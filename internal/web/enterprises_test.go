package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"hongyan/internal/store"
)

// kpiValue reads a figure at the top of a report (its raw value).
func kpiValue(t *testing.T, body, key string) int64 {
	t.Helper()
	m := regexp.MustCompile(`data-key="` + key + `"><span>[^<]*</span><strong data-value="(-?\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no figure %q on the page", key)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// Enterprise customers: a city administrator adds one with two of its
// accounts; the customer's report and its export equal the store's
// counters of those accounts; an account outside the scope is refused;
// the county below does not see the city's customer (404), an auditor
// reads and does not write, a partner has no page, CSRF is required;
// edit and delete.
func TestEnterprises(t *testing.T) {
	p := newProvince(t)
	srv := adminConsole(t)
	ctx := context.Background()
	_, today := repToday()
	city, _ := loggedIn(t, srv, store.RoleOrgAdmin, p.city, nil)
	name := fmt.Sprintf("鸿运物流-%s", p.city.Code)
	add := form(city.csrf(), "name", name, "contact", "张经理", "phone", "020-12345678", "address", "广州市", "note", "月结")
	add.Add("accounts", sid(p.accC.ID))
	add.Add("accounts", sid(p.partner.ID))
	pg := city.post("/enterprises", add)
	wantStatus(t, "create", pg, http.StatusSeeOther)
	es, err := sb.Store.Enterprises(ctx, store.EnterpriseQuery{OrgIDs: []int64{p.city.ID}})
	if err != nil || len(es) != 1 {
		t.Fatalf("stored: %v %v", es, err)
	}
	e := es[0]
	path := "/enterprises/" + sid(e.ID)
	if loc := pg.location(); loc != path+"?m=created" {
		t.Fatalf("after create: %q", loc)
	}
	if e.Contact != "张经理" || len(e.AccountIDs) != 2 {
		t.Fatalf("stored = %+v", e)
	}
	if pg = city.post("/enterprises", add); pg.Status != http.StatusConflict {
		t.Fatalf("same name again: %d", pg.Status)
	}
	if pg = city.post("/enterprises", form("wrong", "name", "x")); pg.Status != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", pg.Status)
	}
	bad := form(city.csrf(), "name", name+"-2")
	bad.Add("accounts", sid(p.accP.ID)) // the province's: above the city
	pg = city.post("/enterprises", bad)
	wantStatus(t, "account out of scope", pg, http.StatusBadRequest)
	mustContain(t, "account out of scope", pg.Body, "所选账户不在您的权限范围内")
	mustContain(t, "list", city.get("/enterprises?q=张经理").Body, name, p.accC.Name, p.partner.Name)

	// The report: today, by hour, from the counters of the two accounts.
	pg = city.get(path + "?" + today)
	wantStatus(t, "report", pg, http.StatusOK)
	mustContain(t, "report", pg.Body, name, "张经理", "panel-traffic", "/export?format=csv")
	noMissingKeys(t, "report", pg.Body)
	linked := []int64{p.accC.ID, p.partner.ID}
	var want repFigures
	for _, f := range storeFigures(t, linked, "", func(store.StatRow) string { return "" }) {
		want = f
	}
	if want.accepted != int64(p.sent[p.accC.ID]+p.sent[p.partner.ID]) {
		t.Fatalf("store: accepted %d, sent %d", want.accepted, p.sent[p.accC.ID]+p.sent[p.partner.ID])
	}
	for key, w := range map[string]int64{"accepted": want.accepted, "delivered": want.delivered, "fees": want.fees, "submitted": want.submitted} {
		if got := kpiValue(t, pg.Body, key); got != w {
			t.Errorf("report %s = %d, store %d", key, got, w)
		}
	}
	// The default period is this month, by day.
	mustContain(t, "month", city.get(path).Body, "按天", `aria-current="page" class="active">本月`)
	// The export: every hour of the day, as the store counts them.
	byHour := storeFigures(t, linked, "", func(r store.StatRow) string { return r.Bucket.Format("2006-01-02 15:04") })
	checkTable(t, "CSV", parseCSV(t, city.get(path+"/export?format=csv&"+today)), 0, 1, byHour)
	rows, _ := parseXLSX(t, city.get(path+"/export?format=xlsx&"+today))
	checkTable(t, "XLSX", rows, 0, 1, byHour)
	if pg = city.get(path + "?period=custom&from=2026-13-01"); pg.Status != http.StatusBadRequest {
		t.Fatalf("bad date: %d", pg.Status)
	}

	// The county below: neither listed nor reachable.
	county, _ := loggedIn(t, srv, store.RoleOperator, p.county, nil)
	mustNotContain(t, "county list", county.get("/enterprises").Body, name)
	for _, pg := range []page{county.get(path), county.get(path + "/export?format=csv"),
		county.post(path, form(county.csrf(), "name", "x")), county.post(path+"/delete", form(county.csrf()))} {
		if pg.Status != http.StatusNotFound {
			t.Fatalf("county reaching the city's customer: %d", pg.Status)
		}
	}
	// Its own customer, which the city sees too.
	kadd := form(county.csrf(), "name", name+"-县")
	kadd.Add("accounts", sid(p.accK.ID))
	wantStatus(t, "county create", county.post("/enterprises", kadd), http.StatusSeeOther)
	mustContain(t, "city sees the county's", city.get("/enterprises").Body, name+"-县")

	// An auditor reads, does not write; a partner has no such page.
	aud, _ := loggedIn(t, srv, store.RoleAuditor, p.prov, nil)
	wantStatus(t, "auditor reads", aud.get(path), http.StatusOK)
	if pg = aud.post(path+"/delete", form(aud.csrf())); pg.Status != http.StatusForbidden {
		t.Fatalf("auditor deleting: %d", pg.Status)
	}
	if pg = aud.post("/enterprises", form(aud.csrf(), "name", "x")); pg.Status != http.StatusForbidden {
		t.Fatalf("auditor creating: %d", pg.Status)
	}
	partner, _ := loggedIn(t, srv, store.RolePartner, nil, p.partner)
	for _, u := range []string{"/enterprises", path, path + "/export?format=csv"} {
		if pg = partner.get(u); pg.Status != http.StatusForbidden {
			t.Fatalf("partner %s: %d", u, pg.Status)
		}
	}

	// Edit: details and accounts replaced.
	upd := form(city.csrf(), "name", name, "contact", "王五")
	upd.Add("accounts", sid(p.accK.ID))
	wantStatus(t, "edit", city.post(path, upd), http.StatusSeeOther)
	e, err = sb.Store.Enterprise(ctx, e.ID)
	if err != nil || e.Contact != "王五" || len(e.AccountIDs) != 1 || e.AccountIDs[0] != p.accK.ID {
		t.Fatalf("edited: %+v %v", e, err)
	}
	if pg = city.post(path, form(city.csrf(), "name", "")); pg.Status != http.StatusBadRequest {
		t.Fatalf("empty name: %d", pg.Status)
	}
	wantStatus(t, "delete", city.post(path+"/delete", form(city.csrf())), http.StatusSeeOther)
	if pg = city.get(path); pg.Status != http.StatusNotFound {
		t.Fatalf("deleted: %d", pg.Status)
	}
}
