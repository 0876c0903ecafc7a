package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/store"
	"hongyan/internal/web"
)

// A send of 5,000 personalised rows is stopped mid-run (the console's
// Stop, as at a shutdown): it stays "sending" with its unfinished units
// stored and its lease released, the page says it waits to be resumed; a
// new console over the same store and core resumes it, and every number
// ends accepted exactly once, with the send's counts right.
var resumeSeries atomic.Int64

func TestSendRunResumedAfterStop(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	ws1 := web.New(sb.Core, web.Options{Logger: quiet})
	srv1 := httptest.NewServer(ws1)
	t.Cleanup(srv1.Close)
	t.Cleanup(func() { ws1.Stop(ctx) })
	b := newBrowser(t, srv1)
	b.mustLogin(sb.AdminUser, sb.AdminPassword)
	acct := newAccount(t, 0, store.KindUnit, 100_000_000)
	// The run takes about five seconds: long enough to be stopped in the
	// middle.
	n, midway, tps := 5_000, 1000, 1000
	if raceOn { // a smaller run, as long: the race detector slows the rest some tenfold
		n, midway, tps = 1_500, 300, 300
	}
	if err := sb.Core.SetAccountLimits(ctx, &store.AccountLimits{AccountID: acct.ID, TPS: tps}); err != nil {
		t.Fatal(err)
	}
	series := resumeSeries.Add(1) % 10 // numbers of their own when run again (-count)
	number := func(i int) string { return fmt.Sprintf("185%d%07d", series, i) }
	var data bytes.Buffer
	data.WriteString("手机号,姓名\n")
	for i := range n {
		fmt.Fprintf(&data, "%s,客户%d\n", number(i), i)
	}
	fields := map[string]string{"account": strconv.FormatInt(acct.ID, 10), "business": "notice", "content": "{姓名}您好，续发测试",
		"schedule_at": time.Now().Add(3 * time.Hour).In(sb.Core.TimeZone()).Format("2006-01-02T15:04")}
	id, _ := b.imported(fields, "resume.csv", data.Bytes())
	conf := b.post("/send/import/"+id+"/confirm", url.Values{"csrf": {b.csrf()}})
	m := batchLoc.FindStringSubmatch(conf.location())
	if m == nil {
		t.Fatalf("confirm = %d %q", conf.Status, conf.location())
	}
	sid, _ := strconv.ParseInt(m[1], 10, 64)
	// The units are stored before the first is handed over.
	run, err := sb.Store.GetSendRun(ctx, sid)
	if err != nil || run.Units != n || !run.Ready || !run.Personal {
		t.Fatalf("stored run: %+v, %v", run, err)
	}
	t.Cleanup(func() {
		ids, _ := sb.Store.SendBatches(ctx, sid)
		_, _ = sb.Core.CancelBatches(ctx, acct.ID, ids, "test over")
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		sd, err := sb.Store.GetSend(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		if sd.Accepted >= midway {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not get going: %+v", sd)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	ws1.Stop(stopCtx)
	cancel()
	paused, err := sb.Store.GetSend(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if paused.State != store.SendSending || paused.Accepted >= n || paused.Accepted < midway {
		t.Fatalf("after Stop the send is %+v; want sending, part accepted", paused)
	}
	run, err = sb.Store.GetSendRun(ctx, sid)
	if err != nil || !run.Lease.Until.IsZero() {
		t.Fatalf("after Stop the run is %+v, %v; want it stored with its lease released", run, err)
	}
	left := 0
	if err := sb.Store.SendRunUnits(ctx, sid, func(*store.SendUnit) error { left++; return nil }); err != nil {
		t.Fatal(err)
	}
	if left == 0 || left+paused.Accepted != n {
		t.Fatalf("after Stop: %d units left and %d accepted, want them to add up to %d", left, paused.Accepted, n)
	}
	t.Logf("stopped with %d accepted, %d units left", paused.Accepted, left)
	if s := b.status(m[1]); s.State != store.SendSending || s.Handed != paused.Accepted || !s.Live {
		t.Fatalf("status right after the stop: %+v", s)
	}
	// A minute later, nobody having resumed it, the page says it waits.
	later := web.New(sb.Core, web.Options{Logger: quiet, Now: func() time.Time { return time.Now().Add(time.Minute) }})
	srvLater := httptest.NewServer(later)
	t.Cleanup(srvLater.Close)
	bl := newBrowser(t, srvLater)
	bl.mustLogin(sb.AdminUser, sb.AdminPassword)
	p := bl.get("/batches/"+m[1]+"/status", "Accept", "application/json", "X-Console-Refresh", "1")
	var st struct {
		State     string `json:"state"`
		StateText string `json:"state_text"`
		Live      bool   `json:"live"`
	}
	if err := json.Unmarshal([]byte(p.Body), &st); err != nil || st.State != store.SendSending || st.StateText != "等待续发" || !st.Live {
		t.Fatalf("a stalled resumable send's status: %s (%v)", p.Body, err)
	}
	mustContain(t, "batches list", bl.get("/batches").Body, "等待续发")
	mustNotContain(t, "batches list", bl.get("/batches").Body, "提交中断")

	// A new console over the same store and core resumes it.
	ws2 := web.New(sb.Core, web.Options{Logger: quiet})
	srv2 := httptest.NewServer(ws2)
	t.Cleanup(srv2.Close)
	ws2.Start(ctx)
	t.Cleanup(func() { ws2.Stop(ctx) })
	b2 := newBrowser(t, srv2)
	b2.mustLogin(sb.AdminUser, sb.AdminPassword)
	s := b2.waitStatus(m[1], 60*time.Second, func(s statusJSON) bool { return s.State == store.SendDone })
	if s.Handed != n || s.Total != n || s.Waiting != n {
		t.Fatalf("resumed send's status: %+v", s)
	}
	sd, err := sb.Store.GetSend(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if sd.State != store.SendDone || sd.Accepted != n || sd.Refused != 0 || sd.Error != "" {
		t.Fatalf("resumed send: %+v", sd)
	}
	if _, err := sb.Store.GetSendRun(ctx, sid); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the run's rows after it finished: %v, want ErrNotFound", err)
	}
	counts, err := sb.Store.SendCounts(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	if total := counts[store.Accepted]; total != n || len(counts) != 1 {
		t.Fatalf("send counts %v, want %d accepted", counts, n)
	}
	// Exactly once per number, each with its own text.
	for i := range n {
		ms, err := sb.Store.MessagesTo(ctx, 0, number(i), 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Content != fmt.Sprintf("客户%d您好，续发测试", i) {
			t.Fatalf("number %d has %d messages (%+v), want exactly one", i, len(ms), ms)
		}
	}
}
