package suite

import (
	"fmt"
	"time"
)

// The handler keeps one Redis key per event id for DEDUPE_TTL (24 h), and the suite empties Redis
// only between levels, so one level's events must fit Redis' memory limit. A level that does not
// fit would fail on Redis errors and be misread as the handler's limit; the suite refuses to run it.
const (
	// defaultKeyBytes is Redis memory per de-duplication key before a level has measured it:
	// 162–169 B measured at 100–2,000 EPS (perf/results/nightly-2m/scenario2/*/level.json, redis).
	defaultKeyBytes = 170
	// keyMemoryMargin covers what used_memory does not count (allocator fragmentation, buffers).
	keyMemoryMargin = 1.25
)

// dedupeNeed is the Redis memory one level's de-duplication keys take: every event the level
// starts (arrival-rate executors start none after the duration) at bytesPerKey, with the margin.
func dedupeNeed(eventsPerSec int, d time.Duration, bytesPerKey float64) int64 {
	return int64(float64(eventsPerSec) * d.Seconds() * bytesPerKey * keyMemoryMargin)
}

// CheckDedupeFits returns a clear error when a level's keys would not fit Redis' memory limit.
func CheckDedupeFits(eventsPerSec int, d time.Duration, bytesPerKey float64, limit int64) error {
	if limit <= 0 || eventsPerSec <= 0 {
		return nil
	}
	if bytesPerKey <= 0 {
		bytesPerKey = defaultKeyBytes
	}
	need := dedupeNeed(eventsPerSec, d, bytesPerKey)
	if need <= limit {
		return nil
	}
	return fmt.Errorf("the Redis memory limit %d MiB is too small for this level: %d events/s for %s leave about %d MiB of de-duplication keys (%.0f B per key, +%.0f%% margin); set PERF_REDIS_MEMORY to at least %dM or shorten PERF_DURATION",
		limit>>20, eventsPerSec, d, need>>20, bytesPerKey, 100*(keyMemoryMargin-1), (need>>20)+64)
}
