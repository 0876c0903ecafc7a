package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/session"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
)

// The accept path's business rules on a real store: every refusal is the
// right *Error, is recorded when it should be, and stores, reserves and
// counts nothing.

// okDriver acknowledges every submit at once (no reports follow).
type okDriver struct{ n atomic.Int64 }

func (d *okDriver) Start(context.Context)       {}
func (d *okDriver) Close(context.Context) error { return nil }
func (d *okDriver) Stats() session.Stats        { return session.Stats{} }
func (d *okDriver) Available() bool             { return true }
func (d *okDriver) Submit(context.Context, *gateway.Submit) (gateway.Result, error) {
	return gateway.Result{OK: true, Code: "0", OpMsgID: fmt.Sprint(d.n.Add(1))}, nil
}

type acceptFx struct {
	t   *testing.T
	ctx context.Context
	c   *Core
	st  store.Store
	acc *store.Account
}

func newAcceptFx(t *testing.T) *acceptFx {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "h.db"), sqlstore.WithSynchronous(sqlstore.SyncNormal))
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway.Gateway{Config: gateway.Config{Name: "cmcc-1", Operator: gateway.CMCC}, Driver: &okDriver{}}
	pool, err := gateway.NewPool([]*gateway.Gateway{g})
	if err != nil {
		t.Fatal(err)
	}
	for _, bt := range []*store.BusinessType{
		{Code: "notice", Priority: 1, Enabled: true, FeePerSegment: 50, ReportRequired: true},
		{Code: "marketing", Priority: 2, Enabled: true, FeePerSegment: 40, ChargeOn: store.ChargeSubmitted, ReportRequired: true},
		{Code: "free", Priority: 1, Enabled: true, FeePerSegment: 50, ChargeMode: store.ChargeFree},
		{Code: "off", Priority: 1, FeePerSegment: 50},
	} {
		if err := st.UpsertBusinessType(ctx, bt); err != nil {
			t.Fatal(err)
		}
	}
	acc := &store.Account{Name: "partner", Kind: store.KindPartner, Balance: 10_000, ServiceCode: "10658000"}
	if err := st.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	c := New(Config{DefaultBusiness: "notice", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st, pool, gateway.DefaultSegments())
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

func (f *acceptFx) send(business string, n int, opts ...func(*SendRequest)) (*SendResult, error) {
	var to []string
	for i := range n {
		to = append(to, fmt.Sprintf("1380013%04d", i))
	}
	req := &SendRequest{AccountID: f.acc.ID, To: to, Content: "测试", Business: business}
	for _, o := range opts {
		o(req)
	}
	return f.c.Accept(f.ctx, req)
}

// fail is send's error.
func (f *acceptFx) fail(business string, n int, opts ...func(*SendRequest)) error {
	_, err := f.send(business, n, opts...)
	return err
}

// refused checks err is the refusal code, and that nothing was stored,
// reserved or counted.
func (f *acceptFx) refused(err error, code string, status int) *Error {
	f.t.Helper()
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != code || ce.Status != status {
		f.t.Fatalf("err = %v, want %d %s", err, status, code)
	}
	return ce
}

func (f *acceptFx) money() (int64, int64) {
	f.t.Helper()
	a, err := f.st.GetAccount(f.ctx, f.acc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return a.Balance, a.Reserved
}

func (f *acceptFx) count() int64 {
	f.t.Helper()
	n, err := f.c.DailyCount(f.ctx, f.acc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *acceptFx) refusals() map[string]int {
	f.t.Helper()
	rs, err := f.st.Refusals(f.ctx, f.acc.ID, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rs {
		out[r.Kind]++
	}
	return out
}

func TestAcceptBusinessRules(t *testing.T) {
	f := newAcceptFx(t)
	bal, res := f.money()

	// A partner with no grant may send nothing; the refusal is recorded.
	ce := f.refused(f.fail("notice", 1), "forbidden_business", 403)
	if want := `account partner may not send business type "notice": it is not granted to the account; ask an administrator to grant it (PUT /api/v1/admin/grants)`; ce.Message != want {
		t.Fatalf("message %q", ce.Message)
	}
	if f.refusals()["forbidden_business"] != 1 {
		t.Fatalf("refusals %v", f.refusals())
	}
	if b, r := f.money(); b != bal || r != res || f.count() != 0 {
		t.Fatal("a forbidden_business refusal stored something")
	}
	// Its organisation's grants are not a partner's.
	org := &store.Org{Level: store.LevelProvince, Code: "P", Name: "省"}
	if err := f.st.CreateOrg(f.ctx, org); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.SetGrants(f.ctx, store.GrantOrg, org.ID, []string{"*"}); err != nil {
		t.Fatal(err)
	}
	f.acc.OrgID = org.ID
	if err := f.st.UpdateAccount(f.ctx, f.acc); err != nil {
		t.Fatal(err)
	}
	if err := f.c.Reload(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.refused(f.fail("notice", 1), "forbidden_business", 403)
	if _, err := f.c.SetGrants(f.ctx, store.GrantAccount, f.acc.ID, []string{"notice", "marketing", "free", "off"}); err != nil {
		t.Fatal(err)
	}
	r, err := f.send("notice", 2)
	if err != nil || len(r.Messages) != 2 || r.Messages[0].Fee != 50 || !r.DeferredUntil.IsZero() {
		t.Fatalf("granted: %+v %v", r, err)
	}
	if f.count() != 2 {
		t.Fatalf("count %d, want 2", f.count())
	}

	// Free: no fee whatever fee_per_segment says. Disabled: refused.
	if r, err := f.send("free", 1); err != nil || r.Messages[0].Fee != 0 || r.Messages[0].ChargeOn != "" {
		t.Fatalf("free: %+v %v", r, err)
	}
	f.refused(f.fail("off", 1), "business_disabled", 403)

	// Daily quota: 4 with 3 counted; a request of 2 is refused whole.
	if err := f.c.SetAccountLimits(f.ctx, &store.AccountLimits{AccountID: f.acc.ID, DailyQuota: 4}); err != nil {
		t.Fatal(err)
	}
	bal, res = f.money()
	ce = f.refused(f.fail("notice", 2), "quota_exceeded", 429)
	if ce.RetryAfter <= 0 || ce.RetryAfter > 24*time.Hour || ce.Message[:len("account partner may send 4 messages a day; 3 were accepted today and this request has 2")] != "account partner may send 4 messages a day; 3 were accepted today and this request has 2" {
		t.Fatalf("quota refusal %+v", ce)
	}
	if b, r := f.money(); b != bal || r != res || f.count() != 3 || f.refusals()["quota_exceeded"] != 1 {
		t.Fatalf("quota refusal: money %d/%d → %d/%d, count %d, refusals %v", bal, res, b, r, f.count(), f.refusals())
	}
	if _, err := f.send("notice", 1); err != nil {
		t.Fatalf("the last place: %v", err)
	}

	// TPS: 1 message a second.
	if err := f.c.SetAccountLimits(f.ctx, &store.AccountLimits{AccountID: f.acc.ID, TPS: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.send("notice", 1); err != nil {
		t.Fatal(err)
	}
	ce = f.refused(f.fail("notice", 1), "rate_limited", 429)
	if ce.RetryAfter <= 0 || ce.RetryAfter > time.Second {
		t.Fatalf("Retry-After %s", ce.RetryAfter)
	}
	if f.refusals()["rate_limited"] != 0 {
		t.Fatal("a rate-limited request was recorded")
	}
	if err := f.c.SetAccountLimits(f.ctx, &store.AccountLimits{AccountID: f.acc.ID}); err != nil {
		t.Fatal(err)
	}

	// Sending hours: a window starting in two hours defers, or refuses.
	now := time.Now().In(f.c.TimeZone())
	m := now.Hour()*60 + now.Minute()
	if _, _, err := f.c.UpdateBusinessType(f.ctx, "marketing", func(b *store.BusinessType) error {
		b.SendFrom, b.SendUntil = (m+120)%1440, (m+180)%1440
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r, err = f.send("marketing", 1)
	want := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location()).Add(time.Duration(m+120) * time.Minute)
	if err != nil || !r.DeferredUntil.Equal(want) || !r.Messages[0].ScheduleAt.Equal(want) || r.Notice == "" {
		t.Fatalf("deferred: %+v %v (want %s)", r, err, want)
	}
	stored, err := f.st.GetMessage(f.ctx, 0, r.Messages[0].ID)
	if err != nil || !stored.ScheduleAt.Equal(want) || stored.State != store.Accepted {
		t.Fatalf("stored deferred message %+v %v", stored, err)
	}
	bal, res = f.money()
	n := f.count()
	f.refused(f.fail("marketing", 1, func(r *SendRequest) { r.OutsideHours = OutsideRefuse }), "outside_sending_hours", 422)
	if b, r := f.money(); b != bal || r != res || f.count() != n || f.refusals()["outside_sending_hours"] != 1 {
		t.Fatal("an outside_sending_hours refusal stored something")
	}
	f.refused(f.fail("marketing", 1, func(r *SendRequest) { r.OutsideHours = "never" }), "invalid_request", 400)
	// The platform's own messages (unsubscribe confirmations) are not held back.
	if r, err := f.send("marketing", 1, func(r *SendRequest) { r.system = true }); err != nil || !r.DeferredUntil.IsZero() {
		t.Fatalf("system message: %+v %v", r, err)
	}
}
