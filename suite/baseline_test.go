package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestHeldByBaseline(t *testing.T) {
	api := runresult.BaselineEntry{MaxRPS: 5000}
	assert.True(t, HeldByBaseline(api, 5000, 0))
	assert.False(t, HeldByBaseline(api, 7500, 0))
	assert.False(t, HeldByBaseline(api, 1000, 100), "the baseline measured no events")
	combined := runresult.BaselineEntry{MaxRPS: 2000, MaxEPS: 1000}
	assert.True(t, HeldByBaseline(combined, 1000, 1000))
	assert.False(t, HeldByBaseline(combined, 1000, 2000))
	assert.False(t, HeldByBaseline(runresult.BaselineEntry{APIP95ms: 1}, 50, 0), "a smoke entry has no maxima")
}

func TestRegressionsOfSteppingProfilesCompareMaxima(t *testing.T) {
	ref := runresult.BaselineEntry{MaxRPS: 1000, MaxEPS: 5000, Source: "nightly/scenario3"}
	assert.Empty(t, Regressions(runresult.ScenarioResult{MaxRPS: 800, MaxEPS: 5000}, ref, true), "20% below: within the tolerance")
	assert.Equal(t, []string{
		"REGRESSION: maximum sustainable RPS 700 is more than 20% below the baseline 1000 (nightly/scenario3)",
		"REGRESSION: maximum sustainable EPS 2000 is more than 20% below the baseline 5000 (nightly/scenario3)",
	}, Regressions(runresult.ScenarioResult{MaxRPS: 700, MaxEPS: 2000}, ref, true))
	assert.Empty(t, Regressions(runresult.ScenarioResult{MaxRPS: 10, MaxEPS: 100}, runresult.BaselineEntry{MaxEPS: 100}, true), "no API maximum in the baseline: the API rate is not gated")
}

func TestRegressionsOfTheSmokeLevelCompareItsCost(t *testing.T) {
	ref := runresult.BaselineEntry{APIP95ms: 20, CPUPct: map[string]float64{"event-handler": 30, "challenge-service": 40}, Source: "smoke"}
	level := func(p95, serviceCPU, handlerCPU float64) runresult.ScenarioResult {
		return runresult.ScenarioResult{Levels: []runresult.LevelResult{{Level: "200 RPS", API: &runresult.Side{P95ms: p95},
			Resources: map[string]runresult.ResourceRow{"challenge-service": {CPUAvgPct: serviceCPU}, "event-handler": {CPUAvgPct: handlerCPU}}}}}
	}
	assert.Empty(t, Regressions(level(70, 90, 70), ref, false), "3× 20 ms + 10 ms; 2× 40% + 10%")
	assert.Equal(t, []string{
		"REGRESSION at the smoke level 200 RPS: API p95 70.5 ms > 3× baseline 20.0 ms + 10 ms (smoke)",
		"REGRESSION at the smoke level 200 RPS: challenge-service CPU 90.5% > 2× baseline 40.0% + 10% (smoke)",
		"REGRESSION at the smoke level 200 RPS: event-handler CPU 71.0% > 2× baseline 30.0% + 10% (smoke)",
	}, Regressions(level(70.5, 90.5, 71), ref, false))
	assert.Empty(t, Regressions(runresult.ScenarioResult{}, ref, false), "no level")
}

func TestFailures(t *testing.T) {
	res := runresult.ScenarioResult{MaxRPS: 500, Levels: []runresult.LevelResult{{Level: "50 RPS", RPS: 50, Verdict: runresult.VerdictPass}}}
	assert.Empty(t, Failures(res, 500, 0))
	assert.Empty(t, Failures(res, 0, 1000), "no events in the scenario: no event floor")
	assert.Equal(t, []string{"maximum sustainable API rate 500 RPS is below the floor PERF_MIN_RPS=1000"}, Failures(res, 1000, 0))
	res.Levels[0].Verdict, res.Levels[0].Reasons = runresult.VerdictLimit, []string{"API p95 2500 ms > 2000 ms"}
	res.MaxRPS = 0
	assert.Equal(t, []string{"the first (required) level 50 RPS failed: [API p95 2500 ms > 2000 ms]"}, Failures(res, 0, 0))
	assert.Empty(t, Failures(runresult.ScenarioResult{}, 100, 100))
}
