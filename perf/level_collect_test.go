//go:build perf

package perf

import (
	"context"
	"maps"
	"path/filepath"
	"slices"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// collectLevel gathers the level's figures: the generator's (runner.FillLoadResult), the fault's
// effect, the containers' CPU and memory, the database samples, the profiles' heaviest functions,
// the handler's flushes once it stored everything, Redis memory and the database analysis.
func (e *scenarioEnv) collectLevel(ctx context.Context, r *levelRun) error {
	l := r.spec
	r.out = runner.NewLevelResult(l, e.profile.Duration, r.dir)
	if s := r.seeded; s != nil {
		r.out.Seed = &runresult.SeedStats{StatValues: s.Events, Claims: s.Claims, Seconds: s.Took.Seconds(), RestoredFrom: s.RestoredFrom}
	}
	r.out.Setup = r.setup
	if err := e.fillLoadResult(&r.out, l, r.dir); err != nil {
		return err
	}
	if f := r.fault; f != nil {
		if err := runner.AnalyzeFault(f, r.dir); err != nil {
			r.Errorf("%s: fault analysis: %v", l, err)
		}
		r.out.Fault = f
		if f.Error != "" {
			r.Errorf("%s: injecting %s: %s", l, f.Name, f.Error)
		}
	}
	r.out.Resources = runner.Resources(r.samples, slices.Collect(maps.Keys(e.statIDs)), r.loadStart, r.loadEnd)
	if r.stopDB != nil {
		if err := runner.WriteJSON(filepath.Join(r.dir, "db_samples.json"), r.stopDB()); err != nil {
			return err
		}
	}
	if l.Profiles && r.profErr == nil {
		r.out.TopCPU, r.out.TopAlloc, r.out.TopMutex = topTables(r, filepath.Join(r.dir, "profiles"))
	}
	// Everything acknowledged must reach the database within a few flush intervals.
	if err := e.drain(ctx); err != nil {
		r.Errorf("%s: after level: %v", l, err)
	}
	// A fault may restart the handler, which resets its counters: no flush statistics then.
	if flushAfter, err := scrapeIf(ctx, e.ep.HandlerMetricsURL); err == nil && r.flushBefore != nil && flushAfter != nil && l.Fault == nil {
		r.out.Flush = runner.FlushDelta(r.flushBefore, flushAfter)
		r.out.Flush.MaxBufferSeen = float64(r.maxBuffer.Load())
	}
	if r.redisBefore != nil {
		if m, err := harness.ReadRedisMemory(ctx, e.redis); err != nil {
			r.Errorf("%s: redis memory: %v", l, err)
		} else {
			r.out.Redis = runner.RedisStats(*r.redisBefore, m)
			e.keyBytes.Observe(r.out.Redis)
		}
	}
	if l.DBSampling && e.db != nil {
		a, err := harness.AnalyzeDatabase(ctx, e.db)
		if err != nil {
			r.Errorf("%s: database analysis: %v", l, err)
		}
		r.out.DB = a
	}
	return nil
}

// fillLoadResult reads the generator's summary and time series into the level result; the API's
// connection time sizes the next level's pool.
func (e *scenarioEnv) fillLoadResult(out *runresult.LevelResult, l runner.LevelSpec, dir string) error {
	s, err := runner.ReadSummary(dir)
	if err != nil {
		return err
	}
	totals, err := runner.ScenarioTotals(dir)
	if err != nil {
		return err
	}
	if hold := runner.FillLoadResult(out, l, s, totals, e.profile.Duration, e.cfg.FlushInterval); hold > 0 {
		e.apiHoldMs = hold
	}
	return nil
}
