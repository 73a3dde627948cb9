//go:build perf

package perf

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// A level runs in phases, each returning what stops the level (runLevel fails the test with it)
// and recording what does not (levelRun.Errorf: the test fails, the level goes on):
//
//	prepare  the state the level starts from (level_prepare_test.go)
//	load     the generator's run, and what is sampled beside it (level_load_test.go)
//	collect  the level's figures (level_collect_test.go)
//	check    data integrity (level_integrity_test.go)
//	judge    the verdict and level.json (below)

// levelRun is one run of a level as its phases hand it on.
type levelRun struct {
	spec runner.LevelSpec
	dir  string
	// What prepare found: the seeded (or restored) state, the per-user set-up, and what the
	// level's figures are differences from (Redis memory, the handler's flush counters).
	seeded      *seedResult
	setup       *runresult.SetupStats
	redisBefore *harness.RedisMemory
	flushBefore map[string]*dto.MetricFamily
	// What load measured beside the generator.
	samples            []harness.StatSample
	loadStart, loadEnd time.Time
	maxBuffer          atomic.Int64 // the most entries the handler buffered
	profErr            error
	fault              *runresult.FaultResult
	stopDB             func() []runresult.DBSample // the database sampler, until collect stops it
	// out is the level's result, which collect, check and judge fill in.
	out runresult.LevelResult
	// problems are what failed without stopping the level, for runLevel to report.
	problems []string
}

// Errorf records a failure that does not stop the level.
func (r *levelRun) Errorf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// runLevel runs one level of load on the scenario's target, phase by phase, and returns its
// judged result.
func (e *scenarioEnv) runLevel(l runner.LevelSpec) runresult.LevelResult {
	t := e.t
	t.Helper()
	ctx := context.Background()
	r := &levelRun{spec: l, dir: filepath.Join(e.dir, l.Name)}
	for _, phase := range []struct {
		name string
		run  func(context.Context, *levelRun) error
	}{{"prepare", e.prepareLevel}, {"load", e.loadLevel}, {"collect", e.collectLevel}, {"check", e.checkLevel}, {"judge", e.judgeLevel}} {
		err := phase.run(ctx, r)
		for _, msg := range r.problems {
			t.Error(msg)
		}
		r.problems = nil
		if err != nil {
			t.Fatalf("%s: %s: %v", l, phase.name, err)
		}
	}
	return r.out
}

// judgeLevel judges the level against the spec's limit definition (suite.Judge), adds the
// service demand it implies, and writes level.json.
func (e *scenarioEnv) judgeLevel(_ context.Context, r *levelRun) error {
	suite.Judge(&r.out, suite.Thresholds, e.hostCPUs(), e.cpuLimits())
	suite.UtilizationBounds(&r.out, e.capacities())
	if err := runner.WriteJSON(filepath.Join(r.dir, "level.json"), r.out); err != nil {
		return err
	}
	e.t.Logf("level %s: %s", r.spec, runner.Describe(r.out))
	return nil
}

// checkLevel compares the target's state with what the level's acknowledged events imply, for
// a level that sent events.
func (e *scenarioEnv) checkLevel(ctx context.Context, r *levelRun) error {
	if !r.spec.ChecksIntegrity() {
		return nil
	}
	return e.checkLevelIntegrity(ctx, r)
}
