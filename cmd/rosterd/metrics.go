package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rosterd/rosterd/preflight"
)

// metrics are the daemon's Prometheus metrics, on a registry of its own
// (never the global one).
type metrics struct {
	registry *prometheus.Registry

	runs          *prometheus.CounterVec
	reused        *prometheus.CounterVec
	runDuration   *prometheus.HistogramVec
	fetched       *prometheus.GaugeVec
	committed     *prometheus.CounterVec
	requests      *prometheus.CounterVec
	rateLimitWait *prometheus.CounterVec
	lastCommit    *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rosterd_runs_total", Help: "Runs finished, by connection and verdict.",
		}, []string{"connection", "verdict"}),
		reused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rosterd_runs_reused_total", Help: "Runs that reused an earlier run's rules and preflight result, the roster being unchanged, by connection.",
		}, []string{"connection"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rosterd_run_duration_seconds", Help: "Wall time of a run, fetch to commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12), // 1 s to about an hour
		}, []string{"connection"}),
		fetched: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rosterd_records_fetched", Help: "Records the last run fetched, by connection and entity.",
		}, []string{"connection", "entity"}),
		committed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rosterd_records_committed_total", Help: "Records committed, by connection and action (added, updated, deleted).",
		}, []string{"connection", "action"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rosterd_source_requests_total", Help: "Requests to the source, by connection and HTTP status (0: no response).",
		}, []string{"connection", "status"}),
		rateLimitWait: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rosterd_rate_limit_wait_seconds_total", Help: "Time spent waiting for a source's rate limit, by connection.",
		}, []string{"connection"}),
		lastCommit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rosterd_last_commit_timestamp_seconds", Help: "Unix time of the last committed run, by connection.",
		}, []string{"connection"}),
	}
	m.registry.MustRegister(m.runs, m.reused, m.runDuration, m.fetched, m.committed, m.requests, m.rateLimitWait, m.lastCommit,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the metrics in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// runFinished counts a run from its report.
func (m *metrics) runFinished(rep *preflight.Report) {
	conn := rep.Connection
	m.runs.WithLabelValues(conn, string(rep.Verdict)).Inc()
	if rep.ReusedFrom != 0 {
		m.reused.WithLabelValues(conn).Inc()
	}
	if !rep.Finished.IsZero() {
		m.runDuration.WithLabelValues(conn).Observe(rep.Finished.Sub(rep.Started).Seconds())
	}
	for _, c := range rep.Counts {
		m.fetched.WithLabelValues(conn, string(c.Entity)).Set(float64(c.Fetched))
	}
	if rep.Verdict != preflight.VerdictCommitted {
		return
	}
	var added, updated, deleted int
	for _, c := range rep.Counts {
		added, updated, deleted = added+c.Added, updated+c.Updated, deleted+c.Deleted
	}
	m.committed.WithLabelValues(conn, "added").Add(float64(added))
	m.committed.WithLabelValues(conn, "updated").Add(float64(updated))
	m.committed.WithLabelValues(conn, "deleted").Add(float64(deleted))
	m.lastCommit.WithLabelValues(conn).Set(float64(rep.Finished.Unix()))
}

// source returns the transport observer of one connection's source.
func (m *metrics) source(conn string) transport.Observer { return sourceMetrics{m, conn} }

type sourceMetrics struct {
	m    *metrics
	conn string
}

func (s sourceMetrics) Attempt(status int) {
	s.m.requests.WithLabelValues(s.conn, strconv.Itoa(status)).Inc()
}

func (s sourceMetrics) RateLimitWait(d time.Duration) {
	s.m.rateLimitWait.WithLabelValues(s.conn).Add(d.Seconds())
}
