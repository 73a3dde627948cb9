package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func apiLevelAt(rps, achieved, serviceCPU, pgCPU, loadgenCores float64, verdict string) runresult.LevelResult {
	l := runresult.LevelResult{Level: LevelName(int(rps), 0), API: &runresult.Side{TargetRate: rps, AchievedRate: achieved},
		Resources: map[string]runresult.ResourceRow{"challenge-service": {CPUAvgPct: serviceCPU}, "postgres": {CPUAvgPct: pgCPU}},
		Verdict:   verdict}
	l.Loadgen.CPUCores = loadgenCores
	return l
}

var caps = Capacities{Roles: map[string]float64{"challenge-service": 0.25, "postgres": 2}, HostCPUs: 2}

func TestUtilizationBoundsApplyTheUtilizationLaw(t *testing.T) {
	// 200 requests/s with the service at 14% of a core: 0.7 ms per request; a quarter core
	// bounds it at 0.25 / 0.0007 ≈ 357 requests/s.
	l := apiLevelAt(200, 200, 14, 10, 0.2, runresult.VerdictPass)
	UtilizationBounds(&l, caps)
	assert.Equal(t, "request", l.DemandUnit)
	svc := l.UtilizationBounds["challenge-service"]
	assert.InDelta(t, 0.7, svc.DemandMs, 1e-9)
	assert.InDelta(t, 357.1, svc.BoundRate, 0.1)
	assert.Equal(t, 0.25, svc.CapacityCores)
	assert.InDelta(t, 1.0, l.UtilizationBounds["loadgen"].DemandMs, 1e-9)
	assert.InDelta(t, 2.2, l.UtilizationBounds["host"].DemandMs, 1e-9, "everything on the host: 0.14 + 0.10 + 0.2 cores / 200")
	assert.InDelta(t, 2000/2.2, l.UtilizationBounds["host"].BoundRate, 1e-6)

	// Mixed work has no single demand per unit.
	mixed := apiLevelAt(200, 200, 14, 10, 0.2, runresult.VerdictPass)
	mixed.Events = &runresult.Side{AchievedRate: 500}
	UtilizationBounds(&mixed, caps)
	assert.Nil(t, mixed.UtilizationBounds)
}

func TestBottleneckFitsDemandAndBackground(t *testing.T) {
	// Service: U = 0.01 + 0.0006·X cores; bound (0.25 − 0.01) / 0.0006 = 400 RPS. The failed
	// level is left out, and the host's bound (lower here) is listed but not chosen.
	levels := []runresult.LevelResult{
		apiLevelAt(50, 50, 4, 2, 0.3, runresult.VerdictPass),
		apiLevelAt(100, 100, 7, 4, 0.6, runresult.VerdictPass),
		apiLevelAt(200, 199, 12.94, 8, 1.2, runresult.VerdictPass),
		apiLevelAt(500, 300, 25, 10, 2, runresult.VerdictLimit),
	}
	b := Bottleneck(levels, caps)
	require.NotNil(t, b)
	assert.Equal(t, "challenge-service", b.Resource)
	assert.Equal(t, "RPS", b.Unit)
	assert.InDelta(t, 400, b.Rate, 2)
	assert.InDelta(t, 0.6, b.DemandMs, 0.01)
	assert.InDelta(t, 0.01, b.BackgroundCores, 0.002)
	assert.Equal(t, []string{"rps-50", "rps-100", "rps-200"}, b.FromLevels)
	assert.Contains(t, b.Method, "fit over 3 levels")
	assert.Less(t, b.Bounds["host"], b.Rate, "the host would give out first: listed, not the target's bound")
	assert.Contains(t, b.Bounds, "postgres")

	// One level: D = U / X.
	b = Bottleneck(levels[2:3], caps)
	require.NotNil(t, b)
	assert.InDelta(t, 0.25/(0.1294/199), b.Rate, 1)
	assert.Contains(t, b.Method, "one level")

	// No level held: no projection.
	assert.Nil(t, Bottleneck(levels[3:], caps))
}

func TestFitDemandFallsBackWhenTheFitIsNotSane(t *testing.T) {
	// Utilization falling with rate (noise): the highest level's U / X.
	d, u0, method := fitDemand([]float64{100, 200}, []float64{0.2, 0.1})
	assert.InDelta(t, 0.0005, d, 1e-12)
	assert.Zero(t, u0)
	assert.Contains(t, method, "one level")
}

// The quarter-core run measured here (scenario 1, service at 0.25 CPU, 2026-12-04): a level at
// which the service used ≥ 90% of its quarter core is left out of its projection, and the fall in
// demand per request between the levels used is flagged: the linear bound is then conservative.
func TestBottleneckUsesUnsaturatedLevelsAndFlagsFallingDemand(t *testing.T) {
	levels := []runresult.LevelResult{
		apiLevelAt(50, 50, 7, 5, 0.07, runresult.VerdictPass),
		apiLevelAt(100, 100, 13, 7, 0.13, runresult.VerdictPass),
		apiLevelAt(200, 200, 20, 12, 0.2, runresult.VerdictPass),
		apiLevelAt(500, 500, 24, 30, 0.3, runresult.VerdictPass), // 96% of a quarter core: saturated
	}
	b := Bottleneck(levels, caps)
	require.NotNil(t, b)
	assert.Equal(t, "challenge-service", b.Resource)
	assert.Equal(t, 3, b.UsedLevels, "the saturated 500 RPS level is left out")
	assert.InDelta(t, 1.4, b.DemandLowRateMs, 1e-9)
	assert.InDelta(t, 1.0, b.DemandHighRateMs, 1e-9)
	assert.Contains(t, b.Note, "conservative")
	assert.Less(t, b.Rate, 300.0)

	// Demand that holds steady gives no note.
	steady := []runresult.LevelResult{
		apiLevelAt(50, 50, 3.5, 5, 0.07, runresult.VerdictPass),
		apiLevelAt(100, 100, 7, 7, 0.13, runresult.VerdictPass),
	}
	b = Bottleneck(steady, caps)
	require.NotNil(t, b)
	assert.Empty(t, b.Note)
	assert.InDelta(t, 357, b.Rate, 1)
}
