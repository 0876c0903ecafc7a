package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/web"
)

// Numbers of these tests: each test takes its own, so blacklist entries
// of one never meet another's sends.
var numSeq atomic.Int64

func freshNumber() string { return fmt.Sprintf("1390%07d", 1_000_000+numSeq.Add(1)) }

// sendFields is the text form as a browser posts it.
func sendFields(csrf string, acct int64, to, content string) url.Values {
	return url.Values{"csrf": {csrf}, "account": {strconv.FormatInt(acct, 10)}, "business": {"notice"},
		"to": {to}, "content": {content}, "action": {"send"}}
}

var batchLoc = regexp.MustCompile(`^/batches/(\d+)(\?.*)?$`)

// sent posts the form and expects the redirect to a batch page; it
// returns the batch's id.
func (b *browser) sent(form url.Values) string {
	b.t.Helper()
	p := b.post("/send", form)
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		b.t.Fatalf("send: %d %q, want 303 to a batch; body: %.800s", p.Status, p.location(), p.Body)
	}
	return m[1]
}

type statusJSON struct {
	State   string `json:"state"`
	Total   int    `json:"total"`
	Handed  int    `json:"handed"`
	Final   int    `json:"final"`
	Failed  int    `json:"failed"`
	Waiting int    `json:"waiting"`
	Live    bool   `json:"live"`
	Counts  []struct {
		Key string `json:"key"`
		N   int    `json:"n"`
	} `json:"counts"`
	Reasons []struct {
		Label string `json:"label"`
		N     int    `json:"n"`
	} `json:"reasons"`
}

func (s statusJSON) count(state store.State) int {
	for _, c := range s.Counts {
		if c.Key == string(state) {
			return c.N
		}
	}
	return 0
}

func (b *browser) status(id string) statusJSON {
	b.t.Helper()
	p := b.get("/batches/"+id+"/status", "Accept", "application/json", "X-Console-Refresh", "1")
	if p.Status != http.StatusOK {
		b.t.Fatalf("status of %s: %d %s", id, p.Status, p.Body)
	}
	var s statusJSON
	if err := json.Unmarshal([]byte(p.Body), &s); err != nil {
		b.t.Fatalf("status of %s: %v: %s", id, err, p.Body)
	}
	return s
}

// waitStatus polls the batch's JSON until ok says so.
func (b *browser) waitStatus(id string, within time.Duration, ok func(statusJSON) bool) statusJSON {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := b.status(id)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("batch %s: %+v after %s", id, s, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// newOrgUser makes an organisation (under parent, 0 = a root) and a user
// of role in it.
func newOrg(t *testing.T, parent int64) *store.Org {
	t.Helper()
	level := store.LevelProvince
	if parent != 0 {
		level = store.LevelCity
	}
	o := &store.Org{ParentID: parent, Level: level, Code: fmt.Sprintf("T%d", numSeq.Add(1)), Name: "测试机构", CreatedAt: time.Now()}
	if err := sb.Store.CreateOrg(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

func newAccount(t *testing.T, org int64, kind string, balance int64) *store.Account {
	t.Helper()
	a := &store.Account{Name: fmt.Sprintf("acct%d", numSeq.Add(1)), OrgID: org, Kind: kind, Balance: balance, CreatedAt: time.Now()}
	ctx := context.Background()
	if err := sb.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := sb.Store.SetGrants(ctx, store.GrantAccount, a.ID, []string{store.GrantAll}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

func setUser(t *testing.T, name string, change func(*store.User)) {
	t.Helper()
	ctx := context.Background()
	u, err := sb.Store.UserByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	change(u)
	if err := sb.Store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
}

// Who may open the send and batch pages, which account each sends from,
// and that a POST needs its CSRF token.
func TestSendRolesAndAccounts(t *testing.T) {
	srv := console(t, web.Options{})
	province := newOrg(t, 0)
	city := newOrg(t, province.ID)
	provAcct := newAccount(t, province.ID, store.KindUnit, 1_000_000)
	partnerAcct := newAccount(t, city.ID, store.KindPartner, 1_000_000)

	// An auditor reads batches but neither sends nor cancels.
	aud, audPw := newUser(t, store.RoleAuditor)
	b := newBrowser(t, srv)
	b.mustLogin(aud, audPw)
	if p := b.get("/send"); p.Status != http.StatusForbidden {
		t.Fatalf("auditor GET /send = %d, want 403", p.Status)
	}
	if p := b.get("/batches"); p.Status != http.StatusOK {
		t.Fatalf("auditor GET /batches = %d", p.Status)
	}
	if p := b.post("/batches/1/cancel", url.Values{"csrf": {b.csrf()}}); p.Status != http.StatusForbidden {
		t.Fatalf("auditor cancel = %d, want 403", p.Status)
	}
	home := b.get("/")
	mustContain(t, "auditor's landing page", home.Body, `href="/batches"`)
	mustNotContain(t, "auditor's landing page", home.Body, `href="/send"`)

	// An operator of the city sends from the province's account (nearest up the tree).
	op, opPw := newUser(t, store.RoleOperator)
	setUser(t, op, func(u *store.User) { u.OrgID = city.ID })
	b = newBrowser(t, srv)
	b.mustLogin(op, opPw)
	p := b.get("/send")
	mustContain(t, "operator's send page", p.Body, provAcct.Name, `name="account" value="`+strconv.FormatInt(provAcct.ID, 10)+`"`)
	mustNotContain(t, "operator's send page", p.Body, partnerAcct.Name)
	// … and may not send from another account, whatever the form says.
	form := sendFields(b.csrf(), sb.Account.ID, freshNumber(), "通知")
	if p := b.post("/send", form); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "请选择一个您可以使用的发送账户") {
		t.Fatalf("operator sending from another account: %d %.300s", p.Status, p.Body)
	}

	// A partner user sends from its own account only.
	pu, puPw := newUser(t, store.RolePartner)
	setUser(t, pu, func(u *store.User) { u.AccountID, u.OrgID = partnerAcct.ID, city.ID })
	b = newBrowser(t, srv)
	b.mustLogin(pu, puPw)
	mustContain(t, "partner's send page", b.get("/send").Body, partnerAcct.Name)

	// A user with no account anywhere is told so.
	lone, lonePw := newUser(t, store.RoleOperator)
	b = newBrowser(t, srv)
	b.mustLogin(lone, lonePw)
	p = b.get("/send")
	mustContain(t, "send page without an account", p.Body, `id="no-account"`, "您没有可用的发送账户")

	// CSRF: a POST without the session's token is refused and sends nothing.
	b = newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	num := freshNumber()
	form = sendFields("wrong", sb.Account.ID, num, "通知")
	if p := b.post("/send", form); p.Status != http.StatusForbidden {
		t.Fatalf("send without the CSRF token = %d, want 403", p.Status)
	}
	if ms, _ := sb.Store.MessagesTo(context.Background(), 0, num, 10); len(ms) != 0 {
		t.Fatalf("a refused POST stored %d messages", len(ms))
	}
	form.Set("csrf", "")
	if p := b.post("/send", form, "X-CSRF-Token", b.csrf()); p.Status != http.StatusSeeOther {
		t.Fatalf("send with the token in the header = %d, want 303", p.Status)
	}
}

// A single send goes through core.Accept and its batch page follows it
// to 已送达; the server's preview counts characters, segments and price.
func TestSendSingleDelivered(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	page := b.get("/send")
	mustContain(t, "send page", page.Body, `id="counter"`, `data-fee="50"`, "业务通知", "短信内容", "定时发送", "预览")

	num := freshNumber()
	form := sendFields(b.csrf(), sb.Account.ID, num, "您的包裹已到，请凭取件码 1234 领取。")
	form.Set("action", "preview")
	p := b.post("/send", form)
	if p.Status != http.StatusOK {
		t.Fatalf("preview = %d", p.Status)
	}
	// 21 characters, UCS-2, one segment, 0.05 yuan.
	mustContain(t, "preview", p.Body, "服务器核算", "1 个号码，每条 21 字、1 条短信（UCS-2 编码），共 1 条，预计费用 0.050 元", num)

	form.Set("action", "send")
	id := b.sent(form)
	bp := b.get("/batches/" + id + "?m=sent")
	mustContain(t, "batch page", bp.Body, "批次 "+id, "已提交，正在发送", "您的包裹已到", `id="b-counts"`, `data-src="/batches/`+id+`/status"`)
	s := b.waitStatus(id, 20*time.Second, func(s statusJSON) bool { return s.count(store.Delivered) == 1 })
	if s.Total != 1 || s.Final != 1 || s.Live || s.Failed != 0 {
		t.Fatalf("delivered batch status %+v", s)
	}
	mustContain(t, "batch page after delivery", b.get("/batches/"+id).Body, "已送达")
	mustContain(t, "batch list", b.get("/batches").Body, `href="/batches/`+id+`"`, "单条")

	// The same batch is the API's: its number opens it, and the API's batch has it.
	if p := b.get("/batches/find?id=" + id); p.location() != "/batches/"+id {
		t.Fatalf("find = %d %q", p.Status, p.location())
	}
}

// Refusals come back as Chinese sentences with the form kept filled.
func TestSendRefusals(t *testing.T) {
	srv := console(t, web.Options{})
	ctx := context.Background()
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	tok := b.csrf()
	refused := func(what string, form url.Values, status int, wants ...string) {
		t.Helper()
		p := b.post("/send", form)
		if p.Status != status {
			t.Fatalf("%s: %d, want %d; %.600s", what, p.Status, status, p.Body)
		}
		mustContain(t, what, p.Body, wants...)
		// The form keeps what was typed.
		mustContain(t, what+" (form kept)", p.Body, strings.ReplaceAll(form.Get("content"), "'", "&#39;"))
	}

	black := freshNumber()
	if _, err := sb.Core.BlacklistAdd(ctx, []string{black}, "", "test", "admin"); err != nil {
		t.Fatal(err)
	}
	refused("blacklisted", sendFields(tok, sb.Account.ID, black, "黑名单测试"), http.StatusUnprocessableEntity,
		"号码都在黑名单中", black)

	refused("invalid number", sendFields(tok, sb.Account.ID, freshNumber()+"\n12345", "无效号码测试"), http.StatusBadRequest,
		"有 1 个号码无法发送", "第 2 个号码“12345”：不是有效的手机号码")

	if _, err := sb.Core.FilterWordAdd(ctx, "违禁测试词", "reject"); err != nil {
		t.Fatal(err)
	}
	refused("content filtered", sendFields(tok, sb.Account.ID, freshNumber(), "这里有违禁测试词"), http.StatusUnprocessableEntity,
		"短信内容含有禁用词")

	poor := newAccount(t, 0, store.KindUnit, 0)
	refused("insufficient balance", sendFields(tok, poor.ID, freshNumber(), "余额测试"), http.StatusPaymentRequired,
		"账户余额不足", `<option value="`+strconv.FormatInt(poor.ID, 10)+`" selected>`)

	f := sendFields(tok, sb.Account.ID, freshNumber(), "过去的时间")
	f.Set("schedule_at", time.Now().Add(-time.Hour).In(sb.Core.TimeZone()).Format("2006-01-02T15:04"))
	refused("schedule in the past", f, http.StatusBadRequest, "定时时间已过")

	refused("no numbers", sendFields(tok, sb.Account.ID, " \n ", "没有号码"), http.StatusBadRequest, "请填写至少一个手机号码")
	refused("empty text", sendFields(tok, sb.Account.ID, freshNumber(), ""), http.StatusBadRequest, "短信内容不能为空")
}

// A scheduled send waits, is listed with a cancel button, and cancelling
// it finalises its messages and gives the money back; the API cancels too.
func TestScheduledSendCancelled(t *testing.T) {
	srv := console(t, web.Options{})
	ctx := context.Background()
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	acct := newAccount(t, 0, store.KindUnit, 1_000_000)
	nums := []string{freshNumber(), freshNumber(), freshNumber()}
	form := sendFields(b.csrf(), acct.ID, strings.Join(nums, ","), "明天上午十点停水，请提前储水。")
	form.Set("schedule_at", time.Now().Add(2*time.Hour).In(sb.Core.TimeZone()).Format("2006-01-02T15:04"))
	id := b.sent(form)
	if a, _ := sb.Store.GetAccount(ctx, acct.ID); a.Reserved != 150 {
		t.Fatalf("reserved %d, want 150 for 3 scheduled messages", a.Reserved)
	}
	list := b.get("/batches")
	mustContain(t, "batch list", list.Body, `id="scheduled"`, `<tr data-id="`+id+`">`, `action="/batches/`+id+`/cancel"`)
	bp := b.get("/batches/" + id)
	mustContain(t, "scheduled batch page", bp.Body, "取消定时发送", "等待发送")
	s := b.status(id)
	if s.Waiting != 3 || !s.Live {
		t.Fatalf("scheduled status %+v", s)
	}

	p := b.post("/batches/"+id+"/cancel", url.Values{"csrf": {b.csrf()}, "back": {"/batches"}})
	if p.Status != http.StatusSeeOther || p.location() != "/batches?m=cancelled&n=3" {
		t.Fatalf("cancel = %d %q", p.Status, p.location())
	}
	mustContain(t, "list after cancel", b.get(p.location()).Body, "已取消 3 条尚未发送的短信")
	s = b.status(id)
	if s.count(store.Cancelled) != 3 || s.Waiting != 0 || s.Live {
		t.Fatalf("status after cancel %+v", s)
	}
	if a, _ := sb.Store.GetAccount(ctx, acct.ID); a.Reserved != 0 || a.Balance != 1_000_000 {
		t.Fatalf("after cancel: balance %d reserved %d", a.Balance, a.Reserved)
	}
	mustNotContain(t, "list after cancel", b.get("/batches").Body, `<tr data-id="`+id+`">`)
	if p := b.post("/batches/"+id+"/cancel", url.Values{"csrf": {b.csrf()}}); !strings.Contains(p.location(), "m=not_cancellable") {
		t.Fatalf("second cancel = %d %q", p.Status, p.location())
	}

	// The API: POST /api/v1/batches/{id}/cancel with the account's key.
	api := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+sb.Addr()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+sb.APIKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	at := time.Now().Add(3 * time.Hour).Format(time.RFC3339)
	st, m := api("POST", "/api/v1/messages", `{"to":["`+freshNumber()+`","`+freshNumber()+`"],"content":"接口定时","schedule_at":"`+at+`"}`)
	if st != http.StatusCreated {
		t.Fatalf("API send = %d %v", st, m)
	}
	bid := m["batch_id"].(string)
	if st, m := api("POST", "/api/v1/batches/"+bid+"/cancel", ""); st != http.StatusOK || m["cancelled"] != float64(2) || m["pending"] != float64(0) {
		t.Fatalf("API cancel = %d %v", st, m)
	}
	if st, m := api("POST", "/api/v1/batches/"+bid+"/cancel", ""); st != http.StatusConflict || m["error"].(map[string]any)["code"] != "not_cancellable" {
		t.Fatalf("API cancel again = %d %v", st, m)
	}
	if st, m := api("POST", "/api/v1/batches/"+id+"/cancel", ""); st != http.StatusNotFound {
		t.Fatalf("API cancel of another account's batch = %d %v", st, m)
	}
	if st, m := api("GET", "/api/v1/batches/"+bid, ""); st != http.StatusOK || m["counts"].(map[string]any)["cancelled"] != float64(2) {
		t.Fatalf("API batch after cancel = %d %v", st, m)
	}
	// The console shows the API's batch by its number, within scope.
	mustContain(t, "API batch in the console", b.get("/batches/"+bid).Body, "接口发送", "已取消")
}

// The batch pages are scoped: a user of another organisation does not see
// the batch (404, like one that does not exist).
func TestBatchScope(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	id := b.sent(sendFields(b.csrf(), sb.Account.ID, freshNumber(), "范围测试"))
	other := newOrg(t, 0)
	name, pw := newUser(t, store.RoleOrgAdmin)
	setUser(t, name, func(u *store.User) { u.OrgID = other.ID })
	o := newBrowser(t, srv)
	o.mustLogin(name, pw)
	for _, path := range []string{"/batches/" + id, "/batches/" + id + "/failures.csv"} {
		if p := o.get(path); p.Status != http.StatusNotFound {
			t.Fatalf("other organisation GET %s = %d, want 404", path, p.Status)
		}
	}
	if p := o.get("/batches/"+id+"/status", "Accept", "application/json"); p.Status != http.StatusNotFound {
		t.Fatalf("other organisation status = %d", p.Status)
	}
	if p := o.post("/batches/"+id+"/cancel", url.Values{"csrf": {o.csrf()}}); p.Status != http.StatusNotFound {
		t.Fatalf("other organisation cancel = %d", p.Status)
	}
	mustNotContain(t, "other organisation's list", o.get("/batches").Body, `href="/batches/`+id+`"`)
}

// upload posts the import form with a file, as the page's script does
// (the CSRF token in the header) or as a plain form (in a field).
func (b *browser) upload(fields map[string]string, name string, data []byte, header bool) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	tok := b.csrf()
	if !header {
		_ = mw.WriteField("csrf", tok)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.base+"/send/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if header {
		req.Header.Set("X-CSRF-Token", tok)
	}
	return b.do(req)
}

var importLoc = regexp.MustCompile(`^/send/import/([A-Za-z0-9_-]+)$`)

// imported uploads and waits until the file is checked; it returns the
// import's id and its page.
func (b *browser) imported(fields map[string]string, name string, data []byte) (string, page) {
	b.t.Helper()
	p := b.upload(fields, name, data, false)
	m := importLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		b.t.Fatalf("upload: %d %q: %.600s", p.Status, p.location(), p.Body)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := b.get(p.location()+"/status", "Accept", "application/json", "X-Console-Refresh", "1")
		if !strings.Contains(st.Body, `"phase":"parsing"`) {
			break
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("import still parsing: %s", st.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return m[1], b.get(p.location())
}

// A file with a header and a template: invalid, duplicate and blacklisted
// rows and an empty field are reported (and downloadable) before anything
// is sent; confirming sends the rest, each with its own text.
func TestImportWithInvalidRows(t *testing.T) {
	srv := console(t, web.Options{})
	ctx := context.Background()
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	n1, n2, n3, black := freshNumber(), freshNumber(), freshNumber(), freshNumber()
	if _, err := sb.Core.BlacklistAdd(ctx, []string{black}, "notice", "test", "admin"); err != nil {
		t.Fatal(err)
	}
	csv := "手机号,name\n" + n1 + ",张三\n12345,李四\n" + n2 + ",王五\n" + n1 + ",张三again\n" + black + ",赵六\n" + n3 + ",\n"
	fields := map[string]string{"account": strconv.FormatInt(sb.Account.ID, 10), "business": "notice", "content": "{name}，您的包裹已到"}
	id, p := b.imported(fields, "list.csv", []byte(csv))
	mustContain(t, "import report", p.Body, "共 6 行：2 行将发送，4 行不发送",
		`data-kind="invalid">1<`, `data-kind="duplicate">1<`, `data-kind="blacklisted">1<`, `data-kind="missing_field">1<`,
		"不是有效的手机号码", "与第 2 行重复", "黑名单号码", "字段 {name} 为空",
		"张三，您的包裹已到", "王五，您的包裹已到", "确认发送 2 个号码", `/send/import/`+id+`/problems.csv`)
	rep := b.get("/send/import/" + id + "/problems.csv")
	if rep.Status != http.StatusOK || !strings.HasPrefix(rep.Body, "\uFEFF行号,号码,类别,原因") {
		t.Fatalf("problems.csv: %d %.200q", rep.Status, rep.Body)
	}
	mustContain(t, "problems.csv", rep.Body, "3,12345,号码无效", "5,"+n1+",号码重复,与第 2 行重复", "6,"+black+",黑名单号码", "7,"+n3+",模板字段为空")
	if ms, _ := sb.Store.MessagesTo(ctx, 0, n1, 10); len(ms) != 0 {
		t.Fatal("something was sent before the user confirmed")
	}
	// Another user cannot see this import.
	other, pw := newUser(t, store.RolePlatformAdmin)
	o := newBrowser(t, srv)
	o.mustLogin(other, pw)
	if p := o.get("/send/import/" + id); p.Status != http.StatusNotFound {
		t.Fatalf("another user's import = %d", p.Status)
	}

	conf := b.post("/send/import/"+id+"/confirm", url.Values{"csrf": {b.csrf()}})
	m := batchLoc.FindStringSubmatch(conf.location())
	if conf.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("confirm = %d %q", conf.Status, conf.location())
	}
	sid := m[1]
	s := b.waitStatus(sid, 30*time.Second, func(s statusJSON) bool { return s.State == "done" && s.count(store.Delivered) == 2 })
	if s.Total != 2 || s.Handed != 2 {
		t.Fatalf("import send status %+v", s)
	}
	for num, text := range map[string]string{n1: "张三，您的包裹已到", n2: "王五，您的包裹已到"} {
		ms, _ := sb.Store.MessagesTo(ctx, 0, num, 10)
		if len(ms) != 1 || ms[0].Content != text {
			t.Fatalf("messages to %s: %+v", num, ms)
		}
	}
	mustContain(t, "import batch page", b.get("/batches/"+sid).Body, "文件导入", "list.csv", "{name}，您的包裹已到",
		`<dd id="b-skipped">4 个`)
	// Confirming again does not send again.
	if p := b.post("/send/import/"+id+"/confirm", url.Values{"csrf": {b.csrf()}}); p.location() != "/batches/"+sid {
		t.Fatalf("second confirm = %d %q", p.Status, p.location())
	}
}

// Files that cannot be read are refused with a clear message, the form
// kept; so is a template naming a column the file lacks.
func TestImportBrokenFiles(t *testing.T) {
	srv := console(t, web.Options{})
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	fields := map[string]string{"account": strconv.FormatInt(sb.Account.ID, 10), "business": "notice", "content": "保留的模板 {name}"}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"old.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "不支持旧版 Excel"},
		{"list.pdf", "%PDF-1.4", "不支持“.pdf”格式的文件"},
		{"empty.csv", "", "文件是空的"},
	} {
		p := b.upload(fields, tc.name, []byte(tc.data), true)
		if p.Status != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", tc.name, p.Status)
		}
		mustContain(t, tc.name, p.Body, tc.want, "保留的模板 {name}")
	}
	big := bytes.Repeat([]byte("13800138000\n"), 21<<20/12+1)
	if p := b.upload(fields, "big.txt", big, true); p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "文件太大：最大 20 MB") {
		t.Fatalf("a 21 MB file: %d %.300s", p.Status, p.Body)
	}
	_, p := b.imported(fields, "broken.xlsx", []byte("PK\x03\x04garbage"))
	mustContain(t, "broken xlsx", p.Body, "文件已损坏或不是有效的 XLSX 文件")
	_, p = b.imported(fields, "list.csv", []byte("手机号,姓名\n13800138000,张三\n"))
	mustContain(t, "template without its column", p.Body, "模板中的 {name} 在文件中没有对应的列。文件的列有：手机号、姓名。")
	_, p = b.imported(fields, "list.txt", []byte("13800138000\n"))
	mustContain(t, "template on a file without a header", p.Body, "文件没有标题行，只能用列号引用")
}

// 100,000 numbers: checked in the background, handed to the core in the
// background (scheduled, so the test's gateways stay idle), and cancelled
// whole before their time.
func TestImport100000Scheduled(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	srv := console(t, web.Options{})
	ctx := context.Background()
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	acct := newAccount(t, 0, store.KindUnit, 100_000_000)
	n := 100_000
	if raceOn {
		n = 10_000
	}
	var data bytes.Buffer
	for i := range n {
		fmt.Fprintf(&data, "1880%07d\n", i)
	}
	fields := map[string]string{"account": strconv.FormatInt(acct.ID, 10), "business": "notice", "content": "十万条定时测试",
		"schedule_at": time.Now().Add(3 * time.Hour).In(sb.Core.TimeZone()).Format("2006-01-02T15:04")}
	start := time.Now()
	id, p := b.imported(fields, "big.txt", data.Bytes())
	mustContain(t, "100,000-row report", p.Body, fmt.Sprintf("共 %d 行：%d 行将发送，0 行不发送", n, n))
	t.Logf("checked %d rows in %s", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	conf := b.post("/send/import/"+id+"/confirm", url.Values{"csrf": {b.csrf()}})
	m := batchLoc.FindStringSubmatch(conf.location())
	if m == nil {
		t.Fatalf("confirm = %d %q", conf.Status, conf.location())
	}
	sid := m[1]
	s := b.waitStatus(sid, 120*time.Second, func(s statusJSON) bool { return s.State == "done" })
	if s.Handed != n || s.Waiting != n {
		t.Fatalf("after handing over: %+v", s)
	}
	t.Logf("handed %d numbers to the core in %s", n, time.Since(start).Round(time.Millisecond))
	if a, _ := sb.Store.GetAccount(ctx, acct.ID); a.Reserved != int64(n*50) {
		t.Fatalf("reserved %d, want %d", a.Reserved, n*50)
	}
	start = time.Now()
	c := b.post("/batches/"+sid+"/cancel", url.Values{"csrf": {b.csrf()}})
	if c.location() != "/batches/"+sid+"?m=cancelled&n="+strconv.Itoa(n) {
		t.Fatalf("cancel = %d %q", c.Status, c.location())
	}
	t.Logf("cancelled %d in %s", n, time.Since(start).Round(time.Millisecond))
	if a, _ := sb.Store.GetAccount(ctx, acct.ID); a.Reserved != 0 {
		t.Fatalf("reserved %d after the cancel", a.Reserved)
	}
	if s := b.status(sid); s.count(store.Cancelled) != n || s.Live {
		t.Fatalf("after cancel: %+v", s)
	}
}

// A personalised file makes one call of the core per distinct text (5,000
// here, as many batches), handed over by several workers; one cancel
// reaches every batch of the send.
func TestImportPersonalisedCancelled(t *testing.T) {
	srv := console(t, web.Options{})
	ctx := context.Background()
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	acct := newAccount(t, 0, store.KindUnit, 100_000_000)
	const n = 5_000
	var data bytes.Buffer
	data.WriteString("手机号,姓名,单号\n")
	for i := range n {
		fmt.Fprintf(&data, "1870%07d,用户%d,SF%05d\n", i, i, i)
	}
	fields := map[string]string{"account": strconv.FormatInt(acct.ID, 10), "business": "notice", "content": "{姓名}您好，快递 {单号} 已到",
		"schedule_at": time.Now().Add(3 * time.Hour).In(sb.Core.TimeZone()).Format("2006-01-02T15:04")}
	id, p := b.imported(fields, "people.csv", data.Bytes())
	mustContain(t, "personalised report", p.Body, "模板字段：姓名、单号", "用户0您好，快递 SF00000 已到")
	conf := b.post("/send/import/"+id+"/confirm", url.Values{"csrf": {b.csrf()}})
	sid := batchLoc.FindStringSubmatch(conf.location())[1]
	s := b.waitStatus(sid, 120*time.Second, func(s statusJSON) bool { return s.State == "done" })
	if s.Handed != n || s.Waiting != n {
		t.Fatalf("after handing over: %+v", s)
	}
	if ms, _ := sb.Store.MessagesTo(ctx, 0, "18700004321", 1); len(ms) != 1 || ms[0].Content != "用户4321您好，快递 SF04321 已到" {
		t.Fatalf("row 4321's message: %+v", ms)
	}
	mustContain(t, "personalised batch page", b.get("/batches/"+sid).Body, "分 5000 个批次提交")
	if c := b.post("/batches/"+sid+"/cancel", url.Values{"csrf": {b.csrf()}}); c.location() != "/batches/"+sid+"?m=cancelled&n=5000" {
		t.Fatalf("cancel = %d %q", c.Status, c.location())
	}
	if a, _ := sb.Store.GetAccount(ctx, acct.ID); a.Reserved != 0 {
		t.Fatalf("reserved %d after the cancel", a.Reserved)
	}
}
