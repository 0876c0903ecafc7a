package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"hongyan/internal/store"
)

func testMarkQueued(t *testing.T, s store.Store) {
	f := newFx(t, s)
	id := f.accept(1, 2)[0]
	f.must(s.MarkQueued(f.ctx, []store.QueuedMark{{MessageID: id, Operator: "cmcc", Gateway: "cmcc-a", Segments: 2, At: base}}))
	m := f.state(id, store.Queued)
	if m.Gateway != "cmcc-a" || m.Operator != "cmcc" || m.Attempts != 1 || !m.InFlight || m.Segments != 2 {
		t.Fatalf("after MarkQueued: %+v", m)
	}
	ss := f.segs(id)
	if len(ss) != 2 {
		t.Fatalf("segments: %d, want 2", len(ss))
	}
	for i, sg := range ss {
		if sg.MessageID != id || sg.Seq != i+1 || sg.Gateway != "cmcc-a" || sg.State != store.Queued || sg.OpMsgID != "" {
			t.Fatalf("segment %d = %+v", i+1, sg)
		}
	}
	if k := kinds(f.events(id)); len(k) != 2 || k[1] != "queued" {
		t.Fatalf("events: %v", k)
	}
	// An unknown message is ignored, not an error; an empty call is fine.
	f.must(s.MarkQueued(f.ctx, []store.QueuedMark{{MessageID: 99999, Gateway: "x", Segments: 1}}))
	f.must(s.MarkQueued(f.ctx, nil))
}

func testRetryMovesSegments(t *testing.T, s store.Store) {
	f := newFx(t, s)
	id := f.accept(1, 3)[0]
	f.queue(id, "gw-a", 3)
	f.submit(id, 1, "gw-a", "OP-1")
	outs, err := s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: id, Seq: 2, Gateway: "gw-a", OK: false, Code: "8", At: base}})
	f.must(err)
	if len(outs) != 0 {
		t.Fatalf("outcomes for a failed submit: %v", outs)
	}
	ss := f.segs(id)
	if ss[1].State != store.Queued || ss[1].Code != "8" || ss[1].OpMsgID != "" {
		t.Fatalf("failed segment = %+v, want queued with code 8", ss[1])
	}
	next := base.Add(30 * time.Second)
	f.must(s.ScheduleRetries(f.ctx, []store.Retry{{MessageID: id, NextAttempt: next, Reason: "gw-a refused", At: base}}))
	m := f.state(id, store.Queued)
	if m.InFlight || !m.NextAttempt.Equal(next) {
		t.Fatalf("after retry scheduled: in flight %v, next %v", m.InFlight, m.NextAttempt)
	}
	f.queue(id, "gw-b", 3)
	m = f.state(id, store.Queued)
	if m.Attempts != 2 || m.Gateway != "gw-b" || !m.InFlight {
		t.Fatalf("after second MarkQueued: %+v", m)
	}
	ss = f.segs(id)
	if ss[0].Gateway != "gw-a" || ss[0].State != store.Submitted || ss[0].OpMsgID != "OP-1" {
		t.Fatalf("acknowledged segment moved: %+v", ss[0])
	}
	for _, sg := range ss[1:] {
		if sg.Gateway != "gw-b" || sg.State != store.Queued || sg.Code != "" {
			t.Fatalf("unacknowledged segment not moved to gw-b and reset: %+v", sg)
		}
	}
	f.submit(id, 2, "gw-b", "OP-2")
	f.state(id, store.Queued)
	f.submit(id, 3, "gw-b", "OP-3")
	f.state(id, store.Submitted)
	if k := kinds(f.events(id)); fmt.Sprint(k) != "[accepted queued submitted submit_error retry queued submitted submitted]" {
		t.Fatalf("timeline: %v", k)
	}
}

func testSubmitSingle(t *testing.T, s store.Store) {
	f := newFx(t, s)
	id := f.accept(1, 1)[0]
	f.queue(id, "gw", 1)
	if outs := f.submit(id, 1, "gw", "OP-1"); len(outs) != 0 {
		t.Fatalf("outcomes with no kept report: %v", outs)
	}
	m := f.state(id, store.Submitted)
	if m.InFlight || !m.SubmittedAt.Equal(base.Add(time.Second)) || !m.DoneAt.IsZero() {
		t.Fatalf("submitted message = %+v", m)
	}
	sg := f.segs(id)[0]
	if sg.OpMsgID != "OP-1" || sg.State != store.Submitted || sg.Code != "0" || !sg.SubmittedAt.Equal(base.Add(time.Second)) || sg.Gateway != "gw" {
		t.Fatalf("segment = %+v", sg)
	}
	// A repeated submit response changes nothing and adds no line.
	n := len(f.events(id))
	outs, err := s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: id, Seq: 1, Gateway: "gw", OpMsgID: "OP-OTHER", OK: true, Code: "0", At: base.Add(time.Hour)}})
	f.must(err)
	if len(outs) != 0 || len(f.events(id)) != n {
		t.Fatal("repeated submit response wrote something")
	}
	if sg := f.segs(id)[0]; sg.OpMsgID != "OP-1" {
		t.Fatalf("repeated submit response replaced the operator id: %+v", sg)
	}
	// Unknown messages are ignored.
	_, err = s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: 777777, Seq: 1, OpMsgID: "X", OK: true}})
	f.must(err)
}

func testSubmitMulti(t *testing.T, s store.Store) {
	f := newFx(t, s)
	id := f.accept(1, 3)[0]
	f.queue(id, "gw", 3)
	// Out of order, in one call for two of them.
	_, err := s.RecordSubmits(f.ctx, []store.SubmitResult{
		{MessageID: id, Seq: 3, Gateway: "gw", OpMsgID: "C", OK: true, Code: "0", At: base},
		{MessageID: id, Seq: 1, Gateway: "gw", OpMsgID: "A", OK: true, Code: "0", At: base},
	})
	f.must(err)
	if m := f.state(id, store.Queued); !m.InFlight || !m.SubmittedAt.IsZero() {
		t.Fatalf("2 of 3 acknowledged: %+v", m)
	}
	f.submit(id, 2, "gw", "B")
	if m := f.state(id, store.Submitted); m.InFlight {
		t.Fatal("every segment acknowledged but still in flight")
	}
}

func testSubmitWithoutMark(t *testing.T, s store.Store) {
	f := newFx(t, s)
	id := f.accept(1, 1)[0]
	f.submit(id, 1, "gw", "OP-9")
	f.state(id, store.Submitted)
	if ss := f.segs(id); len(ss) != 1 || ss[0].OpMsgID != "OP-9" {
		t.Fatalf("segments: %+v", ss)
	}
	if o := f.report("gw", "OP-9", store.Delivered, "DELIVRD"); o.Final != store.Delivered {
		t.Fatalf("outcome %+v", o)
	}
}

func testReportSingle(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(2, 1)
	for i, id := range ids {
		f.queue(id, "gw", 1)
		f.submit(id, 1, "gw", fmt.Sprint("OP-", i))
	}
	o := f.report("gw", "OP-0", store.Delivered, "DELIVRD")
	if !o.Matched || o.MessageID != ids[0] || o.AccountID != f.acct || o.Seq != 1 || o.Duplicate || o.Final != store.Delivered {
		t.Fatalf("outcome %+v", o)
	}
	m := f.state(ids[0], store.Delivered)
	if m.OperatorCode != "DELIVRD" || !m.DoneAt.Equal(base.Add(time.Minute)) || m.InFlight {
		t.Fatalf("delivered message = %+v", m)
	}
	if sg := f.segs(ids[0])[0]; sg.State != store.Delivered || sg.Code != "DELIVRD" || !sg.DoneAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("segment = %+v", sg)
	}
	o = f.report("gw", "OP-1", store.Undelivered, "UNDELIV")
	if o.Final != store.Undelivered {
		t.Fatalf("outcome %+v", o)
	}
	if m := f.state(ids[1], store.Undelivered); m.OperatorCode != "UNDELIV" {
		t.Fatalf("undelivered message = %+v", m)
	}
	if k := kinds(f.events(ids[1])); fmt.Sprint(k) != "[accepted queued submitted report]" {
		t.Fatalf("timeline %v", k)
	}
}

func testReportMulti(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(2, 3)
	for _, id := range ids {
		f.queue(id, "gw", 3)
		for seq := 1; seq <= 3; seq++ {
			f.submit(id, seq, "gw", fmt.Sprintf("%d-%d", id, seq))
		}
	}
	a, b := ids[0], ids[1]
	// a: all delivered → Delivered, only with the last one.
	for seq := 1; seq <= 3; seq++ {
		o := f.report("gw", fmt.Sprintf("%d-%d", a, seq), store.Delivered, "DELIVRD")
		want := store.State("")
		if seq == 3 {
			want = store.Delivered
		}
		if o.Final != want || !o.Matched || o.Seq != seq {
			t.Fatalf("a seq %d: outcome %+v", seq, o)
		}
		if seq < 3 {
			f.state(a, store.Submitted)
		}
	}
	f.state(a, store.Delivered)
	// b: seq 3 fails first in time, seq 2 fails later: the outcome is the
	// lowest failed segment's (seq 2), decided once all three are final.
	if o := f.report("gw", fmt.Sprintf("%d-3", b), store.Undelivered, "UNDELIV"); o.Final != "" {
		t.Fatalf("final with segments outstanding: %+v", o)
	}
	f.state(b, store.Submitted)
	if o := f.report("gw", fmt.Sprintf("%d-1", b), store.Delivered, "DELIVRD"); o.Final != "" {
		t.Fatalf("final with a segment outstanding: %+v", o)
	}
	o := f.report("gw", fmt.Sprintf("%d-2", b), store.Expired, "EXPIRED")
	if o.Final != store.Expired {
		t.Fatalf("outcome %+v, want final expired", o)
	}
	if m := f.state(b, store.Expired); m.OperatorCode != "EXPIRED" {
		t.Fatalf("operator code %q, want the first failed segment's", m.OperatorCode)
	}
}

func testReportDuplicate(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(2, 2)
	for _, id := range ids {
		f.queue(id, "gw", 2)
		f.submit(id, 1, "gw", fmt.Sprint(id, "-1"))
		f.submit(id, 2, "gw", fmt.Sprint(id, "-2"))
	}
	f.report("gw", fmt.Sprint(ids[0], "-1"), store.Delivered, "DELIVRD")
	before, evs := f.msg(ids[0]), len(f.events(ids[0]))
	// The same report again, and a different verdict for the same segment.
	for _, st := range []store.State{store.Delivered, store.Undelivered} {
		o := f.report("gw", fmt.Sprint(ids[0], "-1"), st, string(st))
		if !o.Matched || !o.Duplicate || o.Final != "" || o.MessageID != ids[0] || o.Seq != 1 {
			t.Fatalf("duplicate outcome %+v", o)
		}
	}
	if sg := f.segs(ids[0])[0]; sg.State != store.Delivered || sg.Code != "DELIVRD" {
		t.Fatalf("duplicate changed the segment: %+v", sg)
	}
	if after := f.msg(ids[0]); after.State != before.State || after.OperatorCode != before.OperatorCode || !after.DoneAt.Equal(before.DoneAt) {
		t.Fatalf("duplicate changed the message: %+v", after)
	}
	if n := len(f.events(ids[0])); n != evs {
		t.Fatalf("duplicate wrote events: %d → %d", evs, n)
	}
	// Duplicates inside one call: the first applies, the rest are duplicates.
	op := fmt.Sprint(ids[1], "-1")
	outs, err := s.ApplyReports(f.ctx, []store.Report{
		{Gateway: "gw", OpMsgID: op, State: store.Delivered, Code: "DELIVRD"},
		{Gateway: "gw", OpMsgID: op, State: store.Delivered, Code: "DELIVRD"},
		{Gateway: "gw", OpMsgID: fmt.Sprint(ids[1], "-2"), State: store.Delivered, Code: "DELIVRD"},
		{Gateway: "gw", OpMsgID: fmt.Sprint(ids[1], "-2"), State: store.Rejected, Code: "REJECTD"},
	})
	f.must(err)
	if outs[0].Duplicate || !outs[1].Duplicate || outs[2].Duplicate || outs[2].Final != store.Delivered || !outs[3].Duplicate || outs[3].Final != "" {
		t.Fatalf("outcomes %+v", outs)
	}
	f.state(ids[1], store.Delivered)
	if f.unmatched() != 0 {
		t.Fatal("duplicates were kept as unmatched")
	}
}

func testReportNotFinal(t *testing.T, s store.Store) {
	f := newFx(t, s)
	id := f.accept(1, 1)[0]
	f.queue(id, "gw", 1)
	f.submit(id, 1, "gw", "OP")
	o := f.report("gw", "OP", store.Submitted, "ENROUTE")
	if !o.Matched || o.Duplicate || o.Final != "" {
		t.Fatalf("outcome %+v", o)
	}
	f.state(id, store.Submitted)
	if sg := f.segs(id)[0]; sg.State != store.Submitted {
		t.Fatalf("segment %+v", sg)
	}
	if k := kinds(f.events(id)); k[len(k)-1] != "report" {
		t.Fatalf("timeline %v", k)
	}
	if o := f.report("gw", "OP", store.Delivered, "DELIVRD"); o.Final != store.Delivered {
		t.Fatalf("outcome %+v", o)
	}
}

func testReportGatewayPreference(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(4, 1)
	// The same operator id on three gateways: ids are unique per gateway
	// (ISMG) only, so a report matches only its own gateway's segments.
	for i, gw := range []string{"gw-a", "gw-b", "gw-c"} {
		f.queue(ids[i], gw, 1)
		f.submit(ids[i], 1, gw, "SAME")
	}
	if o := f.report("gw-b", "SAME", store.Delivered, "DELIVRD"); o.MessageID != ids[1] {
		t.Fatalf("report from gw-b matched message %d, want %d", o.MessageID, ids[1])
	}
	if o := f.report("gw-a", "SAME", store.Undelivered, "UNDELIV"); o.MessageID != ids[0] || o.Final != store.Undelivered {
		t.Fatalf("report from gw-a: %+v, want message %d", o, ids[0])
	}
	// From a gateway that never sent that id: kept as unmatched, not
	// applied to another gateway's message.
	if o := f.report("gw-z", "SAME", store.Delivered, "DELIVRD"); o.Matched {
		t.Fatalf("report from gw-z matched %+v; want it kept unmatched", o)
	}
	f.state(ids[2], store.Submitted)
	// The trap this guards: a report that overtakes its own submit
	// response while another gateway already used the same id. It must
	// wait (unmatched) for its own segment, not finish the other message.
	f.queue(ids[3], "gw-d", 1)
	if o := f.report("gw-d", "SAME", store.Delivered, "DELIVRD"); o.Matched {
		t.Fatalf("early report from gw-d matched %+v before gw-d recorded SAME", o)
	}
	outs, err := s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: ids[3], Seq: 1, Gateway: "gw-d", OpMsgID: "SAME", OK: true, Code: "0", At: base}})
	f.must(err)
	if len(outs) != 1 || outs[0].MessageID != ids[3] || outs[0].Final != store.Delivered {
		t.Fatalf("kept report applied on submit: %+v, want message %d delivered", outs, ids[3])
	}
	f.state(ids[2], store.Submitted)
}

func testForwardOnly(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(3, 1)
	a, b, c := ids[0], ids[1], ids[2]

	// Delivered is final: nothing moves it.
	f.queue(a, "gw", 1)
	f.submit(a, 1, "gw", "A")
	f.report("gw", "A", store.Delivered, "DELIVRD")
	f.queue(a, "gw2", 1)
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: a, State: store.Failed, Code: "X", At: base}}))
	f.must(s.ScheduleRetries(f.ctx, []store.Retry{{MessageID: a, NextAttempt: base.Add(time.Hour), At: base}}))
	m := f.state(a, store.Delivered)
	if m.Attempts != 1 || m.Gateway != "gw" || m.OperatorCode != "DELIVRD" || !m.NextAttempt.IsZero() {
		t.Fatalf("final message changed: %+v", m)
	}

	// A lower rank never replaces a higher one: Submitted stays Submitted
	// when marked queued again (a late mark).
	f.queue(b, "gw", 1)
	f.submit(b, 1, "gw", "B")
	f.queue(b, "gw", 1)
	f.state(b, store.Submitted)
	if sg := f.segs(b)[0]; sg.State != store.Submitted || sg.OpMsgID != "B" {
		t.Fatalf("acknowledged segment reset: %+v", sg)
	}

	// Finished without a report, then a late report: the segment records
	// it, the message stays as finished.
	f.queue(c, "gw", 1)
	f.submit(c, 1, "gw", "C")
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: c, State: store.Expired, Code: "EXPIRED", Reason: "validity", At: base}}))
	o := f.report("gw", "C", store.Delivered, "DELIVRD")
	if !o.Matched || o.Final != "" || o.Duplicate {
		t.Fatalf("late report outcome %+v", o)
	}
	if m := f.state(c, store.Expired); m.OperatorCode != "EXPIRED" {
		t.Fatalf("late report changed the finished message: %+v", m)
	}
	if sg := f.segs(c)[0]; sg.State != store.Delivered {
		t.Fatalf("late report not recorded on its segment: %+v", sg)
	}
}

func testUnmatched(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(2, 1)
	for _, id := range ids {
		f.queue(id, "gw", 1)
	}
	// Reports before the submit responses (fast operators do this).
	outs, err := s.ApplyReports(f.ctx, []store.Report{
		{Gateway: "gw", OpMsgID: "EARLY", State: store.Delivered, Code: "DELIVRD", To: "13800138000", At: base},
		{Gateway: "gw", OpMsgID: "EARLY", State: store.Delivered, Code: "DELIVRD", To: "13800138000", At: base},
		{Gateway: "gw", OpMsgID: "NEVER", State: store.Undelivered, Code: "UNDELIV", To: "13900139000", At: base.Add(time.Second)},
	})
	f.must(err)
	for i, o := range outs {
		if o.Matched || o.MessageID != 0 || o.Final != "" {
			t.Fatalf("outcome %d for an unknown id: %+v", i, o)
		}
	}
	if n := f.unmatched(); n != 3 {
		t.Fatalf("CountUnmatched = %d, want 3", n)
	}
	kept, err := s.UnmatchedReports(f.ctx, 0)
	f.must(err)
	if len(kept) != 3 || kept[2].OpMsgID != "NEVER" || kept[2].State != store.Undelivered || kept[2].Code != "UNDELIV" ||
		kept[2].To != "13900139000" || kept[2].Gateway != "gw" || !kept[2].At.Equal(base.Add(time.Second)) {
		t.Fatalf("UnmatchedReports = %+v", kept)
	}
	if lim, _ := s.UnmatchedReports(f.ctx, 1); len(lim) != 1 {
		t.Fatalf("UnmatchedReports(limit 1) = %d", len(lim))
	}
	f.state(ids[0], store.Queued)

	// The submit response arrives: the kept reports apply, in arrival order.
	outs = f.submit(ids[0], 1, "gw", "EARLY")
	if len(outs) != 2 {
		t.Fatalf("RecordSubmits returned %d outcomes, want 2: %+v", len(outs), outs)
	}
	if !outs[0].Matched || outs[0].MessageID != ids[0] || outs[0].AccountID != f.acct || outs[0].Final != store.Delivered || outs[0].Duplicate {
		t.Fatalf("applied outcome %+v", outs[0])
	}
	if !outs[1].Matched || !outs[1].Duplicate {
		t.Fatalf("second kept report: %+v, want duplicate", outs[1])
	}
	m := f.state(ids[0], store.Delivered)
	if m.OperatorCode != "DELIVRD" || !m.SubmittedAt.Equal(base.Add(time.Second)) {
		t.Fatalf("message = %+v", m)
	}
	if k := kinds(f.events(ids[0])); fmt.Sprint(k) != "[accepted queued submitted report]" {
		t.Fatalf("timeline %v", k)
	}
	if n := f.unmatched(); n != 1 {
		t.Fatalf("CountUnmatched after applying = %d, want 1 (NEVER)", n)
	}
	// Another message's submit does not touch what is still unmatched.
	if outs := f.submit(ids[1], 1, "gw", "OTHER"); len(outs) != 0 {
		t.Fatalf("outcomes %+v", outs)
	}
	if n := f.unmatched(); n != 1 {
		t.Fatalf("CountUnmatched = %d, want 1", n)
	}
}

func testRetriesAndFinish(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(3, 1)
	for _, id := range ids {
		f.queue(id, "gw", 1)
	}
	err := s.FinishMessages(f.ctx, []store.Finish{{MessageID: ids[0], State: store.Queued}})
	if err == nil {
		t.Fatal("FinishMessages with a non-final state: no error")
	}
	f.must(s.FinishMessages(f.ctx, []store.Finish{
		{MessageID: ids[1], State: store.Rejected, Code: "13", Reason: "refused after 3 attempt(s)", At: base},
		{MessageID: ids[0], State: store.Failed, Code: "", Reason: "no route", At: base},
		{MessageID: ids[0], State: store.Unknown, Code: "IN_DOUBT", At: base}, // second finish in one call: ignored
	}))
	m := f.state(ids[1], store.Rejected)
	if m.OperatorCode != "13" || !m.DoneAt.Equal(base) || m.InFlight {
		t.Fatalf("rejected = %+v", m)
	}
	f.state(ids[0], store.Failed)
	if k := kinds(f.events(ids[0])); fmt.Sprint(k) != "[accepted queued state]" {
		t.Fatalf("timeline %v", k)
	}
	next := base.Add(time.Minute)
	f.must(s.ScheduleRetries(f.ctx, []store.Retry{{MessageID: ids[2], NextAttempt: next, Reason: "timeout", At: base}}))
	m = f.state(ids[2], store.Queued)
	if m.InFlight || !m.NextAttempt.Equal(next) {
		t.Fatalf("retry = %+v", m)
	}
	es := f.events(ids[2])
	if e := es[len(es)-1]; e.Kind != "retry" || !e.At.Equal(base) {
		t.Fatalf("retry event %+v", e)
	}
}

func testPending(t *testing.T, s store.Store) {
	f := newFx(t, s)
	// 1,200 messages (more than a page), some sharing a creation time.
	it := f.item(f.acct, "", 1200, 1)
	for i, m := range it.Messages {
		m.CreatedAt = base.Add(time.Duration(1200-i/3) * time.Millisecond) // newest first, three per instant
	}
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	ms := it.Messages
	// Move some on: queued, submitted (pending); delivered, finished (not).
	f.queue(ms[0].ID, "gw", 1)
	f.queue(ms[1].ID, "gw", 1)
	f.submit(ms[1].ID, 1, "gw", "P1")
	f.queue(ms[2].ID, "gw", 1)
	f.submit(ms[2].ID, 1, "gw", "P2")
	f.report("gw", "P2", store.Delivered, "DELIVRD")
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: ms[3].ID, State: store.Expired, At: base}}))
	filtered := f.item(f.acct, "", 1, 1)
	filtered.Messages[0].State = store.Blacklisted
	f.must(s.Accept(f.ctx, []*store.AcceptItem{filtered}))

	var got []*store.Message
	f.must(s.PendingMessages(f.ctx, func(m *store.Message) error {
		got = append(got, m)
		return nil
	}))
	if len(got) != 1198 {
		t.Fatalf("PendingMessages: %d, want 1198", len(got))
	}
	seen := map[int64]bool{}
	for i, m := range got {
		if m.State.Final() {
			t.Fatalf("final message %d (%s) returned", m.ID, m.State)
		}
		if seen[m.ID] {
			t.Fatalf("message %d returned twice", m.ID)
		}
		seen[m.ID] = true
		if i > 0 {
			p := got[i-1]
			if m.CreatedAt.Before(p.CreatedAt) || m.CreatedAt.Equal(p.CreatedAt) && m.ID < p.ID {
				t.Fatalf("not oldest first at %d: %v/%d after %v/%d", i, m.CreatedAt, m.ID, p.CreatedAt, p.ID)
			}
		}
	}
	for _, id := range []int64{ms[2].ID, ms[3].ID, filtered.Messages[0].ID} {
		if seen[id] {
			t.Fatalf("final message %d returned", id)
		}
	}
	if !seen[ms[0].ID] || !seen[ms[1].ID] {
		t.Fatal("queued or submitted message missing")
	}
	// fn's error stops the walk and comes back; fn may use the store.
	stop := fmt.Errorf("stop")
	n := 0
	err := s.PendingMessages(f.ctx, func(m *store.Message) error {
		n++
		if _, err := s.Segments(f.ctx, m.ID); err != nil {
			return err
		}
		if n == 600 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 600 {
		t.Fatalf("PendingMessages with fn error: err %v after %d", err, n)
	}
}

func testBatchCounts(t *testing.T, s store.Store) {
	f := newFx(t, s)
	it := f.item(f.acct, "", 6, 1)
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	ms := it.Messages
	for i := 0; i < 5; i++ {
		f.queue(ms[i].ID, "gw", 1)
		f.submit(ms[i].ID, 1, "gw", fmt.Sprint("B", i))
	}
	f.report("gw", "B0", store.Delivered, "DELIVRD")
	f.report("gw", "B1", store.Delivered, "DELIVRD")
	f.report("gw", "B2", store.Undelivered, "UNDELIV")
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: ms[5].ID, State: store.Rejected, Code: "13", At: base}}))
	counts, err := s.BatchCounts(f.ctx, it.Batch.ID)
	f.must(err)
	want := map[store.State]int{store.Delivered: 2, store.Undelivered: 1, store.Submitted: 2, store.Rejected: 1}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("BatchCounts = %v, want %v", counts, want)
	}
	fails, err := s.BatchFailures(f.ctx, it.Batch.ID, 0)
	f.must(err)
	sameIDs(t, "BatchFailures", ids(fails), []int64{ms[2].ID, ms[5].ID})
	if fails[0].OperatorCode != "UNDELIV" {
		t.Fatalf("failure = %+v", fails[0])
	}
	fails, err = s.BatchFailures(f.ctx, it.Batch.ID, 1)
	f.must(err)
	sameIDs(t, "BatchFailures(limit 1)", ids(fails), []int64{ms[2].ID})
	_, err = s.BatchCounts(f.ctx, 4040404)
	wantErr(t, err, store.ErrNotFound, "BatchCounts(missing batch)")
	_, err = s.BatchFailures(f.ctx, 4040404, 10)
	wantErr(t, err, store.ErrNotFound, "BatchFailures(missing batch)")
}

// testWriteSet: one Write carries a message from accept to delivered, in
// field order, and a failing part rolls the whole set back.
func testWriteSet(t *testing.T, s store.Store) {
	f := newFx(t, s)
	it := f.item(f.acct, "ws-1", 1, 1)
	id := it.Messages[0].ID
	ws := &store.WriteSet{
		Accept:  []*store.AcceptItem{it},
		Queued:  []store.QueuedMark{{MessageID: id, Operator: "cmcc", Gateway: "gw", Segments: 1, At: base}},
		Submits: []store.SubmitResult{{MessageID: id, Seq: 1, Gateway: "gw", OpMsgID: "W1", OK: true, Code: "0", At: base}},
		Reports: []store.Report{{Gateway: "gw", OpMsgID: "W1", State: store.Delivered, Code: "DELIVRD", At: base}},
		Events:  []store.Event{{MessageID: id, At: base, Kind: "note", Detail: "in the same commit"}},
	}
	f.must(s.Write(f.ctx, ws))
	if len(ws.ReportOutcomes) != 1 || ws.ReportOutcomes[0].Final != store.Delivered || ws.ReportOutcomes[0].MessageID != id {
		t.Fatalf("report outcomes %+v", ws.ReportOutcomes)
	}
	f.state(id, store.Delivered)
	kinds := map[string]bool{}
	for _, e := range f.events(id) {
		kinds[e.Kind] = true
	}
	for _, k := range []string{"accepted", "queued", "submitted", "report", "note"} {
		if !kinds[k] {
			t.Errorf("events lack %q: %v", k, kinds)
		}
	}

	// A report before its submit in another set: kept, then matched by the
	// submit's set and returned as a submit outcome.
	id2 := f.accept(1, 1)[0]
	f.queue(id2, "gw", 1)
	early := &store.WriteSet{Reports: []store.Report{{Gateway: "gw", OpMsgID: "W2", State: store.Delivered, Code: "DELIVRD", At: base}}}
	f.must(s.Write(f.ctx, early))
	if early.ReportOutcomes[0].Matched {
		t.Fatalf("early report matched: %+v", early.ReportOutcomes)
	}
	late := &store.WriteSet{Submits: []store.SubmitResult{{MessageID: id2, Seq: 1, Gateway: "gw", OpMsgID: "W2", OK: true, Code: "0", At: base}}}
	f.must(s.Write(f.ctx, late))
	if len(late.SubmitOutcomes) != 1 || late.SubmitOutcomes[0].Final != store.Delivered {
		t.Fatalf("submit outcomes %+v", late.SubmitOutcomes)
	}

	// All or nothing: an invalid finish fails the set and the accept in it
	// is not written.
	bad := f.item(f.acct, "ws-bad", 1, 1)
	err := s.Write(f.ctx, &store.WriteSet{Accept: []*store.AcceptItem{bad},
		Finishes: []store.Finish{{MessageID: id2, State: store.Queued, At: base}}})
	if err == nil {
		t.Fatal("Write with a non-final Finish succeeded")
	}
	if _, err := s.GetMessage(f.ctx, 0, bad.Messages[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("accept of a failed set was written: %v", err)
	}
}
