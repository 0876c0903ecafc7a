package core

import (
	"context"
	"strings"

	"hongyan/internal/store"
)

// Two-way conversations. A reply normally finds its sender by the number it
// was sent to: each sender has its own extension under a service code, and
// MO routes (or the account's service code) resolve it. Some operators drop
// or shorten the extension on the way back, and some senders share a
// number; then the reply goes to whoever last wrote to that user from a
// number the reply's destination is part of (last-contact mapping).

// lastContact finds the account that most recently sent to from from a
// source number related to to: the reply went to that number, or to a
// prefix of it (the extension was lost), or to an extension of it.
func (c *Core) lastContact(ctx context.Context, from, to string) *store.Message {
	msgs, err := c.st.MessagesTo(ctx, 0, from, 20)
	if err != nil {
		c.log.Warn("last-contact look-up failed", "from", from, "err", err)
		return nil
	}
	for _, m := range msgs { // newest first
		if m.Src != "" && (strings.HasPrefix(m.Src, to) || strings.HasPrefix(to, m.Src)) {
			return m
		}
	}
	return nil
}

// replyRoute decides where an MO goes when its route is only a catch-all:
// if the user's last contact came from a more specific number (an
// extension under it) of another account, the reply goes there — the
// operator dropped the extension. A keyword route is explicit and always
// kept; with no route at all, the last contact is the only clue.
func (c *Core) replyRoute(ctx context.Context, route *store.MORoute, from, to string) (*store.MORoute, int64) {
	if route != nil && route.Keyword != "" {
		return route, 0
	}
	m := c.lastContact(ctx, from, to)
	if m == nil || c.caches.account(m.AccountID) == nil {
		return route, 0
	}
	if route != nil && (m.AccountID == route.AccountID || len(m.Src) <= len(route.ServiceCode)) {
		return route, 0
	}
	return &store.MORoute{ServiceCode: m.Src, AccountID: m.AccountID, Business: m.Business}, m.ID
}
