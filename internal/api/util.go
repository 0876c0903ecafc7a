package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"hongyan/internal/core"
)

func decodeJSON(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(v); err != nil {
		return fmt.Errorf("request body is not valid JSON: %w", err)
	}
	return nil
}

// gatewayCollector exports each gateway's live session state at scrape time.
type gatewayCollector struct {
	c                                      *core.Core
	connected, inflight, window, sent, tmo *prometheus.Desc
}

func newGatewayCollector(c *core.Core) *gatewayCollector {
	l := []string{"gateway", "operator", "protocol"}
	d := func(n, h string) *prometheus.Desc { return prometheus.NewDesc("hongyan_gateway_"+n, h, l, nil) }
	return &gatewayCollector{c: c,
		connected: d("connected_sessions", "Logged-in sessions."),
		inflight:  d("in_flight", "Requests awaiting a response."),
		window:    d("window", "Window size across sessions."),
		sent:      d("requests_sent_total", "Requests sent, resends included."),
		tmo:       d("timeouts_total", "Requests that timed out."),
	}
}

func (g *gatewayCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{g.connected, g.inflight, g.window, g.sent, g.tmo} {
		ch <- d
	}
}

func (g *gatewayCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range g.c.Pool().Statuses() {
		l := []string{s.Name, s.Operator, s.Protocol}
		ch <- prometheus.MustNewConstMetric(g.connected, prometheus.GaugeValue, float64(s.Connected), l...)
		ch <- prometheus.MustNewConstMetric(g.inflight, prometheus.GaugeValue, float64(s.InFlight), l...)
		ch <- prometheus.MustNewConstMetric(g.window, prometheus.GaugeValue, float64(s.Window), l...)
		ch <- prometheus.MustNewConstMetric(g.sent, prometheus.CounterValue, float64(s.Sent), l...)
		ch <- prometheus.MustNewConstMetric(g.tmo, prometheus.CounterValue, float64(s.Timeouts), l...)
	}
}
