//go:build perf

package perf

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// stepper runs this scenario's levels by the suite's stepping rules (suite.Stepper): the ladder
// until the limit, the re-runs, bisection (PERF_BISECT=false turns it off) and the confirmation
// of the maximum by repeats (PERF_REPEATS; the nightly profile's 3 runs).
func (e *scenarioEnv) stepper() *suite.Stepper[runner.LevelSpec] {
	return &suite.Stepper[runner.LevelSpec]{
		Scenario: e.name,
		Run:      e.runLevel,
		Cooldown: func() { time.Sleep(e.profile.Cooldown) },
		Logf:     e.t.Logf,
		Step:     e.profile.Step,
		Bisect:   settings.Bisect,
		Repeats:  e.profile.Repeats,
		MaxPool:  loadgen.MaxHTTPPool,
		Baseline: e.baselineEntryQuiet,
	}
}

// stepLevels runs levels in order until one fails the limit definition (stepping stops there:
// the previous level is the maximum sustainable one), then narrows the maximum.
func (e *scenarioEnv) stepLevels(res *runresult.ScenarioResult, specs []runner.LevelSpec) (lastPass *runresult.LevelResult) {
	return e.stepper().Ladder(res, specs)
}

// writeResult writes the scenario's result.json with the limit definition its levels were judged by.
func (e *scenarioEnv) writeResult(res *runresult.ScenarioResult) {
	th := suite.Thresholds
	res.Thresholds = &th
	res.Target = e.targetInfo()
	res.BottleneckBound = suite.Bottleneck(res.Levels, e.capacities())
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
		t.Logf("%s: maximum between %d and %d %s (%.1f%% apart)", e.name, b.Held, b.Failed, b.Unit, b.WithinPct)
	}
	if b := res.BottleneckBound; b != nil {
		t.Logf("%s: projected bound (operational laws, not a measurement): %s at %.0f %s (%.3f CPU-ms per unit, %.2f cores background, %.2f cores; %s over %v); bounds by resource: %v",
			e.name, b.Resource, b.Rate, b.Unit, b.DemandMs, b.BackgroundCores, b.CapacityCores, b.Method, b.FromLevels, b.Bounds)
	}
	if r := res.Repeats; r != nil {
		for _, c := range r.Candidates {
			t.Logf("%s: %s held %d of %d runs (%s)", e.name, c.Level, c.Held, len(c.Runs), spreadText(c))
		}
		t.Logf("%s: confirmed maximum (held all %d runs): %s", e.name, r.Required, orNone(r.Confirmed))
	}
	for _, msg := range suite.Failures(*res, settings.MinRPS, settings.MinEPS) {
		t.Errorf("%s: %s", e.name, msg)
	}
	if len(settings.Levels) > 0 || settings.Duration != 0 && !e.profile.Step {
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
	ref, ok, why := e.lookupBaseline()
	if !ok {
		e.t.Logf("%s: no baseline gate: %s", e.name, why)
	}
	return ref, ok
}

func (e *scenarioEnv) baselineEntryQuiet() (runresult.BaselineEntry, bool) {
	ref, ok, _ := e.lookupBaseline()
	return ref, ok
}

// lookupBaseline finds this scenario's entry in the target's baseline (baselineFile): none for an
// implementation without one, nor for figures measured on another kind of machine.
func (e *scenarioEnv) lookupBaseline() (runresult.BaselineEntry, bool, string) {
	path := e.baselineFile()
	if path == "" {
		return runresult.BaselineEntry{}, false, fmt.Sprintf("target %s has no baseline of its own (PERF_IMPL names one, PERF_BASELINE_FILE sets a file): it is measured, not gated against another implementation's", e.target.Name)
	}
	b, err := runresult.ReadBaseline(path)
	if err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
	ref, ok := b[e.profile.Name][e.name]
	if !ok {
		return ref, false, fmt.Sprintf("%s has no %s entry for this scenario", path, e.profile.Name)
	}
	if ref.HostCPUs > 0 && e.hostCPUs() > 0 && ref.HostCPUs != e.hostCPUs() {
		return ref, false, fmt.Sprintf("%s was measured on %d CPUs, this host has %d: measured, not gated", path, ref.HostCPUs, e.hostCPUs())
	}
	if ref.DurationPerLevel != "" && ref.DurationPerLevel != e.profile.Duration.String() {
		return ref, false, fmt.Sprintf("%s was measured at %s per level, this run's levels last %s: measured, not gated", path, ref.DurationPerLevel, e.profile.Duration)
	}
	if e.stack != nil {
		if diff := limitsDiffer(e.cfg, harness.DefaultStackConfig()); diff != "" {
			return ref, false, fmt.Sprintf("%s was measured with the default container limits, this run has %s: measured, not gated", path, diff)
		}
	}
	return ref, true, ""
}

// limitsDiffer names the containers whose CPU limit differs between two stack configurations.
func limitsDiffer(got, base harness.StackConfig) string {
	g, b := limitsOf(got), limitsOf(base)
	var out []string
	for _, role := range slices.Sorted(maps.Keys(g)) {
		if g[role] != b[role] {
			out = append(out, fmt.Sprintf("%s at %g CPUs (baseline %g)", role, g[role], b[role]))
		}
	}
	return strings.Join(out, ", ")
}

var baselinePath = filepath.Join("testdata", "baseline.json")

// spreadText is a candidate's spread over its runs, for the log.
func spreadText(c runresult.RepeatCandidate) string {
	var parts []string
	for _, side := range []struct {
		name string
		s    *runresult.Spread
	}{{"API", c.API}, {"events", c.Events}} {
		if side.s != nil {
			parts = append(parts, fmt.Sprintf("%s achieved %.0f..%.0f/s, p95 %.1f..%.1f ms", side.name,
				side.s.AchievedMin, side.s.AchievedMax, side.s.P95MinMs, side.s.P95MaxMs))
		}
	}
	return strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
