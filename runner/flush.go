package runner

import (
	dto "github.com/prometheus/client_model/go"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// The handler's metrics a level's flush statistics come from (this repository's handler only).
const (
	metricFlushDuration = "buffer_flush_duration_seconds"
	metricFlushEntries  = "buffer_flush_entries"
	metricFlushErrors   = "buffer_flush_errors_total"
)

// FlushDelta is a level's flushes from two scrapes of the handler's metrics, before and after it.
func FlushDelta(before, after map[string]*dto.MetricFamily) *runresult.FlushStats {
	c0, s0, _ := harness.HistogramTotals(before, metricFlushDuration)
	c1, s1, _ := harness.HistogramTotals(after, metricFlushDuration)
	_, e0, _ := harness.HistogramTotals(before, metricFlushEntries)
	_, e1, _ := harness.HistogramTotals(after, metricFlushEntries)
	err0, _ := harness.MetricSum(before, metricFlushErrors, nil)
	err1, _ := harness.MetricSum(after, metricFlushErrors, nil)
	f := &runresult.FlushStats{Flushes: c1 - c0, Errors: err1 - err0}
	if f.Flushes > 0 {
		f.AvgMs = 1000 * (s1 - s0) / float64(f.Flushes)
		f.AvgEntries = (e1 - e0) / float64(f.Flushes)
	}
	return f
}
