package runresult

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
)

// Baseline is perf/testdata/baseline.json: per profile and scenario, the reference figures a run
// is gated against. Stepping profiles keep the maximum sustainable rates; the smoke profile, which
// runs one level, keeps that level's cost (p95 and CPU per program).
type Baseline map[string]map[string]BaselineEntry

// BaselineEntry is one scenario's reference under one profile.
type BaselineEntry struct {
	MaxRPS      int                `json:"max_rps,omitempty"`
	MaxEPS      int                `json:"max_eps,omitempty"`
	APIP95ms    float64            `json:"api_p95_ms,omitempty"`
	EventsP95ms float64            `json:"events_p95_ms,omitempty"`
	CPUPct      map[string]float64 `json:"cpu_pct,omitempty"` // average CPU % per container at the level
	Source      string             `json:"source"`            // the results file the figures came from
	// HostCPUs is the CPUs of the machine the figures were measured on (0: not recorded): on
	// another kind of machine the scenario is measured, not gated.
	HostCPUs int `json:"host_cpus,omitempty"`
	// DurationPerLevel is the level duration the figures were measured at ("" : not recorded):
	// a run at another duration is measured, not gated (a 30 s level is not a 2-minute one).
	DurationPerLevel string `json:"duration_per_level,omitempty"`
}

// BaselinePrograms are the containers whose CPU the smoke gate compares.
var BaselinePrograms = []string{"challenge-service", "event-handler"}

// ReadBaseline reads a baseline file; a missing file is an empty baseline.
func ReadBaseline(path string) (Baseline, error) {
	b := Baseline{}
	if _, err := ReadJSON(path, &b); err != nil {
		return nil, err
	}
	return b, nil
}

// Write stores the baseline as indented JSON.
func (b Baseline) Write(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// BaselineFrom is the entry a scenario's result gives. stepping: the profile climbs levels (keep
// the maxima); otherwise the first level's cost. The API p95 is kept only for levels without
// events: with events, users complete goals and the API mix claims them, so its p95 is the mock
// reward platform's latency, not the service's.
func BaselineFrom(res ScenarioResult, stepping bool, source string) (BaselineEntry, error) {
	e := BaselineEntry{Source: source}
	if stepping {
		if res.MaxSustainable == "" {
			return e, fmt.Errorf("%s: no level passed, nothing to keep as a baseline", res.Scenario)
		}
		e.MaxRPS, e.MaxEPS = res.MaxRPS, res.MaxEPS
		return e, nil
	}
	if len(res.Levels) == 0 {
		return e, fmt.Errorf("%s: no level", res.Scenario)
	}
	l := res.Levels[0]
	if l.Verdict != VerdictPass {
		return e, fmt.Errorf("%s: the smoke level %s did not pass (%s), not a baseline", res.Scenario, l.Level, l.Verdict)
	}
	if l.API != nil && l.Events == nil {
		e.APIP95ms = round2(l.API.P95ms)
	}
	if l.Events != nil {
		e.EventsP95ms = round2(l.Events.P95ms)
	}
	for _, c := range BaselinePrograms {
		if r, ok := l.Resources[c]; ok {
			if e.CPUPct == nil {
				e.CPUPct = map[string]float64{}
			}
			e.CPUPct[c] = math.Round(r.CPUAvgPct*10) / 10
		}
	}
	return e, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
