package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"hongyan/internal/store"
)

// A real browser sends an XLSX file with an approved template: it chooses
// the template on 发送 → 文件导入, uploads a file whose columns are the
// template's variables — one good row, one row lacking a variable, one
// invalid number — reads the validation report and the composed preview,
// confirms, and watches the batch page reach 已送达 by itself.
func TestBrowserTemplateImport(t *testing.T) {
	b := newChrome(t, 120*time.Second)
	base := "http://" + sb.Addr()
	f := newTemplateFixture(t) // import_template_test.go
	acct, tplID := strconv.FormatInt(f.acc.ID, 10), strconv.FormatInt(f.tpl.ID, 10)

	good, lacking := freshNumber(), freshNumber()
	file := filepath.Join(t.TempDir(), "取件通知.xlsx")
	if err := os.WriteFile(file, xlsxRows(t, [][]any{
		{"手机号", "name", "code"},
		{good, "张三", "1234"},
		{lacking, "", "5678"},
		{"12345", "王五", "9999"},
	}), 0o644); err != nil {
		t.Fatal(err)
	}

	b.login(base, sb.AdminUser, sb.AdminPassword)
	b.run("open the file tab",
		chromedp.Navigate(base+"/send?tab=file&account="+acct),
		chromedp.WaitVisible(chromedp.CSS(`#import-form`)),
	)
	if s := b.text(`#template`); !strings.Contains(s, "pickup（"+f.bt+"）：{name}您好，您的取件码是{code}") {
		t.Fatalf("template choices %q lack the approved template", s)
	}
	b.run("choose the template and upload",
		chromedp.SetValue(chromedp.CSS(`#business`), f.bt),
		chromedp.SetValue(chromedp.CSS(`#template`), tplID),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#report`)),
	)

	// The validation report: what will be sent, what will not and why.
	if s := b.text("#import-summary"); !strings.Contains(s, "共 3 行：1 行将发送，2 行不发送") {
		t.Fatalf("import summary %q", s)
	}
	if n := b.eval(`document.querySelector('#problem-counts [data-kind="missing_variable"]').textContent`); n != "1" {
		t.Fatalf("rows missing a variable: %q, want 1", n)
	}
	if s := b.text("#problem-counts"); !strings.Contains(s, "号码无效") || !strings.Contains(s, "缺少模板变量") {
		t.Fatalf("problem counts %q", s)
	}
	problems := b.text("#problems")
	for _, want := range []string{lacking, "缺少模板变量 {name}", "12345", "不是有效的手机号码"} {
		if !strings.Contains(problems, want) {
			t.Fatalf("problem rows %q lack %q", problems, want)
		}
	}
	if strings.Contains(problems, good) {
		t.Fatalf("the good row is listed as a problem: %q", problems)
	}
	want := f.sign + "张三您好，您的取件码是1234回T退订"
	if s := b.text("#preview"); !strings.Contains(s, good) || !strings.Contains(s, want) {
		t.Fatalf("preview %q lacks %s %q", s, good, want)
	}
	if s := b.text("#confirm"); !strings.Contains(s, "确认发送 1 个号码") {
		t.Fatalf("confirm button says %q", s)
	}
	b.fitsWidth("template import report at 1366×768")
	b.shot("template-import-1366x768.png")

	// Confirm: the batch page follows the send to 已送达 without a reload.
	b.run("confirm", chromedp.Click(chromedp.CSS(`#confirm`)), chromedp.WaitVisible(chromedp.CSS(`#batch`)))
	b.eval(`window.notReloaded = "yes"`)
	b.poll("the batch page shows 1 已送达", `(function () {
		var d = document.querySelector('#b-counts [data-key="delivered"] dd');
		return d !== null && d.textContent === "1" && window.notReloaded === "yes";
	})()`, 30*time.Second)
	if s := b.text("#b-counts"); !strings.Contains(s, "已送达") {
		t.Fatalf("counts %q lack 已送达", s)
	}
	b.shot("template-import-batch-1366x768.png")

	ctx := context.Background()
	ms, err := sb.Store.MessagesTo(ctx, 0, good, 10)
	if err != nil || len(ms) != 1 || ms[0].Content != want || ms[0].Business != f.bt || ms[0].State != store.Delivered {
		t.Fatalf("messages to %s: %+v, %v; want one delivered %q", good, ms, err, want)
	}
	if ms, _ := sb.Store.MessagesTo(ctx, 0, lacking, 10); len(ms) != 0 {
		t.Fatalf("the row lacking a variable was sent: %+v", ms)
	}
}

// xlsxRows is a one-sheet XLSX file of rows.
func xlsxRows(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err == nil {
			err = x.SetSheetRow("Sheet1", cell, &r)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
