package core

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	accepted          prometheus.Counter
	submitted         prometheus.Counter
	segmentsSubmitted prometheus.Counter
	retries           prometheus.Counter
	reports           prometheus.Counter
	unmatched         prometheus.Counter
	duplicateReports  prometheus.Counter
	noGateway         prometheus.Counter
	mo                prometheus.Counter
	final             *prometheus.CounterVec
	refused           *prometheus.CounterVec
	unsubscribed      prometheus.Counter
	pushes            *prometheus.CounterVec
	submitSeconds     prometheus.Histogram
}

func newMetrics() *metrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "hongyan", Name: name, Help: help})
	}
	return &metrics{
		accepted:          c("messages_accepted_total", "Messages accepted through any interface."),
		submitted:         c("messages_submitted_total", "Messages whose every segment the operator acknowledged."),
		segmentsSubmitted: c("segments_submitted_total", "Segments acknowledged by operators."),
		retries:           c("retries_total", "Submit attempts scheduled again after a failure."),
		reports:           c("reports_total", "Status reports received and stored."),
		unmatched:         c("reports_unmatched_total", "Status reports that matched no sent segment (kept)."),
		duplicateReports:  c("reports_duplicate_total", "Status reports for segments already final."),
		noGateway:         c("no_gateway_total", "Times a dispatcher found no healthy gateway for an operator."),
		mo:                c("mo_total", "MO messages stored."),
		unsubscribed:      c("unsubscribed_total", "Replies that unsubscribed a number from a business type."),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hongyan", Name: "refused_total",
			Help: "Requests or numbers refused at accept by a business rule."}, []string{"reason"}),
		final: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hongyan", Name: "messages_final_total",
			Help: "Messages reaching a final state."}, []string{"state"}),
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hongyan", Name: "push_attempts_total",
			Help: "Callback push attempts by result."}, []string{"result"}),
		submitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "hongyan", Name: "submit_seconds",
			Help: "Time from submit to the operator's response.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}),
	}
}

// Collectors returns the core's metrics for registration.
func (c *Core) Collectors() []prometheus.Collector {
	m := c.m
	return []prometheus.Collector{m.accepted, m.submitted, m.segmentsSubmitted, m.retries, m.reports, m.unmatched,
		m.duplicateReports, m.noGateway, m.mo, m.final, m.refused, m.unsubscribed, m.pushes, m.submitSeconds}
}
