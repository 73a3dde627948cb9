package runner

import (
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// NewLevelResult is a level's result before any figure is in: what the level was, d long, its
// results in dir.
func NewLevelResult(l LevelSpec, d time.Duration, dir string) runresult.LevelResult {
	return runresult.LevelResult{Level: l.String(), RPS: l.RPS, EPS: l.EPS, Retry: l.Retry, DurationSec: d.Seconds(), Dir: dir,
		Resources: map[string]runresult.ResourceRow{}}
}

// The edges of the load's window left out of the containers' figures: the generator starts a
// second or two after its container, and the last second is partial.
const (
	resourcesSkipStart = 3 * time.Second
	resourcesSkipEnd   = time.Second
)

// Resources condenses the containers' samples of each role into the level's CPU and memory, over
// the load's window [start, end] less its edges. A role without samples there has no row.
func Resources(samples []harness.StatSample, roles []string, start, end time.Time) map[string]runresult.ResourceRow {
	out := map[string]runresult.ResourceRow{}
	for _, role := range roles {
		if rs, err := harness.Summarize(samples, role, start.Add(resourcesSkipStart), end.Add(-resourcesSkipEnd)); err == nil {
			out[role] = runresult.ResourceRow{CPUAvgPct: rs.CPUAvg, CPUMaxPct: rs.CPUMax,
				MemMaxMiB: float64(rs.MemMax) / (1 << 20), MemLimitMiB: float64(rs.MemLimit) / (1 << 20), Throttled: rs.ThrottledPeriodsDiff}
		}
	}
	return out
}

// RedisStats is Redis's memory after a level next to before it: the growth per key is what one
// de-duplication key costs.
func RedisStats(before, after harness.RedisMemory) *runresult.RedisStats {
	r := &runresult.RedisStats{Keys: after.Keys, UsedBytes: after.UsedBytes, BaseBytes: before.UsedBytes}
	if after.Keys > 0 {
		r.BytesPerKey = float64(after.UsedBytes-before.UsedBytes) / float64(after.Keys)
	}
	return r
}

// KeyBytes is Redis memory per de-duplication key as measured at a scenario's largest event level
// so far (FromKeys keys); zero until one ran. It sizes the check that a level's keys fit
// (suite.CheckDedupeFits).
type KeyBytes struct {
	PerKey   float64
	FromKeys int64
}

// Observe keeps a level's per-key cost when the level held at least as many keys as the one
// measured before: small levels overstate it (Redis's fixed overhead).
func (k *KeyBytes) Observe(r *runresult.RedisStats) {
	if r.Keys > 0 && r.Keys >= k.FromKeys {
		k.PerKey, k.FromKeys = r.BytesPerKey, r.Keys
	}
}
