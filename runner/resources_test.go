package runner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestNewLevelResult(t *testing.T) {
	r := NewLevelResult(LevelSpec{Name: "rps-100_eps-500", RPS: 100, EPS: 500, Retry: true}, 20*time.Second, "/r/x")
	assert.Equal(t, runresult.LevelResult{Level: "100 RPS + 500 EPS", RPS: 100, EPS: 500, Retry: true, DurationSec: 20, Dir: "/r/x",
		Resources: map[string]runresult.ResourceRow{}}, r)
}

// The samples of the load's first 3 s and last second are left out; a role without samples in
// the window has no row.
func TestResourcesSkipTheEdges(t *testing.T) {
	start := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)
	end := start.Add(20 * time.Second)
	at := func(sec float64, cpu float64, mem uint64, thr uint64) harness.StatSample {
		return harness.StatSample{Time: start.Add(time.Duration(sec * float64(time.Second))), Role: harness.AliasService,
			CPUPercent: cpu, MemoryBytes: mem, MemoryLimit: 1 << 30, Throttled: thr}
	}
	samples := []harness.StatSample{
		at(1, 500, 900<<20, 0), // ramp: left out
		at(4, 20, 30<<20, 10), at(10, 40, 40<<20, 12), at(18, 30, 35<<20, 15),
		at(19.5, 900, 999<<20, 99), // last second: left out
		{Time: start.Add(2 * time.Second), Role: harness.AliasHandler, CPUPercent: 50},
	}
	got := Resources(samples, []string{harness.AliasService, harness.AliasHandler}, start, end)
	assert.Equal(t, map[string]runresult.ResourceRow{
		harness.AliasService: {CPUAvgPct: 30, CPUMaxPct: 40, MemMaxMiB: 40, MemLimitMiB: 1024, Throttled: 5},
	}, got)
	assert.Empty(t, Resources(nil, []string{harness.AliasService}, start, end))
}

func TestRedisStats(t *testing.T) {
	assert.Equal(t, &runresult.RedisStats{Keys: 1000, UsedBytes: 1_170_000, BaseBytes: 1_000_000, BytesPerKey: 170},
		RedisStats(harness.RedisMemory{Keys: 5, UsedBytes: 1_000_000}, harness.RedisMemory{Keys: 1000, UsedBytes: 1_170_000}))
	assert.Equal(t, &runresult.RedisStats{UsedBytes: 997_968, BaseBytes: 988_640},
		RedisStats(harness.RedisMemory{UsedBytes: 988_640}, harness.RedisMemory{UsedBytes: 997_968}), "no key: no per-key cost")
}

// The largest level's per-key cost is kept: a smaller level after it does not replace it.
func TestKeyBytesKeepsTheLargestLevel(t *testing.T) {
	var k KeyBytes
	k.Observe(&runresult.RedisStats{})
	assert.Zero(t, k)
	k.Observe(&runresult.RedisStats{Keys: 10_000, BytesPerKey: 200})
	k.Observe(&runresult.RedisStats{Keys: 100_000, BytesPerKey: 170})
	k.Observe(&runresult.RedisStats{Keys: 20_000, BytesPerKey: 190})
	assert.Equal(t, KeyBytes{PerKey: 170, FromKeys: 100_000}, k)
}
