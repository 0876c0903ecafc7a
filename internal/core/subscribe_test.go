package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/store"
	"hongyan/internal/store/sqlstore"
)

func TestParseSubCommand(t *testing.T) {
	c := &Core{cfg: Config{UnsubscribeWords: DefaultUnsubscribeWords}}
	cases := []struct {
		text      string
		ok        bool
		subscribe bool
		code      string
		shaped    bool
	}{
		{"DG1001", true, true, "1001", true},
		{"dg 1001", true, true, "1001", true},
		{"ＤＧ１００１。", true, true, "1001", true},
		{"  Dg1001 ", true, true, "1001", true},
		{"订购1001", true, true, "1001", true},
		{"TD1001", true, false, "1001", true},
		{"td 1001", true, false, "1001", true},
		{"退订 1001", true, false, "1001", true},
		{"T1001", true, false, "1001", true},
		{"DGXW", true, true, "XW", false}, // a letters-only code: a command only if some service has it
		{"TOTAL", true, false, "OTAL", false},
		{"TD", false, false, "", false},
		{"DG", false, false, "", false},
		{"DG 1001 please", false, false, "", false},
		{"hello", false, false, "", false},
		{"N", false, false, "", false},
	}
	for _, tc := range cases {
		cmd, ok := c.parseSubCommand(tc.text)
		if ok != tc.ok || ok && (cmd.subscribe != tc.subscribe || cmd.code != tc.code || cmd.shaped != tc.shaped) {
			t.Errorf("%q: %+v %v, want ok=%v subscribe=%v code=%q shaped=%v", tc.text, cmd, ok, tc.ok, tc.subscribe, tc.code, tc.shaped)
		}
	}
}

func TestMonthKeyBoundaries(t *testing.T) {
	sh := defaultTimeZone()
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 1, 31, 23, 59, 59, 900_000_000, sh), 202601},
		{time.Date(2026, 2, 1, 0, 0, 0, 0, sh), 202602},
		{time.Date(2026, 12, 31, 23, 59, 59, 900_000_000, sh), 202612},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, sh), 202701},
		{time.Date(2026, 1, 31, 16, 0, 0, 0, time.UTC), 202602}, // 00:00 in Shanghai
	} {
		if got := store.MonthKey(tc.at, sh); got != tc.want {
			t.Errorf("MonthKey(%s) = %d, want %d", tc.at, got, tc.want)
		}
	}
}

func TestFeeText(t *testing.T) {
	for _, tc := range []struct {
		bt   store.BusinessType
		want string
	}{
		{store.BusinessType{ChargeMode: store.ChargeMonthly, MonthlyFee: 3000}, "资费3元/月"},
		{store.BusinessType{ChargeMode: store.ChargeMonthly, MonthlyFee: 2500, FeePerSegment: 100}, "资费2.5元/月，另0.1元/条"},
		{store.BusinessType{ChargeMode: store.ChargeMonthlyCapped, FeePerSegment: 100, MonthlyCap: 5000}, "资费0.1元/条，每月最多5元"},
		{store.BusinessType{ChargeMode: store.ChargePerMessage, FeePerSegment: 50}, "资费0.05元/条"},
		{store.BusinessType{ChargeMode: store.ChargeFree, FeePerSegment: 50}, "免费"},
		{store.BusinessType{}, "免费"},
	} {
		if got := FeeText(&tc.bt); got != tc.want {
			t.Errorf("FeeText(%+v) = %q, want %q", tc.bt, got, tc.want)
		}
	}
}

// subFx is a started core with a fake clock, an account providing a
// monthly service (news, code 1001) and a capped type (tips), and another
// account that owns the number users write to.
type subFx struct {
	t        *testing.T
	ctx      context.Context
	c        *Core
	st       store.Store
	sp, host *store.Account
	clock    atomic.Pointer[time.Time]
	stopped  bool
}

func newSubFx(t *testing.T, maxRecipients int) *subFx {
	return newSubFxAt(t, filepath.Join(t.TempDir(), "h.db"), maxRecipients)
}

// newSubFxAt opens (or, if it exists, reopens) the database at path.
func newSubFxAt(t *testing.T, path string, maxRecipients int) *subFx {
	t.Helper()
	f := &subFx{t: t, ctx: context.Background()}
	start := time.Date(2026, 1, 15, 12, 0, 0, 0, defaultTimeZone())
	f.clock.Store(&start)
	st, err := sqlstore.Open(f.ctx, "sqlite:"+path, sqlstore.WithSynchronous(sqlstore.SyncNormal))
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	g := &gateway.Gateway{Config: gateway.Config{Name: "cmcc-1", Operator: gateway.CMCC}, Driver: &okDriver{}}
	pool, err := gateway.NewPool([]*gateway.Gateway{g})
	if err != nil {
		t.Fatal(err)
	}
	for _, bt := range []*store.BusinessType{
		{Code: "notice", Priority: 1, Enabled: true, FeePerSegment: 50, ChargeOn: store.ChargeSubmitted, ReportRequired: true},
		{Code: "news", Name: "新闻早报", Priority: 2, Enabled: true, ChargeMode: store.ChargeMonthly, MonthlyFee: 3000, ChargeOn: store.ChargeSubmitted, ReportRequired: true},
		{Code: "tips", Priority: 2, Enabled: true, ChargeMode: store.ChargeMonthlyCapped, FeePerSegment: 100, MonthlyCap: 250, ChargeOn: store.ChargeSubmitted, ReportRequired: true},
	} {
		if err := st.UpsertBusinessType(f.ctx, bt); err != nil {
			t.Fatal(err)
		}
	}
	f.sp = &store.Account{Name: "provider", Balance: 100_000, ServiceCode: "10659000"}
	f.host = &store.Account{Name: "host", Balance: 1000, ServiceCode: "10658000"}
	for i, a := range []*store.Account{f.sp, f.host} {
		if old, err := st.AccountByName(f.ctx, a.Name); err == nil { // reopened
			*a = *old
			if i == 0 {
				f.sp = old
			} else {
				f.host = old
			}
			continue
		}
		if err := st.CreateAccount(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := st.SetGrants(f.ctx, store.GrantAccount, a.ID, []string{"*"}); err != nil {
			t.Fatal(err)
		}
	}
	f.c = New(Config{DefaultBusiness: "notice", MaxRecipients: maxRecipients, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return *f.clock.Load() }}, st, pool, gateway.DefaultSegments())
	if err := f.c.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.stop)
	if _, err := f.c.PutSubService(f.ctx, "news", "1001", f.sp.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *subFx) stop() {
	if f.stopped {
		return
	}
	f.stopped = true
	sctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	f.c.Stop(sctx)
	f.st.Close()
}

func (f *subFx) at(t time.Time) { f.clock.Store(&t) }

func (f *subFx) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *subFx) money(acc *store.Account) (int64, int64) {
	f.t.Helper()
	a, err := f.st.GetAccount(f.ctx, acc.ID)
	f.must(err)
	return a.Balance, a.Reserved
}

func (f *subFx) mo(from, to, text string) {
	f.t.Helper()
	f.must(f.c.storeMO(f.ctx, "cmcc", "cmcc-1", from, to, text))
}

func (f *subFx) active(business, number string) bool {
	f.t.Helper()
	xs, err := f.st.Subscriptions(f.ctx, store.SubQuery{Business: business, Number: number})
	f.must(err)
	return len(xs) == 1 && xs[0].Active
}

// answers are the platform's texts to a number, newest first.
func (f *subFx) answers(acc *store.Account, number string) []*store.Message {
	f.t.Helper()
	ms, err := f.st.MessagesTo(f.ctx, acc.ID, number, 50)
	f.must(err)
	return ms
}

func (f *subFx) send(business string, to ...string) *SendResult {
	f.t.Helper()
	r, err := f.c.Accept(f.ctx, &SendRequest{AccountID: f.sp.ID, To: to, Content: "早报", Business: business})
	f.must(err)
	return r
}

func TestSubscribeByMO(t *testing.T) {
	f := newSubFx(t, 100)
	const user = "13800138000"
	bal, res := f.money(f.sp)

	// DG1001 to another account's number subscribes to the provider's service.
	f.mo(user, "10658000", "dg 1001")
	if !f.active("news", user) {
		t.Fatal("DG 1001 did not subscribe")
	}
	ans := f.answers(f.sp, user)
	if len(ans) != 1 || !strings.Contains(ans[0].Content, "您已成功订购新闻早报（资费3元/月），回复TD1001退订") || ans[0].Fee != 0 || ans[0].Business != "news" {
		t.Fatalf("answer %+v", ans)
	}
	if b, r := f.money(f.sp); b != bal || r != res {
		t.Fatal("the confirmation cost something")
	}
	mos, err := f.st.ListMO(f.ctx, f.sp.ID, 0, 10)
	f.must(err)
	if len(mos) != 1 || mos[0].Business != "news" || mos[0].Keyword != "DG" {
		t.Fatalf("the provider's MO: %+v", mos)
	}
	if hm, _ := f.st.ListMO(f.ctx, f.host.ID, 0, 10); len(hm) != 0 {
		t.Fatalf("the host account got the subscription MO: %+v", hm)
	}

	// Again: idempotent, answered as such.
	f.mo(user, "10659000", "ＤＧ１００１")
	if ans := f.answers(f.sp, user); len(ans) != 2 || !strings.Contains(ans[0].Content, "无需重复订购") {
		t.Fatalf("second DG answered %q", ans[0].Content)
	}
	xs, err := f.st.Subscriptions(f.ctx, store.SubQuery{Business: "news"})
	f.must(err)
	if len(xs) != 1 || xs[0].Source != store.SubSourceMO {
		t.Fatalf("subscriptions %+v", xs)
	}

	// Unknown code: a helpful answer from the account written to, nothing stored.
	f.mo(user, "10658000", "DG9999")
	if ans := f.answers(f.host, user); len(ans) != 1 || !strings.Contains(ans[0].Content, "未找到业务代码9999") || ans[0].Fee != 0 {
		t.Fatalf("unknown code answered %+v", ans)
	}
	if xs, _ := f.st.Subscriptions(f.ctx, store.SubQuery{Number: user}); len(xs) != 1 {
		t.Fatalf("an unknown code stored a subscription: %+v", xs)
	}

	// TD1001: unsubscribes from the service, does not blacklist.
	f.mo(user, "10659000", "TD1001")
	if f.active("news", user) {
		t.Fatal("TD1001 did not unsubscribe")
	}
	if f.c.Blocked(user, "news") {
		t.Fatal("TD + code blacklisted the number")
	}
	if ans := f.answers(f.sp, user); !strings.Contains(ans[0].Content, "您已成功退订新闻早报") {
		t.Fatalf("TD answered %q", ans[0].Content)
	}
	f.mo(user, "10659000", "td 1001")
	if ans := f.answers(f.sp, user); !strings.Contains(ans[0].Content, "您未订购新闻早报") {
		t.Fatalf("second TD answered %q", ans[0].Content)
	}

	// Plain TD keeps its behaviour: the business that wrote last is blacklisted.
	f.send("notice", "13800138001")
	f.mo("13800138001", "10659000", "TD")
	if !f.c.Blocked("13800138001", "notice") {
		t.Fatal("plain TD no longer blacklists")
	}
	// DG + code again after TD: a fresh subscription.
	f.mo(user, "10659000", "DG1001")
	if !f.active("news", user) {
		t.Fatal("re-subscribing failed")
	}
}

// The monthly fee is charged by the first message to a subscriber in a
// calendar month of the platform's time zone, exactly once.
func TestSubscriptionMonthBoundaries(t *testing.T) {
	f := newSubFx(t, 100)
	const a, b, x = "13800138000", "13800138001", "13800138009"
	for _, n := range []string{a, b} {
		_, err := f.c.SetSubscription(f.ctx, "news", n, true, store.SubSourceAdmin)
		f.must(err)
	}
	sh := f.c.TimeZone()
	fees := func(r *SendResult) string {
		var out []string
		for _, m := range r.Messages {
			out = append(out, fmt.Sprintf("%s:%d:%s", m.To[len(m.To)-1:], m.Fee, m.State))
		}
		return strings.Join(out, " ")
	}
	step := func(at time.Time, business string, want string, to ...string) {
		t.Helper()
		f.at(at)
		r := f.send(business, to...)
		if got := fees(r); got != want {
			t.Fatalf("%s at %s: %s, want %s", business, at, got, want)
		}
		// Submitted before the clock jumps on: a message still waiting when
		// it jumps months ahead would expire and give its month back.
		for _, m := range r.Messages {
			for deadline := time.Now().Add(10 * time.Second); m.State == store.Accepted || m.State == store.Queued; {
				if time.Now().After(deadline) {
					t.Fatalf("message to %s not submitted within 10 s: %s", m.To, m.State)
				}
				time.Sleep(5 * time.Millisecond)
				got, err := f.st.GetMessage(f.ctx, f.sp.ID, m.ID)
				f.must(err)
				m = got
			}
		}
	}
	jan31 := time.Date(2026, 1, 31, 23, 59, 59, 900_000_000, sh)
	feb1 := time.Date(2026, 2, 1, 0, 0, 0, 0, sh)
	step(jan31, "news", "0:3000:accepted 9:0:blacklisted", a, x) // x never subscribed
	step(jan31, "news", "0:0:accepted 1:3000:accepted", a, b)
	step(feb1, "news", "0:3000:accepted 1:3000:accepted", a, b)
	step(feb1.Add(time.Hour), "news", "0:0:accepted", a)
	dec31 := time.Date(2026, 12, 31, 23, 59, 59, 900_000_000, sh)
	jan1 := time.Date(2027, 1, 1, 0, 0, 0, 0, sh)
	step(dec31, "news", "0:3000:accepted", a)
	step(jan1, "news", "0:3000:accepted", a)

	// Capped: 100 li a segment, at most 250 a month; the crossing message
	// pays the remainder; a new month starts again. (Not a subscription
	// service: any number.)
	step(jan31, "tips", "9:100:accepted", x)
	step(jan31, "tips", "9:100:accepted", x)
	step(jan31, "tips", "9:50:accepted", x)
	step(jan31, "tips", "9:0:accepted", x)
	step(feb1, "tips", "9:100:accepted", x)

	for _, tc := range []struct {
		business string
		month    int
		number   string
		total    int64
	}{
		{"news", 202601, a, 3000}, {"news", 202601, b, 3000}, {"news", 202602, a, 3000}, {"news", 202612, a, 3000},
		{"news", 202701, a, 3000}, {"news", 202601, x, 0}, {"tips", 202601, x, 250}, {"tips", 202602, x, 100},
	} {
		ms, err := f.st.SubMonths(f.ctx, f.sp.ID, tc.business, tc.month, tc.number)
		f.must(err)
		var got int64
		if len(ms) == 1 {
			got = ms[0].Total
		}
		if got != tc.total {
			t.Errorf("%s %d %s: month total %d, want %d", tc.business, tc.month, tc.number, got, tc.total)
		}
	}
	if rs, _ := f.st.Refusals(f.ctx, f.sp.ID, 10); len(rs) != 1 || rs[0].Kind != "not_subscribed" || rs[0].Number != x {
		t.Fatalf("refusals %+v", rs)
	}
}

func TestPushSubscribers(t *testing.T) {
	f := newSubFx(t, 3)
	var subs []string
	for i := range 8 {
		n := fmt.Sprintf("1380013800%d", i)
		subs = append(subs, n)
		_, err := f.c.SetSubscription(f.ctx, "news", n, true, store.SubSourceAdmin)
		f.must(err)
	}
	_, err := f.c.SetSubscription(f.ctx, "news", subs[2], false, store.SubSourceAdmin) // unsubscribed: nothing
	f.must(err)
	_, err = f.c.BlacklistAdd(f.ctx, []string{subs[5]}, "", "complaint", "admin") // blacklisted: refused as usual
	f.must(err)

	// Not the owner: refused, nothing sent.
	if _, err := f.c.PushSubscribers(f.ctx, f.host.ID, "news", "早报", ""); !isCode(err, "forbidden_business") {
		t.Fatalf("a stranger's push: %v", err)
	}
	if _, err := f.c.PushSubscribers(f.ctx, f.sp.ID, "tips", "早报", ""); !isCode(err, "not_found") {
		t.Fatalf("push to a type that is no service: %v", err)
	}
	bal, _ := f.money(f.sp)
	res, err := f.c.PushSubscribers(f.ctx, f.sp.ID, "news", "今日早报", "")
	f.must(err)
	if len(res.BatchIDs) != 3 || res.Accepted != 6 || res.Refused != 1 || res.Last != subs[7] {
		t.Fatalf("push: %+v", res)
	}
	got := map[string]store.State{}
	for _, id := range res.BatchIDs {
		ms, err := f.st.BatchMessages(f.ctx, f.sp.ID, id, 10)
		f.must(err)
		if len(ms) > 3 {
			t.Fatalf("batch of %d numbers with max_recipients 3", len(ms))
		}
		for _, m := range ms {
			got[m.To] = m.State
		}
	}
	if _, sent := got[subs[2]]; sent {
		t.Fatal("the unsubscribed number was pushed to")
	}
	if got[subs[5]] != store.Blacklisted || len(got) != 7 {
		t.Fatalf("states %v", got)
	}
	if _, r := f.money(f.sp); r != 6*3000 {
		t.Fatalf("reserved %d for 6 monthly fees (balance %d)", r, bal)
	}
	// Resuming after the last number sends nothing more.
	res, err = f.c.PushSubscribers(f.ctx, f.sp.ID, "news", "今日早报", subs[7])
	if err != nil || len(res.BatchIDs) != 0 {
		t.Fatalf("resume at the end: %+v %v", res, err)
	}
	// A second push in the same month costs nothing more.
	res, err = f.c.PushSubscribers(f.ctx, f.sp.ID, "news", "晚报", "")
	f.must(err)
	if _, r := f.money(f.sp); res.Accepted != 6 || r != 6*3000 {
		t.Fatalf("second push: %+v, reserved %d", res, r)
	}
}

// A push the provider cannot pay for stops with the refusal and what it
// did; the refused chunk changes no balance and no month.
func TestPushRefusalChangesNothing(t *testing.T) {
	f := newSubFx(t, 2)
	for i := range 5 {
		_, err := f.c.SetSubscription(f.ctx, "news", fmt.Sprintf("1380013800%d", i), true, store.SubSourceAdmin)
		f.must(err)
	}
	// 100 yuan pays 33 monthly fees of 3: take it down to 6 yuan, two fees.
	_, err := f.st.Recharge(f.ctx, f.sp.ID, -94_000, "adjust", "test", "")
	f.must(err)
	res, err := f.c.PushSubscribers(f.ctx, f.sp.ID, "news", "早报", "")
	if !isCode(err, "insufficient_balance") || res == nil || res.Accepted != 2 || len(res.BatchIDs) != 1 || res.Last != "13800138001" {
		t.Fatalf("push: %+v %v", res, err)
	}
	if b, r := f.money(f.sp); b != 6000 || r != 6000 {
		t.Fatalf("balance %d reserved %d", b, r)
	}
	for _, n := range []string{"13800138002", "13800138003"} {
		if ms, _ := f.st.SubMonths(f.ctx, f.sp.ID, "news", 202601, n); len(ms) != 0 && ms[0].Total != 0 {
			t.Fatalf("%s: a refused chunk charged its month: %+v", n, ms)
		}
	}
	// After a recharge, resume where it stopped.
	_, err = f.st.Recharge(f.ctx, f.sp.ID, 9000, "recharge", "", "")
	f.must(err)
	res, err = f.c.PushSubscribers(f.ctx, f.sp.ID, "news", "早报", res.Last)
	if err != nil || res.Accepted != 3 {
		t.Fatalf("resumed: %+v %v", res, err)
	}
}

func isCode(err error, code string) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Code == code
}

func TestSubServiceAdmin(t *testing.T) {
	f := newSubFx(t, 10)
	if _, err := f.c.PutSubService(f.ctx, "tips", "１００１", f.sp.ID); !isCode(err, "duplicate") {
		t.Fatalf("a taken code: %v", err)
	}
	if _, err := f.c.PutSubService(f.ctx, "tips", "10 01", f.sp.ID); !isCode(err, "invalid_subscription_service") {
		t.Fatalf("a bad code: %v", err)
	}
	if _, err := f.c.PutSubService(f.ctx, "nothing", "2002", f.sp.ID); !isCode(err, "not_found") {
		t.Fatalf("no such type: %v", err)
	}
	svc, err := f.c.PutSubService(f.ctx, "tips", "tq", f.sp.ID)
	if err != nil || svc.Code != "TQ" {
		t.Fatalf("put: %+v %v", svc, err)
	}
	f.mo("13800138000", "10658000", "DGTQ") // a letters-only code works once it is a service's
	if !f.active("tips", "13800138000") {
		t.Fatal("DGTQ did not subscribe")
	}
	if err := f.c.DeleteSubService(f.ctx, "tips"); !isCode(err, "has_subscribers") {
		t.Fatalf("delete with subscribers: %v", err)
	}
	if _, err := f.c.SetSubscription(f.ctx, "tips", "13800138000", false, store.SubSourceAdmin); err != nil {
		t.Fatal(err)
	}
	f.must(f.c.DeleteSubService(f.ctx, "tips"))
	if _, err := f.c.SubServiceOf(f.ctx, "tips"); !isCode(err, "not_found") {
		t.Fatalf("after delete: %v", err)
	}
}

// The month's monthly fee is kept in the database: after a restart the
// next message of the same month costs nothing more.
func TestMonthlyFeeAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	f := newSubFxAt(t, path, 10)
	_, err := f.c.SetSubscription(f.ctx, "news", "13800138000", true, store.SubSourceAdmin)
	f.must(err)
	r := f.send("news", "13800138000")
	if r.Messages[0].Fee != 3000 {
		t.Fatalf("first message fee %d", r.Messages[0].Fee)
	}
	// Submitted (charged on submission, its report still due): a message
	// stopped in flight would be in doubt at the restart, released, and
	// its fee rightly carried by the next one.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		m, err := f.st.GetMessage(f.ctx, 0, r.Messages[0].ID)
		f.must(err)
		if m.State == store.Submitted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message still %s", m.State)
		}
	}
	f.stop()
	g := newSubFxAt(t, path, 10)
	if r := g.send("news", "13800138000"); r.Messages[0].Fee != 0 {
		t.Fatalf("after a restart the month's fee was charged again: %d", r.Messages[0].Fee)
	}
	g.at(time.Date(2026, 2, 1, 0, 0, 0, 0, g.c.TimeZone()))
	if r := g.send("news", "13800138000"); r.Messages[0].Fee != 3000 {
		t.Fatalf("February's first message fee %d", r.Messages[0].Fee)
	}
}
