package settle

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15", s, store.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseRange(t *testing.T) {
	now := day("2026-11-25 13")
	for _, tc := range []struct {
		period, from, to string
		want             [2]string
	}{
		{"2026-11", "", "", [2]string{"2026-11-01 00", "2026-12-01 00"}},
		{"202612", "", "", [2]string{"2026-12-01 00", "2027-01-01 00"}},
		{"2026-11-25", "", "", [2]string{"2026-11-25 00", "2026-11-26 00"}},
		{"2026", "", "", [2]string{"2026-01-01 00", "2027-01-01 00"}},
		{"", "", "", [2]string{"2026-11-01 00", "2026-12-01 00"}},
		{"", "2026-11-03", "2026-11-04", [2]string{"2026-11-03 00", "2026-11-05 00"}},
		{"", "2026-11-03T08:00", "2026-11-03T20:00", [2]string{"2026-11-03 08", "2026-11-03 20"}},
		{"", "2026-11-03T00:00:00Z", "2026-11-04 10:00", [2]string{"2026-11-03 08", "2026-11-04 10"}},
		{"", "2026-10", "2026-11", [2]string{"2026-10-01 00", "2026-12-01 00"}},
		{"", "2026-11-10", "", [2]string{"2026-11-10 00", "2026-12-01 00"}},
		{"", "", "2026-11-10", [2]string{"2026-11-01 00", "2026-11-11 00"}},
	} {
		f, to, err := ParseRange(tc.period, tc.from, tc.to, now)
		if err != nil {
			t.Errorf("%+v: %v", tc, err)
			continue
		}
		if !f.Equal(day(tc.want[0])) || !to.Equal(day(tc.want[1])) {
			t.Errorf("%+v: [%s, %s), want %v", tc, f, to, tc.want)
		}
	}
	for _, tc := range []struct{ period, from, to, code string }{
		{"2026-13", "", "", "invalid_period"},
		{"last month", "", "", "invalid_period"},
		{"2026-11", "2026-11-01", "", "invalid_range"},
		{"", "2026-11-31", "", "invalid_date"},
		{"", "yesterday", "", "invalid_date"},
		{"", "2026-11-03T08:30", "", "invalid_date"},
		{"", "2026-11-05", "2026-11-04", "invalid_range"},
		{"", "2026-11-05T10:00", "2026-11-05T10:00", "invalid_range"},
	} {
		_, _, err := ParseRange(tc.period, tc.from, tc.to, now)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Code != tc.code {
			t.Errorf("%+v: error %v, want code %s", tc, err, tc.code)
		}
	}
}

func pf(v float64) *float64 { return &v }

func validOp(op string) bool {
	return op == "cmcc" || op == "cucc" || op == "ctcc" || op == "cbn" || op == "intl"
}

func TestConfigCheck(t *testing.T) {
	good := Config{OperatorCosts: map[string]float64{"cmcc": 0.03, "cucc": 0.0275},
		Shares: []ShareRule{{Account: "p", Percent: pf(30)}, {Org: "GD", PerSegment: pf(0.015)}}}
	if err := good.Check(validOp); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Config{
		{OperatorCosts: map[string]float64{"chinamobile": 0.03}},
		{OperatorCosts: map[string]float64{"cmcc": -1}},
		{Shares: []ShareRule{{Percent: pf(1)}}},
		{Shares: []ShareRule{{Account: "a", Org: "b", Percent: pf(1)}}},
		{Shares: []ShareRule{{Account: "a"}}},
		{Shares: []ShareRule{{Account: "a", Percent: pf(1), PerSegment: pf(1)}}},
		{Shares: []ShareRule{{Account: "a", Percent: pf(101)}}},
		{Shares: []ShareRule{{Account: "a", Percent: pf(1)}, {Account: "a", PerSegment: pf(1)}}},
	} {
		if err := c.Check(validOp); err == nil {
			t.Errorf("%+v passed", c)
		}
	}
}

func TestMoneyMath(t *testing.T) {
	for _, tc := range []struct{ a, b, c, want int64 }{
		{7, 1, 2, 4}, {5, 1, 2, 3}, {4, 1, 2, 2}, {-5, 1, 2, -3}, {1_000_000_000_000, 275_000, 1_000_000, 275_000_000_000},
		{9_000_000_000_000_000, 1000, 1000, 9_000_000_000_000_000},
	} {
		if got := mulDivRound(tc.a, tc.b, tc.c); got != tc.want {
			t.Errorf("mulDivRound(%d, %d, %d) = %d, want %d", tc.a, tc.b, tc.c, got, tc.want)
		}
	}
	x := rule{perSeg: 27500}
	if got := x.share(0, 3); got != 83 { // 3 × 0.0275 yuan = 0.0825 → 83 li (0.083)
		t.Fatalf("3 segments at 0.0275: %d li", got)
	}
	if s := x.String(); s != "0.0275/segment" {
		t.Fatal(s)
	}
	p := rule{ppm: 125_000, isPct: true}
	if got, s := p.share(1001, 0), p.String(); got != 125 || s != "12.5%" {
		t.Fatalf("12.5%% of 1001 li: %d, %s", got, s)
	}
}

func TestBuildStatement(t *testing.T) {
	prov := &store.Org{ID: 1, Level: store.LevelProvince, Code: "GD", Name: "省"}
	city := &store.Org{ID: 2, ParentID: 1, Level: store.LevelCity, Code: "GD-GZ", Name: "市"}
	county := &store.Org{ID: 3, ParentID: 2, Level: store.LevelCounty, Code: "GD-GZ-TH", Name: "县"}
	accs := []*store.Account{{ID: 10, Name: "unit", OrgID: 3}, {ID: 11, Name: "partner", OrgID: 2, Kind: store.KindPartner}, {ID: 12, Name: "idle"}}
	r := func(acct, org int64, op, gw string, st store.State, m, s, fee int64) store.StatRow {
		return store.StatRow{AccountID: acct, OrgID: org, Operator: op, Gateway: gw, State: st, Messages: m, Segments: s, Fees: fee}
	}
	rows := []store.StatRow{
		r(10, 3, "cmcc", "", store.Accepted, 100, 120, 0),
		r(10, 3, "cmcc", "cm1", store.Submitted, 98, 118, 0),
		r(10, 3, "cmcc", "cm2", store.Submitted, 0, 1, 0),
		r(10, 3, "cmcc", "cm1", store.Delivered, 95, 114, 5700),
		r(11, 2, "cucc", "cu1", store.Submitted, 10, 10, 0),
		r(11, 2, "cucc", "cu1", store.Delivered, 10, 10, 500),
		r(11, 2, "cbn", "cb1", store.Submitted, 1, 1, 0),
	}
	cfg := &Config{OperatorCosts: map[string]float64{"cmcc": 0.03, "cucc": 0.025, "ctcc": 0.02},
		Shares: []ShareRule{{Account: "partner", Percent: pf(30)}, {Org: "GD-GZ", PerSegment: pf(0.01)}, {Account: "gone", Percent: pf(1)}}}
	st := build(cfg, day("2026-11-01 00"), day("2026-12-01 00"), rows, accs, []*store.Org{prov, city, county})
	if len(st.Operators) != 4 {
		t.Fatalf("operators %+v", st.Operators)
	}
	cb, cm, ct, cu := st.Operators[0], st.Operators[1], st.Operators[2], st.Operators[3]
	if cm.Operator != "cmcc" || cm.Segments != 119 || cm.Messages != 98 || cm.Cost != 3570 || len(cm.Gateways) != 2 || cm.Gateways[1].Segments != 1 {
		t.Fatalf("cmcc %+v", cm)
	}
	if cu.Cost != 250 || ct.Segments != 0 || ct.Cost != 0 || cb.Cost != 0 || cb.Rate != 0 {
		t.Fatalf("cucc %+v ctcc %+v cbn %+v", cu, ct, cb)
	}
	if len(st.Accounts) != 2 || st.Accounts[0].Code != "unit" || st.Accounts[0].OrgCode != "GD-GZ-TH" || st.Accounts[0].Revenue != 5700 ||
		st.Accounts[0].Rule != "" || st.Accounts[1].Share != 150 || st.Accounts[1].Rule != "30%" || st.Accounts[1].Kind != store.KindPartner {
		t.Fatalf("accounts %+v", st.Accounts)
	}
	if len(st.Orgs) != 3 || st.Orgs[0].Revenue != 6200 || st.Orgs[0].Kind != "province" || st.Orgs[1].Segments != 130 || st.Orgs[1].Share != 1300 ||
		st.Orgs[2].Revenue != 5700 || st.Orgs[2].Accepted != 100 {
		t.Fatalf("orgs %+v", st.Orgs)
	}
	if st.Revenue != 6200 || st.OperatorCost != 3820 || st.Margin != 2380 || st.AccountShares != 150 {
		t.Fatalf("totals %+v", st)
	}
	if len(st.Warnings) != 2 || !strings.Contains(st.Warnings[0], "cbn") || !strings.Contains(st.Warnings[1], `"gone"`) {
		t.Fatalf("warnings %q", st.Warnings)
	}
}

func TestParseBill(t *testing.T) {
	from, to := day("2026-11-01 00"), day("2026-12-01 00")
	b, err := ParseBill(strings.NewReader("\ufeffDate, Operator, Gateway, Segments\n# comment\n2026-11-01,cmcc,cm1,\"1,200\"\n\n20261102,CMCC,,5\n"), "cmcc", from, to)
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind != "totals" || len(b.Days) != 2 || b.Days[0].Segments != 1200 || b.Days[0].Gateway != "cm1" || b.Days[1].Line != 5 || !b.Days[1].Day.Equal(day("2026-11-02 00")) {
		t.Fatalf("%+v", b)
	}
	b, err = ParseBill(strings.NewReader("op_msg_id,submit_time\nA1,x\nA2\n"), "cmcc", from, to)
	if err != nil || b.Kind != "messages" || len(b.Messages) != 2 || b.Messages[1].OpMsgID != "A2" || b.Messages[1].Line != 3 {
		t.Fatalf("%+v %v", b, err)
	}
	for _, tc := range []struct{ csv, want string }{
		{"", "empty"},
		{"when,how many\n", "line 1: the header"},
		{"date,segments\n2026-11-01,10\n2026-11-02,ten\n", "line 3: segments"},
		{"date,segments\n2026-11-01,10\n2026-11-31,1\n", "line 3: date"},
		{"date,segments\n2026-10-31,10\n", "line 2: 2026-10-31 is outside the period"},
		{"date,segments\n2026-11-01,-1\n", "line 2: segments"},
		{"date,operator,segments\n2026-11-01,cucc,1\n", "line 2: operator"},
		{"op_msg_id\nA\n\"B\n", "line 3"},
		{"op_msg_id,gateway\n,cm1\n", "line 2: op_msg_id is empty"},
	} {
		_, err := ParseBill(strings.NewReader(tc.csv), "cmcc", from, to)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Code != "invalid_bill" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.csv, err, tc.want)
		}
	}
}

// fakeStats serves counters and segments from memory.
type fakeStats struct {
	rows []store.StatRow
	segs []store.SentSegment
}

func (f *fakeStats) Stats(_ context.Context, q store.StatsQuery) ([]store.StatRow, error) {
	var out []store.StatRow
	for _, r := range f.rows {
		if r.Operator == q.Operator && !r.Bucket.Before(q.From) && r.Bucket.Before(q.To) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeStats) SentSegments(_ context.Context, op string, from, to time.Time, fn func(store.SentSegment) error) error {
	for _, s := range f.segs {
		if s.Operator == op && !s.SubmittedAt.Before(from) && s.SubmittedAt.Before(to) {
			if err := fn(s); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *fakeStats) SegmentsByOpID(_ context.Context, ids []string) ([]store.SentSegment, error) {
	var out []store.SentSegment
	for _, s := range f.segs {
		for _, id := range ids {
			if s.OpMsgID == id {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

func TestReconcileTotals(t *testing.T) {
	from, to := day("2026-11-01 00"), day("2026-12-01 00")
	sub := func(d, gw string, n int64) store.StatRow {
		return store.StatRow{Bucket: day(d), Operator: "cmcc", Gateway: gw, State: store.Submitted, Messages: n, Segments: n}
	}
	fs := &fakeStats{rows: []store.StatRow{
		sub("2026-11-01 00", "cm1", 100), sub("2026-11-01 00", "cm2", 50),
		sub("2026-11-02 00", "cm1", 70), sub("2026-11-02 00", "cm2", 30),
		sub("2026-11-03 00", "cm1", 5),
		{Bucket: day("2026-11-01 00"), Operator: "cmcc", Gateway: "cm1", State: store.Delivered, Messages: 99, Segments: 99},
	}}
	bill, err := ParseBill(strings.NewReader("date,gateway,segments\n2026-11-01,cm1,100\n2026-11-01,cm2,49\n2026-11-02,,100\n2026-11-04,cm1,3\n"), "cmcc", from, to)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := Reconcile(context.Background(), fs, "cmcc", from, to, bill)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Agree || rc.Ours != 255 || rc.Billed != 252 || rc.Compared != 5 || len(rc.Days) != 3 {
		t.Fatalf("%+v", rc)
	}
	if d := rc.Days[0]; d.Gateway != "cm2" || d.Ours != 50 || d.Billed != 49 {
		t.Fatalf("day 1: %+v", d)
	}
	if d := rc.Days[1]; !d.Day.Equal(day("2026-11-03 00")) || d.Ours != 5 || d.Billed != 0 {
		t.Fatalf("day 3: %+v", d)
	}
	if d := rc.Days[2]; !d.Day.Equal(day("2026-11-04 00")) || d.Ours != 0 || d.Billed != 3 {
		t.Fatalf("day 4: %+v", d)
	}
	// A bill that matches agrees.
	bill, _ = ParseBill(strings.NewReader("date,gateway,segments\n2026-11-01,cm1,100\n2026-11-01,cm2,50\n2026-11-02,,100\n2026-11-03,cm1,5\n"), "cmcc", from, to)
	if rc, _ := Reconcile(context.Background(), fs, "cmcc", from, to, bill); !rc.Agree {
		t.Fatalf("%+v", rc)
	}
}

func TestReconcileMessages(t *testing.T) {
	from, to := day("2026-11-01 00"), day("2026-12-01 00")
	seg := func(id, gw, at string) store.SentSegment {
		return store.SentSegment{OpMsgID: id, Gateway: gw, Operator: "cmcc", SubmittedAt: day(at), MessageID: 1}
	}
	fs := &fakeStats{segs: []store.SentSegment{
		seg("A", "cm1", "2026-11-01 10"), seg("B", "cm1", "2026-11-01 11"), seg("B", "cm2", "2026-11-02 11"),
		seg("C", "cm1", "2026-11-03 10"), seg("OLD", "cm1", "2026-10-31 23"),
	}}
	bill, err := ParseBill(strings.NewReader("op_msg_id,gateway\nA,\nB,cm1\nB,cm1\nOLD,\nX,\nB,cm2\n"), "cmcc", from, to)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := Reconcile(context.Background(), fs, "cmcc", from, to, bill)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Agree || rc.Ours != 4 || rc.Billed != 6 || rc.TwiceCount != 1 || rc.Twice[0].Line != 4 || rc.UnknownCount != 1 || rc.Unknown[0].OpMsgID != "X" ||
		rc.OutsideCount != 1 || rc.Outside[0].Segment.OpMsgID != "OLD" || rc.NotBilledCount != 1 || rc.NotBilled[0].OpMsgID != "C" {
		t.Fatalf("%+v", rc)
	}
}
