package gateway

import "time"

// SetProbeAfter shortens a gateway's wait before a probe (tests).
func SetProbeAfter(g *Gateway, d time.Duration) {
	g.health.mu.Lock()
	g.health.probeAfter = d
	g.health.mu.Unlock()
}
