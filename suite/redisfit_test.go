package suite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckDedupeFits(t *testing.T) {
	const mib = 1 << 20
	// Nightly's 2-minute levels at the default 1 GiB: the top of the event ladder fits.
	require.NoError(t, CheckDedupeFits(30000, 2*time.Minute, 162, 1024*mib))
	// 30,000 EPS × 120 s × 162 B × 1.25 ≈ 695 MiB: not in 512 MiB.
	err := CheckDedupeFits(30000, 2*time.Minute, 162, 512*mib)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Redis memory limit 512 MiB is too small")
	assert.Contains(t, err.Error(), "PERF_REDIS_MEMORY")
	// The full profile's 30-minute levels outgrow 1 GiB from a few thousand EPS.
	assert.NoError(t, CheckDedupeFits(2000, 30*time.Minute, 0, 1024*mib))
	assert.Error(t, CheckDedupeFits(5000, 30*time.Minute, 0, 1024*mib))
	// No limit, or no events: nothing to check.
	assert.NoError(t, CheckDedupeFits(30000, time.Hour, 162, 0))
	assert.NoError(t, CheckDedupeFits(0, time.Hour, 162, mib))
}
