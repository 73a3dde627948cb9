//go:build perf

package perf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// A fault from 3.0 s to 4.0 s: events fail at t=4 and t=5 (100 of 500, then 10 of 500), the
// API answers slowly at t=6 (p95 2.5 s), everything is clean afterwards.
func TestAnalyzeFaultFindsErrorRatesAndRecovery(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "timeseries.ndjson"))
	require.NoError(t, err)
	enc := json.NewEncoder(f)
	for sec := 1; sec <= 12; sec++ {
		ev := loadgen.TimeseriesLine{T: float64(sec), Scenario: "events", Reqs: 500, P95: 10}
		api := loadgen.TimeseriesLine{T: float64(sec), Scenario: "api", Reqs: 100, P95: 20}
		switch sec {
		case 4:
			ev.Errors = 100
		case 5:
			ev.Errors = 10
		case 6:
			api.P95 = 2500
		}
		require.NoError(t, enc.Encode(ev))
		require.NoError(t, enc.Encode(api))
		require.NoError(t, enc.Encode(loadgen.TimeseriesLine{T: float64(sec), Scenario: "_all", Reqs: 600, Errors: 999}))
	}
	require.NoError(t, f.Close())
	r := &runresult.FaultResult{StartSec: 3, EndSec: 4, RecoverySec: -1}
	require.NoError(t, analyzeFault(r, dir))
	assert.InDelta(t, 110.0/(500*6), r.EventErrorRateDuring, 1e-9, "during: t in (3, 9], up to 5 s after the end: six seconds")
	assert.Zero(t, r.EventErrorRateAfter)
	assert.Zero(t, r.APIErrorRateDuring)
	assert.Equal(t, 4.0, r.RecoverySec, "the slow API second (t=6, 3 s after the start) is the last bad one")
}
