package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Error is a refusal the API shows to the caller as
// {"error": {"code", "message"}} with Status.
type Error struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration // > 0: when to try again (Retry-After)
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func refuse(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// SendRequest is one API request: one text to one or more numbers.
type SendRequest struct {
	AccountID  int64
	To         []string
	Content    string
	Business   string
	ScheduleAt time.Time
	ClientRef  string
	Ext        string // extension appended to the account's service code
	Priority   *int   // overrides the business type's lane
	// OutsideHours is what to do with a message of a business type with
	// sending hours when it would go out outside them: OutsideDefer ("", the
	// default) schedules it for the next window's start, OutsideRefuse
	// refuses the request (outside_sending_hours).
	OutsideHours string
	// Templates and signatures (templates.go): Template names an approved
	// template (id or code) instead of Content, filled with Variables, or
	// per number with PerRecipient (aligned with To; a number's own values
	// win). Signature picks one of the account's approved signatures
	// (text or id) when its business type adds one; "" = its default.
	Template     string
	Variables    map[string]string
	PerRecipient []map[string]string
	Signature    string

	// system marks the platform's own messages (unsubscribe confirmations):
	// no content filter, no blacklist, no fee. Only the core sets it.
	system bool
}

// SendResult is what Accept stored.
type SendResult struct {
	BatchID   int64
	Messages  []*store.Message
	Duplicate bool // client_ref seen before: nothing new was stored
	// DeferredUntil is set when the request came outside its business
	// type's sending hours: its messages wait until then (Notice says why).
	DeferredUntil time.Time
	Notice        string
}

// What SendRequest.OutsideHours may say.
const (
	OutsideDefer  = "defer"
	OutsideRefuse = "refuse"
)

// Accept validates a request, writes it durably in one group-committed
// transaction and puts it in the outbox. Bad input returns *Error and
// stores nothing.
func (c *Core) Accept(ctx context.Context, req *SendRequest) (*SendResult, error) {
	acc := c.caches.account(req.AccountID)
	if acc == nil {
		return nil, refuse(http.StatusUnauthorized, "unauthorized", "unknown account")
	}
	tpl, err := c.requestTemplate(ctx, acc, req) // a template names its business type (templates.go)
	if err != nil {
		return nil, err
	}
	bizCode := req.Business
	if bizCode == "" && tpl != nil {
		bizCode = tpl.Business
	}
	if bizCode == "" {
		bizCode = c.cfg.DefaultBusiness
	}
	bt := c.caches.business(bizCode)
	if bt == nil {
		return nil, refuse(http.StatusBadRequest, "unknown_business", "business type %q does not exist", bizCode)
	}
	if !bt.Enabled {
		return nil, refuse(http.StatusForbidden, "business_disabled", "business type %q is disabled", bizCode)
	}
	// Rate, then grant: a client over its rate costs no more than this.
	lim := c.limitsOf(acc.ID)
	if !req.system {
		if err := c.checkRate(acc, lim, len(req.To)); err != nil {
			return nil, err
		}
		if err := c.checkGrant(ctx, acc, bt); err != nil {
			return nil, err
		}
	}
	if len(req.To) == 0 {
		return nil, refuse(http.StatusBadRequest, "invalid_number", "no destination number given")
	}
	if len(req.To) > c.cfg.MaxRecipients {
		return nil, refuse(http.StatusBadRequest, "too_many_numbers", "%d numbers in one request; the limit is %d", len(req.To), c.cfg.MaxRecipients)
	}
	// The text of each message: free or a filled template, with the
	// signature and unsubscribe text; each checked for emptiness, length
	// and encoding (templates.go).
	txt, err := c.composeTexts(ctx, acc, bt, tpl, req)
	if err != nil {
		return nil, err
	}
	if req.Ext != "" && strings.Trim(req.Ext, "0123456789") != "" {
		return nil, refuse(http.StatusBadRequest, "invalid_extension", "extension %q must be digits", req.Ext)
	}
	if acc.ServiceCode != "" && len(acc.ServiceCode)+len(req.Ext) > 21 {
		return nil, refuse(http.StatusBadRequest, "invalid_extension", "service code plus extension exceed 21 digits")
	}
	now := c.now()
	if !req.ScheduleAt.IsZero() && req.ScheduleAt.Before(now.Add(-time.Minute)) {
		return nil, refuse(http.StatusBadRequest, "invalid_schedule", "schedule_at %s is in the past", req.ScheduleAt.Format(time.RFC3339))
	}
	if req.OutsideHours != "" && req.OutsideHours != OutsideDefer && req.OutsideHours != OutsideRefuse {
		return nil, refuse(http.StatusBadRequest, "invalid_request", "outside_hours %q: want %q (the default) or %q", req.OutsideHours, OutsideDefer, OutsideRefuse)
	}
	scheduleAt := req.ScheduleAt
	var deferred time.Time
	var notice string
	if bt.SendFrom != bt.SendUntil && !req.system {
		at := now
		if scheduleAt.After(now) {
			at = scheduleAt
		}
		if start := windowStart(at, bt.SendFrom, bt.SendUntil, c.biz.loc); !start.Equal(at) {
			hours := FormatHours(bt.SendFrom, bt.SendUntil) + " " + c.biz.loc.String()
			if req.OutsideHours == OutsideRefuse {
				c.m.refused.WithLabelValues("outside_sending_hours").Inc()
				c.recordRefusals(ctx, store.Refusal{AccountID: acc.ID, Business: bt.Code, Kind: "outside_sending_hours",
					Detail: fmt.Sprintf("%s is outside %s", at.In(c.biz.loc).Format("2006-01-02 15:04"), hours), At: now})
				return nil, refuse(http.StatusUnprocessableEntity, "outside_sending_hours",
					"business type %s sends only %s; %s is outside them and outside_hours is %q (leave it out to have the messages wait until %s)",
					bt.Code, hours, at.In(c.biz.loc).Format("2006-01-02 15:04"), OutsideRefuse, start.In(c.biz.loc).Format("2006-01-02 15:04"))
			}
			scheduleAt, deferred = start, start
			notice = fmt.Sprintf("business type %s sends only %s: the messages wait until %s", bt.Code, hours, start.In(c.biz.loc).Format(time.RFC3339))
		}
	}
	var review reviewHits // review words: the request is held for an auditor (review.go)
	if !req.system {
		for _, text := range txt.distinct { // each composed text once
			if err := c.checkContent(ctx, acc, bt.Code, text, &review); err != nil {
				return nil, err
			}
		}
	}
	priority := bt.Priority
	if req.Priority != nil {
		priority = laneOf(*req.Priority)
	}
	src := acc.ServiceCode + req.Ext
	if req.Ext == "" && bt.ServiceCode != "" && acc.ServiceCode != "" && strings.HasPrefix(bt.ServiceCode, acc.ServiceCode) {
		src = bt.ServiceCode // the type's own extension of the account's number: replies come back as this type's
	}
	fee := bt.FeePerSegment
	if bt.ChargeMode == store.ChargeFree {
		fee = 0
	}
	var sub *store.SubCharge
	if !req.system {
		sub = c.subCharge(ctx, bt, now) // monthly, capped, subscribers only: priced in the write (subscribe.go)
	}
	batch := store.Batch{ID: c.ids.Next(), AccountID: acc.ID, ClientRef: req.ClientRef, Total: len(req.To), CreatedAt: now}
	ai := &store.AcceptItem{Batch: batch, Sub: sub}
	if !req.system {
		ai.Hold = review.hold(bt.Code, src, now)
		ai.Freq = store.FreqLimit{Limit: bt.FreqLimit, Window: bt.FreqWindow} // decided in the write (frequency.go)
		ai.Day = store.DayKey(now, c.biz.loc)
		if lim != nil {
			ai.DailyQuota = lim.DailyQuota
		}
	}
	ai.Messages = make([]*store.Message, 0, len(req.To))
	ai.Events = make([]store.Event, 0, len(req.To))
	var refusals []store.Refusal
	for i, raw := range req.To {
		content, segs, coding := txt.at(i) // this number's text (templates.go)
		num, err := sms.NormalizeNumber(raw)
		if err != nil {
			return nil, refuse(http.StatusBadRequest, "invalid_number", "number %d (%q): %v", i+1, raw, errors.Unwrap(err))
		}
		op := c.segs.Operator(num)
		if op == "" {
			return nil, refuse(http.StatusBadRequest, "invalid_number", "number %d (%q): no operator serves this number segment", i+1, raw)
		}
		if !c.pool.Serves(op) {
			return nil, refuse(http.StatusBadRequest, "no_route", "number %d (%q): no gateway is configured for operator %s", i+1, raw, op)
		}
		m := &store.Message{
			ID: c.ids.Next(), BatchID: batch.ID, AccountID: acc.ID, To: num,
			Src: src, Content: content, Business: bt.Code,
			Priority: priority, Segments: segs, Operator: op, State: store.Accepted,
			ScheduleAt: scheduleAt, CreatedAt: now,
		}
		detail := fmt.Sprintf("%s, %d segment(s), %s, operator %s", bt.Code, segs, coding, op)
		if blocked, global := c.rules.black.Blocked(num, bt.Code); blocked && !req.system {
			// Kept as a final message so the batch accounts for every number.
			scope := "business " + bt.Code
			if global {
				scope = "every business"
			}
			m.State, m.OperatorCode, m.DoneAt = store.Blacklisted, "BLACKLIST", now
			detail += "; blacklisted for " + scope + ": not sent, not charged"
			refusals = append(refusals, store.Refusal{AccountID: acc.ID, Business: bt.Code, Kind: "blacklisted", Number: num,
				Detail: "blacklisted for " + scope, At: now})
		} else if fee > 0 && !req.system {
			m.Fee, m.ChargeOn = int64(segs)*fee, bt.ChargeOn
		}
		if ai.Hold != nil && !m.State.Final() {
			m.State = store.Held
			detail += "; held for review (" + quoteList(ai.Hold.Words) + ")"
		}
		ai.Messages = append(ai.Messages, m)
		ai.Events = append(ai.Events, store.Event{MessageID: m.ID, At: now, Kind: "accepted", Detail: detail})
	}
	c.m.refused.WithLabelValues("blacklisted").Add(float64(len(refusals)))
	if len(refusals) == len(ai.Messages) {
		c.recordRefusals(ctx, refusals...)
		if len(refusals) == 1 {
			return nil, refuse(http.StatusUnprocessableEntity, "blacklisted", "%s is on the blacklist for business type %s", refusals[0].Number, bt.Code)
		}
		return nil, refuse(http.StatusUnprocessableEntity, "blacklisted", "all %d numbers are on the blacklist for business type %s", len(refusals), bt.Code)
	}
	if err := c.write(ctx, writeOp{accept: ai, refusals: refusals}); err != nil {
		return nil, fmt.Errorf("core: accept: %w", err)
	}
	if ai.FreqRefused {
		return nil, c.frequencyRefusal(ctx, acc, bt, ai, refusals, now)
	}
	if ai.OverQuota {
		return nil, c.quotaRefusal(ctx, acc, bt.Code, lim, ai.Day, len(ai.Messages)-len(refusals), now)
	}
	if ai.NoFunds {
		c.m.refused.WithLabelValues("insufficient_balance").Inc()
		var fee int64
		for _, m := range ai.Messages {
			fee += m.Fee
		}
		c.recordRefusals(ctx, store.Refusal{AccountID: acc.ID, Business: bt.Code, Kind: "insufficient_balance",
			Detail: fmt.Sprintf("%d message(s) cost %s yuan", len(ai.Messages), Yuan(fee)), At: now})
		return nil, refuse(http.StatusPaymentRequired, "insufficient_balance",
			"the %d message(s) cost %s yuan, more than the account may spend now; recharge or ask for a credit limit", len(ai.Messages), Yuan(fee))
	}
	if ai.Dup {
		msgs, err := c.st.BatchMessages(ctx, acc.ID, ai.ExistingBatch, len(req.To)+1)
		if err != nil {
			return nil, fmt.Errorf("core: accept: replay of client_ref %q: %w", req.ClientRef, err)
		}
		return &SendResult{BatchID: ai.ExistingBatch, Messages: msgs, Duplicate: true}, nil
	}
	c.m.accepted.Add(float64(len(ai.Messages) - len(refusals) - len(ai.Limited)))
	c.m.refused.WithLabelValues("frequency_limited").Add(float64(len(ai.Limited)))
	if ai.Hold != nil {
		notice = strings.TrimPrefix(notice+"; "+heldNotice(ai.Hold), "; ")
	}
	// The caller gets copies: the dispatcher owns the originals from here.
	out := make([]store.Message, len(ai.Messages))
	res := &SendResult{BatchID: batch.ID, Messages: make([]*store.Message, len(ai.Messages)), DeferredUntil: deferred, Notice: notice}
	for i, m := range ai.Messages {
		out[i] = *m
		res.Messages[i] = &out[i]
	}
	for _, m := range ai.Messages {
		if !m.State.Final() && m.State != store.Held { // held: the auditor's approval enqueues it (review.go)
			c.enqueue(&item{msg: m}, now)
		}
	}
	return res, nil
}

// enqueue puts an item in the outbox now or at its scheduled / retry time.
func (c *Core) enqueue(it *item, now time.Time) {
	at := it.msg.ScheduleAt
	if it.msg.NextAttempt.After(at) {
		at = it.msg.NextAttempt
	}
	if at.After(now) {
		c.delay.add(at, it)
		return
	}
	c.out.push(it)
}

// Yuan renders li (0.001 yuan) as yuan with three decimals.
func Yuan(li int64) string {
	sign := ""
	if li < 0 {
		sign, li = "-", -li
	}
	return fmt.Sprintf("%s%d.%03d", sign, li/1000, li%1000)
}
