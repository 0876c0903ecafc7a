package web_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	cdruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Every page of the platform administrator's menu (the longest menu), in a
// real browser, on a phone and on a 1366×768 office screen: it loads, does
// not scroll sideways (wide tables scroll inside their own box), and its
// scripts throw nothing. A page added to the menu is checked without
// touching this test.
func TestBrowserEveryPageFitsAndRuns(t *testing.T) {
	b := newChrome(t, 4*time.Minute)
	base := "http://" + sb.Addr()
	b.login(base, sb.AdminUser, sb.AdminPassword) // starts the browser: watch it after
	thrown := scriptErrors(b)

	var links []string
	if err := json.Unmarshal([]byte(b.eval(
		`JSON.stringify(Array.from(document.querySelectorAll("nav.menu a"), a => a.getAttribute("href")))`)), &links); err != nil {
		t.Fatal(err)
	}
	if len(links) < 15 {
		t.Fatalf("the platform administrator's menu has %d links: %v", len(links), links)
	}
	if b.eval(`setTimeout(() => { throw new Error("probe") }); "ok"`) != "ok" {
		t.Fatal("probe not run")
	}
	time.Sleep(200 * time.Millisecond)
	if errs := thrown(); len(errs) != 1 {
		t.Fatalf("a thrown probe error was seen %d times (%v): the script-error watch does not work", len(errs), errs)
	}
	for _, screen := range []struct {
		what string
		w, h int64
	}{{"phone", 390, 844}, {"1366×768", 1366, 768}} {
		for _, path := range links {
			what := path + " on a " + screen.what
			b.run("open "+what,
				chromedp.EmulateViewport(screen.w, screen.h),
				chromedp.Navigate(base+path),
				chromedp.WaitVisible(chromedp.CSS(`main h1`)),
			)
			time.Sleep(100 * time.Millisecond) // let the page's own scripts run
			b.fitsWidth(what)
			if errs := thrown(); len(errs) > 0 {
				t.Errorf("%s: script errors: %v", what, errs)
			}
		}
	}
}

// scriptErrors watches the page for uncaught script exceptions; each call
// of the returned function hands over those seen since the last call.
func scriptErrors(b *chrome) func() []string {
	var mu sync.Mutex
	var seen []string
	go func() {
		for ev, err := range chromedp.Events(b.ctx, cdruntime.ExceptionThrown) {
			if err != nil {
				return
			}
			msg := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil && ev.ExceptionDetails.Exception.Description != "" {
				msg = ev.ExceptionDetails.Exception.Description
			}
			mu.Lock()
			seen = append(seen, msg)
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := seen
		seen = nil
		return out
	}
}
