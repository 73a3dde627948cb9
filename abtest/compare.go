package abtest

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/aclements/go-moremath/stats"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Decisions of a metric.
const (
	DecisionRegression = "regression"
	DecisionOK         = "ok"
	DecisionUntested   = "untested" // a side has no value: nothing to compare
)

// Compare decides, for every (scenario, level, metric) the runs measured, whether B (head) is
// slower than A (base), and whether B failed levels that A held. The report's revisions and runs
// are the caller's to fill.
func Compare(a, b []Run, s Settings) Report {
	r := Report{Settings: s, Pairs: min(len(a), len(b))}
	for _, k := range levelKeys(a, b) {
		va, vb := values(a, k), values(b, k)
		for _, name := range metricOrder {
			xa, xb := va[name], vb[name]
			if len(xa) == 0 && len(xb) == 0 {
				continue
			}
			m := decide(k, name, xa, xb, s)
			if len(xa) < len(a) || len(xb) < len(b) {
				m.Why += fmt.Sprintf(" (values from %d of %d A runs, %d of %d B runs)", len(xa), len(a), len(xb), len(b))
			}
			r.Metrics = append(r.Metrics, m)
			if m.Decision == DecisionRegression {
				r.Reasons = append(r.Reasons, fmt.Sprintf("%s %s %s: %s", k.scenario, k.level, name, m.Why))
			}
		}
		v := verdicts(k, a, b)
		r.Verdicts = append(r.Verdicts, v)
		if v.Regression {
			r.Reasons = append(r.Reasons, fmt.Sprintf("%s %s: %s", k.scenario, k.level, v.Why))
		} else if v.Why != "" {
			r.Notes = append(r.Notes, fmt.Sprintf("%s %s: %s", k.scenario, k.level, v.Why))
		}
	}
	if p := MinP(len(a), len(b)); len(a) > 0 && len(b) > 0 && !atMost(p, s.Alpha) {
		r.Notes = append(r.Notes, fmt.Sprintf("%d against %d runs: the smallest possible p is %.3g, above alpha %g: no metric can regress", len(a), len(b), p, s.Alpha))
	}
	r.Regression = len(r.Reasons) > 0
	return r
}

type levelKey struct{ scenario, level string }

// levelKeys lists every (scenario, level) either side measured, scenarios by name, levels in the
// order the first run that has them ran them.
func levelKeys(a, b []Run) []levelKey {
	seen := map[levelKey]bool{}
	byScenario := map[string][]levelKey{}
	for _, run := range append(append([]Run{}, a...), b...) {
		for name, sr := range run.Scenarios {
			for _, l := range lastLevels(sr.Result) {
				k := levelKey{name, l.Level}
				if !seen[k] {
					seen[k] = true
					byScenario[name] = append(byScenario[name], k)
				}
			}
		}
	}
	names := make([]string, 0, len(byScenario))
	for n := range byScenario {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []levelKey
	for _, n := range names {
		out = append(out, byScenario[n]...)
	}
	return out
}

// values collects, per metric, one value per run that measured the level, in run order.
func values(runs []Run, k levelKey) map[string][]float64 {
	out := map[string][]float64{}
	for _, run := range runs {
		l, get, ok := find(run, k)
		if !ok {
			continue
		}
		for name, v := range levelMetrics(l, get) {
			out[name] = append(out[name], v)
		}
	}
	return out
}

func find(run Run, k levelKey) (runresult.LevelResult, *Trend, bool) {
	sr, ok := run.Scenarios[k.scenario]
	if !ok {
		return runresult.LevelResult{}, nil, false
	}
	for _, l := range lastLevels(sr.Result) {
		if l.Level == k.level {
			if t, ok := sr.GET[l.Level]; ok {
				return l, &t, true
			}
			return l, nil, true
		}
	}
	return runresult.LevelResult{}, nil, false
}

// decide is one metric's verdict: regression only when the one-sided exact Mann-Whitney U test
// (alternative: B's values tend to be larger than A's) gives p ≤ alpha, the ratio of medians
// exceeds 1 + the minimum effect, and the difference of medians exceeds the metric's floor.
func decide(k levelKey, name string, a, b []float64, s Settings) MetricResult {
	m := MetricResult{Scenario: k.scenario, Level: k.level, Metric: name, A: a, B: b, P: 1}
	if len(a) == 0 || len(b) == 0 {
		m.Decision, m.Why = DecisionUntested, "measured by one side only"
		return m
	}
	m.MedianA, m.MedianB = median(a), median(b)
	m.Diff = m.MedianB - m.MedianA
	if m.MedianA > 0 {
		m.Ratio = m.MedianB / m.MedianA
	}
	res, err := stats.MannWhitneyUTest(a, b, stats.LocationLess)
	switch {
	case errors.Is(err, stats.ErrSamplesEqual):
		m.P = 1 // every value equal: no evidence of a difference
	case err != nil:
		m.Decision, m.Why = DecisionUntested, err.Error()
		return m
	default:
		m.P = res.P
	}
	floor := s.LatencyFloorMs
	if metricKind[name] == kindCPU {
		floor = s.CPUFloorMs
	}
	significant := atMost(m.P, s.Alpha)
	large := m.Ratio > 1+s.MinEffect || (m.MedianA <= 0 && m.MedianB > 0)
	aboveFloor := m.Diff > floor
	m.Decision = DecisionOK
	if significant && large && aboveFloor {
		m.Decision = DecisionRegression
	}
	m.Why = fmt.Sprintf("p=%.3g %s %g; B/A=%.3f %s %.2f; B−A=%.3g %s %g",
		m.P, cmp(significant, "≤", ">"), s.Alpha,
		m.Ratio, cmp(large, ">", "≤"), 1+s.MinEffect,
		m.Diff, cmp(aboveFloor, ">", "≤"), floor)
	return m
}

func cmp(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// verdicts compares the suite's own verdicts of the level: B failing (or not measuring) a level
// in every run while A passed it in every run is a regression the latency figures may not show
// (a program answering errors fast); any other difference is a note.
func verdicts(k levelKey, a, b []Run) LevelVerdicts {
	v := LevelVerdicts{Scenario: k.scenario, Level: k.level, A: verdictsOf(a, k), B: verdictsOf(b, k)}
	pass := func(vs []string) int {
		n := 0
		for _, x := range vs {
			if x == runresult.VerdictPass {
				n++
			}
		}
		return n
	}
	pa, pb := pass(v.A), pass(v.B)
	switch {
	case len(v.A) > 0 && pa == len(v.A) && len(v.B) > 0 && pb == 0:
		v.Regression = true
		v.Why = fmt.Sprintf("the suite passed it in every A run but in no B run (B: %v)", v.B)
	case pa != len(v.A) || pb != len(v.B):
		v.Why = fmt.Sprintf("verdicts differ from pass: A %v, B %v", v.A, v.B)
	}
	return v
}

// VerdictMissing stands for a run that has no result for the level.
const VerdictMissing = "missing"

func verdictsOf(runs []Run, k levelKey) []string {
	var out []string
	for _, run := range runs {
		if l, _, ok := find(run, k); ok {
			out = append(out, l.Verdict)
		} else {
			out = append(out, VerdictMissing)
		}
	}
	return out
}
