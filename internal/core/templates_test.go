package core

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Signatures and templates at accept: what is composed, counted, priced
// and stored, and every refusal's code, status and message — each
// storing, reserving and counting nothing.

// tmplFx is an accept fixture whose partner may use every type, with a
// helper to register and review signatures and templates.
func tmplFx(t *testing.T) *acceptFx {
	t.Helper()
	f := newAcceptFx(t)
	if _, err := f.c.SetGrants(f.ctx, store.GrantAccount, f.acc.ID, []string{"*"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *acceptFx) setType(code string, change func(b *store.BusinessType)) {
	f.t.Helper()
	if _, _, err := f.c.UpdateBusinessType(f.ctx, code, func(b *store.BusinessType) error { change(b); return nil }); err != nil {
		f.t.Fatal(err)
	}
}

func (f *acceptFx) signature(text string, approve bool, owner func(*store.Signature)) *store.Signature {
	f.t.Helper()
	sg := &store.Signature{AccountID: f.acc.ID, Text: text, CreatedBy: "test"}
	if owner != nil {
		owner(sg)
	}
	if err := f.c.CreateSignature(f.ctx, sg); err != nil {
		f.t.Fatal(err)
	}
	if approve {
		if err := f.c.ReviewSignature(f.ctx, sg, true, "", "root"); err != nil {
			f.t.Fatal(err)
		}
	}
	return sg
}

func (f *acceptFx) template(code, business, text string, approve bool) *store.Template {
	f.t.Helper()
	tp := &store.Template{AccountID: f.acc.ID, Code: code, Business: business, Text: text, CreatedBy: "test"}
	if err := f.c.CreateTemplate(f.ctx, tp); err != nil {
		f.t.Fatal(err)
	}
	if approve {
		if err := f.c.ReviewTemplate(f.ctx, tp, true, "", "root"); err != nil {
			f.t.Fatal(err)
		}
	}
	return tp
}

// nothingChanged fails unless money and the day's count are as they were.
func (f *acceptFx) nothingChanged(what string, bal, res, count int64) {
	f.t.Helper()
	if b, r := f.money(); b != bal || r != res || f.count() != count {
		f.t.Fatalf("%s: money %d/%d → %d/%d, count %d → %d", what, bal, res, b, r, count, f.count())
	}
}

const seventy = "您的邮件已到达邮政营业厅，请凭取件码领取，营业时间为每日八点至十八点，逾期七日将退回寄件人处理，敬请留意，谢谢您的支持与配合。祝您生活愉快！"

func TestSignatureAndUnsubscribeTextCountInSegmentsAndFee(t *testing.T) {
	f := tmplFx(t)
	if n := len([]rune(seventy)); n != 70 {
		t.Fatalf("the text has %d characters, want 70", n)
	}
	r, err := f.send("marketing", 1, func(r *SendRequest) { r.Content = seventy })
	if err != nil || r.Messages[0].Segments != 1 || r.Messages[0].Fee != 40 || r.Messages[0].Content != seventy {
		t.Fatalf("plain 70 characters: %+v %v", r, err)
	}

	f.setType("marketing", func(b *store.BusinessType) { b.Signature, b.UnsubscribeText = store.SignaturePrefix, "回T退订" })
	f.signature("【中国邮政】", true, nil)
	_, res0 := f.money()
	r, err = f.send("marketing", 1, func(r *SendRequest) { r.Content = seventy })
	if err != nil {
		t.Fatal(err)
	}
	m := r.Messages[0]
	if want := "【中国邮政】" + seventy + "回T退订"; m.Content != want || m.Segments != 2 || m.Fee != 80 {
		t.Fatalf("composed: %q, %d segments, fee %d; want %q, 2 segments, fee 80", m.Content, m.Segments, m.Fee, want)
	}
	stored, err := f.st.GetMessage(f.ctx, 0, m.ID)
	if err != nil || stored.Content != m.Content || stored.Segments != 2 || stored.Fee != 80 {
		t.Fatalf("stored %+v %v", stored, err)
	}
	if _, res := f.money(); res-res0 != 80 {
		t.Fatalf("reserved %d more, want 80 (two segments at 40)", res-res0)
	}

	// A text that carries the approved signature, or the unsubscribe text,
	// does not get them twice; suffix placement puts the unsubscribe text
	// before the closing signature.
	r, err = f.send("marketing", 1, func(r *SendRequest) { r.Content = "【中国邮政】周末促销，回T退订" })
	if err != nil || r.Messages[0].Content != "【中国邮政】周末促销，回T退订" {
		t.Fatalf("carried: %+v %v", r, err)
	}
	f.setType("marketing", func(b *store.BusinessType) { b.Signature = store.SignatureSuffix })
	r, err = f.send("marketing", 1, func(r *SendRequest) { r.Content = "周末促销 " })
	if err != nil || r.Messages[0].Content != "周末促销回T退订【中国邮政】" {
		t.Fatalf("suffix: %+v %v", r, err)
	}
	r, err = f.send("marketing", 1, func(r *SendRequest) { r.Content = "周末促销【中国邮政】" })
	if err != nil || r.Messages[0].Content != "周末促销回T退订【中国邮政】" {
		t.Fatalf("suffix carried: %+v %v", r, err)
	}
	// A type without settings sends the text as it is.
	r, err = f.send("notice", 1, func(r *SendRequest) { r.Content = "【任意】通知" })
	if err != nil || r.Messages[0].Content != "【任意】通知" {
		t.Fatalf("notice: %+v %v", r, err)
	}
	// The composed text is what the segment limit applies to.
	f.setType("marketing", func(b *store.BusinessType) { b.MaxSegments = 1 })
	ce := f.refused(f.fail("marketing", 1, func(r *SendRequest) { r.Content = seventy }), "content_too_long", 400)
	if !strings.Contains(ce.Message, "with the signature and unsubscribe text") {
		t.Fatalf("message %q", ce.Message)
	}
}

func TestDefaultAndNamedSignatures(t *testing.T) {
	f := tmplFx(t)
	f.setType("notice", func(b *store.BusinessType) { b.Signature = store.SignaturePrefix })
	bal, res := f.money()
	ce := f.refused(f.fail("notice", 1), "no_signature", 422)
	if !strings.Contains(ce.Message, "account partner have no approved signature") {
		t.Fatalf("message %q", ce.Message)
	}
	old := f.signature("【邮政速递】", false, nil)
	ce = f.refused(f.fail("notice", 1), "signature_not_approved", 422)
	if !strings.Contains(ce.Message, "【邮政速递】") || !strings.Contains(ce.Message, "pending") {
		t.Fatalf("message %q", ce.Message)
	}
	if err := f.c.ReviewSignature(f.ctx, old, false, "与单位名称不符", "root"); err != nil {
		t.Fatal(err)
	}
	ce = f.refused(f.fail("notice", 1), "signature_not_approved", 422)
	if !strings.Contains(ce.Message, "rejected") || !strings.Contains(ce.Message, "与单位名称不符") {
		t.Fatalf("message %q", ce.Message)
	}
	f.nothingChanged("signature refusals", bal, res, 0)
	if rs := f.refusals(); rs["no_signature"] != 1 || rs["signature_not_approved"] != 2 {
		t.Fatalf("refusals %v", rs)
	}

	// The first approved is the default until another is made it; a new
	// default still pending does not stop the approved one.
	ems := f.signature("【中国邮政】", true, nil)
	other := f.signature("【邮政EMS】", true, nil)
	if r, err := f.send("notice", 1); err != nil || r.Messages[0].Content != "【中国邮政】测试" {
		t.Fatalf("default: %+v %v", r, err)
	}
	if err := f.c.SetSignatureDefault(f.ctx, other); err != nil {
		t.Fatal(err)
	}
	if r, err := f.send("notice", 1); err != nil || r.Messages[0].Content != "【邮政EMS】测试" {
		t.Fatalf("new default: %+v %v", r, err)
	}
	pendingDefault := f.signature("【新名字】", false, func(s *store.Signature) { s.Default = true })
	if r, err := f.send("notice", 1); err != nil || r.Messages[0].Content != "【中国邮政】测试" {
		t.Fatalf("with a pending default: %+v %v", r, err)
	}
	_ = pendingDefault
	// Named by text (with or without brackets) or id.
	for _, ref := range []string{"中国邮政", "【中国邮政】", "  【中国邮政】"} {
		if r, err := f.send("notice", 1, func(r *SendRequest) { r.Signature = ref }); err != nil || r.Messages[0].Content != "【中国邮政】测试" {
			t.Fatalf("named %q: %+v %v", ref, r, err)
		}
	}
	if r, err := f.send("notice", 1, func(r *SendRequest) { r.Signature = "【邮政EMS】" }); err != nil || r.Messages[0].Content != "【邮政EMS】测试" {
		t.Fatalf("named by text: %+v %v", r, err)
	}
	bal, res = f.money()
	n := f.count()
	f.refused(f.fail("notice", 1, func(r *SendRequest) { r.Signature = "【新名字】" }), "signature_not_approved", 422)
	ce = f.refused(f.fail("notice", 1, func(r *SendRequest) { r.Signature = "【别人的】" }), "signature_not_approved", 422)
	if !strings.Contains(ce.Message, "is not a registered signature of account partner") {
		t.Fatalf("message %q", ce.Message)
	}
	f.refused(f.fail("notice", 1, func(r *SendRequest) { r.Content = "【别人的】测试" }), "signature_not_approved", 422)
	f.refused(f.fail("notice", 1, func(r *SendRequest) { r.Content = "【中国邮政】测试"; r.Signature = "邮政EMS" }), "invalid_request", 400)
	f.refused(f.fail("marketing", 1, func(r *SendRequest) { r.Signature = "中国邮政" }), "invalid_request", 400)
	f.nothingChanged("named signature refusals", bal, res, n)

	// Deleted: gone at once.
	if err := f.c.DeleteSignature(f.ctx, ems.ID); err != nil {
		t.Fatal(err)
	}
	f.refused(f.fail("notice", 1, func(r *SendRequest) { r.Signature = "中国邮政" }), "signature_not_approved", 422)
}

func TestOrganisationSignaturesReachUnitAccountsNotPartners(t *testing.T) {
	f := tmplFx(t)
	prov := &store.Org{Level: store.LevelProvince, Code: "P", Name: "省"}
	noErr(t, f.st.CreateOrg(f.ctx, prov))
	city := &store.Org{Level: store.LevelCity, ParentID: prov.ID, Code: "P-C", Name: "市"}
	noErr(t, f.st.CreateOrg(f.ctx, city))
	unit := &store.Account{Name: "unit", Kind: store.KindUnit, OrgID: city.ID, Balance: 10_000}
	noErr(t, f.st.CreateAccount(f.ctx, unit))
	noErr(t, f.c.Reload(f.ctx))
	_, err := f.c.SetGrants(f.ctx, store.GrantOrg, prov.ID, []string{"*"})
	noErr(t, err)
	f.acc.OrgID = city.ID // the partner is managed by the city
	noErr(t, f.st.UpdateAccount(f.ctx, f.acc))
	noErr(t, f.c.Reload(f.ctx))
	f.setType("notice", func(b *store.BusinessType) { b.Signature = store.SignatureSuffix })
	f.signature("【中国邮政】", true, func(s *store.Signature) { s.AccountID, s.OrgID = 0, prov.ID })
	tp := &store.Template{OrgID: prov.ID, Code: "parcel", Business: "notice", Text: "{name}，您的包裹已到。"}
	noErr(t, f.c.CreateTemplate(f.ctx, tp))
	noErr(t, f.c.ReviewTemplate(f.ctx, tp, true, "", "root"))

	r, err := f.c.Accept(f.ctx, &SendRequest{AccountID: unit.ID, To: []string{"13800138000"}, Template: "parcel",
		Variables: map[string]string{"name": "张三"}})
	if err != nil || r.Messages[0].Content != "张三，您的包裹已到。【中国邮政】" || r.Messages[0].Business != "notice" {
		t.Fatalf("a unit under the province: %+v %v", r, err)
	}
	// A city signature of its own is nearer.
	f.signature("【广州邮政】", true, func(s *store.Signature) { s.AccountID, s.OrgID = 0, city.ID })
	r, err = f.c.Accept(f.ctx, &SendRequest{AccountID: unit.ID, To: []string{"13800138000"}, Content: "通知"})
	if err != nil || r.Messages[0].Content != "通知【广州邮政】" {
		t.Fatalf("nearest organisation: %+v %v", r, err)
	}
	// The partner managed by the city inherits neither.
	f.refused(f.fail("notice", 1), "no_signature", 422)
	f.refused(f.fail("", 1, func(r *SendRequest) {
		r.Content, r.Template, r.Variables = "", "parcel", map[string]string{"name": "x"}
	}),
		"unknown_template", 400)
}

func TestTemplatesAtAccept(t *testing.T) {
	f := tmplFx(t)
	tp := f.template("parcel", "notice", "{name}，您的包裹已到，取件码{code}。", false)

	bal, res := f.money()
	withTpl := func(ref string, vars map[string]string) func(*SendRequest) {
		return func(r *SendRequest) { r.Content, r.Template, r.Variables = "", ref, vars }
	}
	ce := f.refused(f.fail("", 1, withTpl("parcel", map[string]string{"name": "张三", "code": "1234"})), "template_not_approved", 422)
	if !strings.Contains(ce.Message, "pending") {
		t.Fatalf("message %q", ce.Message)
	}
	noErr(t, f.c.ReviewTemplate(f.ctx, tp, false, "取件码须为数字", "root"))
	ce = f.refused(f.fail("", 1, withTpl("parcel", nil)), "template_not_approved", 422)
	if !strings.Contains(ce.Message, "取件码须为数字") {
		t.Fatalf("message %q", ce.Message)
	}
	noErr(t, f.c.ReviewTemplate(f.ctx, tp, true, "", "root"))
	f.refused(f.fail("", 1, withTpl("nothing", nil)), "unknown_template", 400)
	ce = f.refused(f.fail("", 1, withTpl("parcel", map[string]string{"name": "张三"})), "missing_variable", 400)
	if ce.Message != `template parcel needs the variable {code}: give it in "variables" (the template uses {name}, {code})` {
		t.Fatalf("message %q", ce.Message)
	}
	f.refused(f.fail("", 1, withTpl("parcel", map[string]string{"name": "【假冒】", "code": "1"})), "invalid_variable", 400)
	f.refused(f.fail("marketing", 1, withTpl("parcel", map[string]string{"name": "a", "code": "1"})), "template_business_mismatch", 422)
	f.refused(f.fail("", 1, func(r *SendRequest) { r.Template = "parcel" }), "invalid_request", 400) // content and template
	f.refused(f.fail("notice", 1, func(r *SendRequest) { r.Variables = map[string]string{"a": "b"} }), "invalid_request", 400)
	f.refused(f.fail("", 2, withTpl("parcel", nil), func(r *SendRequest) {
		r.PerRecipient = []map[string]string{{"name": "a", "code": "1"}}
	}), "invalid_request", 400)
	// Per recipient: recipient 2 lacks {code}, named with its number.
	ce = f.refused(f.fail("", 3, withTpl("parcel", map[string]string{"code": "0000"}), func(r *SendRequest) {
		r.PerRecipient = []map[string]string{{"name": "张三"}, {}, {"name": "王五"}}
	}), "missing_variable", 400)
	if ce.Message != "template parcel needs the variable {name}, which recipient 2 (13800130001) lacks (the template uses {name}, {code})" {
		t.Fatalf("message %q", ce.Message)
	}
	f.nothingChanged("template refusals", bal, res, 0)
	if rs := f.refusals(); rs["template_not_approved"] != 2 || rs["missing_variable"] != 0 {
		t.Fatalf("refusals %v (policy refusals recorded, mistakes not)", rs)
	}

	// By code or id; the template names the business type; each number its
	// own text, segments and fee (a long name takes the second a segment).
	long := strings.Repeat("长", 60)
	r, err := f.send("", 3, withTpl("parcel", map[string]string{"code": "0000"}), func(r *SendRequest) {
		r.PerRecipient = []map[string]string{{"name": "张三", "code": "1234"}, {"name": long}, {"name": "王五"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		content string
		segs    int
	}{{"张三，您的包裹已到，取件码1234。", 1}, {long + "，您的包裹已到，取件码0000。", 2}, {"王五，您的包裹已到，取件码0000。", 1}}
	for i, m := range r.Messages {
		if m.Content != want[i].content || m.Segments != want[i].segs || m.Fee != int64(50*want[i].segs) || m.Business != "notice" {
			t.Fatalf("message %d: %q %d segments fee %d %s; want %q %d", i, m.Content, m.Segments, m.Fee, m.Business, want[i].content, want[i].segs)
		}
	}
	if _, res2 := f.money(); res2-res != 200 {
		t.Fatalf("reserved %d, want 200 (4 segments at 50)", res2-res)
	}
	if r, err := f.send("", 1, withTpl(" "+strconv.FormatInt(tp.ID, 10), map[string]string{"name": "甲", "code": "9"})); err != nil || r.Messages[0].Content != "甲，您的包裹已到，取件码9。" {
		t.Fatalf("by id: %+v %v", r, err)
	}
}

func TestTemplateRequired(t *testing.T) {
	f := tmplFx(t)
	f.setType("notice", func(b *store.BusinessType) { b.TemplateRequired = true })
	bal, res := f.money()
	ce := f.refused(f.fail("notice", 2), "template_required", 422)
	if !strings.Contains(ce.Message, "business type notice sends only approved templates: free text is refused") {
		t.Fatalf("message %q", ce.Message)
	}
	f.nothingChanged("template_required", bal, res, 0)
	if f.refusals()["template_required"] != 1 {
		t.Fatalf("refusals %v", f.refusals())
	}
	f.template("otp", "notice", "验证码{code}，5分钟内有效。", true)
	r, err := f.send("notice", 1, func(r *SendRequest) {
		r.Content, r.Template, r.Variables = "", "otp", map[string]string{"code": "123456"}
	})
	if err != nil || r.Messages[0].Content != "验证码123456，5分钟内有效。" {
		t.Fatalf("templated: %+v %v", r, err)
	}
	// The platform's own messages (unsubscribe confirmations) go as written.
	if _, err := f.send("notice", 1, func(r *SendRequest) { r.system = true }); err != nil {
		t.Fatalf("system message: %v", err)
	}
}

// Another node approves or withdraws: this node's cache follows.
func TestTemplateChangesFromAnotherNode(t *testing.T) {
	f := tmplFx(t)
	tp := f.template("otp", "notice", "验证码{code}。", false)
	// Approved behind the core's back (as another node would): the refusal
	// path checks the version first, so the very next request goes.
	tp.State = store.ReviewApproved
	noErr(t, f.st.UpdateTemplate(f.ctx, tp))
	use := func(r *SendRequest) { r.Content, r.Template, r.Variables = "", "otp", map[string]string{"code": "1"} }
	if _, err := f.send("notice", 1, use); err != nil {
		t.Fatalf("approved on another node: %v", err)
	}
	// Withdrawn there: refused within a couple of seconds.
	tp.State, tp.Reason = store.ReviewRejected, "撤销"
	noErr(t, f.st.UpdateTemplate(f.ctx, tp))
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := f.send("notice", 1, use)
		var ce *Error
		if errors.As(err, &ce) && ce.Code == "template_not_approved" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still accepted 5 s after the withdrawal: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestParseTemplate(t *testing.T) {
	for _, tc := range []struct {
		text, vars, err string
	}{
		{"{name}，您的包裹已到", "name", ""},
		{"尊敬的{姓名}：{name}{name}单号{no_2}", "姓名,name,no_2", ""},
		{"没有变量", "", ""},
		{"{name", "", "the { at character 1 is not closed by a }"},
		{"您好}", "", "a } at character 3 closes no {"},
		{"{a{b}}", "", "the { at character 1 is not closed by a }"},
		{"{}", "", "{} at character 1"},
		{"{2x}", "", "{2x} at character 1"},
		{"{a b}", "", "{a b}"},
		{"{" + strings.Repeat("x", 33) + "}", "", "a variable name is 1 to 32"},
	} {
		_, vars, err := parseTemplate(tc.text)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseTemplate(%q) err = %v, want %q", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(vars, ",") != tc.vars {
			t.Errorf("parseTemplate(%q) = %v, %v; want %s", tc.text, vars, err, tc.vars)
		}
	}
}

func TestCheckSignatureAndTemplate(t *testing.T) {
	f := tmplFx(t)
	if _, err := f.c.FilterWordAdd(f.ctx, "赌博", "reject"); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"【中国邮政】": "【中国邮政】", "中国邮政": "【中国邮政】", " 【EMS】 ": "【EMS】", "【邮政·速递】": "【邮政·速递】"} {
		if got, err := f.c.CheckSignature(in); err != nil || got != want {
			t.Errorf("CheckSignature(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, why := range map[string]string{
		"【邮】": "1 characters",
		"【" + strings.Repeat("邮", 21) + "】": "21 characters",
		"【中国邮政":                             "brackets",
		"【中国 邮政】":                           "not allowed",
		"【10086】":                           "only digits",
		"【赌博公司】":                            "forbidden word",
		"【中【国】】":                            "not allowed",
	} {
		_, err := f.c.CheckSignature(in)
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != "invalid_signature" || ce.Status != http.StatusBadRequest || !strings.Contains(ce.Message, why) {
			t.Errorf("CheckSignature(%q) = %v, want invalid_signature about %q", in, err, why)
		}
	}
	for _, tc := range []struct {
		t    store.Template
		code string
		why  string
	}{
		{store.Template{Code: "a b", Business: "notice", Text: "x"}, "invalid_template", "code must be"},
		{store.Template{Code: "42", Business: "notice", Text: "x"}, "invalid_template", "cannot be a number"},
		{store.Template{Code: "x", Business: "", Text: "x"}, "invalid_template", "business is required"},
		{store.Template{Code: "x", Business: "nothing", Text: "x"}, "unknown_business", "nothing"},
		{store.Template{Code: "x", Business: "notice", Text: " "}, "invalid_template", "empty"},
		{store.Template{Code: "x", Business: "notice", Text: "{a}{b}"}, "invalid_template", "text of its own"},
		{store.Template{Code: "x", Business: "notice", Text: "您好{name"}, "invalid_template", "not closed"},
		{store.Template{Code: "x", Business: "notice", Text: "赌{x}博"}, "invalid_template", "forbidden word"}, // a variable does not hide a word
		{store.Template{Code: "x", Business: "notice", Text: "{x}您好"}, "", ""},
		{store.Template{Code: "x", Business: "notice", Text: "欢迎赌博{x}"}, "invalid_template", "forbidden word"},
		{store.Template{Code: "x", Business: "notice", Text: strings.Repeat("字", 501)}, "invalid_template", "at most 500"},
	} {
		tp := tc.t
		err := f.c.CheckTemplate(&tp)
		if tc.code == "" {
			if err != nil {
				t.Errorf("CheckTemplate(%+v) = %v", tc.t, err)
			}
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != tc.code || !strings.Contains(ce.Message, tc.why) {
			t.Errorf("CheckTemplate(%+v) = %v, want %s about %q", tc.t, err, tc.code, tc.why)
		}
	}
	// Business type settings are checked with the others.
	for _, bad := range []store.BusinessType{
		{Code: "x", Signature: "middle"},
		{Code: "x", UnsubscribeText: strings.Repeat("退", 21)},
		{Code: "x", UnsubscribeText: "【退订】"},
	} {
		b := bad
		if err := CheckBusinessType(&b); err == nil {
			t.Errorf("CheckBusinessType(%+v) accepted", bad)
		}
	}
	b := store.BusinessType{Code: "x", UnsubscribeText: " 回T退订 "}
	if err := CheckBusinessType(&b); err != nil || b.Signature != store.SignatureNone || b.UnsubscribeText != "回T退订" {
		t.Fatalf("normalised %+v %v", b, err)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
