package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestLimitsComeFromTheResultsElseTheSuite(t *testing.T) {
	old := &Results{Scenarios: map[string]*Scenario{ScenarioAPI: {Name: ScenarioAPI}}}
	assert.Equal(t, limitsView{ErrorRate: "1%", APIP95: "2 s", EventP95: "500 ms", Achieved: "95%", Dropped: "1%",
		ErrorRatio: "0.01", APIP95Sec: "2", EventP95Sec: "0.5"}, old.limitsView(), "results written before result.json recorded them")

	th := runresult.Thresholds{MaxErrorRate: 0.005, MaxAPIP95ms: 1500, MaxEventP95ms: 250, MinAchievedPct: 97.5, MaxDroppedPct: 0.5}
	recorded := &Results{Scenarios: map[string]*Scenario{ScenarioAPI: {Name: ScenarioAPI}},
		Faults: &Scenario{Name: FaultScenario, Result: runresult.ScenarioResult{Thresholds: &th}}}
	assert.Equal(t, limitsView{ErrorRate: "0.5%", APIP95: "1.5 s", EventP95: "250 ms", Achieved: "97.5%", Dropped: "0.5%",
		ErrorRatio: "0.005", APIP95Sec: "1.5", EventP95Sec: "0.25"}, recorded.limitsView())
}
