package runner

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// Describe is a level's one-line account for the log: each side's rate, latencies and errors, the
// programs' CPU and memory, the verdict and its reasons.
func Describe(r runresult.LevelResult) string {
	var parts []string
	if r.API != nil {
		parts = append(parts, fmt.Sprintf("API %.0f/s p50 %.1f p95 %.1f p99 %.1f ms err %.2f%%", r.API.AchievedRate, r.API.P50ms, r.API.P95ms, r.API.P99ms, 100*r.API.ErrorRate))
		if len(r.API.Claims) > 0 || r.API.Gets > 0 {
			parts[len(parts)-1] += fmt.Sprintf(" [%d GETs, claims %s]", r.API.Gets, ClaimMix(r.API.Claims))
		}
		if b, ok := r.Loadgen.HTTPBlockedP95Ms[ScenarioAPI]; ok {
			// The generator's own queue, next to the request time.
			parts[len(parts)-1] += fmt.Sprintf(" (waited for a connection: p95 %.1f ms, pool %d)", b, r.Loadgen.HTTPPool[ScenarioAPI])
		}
	}
	if r.Events != nil {
		parts = append(parts, fmt.Sprintf("events %.0f/s p50 %.1f p95 %.1f p99 %.1f ms err %.2f%%", r.Events.AchievedRate, r.Events.P50ms, r.Events.P95ms, r.Events.P99ms, 100*r.Events.ErrorRate))
	}
	if r.E2E != nil {
		parts = append(parts, fmt.Sprintf("E2E p50 %.0f p95 %.0f p99 %.0f ms (%d probes)", r.E2E.P50ms, r.E2E.P95ms, r.E2E.P99ms, r.E2E.Probes))
	}
	for _, role := range []string{harness.AliasService, harness.AliasHandler, harness.AliasPostgres} {
		if rr, ok := r.Resources[role]; ok {
			parts = append(parts, fmt.Sprintf("%s CPU %.0f%% mem %.0fMiB", role, rr.CPUAvgPct, rr.MemMaxMiB))
		}
	}
	s := strings.Join(parts, "; ") + " → " + r.Verdict
	if len(r.Reasons) > 0 {
		s += " (" + strings.Join(r.Reasons, "; ") + ")"
	}
	return s
}

// ClaimMix renders claim answers by status, e.g. "200: 812, 409: 3" ("none" when no claim ran).
func ClaimMix(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
