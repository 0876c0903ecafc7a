package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"hongyan/internal/gateway"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// StateOfStat maps an operator's report stat to a platform state. The raw
// stat is always kept beside it (operator_code).
func StateOfStat(stat string) store.State {
	switch strings.ToUpper(strings.TrimSpace(stat)) {
	case "DELIVRD", "DELIVERED", "0":
		return store.Delivered
	case "EXPIRED":
		return store.Expired
	case "REJECTD", "REJECTED":
		return store.Rejected
	default: // UNDELIV, DELETED, UNKNOWN and every vendor code
		return store.Undelivered
	}
}

// Report stores a status report; it returns once the report is durable,
// so the protocol acknowledges only what cannot be lost.
func (c *Core) Report(ctx context.Context, gw *gateway.Gateway, r gateway.Report) error {
	c.waitPending(ctx, r.OpMsgID)
	at := r.Done
	if at.IsZero() {
		at = c.now()
	}
	err := c.write(ctx, writeOp{reports: []store.Report{{Gateway: gw.Name, OpMsgID: r.OpMsgID, State: StateOfStat(r.Stat), Code: r.Stat, To: r.To, At: at}}})
	if err != nil {
		return fmt.Errorf("core: store report %s from %s: %w", r.OpMsgID, gw.Name, err)
	}
	c.m.reports.Inc()
	return nil
}

// afterReports runs after reports are committed: counts, final-state hooks.
func (c *Core) afterReports(ctx context.Context, outs []store.ReportOutcome) {
	for _, o := range outs {
		switch {
		case !o.Matched:
			c.m.unmatched.Inc()
		case o.Duplicate:
			c.m.duplicateReports.Inc()
		case o.Final != "":
			c.finalized(ctx, o.MessageID, o.Final)
		}
	}
}

// finalized counts a final state, tells the hook, and hands the message to
// the status-push maker when its owner may have a receive URL. It runs in
// the writer's goroutine, so it never touches the database itself.
func (c *Core) finalized(_ context.Context, id int64, st store.State) {
	c.m.final.WithLabelValues(string(st)).Inc()
	if c.OnFinal != nil {
		c.OnFinal(id, st)
	}
	if c.caches.hasCallbacks() {
		c.statusQ.add(id)
	}
}

// idQueue collects message ids for the status-push maker without ever
// blocking the writer.
type idQueue struct {
	mu   sync.Mutex
	ids  []int64
	wake chan struct{}
}

func newIDQueue() *idQueue { return &idQueue{wake: make(chan struct{}, 1)} }

func (q *idQueue) add(id int64) {
	q.mu.Lock()
	q.ids = append(q.ids, id)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *idQueue) take() []int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	ids := q.ids
	q.ids = nil
	return ids
}

// statusPushLoop turns final states into status pushes for accounts with a
// receive URL. (A crash between the final state's commit and the push's
// insert loses that one push; the state itself is safe and queryable.)
func (c *Core) statusPushLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.statusQ.wake:
		}
		var ps []*store.Push
		for _, id := range c.statusQ.take() {
			m, err := c.st.GetMessage(ctx, 0, id)
			if err != nil {
				c.log.Error("status push: read message", "message", id, "err", err)
				continue
			}
			acc := c.caches.account(m.AccountID)
			if acc == nil || acc.CallbackURL == "" {
				continue
			}
			body, _ := json.Marshal(map[string]any{
				"type": "status", "id": fmt.Sprint(m.ID), "batch_id": fmt.Sprint(m.BatchID), "to": m.To,
				"state": m.State, "operator": m.Operator, "operator_code": m.OperatorCode,
				"segments": m.Segments, "done_at": timeOrNil(m.DoneAt),
			})
			ps = append(ps, &store.Push{AccountID: acc.ID, Kind: "status", RefID: m.ID, URL: acc.CallbackURL, Body: body, NextAt: c.now(), CreatedAt: c.now()})
		}
		if len(ps) > 0 {
			c.queuePushes(ctx, ps)
		}
	}
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.RFC3339Nano)
}

// MO stores a user's message (reassembled if it came in parts) and routes
// it by service code to its owner's inbox and receive URL.
func (c *Core) MO(ctx context.Context, gw *gateway.Gateway, in gateway.MO) error {
	content := in.Content
	if in.UDHI {
		cc, has, payload, err := sms.ParseUDH(in.Content)
		if err != nil {
			c.log.Warn("MO with a broken UDH; storing the raw text", "gateway", gw.Name, "from", in.From, "err", err)
		} else {
			content = payload
			if has && cc.Total > 1 {
				key := gw.Operator + "|" + in.From + "|" + in.To + "|" + strconv.Itoa(int(in.Coding))
				whole, done := c.reasm.Add(key, cc, payload, c.now())
				if !done {
					return nil // held until the other parts arrive
				}
				content = whole
			}
		}
	}
	// Lossy: a badly encoded reply is still the user's words; keep what came.
	text := sms.DecodeLossy(content, in.Coding)
	if in.Coding == sms.Binary {
		text = fmt.Sprintf("%x", content)
	}
	return c.storeMO(ctx, gw.Operator, gw.Name, in.From, in.To, text)
}

func (c *Core) storeMO(ctx context.Context, operator, gwName, from, to, text string) error {
	if n, err := sms.NormalizeNumber(from); err == nil {
		from = n
	}
	mo := &store.MO{From: from, To: to, Content: text, Operator: operator, Gateway: gwName,
		Keyword: MOKeyword(text), ReceivedAt: c.now()}
	route, replyTo := c.replyRoute(ctx, c.caches.moRoute(to, text), from, to)
	if replyTo != 0 {
		c.log.Debug("MO routed by last contact", "from", from, "to", to, "message", replyTo, "account", route.AccountID)
	}
	var acc *store.Account
	url := ""
	if route != nil {
		acc = c.caches.account(route.AccountID)
	}
	if acc != nil {
		mo.AccountID, mo.Business, mo.RouteID = acc.ID, route.Business, route.ID
		if route.Keyword != "" {
			mo.Keyword = route.Keyword
		}
		url = route.URL
		if url == "" {
			url = acc.CallbackURL
		}
	}
	if mo.Business == "" {
		mo.Business = c.moBusiness(to, text) // the business types' service codes and keywords (business.go)
	}
	sub, err := c.subscriptionMO(ctx, route, mo) // DG / TD + a subscription code (subscribe.go)
	if err != nil {
		return err // not acknowledged: the operator sends the reply again
	}
	unsub := false
	if sub.handled() { // the service provider's MO
		if acc = c.caches.account(mo.AccountID); acc != nil {
			url = acc.CallbackURL
		}
	} else if unsub, err = c.unsubscribe(ctx, acc, mo); err != nil {
		return err
	}
	var survey *store.Survey
	if !sub.handled() && !unsub {
		if survey, err = c.surveyMO(ctx, acc, mo); err != nil { // a customer record by reply (survey.go)
			return err
		}
	}
	if err := c.st.InsertMO(ctx, []*store.MO{mo}); err != nil {
		return fmt.Errorf("core: store MO from %s: %w", from, err)
	}
	c.m.mo.Inc()
	if unsub {
		c.confirmUnsubscribe(ctx, acc, mo)
	} else {
		c.answerSubscription(ctx, acc, sub, mo)
	}
	c.confirmSurvey(ctx, acc, survey, mo)
	if acc != nil && url != "" {
		body, _ := json.Marshal(map[string]any{
			"type": "mo", "id": fmt.Sprint(mo.ID), "from": mo.From, "to": mo.To, "content": mo.Content,
			"keyword": mo.Keyword, "business": mo.Business, "unsubscribed": unsub || sub.action() == "unsubscribed", "subscription": sub.action(), "operator": operator, "received_at": mo.ReceivedAt.Format(time.RFC3339Nano),
		})
		c.queuePushes(ctx, []*store.Push{{AccountID: acc.ID, Kind: "mo", RefID: mo.ID, URL: url, Body: body, NextAt: c.now(), CreatedAt: c.now()}})
	}
	return nil
}

// reassemblyLoop stores MO messages whose missing parts never came, so a
// user's text is never silently lost.
func (c *Core) reassemblyLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, p := range c.reasm.Expire(c.now()) {
			parts := strings.SplitN(p.Key, "|", 4)
			if len(parts) != 4 {
				continue
			}
			coding, _ := strconv.Atoi(parts[3])
			var b strings.Builder
			for i := 1; i <= p.Concat.Total; i++ {
				if seg, ok := p.Parts[i]; ok {
					b.Write(seg)
				}
			}
			text := sms.DecodeLossy([]byte(b.String()), sms.Coding(coding))
			if err := c.storeMO(ctx, parts[0], "", parts[1], parts[2], text+" [incomplete]"); err != nil {
				c.log.Error("store incomplete MO", "err", err)
			}
		}
	}
}

var _ gateway.Inbound = (*Core)(nil)
