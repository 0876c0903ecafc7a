package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A real browser sends: it logs in, sends one message and watches its
// batch page reach 已送达 without reloading, imports a file with invalid
// rows and reads the report, and schedules a send and cancels it — at
// 1366×768 and on a phone. Screenshots go to HONGYAN_SCREENSHOTS when set.
func TestBrowserSendImportCancel(t *testing.T) {
	b := newChrome(t, 150*time.Second)
	bctx, run, shot, text, fitsWidth, poll := b.ctx, b.run, b.shot, b.text, b.fitsWidth, b.poll
	base := "http://" + sb.Addr()
	acct := strconv.FormatInt(sb.Account.ID, 10)

	// Log in with the page's own form.
	run("log in",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), sb.AdminUser),
		chromedp.SendKeys(chromedp.CSS(`#password`), sb.AdminPassword),
		chromedp.Click(chromedp.CSS(`.login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
	)
	if s := text(".cards"); !strings.Contains(s, "发送") || !strings.Contains(s, "批次") {
		t.Fatalf("landing page cards %q lack 发送 / 批次", s)
	}

	// One message: the counter counts as the user types, the batch page
	// follows it to 已送达 by itself.
	run("open 发送",
		chromedp.Navigate(base+"/send?account="+acct),
		chromedp.WaitVisible(chromedp.CSS(`#send-form`)),
		chromedp.SendKeys(chromedp.CSS(`#to`), freshNumber()),
		chromedp.SendKeys(chromedp.CSS(`#content`), "Parcel 1234 has arrived"),
	)
	if c := text("#counter"); !strings.Contains(c, "23 字") || !strings.Contains(c, "1 条短信") || !strings.Contains(c, "ASCII") {
		t.Fatalf("counter for ASCII text: %q", c)
	}
	run("type Chinese", chromedp.SendKeys(chromedp.CSS(`#content`), "，您的包裹已到，请凭取件码领取。谢谢！"))
	if c := text("#counter"); !strings.Contains(c, "42 字") || !strings.Contains(c, "UCS-2") {
		t.Fatalf("counter for Chinese text: %q", c)
	}
	if e := text("#estimate"); !strings.Contains(e, "1 个号码") || !strings.Contains(e, "0.050 元") {
		t.Fatalf("estimate: %q", e)
	}
	fitsWidth("send page at 1366×768")
	shot("send-1366x768.png")
	run("send", chromedp.Click(chromedp.CSS(`#send-button`)), chromedp.WaitVisible(chromedp.CSS(`#batch`)))
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	poll("the batch page shows 已送达", `(function () {
		var d = document.querySelector('#b-counts [data-key="delivered"] dd');
		return d !== null && d.textContent === "1" && window.notReloaded === true;
	})()`, 30*time.Second)
	if s := text("#b-counts"); !strings.Contains(s, "已送达") {
		t.Fatalf("counts %q lack 已送达", s)
	}
	fitsWidth("batch page at 1366×768")
	shot("batch-1366x768.png")

	// A file with invalid rows: the report lists them before anything is sent.
	csv := "手机号,name\n" + freshNumber() + ",张三\n12345,李四\n" + freshNumber() + ",王五\nabc,赵六\n"
	file := filepath.Join(t.TempDir(), "包裹通知.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	run("upload a file",
		chromedp.Navigate(base+"/send?tab=file&account="+acct),
		chromedp.WaitVisible(chromedp.CSS(`#import-form`)),
		chromedp.SendKeys(chromedp.CSS(`#content`), "{name}，您的包裹已到"),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#report`)),
	)
	if s := text("#import-summary"); !strings.Contains(s, "共 4 行：2 行将发送，2 行不发送") {
		t.Fatalf("import summary %q", s)
	}
	if s := text("#problems"); !strings.Contains(s, "12345") || !strings.Contains(s, "abc") || !strings.Contains(s, "不是有效的手机号码") {
		t.Fatalf("problem rows %q", s)
	}
	if s := text("#problem-counts"); !strings.Contains(s, "号码无效") {
		t.Fatalf("problem counts %q", s)
	}
	fitsWidth("import report at 1366×768")
	shot("import-1366x768.png")

	// A scheduled send, cancelled from its batch page.
	at := time.Now().Add(2 * time.Hour).In(sb.Core.TimeZone()).Format("2006-01-02T15:04")
	run("schedule a send",
		chromedp.Navigate(base+"/send?account="+acct),
		chromedp.WaitVisible(chromedp.CSS(`#send-form`)),
		chromedp.SendKeys(chromedp.CSS(`#to`), freshNumber()),
		chromedp.SendKeys(chromedp.CSS(`#content`), "明天上午停水，请提前储水。"),
		chromedp.SetValue(chromedp.CSS(`#schedule_at`), at),
		chromedp.Click(chromedp.CSS(`#send-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#cancel-button`)),
	)
	if s := text("#cancel-button"); !strings.Contains(s, "取消定时发送") {
		t.Fatalf("cancel button says %q", s)
	}
	if s := text("#b-schedule"); !strings.Contains(s, strings.Replace(at, "T", " ", 1)) {
		t.Fatalf("schedule shown %q, want %s", s, at)
	}
	// The page already shows the send's own notice: take it away first, so
	// the notice waited for is the one of the page the cancel leads to.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('.flash').forEach(e => e.remove()); 0`)); err != nil {
		t.Fatalf("take the old notice away: %v", err)
	}
	run("cancel it",
		chromedp.Click(chromedp.CSS(`#cancel-button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if s := text(".flash"); !strings.Contains(s, "已取消 1 条") {
		t.Fatalf("after cancelling: %q", s)
	}
	poll("the cancelled count", `document.querySelector('#b-counts [data-key="cancelled"] dd').textContent === "1"`, 5*time.Second)
	shot("batch-cancelled-1366x768.png")

	// A phone: nothing scrolls sideways.
	run("phone: send page", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/send?account="+acct), chromedp.WaitVisible(chromedp.CSS(`#send-form`)))
	fitsWidth("send page on a phone")
	shot("send-phone.png")
	run("phone: batches", chromedp.Navigate(base+"/batches"), chromedp.WaitVisible(chromedp.CSS(`#sends`)))
	fitsWidth("batch list on a phone")
	run("phone: a batch", chromedp.Click(chromedp.CSS(`#sends tbody tr a`)), chromedp.WaitVisible(chromedp.CSS(`#batch`)))
	fitsWidth("batch page on a phone")
	shot("batch-phone.png")
	t.Logf("screenshots in %s", b.shots)
}
