package session

import "time"

// withDefaults fills zero fields with the CMPP spec values (C = 3 min,
// T = 60 s, N = 3, W = 16).
func (c Config) withDefaults() Config {
	if c.Window <= 0 {
		c.Window = 16
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 60 * time.Second
	}
	// Negative means "never resend" and must stay negative: defaults are
	// applied twice on a client's connections (Client, then Conn).
	if c.Resends == 0 {
		c.Resends = 2
	}
	if c.IdleHeartbeat <= 0 {
		c.IdleHeartbeat = 3 * time.Minute
	}
	if c.HeartbeatMisses <= 0 {
		c.HeartbeatMisses = 3
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.InboundConcurrent <= 0 {
		c.InboundConcurrent = c.Window * 4
	}
	return c
}

func (c ClientConfig) withDefaults() ClientConfig {
	if c.Conns <= 0 {
		c.Conns = 1
	}
	if c.Burst <= 0 {
		c.Burst = 1
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 500 * time.Millisecond
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 30 * time.Second
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = c.BackoffMin
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 10 * time.Second
	}
	c.Conn = c.Conn.withDefaults()
	return c
}
