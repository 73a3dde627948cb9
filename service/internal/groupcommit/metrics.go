package groupcommit

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the committer's Prometheus instruments. They keep the buffered flusher's names
// (buffer_*: a batch commit is this mode's flush), so dashboards and the perf suite read both modes
// alike; what differs is documented in Help.
type Metrics struct {
	batchEvents prometheus.Histogram
	duration    prometheus.Histogram
	queued      prometheus.Histogram
	errors      prometheus.Counter
	completions prometheus.Counter
	rows        prometheus.Counter
	duplicates  prometheus.Counter
	dropped     prometheus.Counter
	refused     prometheus.Counter

	pending  *atomic.Int64 // set by New
	failures *atomic.Int64 // set by New
}

// NewMetrics registers the committer metrics on reg (nil: unregistered, for tests); limit is
// BUFFER_SIZE_LIMIT, exported as a gauge.
func NewMetrics(reg prometheus.Registerer, limit int) *Metrics {
	m := &Metrics{
		batchEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "buffer_flush_entries", Help: "Durable mode: events per committed batch.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "buffer_flush_duration_seconds", Help: "Durable mode: wall time of one batch's commit (one statement).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 15), // 0.5 ms .. 8 s
		}),
		queued: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "commit_batch_open_seconds", Help: "From a batch's first event to the start of its commit (window plus waiting for a commit slot).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 12),
		}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buffer_flush_errors_total", Help: "Durable mode: batches that did not commit (their calls were refused with UNAVAILABLE).",
		}),
		completions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "goal_completions_total", Help: "Goal thresholds (distinct targets of a stat key) newly crossed by commits.",
		}),
		rows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buffer_flushed_entries_total", Help: "Rows written to user_stats.",
		}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "events_duplicate_applied_ids_total", Help: "Additive events whose id was already in applied_events: acknowledged, not counted again.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "commit_events_dropped_total", Help: "Durable mode: events left out of their batch's commit because their caller had gone (cancelled or past its deadline: answered with that error, so redelivered).",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "commit_backoff_refused_total", Help: "Durable mode: events refused UNAVAILABLE without a commit attempt because commits were backing off after a failed one.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.batchEvents, m.duration, m.queued, m.errors, m.completions, m.rows, m.duplicates, m.dropped, m.refused,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "commit_failures_in_a_row", Help: "Durable mode: failed commits since the last success (0: healthy); while above 0, calls are refused between probe commits.",
			}, func() float64 {
				if m.failures == nil {
					return 0
				}
				return float64(m.failures.Load())
			}),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "buffer_entries", Help: "Durable mode: events waiting for or in a commit (none is acknowledged yet).",
			}, func() float64 {
				if m.pending == nil {
					return 0
				}
				return float64(m.pending.Load())
			}),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "buffer_size_limit", Help: "BUFFER_SIZE_LIMIT.",
			}, func() float64 { return float64(limit) }))
	}
	return m
}

func (m *Metrics) observe(events int, res Result, err error, took, open time.Duration) {
	m.duration.Observe(took.Seconds())
	m.queued.Observe(open.Seconds())
	if err != nil {
		m.errors.Inc()
		return
	}
	m.batchEvents.Observe(float64(events))
	m.rows.Add(float64(res.Rows))
	m.duplicates.Add(float64(res.Duplicates))
	m.completions.Add(float64(res.Crossed))
}

func (m *Metrics) droppedGone(n int) {
	if m != nil {
		m.dropped.Add(float64(n))
	}
}

func (m *Metrics) refusedBackoff(n int) {
	if m != nil && n > 0 {
		m.refused.Add(float64(n))
	}
}
