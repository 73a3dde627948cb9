package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func side(target, achieved, p95, errRate float64) *runresult.Side {
	return &runresult.Side{TargetRate: target, AchievedRate: achieved, P95ms: p95, ErrorRate: errRate, Offered: int64(target) * 60, Completed: int64(achieved) * 60}
}

func TestJudgeAppliesTheLimitDefinition(t *testing.T) {
	l := &runresult.LevelResult{API: side(500, 499, 120, 0.001), Events: side(2000, 1990, 40, 0)}
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, runresult.VerdictPass, l.Verdict)
	assert.Empty(t, l.Reasons)

	l = &runresult.LevelResult{API: side(1000, 900, 2500, 0.02), Events: side(5000, 5000, 600, 0)}
	l.Events.Dropped, l.Events.Offered = 4000, 300000
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, runresult.VerdictLimit, l.Verdict)
	assert.Equal(t, []string{
		"API error rate 2.00% > 1%",
		"API p95 2500 ms > 2000 ms",
		"API achieved 900/s < 95% of 1000/s",
		"events p95 600 ms > 500 ms",
		"events dropped 4000 of 300000 iterations (> 1%)",
	}, l.Reasons)

	l = &runresult.LevelResult{Events: side(100, 100, 10, 0), E2E: &runresult.E2EStats{Failed: 0.05}}
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, []string{"E2E probes failed 5.0%"}, l.Reasons)
}

func TestJudgeNamesTheGeneratorAndTheHost(t *testing.T) {
	l := &runresult.LevelResult{API: side(2000, 1500, 80, 0)}
	l.Loadgen.GeneratorLimited, l.Loadgen.Reason = true, "CPU"
	Judge(l, Thresholds, 2, nil)
	assert.Equal(t, runresult.VerdictGenerator, l.Verdict)
	assert.Equal(t, "load generator limited: CPU", l.Reasons[len(l.Reasons)-1])

	// The host's 2 CPUs were used up (generator 1.2 cores + containers 85%) while the service
	// averaged 40% of its core: the shared host, not the service.
	l = &runresult.LevelResult{API: side(2000, 1500, 80, 0), Resources: map[string]runresult.ResourceRow{
		"challenge-service": {CPUAvgPct: 40}, "postgres": {CPUAvgPct: 45},
	}}
	l.Loadgen.CPUCores = 1.2
	Judge(l, Thresholds, 2, map[string]float64{"challenge-service": 1, "postgres": 2})
	assert.Equal(t, runresult.VerdictHost, l.Verdict)

	// Judged by other thresholds, the same level passes.
	l = &runresult.LevelResult{API: side(2000, 1500, 80, 0)}
	th := Thresholds
	th.MinAchievedPct = 70
	Judge(l, th, 0, nil)
	assert.Equal(t, runresult.VerdictPass, l.Verdict)
}

func TestJudgeIntegrityDecidesFirst(t *testing.T) {
	// A level whose acknowledged events are missing fails on integrity even when it was fast, and
	// even when the host was saturated: data loss is never a lower bound.
	l := &runresult.LevelResult{Events: side(500, 498, 40, 0), Resources: map[string]runresult.ResourceRow{"event-handler": {CPUAvgPct: 40}}}
	l.Loadgen.CPUCores = 1.6
	l.Integrity = &runresult.Integrity{Method: "api", Lost: 3, Problems: []string{"user-000007 wins: shows 12, acknowledged events imply 14 (event e-42)"}}
	Judge(l, Thresholds, 2, map[string]float64{"event-handler": 1})
	assert.Equal(t, runresult.VerdictIntegrity, l.Verdict)
	assert.Contains(t, l.Reasons[0], "3 values lost")
	assert.Contains(t, l.Reasons[0], "e-42")

	// Extra values that attribution explained do not fail; unexplained ones do.
	l = &runresult.LevelResult{Events: side(500, 500, 40, 0), Integrity: &runresult.Integrity{Extra: 2, ExtraExplained: true, CompletionsOK: true, OK: true}}
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, runresult.VerdictPass, l.Verdict)
	l.Integrity = &runresult.Integrity{Extra: 2, CompletionsOK: true}
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, runresult.VerdictIntegrity, l.Verdict)
	assert.Contains(t, l.Reasons[0], "2 values above")
}

func TestJudgeTargetSignalsBeatASaturatedHost(t *testing.T) {
	busy := func() *runresult.LevelResult {
		l := &runresult.LevelResult{API: side(2000, 1500, 80, 0), Resources: map[string]runresult.ResourceRow{
			"challenge-service": {CPUAvgPct: 40}, "postgres": {CPUAvgPct: 45},
		}}
		l.Loadgen.CPUCores = 1.2
		return l
	}
	lim := map[string]float64{"challenge-service": 1, "postgres": 2}

	// 5xx on a saturated host: the target's failure, with the saturation recorded after it.
	l := busy()
	l.API.ErrorRate = 0.03
	Judge(l, Thresholds, 2, lim)
	assert.Equal(t, runresult.VerdictLimit, l.Verdict)
	assert.Equal(t, "API error rate 3.00% > 1%", l.Reasons[0])
	assert.Equal(t, "host", l.Saturated)
	assert.Contains(t, l.Reasons[len(l.Reasons)-1], "also: host CPU")

	// Failed probes with a generator that could not keep up: still the target's.
	l = &runresult.LevelResult{Events: side(100, 60, 10, 0), E2E: &runresult.E2EStats{Failed: 0.2}}
	l.Loadgen.GeneratorLimited, l.Loadgen.Reason = true, "CPU"
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, runresult.VerdictLimit, l.Verdict)
	assert.Equal(t, "generator", l.Saturated)

	// A rate-only shortfall on a saturated host is the host's.
	l = busy()
	Judge(l, Thresholds, 2, lim)
	assert.Equal(t, runresult.VerdictHost, l.Verdict)
	assert.Empty(t, l.Saturated)
	assert.Equal(t, "API achieved 1500/s < 95% of 2000/s", l.Reasons[0])
}

func TestJudgeUnprovenIntegrityIsNotAPass(t *testing.T) {
	l := &runresult.LevelResult{Events: side(500, 500, 40, 0), Integrity: &runresult.Integrity{OK: true, Unproven: "200 of 613 users sampled: detects a loss rate of 1.5% or more, not 0.2%"}}
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, runresult.VerdictUnproven, l.Verdict)
	assert.Contains(t, l.Reasons[0], "integrity not proven")

	// Rate failure and unproven integrity: the rate decides, the doubt is recorded.
	l.Events = side(500, 300, 40, 0)
	Judge(l, Thresholds, 0, nil)
	assert.Equal(t, runresult.VerdictLimit, l.Verdict)
	assert.Contains(t, l.Reasons[len(l.Reasons)-1], "integrity not proven")
}
