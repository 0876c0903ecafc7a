package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
)

// recDriver acknowledges every submit and remembers which messages went out.
type recDriver struct {
	okDriver
	mu   sync.Mutex
	sent map[int64]int
}

func (d *recDriver) Submit(ctx context.Context, s *gateway.Submit) (gateway.Result, error) {
	d.mu.Lock()
	d.sent[s.MessageID]++
	d.mu.Unlock()
	return d.okDriver.Submit(ctx, s)
}

func (d *recDriver) wasSent(id int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sent[id] > 0
}

// newCancelFx is newAcceptFx over a driver of the test's.
func newCancelFx(t *testing.T, drv gateway.Driver) *acceptFx {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "h.db"), sqlstore.WithSynchronous(sqlstore.SyncNormal))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := gateway.NewPool([]*gateway.Gateway{{Config: gateway.Config{Name: "cmcc-1", Operator: gateway.CMCC}, Driver: drv}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertBusinessType(ctx, &store.BusinessType{Code: "notice", Priority: 1, Enabled: true, FeePerSegment: 50}); err != nil {
		t.Fatal(err)
	}
	acc := &store.Account{Name: "unit", Balance: 10_000, ServiceCode: "10658000"}
	if err := st.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	c := New(Config{DefaultBusiness: "notice", Logger: slog.New(slog.DiscardHandler)}, st, pool, gateway.DefaultSegments())
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		c.Stop(sctx)
		st.Close()
	})
	return &acceptFx{t: t, ctx: ctx, c: c, st: st, acc: acc}
}

func grantAll(t *testing.T, f *acceptFx) {
	t.Helper()
	if _, err := f.c.SetGrants(f.ctx, store.GrantAccount, f.acc.ID, []string{store.GrantAll}); err != nil {
		t.Fatal(err)
	}
}

// A scheduled batch is cancelled whole before its time: final, nothing
// reserved, nothing left in the delay queue; a second cancel has nothing
// to do; another account's batch does not exist for the caller.
func TestCancelScheduledBatch(t *testing.T) {
	f := newAcceptFx(t)
	grantAll(t, f)
	res, err := f.send("notice", 3, func(r *SendRequest) { r.ScheduleAt = time.Now().Add(time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	if _, reserved := f.money(); reserved != 150 {
		t.Fatalf("reserved %d, want 150", reserved)
	}
	if _, delayed := f.c.Backlog(); delayed != 3 {
		t.Fatalf("delay queue holds %d, want 3", delayed)
	}
	if _, err := f.c.CancelBatch(f.ctx, f.acc.ID+1, res.BatchID, ""); !isRefusal(err, "not_found", http.StatusNotFound) {
		t.Fatalf("cancel by another account: %v, want not_found", err)
	}
	cr, err := f.c.CancelBatch(f.ctx, f.acc.ID, res.BatchID, "test")
	if err != nil {
		t.Fatal(err)
	}
	if cr.Cancelled != 3 || cr.Pending != 0 || cr.Total != 3 {
		t.Fatalf("cancel = %+v, want 3 cancelled, 0 pending", cr)
	}
	for _, m := range res.Messages {
		got, err := f.st.GetMessage(f.ctx, f.acc.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != store.Cancelled || got.OperatorCode != store.CancelCode || got.Charged != 0 {
			t.Fatalf("message %d after cancel: %+v", m.ID, got)
		}
	}
	if bal, reserved := f.money(); bal != 10_000 || reserved != 0 {
		t.Fatalf("balance %d reserved %d, want 10000 and 0", bal, reserved)
	}
	if ready, delayed := f.c.Backlog(); ready+delayed != 0 {
		t.Fatalf("%d ready and %d delayed left after the cancel", ready, delayed)
	}
	cr, err = f.c.CancelBatch(f.ctx, f.acc.ID, res.BatchID, "")
	if !isRefusal(err, "not_cancellable", http.StatusConflict) || cr == nil || cr.Cancelled != 0 {
		t.Fatalf("second cancel: %+v, %v; want not_cancellable", cr, err)
	}
	if _, err := f.c.CancelBatch(f.ctx, 0, 12345, ""); !isRefusal(err, "not_found", http.StatusNotFound) {
		t.Fatalf("cancel of no batch: %v", err)
	}
}

func isRefusal(err error, code string, status int) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Code == code && ce.Status == status
}

// Cancels racing the dispatcher: every message is either cancelled and
// never submitted, or submitted and not cancelled; never both, never
// neither; and the money adds up.
func TestCancelRacesDispatcher(t *testing.T) {
	drv := &recDriver{sent: map[int64]int{}}
	f := newCancelFx(t, drv)
	grantAll(t, f)
	if _, err := f.st.Recharge(f.ctx, f.acc.ID, 1_000_000, "recharge", "", ""); err != nil {
		t.Fatal(err)
	}
	var all []*store.Message
	cancelled := 0
	for round := range 30 {
		res, err := f.send("notice", 40, func(r *SendRequest) { r.Content = fmt.Sprintf("第 %d 轮", round) })
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Messages...)
		cr, err := f.c.CancelBatch(f.ctx, f.acc.ID, res.BatchID, "race")
		switch {
		case err == nil:
			cancelled += cr.Cancelled
		case isRefusal(err, "not_cancellable", http.StatusConflict):
		default:
			t.Fatal(err)
		}
	}
	// Wait for the dispatcher to finish what it took.
	deadline := time.Now().Add(20 * time.Second)
	for {
		ready, delayed := f.c.Backlog()
		pending := 0
		for _, m := range all {
			got, err := f.st.GetMessage(f.ctx, f.acc.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State == store.Accepted || got.State == store.Queued {
				pending++
			}
		}
		if ready+delayed == 0 && pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still accepted or queued (%d ready, %d delayed)", pending, ready, delayed)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var fees int64
	seen := 0
	for _, m := range all {
		got, err := f.st.GetMessage(f.ctx, f.acc.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		sent := drv.wasSent(m.ID)
		switch got.State {
		case store.Cancelled:
			seen++
			if sent {
				t.Fatalf("message %d was cancelled and submitted", m.ID)
			}
		case store.Submitted, store.Sent: // sent: the type asks for no report
			if !sent {
				t.Fatalf("message %d is submitted but the gateway never saw it", m.ID)
			}
			if got.State == store.Submitted {
				fees += got.Fee // still reserved until its report
			}
		default:
			t.Fatalf("message %d ended %s", m.ID, got.State)
		}
	}
	if seen != cancelled {
		t.Fatalf("%d messages are cancelled, CancelBatch reported %d", seen, cancelled)
	}
	if _, reserved := f.money(); reserved != fees {
		t.Fatalf("reserved %d, want %d (the submitted messages' fees)", reserved, fees)
	}
	t.Logf("%d of %d messages cancelled before the dispatcher took them", cancelled, len(all))
}
