package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hongyan/internal/store"
)

// A real browser reads the inbox and replies, sees the reply in the
// conversation, then makes an address-book group, adds a contact with a
// custom field (a second field added with its button) and sends to the
// group, reaching its batch page; then sends an approved template whose
// {单位} is the contact's field, reaching delivered — at 1366×768 and on a
// phone. Screenshots go to HONGYAN_SCREENSHOTS when set.
func TestBrowserInboxAndAddressBook(t *testing.T) {
	b := newChrome(t, 90*time.Second)
	run, shot, text, fitsWidth, poll := b.run, b.shot, b.text, b.fitsWidth, b.poll
	base := "http://" + sb.Addr()
	num := freshNumber()
	mo := &store.MO{AccountID: sb.Account.ID, From: num, To: sb.Account.ServiceCode + "7", Content: "请问包裹到了吗？", Operator: "cmcc",
		ReceivedAt: time.Now()}
	if err := sb.Store.InsertMO(context.Background(), []*store.MO{mo}); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(mo.ID, 10)

	run("log in",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), sb.AdminUser),
		chromedp.SendKeys(chromedp.CSS(`#password`), sb.AdminPassword),
		chromedp.Click(chromedp.CSS(`.login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
	)
	if s := text(".cards"); !strings.Contains(s, "收件箱") || !strings.Contains(s, "通讯录") {
		t.Fatalf("landing page cards %q lack 收件箱 / 通讯录", s)
	}
	run("open 收件箱", chromedp.Navigate(base+"/inbox"), chromedp.WaitVisible(chromedp.CSS(`#inbox`)))
	if s := text(`#inbox tr[data-id="` + id + `"]`); !strings.Contains(s, num) || !strings.Contains(s, "请问包裹到了吗") {
		t.Fatalf("inbox row %q", s)
	}
	fitsWidth("inbox at 1366×768")
	shot("inbox-1366x768.png")
	run("open the message",
		chromedp.Click(chromedp.CSS(`#inbox tr[data-id="`+id+`"] a.open`)),
		chromedp.WaitVisible(chromedp.CSS(`#reply-form`)),
		chromedp.SendKeys(chromedp.CSS(`#reply-content`), "已到，请凭取件码领取。"),
		chromedp.Click(chromedp.CSS(`#reply-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#conv li.mt`)),
	)
	poll("the reply is in the conversation", `(function () {
		var mt = document.querySelector('#conv li.mt');
		return mt !== null && mt.textContent.indexOf("已到，请凭取件码领取。") >= 0;
	})()`, 10*time.Second)
	if s := text("#conv"); strings.Index(s, "请问包裹到了吗") > strings.Index(s, "已到，请凭取件码领取") {
		t.Fatalf("conversation out of order: %q", s)
	}
	fitsWidth("conversation at 1366×768")
	shot("inbox-conversation-1366x768.png")

	// The address book: a group, a contact, a send to the group.
	name := "浏览器测试组" + num
	run("new group",
		chromedp.Navigate(base+"/book"),
		chromedp.WaitVisible(chromedp.CSS(`#new-group`)),
		chromedp.SendKeys(chromedp.CSS(`#g-name`), name),
		chromedp.Click(chromedp.CSS(`#new-group button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#contact-form`)),
		chromedp.SendKeys(chromedp.CSS(`#c-number`), num),
		chromedp.SendKeys(chromedp.CSS(`#c-name`), "张三"),
		chromedp.SendKeys(chromedp.CSS(`#c-fields .bk-fnew input[name="fname"]`), "单位"),
		chromedp.SendKeys(chromedp.CSS(`#c-fields .bk-fnew input[name="fvalue"]`), "邮政"),
		chromedp.Click(chromedp.CSS(`#c-field-add`)),
		chromedp.SendKeys(chromedp.CSS(`#c-fields .bk-fpair:last-of-type input[name="fname"]`), "地址"),
		chromedp.SendKeys(chromedp.CSS(`#c-fields .bk-fpair:last-of-type input[name="fvalue"]`), "广州"),
		chromedp.Click(chromedp.CSS(`#contact-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#contacts`)),
	)
	if s := text("#contacts"); !strings.Contains(s, num) || !strings.Contains(s, "张三") || !strings.Contains(s, "邮政") || !strings.Contains(s, "广州") {
		t.Fatalf("contacts %q", s)
	}
	if s := text("#contacts thead"); !strings.Contains(s, "单位") || !strings.Contains(s, "地址") {
		t.Fatalf("the group's columns %q lack its fields", s)
	}
	groupPath := b.eval(`location.pathname`)
	fitsWidth("group at 1366×768")
	shot("book-1366x768.png")
	run("open the group send",
		chromedp.Click(chromedp.CSS(`#group-send`)),
		chromedp.WaitVisible(chromedp.CSS(`#send-form`)),
	)
	b.eval(`(function () { var a = document.querySelector('select#account'); if (a) { a.value = "` +
		strconv.FormatInt(sb.Account.ID, 10) + `"; } return ""; })()`)
	run("send to the group",
		chromedp.SendKeys(chromedp.CSS(`#content`), "{name}，您好，通知已发出。"),
		chromedp.Click(chromedp.CSS(`#send-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#batch`)),
	)
	poll("the group's send is handed over", `(function () {
		var d = document.querySelector('#b-counts');
		return d !== null && /1/.test(d.textContent);
	})()`, 20*time.Second)
	fitsWidth("the group's batch at 1366×768")

	// An approved template whose {单位} is the contact's field, to delivered.
	f := newTemplateFixture(t)
	tp := &store.Template{AccountID: f.acc.ID, Code: "unit", Business: f.bt, Text: "{name}您好，{单位}的通知已到", CreatedBy: "test"}
	if err := sb.Core.CreateTemplate(context.Background(), tp); err != nil {
		t.Fatal(err)
	}
	if err := sb.Core.ReviewTemplate(context.Background(), tp, true, "", "root"); err != nil {
		t.Fatal(err)
	}
	run("the template group send",
		chromedp.Navigate(base+groupPath+"/send?account="+strconv.FormatInt(f.acc.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`#send-form`)),
		chromedp.SetValue(chromedp.CSS(`#business`), f.bt),
		chromedp.SetValue(chromedp.CSS(`#template`), strconv.FormatInt(tp.ID, 10)),
		chromedp.Click(chromedp.CSS(`#send-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#batch`)),
	)
	poll("the template send is delivered", `(function () {
		var d = document.querySelector('#b-counts [data-key="delivered"] dd');
		return d !== null && d.textContent === "1";
	})()`, 30*time.Second)
	want := f.sign + "张三您好，邮政的通知已到回T退订"
	if ms, err := sb.Store.MessagesTo(context.Background(), f.acc.ID, num, 5); err != nil || len(ms) != 1 || ms[0].Content != want || ms[0].State != store.Delivered {
		t.Fatalf("template send to %s: %v %+v, want %q delivered", num, err, ms, want)
	}

	// A phone: nothing scrolls sideways.
	run("phone: inbox", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/inbox/"+id), chromedp.WaitVisible(chromedp.CSS(`#conv`)))
	fitsWidth("conversation on a phone")
	shot("inbox-phone.png")
	run("phone: book", chromedp.Navigate(base+"/book"), chromedp.WaitVisible(chromedp.CSS(`#new-group`)))
	fitsWidth("address book on a phone")
	shot("book-phone.png")
}
