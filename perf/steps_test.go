//go:build perf

package perf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/challenge-perf/challenge-perf/internal/results"
)

// stepLevels runs levels in order until one fails the limit definition (stepping stops there:
// the previous level is the maximum sustainable one).
func (e *scenarioEnv) stepLevels(res *results.ScenarioResult, specs []levelSpec) (lastPass *results.LevelResult) {
	for i, l := range specs {
		if i > 0 {
			time.Sleep(e.profile.Cooldown)
		}
		r := e.runLevel(l)
		res.Levels = append(res.Levels, r)
		if r.Verdict != results.VerdictPass {
			res.StoppedAt = r.Level
			res.StopReasons = r.Reasons
			e.t.Logf("%s: stopped at %s: %v", e.name, r.Level, r.Reasons)
			return lastPass
		}
		lastPass = &res.Levels[len(res.Levels)-1]
	}
	return lastPass
}

// baseline is perf/testdata/baseline.json: maximum sustainable levels measured on the reference
// machine per profile and scenario. A new run more than 20% below fails as a regression.
type baseline map[string]map[string]struct {
	MaxRPS int    `json:"max_rps,omitempty"`
	MaxEPS int    `json:"max_eps,omitempty"`
	Source string `json:"source"` // the results file the figure came from
}

const regressionTolerance = 0.20

// finish writes result.json and fails the test for the suite's failure conditions: the required
// (first) level failed, a floor (PERF_MIN_RPS / PERF_MIN_EPS) is not met, or the maximum dropped
// more than 20% below the baseline. Reaching a limit above those is a finding, not a failure.
func (e *scenarioEnv) finish(res *results.ScenarioResult) {
	t := e.t
	writeJSON(t, filepath.Join(e.dir, "result.json"), res)
	t.Logf("%s: maximum sustainable: %s; stopped at: %s", e.name, orNone(res.MaxSustainable), orNone(res.StoppedAt))
	if len(res.Levels) > 0 && res.Levels[0].Verdict != results.VerdictPass {
		t.Errorf("%s: the first (required) level %s failed: %v", e.name, res.Levels[0].Level, res.Levels[0].Reasons)
	}
	minRPS, err := envInt("PERF_MIN_RPS")
	if err != nil {
		t.Fatal(err)
	}
	minEPS, err := envInt("PERF_MIN_EPS")
	if err != nil {
		t.Fatal(err)
	}
	if minRPS > 0 && res.MaxRPS < minRPS && res.Levels[0].RPS > 0 {
		t.Errorf("%s: maximum sustainable API rate %d RPS is below the floor PERF_MIN_RPS=%d", e.name, res.MaxRPS, minRPS)
	}
	if minEPS > 0 && res.MaxEPS < minEPS && res.Levels[0].EPS > 0 {
		t.Errorf("%s: maximum sustainable event rate %d EPS is below the floor PERF_MIN_EPS=%d", e.name, res.MaxEPS, minEPS)
	}
	if !e.profile.Step || os.Getenv("PERF_LEVELS") != "" {
		return // the baseline holds maxima of full level ladders
	}
	data, err := os.ReadFile(filepath.Join("testdata", "baseline.json"))
	if err != nil {
		t.Logf("%s: no baseline to compare with (%v)", e.name, err)
		return
	}
	var b baseline
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("testdata/baseline.json: %v", err)
	}
	ref, ok := b[e.profile.Name][e.name]
	if !ok {
		t.Logf("%s: baseline.json has no %s entry for this scenario", e.name, e.profile.Name)
		return
	}
	check := func(what string, got, want int) {
		if want > 0 && float64(got) < float64(want)*(1-regressionTolerance) {
			t.Errorf("%s: REGRESSION: maximum sustainable %s %d is more than %.0f%% below the baseline %d (%s)",
				e.name, what, got, 100*regressionTolerance, want, ref.Source)
		}
	}
	check("RPS", res.MaxRPS, ref.MaxRPS)
	check("EPS", res.MaxEPS, ref.MaxEPS)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func levelName(rps, eps int) string {
	switch {
	case rps > 0 && eps > 0:
		return fmt.Sprintf("rps-%d_eps-%d", rps, eps)
	case rps > 0:
		return fmt.Sprintf("rps-%d", rps)
	}
	return fmt.Sprintf("eps-%d", eps)
}
