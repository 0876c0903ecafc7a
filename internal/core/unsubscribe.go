package core

import (
	"context"
	"fmt"
	"strings"

	"hongyan/internal/store"
)

// Unsubscribing by reply, as Chinese operators require of every marketing
// sender: a user who answers TD (or 退订, T, N …) to a number is put on the
// blacklist of the business type that wrote to them from that number, and
// told so. The blacklist entry is durable before the MO is acknowledged to
// the operator, so a crash makes the operator resend the reply rather than
// lose the request.

// DefaultUnsubscribeWords are the replies that unsubscribe unless configured.
var DefaultUnsubscribeWords = []string{"TD", "退订", "T", "N"}

// DefaultUnsubscribeReply confirms an unsubscription; %s is the business type's name.
const DefaultUnsubscribeReply = "您已成功退订%s短信，将不再收到此类消息。"

func (c *Core) isUnsubscribe(keyword string) bool {
	for _, w := range c.cfg.UnsubscribeWords {
		if MOKeyword(w) == keyword {
			return true
		}
	}
	return false
}

// unsubscribeBusiness is the business type an unsubscribing reply is about:
// the MO route's, else that of the latest message the account sent the
// user from the number replied to.
func (c *Core) unsubscribeBusiness(ctx context.Context, acc *store.Account, mo *store.MO) (string, error) {
	if mo.Business != "" {
		return mo.Business, nil
	}
	msgs, err := c.st.MessagesTo(ctx, acc.ID, mo.From, 50)
	if err != nil {
		return "", fmt.Errorf("core: unsubscribe: messages to %s: %w", mo.From, err)
	}
	for _, m := range msgs { // newest first
		if m.Src != "" && strings.HasPrefix(mo.To, m.Src) {
			return m.Business, nil
		}
	}
	return "", nil
}

// unsubscribe blacklists the sender of an unsubscribing reply for its
// business type (set on mo) and queues the confirmation. It reports
// whether the reply was an unsubscription.
func (c *Core) unsubscribe(ctx context.Context, acc *store.Account, mo *store.MO) (bool, error) {
	if acc == nil || !c.isUnsubscribe(mo.Keyword) {
		return false, nil
	}
	business, err := c.unsubscribeBusiness(ctx, acc, mo)
	if err != nil {
		return false, err
	}
	if business == "" {
		c.log.Warn("unsubscribe reply, but no message of this account reached the user from that number: nothing to unsubscribe from",
			"from", mo.From, "to", mo.To, "account", acc.Name)
		return false, nil
	}
	mo.Business = business
	if _, err := c.BlacklistAdd(ctx, []string{mo.From}, business, "reply "+mo.Content, "unsubscribe"); err != nil {
		return false, fmt.Errorf("core: unsubscribe %s from %s: %w", mo.From, business, err)
	}
	c.m.unsubscribed.Inc()
	return true, nil
}

// confirmUnsubscribe tells the user, from the number they replied to. It is
// the platform's own message: free, and past the blacklist just written.
func (c *Core) confirmUnsubscribe(ctx context.Context, acc *store.Account, mo *store.MO) {
	if c.cfg.UnsubscribeReply == "-" {
		return // confirmations switched off
	}
	name := mo.Business
	if bt := c.caches.business(mo.Business); bt != nil && bt.Name != "" {
		name = bt.Name
	}
	text := c.cfg.UnsubscribeReply
	if strings.Contains(text, "%s") {
		text = fmt.Sprintf(text, name)
	}
	ext := ""
	if acc.ServiceCode != "" && strings.HasPrefix(mo.To, acc.ServiceCode) {
		ext = mo.To[len(acc.ServiceCode):]
	}
	_, err := c.Accept(ctx, &SendRequest{AccountID: acc.ID, To: []string{mo.From}, Content: text, Business: mo.Business,
		Ext: ext, system: true})
	if err != nil {
		c.log.Warn("unsubscribe confirmation not sent", "to", mo.From, "business", mo.Business, "err", err)
	}
}
