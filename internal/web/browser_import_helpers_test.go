package web_test

import (
	"encoding/json"
	"time"

	"github.com/chromedp/chromedp"
)

// watchImport follows a background import's page (library_import.go: the
// number library's and the customers') in the browser until its report
// shows, sampling the bar and the rows read every 40 ms — kept in session
// storage across the reload that ends the import. It fails the test when
// the progress ever goes back or never shows the import under way (the
// bar between 0 and 100, fewer than rows read), and returns how many
// samples moved.
func (b *chrome) watchImport(rows int, within time.Duration) int {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function () {
		window.sessionStorage.setItem("importSamples", "[]");
		window.setInterval(function () {
			var job = document.getElementById("lib-job");
			if (!job || job.getAttribute("data-phase") !== "running") { return; }
			var s = JSON.parse(window.sessionStorage.getItem("importSamples") || "[]");
			s.push([document.getElementById("lib-progress").value, +document.querySelector('[data-count="rows"]').textContent]);
			window.sessionStorage.setItem("importSamples", JSON.stringify(s));
		}, 40);
		return true;
	})()`)); err != nil {
		b.t.Fatal(err)
	}
	for deadline := time.Now().Add(within); ; {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.getElementById("lib-report") !== null`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("no import report after %v (%v)", within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var samples [][2]float64
	if err := json.Unmarshal([]byte(b.eval(`window.sessionStorage.getItem("importSamples") || "[]"`)), &samples); err != nil {
		b.t.Fatal(err)
	}
	moving := 0
	for i, s := range samples {
		if i > 0 && (s[0] < samples[i-1][0] || s[1] < samples[i-1][1]) {
			b.t.Fatalf("the progress went back: %v", samples)
		}
		if s[0] > 0 && s[0] < 100 && s[1] > 0 && s[1] < float64(rows) && (i == 0 || s != samples[i-1]) {
			moving++
		}
	}
	b.t.Logf("%d samples of the running import, %d of them moving", len(samples), moving)
	if moving < 1 {
		b.t.Fatalf("the bar and the counts never showed the import under way: %v", samples)
	}
	return moving
}
