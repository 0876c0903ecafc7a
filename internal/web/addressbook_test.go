package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hongyan/internal/store"
)

// bookWorld is newWorld with a second county, a unit account of the city,
// service codes and grants, so that its users can send and reply.
type bookWorld struct {
	*world
	county2  *store.Org
	cityAcct *store.Account
}

func newBookWorld(t *testing.T) *bookWorld {
	t.Helper()
	ctx := context.Background()
	w := &bookWorld{world: newWorld(t)}
	w.county2 = &store.Org{ParentID: w.city.ID, Level: store.LevelCounty, Code: fmt.Sprintf("T%d-C2", w.n), Name: fmt.Sprintf("二县%d", w.n), CreatedAt: time.Now()}
	if err := sb.Store.CreateOrg(ctx, w.county2); err != nil {
		t.Fatal(err)
	}
	w.cityAcct = newAccount(t, w.city.ID, store.KindUnit, 1_000_000)
	for i, a := range []*store.Account{w.unit, w.cityAcct, w.other} {
		a.ServiceCode = fmt.Sprintf("1069%04d%d", w.n%10000, i)
		if err := sb.Store.UpdateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := sb.Store.SetGrants(ctx, store.GrantAccount, a.ID, []string{store.GrantAll}); err != nil {
			t.Fatal(err)
		}
		if _, err := sb.Store.Recharge(ctx, a.ID, 1_000_000, "recharge", "test", "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := sb.Core.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

func insertMO(t *testing.T, acct *store.Account, from, ext, text string) *store.MO {
	t.Helper()
	m := &store.MO{AccountID: acct.ID, From: from, To: acct.ServiceCode + ext, Content: text, Operator: "cmcc", Business: "notice", ReceivedAt: time.Now()}
	if err := sb.Store.InsertMO(context.Background(), []*store.MO{m}); err != nil {
		t.Fatal(err)
	}
	return m
}

func moURL(m *store.MO) string { return "/inbox/" + strconv.FormatInt(m.ID, 10) }

// The inbox shows the MO of the user's scope only, a message outside it is
// 404, a reply needs CSRF and a sending role, goes from the MO's account
// and extension, and shows in the conversation.
func TestInboxScopeAndReply(t *testing.T) {
	srv := adminConsole(t)
	w := newBookWorld(t)
	num := freshNumber()
	mine := insertMO(t, w.unit, num, "12", "县里的回复"+num)
	city := insertMO(t, w.cityAcct, freshNumber(), "", "市里的回复"+num)
	other := insertMO(t, w.other, freshNumber(), "", "别的市"+num)

	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	p := op.get("/inbox")
	wantStatus(t, "county inbox", p, http.StatusOK)
	mustContain(t, "county inbox", p.Body, "县里的回复"+num)
	mustNotContain(t, "county inbox", p.Body, "市里的回复"+num, "别的市"+num)
	wantStatus(t, "city MO from the county", op.get(moURL(city)), http.StatusNotFound)
	wantStatus(t, "other city's MO from the county", op.get(moURL(other)), http.StatusNotFound)
	wantStatus(t, "reply to the city's MO", op.post(moURL(city)+"/reply", form(op.csrf(), "content", "x", "business", "notice")), http.StatusNotFound)
	p = op.get("/inbox?number=" + num)
	mustContain(t, "filtered", p.Body, "县里的回复"+num)
	p = op.get("/inbox?number=abc")
	wantStatus(t, "bad number filter", p, http.StatusBadRequest)

	admin, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)
	p = admin.get("/inbox")
	mustContain(t, "city inbox", p.Body, "县里的回复"+num, "市里的回复"+num)
	mustNotContain(t, "city inbox", p.Body, "别的市"+num)

	// Reply: CSRF first, then through the core from the same extension.
	wantStatus(t, "reply without CSRF", op.post(moURL(mine)+"/reply", form("", "content", "x", "business", "notice")), http.StatusForbidden)
	p = op.post(moURL(mine)+"/reply", form(op.csrf(), "content", "   ", "business", "notice"))
	wantStatus(t, "empty reply", p, http.StatusBadRequest)
	p = op.post(moURL(mine)+"/reply", form(op.csrf(), "content", "收到，谢谢"+num, "business", "notice"))
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.location(), moURL(mine)+"?m=sent") {
		t.Fatalf("reply: %d %q; %.600s", p.Status, p.location(), p.Body)
	}
	p = op.get(moURL(mine))
	mustContain(t, "conversation", p.Body, "县里的回复"+num, "收到，谢谢"+num)
	mts, err := sb.Store.MessagesTo(context.Background(), w.unit.ID, num, 10)
	if err != nil || len(mts) != 1 || mts[0].Src != w.unit.ServiceCode+"12" || mts[0].Content != "收到，谢谢"+num {
		t.Fatalf("reply stored: %v %+v", err, mts)
	}
	// The user's next reply lands in the same conversation.
	insertMO(t, w.unit, num, "12", "再问一句"+num)
	p = op.get(moURL(mine))
	if i, j, k := strings.Index(p.Body, "县里的回复"+num), strings.Index(p.Body, "收到，谢谢"+num), strings.Index(p.Body, "再问一句"+num); i < 0 || j < i || k < j {
		t.Fatalf("conversation out of order: %d %d %d", i, j, k)
	}
	// A refusal keeps the text typed.
	p = op.post(moURL(mine)+"/reply", form(op.csrf(), "content", "保留这段文字"+num, "business", "no-such-type"))
	if p.Status < 400 {
		t.Fatalf("reply with an unknown business: %d", p.Status)
	}
	mustContain(t, "refused reply", p.Body, "保留这段文字"+num)

	// An auditor reads, never replies.
	aud, _ := loggedIn(t, srv, store.RoleAuditor, w.city, nil)
	p = aud.get(moURL(mine))
	wantStatus(t, "auditor reads", p, http.StatusOK)
	mustNotContain(t, "auditor's page", p.Body, `id="reply-form"`)
	wantStatus(t, "auditor replies", aud.post(moURL(mine)+"/reply", form(aud.csrf(), "content", "x", "business", "notice")), http.StatusForbidden)
}

var groupLoc = regexp.MustCompile(`^/book/(\d+)\?m=created$`)

func (b *browser) newGroup(name, kind string) string {
	b.t.Helper()
	p := b.post("/book", form(b.csrf(), "name", name, "kind", kind))
	m := groupLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		b.t.Fatalf("new group %s: %d %q; %.600s", name, p.Status, p.location(), p.Body)
	}
	return m[1]
}

func (b *browser) uploadTo(path, name string, data []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", b.csrf())
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

type bookImportStatus struct {
	Phase   string `json:"phase"`
	Percent int    `json:"percent"`
	Added   int    `json:"added"`
}

// bookImported uploads a file into a group and waits for its report page.
func (b *browser) bookImported(group, name string, data []byte) string {
	b.t.Helper()
	p := b.uploadTo("/book/"+group+"/import", name, data)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.location(), "/import/") {
		b.t.Fatalf("import %s: %d %q; %.600s", name, p.Status, p.location(), p.Body)
	}
	loc := p.location()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := b.get(loc+"/status", "Accept", "application/json")
		var st bookImportStatus
		if err := json.Unmarshal([]byte(s.Body), &st); err != nil {
			b.t.Fatalf("import status: %v %s", err, s.Body)
		}
		if st.Phase != "parsing" {
			break
		}
		if time.Now().After(deadline) {
			b.t.Fatal("import did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return b.get(loc).Body
}

func kindCount(t *testing.T, body, kind string) int {
	t.Helper()
	m := regexp.MustCompile(`data-kind="` + kind + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("report lacks %s; %.800s", kind, body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// Personal groups are their owner's alone, shared ones are seen below and
// changed above; CSRF; an import with invalid and duplicate rows reports
// them; exports read back; a group is sent to.
func TestAddressBook(t *testing.T) {
	srv := adminConsole(t)
	w := newBookWorld(t)
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	op2, _ := loggedIn(t, srv, store.RoleOperator, w.county2, nil)
	far, _ := loggedIn(t, srv, store.RoleOperator, w.city2, nil)
	admin, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)

	wantStatus(t, "create without CSRF", op.post("/book", form("", "name", "x", "kind", "personal")), http.StatusForbidden)
	mine := op.newGroup("我的客户", "personal")
	p := op2.get("/book/" + mine)
	wantStatus(t, "another county's personal group", p, http.StatusNotFound)
	mustNotContain(t, "another county's book", op2.get("/book").Body, "我的客户")
	wantStatus(t, "another county's export", op2.get("/book/"+mine+"/export?format=csv"), http.StatusNotFound)
	wantStatus(t, "city admin on a personal group", admin.get("/book/"+mine), http.StatusNotFound)

	// A shared group: the city's, read by its counties, not by another city.
	p = op.post("/book", form(op.csrf(), "name", "越权", "kind", strconv.FormatInt(w.city.ID, 10)))
	wantStatus(t, "an operator's shared group", p, http.StatusForbidden)
	mustContain(t, "refused form", p.Body, `value="越权"`)
	shared := admin.newGroup("全市网点", strconv.FormatInt(w.city.ID, 10))
	wantStatus(t, "county reads the city's group", op.get("/book/"+shared), http.StatusOK)
	mustContain(t, "county's book", op.get("/book").Body, "全市网点")
	wantStatus(t, "county changes the city's group", op.post("/book/"+shared+"/contacts", form(op.csrf(), "number", freshNumber())), http.StatusForbidden)
	wantStatus(t, "another city reads it", far.get("/book/"+shared), http.StatusNotFound)
	if p := admin.post("/book/"+shared+"/contacts", form(admin.csrf(), "number", freshNumber(), "name", "网点甲")); p.Status != http.StatusSeeOther {
		t.Fatalf("admin adds to the shared group: %d", p.Status)
	}
	if p := admin.post("/book", form(admin.csrf(), "name", "全市网点", "kind", strconv.FormatInt(w.city.ID, 10))); p.Status != http.StatusConflict {
		t.Fatalf("duplicate shared name: %d", p.Status)
	}

	// Contacts by hand: an invalid number is said and kept, a duplicate refused.
	p = op.post("/book/"+mine+"/contacts", form(op.csrf(), "number", "12ab", "name", "张三"))
	wantStatus(t, "invalid contact", p, http.StatusBadRequest)
	mustContain(t, "invalid contact form", p.Body, `value="12ab"`, `value="张三"`)
	n1 := freshNumber()
	if p := op.post("/book/"+mine+"/contacts", form(op.csrf(), "number", n1, "name", "李四")); p.Status != http.StatusSeeOther {
		t.Fatalf("add contact: %d %.400s", p.Status, p.Body)
	}
	wantStatus(t, "duplicate contact", op.post("/book/"+mine+"/contacts", form(op.csrf(), "number", n1)), http.StatusConflict)

	// Import: a header, 3 new rows, one invalid, one repeated in the file, one in the group already.
	nums := []string{freshNumber(), freshNumber(), freshNumber()}
	csvFile := "手机号,姓名,备注\n" + nums[0] + ",王五,甲\n" + nums[1] + ",赵六,\n12345,坏号码,\n" + nums[0] + ",重复,\n" + n1 + ",李四,\n" + nums[2] + ",\"孙,七\",乙\n"
	body := op.bookImported(mine, "contacts.csv", []byte(csvFile))
	if kindCount(t, body, "added") != 3 || kindCount(t, body, "invalid") != 1 || kindCount(t, body, "duplicate") != 1 || kindCount(t, body, "existing") != 1 {
		t.Fatalf("import report: %.1500s", body)
	}
	mustContain(t, "import report", body, "12345", "problems.csv")
	// XLSX too.
	x := excelize.NewFile()
	xn := freshNumber()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"mobile", "name"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{xn, "周八"})
	var xb bytes.Buffer
	_ = x.Write(&xb)
	body = op.bookImported(mine, "more.xlsx", xb.Bytes())
	if kindCount(t, body, "added") != 1 {
		t.Fatalf("xlsx import: %.1000s", body)
	}

	// Exports read back.
	want := map[string]string{n1: "李四", nums[0]: "王五", nums[1]: "赵六", nums[2]: "孙,七", xn: "周八"}
	p = op.get("/book/" + mine + "/export?format=csv")
	wantStatus(t, "csv export", p, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != len(want)+1 || recs[0][0] != "手机号" {
		t.Fatalf("csv export: %v %q", err, recs)
	}
	for _, r := range recs[1:] {
		if want[r[0]] != r[1] {
			t.Errorf("csv row %q, want name %q", r, want[r[0]])
		}
	}
	p = op.get("/book/" + mine + "/export?format=xlsx")
	wantStatus(t, "xlsx export", p, http.StatusOK)
	xf, err := excelize.OpenReader(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := xf.GetRows(xf.GetSheetName(0))
	if err != nil || len(rows) != len(want)+1 {
		t.Fatalf("xlsx export: %v %q", err, rows)
	}
	for _, r := range rows[1:] {
		if want[r[0]] != r[1] {
			t.Errorf("xlsx row %q, want name %q", r, want[r[0]])
		}
	}
	// Search.
	p = op.get("/book/" + mine + "?q=" + "赵")
	mustContain(t, "search", p.Body, nums[1])
	mustNotContain(t, "search", p.Body, nums[0])

	// The send page offers the group; sending to it reaches the batch page.
	mustContain(t, "send page picker", op.get("/send").Body, `id="group-pick"`, "我的客户")
	wantStatus(t, "send form", op.get("/book/"+mine+"/send"), http.StatusOK)
	p = op.post("/book/"+mine+"/send", form(op.csrf(), "account", strconv.FormatInt(w.unit.ID, 10), "business", "notice", "content", ""))
	wantStatus(t, "empty text", p, http.StatusBadRequest)
	p = op.post("/book/"+mine+"/send", form(op.csrf(), "account", strconv.FormatInt(w.unit.ID, 10), "business", "notice", "content", "{name}，您好"))
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("group send: %d %q %.600s", p.Status, p.location(), p.Body)
	}
	st := op.waitStatus(m[1], 20*time.Second, func(s statusJSON) bool { return s.Handed == len(want) })
	if st.Total != len(want) {
		t.Fatalf("group send status: %+v", st)
	}
	mts, err := sb.Store.MessagesTo(context.Background(), w.unit.ID, nums[0], 5)
	if err != nil || len(mts) != 1 || mts[0].Content != "王五，您好" {
		t.Fatalf("personalised text: %v %+v", err, mts)
	}

	// Deleting: another user cannot; the owner can.
	wantStatus(t, "another deletes", op2.post("/book/"+mine+"/delete", form(op2.csrf())), http.StatusNotFound)
	if p := op.post("/book/"+mine+"/delete", form(op.csrf())); p.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.Status)
	}
	wantStatus(t, "deleted group", op.get("/book/"+mine), http.StatusNotFound)
}

// A group of 100,000 imports with its progress and is sent to (scheduled,
// then cancelled) without the numbers ever going through the browser.
func TestAddressBook100000(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 contacts")
	}
	srv := adminConsole(t)
	w := newBookWorld(t)
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	n := 100_000
	if raceOn {
		n = 10_000
	}
	g := op.newGroup("十万", "personal")
	if _, err := sb.Store.Recharge(context.Background(), w.unit.ID, 10_000_000, "recharge", "100,000 messages", "test"); err != nil {
		t.Fatal(err)
	}
	var sb2 strings.Builder
	sb2.WriteString("手机号,姓名\n")
	for i := range n {
		fmt.Fprintf(&sb2, "1350%07d,客户%d\n", i, i)
	}
	start := time.Now()
	body := op.bookImported(g, "big.csv", []byte(sb2.String()))
	if kindCount(t, body, "added") != n {
		t.Fatalf("import: %.800s", body)
	}
	t.Logf("imported %d in %s", n, time.Since(start).Round(time.Millisecond))
	at := time.Now().Add(3 * time.Hour).In(sb.Core.TimeZone()).Format("2006-01-02T15:04")
	start = time.Now()
	p := op.post("/book/"+g+"/send", form(op.csrf(), "account", strconv.FormatInt(w.unit.ID, 10), "business", "notice",
		"content", "通知", "schedule_at", at))
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("group send: %d %q %.600s", p.Status, p.location(), p.Body)
	}
	if st := op.waitStatus(m[1], 60*time.Second, func(s statusJSON) bool { return s.Handed == n || s.State == "stopped" }); st.Handed != n {
		t.Fatalf("hand-over stopped: %+v", st)
	}
	t.Logf("handed %d over in %s", n, time.Since(start).Round(time.Millisecond))
	if c := op.post("/batches/"+m[1]+"/cancel", form(op.csrf())); c.Status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", c.Status)
	}
}

// groupAudit lists the audit entries of a group, oldest first.
func groupAudit(t *testing.T, id string) []*store.AuditEntry {
	t.Helper()
	es, err := sb.Store.Audit(context.Background(), store.AuditQuery{Object: "contact_group", ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

func auditActions(es []*store.AuditEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

// contactsOf reads a group's contacts as "number|name|note|field=value…"
// lines, sorted by number (for comparing two groups).
func contactsOf(t *testing.T, id string) []string {
	t.Helper()
	gid, _ := strconv.ParseInt(id, 10, 64)
	cs, err := sb.Store.Contacts(context.Background(), store.ContactQuery{GroupID: gid})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		line := c.Number + "|" + c.Name + "|" + c.Note
		keys := slices.Sorted(maps.Keys(c.Fields))
		for _, k := range keys {
			line += "|" + k + "=" + c.Fields[k]
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

// Contacts' fields: added, refused and changed in the contact form, shown
// as the group's columns, imported from a file's extra columns, exported
// and imported back (CSV and XLSX) to the same contacts. Every change to a
// shared group is audited (one entry per import); a personal group's are not.
func TestAddressBookFieldsAndAudit(t *testing.T) {
	srv := adminConsole(t)
	w := newBookWorld(t)
	ctx := context.Background()
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	admin, _ := loggedIn(t, srv, store.RoleOrgAdmin, w.city, nil)

	shared := admin.newGroup("字段网点", strconv.FormatInt(w.city.ID, 10))
	n1, n2, n3 := freshNumber(), freshNumber(), freshNumber()
	p := admin.post("/book/"+shared+"/contacts", form(admin.csrf(), "number", n1, "name", "张三",
		"fname", "单位", "fvalue", "邮政", "fname", "地址", "fvalue", "广州", "fname", "", "fvalue", ""))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("contact with fields: %d %.600s", p.Status, p.Body)
	}
	p = admin.get("/book/" + shared)
	mustContain(t, "group's columns", p.Body, `<th class="bk-field">单位</th><th class="bk-field">地址</th>`, `data-field="单位">邮政<`, `data-field="地址">广州<`)
	// A field may not take a contact's own column, nor be given twice; the form keeps what was typed.
	p = admin.post("/book/"+shared+"/contacts", form(admin.csrf(), "number", freshNumber(), "fname", "姓名", "fvalue", "x"))
	wantStatus(t, "a field named 姓名", p, http.StatusBadRequest)
	mustContain(t, "refused field", p.Body, "字段名“姓名”不可用", `value="姓名"`)
	p = admin.post("/book/"+shared+"/contacts", form(admin.csrf(), "number", freshNumber(), "fname", "部门", "fvalue", "a", "fname", "部门", "fvalue", "b"))
	wantStatus(t, "a field twice", p, http.StatusBadRequest)
	mustContain(t, "field twice", p.Body, "字段“部门”填了两次")

	// Change: 单位 changed, 地址 removed (emptied), 生日 added.
	cs, err := sb.Store.Contacts(ctx, store.ContactQuery{GroupID: mustID(t, shared)})
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts: %v %+v", err, cs)
	}
	cid := strconv.FormatInt(cs[0].ID, 10)
	mustContain(t, "edit form", admin.get("/book/"+shared+"?edit="+cid).Body, `name="fname" type="text" maxlength="20" value="单位"`, `value="邮政"`)
	p = admin.post("/book/"+shared+"/contacts", form(admin.csrf(), "id", cid, "number", n1, "name", "张三",
		"fname", "单位", "fvalue", "银行", "fname", "地址", "fvalue", "", "fname", "生日", "fvalue", "3月4日"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("contact changed: %d %.600s", p.Status, p.Body)
	}
	if got := contactsOf(t, shared); fmt.Sprint(got) != fmt.Sprint([]string{n1 + "|张三||单位=银行|生日=3月4日"}) {
		t.Fatalf("after the change: %q", got)
	}

	// Import: the columns after number, name and note are fields, by header.
	csvFile := "手机号,姓名,备注,单位,籍贯\n" + n2 + ",李四,老客户,邮政,湖南\n" + n3 + ",王五,,,\n12ab,坏,,,\n"
	body := admin.bookImported(shared, "fields.csv", []byte(csvFile))
	if kindCount(t, body, "added") != 2 || kindCount(t, body, "invalid") != 1 {
		t.Fatalf("import with fields: %.1200s", body)
	}
	want := []string{n1 + "|张三||单位=银行|生日=3月4日", n2 + "|李四|老客户|单位=邮政|籍贯=湖南", n3 + "|王五|"}
	slices.Sort(want)
	if got := contactsOf(t, shared); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the import: %q\nwant %q", got, want)
	}

	// Export, then import into new groups: the same contacts, CSV and XLSX.
	p = admin.get("/book/" + shared + "/export?format=csv")
	wantStatus(t, "csv export", p, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 4 || strings.Join(recs[0], ",") != "手机号,姓名,备注,单位,生日,籍贯" {
		t.Fatalf("csv export: %v %q", err, recs)
	}
	back := op.newGroup("导回CSV", "personal")
	if body := op.bookImported(back, "export.csv", []byte(p.Body)); kindCount(t, body, "added") != 3 {
		t.Fatalf("csv round trip import: %.1000s", body)
	}
	if got := contactsOf(t, back); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("csv round trip: %q\nwant %q", got, want)
	}
	p = admin.get("/book/" + shared + "/export?format=xlsx")
	wantStatus(t, "xlsx export", p, http.StatusOK)
	backX := op.newGroup("导回Excel", "personal")
	if body := op.bookImported(backX, "export.xlsx", []byte(p.Body)); kindCount(t, body, "added") != 3 {
		t.Fatalf("xlsx round trip import: %.1000s", body)
	}
	if got := contactsOf(t, backX); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("xlsx round trip: %q\nwant %q", got, want)
	}

	// The rest of a shared group's changes: rename, remove a contact, delete.
	if p := admin.post("/book/"+shared+"/edit", form(admin.csrf(), "name", "字段网点二", "note", "改名")); p.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d", p.Status)
	}
	if p := admin.post("/book/"+shared+"/contacts/"+cid+"/delete", form(admin.csrf())); p.Status != http.StatusSeeOther {
		t.Fatalf("remove contact: %d", p.Status)
	}
	if p := admin.post("/book/"+shared+"/delete", form(admin.csrf())); p.Status != http.StatusSeeOther {
		t.Fatalf("delete group: %d", p.Status)
	}
	es := groupAudit(t, shared)
	if got := strings.Join(auditActions(es), " "); got != "create contact_add contact_update import update contact_delete delete" {
		t.Fatalf("shared group's audit: %s", got)
	}
	for _, e := range es {
		if e.OrgID != w.city.ID || e.Username == "" || e.Object != "contact_group" {
			t.Fatalf("audit entry %+v", e)
		}
	}
	if !strings.Contains(es[2].Before, "邮政") || !strings.Contains(es[2].After, "银行") || !strings.Contains(es[2].After, "生日") {
		t.Fatalf("contact change audited as %s → %s", es[2].Before, es[2].After)
	}
	if !strings.Contains(es[3].After, `"added":2`) || !strings.Contains(es[3].After, "fields.csv") {
		t.Fatalf("import audited as %s", es[3].After)
	}
	if !strings.Contains(es[4].Before, "字段网点") || !strings.Contains(es[4].After, "字段网点二") {
		t.Fatalf("rename audited as %s → %s", es[4].Before, es[4].After)
	}
	// The audit page shows them to the city's administrator.
	mustContain(t, "audit page", admin.get("/admin/audit?object=contact_group&object_id="+shared).Body, "通讯录共享群组", "字段网点二")

	// A personal group's changes are not audited.
	if p := op.post("/book/"+back+"/edit", form(op.csrf(), "name", "导回CSV二")); p.Status != http.StatusSeeOther {
		t.Fatalf("rename personal: %d", p.Status)
	}
	if p := op.post("/book/"+back+"/contacts", form(op.csrf(), "number", freshNumber(), "fname", "单位", "fvalue", "x")); p.Status != http.StatusSeeOther {
		t.Fatalf("add to personal: %d", p.Status)
	}
	if p := op.post("/book/"+back+"/delete", form(op.csrf())); p.Status != http.StatusSeeOther {
		t.Fatalf("delete personal: %d", p.Status)
	}
	for _, g := range []string{back, backX} {
		if es := groupAudit(t, g); len(es) != 0 {
			t.Fatalf("personal group %s audited: %v", g, auditActions(es))
		}
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A group send whose text uses variables some contacts lack: the form
// says how many lack which (listed, and all as CSV) and sends nothing
// until the user sends to the others; then only they get it, and the send
// records who was left out and why.
func TestGroupSendSkipped(t *testing.T) {
	srv := adminConsole(t)
	w := newBookWorld(t)
	ctx := context.Background()
	op, _ := loggedIn(t, srv, store.RoleOperator, w.county, nil)
	g := op.newGroup("缺字段", "personal")
	n1, n2, n3, n4 := freshNumber(), freshNumber(), freshNumber(), freshNumber()
	if _, err := sb.Store.AddContacts(ctx, mustID(t, g), []*store.Contact{
		{Number: n1, Name: "张三", Fields: map[string]string{"单位": "邮政"}},
		{Number: n2, Name: "李四"},
		{Number: n3, Fields: map[string]string{"单位": "银行"}},
		{Number: n4, Name: "赵六", Fields: map[string]string{"单位": "税务"}},
	}); err != nil {
		t.Fatal(err)
	}
	acct := strconv.FormatInt(w.unit.ID, 10)
	sendForm := func(extra ...string) url.Values {
		return form(op.csrf(), append([]string{"account", acct, "business", "notice", "content", "{name}，{单位}的同事您好 {不是变量}"}, extra...)...)
	}
	p := op.post("/book/"+g+"/send", sendForm())
	wantStatus(t, "send with contacts lacking values", p, http.StatusOK)
	mustContain(t, "skipped report", p.Body, "2 个联系人缺少内容", "1 个联系人缺少 {name}", "1 个联系人缺少 {单位}",
		n2, n3, "发送给其余 2 个联系人", `name="skip_seen" value="2"`, `formaction="/book/`+g+`/send/skipped.csv"`)
	mustNotContain(t, "skipped report", p.Body, n1, n4)
	if ms, _ := sb.Store.MessagesTo(ctx, w.unit.ID, n1, 5); len(ms) != 0 {
		t.Fatalf("sent before the user chose: %+v", ms)
	}

	// The whole list as CSV.
	p = op.post("/book/"+g+"/send/skipped.csv", sendForm())
	wantStatus(t, "skipped csv", p, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][0] != n2 || recs[1][2] != "缺少 {单位}" || recs[2][0] != n3 || recs[2][2] != "缺少 {name}" {
		t.Fatalf("skipped csv: %v %q", err, recs)
	}

	// A count that no longer matches (the group changed) asks again.
	p = op.post("/book/"+g+"/send", sendForm("skip_ok", "1", "skip_seen", "1"))
	wantStatus(t, "stale confirmation", p, http.StatusOK)
	mustContain(t, "asked again", p.Body, `id="skipped"`)

	p = op.post("/book/"+g+"/send", sendForm("skip_ok", "1", "skip_seen", "2"))
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("send to the others: %d %q %.600s", p.Status, p.location(), p.Body)
	}
	st := op.waitStatus(m[1], 20*time.Second, func(s statusJSON) bool { return s.Handed == 2 })
	if st.Total != 2 {
		t.Fatalf("send status: %+v", st)
	}
	if ms, _ := sb.Store.MessagesTo(ctx, w.unit.ID, n1, 5); len(ms) != 1 || ms[0].Content != "张三，邮政的同事您好 {不是变量}" {
		t.Fatalf("personalised: %+v", ms)
	}
	for _, n := range []string{n2, n3} {
		if ms, _ := sb.Store.MessagesTo(ctx, w.unit.ID, n, 5); len(ms) != 0 {
			t.Fatalf("a contact left out was sent: %+v", ms)
		}
	}
	sd, err := sb.Store.GetSend(ctx, mustID(t, m[1]))
	if err != nil || sd.Skipped != 2 || sd.Total != 2 {
		t.Fatalf("the send's record: %v %+v", err, sd)
	}
	mustContain(t, "batch page", op.get("/batches/"+m[1]).Body, `<dd id="b-skipped">2 个`)

	// Nobody left: said, nothing sent.
	p = op.post("/book/"+g+"/send", form(op.csrf(), "account", acct, "business", "notice", "content", "{备注}"))
	wantStatus(t, "nobody to send to", p, http.StatusUnprocessableEntity)
	mustContain(t, "nobody", p.Body, "4 个联系人缺少 {备注}", "没有可以发送的联系人")
	mustNotContain(t, "nobody", p.Body, `id="send-others"`)
}
