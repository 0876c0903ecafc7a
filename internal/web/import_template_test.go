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

// templateFixture is an account with an approved signature and template
// of a business type that sends only templates, with a prefix signature
// and an unsubscribe text.
type templateFixture struct {
	acc  *store.Account
	bt   string
	tpl  *store.Template
	sign string
}

func newTemplateFixture(t *testing.T) *templateFixture {
	t.Helper()
	ctx := context.Background()
	f := &templateFixture{bt: fmt.Sprintf("tpl%d", numSeq.Add(1)), sign: fmt.Sprintf("【红雁测试%d】", numSeq.Add(1))}
	if err := sb.Core.CreateBusinessType(ctx, &store.BusinessType{Code: f.bt, Name: "模板通知", Priority: 1, Enabled: true,
		FeePerSegment: 50, ReportRequired: true, TemplateRequired: true, Signature: store.SignaturePrefix, UnsubscribeText: "回T退订"}); err != nil {
		t.Fatal(err)
	}
	f.acc = newAccount(t, 0, store.KindUnit, 10_000_000)
	sg := &store.Signature{AccountID: f.acc.ID, Text: f.sign, CreatedBy: "test"}
	if err := sb.Core.CreateSignature(ctx, sg); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.ReviewSignature(ctx, sg, true, "", "root"); err != nil {
		t.Fatal(err)
	}
	f.tpl = &store.Template{AccountID: f.acc.ID, Code: "pickup", Business: f.bt, Text: "{name}您好，您的取件码是{code}", CreatedBy: "test"}
	if err := sb.Core.CreateTemplate(ctx, f.tpl); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.ReviewTemplate(ctx, f.tpl, true, "", "root"); err != nil {
		t.Fatal(err)
	}
	return f
}

// A file sent with an approved template of a business type that requires
// one: free text is refused in Chinese; with the template, the file's
// columns are its variables, a row lacking one is reported (variable and
// row), the preview shows the text as the core composes it (signature and
// unsubscribe text), and the rest are delivered with exactly that text.
func TestImportWithTemplate(t *testing.T) {
	srv := console(t, web.Options{})
	ctx := context.Background()
	f := newTemplateFixture(t)
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	acct := strconv.FormatInt(f.acc.ID, 10)
	tplID := strconv.FormatInt(f.tpl.ID, 10)

	// The file tab offers the account's approved template.
	mustContain(t, "file tab", b.get("/send?tab=file&account="+acct).Body,
		`<option value="`+tplID+`" data-business="`+f.bt+`">pickup（`+f.bt+`）：{name}您好，您的取件码是{code}</option>`)

	n1, n2, n3 := freshNumber(), freshNumber(), freshNumber()
	csv := "手机号,name,code\n" + n1 + ",张三,1234\n" + n2 + ",,5678\n" + n3 + ",王五,9999\n"

	// Free text on a type that sends only templates: refused, in Chinese.
	p := b.upload(map[string]string{"account": acct, "business": f.bt, "content": "{name}您好"}, "list.csv", []byte(csv), false)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("free text import = %d; %.600s", p.Status, p.Body)
	}
	mustContain(t, "free text refusal", p.Body, "该业务类型只能发送已审核的模板，不能发送自由填写的内容。")

	// A template of another business type is refused too.
	p = b.upload(map[string]string{"account": acct, "business": "notice", "template": tplID}, "list.csv", []byte(csv), false)
	if p.Status != http.StatusBadRequest {
		t.Fatalf("template of another type = %d; %.600s", p.Status, p.Body)
	}
	mustContain(t, "business mismatch", p.Body, "模板 pickup 属于业务类型 "+f.bt)

	// A file without the template's column is refused whole.
	_, p = b.imported(map[string]string{"account": acct, "business": f.bt, "template": tplID}, "list.csv", []byte("手机号,name\n"+n1+",张三\n"))
	mustContain(t, "missing column", p.Body, "模板的变量 {code} 在文件中没有对应的列。文件的列有：手机号、name。")

	want1 := f.sign + "张三您好，您的取件码是1234回T退订"
	want3 := f.sign + "王五您好，您的取件码是9999回T退订"
	id, p := b.imported(map[string]string{"account": acct, "business": f.bt, "template": tplID}, "list.csv", []byte(csv))
	mustContain(t, "template import report", p.Body, "共 3 行：2 行将发送，1 行不发送",
		`data-kind="missing_variable">1<`, "缺少模板变量 {name}", "<td data-label=\"行号\" class=\"num\">3</td>",
		want1, want3, "确认发送 2 个号码", "模板 pickup：{name}您好，您的取件码是{code}")
	mustNotContain(t, "template import report", p.Body, `data-kind="missing_field"`)
	rep := b.get("/send/import/" + id + "/problems.csv")
	mustContain(t, "problems.csv", rep.Body, "3,"+n2+",缺少模板变量,缺少模板变量 {name}")

	conf := b.post("/send/import/"+id+"/confirm", url.Values{"csrf": {b.csrf()}})
	m := batchLoc.FindStringSubmatch(conf.location())
	if conf.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("confirm = %d %q", conf.Status, conf.location())
	}
	s := b.waitStatus(m[1], 30*time.Second, func(s statusJSON) bool { return s.State == "done" && s.count(store.Delivered) == 2 })
	if s.Total != 2 || s.Handed != 2 {
		t.Fatalf("template import status %+v", s)
	}
	for num, text := range map[string]string{n1: want1, n3: want3} {
		ms, _ := sb.Store.MessagesTo(ctx, 0, num, 10)
		if len(ms) != 1 || ms[0].Content != text || ms[0].Business != f.bt {
			t.Fatalf("messages to %s: %+v, want %q", num, ms, text)
		}
	}
	if ms, _ := sb.Store.MessagesTo(ctx, 0, n2, 10); len(ms) != 0 {
		t.Fatalf("the row missing a variable was sent: %+v", ms)
	}
}

// A group send with an approved template: {name} is each contact's name,
// a contact without one is reported and left out when the user sends to
// the others, who get the composed text;
// free text on the type is refused in Chinese.
func TestGroupSendWithTemplate(t *testing.T) {
	srv := console(t, web.Options{})
	ctx := context.Background()
	f := newTemplateFixture(t)
	tp := &store.Template{AccountID: f.acc.ID, Code: "hello", Business: f.bt, Text: "{name}您好，会员日快乐", CreatedBy: "test"}
	if err := sb.Core.CreateTemplate(ctx, tp); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.ReviewTemplate(ctx, tp, true, "", "root"); err != nil {
		t.Fatal(err)
	}
	admin, err := sb.Store.UserByName(ctx, sb.AdminUser)
	if err != nil {
		t.Fatal(err)
	}
	g := &store.ContactGroup{Name: fmt.Sprintf("模板群%d", numSeq.Add(1)), OwnerID: admin.ID, CreatedBy: admin.Username, CreatedAt: time.Now()}
	if err := sb.Store.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	n1, n2 := freshNumber(), freshNumber()
	if _, err := sb.Store.AddContacts(ctx, g.ID, []*store.Contact{{Number: n1, Name: "张三"}, {Number: n2}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	gid, acct := strconv.FormatInt(g.ID, 10), strconv.FormatInt(f.acc.ID, 10)
	mustContain(t, "group send form", b.get("/book/"+gid+"/send?account="+acct).Body, `<option value="`+strconv.FormatInt(tp.ID, 10)+`"`)

	p := b.post("/book/"+gid+"/send", url.Values{"csrf": {b.csrf()}, "account": {acct}, "business": {f.bt}, "content": {"{name}您好"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("free text group send = %d; %.600s", p.Status, p.Body)
	}
	mustContain(t, "free text refusal", p.Body, "该业务类型只能发送已审核的模板")
	// A variable no contact has (addressbook_skips.go): nobody to send to, said with the count.
	p = b.post("/book/"+gid+"/send", url.Values{"csrf": {b.csrf()}, "account": {acct}, "business": {f.bt}, "template": {strconv.FormatInt(f.tpl.ID, 10)}})
	wantStatus(t, "a variable no contact has", p, http.StatusUnprocessableEntity)
	mustContain(t, "unknown variable", p.Body, "2 个联系人缺少 {code}")

	// The contact without a name is reported first, then left out when the user sends to the other.
	tv := url.Values{"csrf": {b.csrf()}, "account": {acct}, "business": {f.bt}, "template": {strconv.FormatInt(tp.ID, 10)}}
	p = b.post("/book/"+gid+"/send", tv)
	wantStatus(t, "a contact lacking {name}", p, http.StatusOK)
	mustContain(t, "skipped report", p.Body, "1 个联系人缺少 {name}", n2)
	tv.Set("skip_ok", "1")
	tv.Set("skip_seen", "1")
	p = b.post("/book/"+gid+"/send", tv)
	m := batchLoc.FindStringSubmatch(p.location())
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("group send = %d %q; %.600s", p.Status, p.location(), p.Body)
	}
	b.waitStatus(m[1], 30*time.Second, func(s statusJSON) bool { return s.State == "done" && s.count(store.Delivered) == 1 })
	want := f.sign + "张三您好，会员日快乐回T退订"
	if ms, _ := sb.Store.MessagesTo(ctx, 0, n1, 10); len(ms) != 1 || ms[0].Content != want {
		t.Fatalf("messages to %s: %+v, want %q", n1, ms, want)
	}
	if ms, _ := sb.Store.MessagesTo(ctx, 0, n2, 10); len(ms) != 0 {
		t.Fatalf("a contact without a name was sent: %+v", ms)
	}
}
