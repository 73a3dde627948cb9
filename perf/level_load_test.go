//go:build perf

package perf

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
)

// loadLevel runs the generator's container with the level's plan and, beside it, the containers'
// stats, the database sampler, the watch of the handler's buffer, the profiles and the fault.
func (e *scenarioEnv) loadLevel(ctx context.Context, r *levelRun) (err error) {
	l := r.spec
	l.OrderProbes = e.target.Has.EventOrder
	plan, err := runner.EncodePlan(runner.BuildPlan(l, runner.PlanConfig{Duration: e.profile.Duration,
		APIURL: e.ep.InternalAPIURL, GRPCAddr: e.ep.InternalGRPCAddr, Namespace: e.cfg.Namespace, Auth: e.cfg.AuthMode, HoldMs: e.holdEstimateMs()}))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.dir, "plan.json"), plan, 0o644); err != nil {
		return err
	}
	sampler, err := harness.SampleStats(ctx, e.statIDs)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	if l.DBSampling && e.db != nil {
		r.stopDB = harness.SampleDatabase(ctx, e.db, 5*time.Second)
		defer func() {
			if err != nil { // the level stops here: nothing will read the samples
				r.stopDB()
				r.stopDB = nil
			}
		}()
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	if e.hasOurMetrics() {
		go watchBuffer(watchCtx, e.ep.HandlerMetricsURL, &r.maxBuffer)
	}
	var profWG sync.WaitGroup
	if l.Profiles {
		profWG.Go(func() { r.profErr = collectLevelProfiles(ctx, e, r.dir) })
	}
	// A fault is injected at its offset from the generator's start, which its first progress
	// line marks (runner.Progress).
	engineStart := make(chan time.Time, 1)
	var faultWG sync.WaitGroup
	if l.Fault != nil {
		faultWG.Go(func() { r.fault = e.injectFault(ctx, l.Fault, engineStart) })
	}
	progress := &runner.Progress{Logf: e.t.Logf, Started: func(at time.Time) { engineStart <- at }}

	e.t.Logf("level %s: running for %s", l, e.profile.Duration)
	r.loadStart = time.Now()
	res, runErr := harness.RunLoad(ctx, harness.LoadSpec{
		Plan: plan,
		Files: map[string][]byte{
			harness.LoadUsers: e.fix.UsersJSON, harness.LoadTokens: e.fix.TokensJSON,
		},
		Limits:      settings.Loadgen,
		Network:     e.network(),
		HostNetwork: e.stack == nil,
		Timeout:     e.profile.Duration + 3*time.Minute,
		OutDir:      r.dir,
		Progress:    progress.Line,
	})
	r.loadEnd = time.Now()
	progress.End(func() { close(engineStart) }) // the generator never reported: no fault is injected
	faultWG.Wait()
	stopWatch()
	profWG.Wait()
	r.samples = sampler.Stop()
	if err := runner.WriteNDJSON(filepath.Join(r.dir, "container_stats.ndjson"), r.samples); err != nil {
		r.Errorf("%v", err)
	}
	if runErr != nil {
		return runErr
	}
	if res.ExitCode != harness.LoadExitOK && res.ExitCode != harness.LoadExitThresholdFailed {
		return fmt.Errorf("load generator failed with exit code %d:\n%s", res.ExitCode, res.LogTail)
	}
	if r.profErr != nil {
		r.Errorf("%s: profiles: %v", l, r.profErr)
	}
	return nil
}
