package storetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Subscriptions (M8) and charging per subscriber and month (B1).

// subItem is an accept item of business to nums (segs segments each),
// priced per sc.
func (f *fx) subItem(acct int64, business string, sc store.SubCharge, segs int, nums ...string) *store.AcceptItem {
	it := f.item(acct, "", len(nums), segs)
	for i, m := range it.Messages {
		m.To, m.Business = nums[i], business
		m.Fee = int64(segs) * sc.FeePerSegment // what the core would put; the store prices it again
	}
	it.Sub = &sc
	return it
}

func (f *fx) subMonth(acct int64, business string, month int, number string) store.SubMonth {
	f.t.Helper()
	ms, err := f.s.SubMonths(f.ctx, acct, business, month, number)
	f.must(err)
	if len(ms) == 0 {
		return store.SubMonth{}
	}
	if len(ms) != 1 {
		f.t.Fatalf("SubMonths(%s, %d, %s) returned %d rows", business, month, number, len(ms))
	}
	return ms[0]
}

func (f *fx) wantSubMonth(acct int64, business string, month int, number string, total, monthly int64) {
	f.t.Helper()
	if m := f.subMonth(acct, business, month, number); m.Total != total || m.Monthly != monthly {
		f.t.Fatalf("%s %d %s: month total %d with %d monthly fee(s), want %d and %d", business, month, number, m.Total, m.Monthly, total, monthly)
	}
}

func fees(it *store.AcceptItem) []int64 {
	out := make([]int64, len(it.Messages))
	for i, m := range it.Messages {
		out[i] = m.Fee
	}
	return out
}

func (f *fx) wantFees(it *store.AcceptItem, want ...int64) {
	f.t.Helper()
	if got := fees(it); fmt.Sprint(got) != fmt.Sprint(want) {
		f.t.Fatalf("fees %v, want %v", got, want)
	}
	for _, m := range it.Messages {
		if m.Fee > 0 && m.ChargeOn == "" {
			f.t.Fatalf("message to %s has a fee of %d and no charge_on", m.To, m.Fee)
		}
		if got := f.msg(m.ID); got.Fee != m.Fee {
			f.t.Fatalf("message %d: stored fee %d, item says %d", m.ID, got.Fee, m.Fee)
		}
	}
}

// deliver takes messages through submit and a report of st.
func (f *fx) settle(st store.State, ids ...int64) {
	f.t.Helper()
	for _, id := range ids {
		op := fmt.Sprint("SUB", id)
		f.queue(id, "gw", 1)
		f.submit(id, 1, "gw", op)
		code := "DELIVRD"
		if st != store.Delivered {
			code = "UNDELIV"
		}
		f.report("gw", op, st, code)
	}
}

func testSubscriptions(t *testing.T, s store.Store) {
	f := newFx(t, s)
	other := f.account("other-sp").ID
	f.must(s.PutSubService(f.ctx, &store.SubService{Business: "news", Code: "1001", AccountID: f.acct, CreatedAt: base}))
	f.must(s.PutSubService(f.ctx, &store.SubService{Business: "weather", Code: "1002", AccountID: other, CreatedAt: base}))
	wantErr(t, s.PutSubService(f.ctx, &store.SubService{Business: "sport", Code: "1001", AccountID: f.acct}), store.ErrDuplicate, "a code taken by another service")
	// Replacing keeps the creation time and may move the code.
	f.must(s.PutSubService(f.ctx, &store.SubService{Business: "weather", Code: "1003", AccountID: other}))

	at := base
	for i, n := range []string{"13800000003", "13800000001", "13800000002"} {
		ok, err := s.Subscribe(f.ctx, "news", n, store.SubSourceMO, at.Add(time.Duration(i)*time.Second))
		f.must(err)
		if !ok {
			t.Fatalf("first subscription of %s reported no change", n)
		}
	}
	ok, err := s.Subscribe(f.ctx, "news", "13800000001", store.SubSourceAdmin, at.Add(time.Hour))
	f.must(err)
	if ok {
		t.Fatal("subscribing an active subscriber again reported a change")
	}
	_, err = s.Subscribe(f.ctx, "weather", "13800000001", store.SubSourceAdmin, at)
	f.must(err)
	ok, err = s.Unsubscribe(f.ctx, "news", "13800000002", store.SubSourceMO, at.Add(2*time.Hour))
	f.must(err)
	if !ok {
		t.Fatal("unsubscribing an active subscriber reported no change")
	}
	if ok, err := s.Unsubscribe(f.ctx, "news", "13800000002", store.SubSourceMO, at); err != nil || ok {
		t.Fatalf("unsubscribing twice: %v %v", ok, err)
	}
	if ok, err := s.Unsubscribe(f.ctx, "news", "13999999999", store.SubSourceMO, at); err != nil || ok {
		t.Fatalf("unsubscribing a stranger: %v %v", ok, err)
	}

	svcs, err := s.SubServices(f.ctx, true)
	f.must(err)
	if len(svcs) != 2 || svcs[0].Business != "news" || svcs[0].Code != "1001" || svcs[0].AccountID != f.acct || svcs[0].Active != 2 || svcs[0].Cancelled != 1 ||
		!svcs[0].CreatedAt.Equal(base) || svcs[1].Code != "1003" || svcs[1].Active != 1 || !svcs[1].CreatedAt.Equal(base) {
		t.Fatalf("services = %+v %+v", svcs[0], svcs[len(svcs)-1])
	}

	all, err := s.Subscriptions(f.ctx, store.SubQuery{})
	f.must(err)
	if len(all) != 4 || all[0].Business != "news" || all[0].Number != "13800000001" || all[3].Business != "weather" {
		t.Fatalf("every subscription: %d rows, first %+v", len(all), all[0])
	}
	x := all[0]
	if !x.Active || x.Source != store.SubSourceMO || !x.Since.Equal(base.Add(time.Second)) || !x.CreatedAt.Equal(x.Since) || !x.CancelledAt.IsZero() {
		t.Fatalf("subscription kept its first subscription? %+v", x)
	}
	gone, err := s.Subscriptions(f.ctx, store.SubQuery{Business: "news", State: "cancelled"})
	f.must(err)
	if len(gone) != 1 || gone[0].Number != "13800000002" || gone[0].Active || !gone[0].CancelledAt.Equal(base.Add(2*time.Hour)) {
		t.Fatalf("cancelled: %+v", gone)
	}
	mine, err := s.Subscriptions(f.ctx, store.SubQuery{AccountIDs: []int64{other}})
	f.must(err)
	if len(mine) != 1 || mine[0].Business != "weather" {
		t.Fatalf("subscriptions of the other account's services: %+v", mine)
	}
	if none, err := s.Subscriptions(f.ctx, store.SubQuery{AccountIDs: []int64{}}); err != nil || len(none) != 0 {
		t.Fatalf("an empty scope sees %d (%v)", len(none), err)
	}
	one, err := s.Subscriptions(f.ctx, store.SubQuery{Number: "13800000001", State: "active"})
	f.must(err)
	if len(one) != 2 {
		t.Fatalf("one number's subscriptions: %+v", one)
	}
	page, err := s.Subscriptions(f.ctx, store.SubQuery{Limit: 2})
	f.must(err)
	next, err := s.Subscriptions(f.ctx, store.SubQuery{Limit: 2, After: page[1].Business + "/" + page[1].Number})
	f.must(err)
	if len(page) != 2 || len(next) != 2 || next[0].Number != "13800000003" || next[1].Business != "weather" {
		t.Fatalf("paging: %+v then %+v", page, next)
	}

	// Re-subscribing a cancelled one: active again, since moves, created stays.
	ok, err = s.Subscribe(f.ctx, "news", "13800000002", store.SubSourceAdmin, base.Add(3*time.Hour))
	f.must(err)
	if !ok {
		t.Fatal("re-subscribing reported no change")
	}
	back, err := s.Subscriptions(f.ctx, store.SubQuery{Business: "news", Number: "13800000002"})
	f.must(err)
	if len(back) != 1 || !back[0].Active || back[0].Source != store.SubSourceAdmin || !back[0].Since.Equal(base.Add(3*time.Hour)) ||
		!back[0].CreatedAt.Equal(base.Add(2*time.Second)) || !back[0].CancelledAt.IsZero() {
		t.Fatalf("re-subscribed: %+v", back)
	}

	// Paging through subscribers in number order.
	for i := range 25 {
		_, err := s.Subscribe(f.ctx, "news", fmt.Sprintf("1390000%04d", i), store.SubSourceMO, base)
		f.must(err)
	}
	var got []string
	after := ""
	for {
		nums, err := s.SubscriberNumbers(f.ctx, "news", after, 7)
		f.must(err)
		if len(nums) == 0 {
			break
		}
		got = append(got, nums...)
		after = nums[len(nums)-1]
	}
	if len(got) != 28 || got[0] != "13800000001" || got[27] != "13900000024" {
		t.Fatalf("paged subscribers: %d, %v … %v", len(got), got[:2], got[len(got)-1])
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("subscribers out of order at %d: %s after %s", i, got[i], got[i-1])
		}
	}

	wantErr(t, s.DeleteSubService(f.ctx, "nothing"), store.ErrNotFound, "deleting a missing service")
	f.must(s.DeleteSubService(f.ctx, "weather"))
	if svcs, _ := s.SubServices(f.ctx, false); len(svcs) != 1 || svcs[0].Active != 0 {
		t.Fatalf("after delete: %+v", svcs)
	}
	if kept, _ := s.Subscriptions(f.ctx, store.SubQuery{Business: "weather"}); len(kept) != 1 {
		t.Fatal("deleting a service dropped its subscription history")
	}
}

// Monthly (包月): the first message of the month carries the monthly fee,
// later ones the per-message fee; a new month starts again; a released
// reservation gives the fee back so the next message carries it.
func testSubMonthly(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("monthly-sp").ID
	_, err := s.Recharge(f.ctx, acct, 100_000, "recharge", "", "")
	f.must(err)
	sc := store.SubCharge{Mode: store.ChargeMonthly, Month: 202601, MonthlyFee: 3000, ChargeOn: store.ChargeDelivered}
	a, b := "13800000001", "13800000002"

	it := f.subItem(acct, "news", sc, 1, a, b, a) // the same number twice in one request
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	f.wantFees(it, 3000, 3000, 0)
	f.wantMoney(acct, 101_000, 6000)
	f.wantSubMonth(acct, "news", 202601, a, 3000, 1)
	var all []int64
	all = append(all, ids(it.Messages)...)

	again := f.subItem(acct, "news", sc, 2, a, b)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{again}))
	f.wantFees(again, 0, 0)
	all = append(all, ids(again.Messages)...)

	// a's monthly message delivered: charged. b's undelivered: released, and
	// b's month starts over.
	f.settle(store.Delivered, it.Messages[0].ID)
	f.settle(store.Undelivered, it.Messages[1].ID)
	f.wantMoney(acct, 98_000, 0)
	f.wantSubMonth(acct, "news", 202601, a, 3000, 1)
	f.wantSubMonth(acct, "news", 202601, b, 0, 0)
	third := f.subItem(acct, "news", sc, 1, a, b)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{third}))
	f.wantFees(third, 0, 3000)
	all = append(all, ids(third.Messages)...)

	// February: a new month, a new fee; January is left as it was.
	feb := sc
	feb.Month = 202602
	nx := f.subItem(acct, "news", feb, 1, a)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{nx}))
	f.wantFees(nx, 3000)
	f.wantSubMonth(acct, "news", 202601, a, 3000, 1)
	f.wantSubMonth(acct, "news", 202602, a, 3000, 1)
	all = append(all, ids(nx.Messages)...)

	// A per-message fee on top, charged on submission: an undelivered
	// message the operator took is charged, so nothing is given back.
	sub := store.SubCharge{Mode: store.ChargeMonthly, Month: 202601, MonthlyFee: 2000, FeePerSegment: 10, ChargeOn: store.ChargeSubmitted}
	s1 := f.subItem(acct, "sport", sub, 1, a)
	s2 := f.subItem(acct, "sport", sub, 3, a)
	f.must(s.Write(f.ctx, &store.WriteSet{Accept: []*store.AcceptItem{s1, s2}}))
	f.wantFees(s1, 2010)
	f.wantFees(s2, 30)
	f.settle(store.Undelivered, s1.Messages[0].ID)
	f.wantSubMonth(acct, "sport", 202601, a, 2040, 1)
	all = append(all, ids(s1.Messages)...)
	all = append(all, ids(s2.Messages)...)

	// The months are per account: another provider's business of the same
	// code starts at zero.
	other := f.account("other-monthly").ID
	_, err = s.Recharge(f.ctx, other, 10_000, "recharge", "", "")
	f.must(err)
	o := f.subItem(other, "news", sc, 1, a)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{o}))
	f.wantFees(o, 3000)
	f.checkLedger(other, ids(o.Messages))

	// A refused item changes no month: more than the account may spend.
	poor := f.account("poor-monthly").ID // 1000 li
	p := f.subItem(poor, "news", sc, 1, a)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{p}))
	if !p.NoFunds {
		t.Fatal("a 3 yuan monthly fee accepted on 1 yuan")
	}
	f.wantSubMonth(poor, "news", 202601, a, 0, 0)
	f.wantMoney(poor, 1000, 0)
	f.checkLedger(acct, all)
}

// Capped (封顶): per segment until the month's total reaches the cap; the
// message that crosses it pays the remainder; then nothing.
func testSubCapped(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("capped-sp").ID
	_, err := s.Recharge(f.ctx, acct, 100_000, "recharge", "", "")
	f.must(err)
	sc := store.SubCharge{Mode: store.ChargeMonthlyCapped, Month: 202612, FeePerSegment: 30, MonthlyCap: 100, ChargeOn: store.ChargeDelivered}
	a, b := "13800000001", "13800000002"
	var all []int64
	acc := func(segs int, want []int64, nums ...string) *store.AcceptItem {
		t.Helper()
		it := f.subItem(acct, "tips", sc, segs, nums...)
		f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
		f.wantFees(it, want...)
		all = append(all, ids(it.Messages)...)
		return it
	}
	first := acc(1, []int64{30, 30}, a, b)
	acc(2, []int64{60}, a)          // 90
	cross := acc(1, []int64{10}, a) // crosses 100: the remainder
	acc(1, []int64{0, 30}, a, b)
	f.wantSubMonth(acct, "tips", 202612, a, 100, 0)
	f.wantSubMonth(acct, "tips", 202612, b, 60, 0)

	// The crossing message fails: its 10 li come back, and the next message
	// pays them (no more).
	f.settle(store.Undelivered, cross.Messages[0].ID)
	f.wantSubMonth(acct, "tips", 202612, a, 90, 0)
	acc(2, []int64{10}, a)
	f.settle(store.Delivered, first.Messages[0].ID)
	f.wantSubMonth(acct, "tips", 202612, a, 100, 0)

	// December → January: a new month, a new cap.
	jan := sc
	jan.Month = 202701
	it := f.subItem(acct, "tips", jan, 4, a)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	f.wantFees(it, 100)
	all = append(all, ids(it.Messages)...)

	// Two items of one Write share the month: 30 + 30 + 30 + 10.
	w1, w2 := f.subItem(acct, "tips2", sc, 3, b), f.subItem(acct, "tips2", sc, 3, b)
	f.must(s.Write(f.ctx, &store.WriteSet{Accept: []*store.AcceptItem{w1, w2}}))
	f.wantFees(w1, 90)
	f.wantFees(w2, 10)
	all = append(all, ids(w1.Messages)...)
	all = append(all, ids(w2.Messages)...)

	// A refused item (funds) takes nothing of the month, even in a Write
	// where an earlier item was priced against it.
	poor := f.account("poor-capped").ID // 1000 li
	r1 := f.subItem(poor, "tips", store.SubCharge{Mode: store.ChargeMonthlyCapped, Month: 202612, FeePerSegment: 600, MonthlyCap: 5000, ChargeOn: store.ChargeDelivered}, 1, a)
	r2 := f.subItem(poor, "tips", store.SubCharge{Mode: store.ChargeMonthlyCapped, Month: 202612, FeePerSegment: 600, MonthlyCap: 5000, ChargeOn: store.ChargeDelivered}, 1, a)
	f.must(s.Write(f.ctx, &store.WriteSet{Accept: []*store.AcceptItem{r1, r2}}))
	if r1.NoFunds || !r2.NoFunds {
		t.Fatalf("funds: first %v second %v", r1.NoFunds, r2.NoFunds)
	}
	f.wantSubMonth(poor, "tips", 202612, a, 600, 0)
	f.checkLedger(poor, ids(r1.Messages))
	f.checkLedger(acct, all)
}

// Subscribers only: a number that never subscribed, or unsubscribed, is
// refused at accept (blacklisted, NOT_SUBSCRIBED, recorded, free).
func testSubSubscribersOnly(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("sub-only").ID
	f.must(s.PutSubService(f.ctx, &store.SubService{Business: "news", Code: "1001", AccountID: acct}))
	for _, n := range []string{"13800000001", "13800000002"} {
		_, err := s.Subscribe(f.ctx, "news", n, store.SubSourceMO, base)
		f.must(err)
	}
	_, err := s.Unsubscribe(f.ctx, "news", "13800000002", store.SubSourceMO, base)
	f.must(err)
	sc := store.SubCharge{Mode: store.ChargeMonthly, Month: 202603, MonthlyFee: 100, ChargeOn: store.ChargeDelivered, Subscribers: true}
	it := f.subItem(acct, "news", sc, 1, "13800000001", "13800000002", "13800000003")
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	if it.NoFunds || it.Dup {
		t.Fatalf("refused: %+v", it)
	}
	f.wantFees(it, 100, 0, 0)
	for i, m := range it.Messages {
		got := f.msg(m.ID)
		if i == 0 {
			if got.State != store.Accepted {
				t.Fatalf("the subscriber's message is %s", got.State)
			}
			continue
		}
		if got.State != store.Blacklisted || got.OperatorCode != store.NotSubscribed || got.Fee != 0 || got.DoneAt.IsZero() {
			t.Fatalf("message to %s: %+v", got.To, got)
		}
		if es := f.events(m.ID); len(es) == 0 || es[0].Kind != "accepted" || !strings.Contains(es[0].Detail, "not subscribed") {
			t.Fatalf("events of the refused message: %+v", es)
		}
	}
	rs, err := s.Refusals(f.ctx, acct, 0)
	f.must(err)
	if len(rs) != 2 || rs[0].Kind != "not_subscribed" || rs[0].Business != "news" {
		t.Fatalf("refusals %+v", rs)
	}
	f.wantMoney(acct, 1000, 100)
	f.wantSubMonth(acct, "news", 202603, "13800000002", 0, 0)
	f.checkLedger(acct, ids(it.Messages))
}

// Parallel pushes to the same subscribers never charge a monthly fee twice.
func testSubConcurrentMonthly(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("contended-monthly").ID
	_, err := s.Recharge(f.ctx, acct, 1_000_000, "recharge", "", "")
	f.must(err)
	nums := []string{"13800000005", "13800000001", "13800000004", "13800000002", "13800000003"}
	sc := store.SubCharge{Mode: store.ChargeMonthly, Month: 202601, MonthlyFee: 500, FeePerSegment: 1, ChargeOn: store.ChargeDelivered}
	const pushes = 16
	items := make([]*store.AcceptItem, pushes)
	for i := range items {
		rot := append(append([]string{}, nums[i%len(nums):]...), nums[:i%len(nums)]...) // a different order each
		items[i] = f.subItem(acct, "news", sc, 1, rot...)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, pushes)
	for i, it := range items {
		wg.Go(func() {
			<-start
			errs[i] = s.Accept(f.ctx, []*store.AcceptItem{it})
		})
	}
	close(start)
	wg.Wait()
	var all []int64
	perNumber := map[string]int64{}
	for i, it := range items {
		f.must(errs[i])
		if it.NoFunds {
			t.Fatal("refused for funds")
		}
		all = append(all, ids(it.Messages)...)
		for _, m := range it.Messages {
			perNumber[m.To] += m.Fee
		}
	}
	for _, n := range nums {
		if perNumber[n] != 500+pushes {
			t.Fatalf("%s priced %d in all, want one monthly fee and %d per-message fees (%d)", n, perNumber[n], pushes, 500+pushes)
		}
		f.wantSubMonth(acct, "news", 202601, n, 500+pushes, 1)
	}
	f.checkLedger(acct, all)
}

// Pushes and refunds at once on the same subscribers' months: whatever
// the interleaving (and the database's deadlock victims, retried), every
// month total is the sum of its messages' fees not given back and no cap
// is passed.
func testSubConcurrentRefunds(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("contended-capped").ID
	_, err := s.Recharge(f.ctx, acct, 1_000_000, "recharge", "", "")
	f.must(err)
	nums := []string{"13800000003", "13800000001", "13800000002"}
	sc := store.SubCharge{Mode: store.ChargeMonthlyCapped, Month: 202605, FeePerSegment: 30, MonthlyCap: 200, ChargeOn: store.ChargeDelivered}
	var mu sync.Mutex
	var all, pending []int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	items := make([][]*store.AcceptItem, 4) // built here: the fixture's ids are not for goroutines
	for p := range items {
		for i := range 8 {
			rot := append(append([]string{}, nums[(p+i)%3:]...), nums[:(p+i)%3]...)
			items[p] = append(items[p], f.subItem(acct, "tips", sc, 1+i%2, rot...))
		}
	}
	for p := range items {
		wg.Go(func() {
			for _, it := range items[p] {
				if err := s.Accept(f.ctx, []*store.AcceptItem{it}); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				all = append(all, ids(it.Messages)...)
				pending = append(pending, ids(it.Messages)...)
				mu.Unlock()
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 12 {
				mu.Lock()
				var id int64
				if len(pending) > 0 {
					id, pending = pending[0], pending[1:]
				}
				mu.Unlock()
				if id == 0 {
					time.Sleep(time.Millisecond)
					continue
				}
				if err := s.FinishMessages(f.ctx, []store.Finish{{MessageID: id, State: store.Failed, Code: "X", At: base}}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	f.checkLedger(acct, all)
	want := map[string]int64{}
	for _, id := range all {
		if m := f.msg(id); !m.State.Final() || m.Charged != 0 {
			want[m.To] += m.Fee
		}
	}
	for _, n := range nums {
		got := f.subMonth(acct, "tips", 202605, n)
		if got.Total != want[n] || got.Total > sc.MonthlyCap {
			t.Fatalf("%s: month total %d, messages say %d (cap %d)", n, got.Total, want[n], sc.MonthlyCap)
		}
	}
}

// testSubRandomised drives mixed charging modes through accepts, reports,
// finishes and recharges, checking after every step that the ledger adds
// up, that every month total is the sum of the fees of its messages not
// given back, that a capped month never passes its cap and that a monthly
// fee is reserved or charged at most once per number and month.
func testSubRandomised(t *testing.T, s store.Store) {
	r := rand.New(rand.NewPCG(randSeed(t), 11))
	f := newFx(t, s)
	acct := f.account("sub-random").ID
	nums := []string{"13800000001", "13800000002", "13800000003", "13800000004"}
	type kind struct {
		business string
		sc       store.SubCharge
	}
	kinds := []kind{
		{"monthly", store.SubCharge{Mode: store.ChargeMonthly, MonthlyFee: 300, ChargeOn: store.ChargeDelivered}},
		{"monthly-fee", store.SubCharge{Mode: store.ChargeMonthly, MonthlyFee: 200, FeePerSegment: 20, ChargeOn: store.ChargeSubmitted}},
		{"capped", store.SubCharge{Mode: store.ChargeMonthlyCapped, FeePerSegment: 40, MonthlyCap: 150, ChargeOn: store.ChargeDelivered}},
		{"per", store.SubCharge{Mode: store.ChargePerMessage, FeePerSegment: 25, ChargeOn: store.ChargeDelivered}},
		{"free", store.SubCharge{Mode: store.ChargeFree, FeePerSegment: 25}},
	}
	months := []int{202601, 202602}
	type meta struct {
		kind  int
		month int
	}
	info := map[int64]meta{}
	var msgs, pending []int64
	submitted := map[int64]string{}
	op := 0
	check := func() {
		t.Helper()
		f.checkLedger(acct, msgs)
		type key struct {
			business string
			month    int
			number   string
		}
		want := map[key]int64{}
		wantMonthly := map[key]int64{}
		for _, id := range msgs {
			m := f.msg(id)
			mt := info[id]
			k := kinds[mt.kind]
			if k.sc.Mode != store.ChargeMonthly && k.sc.Mode != store.ChargeMonthlyCapped {
				continue
			}
			if m.State.Final() && m.Charged == 0 { // given back
				continue
			}
			kk := key{k.business, mt.month, m.To}
			want[kk] += m.Fee
			if k.sc.Mode == store.ChargeMonthly && m.Fee >= k.sc.MonthlyFee {
				wantMonthly[kk]++
			}
		}
		for _, k := range kinds[:3] {
			for _, mo := range months {
				for _, n := range nums {
					kk := key{k.business, mo, n}
					got := f.subMonth(acct, k.business, mo, n)
					if got.Total != want[kk] || got.Monthly != wantMonthly[kk] {
						t.Fatalf("%v: month total %d (%d monthly), messages say %d (%d)", kk, got.Total, got.Monthly, want[kk], wantMonthly[kk])
					}
					if got.Monthly > 1 {
						t.Fatalf("%v: %d monthly fees", kk, got.Monthly)
					}
					if k.sc.Mode == store.ChargeMonthlyCapped && got.Total > k.sc.MonthlyCap {
						t.Fatalf("%v: %d over the cap %d", kk, got.Total, k.sc.MonthlyCap)
					}
				}
			}
		}
	}
	for step := range 250 {
		switch k := r.IntN(10); {
		case k < 4: // one or two items in one Write
			var items []*store.AcceptItem
			var metas []meta
			for range 1 + r.IntN(2) {
				ki, mo := r.IntN(len(kinds)), months[r.IntN(len(months))]
				sc := kinds[ki].sc
				sc.Month = mo
				var to []string
				for range 1 + r.IntN(3) {
					to = append(to, nums[r.IntN(len(nums))])
				}
				items = append(items, f.subItem(acct, kinds[ki].business, sc, 1+r.IntN(3), to...))
				metas = append(metas, meta{ki, mo})
			}
			f.must(s.Write(f.ctx, &store.WriteSet{Accept: items}))
			for i, it := range items {
				if it.NoFunds {
					continue
				}
				for _, m := range it.Messages {
					info[m.ID] = metas[i]
					msgs, pending = append(msgs, m.ID), append(pending, m.ID)
				}
			}
		case k < 6 && len(pending) > 0:
			id := pending[r.IntN(len(pending))]
			if _, ok := submitted[id]; ok {
				continue
			}
			op++
			submitted[id] = fmt.Sprint("Q", op)
			f.queue(id, "gw", 1)
			f.submit(id, 1, "gw", submitted[id])
		case k < 8 && len(pending) > 0:
			i := r.IntN(len(pending))
			id := pending[i]
			opID, ok := submitted[id]
			if !ok {
				continue
			}
			st, code := store.Delivered, "DELIVRD"
			if r.IntN(2) == 0 {
				fl := failures[r.IntN(len(failures))]
				st, code = fl.state, fl.code
			}
			f.report("gw", opID, st, code)
			pending = append(pending[:i], pending[i+1:]...)
		case k < 9 && len(pending) > 0:
			i := r.IntN(len(pending))
			st := []store.State{store.Failed, store.Expired, store.Rejected, store.Unknown}[r.IntN(4)]
			f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: pending[i], State: st, Code: "X", At: base}}))
			pending = append(pending[:i], pending[i+1:]...)
		default:
			_, err := s.Recharge(f.ctx, acct, int64(100+r.IntN(800)), "recharge", fmt.Sprint("step ", step), "test")
			f.must(err)
		}
		check()
	}
	if len(msgs) == 0 {
		t.Fatal("the run accepted nothing")
	}
	if ms, err := s.SubMonths(f.ctx, acct, "nothing", 202601, ""); err != nil || len(ms) != 0 {
		t.Fatalf("months of a business never sent: %v %v", ms, err)
	}
}
