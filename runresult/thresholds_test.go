package runresult

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScenarioResultRecordsItsThresholds(t *testing.T) {
	dir := t.TempDir()
	// A result.json written before the suite recorded its thresholds: none.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ResultFile), []byte(`{"scenario":"scenario1","profile":"smoke","levels":[],"max_sustainable":""}`), 0o644))
	r, found, err := ReadScenarioResult(dir)
	require.NoError(t, err)
	require.True(t, found)
	assert.Nil(t, r.Thresholds)

	require.NoError(t, os.WriteFile(filepath.Join(dir, ResultFile), []byte(`{"scenario":"scenario1","thresholds":{"max_error_rate":0.01,"max_api_p95_ms":2000,"max_event_p95_ms":500,"min_achieved_pct":95,"max_dropped_pct":1}}`), 0o644))
	r, _, err = ReadScenarioResult(dir)
	require.NoError(t, err)
	assert.Equal(t, &Thresholds{MaxErrorRate: 0.01, MaxAPIP95ms: 2000, MaxEventP95ms: 500, MinAchievedPct: 95, MaxDroppedPct: 1}, r.Thresholds)
}
