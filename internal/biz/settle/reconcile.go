package settle

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/store"
)

// An operator's bill, as CSV with a header row, in one of two forms:
//
//	date,operator,gateway,segments     per-day totals (operator and gateway
//	2026-11-01,cmcc,cmcc-cmpp-1,120345  columns optional; an empty gateway, or
//	                                   none, is the operator's whole day)
//
//	op_msg_id[,gateway,…]              one line per segment billed, by the
//	2611251030000123450001             operator's message id (other columns
//	                                   are ignored)
//
// Dates are days in Shanghai time (2026-11-01, 2026/11/01 or 20261101).

// Bill is a parsed bill.
type Bill struct {
	Kind     string // "totals" or "messages"
	Days     []BillDay
	Messages []BillMessage
}

// BillDay is a line of a totals bill.
type BillDay struct {
	Line     int
	Day      time.Time // midnight, Shanghai
	Gateway  string    // "" = all the operator's gateways
	Segments int64
}

// BillMessage is a line of a per-message bill.
type BillMessage struct {
	Line    int
	OpMsgID string
	Gateway string // "" = any
}

// MaxListed caps each list of a Reconciliation (the counts are exact).
const MaxListed = 1000

// ParseBill reads a bill for operator covering [from, to). Any bad line
// fails the whole bill, naming the line.
func ParseBill(r io.Reader, operator string, from, to time.Time) (*Bill, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	cr.Comment = '#'
	var cols map[string]int
	bill := &Bill{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, bad("invalid_bill", "bill line %d: %v", pe.Line, pe.Err)
			}
			return nil, bad("invalid_bill", "bill: %v", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		if cols == nil {
			cols = map[string]int{}
			for i, h := range rec {
				cols[strings.ToLower(strings.TrimSpace(h))] = i
			}
			_, hasDate := cols["date"]
			_, hasSegs := cols["segments"]
			_, hasID := cols["op_msg_id"]
			switch {
			case hasID:
				bill.Kind = "messages"
			case hasDate && hasSegs:
				bill.Kind = "totals"
			default:
				return nil, bad("invalid_bill", "bill line %d: the header must name date and segments (per-day totals) or op_msg_id (per message), got %q",
					line, strings.Join(rec, ","))
			}
			continue
		}
		field := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if op := field("operator"); op != "" && !strings.EqualFold(op, operator) {
			return nil, bad("invalid_bill", "bill line %d: operator %q, but this is the reconciliation with %s", line, op, operator)
		}
		if bill.Kind == "messages" {
			id := field("op_msg_id")
			if id == "" {
				return nil, bad("invalid_bill", "bill line %d: op_msg_id is empty", line)
			}
			bill.Messages = append(bill.Messages, BillMessage{Line: line, OpMsgID: id, Gateway: field("gateway")})
			continue
		}
		ds := field("date")
		var day time.Time
		for _, l := range dayLayouts {
			if day, err = time.ParseInLocation(l, ds, store.Shanghai); err == nil {
				break
			}
		}
		if err != nil {
			return nil, bad("invalid_bill", "bill line %d: date %q: want 2026-11-01", line, ds)
		}
		if day.Before(from) || !day.Before(to) {
			return nil, bad("invalid_bill", "bill line %d: %s is outside the period %s to %s", line, ds,
				from.Format("2006-01-02"), to.Add(-time.Second).Format("2006-01-02"))
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(field("segments"), ",", ""), 10, 64)
		if err != nil || n < 0 {
			return nil, bad("invalid_bill", "bill line %d: segments %q: want a whole number", line, field("segments"))
		}
		bill.Days = append(bill.Days, BillDay{Line: line, Day: day, Gateway: field("gateway"), Segments: n})
	}
	if cols == nil {
		return nil, bad("invalid_bill", "the bill is empty")
	}
	return bill, nil
}

// Reconciliation compares what the platform sent with what an operator billed.
type Reconciliation struct {
	Operator string
	From, To time.Time
	Kind     string // the bill's: "totals" or "messages"
	Ours     int64  // segments the operator accepted in the period, by our records
	Billed   int64  // segments billed
	// Totals bills: the days (and gateways) whose counts differ, and how
	// many day/gateway lines were compared.
	Days     []DayDiff
	Compared int
	// Per-message bills: ids billed but unknown to us, billed more than
	// once, known but sent outside the period (or to another operator), and
	// segments we sent that the bill lacks. Lists are capped at MaxListed;
	// the counts are exact.
	Unknown        []BillMessage
	UnknownCount   int
	Twice          []BillMessage
	TwiceCount     int
	Outside        []Outside
	OutsideCount   int
	NotBilled      []store.SentSegment
	NotBilledCount int
	Agree          bool
}

// DayDiff is a day's (and gateway's) count on each side.
type DayDiff struct {
	Day     time.Time
	Gateway string // "" = the operator's whole day
	Ours    int64
	Billed  int64
}

// Outside is a billed id we know, sent outside the period or not to this operator.
type Outside struct {
	BillMessage
	Segment store.SentSegment
}

// Reconcile compares bill with the segments the operator accepted in [from, to).
func Reconcile(ctx context.Context, st store.StatsStore, operator string, from, to time.Time, bill *Bill) (*Reconciliation, error) {
	rc := &Reconciliation{Operator: operator, From: from, To: to, Kind: bill.Kind}
	var err error
	if bill.Kind == "messages" {
		err = rc.messages(ctx, st, bill)
	} else {
		err = rc.totals(ctx, st, bill)
	}
	if err != nil {
		return nil, err
	}
	rc.Agree = rc.Ours == rc.Billed && len(rc.Days) == 0 && rc.UnknownCount == 0 && rc.TwiceCount == 0 && rc.OutsideCount == 0 && rc.NotBilledCount == 0
	return rc, nil
}

func (rc *Reconciliation) totals(ctx context.Context, st store.StatsStore, bill *Bill) error {
	rows, err := st.Stats(ctx, store.StatsQuery{From: rc.From, To: rc.To, Grain: store.GrainDay, Operator: rc.Operator,
		GroupBy: []store.StatDim{store.DimGateway}})
	if err != nil {
		return err
	}
	type key struct {
		day int64
		gw  string
	}
	ours, billed := map[key]int64{}, map[key]int64{}
	wholeDay := map[int64]bool{} // the bill gives the day without gateways
	for _, r := range rows {
		if r.State == store.Submitted && r.Segments != 0 {
			ours[key{r.Bucket.Unix(), r.Gateway}] += r.Segments
			rc.Ours += r.Segments
		}
	}
	for _, d := range bill.Days {
		billed[key{d.Day.Unix(), d.Gateway}] += d.Segments
		rc.Billed += d.Segments
		if d.Gateway == "" {
			wholeDay[d.Day.Unix()] = true
		}
	}
	for day := range wholeDay { // compare those days as a whole
		for _, m := range []map[key]int64{ours, billed} {
			for k, n := range m {
				if k.day == day && k.gw != "" {
					m[key{day, ""}] += n
					delete(m, k)
				}
			}
		}
	}
	keys := map[key]bool{}
	for k := range ours {
		keys[k] = true
	}
	for k := range billed {
		keys[k] = true
	}
	for k := range keys {
		rc.Compared++
		if ours[k] != billed[k] {
			rc.Days = append(rc.Days, DayDiff{Day: time.Unix(k.day, 0).In(store.Shanghai), Gateway: k.gw, Ours: ours[k], Billed: billed[k]})
		}
	}
	slices.SortFunc(rc.Days, func(a, b DayDiff) int { return cmp.Or(a.Day.Compare(b.Day), cmp.Compare(a.Gateway, b.Gateway)) })
	return nil
}

func (rc *Reconciliation) messages(ctx context.Context, st store.StatsStore, bill *Bill) error {
	type ourSeg struct {
		seg    store.SentSegment
		billed bool
	}
	ours := map[string][]*ourSeg{} // op id → our segments with it (ids are unique per gateway only)
	err := st.SentSegments(ctx, rc.Operator, rc.From, rc.To, func(sg store.SentSegment) error {
		ours[sg.OpMsgID] = append(ours[sg.OpMsgID], &ourSeg{seg: sg})
		rc.Ours++
		return nil
	})
	if err != nil {
		return err
	}
	var missing []BillMessage
	for _, b := range bill.Messages {
		rc.Billed++
		var match *ourSeg
		again := false
		for _, o := range ours[b.OpMsgID] {
			if b.Gateway != "" && o.seg.Gateway != b.Gateway {
				continue
			}
			if !o.billed {
				match = o
				break
			}
			again = true
		}
		switch {
		case match != nil:
			match.billed = true
		case again:
			rc.TwiceCount++
			if len(rc.Twice) < MaxListed {
				rc.Twice = append(rc.Twice, b)
			}
		default:
			missing = append(missing, b)
		}
	}
	// Billed ids not sent in the period: known at all?
	var ids []string
	for _, b := range missing {
		ids = append(ids, b.OpMsgID)
	}
	known := map[string][]store.SentSegment{}
	if len(ids) > 0 {
		segs, err := st.SegmentsByOpID(ctx, ids)
		if err != nil {
			return err
		}
		for _, sg := range segs {
			known[sg.OpMsgID] = append(known[sg.OpMsgID], sg)
		}
	}
	for _, b := range missing {
		var seg *store.SentSegment
		for i, sg := range known[b.OpMsgID] {
			if b.Gateway == "" || sg.Gateway == b.Gateway {
				seg = &known[b.OpMsgID][i]
				break
			}
		}
		if seg == nil {
			rc.UnknownCount++
			if len(rc.Unknown) < MaxListed {
				rc.Unknown = append(rc.Unknown, b)
			}
			continue
		}
		rc.OutsideCount++
		if len(rc.Outside) < MaxListed {
			rc.Outside = append(rc.Outside, Outside{BillMessage: b, Segment: *seg})
		}
	}
	var notBilled []store.SentSegment
	for _, os := range ours {
		for _, o := range os {
			if !o.billed {
				notBilled = append(notBilled, o.seg)
			}
		}
	}
	rc.NotBilledCount = len(notBilled)
	slices.SortFunc(notBilled, func(a, b store.SentSegment) int {
		return cmp.Or(a.SubmittedAt.Compare(b.SubmittedAt), cmp.Compare(a.MessageID, b.MessageID), cmp.Compare(a.Seq, b.Seq))
	})
	rc.NotBilled = notBilled[:min(len(notBilled), MaxListed)]
	return nil
}

// String summarises a reconciliation in one line.
func (rc *Reconciliation) String() string {
	if rc.Agree {
		return fmt.Sprintf("%s %s to %s: the bill agrees (%d segments)", rc.Operator, rc.From.Format("2006-01-02"), rc.To.Add(-time.Second).Format("2006-01-02"), rc.Ours)
	}
	return fmt.Sprintf("%s %s to %s: we sent %d segments, billed %d", rc.Operator, rc.From.Format("2006-01-02"), rc.To.Add(-time.Second).Format("2006-01-02"), rc.Ours, rc.Billed)
}
