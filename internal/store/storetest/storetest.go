// Package storetest is the conformance suite every store.Store
// implementation must pass. It is the executable form of the doc comments
// in package store: SQLite and PostgreSQL run the same tests, and so will
// any database added later.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { … fresh, empty store, closed at t.Cleanup … })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Test is one conformance test.
type Test struct {
	Name string
	Fn   func(t *testing.T, s store.Store)
}

// Tests lists the suite, for running a subset.
func Tests() []Test {
	return append(append(append(reviewTests, libraryTests...), librarySearchTests...), []Test{
		{"Accounts", testAccounts},
		{"UpdateAccount", testUpdateAccount},
		{"UsersAndTokens", testUsersAndTokens},
		{"APIKeys", testAPIKeys},
		{"BusinessTypes", testBusinessTypes},
		{"AcceptRoundTrip", testAcceptRoundTrip},
		{"AcceptDefaults", testAcceptDefaults},
		{"ClientRefIdempotency", testClientRef},
		{"AcceptDuplicateIDFailsWhole", testAcceptDuplicateID},
		{"MarkQueued", testMarkQueued},
		{"RetryMovesUnsubmittedSegments", testRetryMovesSegments},
		{"SubmitSingleSegment", testSubmitSingle},
		{"SubmitMultiSegment", testSubmitMulti},
		{"SubmitWithoutMark", testSubmitWithoutMark},
		{"ReportSingleSegment", testReportSingle},
		{"ReportMultiSegment", testReportMulti},
		{"ReportDuplicate", testReportDuplicate},
		{"ReportNotFinal", testReportNotFinal},
		{"ReportGatewayPreference", testReportGatewayPreference},
		{"ForwardOnly", testForwardOnly},
		{"UnmatchedThenSubmit", testUnmatched},
		{"RetriesAndFinish", testRetriesAndFinish},
		{"PendingMessages", testPending},
		{"StaleSubmitted", testStaleSubmitted},
		{"BatchCountsAndFailures", testBatchCounts},
		{"CancelMessages", testCancelMessages},
		{"Sends", testSends},
		{"SendRunSave", testSendRunSave}, // sendrows.go
		{"SendRunClaim", testSendRunClaim},
		{"SendRunFlush", testSendRunFlush},
		{"SendRunStopAndClean", testSendRunStopAndClean},
		{"AddressBook", testAddressBook},
		{"Inbox", testInbox},
		{"Enterprises", testEnterprises},
		{"AccountScoping", testScoping},
		{"MessagesTo", testMessagesTo},
		{"Events", testEvents},
		{"Timeline", testTimeline},
		{"WriteSetRollback", testWriteSetRollback},
		{"SegmentsResplit", testSegmentsResplit},
		{"MO", testMO},
		{"MORoutes", testMORoutes},
		{"SegmentEdits", testSegmentEdits},
		{"Money", testMoney},
		{"MoneyOneLedgerRowPerRound", testMoneyOneRowPerRound},
		{"Rules", testRules},
		{"Orgs", testOrgs},
		{"StatsCounters", testStatsCounters},
		{"StatsRandomised", testStatsRandomised},
		{"BusinessTypeAdmin", testBusinessTypeAdmin},
		{"Grants", testGrants},
		{"AccountLimits", testAccountLimits},
		{"SignaturesAndTemplates", testSignaturesAndTemplates},
		{"BusinessTypeTemplateSettings", testBusinessTypeTemplateSettings},
		{"DailyQuota", testDailyQuota},
		{"Subscriptions", testSubscriptions},
		{"SubMonthly", testSubMonthly},
		{"SubCapped", testSubCapped},
		{"SubSubscribersOnly", testSubSubscribersOnly},
		{"SubConcurrentMonthly", testSubConcurrentMonthly},
		{"SubConcurrentRefunds", testSubConcurrentRefunds},
		{"SubRandomised", testSubRandomised},
		{"UserAdmin", testUserAdmin},
		{"ConsoleSessions", testConsoleSessions},
		{"RevokeAPIKey", testRevokeAPIKey},
		{"LoginLockout", testLoginLockout},
		{"AuditLog", testAuditLog},
		{"RefusalsIn", testRefusalsIn},
		{"MoneyRandomised", testMoneyRandomised},
		{"MoneyConcurrentPrepaid", testMoneyConcurrentPrepaid},
		{"Pushes", testPushes},
		{"Times", testTimes},
		{"WriteSet", testWriteSet},
		{"Randomised", testRandomised},
		{"Concurrent", testConcurrent},
	}...)
}

// Run runs every conformance test, each in parallel on a store of its own
// from open (which should register closing it with t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range Tests() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			tc.Fn(t, open(t))
		})
	}
}

// ---- fixture ----

// base is a fixed time with microsecond precision (what the stores keep).
var base = time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)

type fx struct {
	t    *testing.T
	ctx  context.Context
	s    store.Store
	acct int64 // a default account
	next int64
}

func newFx(t *testing.T, s store.Store) *fx {
	t.Helper()
	f := &fx{t: t, ctx: context.Background(), s: s, next: 1_000_000}
	f.acct = f.account("acme").ID
	return f
}

func (f *fx) id() int64 { f.next++; return f.next }

func (f *fx) account(name string) *store.Account {
	f.t.Helper()
	a := &store.Account{Name: name, Balance: 1000, ServiceCode: "10658000", CreatedAt: base}
	if err := f.s.CreateAccount(f.ctx, a); err != nil {
		f.t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	return a
}

// item builds an accept item of n messages of segs segments each.
func (f *fx) item(acct int64, ref string, n, segs int) *store.AcceptItem {
	b := store.Batch{ID: f.id(), AccountID: acct, ClientRef: ref, Total: n, CreatedAt: base}
	it := &store.AcceptItem{Batch: b}
	for i := range n {
		m := &store.Message{ID: f.id(), BatchID: b.ID, AccountID: acct, To: fmt.Sprintf("1380013%04d", i),
			Src: "10658000", Content: "hello", Business: "notice", Priority: 1, Segments: segs, Operator: "cmcc",
			State: store.Accepted, CreatedAt: base.Add(time.Duration(f.next) * time.Microsecond)}
		it.Messages = append(it.Messages, m)
		it.Events = append(it.Events, store.Event{MessageID: m.ID, At: base, Kind: "accepted", Detail: "test"})
	}
	return it
}

// accept accepts one request of n messages and returns their ids.
func (f *fx) accept(n, segs int) []int64 {
	f.t.Helper()
	it := f.item(f.acct, "", n, segs)
	f.must(f.s.Accept(f.ctx, []*store.AcceptItem{it}))
	ids := make([]int64, n)
	for i, m := range it.Messages {
		ids[i] = m.ID
	}
	return ids
}

func (f *fx) queue(id int64, gw string, segs int) {
	f.t.Helper()
	f.must(f.s.MarkQueued(f.ctx, []store.QueuedMark{{MessageID: id, Operator: "cmcc", Gateway: gw, Segments: segs, At: base}}))
}

func (f *fx) submit(id int64, seq int, gw, op string) []store.ReportOutcome {
	f.t.Helper()
	outs, err := f.s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: id, Seq: seq, Gateway: gw, OpMsgID: op, OK: true, Code: "0", At: base.Add(time.Second)}})
	f.must(err)
	return outs
}

func (f *fx) report(gw, op string, st store.State, code string) store.ReportOutcome {
	f.t.Helper()
	outs, err := f.s.ApplyReports(f.ctx, []store.Report{{Gateway: gw, OpMsgID: op, State: st, Code: code, To: "13800138000", At: base.Add(time.Minute)}})
	f.must(err)
	if len(outs) != 1 {
		f.t.Fatalf("ApplyReports returned %d outcomes for 1 report", len(outs))
	}
	return outs[0]
}

func (f *fx) msg(id int64) *store.Message {
	f.t.Helper()
	m, err := f.s.GetMessage(f.ctx, 0, id)
	if err != nil {
		f.t.Fatalf("GetMessage(%d): %v", id, err)
	}
	return m
}

func (f *fx) segs(id int64) []store.Segment {
	f.t.Helper()
	ss, err := f.s.Segments(f.ctx, id)
	f.must(err)
	return ss
}

func (f *fx) events(id int64) []store.Event {
	f.t.Helper()
	es, err := f.s.Events(f.ctx, id)
	f.must(err)
	return es
}

func (f *fx) unmatched() int64 {
	f.t.Helper()
	n, err := f.s.CountUnmatched(f.ctx)
	f.must(err)
	return n
}

func (f *fx) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fx) state(id int64, want store.State) *store.Message {
	f.t.Helper()
	m := f.msg(id)
	if m.State != want {
		f.t.Fatalf("message %d: state %q, want %q", id, m.State, want)
	}
	return m
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

func kinds(es []store.Event) []string {
	var k []string
	for _, e := range es {
		k = append(k, e.Kind)
	}
	return k
}

func ids(ms []*store.Message) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func sameIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: ids %v, want %v", what, got, want)
	}
}
