package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// testdata/levels/<name> holds a smoke run's summary.json and timeseries.ndjson, and want.json:
// that run's level.json as the suite wrote it then (the parts the generator's files decide).
var levelFixtures = map[string]struct {
	l     LevelSpec
	flush time.Duration
}{
	"fault": {LevelSpec{Name: "fault-1", RPS: 100, EPS: 500, Redeliver: true}, 2 * time.Millisecond}, // scenario 6: API, claims, events, redelivery
	"e2e":   {LevelSpec{Name: "eps-200_e2e", EPS: 200, E2ERate: 2}, 2 * time.Millisecond},            // scenario 5: events and probes
}

// want reads the fixture's level.json parts.
func want(t *testing.T, dir string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "want.json"))
	require.NoError(t, err)
	var w map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &w))
	return w
}

// The level's figures are the ones the suite read from the same files before.
func TestFillLoadResultAsBefore(t *testing.T) {
	for name, c := range levelFixtures {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "levels", name)
			s, err := ReadSummary(dir)
			require.NoError(t, err)
			totals, err := ScenarioTotals(dir)
			require.NoError(t, err)
			var out runresult.LevelResult
			FillLoadResult(&out, c.l, s, totals, 20*time.Second, c.flush)
			got, err := json.Marshal(out)
			require.NoError(t, err)
			var g map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(got, &g))
			w := want(t, dir)
			for _, k := range []string{"api", "events", "e2e", "loadgen"} {
				if w[k] == nil {
					assert.Nil(t, g[k], k)
					continue
				}
				assert.JSONEq(t, string(w[k]), string(g[k]), k)
			}
		})
	}
}

// An API iteration's connection time is requests × mean request time per iteration.
func TestFillLoadResultHoldTime(t *testing.T) {
	dir := filepath.Join("testdata", "levels", "fault")
	s, err := ReadSummary(dir)
	require.NoError(t, err)
	totals, err := ScenarioTotals(dir)
	require.NoError(t, err)
	var out runresult.LevelResult
	hold := FillLoadResult(&out, levelFixtures["fault"].l, s, totals, 20*time.Second, 0)
	assert.InDelta(t, 2423*26.51021211638463/2000, hold, 1e-9)
	assert.Zero(t, FillLoadResult(&out, LevelSpec{EPS: 500}, s, totals, 20*time.Second, 0), "no API load: nothing measured")
}

// A level the generator recorded nothing of has its sides, zero, and no claim mix.
func TestFillLoadResultEmptySummary(t *testing.T) {
	var out runresult.LevelResult
	hold := FillLoadResult(&out, LevelSpec{RPS: 10, EPS: 20}, &loadgen.Summary{}, map[string]*runresult.Side{}, 10*time.Second, 0)
	assert.Zero(t, hold)
	require.NotNil(t, out.API)
	assert.Equal(t, runresult.Side{TargetRate: 10}, *out.API)
	assert.Equal(t, runresult.Side{TargetRate: 20}, *out.Events)
	assert.Nil(t, out.E2E)
}

// The fault's figures are the ones the suite computed from the same files before, given the
// window it injected the fault in.
func TestAnalyzeFaultAsBefore(t *testing.T) {
	dir := filepath.Join("testdata", "levels", "fault")
	var w runresult.FaultResult
	require.NoError(t, json.Unmarshal(want(t, dir)["fault"], &w))
	r := &runresult.FaultResult{Name: w.Name, StartSec: w.StartSec, EndSec: w.EndSec, RecoverySec: -1}
	require.NoError(t, AnalyzeFault(r, dir))
	assert.Equal(t, w, *r)
	assert.Positive(t, r.EventsRedelivered)

	assert.Error(t, AnalyzeFault(&runresult.FaultResult{}, t.TempDir()), "no time series")
}

func TestReadSummaryErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadSummary(dir)
	assert.Error(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, SummaryFile), []byte("{"), 0o644))
	_, err = ReadSummary(dir)
	assert.ErrorContains(t, err, SummaryFile)
}
