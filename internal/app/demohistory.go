package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// historyNode is the id node of the demo's past traffic: no live process
// uses it, so its ids never meet live ones.
const historyNode = 1023

// SeedHistory writes `days` days of past traffic for the demo's accounts
// (the sending account and the partner), so reports and dashboards are
// not empty on the first start: office hours busier than nights, notices
// the most common type, a few per cent undelivered, expired or rejected.
// It goes through the store's ordinary write path — accept, queued,
// submitted, status report — with past times, so messages, ledger and
// statistics agree as they would after real traffic. It does nothing
// when the store already has traffic before today (a restart on the same
// data).
func (sb *Sandbox) SeedHistory(ctx context.Context, days int) (int, error) {
	st := sb.Store
	loc := sb.Core.TimeZone()
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from := today.AddDate(0, 0, -days)
	rows, err := st.Stats(ctx, store.StatsQuery{From: from, To: today, Grain: store.GrainNone})
	if err != nil {
		return 0, fmt.Errorf("demo history: %w", err)
	}
	if len(rows) > 0 {
		return 0, nil
	}
	var accounts []*store.Account
	for _, name := range []string{SandboxAccount, DemoPartner} {
		a, err := st.AccountByName(ctx, name)
		if err != nil {
			return 0, fmt.Errorf("demo history: account %s: %w", name, err)
		}
		accounts = append(accounts, a)
	}
	bts, err := st.BusinessTypes(ctx)
	if err != nil {
		return 0, fmt.Errorf("demo history: %w", err)
	}
	byCode := map[string]*store.BusinessType{}
	for _, b := range bts {
		byCode[b.Code] = b
	}
	gateways := map[string][]string{} // operator → gateway names
	for _, g := range sb.Pool.All() {
		gateways[g.Operator] = append(gateways[g.Operator], g.Name)
	}
	// Number segments of each operator the demo has a gateway for.
	segments := map[string][]string{"cmcc": {"138", "139", "150", "187"}, "cucc": {"130", "186", "156"},
		"ctcc": {"133", "189", "177"}, "cbn": {"192"}}
	var ops []string
	for op := range segments {
		if len(gateways[op]) > 0 {
			ops = append(ops, op)
		}
	}
	slices.Sort(ops)
	if len(ops) == 0 {
		return 0, nil
	}
	r := rand.New(rand.NewPCG(uint64(from.Unix()), 7))
	types := []struct {
		code, text string
		weight     int
	}{
		{"notice", "【中国邮政】您的邮件已到达%s营业厅，请凭取件码 %04d 领取。", 60},
		{"verify", "【中国邮政】您的验证码是 %[2]d，5 分钟内有效。%[1]s", 25},
		{"marketing", "【中国邮政】%s邮政储蓄新客户礼遇，详询网点。回T退订 %d", 15},
	}
	places := []string{"天河", "越秀", "从化", "增城", "禅城", "南海"}
	seq := 0
	total := 0
	ws := &store.WriteSet{}
	var reports []store.Report
	var finishes []store.Finish
	flush := func() error {
		if len(ws.Accept) == 0 {
			return nil
		}
		// Three rounds as live traffic has them: accepted and queued, then
		// submitted, then the reports and finishes.
		subs := ws.Submits
		ws.Submits = nil
		if err := st.Write(ctx, ws); err != nil {
			return err
		}
		if err := st.Write(ctx, &store.WriteSet{Submits: subs}); err != nil {
			return err
		}
		if err := st.Write(ctx, &store.WriteSet{Reports: reports, Finishes: finishes}); err != nil {
			return err
		}
		ws, reports, finishes = &store.WriteSet{}, nil, nil
		return nil
	}
	for day := from; day.Before(today); day = day.AddDate(0, 0, 1) {
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		for h := 0; h < 24; h++ {
			n := 2 // the night
			switch {
			case h >= 8 && h < 12, h >= 14 && h < 18:
				n = 40
			case h >= 7 && h < 21:
				n = 15
			}
			if weekend {
				n /= 2
			}
			n += r.IntN(n/2 + 1)
			for range n {
				seq++
				at := day.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(3_600_000))*time.Millisecond)
				acc := accounts[0]
				if r.IntN(4) == 0 {
					acc = accounts[1]
				}
				pick := r.IntN(100)
				ty := types[0]
				for _, t := range types {
					if pick < t.weight {
						ty = t
						break
					}
					pick -= t.weight
				}
				bt := byCode[ty.code]
				if bt == nil {
					continue
				}
				op := ops[r.IntN(len(ops))]
				if r.IntN(2) == 0 {
					op = "cmcc" // China Mobile carries about half the traffic
				}
				if len(gateways[op]) == 0 {
					op = ops[0]
				}
				pre := segments[op][r.IntN(len(segments[op]))]
				to := pre + fmt.Sprintf("%08d", r.IntN(100_000_000))
				text := fmt.Sprintf(ty.text, places[r.IntN(len(places))], 1000+r.IntN(9000))
				segs, _ := sms.Count(text)
				id := core.IDAt(at, historyNode, seq)
				m := &store.Message{ID: id, BatchID: id, AccountID: acc.ID, To: to, Src: acc.ServiceCode, Content: text,
					Business: bt.Code, Priority: bt.Priority, Segments: segs, Operator: op, State: store.Accepted, CreatedAt: at}
				if bt.FeePerSegment > 0 && bt.ChargeMode != store.ChargeFree {
					m.Fee, m.ChargeOn = int64(segs)*bt.FeePerSegment, bt.ChargeOn
				}
				ws.Accept = append(ws.Accept, &store.AcceptItem{Batch: store.Batch{ID: id, AccountID: acc.ID, Total: 1, CreatedAt: at},
					Messages: []*store.Message{m}, Events: []store.Event{{MessageID: id, At: at, Kind: "accepted", Detail: "demo history"}}})
				gw := gateways[op][r.IntN(len(gateways[op]))]
				sent := at.Add(time.Duration(200+r.IntN(800)) * time.Millisecond)
				ws.Queued = append(ws.Queued, store.QueuedMark{MessageID: id, Operator: op, Gateway: gw, Segments: segs, At: sent})
				total++
				stat, code := store.Delivered, "DELIVRD"
				switch x := r.IntN(100); {
				case x < 3:
					stat, code = store.Undelivered, "UNDELIV"
				case x < 4:
					stat, code = store.Expired, "EXPIRED"
				case x < 5:
					// The operator refused the submit: no report follows.
					finishes = append(finishes, store.Finish{MessageID: id, State: store.Rejected, Code: "MK:0011",
						Reason: "demo history: refused by the operator", At: sent})
					continue
				}
				done := sent.Add(time.Duration(2+r.IntN(30)) * time.Second)
				for s := 1; s <= segs; s++ {
					opID := "H" + strconv.FormatInt(id, 36) + "-" + strconv.Itoa(s)
					ws.Submits = append(ws.Submits, store.SubmitResult{MessageID: id, Seq: s, Gateway: gw, OpMsgID: opID, OK: true, Code: "0", At: sent})
					reports = append(reports, store.Report{Gateway: gw, OpMsgID: opID, State: stat, Code: code, To: to, At: done})
				}
			}
			if len(ws.Accept) >= 500 {
				if err := flush(); err != nil {
					return total, fmt.Errorf("demo history: %w", err)
				}
			}
		}
	}
	if err := flush(); err != nil {
		return total, fmt.Errorf("demo history: %w", err)
	}
	return total, nil
}
