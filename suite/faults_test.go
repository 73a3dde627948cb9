package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// A fault from 3.0 s to 4.0 s: events fail at t=4 and t=5 (100 of 500, then 10 of 500), the
// API answers slowly at t=6 (p95 2.5 s), everything is clean afterwards.
func TestAnalyzeFaultFindsErrorRatesAndRecovery(t *testing.T) {
	var samples []Sample
	for sec := 1; sec <= 12; sec++ {
		ev := Sample{T: float64(sec), Scenario: "events", Reqs: 500, P95: 10}
		api := Sample{T: float64(sec), Scenario: "api", Reqs: 100, P95: 20}
		switch sec {
		case 4:
			ev.Errors = 100
		case 5:
			ev.Errors = 10
		case 6:
			api.P95 = 2500
		}
		samples = append(samples, ev, api, Sample{T: float64(sec), Scenario: "_all", Reqs: 600, Errors: 999})
	}
	r := &runresult.FaultResult{StartSec: 3, EndSec: 4, RecoverySec: -1}
	AnalyzeFault(r, samples, Thresholds)
	assert.InDelta(t, 110.0/(500*6), r.EventErrorRateDuring, 1e-9, "during: t in (3, 9], up to 5 s after the end: six seconds")
	assert.Zero(t, r.EventErrorRateAfter)
	assert.Zero(t, r.APIErrorRateDuring)
	assert.Equal(t, 4.0, r.RecoverySec, "the slow API second (t=6, 3 s after the start) is the last bad one")

	// A stack that never recovers within the level keeps RecoverySec at -1.
	r = &runresult.FaultResult{StartSec: 3, EndSec: 4, RecoverySec: -1}
	for i := range samples {
		if samples[i].Scenario == "events" {
			samples[i].Errors = 50
		}
	}
	AnalyzeFault(r, samples, Thresholds)
	assert.Equal(t, -1.0, r.RecoverySec)
	assert.InDelta(t, 0.1, r.EventErrorRateAfter, 1e-9)
}
