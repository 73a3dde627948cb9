package suite

import (
	"fmt"
	"sort"

	"github.com/challenge-perf/challenge-perf/runresult"
)

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

// HeldByBaseline reports whether the baseline's maximum covers a level: both its rates at or
// below it. A smoke entry, which keeps no maxima, covers none.
func HeldByBaseline(ref runresult.BaselineEntry, rps, eps int) bool {
	if ref.MaxRPS == 0 && ref.MaxEPS == 0 {
		return false
	}
	return rps <= ref.MaxRPS && eps <= ref.MaxEPS
}

// Failures are a scenario's failure conditions other than a regression, one message each: the
// first (required) level failed, or the maximum sustainable rate is below a floor (minRPS,
// minEPS: PERF_MIN_RPS, PERF_MIN_EPS; 0: none) for a scenario that runs that traffic. Reaching a
// limit above those is a finding, not a failure.
func Failures(res runresult.ScenarioResult, minRPS, minEPS int) []string {
	if len(res.Levels) == 0 {
		return nil
	}
	var out []string
	first := res.Levels[0]
	if first.Verdict != runresult.VerdictPass {
		out = append(out, fmt.Sprintf("the first (required) level %s failed: %v", first.Level, first.Reasons))
	}
	if minRPS > 0 && res.MaxRPS < minRPS && first.RPS > 0 {
		out = append(out, fmt.Sprintf("maximum sustainable API rate %d RPS is below the floor PERF_MIN_RPS=%d", res.MaxRPS, minRPS))
	}
	if minEPS > 0 && res.MaxEPS < minEPS && first.EPS > 0 {
		out = append(out, fmt.Sprintf("maximum sustainable event rate %d EPS is below the floor PERF_MIN_EPS=%d", res.MaxEPS, minEPS))
	}
	return out
}

// Regressions gates a scenario's result against its baseline entry, one message per regression.
// stepping (the profile climbs levels): a maximum sustainable rate more than regressionTolerance
// below the baseline's. Otherwise the first level's cost: API and event p95 and each program's
// CPU above factor × baseline + slack.
func Regressions(res runresult.ScenarioResult, ref runresult.BaselineEntry, stepping bool) []string {
	var out []string
	if stepping {
		check := func(what string, got, want int) {
			if want > 0 && float64(got) < float64(want)*(1-regressionTolerance) {
				out = append(out, fmt.Sprintf("REGRESSION: maximum sustainable %s %d is more than %.0f%% below the baseline %d (%s)",
					what, got, 100*regressionTolerance, want, ref.Source))
			}
		}
		check("RPS", res.MaxRPS, ref.MaxRPS)
		check("EPS", res.MaxEPS, ref.MaxEPS)
		return out
	}
	if len(res.Levels) == 0 {
		return nil
	}
	l := res.Levels[0]
	gate := func(what string, got, base, factor, slack float64, unit string) {
		if base > 0 && got > factor*base+slack {
			out = append(out, fmt.Sprintf("REGRESSION at the smoke level %s: %s %.1f%s > %.0f× baseline %.1f%s + %.0f%s (%s)",
				l.Level, what, got, unit, factor, base, unit, slack, unit, ref.Source))
		}
	}
	if l.API != nil {
		gate("API p95", l.API.P95ms, ref.APIP95ms, smokeLatencyFactor, smokeLatencySlackMs, " ms")
	}
	if l.Events != nil {
		gate("event p95", l.Events.P95ms, ref.EventsP95ms, smokeLatencyFactor, smokeLatencySlackMs, " ms")
	}
	roles := make([]string, 0, len(ref.CPUPct))
	for role := range ref.CPUPct {
		roles = append(roles, role)
	}
	sort.Strings(roles)
	for _, role := range roles {
		if rr, ok := l.Resources[role]; ok {
			gate(role+" CPU", rr.CPUAvgPct, ref.CPUPct[role], smokeCPUFactor, smokeCPUSlackPct, "%")
		}
	}
	return out
}
