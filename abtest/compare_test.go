package abtest

import (
	"math"
	"strings"
	"testing"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestDecideRequiresSignificanceEffectAndFloor(t *testing.T) {
	s := DefaultSettings()
	k := levelKey{"scenario1", "200 RPS"}
	for _, c := range []struct {
		name   string
		metric string
		a, b   []float64
		want   string
		p      float64 // the exact one-sided p (-1: not checked)
	}{
		{"every B above every A, 2 ms slower", MetricGETp50, []float64{1.4, 1.5, 1.45}, []float64{3.4, 3.5, 3.45}, DecisionRegression, 0.05},
		{"B faster", MetricGETp50, []float64{3.4, 3.5, 3.45}, []float64{1.4, 1.5, 1.45}, DecisionOK, 1},
		// U (A above B pairs) = 1: P(U ≤ 1) = 2 of 20 orderings.
		{"one A above one B", MetricGETp95, []float64{1, 2, 4}, []float64{3, 5, 6}, DecisionOK, 0.1},
		{"significant but under the 1 ms floor", MetricGETp50, []float64{0.2, 0.21, 0.22}, []float64{0.5, 0.51, 0.52}, DecisionOK, 0.05},
		{"significant but 5%", MetricEventP95, []float64{100, 101, 102}, []float64{105, 106, 107}, DecisionOK, 0.05},
		{"CPU has no floor by default", MetricServiceCPU, []float64{0.8, 0.81, 0.82}, []float64{1.0, 1.01, 1.02}, DecisionRegression, 0.05},
		{"every value equal", MetricGETp95, []float64{2, 2, 2}, []float64{2, 2, 2}, DecisionOK, 1},
		{"one side only", MetricEventP95, []float64{2, 2, 2}, nil, DecisionUntested, 1},
	} {
		m := decide(k, c.metric, c.a, c.b, s)
		if m.Decision != c.want {
			t.Errorf("%s: decision %s (%s), want %s", c.name, m.Decision, m.Why, c.want)
		}
		if c.p >= 0 && !near(m.P, c.p) && !(c.p == 1 && m.P > 0.9) {
			t.Errorf("%s: p = %g, want %g", c.name, m.P, c.p)
		}
	}
}

func TestDecideMedianRatioAndDiff(t *testing.T) {
	m := decide(levelKey{"s", "l"}, MetricGETp50, []float64{2, 1, 3}, []float64{4, 8, 6}, DefaultSettings())
	if m.MedianA != 2 || m.MedianB != 6 || m.Ratio != 3 || m.Diff != 4 {
		t.Errorf("medians %g/%g ratio %g diff %g, want 2/6, 3, 4", m.MedianA, m.MedianB, m.Ratio, m.Diff)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median of an even sample = %g, want 2.5", got)
	}
}

// run builds one run of scenario1 at 200 RPS with the given GET p50 and verdict.
func run(label string, getP50 float64, verdict string) Run {
	l := runresult.LevelResult{
		Level: "200 RPS", RPS: 200, Verdict: verdict, Dir: "/elsewhere/rps-200",
		API:               &runresult.Side{P50ms: 1.5, P95ms: 160},
		DemandUnit:        "request",
		UtilizationBounds: map[string]runresult.Demand{"challenge-service": {DemandMs: 0.8}, "event-handler": {DemandMs: 0.05}},
	}
	return Run{Label: label, Scenarios: map[string]ScenarioRun{"scenario1": {
		Result: runresult.ScenarioResult{Scenario: "scenario1", Levels: []runresult.LevelResult{l}},
		GET:    map[string]Trend{"200 RPS": {P50ms: getP50, P95ms: getP50 * 2}},
	}}}
}

func TestCompareFindsASlowerHead(t *testing.T) {
	pass := runresult.VerdictPass
	a := []Run{run("A1", 1.4, pass), run("A2", 1.5, pass), run("A3", 1.45, pass)}
	b := []Run{run("B1", 3.4, pass), run("B2", 3.5, pass), run("B3", 3.45, pass)}
	r := Compare(a, b, DefaultSettings())
	if !r.Regression {
		t.Fatalf("2 ms slower GETs in every run: no regression reported: %+v", r.Metrics)
	}
	got := map[string]string{}
	for _, m := range r.Metrics {
		got[m.Metric] = m.Decision
	}
	want := map[string]string{MetricGETp50: DecisionRegression, MetricGETp95: DecisionRegression, MetricServiceCPU: DecisionOK}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if _, ok := got[MetricHandlerCPU]; ok {
		t.Error("the idle handler's CPU per API request is compared: it is noise")
	}
	if _, ok := got[MetricEventP95]; ok {
		t.Error("an API level has an event metric")
	}

	same := Compare(a, []Run{run("B1", 1.45, pass), run("B2", 1.4, pass), run("B3", 1.5, pass)}, DefaultSettings())
	if same.Regression {
		t.Errorf("identical figures: regression %v", same.Reasons)
	}
}

func TestCompareFlagsLevelsTheHeadFailsEveryTime(t *testing.T) {
	pass, limit := runresult.VerdictPass, runresult.VerdictLimit
	a := []Run{run("A1", 1.4, pass), run("A2", 1.5, pass), run("A3", 1.45, pass)}
	b := []Run{run("B1", 1.4, limit), {Label: "B2"}, run("B3", 1.45, limit)}
	r := Compare(a, b, DefaultSettings())
	if !r.Regression || len(r.Verdicts) != 1 || !r.Verdicts[0].Regression {
		t.Fatalf("B failed or missed the level in every run: %+v", r.Verdicts)
	}
	if got := strings.Join(r.Verdicts[0].B, ","); got != "limit,missing,limit" {
		t.Errorf("B verdicts %s", got)
	}
	once := Compare(a, []Run{run("B1", 1.4, limit), run("B2", 1.5, pass), run("B3", 1.45, pass)}, DefaultSettings())
	if once.Regression || len(once.Notes) == 0 {
		t.Errorf("one failed B run: want a note, not a regression: %v / %v", once.Reasons, once.Notes)
	}
	for _, m := range r.Metrics {
		if !strings.Contains(m.Why, "2 of 3 B runs") {
			t.Errorf("%s: the missing run is not said: %s", m.Metric, m.Why)
		}
	}
}

func TestLastLevelsKeepsTheRunThatDecided(t *testing.T) {
	res := runresult.ScenarioResult{Levels: []runresult.LevelResult{
		{Level: "200 RPS", Verdict: runresult.VerdictLimit},
		{Level: "500 RPS", Verdict: runresult.VerdictPass},
		{Level: "200 RPS", Verdict: runresult.VerdictPass, Retry: true},
	}}
	got := lastLevels(res)
	if len(got) != 2 || got[0].Level != "200 RPS" || !got[0].Retry || got[1].Level != "500 RPS" {
		t.Errorf("lastLevels = %+v", got)
	}
}
