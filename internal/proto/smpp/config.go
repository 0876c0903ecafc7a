package smpp

import (
	"time"

	"hongyan/internal/session"
)

// SMPP defaults where session.Config's (CMPP's) do not fit. The spec fixes
// no timers; these are common SMSC account-sheet values.
const (
	// DefaultWindow follows the spec's guideline of at most 10 outstanding
	// requests per direction (§2.7 / protocols/smpp.md).
	DefaultWindow = 10
	// DefaultEnquireLink is the idle time before an enquire_link: SMSCs
	// commonly drop links idle for 60 s or more.
	DefaultEnquireLink = 30 * time.Second
	// DefaultRequestTimeout bounds the wait for a response.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultLoginTimeout closes a connection that has not bound (server) or
	// sent outbind (client outbind listener) by then.
	DefaultLoginTimeout = 30 * time.Second
)

// sessionDefaults fills what the caller left zero. Resends default to none:
// SMPP defines no retransmission, and an SMSC takes a resent submit_sm (same
// sequence number or not) as a second message.
func sessionDefaults(c session.Config, window int) session.Config {
	if window > 0 {
		c.Window = window
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.IdleHeartbeat <= 0 {
		c.IdleHeartbeat = DefaultEnquireLink
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.Resends == 0 {
		c.Resends = -1
	}
	return c
}
