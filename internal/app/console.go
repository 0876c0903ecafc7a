package app

import (
	"fmt"
	"time"

	"hongyan/internal/web"
)

// ConsoleConfig is the console: section: the browser console's sessions,
// login lockout and pages (docs/config.md, docs/console.md). A key left
// out keeps the console's default (or what the caller of Build set).
type ConsoleConfig struct {
	IdleTimeout   time.Duration `yaml:"idle_timeout"`    // a session nobody used for this long ends [30m]
	MaxSessionAge time.Duration `yaml:"max_session_age"` // a session ends this long after login, used or not [12h]
	MaxFailures   int           `yaml:"max_failures"`    // failed logins of one username within lock_window… [5]
	LockWindow    time.Duration `yaml:"lock_window"`     // …[15m]
	LockFor       time.Duration `yaml:"lock_for"`        // …lock it this long [15m]
	Refresh       time.Duration `yaml:"refresh"`         // the gateway page refreshes itself this often [5s]
	// SecureCookies marks cookies Secure on plain HTTP too: a console
	// behind a TLS-terminating proxy [false; on a TLS listener always].
	SecureCookies *bool `yaml:"secure_cookies"`
}

// consoleBound is one duration key's allowed range (0 = the default).
type consoleBound struct {
	key      string
	v        time.Duration
	min, max time.Duration
}

// checkConsole validates the section: no negative values, and ranges
// that keep the console usable and its sessions and locks meaningful.
func (c *Config) checkConsole() error {
	cc := c.Console
	for _, b := range []consoleBound{
		{"idle_timeout", cc.IdleTimeout, time.Minute, 24 * time.Hour},
		{"max_session_age", cc.MaxSessionAge, 5 * time.Minute, 30 * 24 * time.Hour},
		{"lock_window", cc.LockWindow, time.Minute, 24 * time.Hour},
		{"lock_for", cc.LockFor, time.Minute, 7 * 24 * time.Hour},
		{"refresh", cc.Refresh, time.Second, 10 * time.Minute},
	} {
		switch {
		case b.v < 0:
			return fmt.Errorf("console.%s %v: must not be negative (leave it out for the default)", b.key, b.v)
		case b.v != 0 && (b.v < b.min || b.v > b.max):
			return fmt.Errorf("console.%s %v: want %v to %v", b.key, b.v, b.min, b.max)
		}
	}
	if cc.MaxFailures < 0 || cc.MaxFailures > 100 {
		return fmt.Errorf("console.max_failures %d: want 1 to 100 (leave it out for the default 5)", cc.MaxFailures)
	}
	if cc.IdleTimeout > 0 && cc.MaxSessionAge > 0 && cc.IdleTimeout > cc.MaxSessionAge {
		return fmt.Errorf("console.idle_timeout %v is longer than console.max_session_age %v", cc.IdleTimeout, cc.MaxSessionAge)
	}
	return nil
}

// apply sets the console options the section gives; the others keep
// their value (the caller's, or zero for the console's default).
func (cc ConsoleConfig) apply(o *web.Options) {
	set := func(dst *time.Duration, v time.Duration) {
		if v > 0 {
			*dst = v
		}
	}
	set(&o.IdleTimeout, cc.IdleTimeout)
	set(&o.MaxSessionAge, cc.MaxSessionAge)
	set(&o.LockWindow, cc.LockWindow)
	set(&o.LockFor, cc.LockFor)
	set(&o.Refresh, cc.Refresh)
	if cc.MaxFailures > 0 {
		o.MaxFailures = cc.MaxFailures
	}
	if cc.SecureCookies != nil {
		o.SecureCookies = *cc.SecureCookies
	}
}
