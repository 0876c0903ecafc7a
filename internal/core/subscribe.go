package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Subscriptions (M8). A subscription service is a business type with a
// subscription code, owned by an account (the service provider). A user
// subscribes by sending DG + code to any of the platform's numbers and
// unsubscribes with TD + code; the platform keeps the state, answers with
// a free confirmation, lets the provider push to the active subscribers,
// and charges the provider's account per the business type — for monthly
// and capped types per subscriber and calendar month of the platform's
// time zone, priced inside the accept transaction (store.SubCharge).
//
// The subscription is durable before the MO is stored and acknowledged,
// as an unsubscription is: after a crash the operator resends the reply
// and subscribing again changes nothing.

// DefaultSubscribeWords precede a service code to subscribe (TD + code
// unsubscribes with the unsubscribe words).
var DefaultSubscribeWords = []string{"DG", "订购", "订阅"}

// SubscriptionReplies are the platform's answers to DG/TD + code; in each,
// {name} is the business type's name, {code} the code the user sent and
// {fee} what the service costs. "-" sends no answer.
type SubscriptionReplies struct {
	Subscribed    string // a new subscription
	Already       string // DG again while subscribed
	Unsubscribed  string
	NotSubscribed string // TD + code without a subscription
	UnknownCode   string // no service has the code
}

// DefaultSubscriptionReplies are used for the replies not configured.
var DefaultSubscriptionReplies = SubscriptionReplies{
	Subscribed:    "您已成功订购{name}（{fee}），回复TD{code}退订。",
	Already:       "您已订购{name}，无需重复订购；回复TD{code}退订。",
	Unsubscribed:  "您已成功退订{name}，将不再收到此业务的消息。",
	NotSubscribed: "您未订购{name}，无需退订。",
	UnknownCode:   "未找到业务代码{code}。订购请回复DG加业务代码，退订请回复TD加业务代码。",
}

// subState is the core's view of the subscription services: small, read
// whole, replaced on every change on this node, at Reload, and in the
// background when older than subRefresh (a change made on another node).
type subState struct {
	snap    atomic.Pointer[subSnap]
	loadMu  sync.Mutex
	loading atomic.Bool
}

type subSnap struct {
	byCode     map[string]*store.SubService
	byBusiness map[string]*store.SubService
	at         time.Time // loaded (wall clock)
}

const subRefresh = 5 * time.Second

func (c *Core) subSnapshot(ctx context.Context) (*subSnap, error) {
	s := c.subs.snap.Load()
	if s == nil {
		return c.loadSubServices(ctx)
	}
	if time.Since(s.at) > subRefresh && c.subs.loading.CompareAndSwap(false, true) {
		go func() { // the caller goes on with what it has
			defer c.subs.loading.Store(false)
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := c.loadSubServices(lctx); err != nil {
				c.log.Warn("refresh of subscription services failed", "err", err)
			}
		}()
	}
	return s, nil
}

// loadSubServices reads the services from the store.
func (c *Core) loadSubServices(ctx context.Context) (*subSnap, error) {
	c.subs.loadMu.Lock()
	defer c.subs.loadMu.Unlock()
	svcs, err := c.st.SubServices(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("core: load subscription services: %w", err)
	}
	s := &subSnap{byCode: map[string]*store.SubService{}, byBusiness: map[string]*store.SubService{}, at: time.Now()}
	for _, v := range svcs {
		s.byCode[v.Code], s.byBusiness[v.Business] = v, v
	}
	c.subs.snap.Store(s)
	return s, nil
}

// subService is the service of a business type (nil: none, or not loaded
// and the store failed — then accept charges it as a plain type and logs).
func (c *Core) subService(ctx context.Context, business string) *store.SubService {
	s, err := c.subSnapshot(ctx)
	if err != nil {
		c.log.Error("subscription services", "err", err)
		return nil
	}
	return s.byBusiness[business]
}

// subCharge is how accept prices a business type's messages: per
// subscriber and month for the monthly modes, and only to active
// subscribers for a subscription service; nil when neither.
func (c *Core) subCharge(ctx context.Context, bt *store.BusinessType, now time.Time) *store.SubCharge {
	svc := c.subService(ctx, bt.Code)
	if svc == nil && bt.ChargeMode != store.ChargeMonthly && bt.ChargeMode != store.ChargeMonthlyCapped {
		return nil
	}
	return &store.SubCharge{Mode: bt.ChargeMode, Month: store.MonthKey(now, c.biz.loc), FeePerSegment: bt.FeePerSegment,
		MonthlyFee: bt.MonthlyFee, MonthlyCap: bt.MonthlyCap, ChargeOn: bt.ChargeOn, Subscribers: svc != nil}
}

// ---- MO: DG / TD + code ----

// subCommand is a reply of a subscribe or unsubscribe word and a code.
type subCommand struct {
	subscribe bool
	word      string
	code      string
	// shaped: the reply looks like a command (a space before the code, or
	// a digit in it) even when no service has the code.
	shaped bool
}

// parseSubCommand reads "DG1001", "dg 1001", "ＤＧ１００１。", "TD1001",
// "退订 1001" … (folded as MO keywords are). Words are tried longest first.
func (c *Core) parseSubCommand(text string) (subCommand, bool) {
	norm := strings.TrimRightFunc(NormalizeKeyword(text), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	type word struct {
		w   string
		sub bool
	}
	var words []word
	for _, w := range c.subscribeWords() {
		words = append(words, word{MOKeyword(w), true})
	}
	for _, w := range c.cfg.UnsubscribeWords {
		words = append(words, word{MOKeyword(w), false})
	}
	slices.SortStableFunc(words, func(a, b word) int { return len(b.w) - len(a.w) })
	for _, w := range words {
		rest, ok := strings.CutPrefix(norm, w.w)
		if !ok || w.w == "" {
			continue
		}
		if rest == "" {
			return subCommand{}, false // the word alone ("TD"): not T + "D"
		}
		code := strings.TrimLeft(rest, " \t\u3000")
		spaced := len(code) < len(rest)
		if !validSubCode(code) {
			continue
		}
		return subCommand{subscribe: w.sub, word: w.w, code: code, shaped: spaced || strings.ContainsAny(code, "0123456789")}, true
	}
	return subCommand{}, false
}

func (c *Core) subscribeWords() []string {
	if len(c.cfg.SubscribeWords) > 0 {
		return c.cfg.SubscribeWords
	}
	return DefaultSubscribeWords
}

// validSubCode: 1 to 20 upper-case Latin letters and digits.
func validSubCode(code string) bool {
	if code == "" || len(code) > 20 {
		return false
	}
	for _, r := range code {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// subReply is what storeMO does with a subscription command.
type subReply struct {
	cmd     subCommand
	svc     *store.SubService // nil: no service has the code
	changed bool              // the subscription changed
}

// action names what happened, for the MO push ("" = not a command).
func (r *subReply) action() string {
	switch {
	case r == nil:
		return ""
	case r.svc == nil:
		return "unknown_code"
	case r.cmd.subscribe && r.changed:
		return "subscribed"
	case r.cmd.subscribe:
		return "already_subscribed"
	case r.changed:
		return "unsubscribed"
	}
	return "not_subscribed"
}

// handled says whether the command was a known service's (then it is the
// provider's MO, and plain unsubscribing does not apply).
func (r *subReply) handled() bool { return r != nil && r.svc != nil }

// subscriptionMO acts on DG/TD + code: a known code subscribes or
// unsubscribes (durably, before the MO is stored) and makes the MO the
// provider's; an unknown code is answered later (answerSubscription)
// unless an explicit keyword route claimed the reply. nil: not a command.
func (c *Core) subscriptionMO(ctx context.Context, route *store.MORoute, mo *store.MO) (*subReply, error) {
	cmd, ok := c.parseSubCommand(mo.Content)
	if !ok {
		return nil, nil
	}
	snap, err := c.subSnapshot(ctx)
	if err != nil {
		return nil, err // not acknowledged: the operator sends the reply again
	}
	svc := snap.byCode[cmd.code]
	if svc == nil {
		if !cmd.shaped || route != nil && route.Keyword != "" {
			return nil, nil // someone's keyword, not a command
		}
		return &subReply{cmd: cmd}, nil
	}
	r := &subReply{cmd: cmd, svc: svc}
	if cmd.subscribe {
		r.changed, err = c.st.Subscribe(ctx, svc.Business, mo.From, store.SubSourceMO, mo.ReceivedAt)
	} else {
		r.changed, err = c.st.Unsubscribe(ctx, svc.Business, mo.From, store.SubSourceMO, mo.ReceivedAt)
	}
	if err != nil {
		return nil, fmt.Errorf("core: %s %s to %s: %w", cmd.word, mo.From, svc.Business, err)
	}
	if r.changed && !cmd.subscribe {
		c.m.unsubscribed.Inc()
	}
	c.log.Info("subscription reply", "from", mo.From, "business", svc.Business, "action", r.action())
	mo.AccountID, mo.Business, mo.RouteID, mo.Keyword = svc.AccountID, svc.Business, 0, cmd.word
	return r, nil
}

// answerSubscription sends the free answer to a subscription command:
// from the provider's account for a known code, else from the account
// the reply reached (none: no answer).
func (c *Core) answerSubscription(ctx context.Context, acc *store.Account, r *subReply, mo *store.MO) {
	if r == nil {
		return
	}
	replies := c.cfg.SubscriptionReplies
	def := DefaultSubscriptionReplies
	var text, business string
	var bt *store.BusinessType
	if r.svc != nil {
		acc = c.caches.account(r.svc.AccountID)
		business = r.svc.Business
		bt = c.caches.business(business)
	} else if acc != nil {
		business = mo.Business
		if business == "" || c.caches.business(business) == nil {
			business = c.cfg.DefaultBusiness
		}
	}
	if acc == nil {
		c.log.Warn("subscription reply not answered: no account to answer from", "from", mo.From, "to", mo.To, "code", r.cmd.code)
		return
	}
	switch r.action() {
	case "unknown_code":
		text = orDefault(replies.UnknownCode, def.UnknownCode)
	case "subscribed":
		text = orDefault(replies.Subscribed, def.Subscribed)
	case "already_subscribed":
		text = orDefault(replies.Already, def.Already)
	case "unsubscribed":
		text = orDefault(replies.Unsubscribed, def.Unsubscribed)
	default:
		text = orDefault(replies.NotSubscribed, def.NotSubscribed)
	}
	if text == "-" {
		return
	}
	name := business
	if bt != nil && bt.Name != "" {
		name = bt.Name
	}
	text = strings.NewReplacer("{name}", name, "{code}", r.cmd.code, "{fee}", FeeText(bt)).Replace(text)
	ext := ""
	if acc.ServiceCode != "" && strings.HasPrefix(mo.To, acc.ServiceCode) {
		ext = mo.To[len(acc.ServiceCode):]
	}
	if _, err := c.Accept(ctx, &SendRequest{AccountID: acc.ID, To: []string{mo.From}, Content: text, Business: business, Ext: ext, system: true}); err != nil {
		c.log.Warn("subscription answer not sent", "to", mo.From, "business", business, "err", err)
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// FeeText says what a business type costs a subscriber, in Chinese:
// 资费3元/月, 0.1元/条（每月最多5元）, 0.1元/条, 免费.
func FeeText(bt *store.BusinessType) string {
	if bt == nil {
		return ""
	}
	switch {
	case bt.ChargeMode == store.ChargeFree || bt.ChargeMode == store.ChargeMonthly && bt.MonthlyFee == 0 ||
		bt.ChargeMode != store.ChargeMonthly && bt.FeePerSegment == 0:
		return "免费"
	case bt.ChargeMode == store.ChargeMonthly && bt.FeePerSegment > 0:
		return "资费" + yuanShort(bt.MonthlyFee) + "元/月，另" + yuanShort(bt.FeePerSegment) + "元/条"
	case bt.ChargeMode == store.ChargeMonthly:
		return "资费" + yuanShort(bt.MonthlyFee) + "元/月"
	case bt.ChargeMode == store.ChargeMonthlyCapped:
		return "资费" + yuanShort(bt.FeePerSegment) + "元/条，每月最多" + yuanShort(bt.MonthlyCap) + "元"
	}
	return "资费" + yuanShort(bt.FeePerSegment) + "元/条"
}

// yuanShort renders li as yuan without trailing zeros: 3, 0.1, 0.05.
func yuanShort(li int64) string {
	s := strings.TrimRight(strings.TrimRight(Yuan(li), "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

// ---- administration ----

// SubServices lists the subscription services with their counts.
func (c *Core) SubServices(ctx context.Context) ([]*store.SubService, error) {
	return c.st.SubServices(ctx, true)
}

// NormalizeSubCode folds a subscription code as users' replies are: half
// width, upper case; "" when it is not 1 to 20 letters and digits.
func NormalizeSubCode(code string) string {
	n := strings.TrimSpace(NormalizeKeyword(code))
	if !validSubCode(n) {
		return ""
	}
	return n
}

// PutSubService makes business a subscription service with code, owned by
// accountID (creating or replacing it), live at once on this node.
func (c *Core) PutSubService(ctx context.Context, business, code string, accountID int64) (*store.SubService, error) {
	bad := func(format string, args ...any) error {
		return refuse(http.StatusBadRequest, "invalid_subscription_service", format, args...)
	}
	if c.caches.business(business) == nil {
		if err := c.Reload(ctx); err != nil {
			return nil, err
		}
		if c.caches.business(business) == nil {
			return nil, refuse(http.StatusNotFound, "not_found", "no business type %q", business)
		}
	}
	n := NormalizeSubCode(code)
	if n == "" {
		return nil, bad("code %q: want 1 to 20 letters and digits (users send DG + code), e.g. 1001", code)
	}
	if c.caches.account(accountID) == nil {
		if err := c.Reload(ctx); err != nil { // an account made on another node
			return nil, err
		}
		if c.caches.account(accountID) == nil {
			return nil, bad("no account with id %d", accountID)
		}
	}
	svc := &store.SubService{Business: business, Code: n, AccountID: accountID, CreatedAt: c.now()}
	if err := c.st.PutSubService(ctx, svc); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, refuse(http.StatusConflict, "duplicate", "subscription code %s belongs to another business type", n)
		}
		return nil, fmt.Errorf("core: put subscription service %s: %w", business, err)
	}
	snap, err := c.loadSubServices(ctx)
	if err != nil {
		return nil, err
	}
	return snap.byBusiness[business], nil
}

// DeleteSubService stops a business type being a subscription service;
// refused while it has subscribers (they would be charged for nothing they
// could cancel by code).
func (c *Core) DeleteSubService(ctx context.Context, business string) error {
	svcs, err := c.st.SubServices(ctx, true)
	if err != nil {
		return fmt.Errorf("core: delete subscription service %s: %w", business, err)
	}
	var svc *store.SubService
	for _, v := range svcs {
		if v.Business == business {
			svc = v
		}
	}
	if svc == nil {
		return refuse(http.StatusNotFound, "not_found", "business type %q is not a subscription service", business)
	}
	if svc.Active > 0 {
		return refuse(http.StatusConflict, "has_subscribers", "subscription service %s has %d subscriber(s); unsubscribe them first", business, svc.Active)
	}
	if err := c.st.DeleteSubService(ctx, business); err != nil {
		return fmt.Errorf("core: delete subscription service %s: %w", business, err)
	}
	_, err = c.loadSubServices(ctx)
	return err
}

// SubServiceOf returns a business type's subscription service, or a 404.
func (c *Core) SubServiceOf(ctx context.Context, business string) (*store.SubService, error) {
	snap, err := c.subSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	if svc := snap.byBusiness[business]; svc != nil {
		return svc, nil
	}
	// Another node may have made it: look once more.
	if snap, err = c.loadSubServices(ctx); err != nil {
		return nil, err
	}
	if svc := snap.byBusiness[business]; svc != nil {
		return svc, nil
	}
	return nil, refuse(http.StatusNotFound, "not_found", "business type %q is not a subscription service", business)
}

// SetSubscription subscribes (on) or unsubscribes a number by hand; it
// reports whether anything changed.
func (c *Core) SetSubscription(ctx context.Context, business, number string, on bool, source string) (bool, error) {
	if _, err := c.SubServiceOf(ctx, business); err != nil {
		return false, err
	}
	n, err := sms.NormalizeNumber(number)
	if err != nil {
		return false, refuse(http.StatusBadRequest, "invalid_number", "number %q: %v", number, errors.Unwrap(err))
	}
	var changed bool
	if on {
		changed, err = c.st.Subscribe(ctx, business, n, source, c.now())
	} else {
		changed, err = c.st.Unsubscribe(ctx, business, n, source, c.now())
	}
	if err != nil {
		return false, fmt.Errorf("core: subscription of %s to %s: %w", n, business, err)
	}
	return changed, nil
}

// MonthKey is the platform's month of t (yyyymm), as charging counts it.
func (c *Core) MonthKey(t time.Time) int { return store.MonthKey(t, c.biz.loc) }

// Now is the core's clock.
func (c *Core) Now() time.Time { return c.now() }

// ---- push ----

// SubPush is what a push to a service's subscribers did.
type SubPush struct {
	Business string
	BatchIDs []int64
	Accepted int    // messages that will be sent
	Refused  int    // numbers refused at accept (blacklisted, unsubscribed meanwhile)
	Last     string // the last subscriber number handled: give it as after to resume
}

// PushSubscribers sends content to every active subscriber of business
// after the number after ("" = all), in batches of the platform's most
// numbers per request, paging through the subscribers so a long list is
// never held whole. accountID must own the service (0: an administrator,
// who pushes as the provider). A refusal part way stops the push and is
// returned with what was done; resume with Last.
func (c *Core) PushSubscribers(ctx context.Context, accountID int64, business, content, after string) (*SubPush, error) {
	svc, err := c.SubServiceOf(ctx, business)
	if err != nil {
		return nil, err
	}
	if accountID != 0 && svc.AccountID != accountID {
		return nil, refuse(http.StatusForbidden, "forbidden_business", "subscription service %s belongs to another account", business)
	}
	if strings.TrimSpace(content) == "" {
		return nil, refuse(http.StatusBadRequest, "empty_content", "content is empty")
	}
	res := &SubPush{Business: business, BatchIDs: []int64{}, Last: after}
	for {
		nums, err := c.st.SubscriberNumbers(ctx, business, res.Last, c.cfg.MaxRecipients)
		if err != nil {
			return res, fmt.Errorf("core: push to %s: %w", business, err)
		}
		if len(nums) == 0 {
			return res, nil
		}
		sr, err := c.pushChunk(ctx, svc.AccountID, business, content, nums)
		var ce *Error
		switch {
		case errors.As(err, &ce) && ce.Code == "blacklisted": // every number of the chunk
			res.Refused += len(nums)
		case err != nil:
			return res, err
		default:
			res.BatchIDs = append(res.BatchIDs, sr.BatchID)
			for _, m := range sr.Messages {
				if m.State.Final() {
					res.Refused++
				} else {
					res.Accepted++
				}
			}
		}
		res.Last = nums[len(nums)-1]
		if len(nums) < c.cfg.MaxRecipients {
			return res, nil
		}
	}
}

// pushChunk accepts one chunk, waiting out the account's rate limit.
func (c *Core) pushChunk(ctx context.Context, accountID int64, business, content string, nums []string) (*SendResult, error) {
	for {
		sr, err := c.Accept(ctx, &SendRequest{AccountID: accountID, To: nums, Content: content, Business: business})
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != "rate_limited" || ce.RetryAfter <= 0 {
			return sr, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(ce.RetryAfter):
		}
	}
}

// ParseSubAfter checks a push's resume point (a number, or "").
func ParseSubAfter(after string) (string, error) {
	if after == "" {
		return "", nil
	}
	n, err := sms.NormalizeNumber(after)
	if err != nil {
		return "", refuse(http.StatusBadRequest, "invalid_number", "after %q: %v", after, errors.Unwrap(err))
	}
	return n, nil
}
