package runresult

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var limits = map[string]float64{"challenge-service": 1, "event-handler": 1, "postgres": 2, "redis": 1}

func level(loadgenCores float64, cpu map[string]float64) *LevelResult {
	l := &LevelResult{Resources: map[string]ResourceRow{}}
	l.Loadgen.CPUCores = loadgenCores
	for role, pct := range cpu {
		l.Resources[role] = ResourceRow{CPUAvgPct: pct}
	}
	return l
}

// Scenario 1 at 2,000 RPS with seeded progress on 2026-12-01 (re-run): service 64% of its core,
// PostgreSQL 34%, generator 0.90 cores: 188% of the host's 200%, no container near its limit.
func TestAFailureOnASaturatedHostIsTheHosts(t *testing.T) {
	why := HostLimited(level(0.90, map[string]float64{"challenge-service": 64, "postgres": 34, "event-handler": 0, "redis": 0.2}), 2, limits)
	assert.Contains(t, why, "used 188% of the host's 200% (generator 90%) while the busiest container, challenge-service, averaged 64% of its limit")
	assert.True(t, LowerBound(VerdictHost))
	assert.True(t, LowerBound(VerdictGenerator))
	assert.False(t, LowerBound(VerdictLimit))
}

func TestAFailureWithRoomOnTheHostOrAContainerAtItsLimitIsTheServices(t *testing.T) {
	// Scenario 2 at 10,000 EPS on 2026-12-01: 177% of 200% is under the 90% rule.
	assert.Empty(t, HostLimited(level(0.66, map[string]float64{"event-handler": 69, "postgres": 42}), 2, limits))
	assert.Empty(t, HostLimited(level(0.60, map[string]float64{"event-handler": 95, "postgres": 60}), 2, limits), "the handler used 95% of its core")
	assert.Empty(t, HostLimited(level(0.90, map[string]float64{"challenge-service": 64, "postgres": 34}), 0, limits), "an external target's host is unknown")
}
