//go:build perf

package perf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/internal/runresult"
)

var limits = map[string]float64{"challenge-service": 1, "event-handler": 1, "postgres": 2, "redis": 1}

func failedLevel(loadgenCores float64, cpu map[string]float64) *runresult.LevelResult {
	out := &runresult.LevelResult{Resources: map[string]runresult.ResourceRow{},
		Events: &runresult.Side{TargetRate: 10000, AchievedRate: 9000, ErrorRate: 0, Offered: 100, Dropped: 5}}
	out.Loadgen.CPUCores = loadgenCores
	for role, pct := range cpu {
		out.Resources[role] = runresult.ResourceRow{CPUAvgPct: pct}
	}
	return out
}

// Scenario 2 at 10,000 EPS on 2026-12-01: handler 69% of its core, PostgreSQL 42%, generator 0.66
// cores: 177% of the host's 200% with no container near its limit.
func TestAFailureOnASaturatedHostIsTheHosts(t *testing.T) {
	out := failedLevel(0.66, map[string]float64{"event-handler": 69, "postgres": 42, "redis": 0.2, "challenge-service": 0})
	judge(out, 2, limits)
	assert.Equal(t, runresult.VerdictHost, out.Verdict)
	assert.Contains(t, out.Reasons[len(out.Reasons)-1], "the busiest container, event-handler, averaged 69% of its limit")
	assert.True(t, runresult.LowerBound(out.Verdict))
}

func TestAFailureWithAContainerAtItsLimitIsTheServices(t *testing.T) {
	out := failedLevel(0.5, map[string]float64{"event-handler": 95, "postgres": 60})
	judge(out, 2, limits)
	assert.Equal(t, runresult.VerdictLimit, out.Verdict, "the handler used 95% of its core")

	out = failedLevel(0.3, map[string]float64{"event-handler": 50, "postgres": 40})
	judge(out, 2, limits)
	assert.Equal(t, runresult.VerdictLimit, out.Verdict, "the host had room: 120% of 200%")

	out = failedLevel(0.66, map[string]float64{"event-handler": 69, "postgres": 42})
	judge(out, 0, limits)
	assert.Equal(t, runresult.VerdictLimit, out.Verdict, "an external target's host is unknown")
}
