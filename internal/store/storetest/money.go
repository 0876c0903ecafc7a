package storetest

import (
	"errors"
	"testing"
	"time"

	"hongyan/internal/store"
)

// priced builds an accept item of n one-segment messages costing fee each.
func (f *fx) priced(acct int64, n int, fee int64, chargeOn string) *store.AcceptItem {
	it := f.item(acct, "", n, 1)
	for _, m := range it.Messages {
		m.Fee, m.ChargeOn = fee, chargeOn
	}
	return it
}

func (f *fx) money(acct int64) (balance, reserved int64) {
	f.t.Helper()
	a, err := f.s.GetAccount(f.ctx, acct)
	f.must(err)
	return a.Balance, a.Reserved
}

func (f *fx) wantMoney(acct, balance, reserved int64) {
	f.t.Helper()
	if b, r := f.money(acct); b != balance || r != reserved {
		f.t.Fatalf("account %d: balance %d reserved %d, want %d and %d", acct, b, r, balance, reserved)
	}
}

func testMoney(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("payer").ID // balance 1000 li
	it := f.priced(acct, 3, 100, store.ChargeDelivered)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	if it.NoFunds || it.Dup {
		t.Fatalf("item refused: %+v", it)
	}
	f.wantMoney(acct, 1000, 300)
	ids := []int64{it.Messages[0].ID, it.Messages[1].ID, it.Messages[2].ID}
	for i, id := range ids[:2] {
		f.queue(id, "gw", 1)
		f.submit(id, 1, "gw", "M"+string(rune('0'+i)))
	}
	f.report("gw", "M0", store.Delivered, "DELIVRD")
	f.wantMoney(acct, 900, 200)
	if m := f.msg(ids[0]); m.Fee != 100 || m.Charged != 100 || m.ChargeOn != store.ChargeDelivered {
		t.Fatalf("delivered message money: %+v", m)
	}
	if o := f.report("gw", "M0", store.Delivered, "DELIVRD"); !o.Duplicate {
		t.Fatalf("second report not a duplicate: %+v", o)
	}
	f.wantMoney(acct, 900, 200) // a duplicate report charges nothing
	f.report("gw", "M1", store.Undelivered, "UNDELIV")
	f.wantMoney(acct, 900, 100) // not delivered: released, not charged
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: ids[2], State: store.Failed, Code: "NOROUTE", At: base}}))
	f.wantMoney(acct, 900, 0)
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: ids[0], State: store.Failed, At: base}}))
	f.wantMoney(acct, 900, 0) // final already: forward only, no money moves
	if m := f.msg(ids[1]); m.Charged != 0 {
		t.Fatalf("undelivered message charged %d", m.Charged)
	}

	// More than may be spent: refused whole, nothing written.
	big := f.priced(acct, 10, 100, store.ChargeDelivered)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{big}))
	if !big.NoFunds {
		t.Fatal("1000 li of messages accepted with 900 li to spend")
	}
	if _, err := s.GetMessage(f.ctx, 0, big.Messages[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused item's message was stored: %v", err)
	}
	f.wantMoney(acct, 900, 0)
	// Two items in one call share what there is: the first fits, the second not.
	a, b := f.priced(acct, 5, 100, store.ChargeDelivered), f.priced(acct, 5, 100, store.ChargeDelivered)
	f.must(s.Write(f.ctx, &store.WriteSet{Accept: []*store.AcceptItem{a, b}}))
	if a.NoFunds || !b.NoFunds {
		t.Fatalf("shared funds: first NoFunds=%v second NoFunds=%v, want false, true", a.NoFunds, b.NoFunds)
	}
	f.wantMoney(acct, 900, 500)

	// A postpaid credit limit lets the balance go below zero.
	acc, err := s.GetAccount(f.ctx, acct)
	f.must(err)
	acc.CreditLimit = 2000
	f.must(s.UpdateAccount(f.ctx, acc))
	again := f.priced(acct, 10, 100, store.ChargeDelivered)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{again}))
	if again.NoFunds {
		t.Fatal("credit limit not counted")
	}
	f.wantMoney(acct, 900, 1500)

	// Charged on submission: a submitted message is charged whatever its report;
	// one refused before the operator took it is not.
	sub := f.priced(acct, 2, 50, store.ChargeSubmitted)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{sub}))
	f.queue(sub.Messages[0].ID, "gw", 1)
	f.submit(sub.Messages[0].ID, 1, "gw", "S0")
	f.report("gw", "S0", store.Undelivered, "UNDELIV")
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: sub.Messages[1].ID, State: store.Rejected, Code: "13", At: base}}))
	f.wantMoney(acct, 850, 1500)

	// Recharges and the ledger.
	bal, err := s.Recharge(f.ctx, acct, 10_000, "recharge", "bank transfer 42", "admin")
	f.must(err)
	if bal != 10_850 {
		t.Fatalf("balance after recharge %d", bal)
	}
	if _, err := s.Recharge(f.ctx, 987654321, 1, "recharge", "", ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("recharge of a missing account: %v", err)
	}
	led, err := s.Ledger(f.ctx, acct, 0)
	f.must(err)
	if len(led) != 4 || led[3].Kind != "open" || led[3].Amount != 1000 || led[3].BalanceAfter != 1000 {
		t.Fatalf("ledger = %+v, want the opening balance, two charges and the recharge", led)
	}
	var sum int64
	for _, e := range led {
		sum += e.Amount
	}
	if sum != bal {
		t.Fatalf("ledger sums to %d, balance is %d", sum, bal)
	}
	if e := led[0]; e.Kind != "recharge" || e.Amount != 10_000 || e.BalanceAfter != 10_850 || e.Note != "bank transfer 42" || e.Actor != "admin" {
		t.Fatalf("recharge entry %+v", e)
	}
	if e := led[2]; e.Kind != "charge" || e.Amount != -100 || e.BalanceAfter != 900 || e.Messages != 1 {
		t.Fatalf("first charge entry %+v", e)
	}
	if e := led[1]; e.Amount != -50 || e.BalanceAfter != 850 {
		t.Fatalf("second charge entry %+v", e)
	}
	if other, err := s.Ledger(f.ctx, f.acct, 0); err != nil || len(other) != 1 || other[0].Kind != "open" {
		t.Fatalf("another account's ledger: %v %v", other, err)
	}
}

// One round settling many messages of one account writes one ledger row.
func testMoneyOneRowPerRound(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("bulk").ID
	it := f.priced(acct, 4, 10, store.ChargeDelivered)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	var reps []store.Report
	for i, m := range it.Messages {
		f.queue(m.ID, "gw", 1)
		op := "B" + string(rune('0'+i))
		f.submit(m.ID, 1, "gw", op)
		reps = append(reps, store.Report{Gateway: "gw", OpMsgID: op, State: store.Delivered, Code: "DELIVRD", At: base})
	}
	f.must(s.Write(f.ctx, &store.WriteSet{Reports: reps}))
	f.wantMoney(acct, 960, 0)
	led, err := s.Ledger(f.ctx, acct, 10)
	f.must(err)
	if len(led) != 2 || led[0].Amount != -40 || led[0].Messages != 4 {
		t.Fatalf("ledger %+v, want one charge row of 4 messages after the opening", led)
	}
}

func testRules(t *testing.T, s store.Store) {
	f := newFx(t, s)
	n, err := s.AddBlacklist(f.ctx, []store.BlacklistEntry{
		{Number: "13700137000", Reason: "complaint", Source: "admin", CreatedAt: base},
		{Number: "13700137000", Business: "marketing", Source: "unsubscribe", CreatedAt: base},
		{Number: "13900139000", Business: "marketing", Source: "import", CreatedAt: base},
	})
	f.must(err)
	if n != 3 {
		t.Fatalf("added %d, want 3", n)
	}
	n, err = s.AddBlacklist(f.ctx, []store.BlacklistEntry{{Number: "13700137000", Reason: "again", Source: "admin"}})
	f.must(err)
	if n != 0 {
		t.Fatalf("re-adding counted %d new", n)
	}
	var got []store.BlacklistEntry
	f.must(s.Blacklist(f.ctx, func(e store.BlacklistEntry) error { got = append(got, e); return nil }))
	if len(got) != 3 || got[0].Number != "13700137000" || got[0].Business != "" || got[0].Reason != "again" || got[1].Business != "marketing" ||
		!got[1].CreatedAt.Equal(base) || got[2].Number != "13900139000" {
		t.Fatalf("blacklist = %+v", got)
	}
	f.must(s.RemoveBlacklist(f.ctx, "13700137000", "marketing"))
	if err := s.RemoveBlacklist(f.ctx, "13700137000", "marketing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing twice: %v", err)
	}

	w := &store.FilterWord{Word: "违禁词", Action: "reject", CreatedAt: base}
	f.must(s.AddFilterWord(f.ctx, w))
	f.must(s.AddFilterWord(f.ctx, &store.FilterWord{Word: "中奖", Action: "review"}))
	if err := s.AddFilterWord(f.ctx, &store.FilterWord{Word: "违禁词", Action: "review"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate word: %v", err)
	}
	ws, err := s.FilterWords(f.ctx)
	f.must(err)
	if len(ws) != 2 || ws[0].ID != w.ID || ws[0].Word != "违禁词" || ws[0].Action != "reject" || !ws[0].CreatedAt.Equal(base) || ws[1].Action != "review" {
		t.Fatalf("words = %+v", ws)
	}
	f.must(s.RemoveFilterWord(f.ctx, w.ID))
	if err := s.RemoveFilterWord(f.ctx, w.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing a word twice: %v", err)
	}

	other := f.account("other").ID
	f.must(s.Write(f.ctx, &store.WriteSet{Refusals: []store.Refusal{
		{AccountID: f.acct, Business: "notice", Kind: "blacklisted", Number: "13700137000", At: base},
		{AccountID: other, Kind: "content_filtered", Detail: "违禁词", At: base.Add(time.Second)},
	}}))
	mine, err := s.Refusals(f.ctx, f.acct, 10)
	f.must(err)
	if len(mine) != 1 || mine[0].Kind != "blacklisted" || mine[0].Number != "13700137000" || mine[0].Business != "notice" || !mine[0].At.Equal(base) {
		t.Fatalf("refusals = %+v", mine)
	}
	all, err := s.Refusals(f.ctx, 0, 0)
	f.must(err)
	if len(all) != 2 || all[0].Kind != "content_filtered" {
		t.Fatalf("all refusals = %+v", all)
	}
}
