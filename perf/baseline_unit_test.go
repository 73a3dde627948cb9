//go:build perf

package perf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestHeldByBaseline(t *testing.T) {
	api := runresult.BaselineEntry{MaxRPS: 5000}
	assert.True(t, heldByBaseline(api, 5000, 0))
	assert.False(t, heldByBaseline(api, 7500, 0))
	assert.False(t, heldByBaseline(api, 1000, 100), "the baseline measured no events")
	combined := runresult.BaselineEntry{MaxRPS: 2000, MaxEPS: 1000}
	assert.True(t, heldByBaseline(combined, 1000, 1000))
	assert.False(t, heldByBaseline(combined, 1000, 2000))
	assert.False(t, heldByBaseline(runresult.BaselineEntry{APIP95ms: 1}, 50, 0), "a smoke entry has no maxima")
}
