package runner

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestDescribe(t *testing.T) {
	r := runresult.LevelResult{
		API:     &runresult.Side{AchievedRate: 99.6, P50ms: 2.77, P95ms: 170.11, P99ms: 204.03, ErrorRate: 0.0012, Gets: 2000, Claims: map[string]int64{"409": 3, "200": 423}},
		Events:  &runresult.Side{AchievedRate: 393.25, P50ms: 4.475, P95ms: 21.02, P99ms: 41.34, ErrorRate: 0.3516},
		E2E:     &runresult.E2EStats{P50ms: 6.9, P95ms: 21.8, P99ms: 54.2, Probes: 40},
		Loadgen: runresult.Generator{HTTPBlockedP95Ms: map[string]float64{"api": 7.25}, HTTPPool: map[string]int{"api": 64}},
		Resources: map[string]runresult.ResourceRow{
			harness.AliasHandler: {CPUAvgPct: 26.2, MemMaxMiB: 24.2}, harness.AliasService: {CPUAvgPct: 15.7, MemMaxMiB: 33.3},
			harness.AliasRedis: {CPUAvgPct: 3},
		},
		Verdict: runresult.VerdictLimit, Reasons: []string{"events error rate 35.16% > 1%", "events dropped"},
	}
	assert.Equal(t, "API 100/s p50 2.8 p95 170.1 p99 204.0 ms err 0.12% [2000 GETs, claims 200: 423, 409: 3] (waited for a connection: p95 7.2 ms, pool 64); "+
		"events 393/s p50 4.5 p95 21.0 p99 41.3 ms err 35.16%; E2E p50 7 p95 22 p99 54 ms (40 probes); "+
		"challenge-service CPU 16% mem 33MiB; event-handler CPU 26% mem 24MiB → limit (events error rate 35.16% > 1%; events dropped)", Describe(r))
	assert.Equal(t, " → pass", Describe(runresult.LevelResult{Verdict: runresult.VerdictPass}))
}

func TestClaimMix(t *testing.T) {
	assert.Equal(t, "none", ClaimMix(nil))
	assert.Equal(t, "200: 812, 409: 3, error: 1", ClaimMix(map[string]int64{"error": 1, "409": 3, "200": 812}))
}
