package web_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// findChromium returns the headless browser to drive, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chrome is one headless Chromium driven by a test, with the few things
// every browser test does. In CI a missing browser fails the test (.ci/run
// installs chromium); locally it skips.
type chrome struct {
	t     *testing.T
	ctx   context.Context
	shots string // where shot writes: HONGYAN_SCREENSHOTS, or a temporary directory
}

// newChrome starts Chromium at 1366×768 for at most timeout; it is closed
// when the test ends.
func newChrome(t *testing.T, timeout time.Duration) *chrome {
	t.Helper()
	exe := findChromium()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; CI must install it (.ci/run: apt-get install chromium)")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
	b := &chrome{t: t, ctx: bctx, shots: t.TempDir()}
	if d := os.Getenv("HONGYAN_SCREENSHOTS"); d != "" { // keep them to look at
		b.shots = d
	}
	return b
}

// run does actions in order, failing the test with what on an error.
func (b *chrome) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval runs a script in the page and returns its string result.
func (b *chrome) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// text is the visible text of the first element matching sel.
func (b *chrome) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// poll waits until the script expr is true in the page.
func (b *chrome) poll(what, expr string, within time.Duration) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(within))); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// shot saves a screenshot of the whole page as name (a real PNG, checked).
func (b *chrome) shot(name string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)); err != nil {
		b.t.Fatal(err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 5000 {
		b.t.Fatalf("screenshot %s: %d bytes, not a real PNG", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fitsWidth fails the test when the page scrolls sideways (too wide for
// the screen, e.g. a phone).
func (b *chrome) fitsWidth(what string) {
	b.t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil {
		b.t.Fatal(err)
	}
	if !ok {
		b.t.Errorf("%s scrolls sideways", what)
	}
}

// acceptDialogs answers every confirm() or alert() with OK from now on and
// hands their messages to the returned channel (the newest 8 are kept).
func (b *chrome) acceptDialogs() <-chan string {
	asked := make(chan string, 8)
	dialogs := chromedp.Events(b.ctx, cdpage.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			select {
			case asked <- ev.Message:
			default:
			}
			_, _ = chromedp.Call(b.ctx, cdpage.HandleJavaScriptDialog, cdpage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return asked
}

// login signs in at base with the login page's own form, at 1366×768, and
// waits for the landing page.
func (b *chrome) login(base, user, password string) {
	b.t.Helper()
	b.run("log in as "+user,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), user),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`.login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
	)
}
