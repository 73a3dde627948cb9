//go:build perf

package perf

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite/levelsearch"
)

// stepLevels runs levels in order until one fails the limit definition (stepping stops there:
// the previous level is the maximum sustainable one).
func (e *scenarioEnv) stepLevels(res *runresult.ScenarioResult, specs []levelSpec) (lastPass *runresult.LevelResult) {
	var passSpec levelSpec
	for i, l := range specs {
		if i > 0 {
			time.Sleep(e.profile.Cooldown)
		}
		runs := e.runJudged(l)
		res.Levels = append(res.Levels, runs...)
		r := runs[len(runs)-1]
		if r.Verdict != runresult.VerdictPass {
			res.StoppedAt = r.Level
			res.StopReasons = r.Reasons
			e.t.Logf("%s: stopped at %s: %v", e.name, r.Level, r.Reasons)
			if lastPass != nil {
				lastPass = e.narrow(res, passSpec, l, r, lastPass)
			}
			return lastPass
		}
		lastPass = &res.Levels[len(res.Levels)-1]
		passSpec = l
	}
	return lastPass
}

// narrow bisects between the last level that held and the first that failed until the maximum is
// known within levelsearch.Tolerance (at most levelsearch.MaxExtraLevels levels), for stepping
// profiles and ladders of one rate. The nightly profile then runs the found maximum once more: a
// maximum that does not hold twice is flagged. A generator-limited failure is not bisected: the
// generator, not the service, would be measured. PERF_BISECT=false turns it off.
func (e *scenarioEnv) narrow(res *runresult.ScenarioResult, held, failed levelSpec, r runresult.LevelResult, lastPass *runresult.LevelResult) *runresult.LevelResult {
	if !e.profile.Step || r.Verdict == runresult.VerdictGenerator || (held.RPS > 0) == (held.EPS > 0) || os.Getenv("PERF_BISECT") == "false" {
		return lastPass
	}
	unit, rate := "EPS", func(l levelSpec) int { return l.EPS }
	at := func(l levelSpec, n int) levelSpec { l.EPS = n; l.Name = levelName(0, n); return l }
	if held.RPS > 0 {
		unit, rate = "RPS", func(l levelSpec) int { return l.RPS }
		at = func(l levelSpec, n int) levelSpec { l.RPS = n; l.Name = levelName(n, 0); return l }
	}
	s := levelsearch.Search{Held: rate(held), Failed: rate(failed)}
	for {
		n, ok := s.Next()
		if !ok {
			break
		}
		time.Sleep(e.profile.Cooldown)
		e.t.Logf("%s: bisecting between %d and %d %s: %d", e.name, s.Held, s.Failed, unit, n)
		l := at(held, n)
		out := e.runLevel(l)
		res.Levels = append(res.Levels, out)
		s.Record(n, out.Verdict == runresult.VerdictPass)
		if out.Verdict == runresult.VerdictPass {
			lastPass, held = &res.Levels[len(res.Levels)-1], l
		} else {
			res.StoppedAt, res.StopReasons = out.Level, out.Reasons
		}
	}
	b := &runresult.Bracket{Unit: unit, Held: s.Held, Failed: s.Failed, WithinPct: s.WithinPct(), ExtraLevels: s.Extra}
	if e.profile.Name == "nightly" {
		time.Sleep(e.profile.Cooldown)
		l := held
		l.Name += "_repeat"
		out := e.runLevel(l)
		res.Levels = append(res.Levels, out)
		b.Repeat = out.Level + ": " + out.Verdict
		b.RepeatDisagrees = out.Verdict != runresult.VerdictPass
		if b.RepeatDisagrees {
			e.t.Logf("%s: the maximum %s did not hold when repeated (%v): the two runs disagree by more than the %.0f%% interval",
				e.name, out.Level, out.Reasons, 100*levelsearch.Tolerance)
		}
	}
	res.Bracket = b
	e.t.Logf("%s: maximum between %d (held) and %d (failed) %s: within %.1f%% after %d extra levels", e.name, b.Held, b.Failed, unit, b.WithinPct, b.ExtraLevels)
	return lastPass
}

// runJudged runs a level. When it fails although the baseline held it, it runs once more after
// the cooldown, so that one noisy run at the boundary is not reported as a regression; both runs
// are kept and the second decides. A real regression fails twice.
func (e *scenarioEnv) runJudged(l levelSpec) []runresult.LevelResult {
	r := e.runLevel(l)
	if r.Verdict == runresult.VerdictGenerator && len(r.Loadgen.PoolLimited) > 0 && l.RPS > 0 && l.HTTPPool == 0 {
		// VUs queued for the generator's HTTP pool, sized from the previous level's request time:
		// the requests got slower than that. Run the level again with the largest pool its VUs can
		// use, so that what limits it is the service (or the host), not the generator's pool.
		time.Sleep(e.profile.Cooldown)
		again := l
		again.Name += "_pool"
		again.HTTPPool = min(apiMaxVUs(l.RPS), loadgen.MaxHTTPPool)
		e.t.Logf("%s: %s waited for the generator's HTTP pool (%v): running it again with %d connections", e.name, r.Level, r.Loadgen.PoolLimited, again.HTTPPool)
		runs := []runresult.LevelResult{r, e.runLevel(again)}
		return runs
	}
	if r.Verdict == runresult.VerdictPass || !e.profile.Step {
		return []runresult.LevelResult{r}
	}
	ref, ok, err := readBaselineEntry(e.profile.Name, e.name)
	if err != nil {
		e.t.Fatal(err)
	}
	if !ok || !heldByBaseline(ref, l.RPS, l.EPS) {
		return []runresult.LevelResult{r}
	}
	e.t.Logf("%s: %s failed although the baseline held it (%s): running it once more to confirm", e.name, r.Level, ref.Source)
	time.Sleep(e.profile.Cooldown)
	again := l
	again.Name += "_retry"
	again.Retry = true
	return []runresult.LevelResult{r, e.runLevel(again)}
}

// heldByBaseline: the baseline's maximum covers the level (both its rates at or below it).
func heldByBaseline(ref runresult.BaselineEntry, rps, eps int) bool {
	if ref.MaxRPS == 0 && ref.MaxEPS == 0 {
		return false
	}
	return rps <= ref.MaxRPS && eps <= ref.MaxEPS
}

// The baseline (perf/testdata/baseline.json, runresult.Baseline, written by cmd/perfbaseline from
// a results run on the reference machine kind): stepping profiles compare maximum sustainable
// levels (a maximum more than 20% below fails). The smoke profile, which runs one level, compares
// that level's cost: API/event p95 and the programs' CPU, with margins wide enough for a noisy
// 2-core machine but not for a change that makes a request several times dearer.
const (
	regressionTolerance = 0.20
	// Smoke gates: fail above factor × baseline + slack.
	smokeLatencyFactor, smokeLatencySlackMs = 3.0, 10.0
	smokeCPUFactor, smokeCPUSlackPct        = 2.0, 10.0
)

// finish writes result.json and fails the test for the suite's failure conditions: the required
// (first) level failed, a floor (PERF_MIN_RPS / PERF_MIN_EPS) is not met, or the run regressed
// against the baseline. Reaching a limit above those is a finding, not a failure.
func (e *scenarioEnv) finish(res *runresult.ScenarioResult) {
	t := e.t
	writeJSON(t, filepath.Join(e.dir, "result.json"), res)
	t.Logf("%s: maximum sustainable: %s; stopped at: %s", e.name, orNone(res.MaxSustainable), orNone(res.StoppedAt))
	if b := res.Bracket; b != nil {
		t.Logf("%s: maximum between %d and %d %s (%.1f%% apart); repeat: %s", e.name, b.Held, b.Failed, b.Unit, b.WithinPct, orNone(b.Repeat))
	}
	if len(res.Levels) > 0 && res.Levels[0].Verdict != runresult.VerdictPass {
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
	if os.Getenv("PERF_LEVELS") != "" || os.Getenv("PERF_DURATION") != "" && !e.profile.Step {
		return // the baseline was measured with the profile's own levels and durations
	}
	ref, ok := e.baselineEntry()
	if !ok {
		return
	}
	if e.profile.Step {
		check := func(what string, got, want int) {
			if want > 0 && float64(got) < float64(want)*(1-regressionTolerance) {
				t.Errorf("%s: REGRESSION: maximum sustainable %s %d is more than %.0f%% below the baseline %d (%s)",
					e.name, what, got, 100*regressionTolerance, want, ref.Source)
			}
		}
		check("RPS", res.MaxRPS, ref.MaxRPS)
		check("EPS", res.MaxEPS, ref.MaxEPS)
		return
	}
	l := res.Levels[0]
	gate := func(what string, got, base, factor, slack float64, unit string) {
		if base > 0 && got > factor*base+slack {
			t.Errorf("%s: REGRESSION at the smoke level %s: %s %.1f%s > %.0f× baseline %.1f%s + %.0f%s (%s)",
				e.name, l.Level, what, got, unit, factor, base, unit, slack, unit, ref.Source)
		}
	}
	if l.API != nil {
		gate("API p95", l.API.P95ms, ref.APIP95ms, smokeLatencyFactor, smokeLatencySlackMs, " ms")
	}
	if l.Events != nil {
		gate("event p95", l.Events.P95ms, ref.EventsP95ms, smokeLatencyFactor, smokeLatencySlackMs, " ms")
	}
	for role, base := range ref.CPUPct {
		if rr, ok := l.Resources[role]; ok {
			gate(role+" CPU", rr.CPUAvgPct, base, smokeCPUFactor, smokeCPUSlackPct, "%")
		}
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

func levelName(rps, eps int) string {
	switch {
	case rps > 0 && eps > 0:
		return fmt.Sprintf("rps-%d_eps-%d", rps, eps)
	case rps > 0:
		return fmt.Sprintf("rps-%d", rps)
	}
	return fmt.Sprintf("eps-%d", eps)
}
