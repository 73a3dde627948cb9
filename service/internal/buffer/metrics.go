package buffer

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the flusher's Prometheus instruments.
type Metrics struct {
	FlushEntries   prometheus.Histogram
	FlushDuration  prometheus.Histogram
	FlushErrors    prometheus.Counter
	FlushReplays   prometheus.Counter
	Completions    prometheus.Counter
	FlushedEntries prometheus.Counter
}

// NewMetrics registers the buffer metrics on reg (nil: unregistered, for tests) and a gauge of
// buffered keys read from b.
func NewMetrics(reg prometheus.Registerer, b *Buffer) *Metrics {
	m := &Metrics{
		FlushEntries: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "buffer_flush_entries", Help: "Rows written per flush.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10), // 1 .. 262144
		}),
		FlushDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "buffer_flush_duration_seconds", Help: "Wall time of one flush (all its statements).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14), // 1 ms .. 8 s
		}),
		FlushErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buffer_flush_errors_total", Help: "Failed flush statements (retried with their flush id until written).",
		}),
		FlushReplays: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buffer_flush_replays_total", Help: "Flush retries that found their failed attempt committed (its reply lost): nothing applied twice.",
		}),
		Completions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "goal_completions_total", Help: "Goal thresholds (distinct targets of a stat key) newly crossed by flushes; one per goal when targets are distinct.",
		}),
		FlushedEntries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buffer_flushed_entries_total", Help: "Rows written to user_stats.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.FlushEntries, m.FlushDuration, m.FlushErrors, m.FlushReplays, m.Completions, m.FlushedEntries,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "buffer_entries", Help: "Keys held by the buffer: live, being flushed, or reserved.",
			}, func() float64 { return float64(b.Len()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "buffer_size_limit", Help: "BUFFER_SIZE_LIMIT.",
			}, func() float64 { return float64(b.Limit()) }))
	}
	return m
}
