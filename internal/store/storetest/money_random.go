package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"hongyan/internal/store"
)

// checkLedger asserts the money invariants of an account: the balance is
// the sum of its ledger entries, reserved is the sum of the fees of its
// messages not final yet, what was charged per message adds up to the
// charge entries, and available money never went below zero.
func (f *fx) checkLedger(acct int64, msgs []int64) {
	f.t.Helper()
	a, err := f.s.GetAccount(f.ctx, acct)
	f.must(err)
	led, err := f.s.Ledger(f.ctx, acct, 0)
	f.must(err)
	var sum, charges int64
	for _, e := range led {
		sum += e.Amount
		if e.Kind == "charge" {
			charges -= e.Amount
		}
	}
	if sum != a.Balance {
		f.t.Fatalf("balance %d but the ledger sums to %d", a.Balance, sum)
	}
	var pending, charged int64
	for _, id := range msgs {
		m := f.msg(id)
		if !m.State.Final() {
			pending += m.Fee
		}
		charged += m.Charged
		if m.Charged != 0 && m.Charged != m.Fee {
			f.t.Fatalf("message %d charged %d of its fee %d", id, m.Charged, m.Fee)
		}
		if m.State == store.Delivered && m.Charged != m.Fee {
			f.t.Fatalf("delivered message %d charged %d, fee %d", id, m.Charged, m.Fee)
		}
		if (m.State == store.Failed || m.State == store.Rejected && m.SubmittedAt.IsZero()) && m.Charged != 0 {
			f.t.Fatalf("message %d %s before the operator took it, charged %d", id, m.State, m.Charged)
		}
	}
	if pending != a.Reserved {
		f.t.Fatalf("reserved %d, but pending messages' fees sum to %d", a.Reserved, pending)
	}
	if charged != charges {
		f.t.Fatalf("messages charged %d in all, ledger charges %d", charged, charges)
	}
	if a.Balance+a.CreditLimit-a.Reserved < 0 {
		f.t.Fatalf("available money went negative: balance %d credit %d reserved %d", a.Balance, a.CreditLimit, a.Reserved)
	}
}

// testMoneyRandomised drives a prepaid account through a random run of
// accepts (some refused for funds), submits, reports, finishes and
// recharges, checking the money invariants after every step.
func testMoneyRandomised(t *testing.T, s store.Store) {
	r := rand.New(rand.NewPCG(randSeed(t), 7))
	f := newFx(t, s)
	acct := f.account("random-payer").ID // 1000 li
	var msgs, pending []int64
	submitted := map[int64]string{}
	op := 0
	for step := range 300 {
		switch k := r.IntN(10); {
		case k < 4: // accept 1–4 messages, each 50–250 li, either policy
			policy := store.ChargeDelivered
			if r.IntN(2) == 0 {
				policy = store.ChargeSubmitted
			}
			it := f.priced(acct, 1+r.IntN(4), int64(50+r.IntN(200)), policy)
			f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
			if !it.NoFunds {
				for _, m := range it.Messages {
					msgs, pending = append(msgs, m.ID), append(pending, m.ID)
				}
			}
		case k < 6 && len(pending) > 0: // submit one
			i := r.IntN(len(pending))
			id := pending[i]
			if _, ok := submitted[id]; ok {
				continue
			}
			op++
			submitted[id] = fmt.Sprint("R", op)
			f.queue(id, "gw", 1)
			f.submit(id, 1, "gw", submitted[id])
		case k < 8 && len(pending) > 0: // a report for a submitted one
			i := r.IntN(len(pending))
			id := pending[i]
			opID, ok := submitted[id]
			if !ok {
				continue
			}
			st, code := store.Delivered, "DELIVRD"
			if r.IntN(3) == 0 {
				st, code = failures[r.IntN(len(failures))].state, failures[r.IntN(len(failures))].code
			}
			f.report("gw", opID, st, code)
			pending = append(pending[:i], pending[i+1:]...)
		case k < 9 && len(pending) > 0: // the platform gives one up
			i := r.IntN(len(pending))
			st := []store.State{store.Failed, store.Expired, store.Rejected, store.Unknown}[r.IntN(4)]
			f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: pending[i], State: st, Code: "X", At: base}}))
			pending = append(pending[:i], pending[i+1:]...)
		default: // a recharge
			_, err := s.Recharge(f.ctx, acct, int64(100+r.IntN(500)), "recharge", fmt.Sprint("step ", step), "test")
			f.must(err)
		}
		f.checkLedger(acct, msgs)
	}
	if len(msgs) == 0 {
		t.Fatal("the run accepted nothing")
	}
}

// testMoneyConcurrentPrepaid: many senders at once on one prepaid account
// can never spend more than it has — exactly as many messages as the
// balance pays for are accepted, each in its own transaction.
func testMoneyConcurrentPrepaid(t *testing.T, s store.Store) {
	f := newFx(t, s)
	acct := f.account("contended").ID // 1000 li
	const senders = 24
	items := make([]*store.AcceptItem, senders)
	for i := range items {
		items[i] = f.priced(acct, 1, 100, store.ChargeDelivered)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, senders)
	for i, it := range items {
		wg.Go(func() {
			<-start
			errs[i] = s.Accept(f.ctx, []*store.AcceptItem{it})
		})
	}
	close(start)
	wg.Wait()
	var ids []int64
	for i, it := range items {
		f.must(errs[i])
		if !it.NoFunds {
			ids = append(ids, it.Messages[0].ID)
		}
	}
	if len(ids) != 10 {
		t.Fatalf("%d messages of 100 li accepted on 1000 li, want exactly 10", len(ids))
	}
	f.wantMoney(acct, 1000, 1000)
	f.checkLedger(acct, ids)
}
