package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hongyan/internal/store"
)

// testTimeline pins down every line of the timeline the hot paths write
// (what ?trace=1 shows): kinds, segments, details, times and order, for
// lifecycles as the core drives them (times increasing, the accepted line
// at the message's creation time) and for the odd cases (a retry on another
// gateway, a segment refused, reports not final, duplicate, late, early or
// from an unnamed gateway, a message marked twice in one call, everything
// in one WriteSet). However a store keeps these lines, Events must return
// exactly these.
func testTimeline(t *testing.T, s store.Store) {
	f := newFx(t, s)
	at := func(n float64) time.Time { return base.Add(time.Duration(n * float64(time.Second))) }
	type line struct {
		at     time.Time
		kind   string
		seg    int
		detail string
	}
	check := func(id int64, want ...line) {
		t.Helper()
		got := f.events(id)
		var g, w []string
		for _, e := range got {
			if e.MessageID != id {
				t.Errorf("message %d: event of message %d: %+v", id, e.MessageID, e)
			}
			g = append(g, fmt.Sprintf("%s %s/%d %q", e.At.UTC().Format("15:04:05.000000"), e.Kind, e.Segment, e.Detail))
		}
		for _, l := range want {
			w = append(w, fmt.Sprintf("%s %s/%d %q", l.at.UTC().Format("15:04:05.000000"), l.kind, l.seg, l.detail))
		}
		if strings.Join(g, "\n") != strings.Join(w, "\n") {
			t.Errorf("message %d timeline:\n  got:\n    %s\n  want:\n    %s", id, strings.Join(g, "\n    "), strings.Join(w, "\n    "))
		}
	}
	newItem := func(segs ...int) (*store.AcceptItem, []int64) {
		it := f.item(f.acct, "", len(segs), 1)
		var ids []int64
		it.Events = nil
		for i, m := range it.Messages {
			m.Segments, m.CreatedAt = segs[i], at(0)
			it.Events = append(it.Events, store.Event{MessageID: m.ID, At: at(0), Kind: "accepted",
				Detail: fmt.Sprintf("notice, %d segment(s), GSM7, operator cmcc", segs[i])})
			ids = append(ids, m.ID)
		}
		return it, ids
	}
	// A (1 segment) and B (3 segments) accepted together. B: a segment
	// refused, a retry on another gateway, a report not final, a failed
	// segment that decides the outcome, a duplicate report.
	it, ids := newItem(1, 3)
	a, b := ids[0], ids[1]
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	f.must(s.MarkQueued(f.ctx, []store.QueuedMark{
		{MessageID: a, Operator: "cmcc", Gateway: "gw-a", Segments: 1, At: at(1)},
		{MessageID: b, Operator: "cmcc", Gateway: "gw-a", Segments: 3, At: at(1)},
	}))
	_, err := s.RecordSubmits(f.ctx, []store.SubmitResult{
		{MessageID: b, Seq: 2, Gateway: "gw-a", OK: false, Code: "8", At: at(2)},
		{MessageID: a, Seq: 1, Gateway: "gw-a", OpMsgID: "A-1", OK: true, Code: "0", At: at(2)},
		{MessageID: b, Seq: 1, Gateway: "gw-a", OpMsgID: "B-1", OK: true, Code: "0", At: at(2)},
	})
	f.must(err)
	f.must(s.ScheduleRetries(f.ctx, []store.Retry{{MessageID: b, NextAttempt: at(4), Reason: "gw-a refused", At: at(3)}}))
	f.must(s.AddEvents(f.ctx, []store.Event{{MessageID: b, At: at(3.5), Kind: "note", Detail: "between attempts"}}))
	f.must(s.MarkQueued(f.ctx, []store.QueuedMark{{MessageID: b, Operator: "cmcc", Gateway: "gw-b", Segments: 3, At: at(4)}}))
	_, err = s.RecordSubmits(f.ctx, []store.SubmitResult{
		{MessageID: b, Seq: 3, Gateway: "gw-b", OpMsgID: "B-3", OK: true, Code: "0", At: at(5)},
		{MessageID: b, Seq: 2, Gateway: "gw-b", OpMsgID: "B-2", OK: true, Code: "0", At: at(5)},
	})
	f.must(err)
	_, err = s.ApplyReports(f.ctx, []store.Report{
		{Gateway: "gw-b", OpMsgID: "B-3", State: store.Undelivered, Code: "UNDELIV", At: at(6)},
		{Gateway: "gw-a", OpMsgID: "B-1", State: store.Submitted, Code: "ENROUTE", At: at(6)},
		{Gateway: "gw-a", OpMsgID: "A-1", State: store.Delivered, Code: "DELIVRD", At: at(6)},
	})
	f.must(err)
	f.report("gw-a", "B-1", store.Delivered, "DELIVRD") // at base+1m
	outs, err := s.ApplyReports(f.ctx, []store.Report{
		{Gateway: "gw-b", OpMsgID: "B-2", State: store.Delivered, Code: "DELIVRD", At: at(61)},
		{Gateway: "gw-b", OpMsgID: "B-2", State: store.Delivered, Code: "DELIVRD", At: at(62)}, // duplicate: no line
	})
	f.must(err)
	if outs[0].Final != store.Undelivered || !outs[1].Duplicate {
		t.Fatalf("outcomes %+v", outs)
	}
	f.report("gw-b", "B-2", store.Delivered, "DELIVRD") // duplicate again, in a call of its own
	check(a,
		line{at(0), "accepted", 0, "notice, 1 segment(s), GSM7, operator cmcc"},
		line{at(1), "queued", 0, "gateway gw-a (cmcc), attempt 1"},
		line{at(2), "submitted", 1, "gw-a: operator id A-1, result 0"},
		line{at(6), "report", 1, "DELIVRD (delivered) from gw-a; message delivered"},
	)
	check(b,
		line{at(0), "accepted", 0, "notice, 3 segment(s), GSM7, operator cmcc"},
		line{at(1), "queued", 0, "gateway gw-a (cmcc), attempt 1"},
		line{at(2), "submit_error", 2, "gw-a refused: result 8"},
		line{at(2), "submitted", 1, "gw-a: operator id B-1, result 0"},
		line{at(3), "retry", 0, "next attempt at " + at(4).Format(time.RFC3339) + ": gw-a refused"},
		line{at(3.5), "note", 0, "between attempts"},
		line{at(4), "queued", 0, "gateway gw-b (cmcc), attempt 2"},
		line{at(5), "submitted", 2, "gw-b: operator id B-2, result 0"},
		line{at(5), "submitted", 3, "gw-b: operator id B-3, result 0"},
		line{at(6), "report", 3, "UNDELIV (undelivered) from gw-b"},
		line{at(6), "report", 1, "ENROUTE from gw-a (not final)"},
		line{at(60), "report", 1, "DELIVRD (delivered) from gw-a"},
		line{at(61), "report", 2, "DELIVRD (delivered) from gw-b; message undelivered"},
	)

	// C: an accepted line at another time than the message's creation and
	// a second line given with the accept; finished without a report, then
	// a late report (recorded, no "message …" suffix).
	it, ids = newItem(1)
	c := ids[0]
	it.Messages[0].CreatedAt = at(0.25)
	it.Events = append(it.Events, store.Event{MessageID: c, At: at(0.5), Kind: "accepted", Segment: 0, Detail: "second accepted line"},
		store.Event{MessageID: c, At: at(0.25), Kind: "note", Detail: "with the accept"})
	f.must(s.Accept(f.ctx, []*store.AcceptItem{it}))
	f.must(s.MarkQueued(f.ctx, []store.QueuedMark{{MessageID: c, Operator: "cmcc", Gateway: "gw-a", Segments: 1, At: at(1)}}))
	_, err = s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: c, Seq: 1, Gateway: "gw-a", OpMsgID: "C-1", OK: true, Code: "0", At: at(2)}})
	f.must(err)
	f.must(s.FinishMessages(f.ctx, []store.Finish{{MessageID: c, State: store.Expired, Code: "EXPIRED", Reason: "validity", At: at(3)}}))
	_, err = s.ApplyReports(f.ctx, []store.Report{{Gateway: "gw-a", OpMsgID: "C-1", State: store.Delivered, Code: "DELIVRD", At: at(4)}})
	f.must(err)
	check(c,
		line{at(0), "accepted", 0, "notice, 1 segment(s), GSM7, operator cmcc"},
		line{at(0.5), "accepted", 0, "second accepted line"},
		line{at(0.25), "note", 0, "with the accept"},
		line{at(1), "queued", 0, "gateway gw-a (cmcc), attempt 1"},
		line{at(2), "submitted", 1, "gw-a: operator id C-1, result 0"},
		line{at(3), "state", 0, "expired (EXPIRED): validity"},
		line{at(4), "report", 1, "DELIVRD (delivered) from gw-a"},
	)

	// D: a whole life in one WriteSet, with lines of its own; E: a report
	// before its submit response; F: marked twice in one call; G: a
	// report that names no gateway; H: acknowledged without a mark.
	it, ids = newItem(1, 1, 1, 1, 1)
	d, e, fm, g, h := ids[0], ids[1], ids[2], ids[3], ids[4]
	ws := &store.WriteSet{
		Accept: []*store.AcceptItem{it},
		Queued: []store.QueuedMark{
			{MessageID: d, Operator: "cmcc", Gateway: "gw-a", Segments: 1, At: at(1)},
			{MessageID: e, Operator: "cmcc", Gateway: "gw-a", Segments: 1, At: at(1)},
			{MessageID: fm, Operator: "cmcc", Gateway: "gw-a", Segments: 1, At: at(1)},
			{MessageID: g, Operator: "cmcc", Gateway: "gw-a", Segments: 1, At: at(1)},
			{MessageID: fm, Operator: "cucc", Gateway: "gw-b", Segments: 1, At: at(1.5)},
		},
		Submits: []store.SubmitResult{{MessageID: d, Seq: 1, Gateway: "gw-a", OpMsgID: "D-1", OK: true, Code: "0", At: at(2)}},
		Reports: []store.Report{
			{Gateway: "gw-a", OpMsgID: "E-1", State: store.Delivered, Code: "DELIVRD", At: at(2.5)},
			{Gateway: "gw-a", OpMsgID: "D-1", State: store.Delivered, Code: "DELIVRD", At: at(3)},
		},
		Events: []store.Event{{MessageID: d, At: at(3), Kind: "push", Detail: "in the same commit"}},
	}
	f.must(s.Write(f.ctx, ws))
	ws = &store.WriteSet{
		Submits: []store.SubmitResult{
			{MessageID: e, Seq: 1, Gateway: "gw-a", OpMsgID: "E-1", OK: true, Code: "0", At: at(4)},
			{MessageID: g, Seq: 1, Gateway: "gw-a", OpMsgID: "G-1", OK: true, Code: "0", At: at(4)},
			{MessageID: h, Seq: 1, Gateway: "gw-c", OpMsgID: "H-1", OK: true, Code: "0", At: at(4)},
		},
		Reports: []store.Report{{OpMsgID: "G-1", State: store.Rejected, Code: "REJECTD", At: at(5)}},
	}
	f.must(s.Write(f.ctx, ws))
	if len(ws.SubmitOutcomes) != 1 || ws.SubmitOutcomes[0].MessageID != e || ws.ReportOutcomes[0].Final != store.Rejected {
		t.Fatalf("outcomes %+v %+v", ws.SubmitOutcomes, ws.ReportOutcomes)
	}
	check(d,
		line{at(0), "accepted", 0, "notice, 1 segment(s), GSM7, operator cmcc"},
		line{at(1), "queued", 0, "gateway gw-a (cmcc), attempt 1"},
		line{at(2), "submitted", 1, "gw-a: operator id D-1, result 0"},
		line{at(3), "report", 1, "DELIVRD (delivered) from gw-a; message delivered"},
		line{at(3), "push", 0, "in the same commit"},
	)
	check(e,
		line{at(0), "accepted", 0, "notice, 1 segment(s), GSM7, operator cmcc"},
		line{at(1), "queued", 0, "gateway gw-a (cmcc), attempt 1"},
		line{at(4), "submitted", 1, "gw-a: operator id E-1, result 0"},
		line{at(2.5), "report", 1, "DELIVRD (delivered) from gw-a; message delivered"},
	)
	check(fm,
		line{at(0), "accepted", 0, "notice, 1 segment(s), GSM7, operator cmcc"},
		line{at(1), "queued", 0, "gateway gw-a (cmcc), attempt 1"},
		line{at(1.5), "queued", 0, "gateway gw-b (cucc), attempt 2"},
	)
	check(g,
		line{at(0), "accepted", 0, "notice, 1 segment(s), GSM7, operator cmcc"},
		line{at(1), "queued", 0, "gateway gw-a (cmcc), attempt 1"},
		line{at(4), "submitted", 1, "gw-a: operator id G-1, result 0"},
		line{at(5), "report", 1, "REJECTD (rejected) from ; message rejected"},
	)
	check(h,
		line{at(0), "accepted", 0, "notice, 1 segment(s), GSM7, operator cmcc"},
		line{at(4), "submitted", 1, "gw-c: operator id H-1, result 0"},
	)
	// The timeline of a message with none is empty, not an error.
	if es, err := s.Events(f.ctx, 4242424242); err != nil || len(es) != 0 {
		t.Fatalf("Events(missing) = %v, %v", es, err)
	}
}

// testWriteSetRollback: a Write that fails leaves nothing behind, not even
// in what the store remembers of the messages it touched: the next calls
// behave as if it had never been made.
func testWriteSetRollback(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(2, 1)
	a, b := ids[0], ids[1]
	f.queue(b, "gw", 1)
	f.submit(b, 1, "gw", "RB-1")
	bad := &store.WriteSet{
		Queued:   []store.QueuedMark{{MessageID: a, Operator: "cmcc", Gateway: "gw-x", Segments: 1, At: base}},
		Reports:  []store.Report{{Gateway: "gw", OpMsgID: "RB-1", State: store.Delivered, Code: "DELIVRD", At: base}},
		Finishes: []store.Finish{{MessageID: a, State: store.Queued, At: base}}, // not final: fails the set
	}
	if err := s.Write(f.ctx, bad); err == nil {
		t.Fatal("Write with a non-final Finish succeeded")
	}
	m := f.state(a, store.Accepted)
	if m.Attempts != 0 || m.Gateway != "" {
		t.Fatalf("failed Write left %+v", m)
	}
	f.state(b, store.Submitted)
	// Now for real: attempt 1 on gw-y, and the report applies.
	f.queue(a, "gw-y", 1)
	if m := f.state(a, store.Queued); m.Attempts != 1 || m.Gateway != "gw-y" {
		t.Fatalf("after MarkQueued: %+v", m)
	}
	if o := f.report("gw", "RB-1", store.Delivered, "DELIVRD"); o.Final != store.Delivered || o.Duplicate {
		t.Fatalf("report after a failed Write: %+v", o)
	}
	if k := kinds(f.events(a)); fmt.Sprint(k) != "[accepted queued]" {
		t.Fatalf("timeline %v", k)
	}
	if es := f.events(a); es[1].Detail != "gateway gw-y (cmcc), attempt 1" {
		t.Fatalf("queued line %+v", es[1])
	}
}

// testSegmentsResplit: what Segments shows as a message is queued, refused,
// acknowledged and queued again with fewer or more parts.
func testSegmentsResplit(t *testing.T, s store.Store) {
	f := newFx(t, s)
	ids := f.accept(3, 3)
	a, b, c := ids[0], ids[1], ids[2]
	show := func(id int64) string {
		t.Helper()
		var out []string
		for _, sg := range f.segs(id) {
			out = append(out, fmt.Sprintf("%d:%s/%s/%s/%s", sg.Seq, sg.Gateway, sg.State, sg.OpMsgID, sg.Code))
		}
		return strings.Join(out, " ")
	}
	want := func(id int64, w string) {
		t.Helper()
		if got := show(id); got != w {
			t.Fatalf("message %d segments:\n  got  %s\n  want %s", id, got, w)
		}
	}
	want(a, "")
	// a: 3 parts on gw-a; seq 3 acknowledged, seq 2 refused; then 2 parts on gw-b.
	f.queue(a, "gw-a", 3)
	want(a, "1:gw-a/queued// 2:gw-a/queued// 3:gw-a/queued//")
	f.submit(a, 3, "gw-a", "A3")
	_, err := s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: a, Seq: 2, Gateway: "gw-a", OK: false, Code: "9", At: base}})
	f.must(err)
	want(a, "1:gw-a/queued// 2:gw-a/queued//9 3:gw-a/submitted/A3/0")
	f.queue(a, "gw-b", 2)
	want(a, "1:gw-b/queued// 2:gw-b/queued// 3:gw-a/submitted/A3/0")
	if m := f.msg(a); m.Segments != 2 || m.Attempts != 2 {
		t.Fatalf("message a = %+v", m)
	}
	f.submit(a, 1, "gw-b", "A1")
	f.state(a, store.Queued)
	f.submit(a, 2, "gw-b", "A2")
	f.state(a, store.Submitted)
	want(a, "1:gw-b/submitted/A1/0 2:gw-b/submitted/A2/0 3:gw-a/submitted/A3/0")
	// b: 3 parts, then 4 (re-split into more).
	f.queue(b, "gw-a", 3)
	f.submit(b, 2, "gw-a", "B2")
	f.queue(b, "gw-a", 4)
	want(b, "1:gw-a/queued// 2:gw-a/submitted/B2/0 3:gw-a/queued// 4:gw-a/queued//")
	// c: a refusal for a part beyond the message's count, and an
	// acknowledgement for one: the latter is kept.
	f.queue(c, "gw-a", 1)
	_, err = s.RecordSubmits(f.ctx, []store.SubmitResult{{MessageID: c, Seq: 5, Gateway: "gw-a", OK: false, Code: "9", At: base}})
	f.must(err)
	f.submit(c, 4, "gw-a", "C4")
	want(c, "1:gw-a/queued// 4:gw-a/submitted/C4/0")
	f.state(c, store.Queued)
}
