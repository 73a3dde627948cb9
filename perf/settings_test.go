//go:build perf

package perf

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
)

// settings are the suite's PERF_* settings, read once and validated in TestMain; tests of the
// instrument change them with withSettings.
var settings runner.Settings

// runDir is this process's results directory (PERF_RESULTS_DIR, else perf/results/<time>).
var runDir string

// loadSettings reads the suite's settings and checks the stack's (harness reads those again at
// every stack start, after tests may have changed them), reporting every bad value of both at once.
func loadSettings() error {
	s, err := runner.FromEnv()
	_, stackErr := harness.StackConfigFromEnv()
	if err := errors.Join(err, stackErr); err != nil {
		return err
	}
	settings, runDir = s, s.ResultsDir
	return nil
}

// withSettings changes the settings for one test and restores them when it ends: for the tests
// that point scenarios at a target they started themselves. Variables harness reads at stack start
// (PERF_IMPL, images, PERF_SERVICE_ENV, ...) stay t.Setenv.
func withSettings(t *testing.T, change func(*runner.Settings)) {
	t.Helper()
	saved := settings
	s := saved
	s.Levels = slices.Clone(s.Levels)
	s.Target.Containers = maps.Clone(s.Target.Containers)
	change(&s)
	settings = s
	t.Cleanup(func() { settings = saved })
}
