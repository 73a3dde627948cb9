package runresult

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBaselineFromSteppingKeepsTheMaxima(t *testing.T) {
	e, err := BaselineFrom(ScenarioResult{Scenario: "scenario3", MaxSustainable: "x", MaxRPS: 2000, MaxEPS: 1000}, true, "src")
	require.NoError(t, err)
	assert.Equal(t, BaselineEntry{MaxRPS: 2000, MaxEPS: 1000, Source: "src"}, e)

	_, err = BaselineFrom(ScenarioResult{Scenario: "scenario1"}, true, "src")
	assert.ErrorContains(t, err, "no level passed")
}

func TestBaselineFromSmokeKeepsTheLevelCost(t *testing.T) {
	res := func(api, events *Side, verdict string) ScenarioResult {
		return ScenarioResult{Scenario: "s", Levels: []LevelResult{{Level: "l", API: api, Events: events, Verdict: verdict,
			Resources: map[string]ResourceRow{"challenge-service": {CPUAvgPct: 11.26}, "event-handler": {CPUAvgPct: 0.74}, "postgres": {CPUAvgPct: 50}}}}}
	}
	e, err := BaselineFrom(res(&Side{P95ms: 1.054}, nil, VerdictPass), false, "src")
	require.NoError(t, err)
	assert.Equal(t, BaselineEntry{APIP95ms: 1.05, CPUPct: map[string]float64{"challenge-service": 11.3, "event-handler": 0.7}, Source: "src"}, e)

	// With events the API p95 is the mock reward latency of claims: not kept.
	e, err = BaselineFrom(res(&Side{P95ms: 180}, &Side{P95ms: 2.466}, VerdictPass), false, "src")
	require.NoError(t, err)
	assert.Zero(t, e.APIP95ms)
	assert.Equal(t, 2.47, e.EventsP95ms)

	_, err = BaselineFrom(res(&Side{}, nil, VerdictLimit), false, "src")
	assert.ErrorContains(t, err, "did not pass")
}

func TestBaselineRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.json")
	b, err := ReadBaseline(path)
	require.NoError(t, err)
	assert.Empty(t, b)
	b["nightly"] = map[string]BaselineEntry{"scenario1": {MaxRPS: 5000, Source: "x"}}
	require.NoError(t, b.Write(path))
	got, err := ReadBaseline(path)
	require.NoError(t, err)
	assert.Equal(t, b, got)
}
