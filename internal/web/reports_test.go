package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hongyan/internal/biz/settle"
	"hongyan/internal/core"
	"hongyan/internal/store"
	"hongyan/internal/web"
)

// A small province of our own (codes unique per test run, so other tests'
// traffic never mixes in): a province with a unit account, a city with a
// unit account and a partner account, a county under the city with a unit
// account; a few messages from each, delivered.
type repProvince struct {
	prov, city, county        *store.Org
	accP, accC, accK, partner *store.Account
	sent                      map[int64]int // account → messages sent
}

var fixSeq atomic.Int64

func newProvince(t *testing.T) *repProvince {
	t.Helper()
	ctx := context.Background()
	n := fixSeq.Add(1)
	tag := fmt.Sprintf("RP%d%d", time.Now().UnixNano()%100000, n)
	p := &repProvince{sent: map[int64]int{}}
	mkOrg := func(code, name string, level int, parent *store.Org) *store.Org {
		o := &store.Org{Level: level, Code: tag + code, Name: name + tag, CreatedAt: time.Now()}
		if parent != nil {
			o.ParentID = parent.ID
		}
		if err := sb.Store.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	p.prov = mkOrg("", "省", store.LevelProvince, nil)
	p.city = mkOrg("-C", "市", store.LevelCity, p.prov)
	p.county = mkOrg("-C-K", "县", store.LevelCounty, p.city)
	mkAcc := func(name, kind string, org *store.Org) *store.Account {
		a := &store.Account{Name: strings.ToLower(tag) + "-" + name, Kind: kind, OrgID: org.ID, Balance: 1_000_000_000,
			Secret: core.NewSecret("", 18), CreatedAt: time.Now()}
		if err := sb.Store.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	p.accP = mkAcc("prov", store.KindUnit, p.prov)
	p.accC = mkAcc("city", store.KindUnit, p.city)
	p.accK = mkAcc("county", store.KindUnit, p.county)
	p.partner = mkAcc("partner", store.KindPartner, p.city)
	if err := sb.Store.SetGrants(ctx, store.GrantOrg, p.prov.ID, []string{store.GrantAll}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Store.SetGrants(ctx, store.GrantAccount, p.partner.ID, []string{store.GrantAll}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	send := func(a *store.Account, business string, to ...string) {
		res, err := sb.Core.Accept(ctx, &core.SendRequest{AccountID: a.ID, To: to, Content: "报表测试 " + business, Business: business})
		if err != nil {
			t.Fatalf("send from %s: %v", a.Name, err)
		}
		for _, m := range res.Messages {
			ids = append(ids, m.ID)
		}
		p.sent[a.ID] += len(to)
	}
	send(p.accP, "notice", "13800138001", "18600186001", "18900189001")
	send(p.accC, "notice", "13800138002", "13800138003")
	send(p.accC, "verify", "18600186002")
	send(p.accK, "marketing", "13900139004")
	send(p.partner, "notice", "13500135005", "18900189005")
	waitFinal(t, ids)
	return p
}

// waitFinal waits until every message is in a final state.
func waitFinal(t *testing.T, ids []int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for {
			m, err := sb.Store.GetMessage(context.Background(), 0, id)
			if err != nil {
				t.Fatal(err)
			}
			if m.State.Final() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("message %d still %s after 30 s", id, m.State)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// newScopedUser creates a user of a role in an organisation (or for an account).
func newScopedUser(t *testing.T, role string, org *store.Org, acc *store.Account) (string, string) {
	t.Helper()
	name := fmt.Sprintf("rp-user%d-%d", userSeq.Add(1), time.Now().UnixNano()%100000)
	pw := core.NewSecret("", 9)
	h, err := core.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: name, PasswordHash: h, Role: role, CreatedAt: time.Now()}
	if org != nil {
		u.OrgID = org.ID
	}
	if acc != nil {
		u.AccountID, u.OrgID = acc.ID, acc.OrgID
	}
	if err := sb.Store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return name, pw
}

// repFigures are what the tests expect per group, summed from the store's counters.
type repFigures struct{ accepted, submitted, segments, delivered, failed, blocked, fees int64 }

func (f *repFigures) add(r store.StatRow) {
	switch r.State {
	case store.Accepted:
		f.accepted += r.Messages
	case store.Submitted:
		f.submitted += r.Messages
		f.segments += r.Segments
	case store.Delivered:
		f.delivered += r.Messages
	case store.Undelivered, store.Expired, store.Rejected, store.Failed, store.Unknown:
		f.failed += r.Messages
	case store.Filtered, store.Blacklisted:
		f.blocked += r.Messages
	}
	f.fees += r.Fees
}

// today is the report day (Shanghai) and its query parameters.
func repToday() (time.Time, string) {
	d := store.DayStart(time.Now())
	s := d.Format("2006-01-02")
	return d, "period=custom&from=" + s + "&to=" + s
}

// expected sums the store's counters of accounts for today by a key.
func storeFigures(t *testing.T, accounts []int64, dim store.StatDim, key func(store.StatRow) string) map[string]repFigures {
	t.Helper()
	d, _ := repToday()
	q := store.StatsQuery{From: d, To: d.AddDate(0, 0, 1), Accounts: accounts}
	if dim != "" {
		q.GroupBy = []store.StatDim{dim}
	} else {
		q.Grain = store.GrainHour
	}
	rows, err := sb.Store.Stats(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]repFigures{}
	for _, r := range rows {
		f := out[key(r)]
		f.add(r)
		out[key(r)] = f
	}
	return out
}

// parseCSV reads an export: UTF-8 with a byte-order mark.
func parseCSV(t *testing.T, p page) [][]string {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("CSV export: %d %.300s", p.Status, p.Body)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("CSV export Content-Type %q", ct)
	}
	if !strings.HasPrefix(p.Body, "\ufeff") {
		t.Fatal("CSV export has no byte-order mark (Excel would read it as GBK)")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV export: %v", err)
	}
	return recs
}

// parseXLSX reads an export's first sheet as text (numbers as Excel shows them raw).
func parseXLSX(t *testing.T, p page) ([][]string, *excelize.File) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("XLSX export: %d %.300s", p.Status, p.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(p.Body)))
	if err != nil {
		t.Fatalf("XLSX export: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows, f
}

// checkTable compares an export's rows (the label in column keyCol, the
// figures after nLabels columns) with the store's figures.
func checkTable(t *testing.T, what string, rows [][]string, keyCol, nLabels int, want map[string]repFigures) {
	t.Helper()
	got := map[string]repFigures{}
	num := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("%s: %q is not a count", what, s)
		}
		return n
	}
	fee := func(s string) int64 {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: %q is not an amount", what, s)
		}
		return int64(f*1000 + 0.5)
	}
	for _, r := range rows[1:] {
		for len(r) < nLabels+8 {
			r = append(r, "")
		}
		f := repFigures{accepted: num(r[nLabels]), submitted: num(r[nLabels+1]), segments: num(r[nLabels+2]),
			delivered: num(r[nLabels+3]), failed: num(r[nLabels+4]), blocked: num(r[nLabels+5]), fees: fee(r[nLabels+7])}
		if f == (repFigures{}) {
			continue // a quiet hour of the day
		}
		got[r[keyCol]] = f
	}
	for k, w := range want {
		if w == (repFigures{}) {
			delete(want, k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d groups %v, want %d %v", what, len(got), got, len(want), want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q = %+v, want %+v", what, k, got[k], w)
		}
	}
}

func sid(n int64) string { return strconv.FormatInt(n, 10) }

var missingKeyRE = regexp.MustCompile(`\[(rep|stl|acct|pw|exp|nav|op|home)\.[a-z_.]*\]`)

// noMissingKeys fails on a catalogue key the page shows bracketed: one
// made at run time (msgKey) that the catalogue lacks.
func noMissingKeys(t *testing.T, what, body string) {
	t.Helper()
	if m := missingKeyRE.FindAllString(body, 5); m != nil {
		t.Errorf("%s shows keys the catalogue lacks: %v", what, m)
	}
}

// Each role sees its own part of the province: a county operator its
// county, a city administrator the city with its county and partner, a
// partner its own account; settlement is refused to all three, the
// account page shows each their own, and a filter outside the scope is
// refused rather than answered.
func TestReportsScope(t *testing.T) {
	p := newProvince(t)
	srv := console(t, web.Options{})
	_, q := repToday()

	cases := []struct {
		role     string
		org      *store.Org
		acc      *store.Account
		accounts []*store.Account
	}{
		{store.RoleOperator, p.county, nil, []*store.Account{p.accK}},
		{store.RoleOrgAdmin, p.city, nil, []*store.Account{p.accC, p.accK, p.partner}},
		{store.RolePartner, nil, p.partner, []*store.Account{p.partner}},
		{store.RoleAuditor, p.prov, nil, []*store.Account{p.accP, p.accC, p.accK, p.partner}},
	}
	for _, c := range cases {
		t.Run(c.role, func(t *testing.T) {
			name, pw := newScopedUser(t, c.role, c.org, c.acc)
			b := newBrowser(t, srv)
			b.mustLogin(name, pw)
			var ids []int64
			for _, a := range c.accounts {
				ids = append(ids, a.ID)
			}
			home := b.get("/")
			mustContain(t, "landing page", home.Body, `href="/reports"`, `href="/account"`, `href="/password"`)

			dash := b.get("/reports?" + q)
			if dash.Status != http.StatusOK {
				t.Fatalf("GET /reports = %d: %.400s", dash.Status, dash.Body)
			}
			noMissingKeys(t, "dashboard", dash.Body)
			want := storeFigures(t, ids, "", func(store.StatRow) string { return "all" })["all"]
			mustContain(t, "dashboard", dash.Body, `data-key="accepted"><span>提交</span><strong data-value="`+sid(want.accepted)+`"`,
				`data-key="delivered"><span>成功</span><strong data-value="`+sid(want.delivered)+`"`)
			sent := 0
			for _, a := range c.accounts {
				sent += p.sent[a.ID]
			}
			if want.accepted != int64(sent) {
				t.Errorf("store counts %d accepted for %s's accounts, the test sent %d", want.accepted, c.role, sent)
			}

			// the traffic export equals the store's counters of exactly these accounts
			recs := parseCSV(t, b.get("/reports/export?view=traffic&format=csv&"+q))
			checkTable(t, "traffic CSV", recs, 0, 1, storeFigures(t, ids, "", func(r store.StatRow) string {
				return r.Bucket.In(store.Shanghai).Format("2006-01-02 15:04")
			}))

			if c.role == store.RolePartner {
				if p := b.get("/reports/export?view=account&format=csv&" + q); p.Status != http.StatusBadRequest {
					t.Errorf("partner: the account ranking export = %d, want 400", p.Status)
				}
			} else {
				recs := parseCSV(t, b.get("/reports/export?view=account&format=csv&"+q))
				checkTable(t, "account CSV", recs, 0, 2, storeFigures(t, ids, store.DimAccount, func(r store.StatRow) string { return sid(r.AccountID) }))
			}
			// a filter outside the scope is refused, and tells nothing
			other := p.accP
			if c.role == store.RoleAuditor {
				other = nil
			}
			if other != nil {
				pg := b.get("/reports?" + q + "&account=" + sid(other.ID))
				if pg.Status != http.StatusBadRequest {
					t.Errorf("a report of an account outside the scope = %d, want 400", pg.Status)
				}
				mustContain(t, "refused filter", pg.Body, "不在您的权限范围内")
				if ex := b.get("/reports/export?view=traffic&format=csv&account=" + sid(other.ID) + "&" + q); ex.Status != http.StatusBadRequest {
					t.Errorf("an export of an account outside the scope = %d, want 400", ex.Status)
				}
				if pg := b.get("/account?id=" + sid(other.ID)); pg.Status != http.StatusNotFound {
					t.Errorf("the account page of an account outside the scope = %d, want 404", pg.Status)
				}
			}

			// settlement is the province's: refused to everyone here but the auditor
			st := b.get("/settlement")
			if c.role == store.RoleAuditor {
				if st.Status != http.StatusOK {
					t.Errorf("auditor GET /settlement = %d", st.Status)
				}
			} else {
				if st.Status != http.StatusForbidden {
					t.Errorf("%s GET /settlement = %d, want 403", c.role, st.Status)
				}
				mustNotContain(t, "landing page", home.Body, `href="/settlement"`)
				if ex := b.get("/settlement/export?format=csv"); ex.Status != http.StatusForbidden {
					t.Errorf("%s settlement export = %d, want 403", c.role, ex.Status)
				}
			}

			// the account page shows their own account first
			acct := b.get("/account")
			if acct.Status != http.StatusOK {
				t.Fatalf("GET /account = %d", acct.Status)
			}
			mustContain(t, "account page", acct.Body, `<span id="acct-name">`+c.accounts[0].Name+`</span>`)
			noMissingKeys(t, "account page", acct.Body)
			if c.role == store.RolePartner {
				mustContain(t, "partner's account page", acct.Body, `id="key-create"`)
				mustNotContain(t, "partner's account page", acct.Body, p.accC.Name, p.accK.Name)
			}
			if c.role == store.RoleOperator || c.role == store.RoleAuditor {
				mustNotContain(t, c.role+"'s account page", acct.Body, `id="key-create"`)
				form := url.Values{"csrf": {b.csrf()}, "account": {sid(c.accounts[0].ID)}}
				if pg := b.post("/account/keys", form); pg.Status != http.StatusForbidden {
					t.Errorf("%s creating a key = %d, want 403", c.role, pg.Status)
				}
			}
		})
	}
}

// The exports of every view, CSV and XLSX, equal the store's counters; the
// headers are Chinese, or English after the switch.
func TestReportExports(t *testing.T) {
	p := newProvince(t)
	srv := console(t, web.Options{})
	name, pw := newScopedUser(t, store.RoleOrgAdmin, p.prov, nil)
	b := newBrowser(t, srv)
	b.mustLogin(name, pw)
	_, q := repToday()
	ids := []int64{p.accP.ID, p.accC.ID, p.accK.ID, p.partner.ID}
	orgCode := map[int64]string{p.prov.ID: p.prov.Code, p.city.ID: p.city.Code, p.county.ID: p.county.Code}

	views := []struct {
		view, head      string
		keyCol, nLabels int
		dim             store.StatDim
		key             func(store.StatRow) string
	}{
		{"traffic", "时间", 0, 1, "", func(r store.StatRow) string { return r.Bucket.In(store.Shanghai).Format("2006-01-02 15:04") }},
		{"operator", "运营商代码", 0, 2, store.DimOperator, func(r store.StatRow) string { return r.Operator }},
		{"gateway", "网关", 0, 1, store.DimGateway, func(r store.StatRow) string {
			if r.Gateway == "" {
				return "（未经网关）"
			}
			return r.Gateway
		}},
		{"business", "业务代码", 0, 2, store.DimBusiness, func(r store.StatRow) string { return r.Business }},
		{"account", "账户ID", 0, 2, store.DimAccount, func(r store.StatRow) string { return sid(r.AccountID) }},
		{"org", "机构代码", 0, 2, store.DimOrg, func(r store.StatRow) string { return orgCode[r.OrgID] }},
	}
	for _, v := range views {
		want := storeFigures(t, ids, v.dim, v.key)
		recs := parseCSV(t, b.get("/reports/export?view="+v.view+"&format=csv&"+q))
		if recs[0][0] != v.head || !slices.Contains(recs[0], "成功率(%)") || !slices.Contains(recs[0], "费用(元)") {
			t.Errorf("%s CSV header %q: want Chinese, starting %q", v.view, recs[0], v.head)
		}
		checkTable(t, v.view+" CSV", recs, v.keyCol, v.nLabels, want)
		ex := b.get("/reports/export?view=" + v.view + "&format=xlsx&" + q)
		if ct := ex.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("%s XLSX Content-Type %q", v.view, ct)
		}
		rows, f := parseXLSX(t, ex)
		if rows[0][0] != v.head {
			t.Errorf("%s XLSX header %q", v.view, rows[0])
		}
		checkTable(t, v.view+" XLSX", rows, v.keyCol, v.nLabels, want)
		if f.SheetCount != 2 {
			t.Errorf("%s XLSX has %d sheets, want the table and what it holds", v.view, f.SheetCount)
		}
	}
	// The city drill-down: a business type and an operator narrow every figure.
	pg := b.get("/reports?" + q + "&org=" + sid(p.city.ID) + "&business=notice&operator=cmcc")
	if pg.Status != http.StatusOK {
		t.Fatalf("drill-down = %d: %.300s", pg.Status, pg.Body)
	}
	mustContain(t, "breadcrumb", pg.Body, "机构："+p.city.Name, "业务：业务通知", "运营商：中国移动")
	rows, err := sb.Store.Stats(context.Background(), store.StatsQuery{From: store.DayStart(time.Now()), To: store.DayStart(time.Now()).AddDate(0, 0, 1),
		Accounts: ids, Orgs: []int64{p.city.ID}, Business: "notice", Operator: "cmcc"})
	if err != nil {
		t.Fatal(err)
	}
	var f repFigures
	for _, r := range rows {
		f.add(r)
	}
	if f.accepted != 3 { // the city's unit sent two notices to China Mobile numbers, its partner one
		t.Errorf("store: %d accepted for the drill-down, want 3", f.accepted)
	}
	mustContain(t, "drill-down", pg.Body, `data-key="accepted"><span>提交</span><strong data-value="3"`)

	// English headers after the switch.
	if p := b.get("/reports?lang=en"); p.Status != http.StatusSeeOther {
		t.Fatalf("language switch = %d", p.Status)
	}
	for _, path := range []string{"/reports?period=7d", "/reports?period=month", "/reports?period=custom&from=2025-01-01&to=2025-12-31", "/account", "/password"} {
		pg := b.get(path)
		if pg.Status != http.StatusOK {
			t.Errorf("English %s = %d", path, pg.Status)
		}
		noMissingKeys(t, "English "+path, pg.Body)
	}
	recs := parseCSV(t, b.get("/reports/export?view=business&format=csv&"+q))
	if recs[0][0] != "Business code" || !slices.Contains(recs[0], "Fees (yuan)") {
		t.Errorf("English CSV header %q", recs[0])
	}
	if bad := b.get("/reports/export?view=nope&format=csv&" + q); bad.Status != http.StatusBadRequest {
		t.Errorf("unknown view = %d, want 400", bad.Status)
	}
}

var keyRE = regexp.MustCompile(`<code id="new-key-value">(hy_[A-Za-z0-9_-]+)</code>`)

// A partner creates a key on its account page, sees it once, it works at
// once; revoking it stops it at once. Another account's keys are out of
// reach, and both changes are in the audit log.
func TestAccountKeys(t *testing.T) {
	p := newProvince(t)
	srv := console(t, web.Options{})
	name, pw := newScopedUser(t, store.RolePartner, nil, p.partner)
	b := newBrowser(t, srv)
	b.mustLogin(name, pw)
	tok := b.csrf()

	if pg := b.post("/account/keys", url.Values{"account": {sid(p.partner.ID)}}); pg.Status != http.StatusForbidden {
		t.Fatalf("key without a CSRF token = %d, want 403", pg.Status)
	}
	if pg := b.post("/account/keys", url.Values{"csrf": {tok}, "account": {sid(p.accC.ID)}}); pg.Status != http.StatusNotFound {
		t.Fatalf("key for another account = %d, want 404", pg.Status)
	}
	pg := b.post("/account/keys", url.Values{"csrf": {tok}, "account": {sid(p.partner.ID)}})
	if pg.Status != http.StatusCreated {
		t.Fatalf("create key = %d: %.400s", pg.Status, pg.Body)
	}
	mustContain(t, "new key", pg.Body, "请立即复制", `data-copy="new-key-value"`)
	m := keyRE.FindStringSubmatch(pg.Body)
	if m == nil {
		t.Fatalf("the new key is not shown: %.600s", pg.Body)
	}
	key := m[1]
	if a := sb.Core.AccountByKey(key); a == nil || a.ID != p.partner.ID {
		t.Fatalf("the new key does not authenticate the partner's account: %v", a)
	}
	again := b.get("/account")
	mustNotContain(t, "account page after", again.Body, key)
	mustContain(t, "account page after", again.Body, `data-prefix="`+key[:8]+`"`, "有效")

	// revoke it
	rv := b.post("/account/keys/revoke", url.Values{"csrf": {tok}, "account": {sid(p.partner.ID)}, "prefix": {key[:8]}})
	if rv.Status != http.StatusSeeOther || !strings.Contains(rv.location(), "m=revoked") {
		t.Fatalf("revoke = %d %q", rv.Status, rv.location())
	}
	if a := sb.Core.AccountByKey(key); a != nil {
		t.Fatal("a revoked key still authenticates")
	}
	after := b.get(rv.location())
	mustContain(t, "after revoking", after.Body, "密钥已撤销", "已撤销")
	again2 := b.post("/account/keys/revoke", url.Values{"csrf": {tok}, "account": {sid(p.partner.ID)}, "prefix": {key[:8]}})
	if !strings.Contains(again2.location(), "m=norevoke") {
		t.Errorf("revoking twice: %d %q, want the page saying there is no such live key", again2.Status, again2.location())
	}

	es, err := sb.Store.Audit(context.Background(), store.AuditQuery{Object: "api_key", ObjectID: sid(p.partner.ID) + ":" + key[:8]})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, e := range es {
		if e.Username == name {
			acts = append(acts, e.Action)
		}
	}
	if !slices.Contains(acts, "create") || !slices.Contains(acts, "revoke") || len(acts) != 2 {
		t.Errorf("audit log has %v for the key, want create and revoke", acts)
	}

	// an organisation administrator manages the keys of the accounts below it
	an, apw := newScopedUser(t, store.RoleOrgAdmin, p.city, nil)
	ab := newBrowser(t, srv)
	ab.mustLogin(an, apw)
	if pg := ab.post("/account/keys", url.Values{"csrf": {ab.csrf()}, "account": {sid(p.accK.ID)}}); pg.Status != http.StatusCreated {
		t.Errorf("city administrator creating a key for the county's account = %d", pg.Status)
	}
	if pg := ab.post("/account/keys", url.Values{"csrf": {ab.csrf()}, "account": {sid(p.accP.ID)}}); pg.Status != http.StatusNotFound {
		t.Errorf("city administrator creating a key for the repProvince's account = %d, want 404", pg.Status)
	}
}

// Changing one's password: the API's rules (8 to 128 characters, not the
// old one, the old one checked under the login lockout), clear errors,
// other sessions ended, the old password gone.
func TestPasswordChange(t *testing.T) {
	srv := console(t, web.Options{})
	name, pw := newUser(t, store.RoleOperator)
	b, other := newBrowser(t, srv), newBrowser(t, srv)
	b.mustLogin(name, pw)
	other.mustLogin(name, pw)
	tok := b.csrf()
	post := func(old, nw, confirm string) page {
		return b.post("/password", url.Values{"csrf": {tok}, "old": {old}, "new": {nw}, "confirm": {confirm}})
	}
	if pg := b.get("/password"); pg.Status != http.StatusOK {
		t.Fatalf("GET /password = %d", pg.Status)
	}
	if pg := b.post("/password", url.Values{"old": {pw}, "new": {"abcdefgh1"}, "confirm": {"abcdefgh1"}}); pg.Status != http.StatusForbidden {
		t.Errorf("without a CSRF token = %d, want 403", pg.Status)
	}
	for _, c := range []struct {
		old, nw, confirm string
		status           int
		says             string
	}{
		{pw, "short", "short", 400, "8 到 128 个字符"},
		{pw, strings.Repeat("x", 129), strings.Repeat("x", 129), 400, "8 到 128 个字符"},
		{pw, "new-password-1", "new-password-2", 400, "两次输入的新密码不一致"},
		{pw, pw, pw, 400, "不能与当前密码相同"},
		{"wrong-old-pass", "new-password-1", "new-password-1", 403, "当前密码不正确"},
	} {
		pg := post(c.old, c.nw, c.confirm)
		if pg.Status != c.status {
			t.Errorf("change %q→%q: %d, want %d", c.old, c.nw, pg.Status, c.status)
		}
		mustContain(t, "password error", pg.Body, c.says)
	}
	newPW := "new-password-" + core.NewSecret("", 6)
	pg := post(pw, newPW, newPW)
	if pg.Status != http.StatusOK {
		t.Fatalf("change = %d: %.400s", pg.Status, pg.Body)
	}
	mustContain(t, "changed", pg.Body, "密码已修改")
	noMissingKeys(t, "password page", pg.Body)
	if p := b.get("/"); p.Status != http.StatusOK || !strings.Contains(p.Body, "退出") {
		t.Errorf("the session that changed it ended: %d", p.Status)
	}
	if p := other.get("/reports"); p.Status != http.StatusSeeOther {
		t.Errorf("the other session still works after the change: %d", p.Status)
	}
	if p := newBrowser(t, srv).login(name, pw); p.Status != http.StatusUnauthorized {
		t.Errorf("the old password still logs in: %d", p.Status)
	}
	newBrowser(t, srv).mustLogin(name, newPW)
	u, err := sb.Store.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	es, err := sb.Store.Audit(context.Background(), store.AuditQuery{Object: "user", ObjectID: sid(u.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 || es[0].Action != "password" || strings.Contains(es[0].After+es[0].Before, newPW) {
		t.Errorf("audit log for the change: %+v", es)
	}

	// Wrong old passwords count as failed logins: the fifth locks the name,
	// and then even the right one is refused.
	name2, pw2 := newUser(t, store.RoleOperator)
	b2 := newBrowser(t, srv)
	b2.mustLogin(name2, pw2)
	tok2 := b2.csrf()
	for i := range 5 {
		pg := b2.post("/password", url.Values{"csrf": {tok2}, "old": {"wrong-" + strconv.Itoa(i)}, "new": {"fresh-pass-1"}, "confirm": {"fresh-pass-1"}})
		if pg.Status != http.StatusForbidden {
			t.Fatalf("wrong old password %d = %d", i, pg.Status)
		}
	}
	pg = b2.post("/password", url.Values{"csrf": {tok2}, "old": {pw2}, "new": {"fresh-pass-1"}, "confirm": {"fresh-pass-1"}})
	if pg.Status != http.StatusTooManyRequests || pg.Header.Get("Retry-After") == "" {
		t.Fatalf("after 5 wrong old passwords: %d, want 429 with Retry-After", pg.Status)
	}
	mustContain(t, "locked", pg.Body, "临时锁定")
	if p := newBrowser(t, srv).login(name2, pw2); p.Status != http.StatusTooManyRequests {
		t.Errorf("login after the lock = %d, want 429 (the same lockout)", p.Status)
	}
}

// postFile posts a multipart form with one file, as a browser does.
func (b *browser) postFile(path string, fields url.Values, field, name string, data []byte) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.base+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// The month's statement as settle.Compute makes it, on the page and in
// both exports; an operator's bill reconciled, agreeing and not.
func TestSettlementPage(t *testing.T) {
	p := newProvince(t)
	cfg := &settle.Config{OperatorCosts: map[string]float64{"cmcc": 0.03, "cucc": 0.028}}
	srv := console(t, web.Options{Settlement: cfg})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	ctx := context.Background()
	from := store.MonthStart(time.Now())
	month := from.Format("2006-01")

	pg := b.get("/settlement?period=" + month)
	if pg.Status != http.StatusOK {
		t.Fatalf("GET /settlement = %d: %.300s", pg.Status, pg.Body)
	}
	noMissingKeys(t, "settlement page", pg.Body)
	mustContain(t, "settlement page", pg.Body, "运营商结算", "机构结算", p.accC.Name, p.city.Code, "¥0.03", `id="reconcile"`)
	if bad := b.get("/settlement?period=2026-13"); bad.Status != http.StatusBadRequest {
		t.Errorf("a bad month = %d, want 400", bad.Status)
	}
	stmt, err := settle.Compute(ctx, sb.Store, cfg, from, from.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string]settle.PartyLine{}
	for _, l := range stmt.Accounts {
		if strings.HasPrefix(l.Code, strings.SplitN(p.accC.Name, "-", 2)[0]+"-") {
			mine[l.Code] = l
		}
	}
	if len(mine) != 4 {
		t.Fatalf("the statement has %d of the test's 4 accounts", len(mine))
	}
	lineOf := func(r []string) string {
		return strings.Join([]string{r[0], r[1], r[2], r[3], r[4]}, "|")
	}
	wantLine := func(l settle.PartyLine) string {
		return strings.Join([]string{sid(l.Accepted), sid(l.Sent), sid(l.Segments), sid(l.Delivered), core.Yuan(l.Revenue)}, "|")
	}

	recs := parseCSV(t, b.get("/settlement/export?format=csv&period="+month))
	if recs[0][0] != "类别" || recs[0][1] != "对象" {
		t.Errorf("settlement CSV header %q", recs[0])
	}
	seen := 0
	for _, r := range recs[1:] {
		if l, ok := mine[r[1]]; ok && r[0] == "账户" {
			seen++
			if got := lineOf(r[5:10]); got != wantLine(l) {
				t.Errorf("CSV %s: %s, want %s", r[1], got, wantLine(l))
			}
		}
	}
	if seen != 4 {
		t.Errorf("CSV has %d of the test's accounts", seen)
	}

	ex := b.get("/settlement/export?format=xlsx&period=" + month)
	_, f := parseXLSX(t, ex)
	if n := f.GetSheetList(); len(n) != 5 || n[2] != "账户结算（合作方与业务单位）" {
		t.Errorf("XLSX sheets %q", n)
	}
	rows, err := f.GetRows("账户结算（合作方与业务单位）", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	seen = 0
	for _, r := range rows[1:] {
		if l, ok := mine[r[0]]; ok {
			seen++
			rev, _ := strconv.ParseFloat(r[8], 64)
			got := lineOf([]string{r[4], r[5], r[6], r[7], core.Yuan(int64(rev*1000 + 0.5))})
			if got != wantLine(l) {
				t.Errorf("XLSX %s: %s, want %s", r[0], got, wantLine(l))
			}
		}
	}
	if seen != 4 {
		t.Errorf("XLSX has %d of the test's accounts", seen)
	}

	// A bill of per-day totals, from our own records: it agrees; one more segment billed on a day: it differs.
	srows, err := sb.Store.Stats(ctx, store.StatsQuery{From: from, To: from.AddDate(0, 1, 0), Grain: store.GrainDay,
		Operator: "cmcc", GroupBy: []store.StatDim{store.DimGateway}})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var total int64
	for _, r := range srows {
		if r.State == store.Submitted && r.Segments > 0 {
			lines = append(lines, r.Bucket.In(store.Shanghai).Format("2006-01-02")+",cmcc,"+r.Gateway+","+sid(r.Segments))
			total += r.Segments
		}
	}
	if len(lines) == 0 {
		t.Fatal("no segments to China Mobile this month")
	}
	header := "date,operator,gateway,segments\n"
	bill := header + strings.Join(lines, "\n") + "\n"
	tok := b.csrf()
	form := url.Values{"csrf": {tok}, "period": {month}, "operator": {"cmcc"}}
	rc := b.postFile("/settlement/reconcile", form, "bill", "cmcc.csv", []byte(bill))
	if rc.Status != http.StatusOK {
		t.Fatalf("reconcile = %d: %.400s", rc.Status, rc.Body)
	}
	mustContain(t, "agreeing bill", rc.Body, `data-agree="true"`, "一致")
	noMissingKeys(t, "reconciliation", rc.Body)
	// bump the first line's count by 5
	parts := strings.Split(lines[0], ",")
	n, _ := strconv.ParseInt(parts[3], 10, 64)
	parts[3] = sid(n + 5)
	bumped := header + strings.Join(append([]string{strings.Join(parts, ",")}, lines[1:]...), "\n") + "\n"
	rc = b.postFile("/settlement/reconcile", form, "bill", "cmcc.csv", []byte(bumped))
	noMissingKeys(t, "differing reconciliation", rc.Body)
	mustContain(t, "differing bill", rc.Body, `data-agree="false"`, "有差异", `id="recon-days"`, `<td class="num">&#43;5</td>`)
	// A per-message bill: an id we never sent, and none of ours.
	rc = b.postFile("/settlement/reconcile", form, "bill", "cmcc.csv", []byte("op_msg_id,gateway\nNOSUCHID0001,cmcc-cmpp-1\n"))
	mustContain(t, "per-message bill", rc.Body, `data-agree="false"`, "账单有、平台未发送（1）", "NOSUCHID0001",
		"平台已发送、账单未列（"+sid(total)+"）")
	noMissingKeys(t, "per-message reconciliation", rc.Body)
	rc = b.postFile("/settlement/reconcile", form, "bill", "cmcc.csv", []byte("date,segments\n2001-01-01,x\n"))
	if rc.Status != http.StatusBadRequest {
		t.Errorf("an unreadable bill = %d, want 400", rc.Status)
	}
	mustContain(t, "unreadable bill", rc.Body, "账单无法读取")
	if rc := b.postFile("/settlement/reconcile", url.Values{"period": {month}, "operator": {"cmcc"}}, "bill", "x.csv", []byte(bill)); rc.Status != http.StatusForbidden {
		t.Errorf("reconcile without a CSRF token = %d, want 403", rc.Status)
	}
}
