package runner

import (
	"path/filepath"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// AnalyzeFault fills a fault's error rates and recovery time from the level's time series (one
// line per second and scenario; suite.AnalyzeFault judges them by the suite's thresholds) and the
// redelivery count from its summary. r holds the fault's injection window already.
func AnalyzeFault(r *runresult.FaultResult, dir string) error {
	lines, err := loadgen.ReadTimeseries(filepath.Join(dir, TimeseriesFile))
	if err != nil {
		return err
	}
	samples := make([]suite.Sample, len(lines))
	for i, l := range lines {
		samples[i] = suite.Sample{T: l.T, Scenario: l.Scenario, Reqs: l.Reqs, Errors: float64(l.Errors), P95: l.P95}
	}
	suite.AnalyzeFault(r, samples, suite.Thresholds)
	if s, err := ReadSummary(dir); err == nil {
		r.EventsRedelivered = EventsRedelivered(s)
	}
	return nil
}
