//go:build perf

package perf

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// stepper runs this scenario's levels by the suite's stepping rules (suite.Stepper): the ladder
// until the limit, the re-runs, bisection (PERF_BISECT=false turns it off) and, in the nightly
// profile, the repeat of the maximum.
func (e *scenarioEnv) stepper() *suite.Stepper[levelSpec] {
	return &suite.Stepper[levelSpec]{
		Scenario: e.name,
		Run:      e.runLevel,
		Cooldown: func() { time.Sleep(e.profile.Cooldown) },
		Logf:     e.t.Logf,
		Step:     e.profile.Step,
		Bisect:   os.Getenv("PERF_BISECT") != "false",
		Repeat:   e.profile.Name == "nightly",
		MaxPool:  loadgen.MaxHTTPPool,
		Baseline: func() (runresult.BaselineEntry, bool) {
			ref, ok, err := readBaselineEntry(e.profile.Name, e.name)
			if err != nil {
				e.t.Fatal(err)
			}
			return ref, ok
		},
	}
}

// stepLevels runs levels in order until one fails the limit definition (stepping stops there:
// the previous level is the maximum sustainable one), then narrows the maximum.
func (e *scenarioEnv) stepLevels(res *runresult.ScenarioResult, specs []levelSpec) (lastPass *runresult.LevelResult) {
	return e.stepper().Ladder(res, specs)
}

// runJudged runs a level, and once more when its failure may not be the service's (see
// suite.Stepper.Judged); both runs are kept and the second decides.
func (e *scenarioEnv) runJudged(l levelSpec) []runresult.LevelResult {
	return e.stepper().Judged(l)
}

// writeResult writes the scenario's result.json with the limit definition its levels were judged by.
func (e *scenarioEnv) writeResult(res *runresult.ScenarioResult) {
	th := suite.Thresholds
	res.Thresholds = &th
	writeJSON(e.t, filepath.Join(e.dir, runresult.ResultFile), res)
}

// finish writes result.json and fails the test for the suite's failure conditions
// (suite.Failures: the required first level, the floors PERF_MIN_RPS / PERF_MIN_EPS) and for a
// regression against the baseline (suite.Regressions).
func (e *scenarioEnv) finish(res *runresult.ScenarioResult) {
	t := e.t
	e.writeResult(res)
	t.Logf("%s: maximum sustainable: %s; stopped at: %s", e.name, orNone(res.MaxSustainable), orNone(res.StoppedAt))
	if b := res.Bracket; b != nil {
		t.Logf("%s: maximum between %d and %d %s (%.1f%% apart); repeat: %s", e.name, b.Held, b.Failed, b.Unit, b.WithinPct, orNone(b.Repeat))
	}
	minRPS, err := envInt("PERF_MIN_RPS")
	if err != nil {
		t.Fatal(err)
	}
	minEPS, err := envInt("PERF_MIN_EPS")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range suite.Failures(*res, minRPS, minEPS) {
		t.Errorf("%s: %s", e.name, msg)
	}
	if os.Getenv("PERF_LEVELS") != "" || os.Getenv("PERF_DURATION") != "" && !e.profile.Step {
		return // the baseline was measured with the profile's own levels and durations
	}
	ref, ok := e.baselineEntry()
	if !ok {
		return
	}
	for _, msg := range suite.Regressions(*res, ref, e.profile.Step) {
		t.Errorf("%s: %s", e.name, msg)
	}
}

func (e *scenarioEnv) baselineEntry() (runresult.BaselineEntry, bool) {
	ref, ok, err := readBaselineEntry(e.profile.Name, e.name)
	if err != nil {
		e.t.Fatal(err)
	}
	if !ok {
		e.t.Logf("%s: %s has no %s entry for this scenario: no baseline gate", e.name, baselinePath, e.profile.Name)
	}
	return ref, ok
}

var baselinePath = filepath.Join("testdata", "baseline.json")

func readBaselineEntry(profile, scenario string) (runresult.BaselineEntry, bool, error) {
	b, err := runresult.ReadBaseline(baselinePath)
	if err != nil {
		return runresult.BaselineEntry{}, false, fmt.Errorf("%s: %w", baselinePath, err)
	}
	ref, ok := b[profile][scenario]
	return ref, ok, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
