//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
	dto "github.com/prometheus/client_model/go"
)

// runLevel resets the database, runs one level of load in the generator's container while
// sampling resources (and optionally profiles and PostgreSQL), then checks data integrity and
// judges the level against the spec's limit definition.
func (e *scenarioEnv) runLevel(l runner.LevelSpec) runresult.LevelResult {
	t := e.t
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(e.dir, l.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	ops := e.ep
	// Start from an empty database: what the previous level buffered must be stored first. (A
	// target without our metrics was settled by the previous level's check through the API.)
	if e.hasOurMetrics() {
		if err := waitDrained(ctx, ops.HandlerMetricsURL, cfg.FlushInterval); err != nil {
			t.Fatalf("%s: before level: %v", l, err)
		}
	}
	// A level with API load starts from the realistic (seeded) state: restored from the snapshot
	// when an earlier level on this stack seeded it, else seeded below.
	wantSeed := l.RPS > 0 && settings.SeedProgress
	var seeded *seedResult
	if e.canReset {
		restored, err := e.resetState(ctx, wantSeed)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if restored != nil {
			seeded = restored
			t.Logf("level %s: restored the seeded state of %s (%d stat values, %d claims) in %.1f s",
				l, restored.RestoredFrom, restored.Events, restored.Claims, restored.Took.Seconds())
		}
	}
	if e.stack != nil && cfg.AckMode == harness.AckBuffered {
		if err := suite.CheckDedupeFits(l.EPS+int(math.Ceil(l.E2ERate)), e.profile.Duration, e.keyBytes, cfg.Redis.MemoryBytes); err != nil {
			t.Fatalf("level %s: %v", l, err)
		}
	}
	var redisBefore *harness.RedisMemory
	if l.EPS > 0 && e.redis != nil && e.canReset {
		if m, err := harness.ReadRedisMemory(ctx, e.redis); err != nil {
			t.Errorf("%s: redis memory: %v", l, err)
		} else {
			redisBefore = &m
		}
	}
	// Users first exist for some implementations after a set-up call (targets.Call), once per state.
	var setupStats *runresult.SetupStats
	if e.setup != nil && !e.setUp {
		st, err := e.userSetup(ctx)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		setupStats, e.setUp = st, true
		t.Logf("level %s: user set-up %s for %d users in %.1f s (%d errors), settled at %d calls at a time: %v",
			l, st.Call, st.Users, st.Seconds, st.Errors, st.Concurrency, st.Ramp)
	}
	if !e.canReset && !e.priorRead {
		n, took, err := e.snapshotPrior(ctx)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		e.priorRead = true
		t.Logf("level %s: read the state %d users had before this scenario through the API in %.1f s (the target cannot be reset: the integrity check starts from it)",
			l, n, took.Seconds())
	}
	// Levels with API load start from realistic state (seedState), once per state: the seeded
	// values join the truth the integrity check compares with, next to the generator's events.
	if wantSeed && !e.seeded {
		sr, err := e.seedState(ctx, ops.GRPCAddr, ops.APIURL)
		if err != nil {
			t.Fatalf("%s: seed state: %v", l, err)
		}
		if e.hasOurMetrics() {
			if err := waitDrained(ctx, ops.HandlerMetricsURL, cfg.FlushInterval); err != nil {
				t.Fatalf("%s: seed state: %v", l, err)
			}
		}
		seeded, e.seeded = &sr, true
		if err := e.saveSeed(ctx, l.Name, sr); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		t.Logf("level %s: seeded %d stat values and %d claims for %d users in %.1f s (realistic state; PERF_SEED_PROGRESS=false turns it off)",
			l, sr.Events, sr.Claims, len(e.fix.Users), sr.Took.Seconds())
	}
	var flushBefore map[string]*dto.MetricFamily
	if e.hasOurMetrics() {
		flushBefore, _ = scrapeIf(ctx, ops.HandlerMetricsURL)
	}

	l.OrderProbes = e.target.Has.EventOrder
	plan, err := runner.EncodePlan(runner.BuildPlan(l, runner.PlanConfig{Duration: e.profile.Duration,
		APIURL: ops.InternalAPIURL, GRPCAddr: ops.InternalGRPCAddr, Namespace: cfg.Namespace, Auth: cfg.AuthMode, HoldMs: e.holdEstimateMs()}))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), plan, 0o644); err != nil {
		t.Fatal(err)
	}
	ids := e.statIDs
	sampler, err := harness.SampleStats(ctx, ids)
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	var stopDB func() []runresult.DBSample
	if l.DBSampling && e.db != nil {
		stopDB = harness.SampleDatabase(ctx, e.db, 5*time.Second)
	}
	var maxBuffer atomic.Int64
	watchCtx, stopWatch := context.WithCancel(ctx)
	if e.hasOurMetrics() {
		go watchBuffer(watchCtx, ops.HandlerMetricsURL, &maxBuffer)
	}

	var profWG sync.WaitGroup
	var profErr error
	if l.Profiles {
		profWG.Add(1)
		go func() {
			defer profWG.Done()
			profErr = collectLevelProfiles(ctx, e, dir)
		}()
	}

	// A fault is injected at its offset from the generator's start, which the first progress line
	// (printed at 1 s) marks.
	engineStart := make(chan time.Time, 1)
	var startOnce sync.Once
	var faultRes *runresult.FaultResult
	var faultWG sync.WaitGroup
	if l.Fault != nil {
		faultWG.Go(func() { faultRes = e.injectFault(ctx, l.Fault, engineStart) })
	}

	t.Logf("level %s: running for %s", l, e.profile.Duration)
	loadStart := time.Now()
	var progressN atomic.Int64
	res, err := harness.RunLoad(ctx, harness.LoadSpec{
		Plan: plan,
		Files: map[string][]byte{
			harness.LoadUsers: e.fix.UsersJSON, harness.LoadTokens: e.fix.TokensJSON,
		},
		Limits:      settings.Loadgen,
		Network:     e.network(),
		HostNetwork: e.stack == nil,
		Timeout:     e.profile.Duration + 3*time.Minute,
		OutDir:      dir,
		Progress: func(line string) {
			if strings.Contains(line, " it/s ") {
				startOnce.Do(func() { engineStart <- time.Now().Add(-time.Second) })
			}
			// The generator reports every second; every fifth line keeps `go test -v` readable.
			if !strings.Contains(line, " it/s ") || progressN.Add(1)%5 == 1 {
				t.Logf("  loadgen: %s", line)
			}
		},
	})
	loadEnd := time.Now()
	startOnce.Do(func() { close(engineStart) }) // the generator never reported: no fault was injected
	faultWG.Wait()
	stopWatch()
	profWG.Wait()
	samples := sampler.Stop()
	writeNDJSON(t, filepath.Join(dir, "container_stats.ndjson"), samples)
	if err != nil {
		t.Fatalf("%s: %v", l, err)
	}
	if res.ExitCode != harness.LoadExitOK && res.ExitCode != harness.LoadExitThresholdFailed {
		t.Fatalf("%s: load generator failed with exit code %d:\n%s", l, res.ExitCode, res.LogTail)
	}
	if profErr != nil {
		t.Errorf("%s: profiles: %v", l, profErr)
	}

	out := runresult.LevelResult{Level: l.String(), RPS: l.RPS, EPS: l.EPS, Retry: l.Retry, DurationSec: e.profile.Duration.Seconds(), Dir: dir,
		Resources: map[string]runresult.ResourceRow{}}
	if seeded != nil {
		out.Seed = &runresult.SeedStats{StatValues: seeded.Events, Claims: seeded.Claims, Seconds: seeded.Took.Seconds(), RestoredFrom: seeded.RestoredFrom}
	}
	out.Setup = setupStats
	if err := e.fillLoadResult(&out, l, dir); err != nil {
		t.Fatalf("%s: %v", l, err)
	}
	if faultRes != nil {
		if err := runner.AnalyzeFault(faultRes, dir); err != nil {
			t.Errorf("%s: fault analysis: %v", l, err)
		}
		out.Fault = faultRes
		if faultRes.Error != "" {
			t.Errorf("%s: injecting %s: %s", l, faultRes.Name, faultRes.Error)
		}
	}
	for role := range ids {
		// Skip the ramp edges: the generator starts a second or two after the container.
		if rs, err := harness.Summarize(samples, role, loadStart.Add(3*time.Second), loadEnd.Add(-time.Second)); err == nil {
			out.Resources[role] = runresult.ResourceRow{CPUAvgPct: rs.CPUAvg, CPUMaxPct: rs.CPUMax,
				MemMaxMiB: float64(rs.MemMax) / (1 << 20), MemLimitMiB: float64(rs.MemLimit) / (1 << 20), Throttled: rs.ThrottledPeriodsDiff}
		}
	}
	if stopDB != nil {
		writeJSON(t, filepath.Join(dir, "db_samples.json"), stopDB())
	}
	if l.Profiles && profErr == nil {
		out.TopCPU, out.TopAlloc, out.TopMutex = topTables(t, filepath.Join(dir, "profiles"))
	}

	// Everything acknowledged must reach the database within a few flush intervals (without our
	// metrics the check through the API below waits for it).
	if e.hasOurMetrics() {
		if err := waitDrained(ctx, ops.HandlerMetricsURL, cfg.FlushInterval); err != nil {
			t.Errorf("%s: after level: %v", l, err)
		}
	}
	// A fault may restart the handler, which resets its counters: no flush statistics then.
	if flushAfter, err := scrapeIf(ctx, ops.HandlerMetricsURL); err == nil && flushBefore != nil && flushAfter != nil && l.Fault == nil {
		out.Flush = flushDelta(flushBefore, flushAfter)
		out.Flush.MaxBufferSeen = float64(maxBuffer.Load())
	}
	if redisBefore != nil {
		if m, err := harness.ReadRedisMemory(ctx, e.redis); err != nil {
			t.Errorf("%s: redis memory: %v", l, err)
		} else {
			out.Redis = &runresult.RedisStats{Keys: m.Keys, UsedBytes: m.UsedBytes, BaseBytes: redisBefore.UsedBytes}
			if m.Keys > 0 {
				out.Redis.BytesPerKey = float64(m.UsedBytes-redisBefore.UsedBytes) / float64(m.Keys)
				// Small levels overstate the per-key cost (fixed overhead): keep the largest level's.
				if m.Keys >= e.keyBytesFrom {
					e.keyBytes, e.keyBytesFrom = out.Redis.BytesPerKey, m.Keys
				}
			}
		}
	}
	if l.DBSampling && e.db != nil {
		a, err := harness.AnalyzeDatabase(ctx, e.db)
		if err != nil {
			t.Errorf("%s: database analysis: %v", l, err)
		}
		out.DB = a
	}
	if (l.EPS > 0 || l.E2ERate > 0) && !l.NoIntegrity {
		e.checkLevelIntegrity(ctx, &out, dir)
	}
	suite.Judge(&out, suite.Thresholds, e.hostCPUs(), e.cpuLimits())
	suite.UtilizationBounds(&out, e.capacities())
	writeJSON(t, filepath.Join(dir, "level.json"), out)
	t.Logf("level %s: %s", l, describe(out))
	return out
}

// fillLoadResult reads the generator's summary and time series into the level result.
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

func describe(r runresult.LevelResult) string {
	var parts []string
	if r.API != nil {
		parts = append(parts, fmt.Sprintf("API %.0f/s p50 %.1f p95 %.1f p99 %.1f ms err %.2f%%", r.API.AchievedRate, r.API.P50ms, r.API.P95ms, r.API.P99ms, 100*r.API.ErrorRate))
		if len(r.API.Claims) > 0 || r.API.Gets > 0 {
			parts[len(parts)-1] += fmt.Sprintf(" [%d GETs, claims %s]", r.API.Gets, claimMix(r.API.Claims))
		}
		if b, ok := r.Loadgen.HTTPBlockedP95Ms["api"]; ok {
			// The generator's own queue, next to the request time.
			parts[len(parts)-1] += fmt.Sprintf(" (waited for a connection: p95 %.1f ms, pool %d)", b, r.Loadgen.HTTPPool["api"])
		}
	}
	if r.Events != nil {
		parts = append(parts, fmt.Sprintf("events %.0f/s p50 %.1f p95 %.1f p99 %.1f ms err %.2f%%", r.Events.AchievedRate, r.Events.P50ms, r.Events.P95ms, r.Events.P99ms, 100*r.Events.ErrorRate))
	}
	if r.E2E != nil {
		parts = append(parts, fmt.Sprintf("E2E p50 %.0f p95 %.0f p99 %.0f ms (%d probes)", r.E2E.P50ms, r.E2E.P95ms, r.E2E.P99ms, r.E2E.Probes))
	}
	for _, role := range []string{harness.AliasService, harness.AliasHandler, harness.AliasPostgres} {
		if rr, ok := r.Resources[role]; ok {
			parts = append(parts, fmt.Sprintf("%s CPU %.0f%% mem %.0fMiB", role, rr.CPUAvgPct, rr.MemMaxMiB))
		}
	}
	s := strings.Join(parts, "; ") + " → " + r.Verdict
	if len(r.Reasons) > 0 {
		s += " (" + strings.Join(r.Reasons, "; ") + ")"
	}
	return s
}

func writeNDJSON[T any](t interface{ Errorf(string, ...any) }, path string, rows []T) {
	f, err := os.Create(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			t.Errorf("%v", err)
			return
		}
	}
}

// claimMix renders claim answers by status, e.g. "200: 812, 409: 3" ("none" when no claim ran).
func claimMix(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
