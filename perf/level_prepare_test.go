//go:build perf

package perf

import (
	"context"
	"fmt"
	"os"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/suite"
)

// prepareLevel brings the target to the state the level starts from, in this order: what the
// previous level buffered stored, the database reset (or the seeded state restored), the
// per-user set-up, the state read through the API (a target the suite cannot reset) and the
// realistic state seeded; then it reads what the level's figures are differences from.
func (e *scenarioEnv) prepareLevel(ctx context.Context, r *levelRun) error {
	l := r.spec
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	if err := e.drain(ctx); err != nil {
		return fmt.Errorf("before level: %w", err)
	}
	if err := e.startState(ctx, r); err != nil {
		return err
	}
	if e.stack != nil && e.cfg.AckMode == harness.AckBuffered {
		if err := suite.CheckDedupeFits(l.EventsPerSecond(), e.profile.Duration, e.keyBytes.PerKey, e.cfg.Redis.MemoryBytes); err != nil {
			return err
		}
	}
	if l.EPS > 0 && e.redis != nil && e.canReset {
		if m, err := harness.ReadRedisMemory(ctx, e.redis); err != nil {
			r.Errorf("%s: redis memory: %v", l, err)
		} else {
			r.redisBefore = &m
		}
	}
	if err := e.setUpUsers(ctx, r); err != nil {
		return err
	}
	if err := e.readPrior(ctx, r); err != nil {
		return err
	}
	if err := e.seedLevel(ctx, r); err != nil {
		return err
	}
	if e.hasOurMetrics() {
		r.flushBefore, _ = scrapeIf(ctx, e.ep.HandlerMetricsURL)
	}
	return nil
}

// drain waits until the handler stored everything it acknowledged. A target without our metrics
// is not waited for: the check through the API waits until the target shows it.
func (e *scenarioEnv) drain(ctx context.Context) error {
	if !e.hasOurMetrics() {
		return nil
	}
	return waitDrained(ctx, e.ep.HandlerMetricsURL, e.cfg.FlushInterval)
}

// startState empties the database of a target the suite may reset, or restores the seeded state
// when the level wants realistic state and an earlier level on this stack seeded it.
func (e *scenarioEnv) startState(ctx context.Context, r *levelRun) error {
	if !e.canReset {
		return nil
	}
	restored, err := e.resetState(ctx, r.spec.WantsSeed(settings.SeedProgress))
	if err != nil {
		return err
	}
	if restored != nil {
		r.seeded = restored
		e.t.Logf("level %s: restored the seeded state of %s (%d stat values, %d claims) in %.1f s",
			r.spec, restored.RestoredFrom, restored.Events, restored.Claims, restored.Took.Seconds())
	}
	return nil
}

// setUpUsers makes the target's per-user set-up call (targets.Call), once per state: users first
// exist for some implementations after it.
func (e *scenarioEnv) setUpUsers(ctx context.Context, r *levelRun) error {
	if e.setup == nil || e.setUp {
		return nil
	}
	st, err := e.userSetup(ctx)
	if err != nil {
		return err
	}
	r.setup, e.setUp = st, true
	e.t.Logf("level %s: user set-up %s for %d users in %.1f s (%d errors), settled at %d calls at a time: %v",
		r.spec, st.Call, st.Users, st.Seconds, st.Errors, st.Concurrency, st.Ramp)
	return nil
}

// readPrior reads, once, the state a target the suite cannot reset holds before the scenario's
// first event: the integrity check starts from it.
func (e *scenarioEnv) readPrior(ctx context.Context, r *levelRun) error {
	if e.canReset || e.priorRead {
		return nil
	}
	n, took, err := e.snapshotPrior(ctx)
	if err != nil {
		return err
	}
	e.priorRead = true
	e.t.Logf("level %s: read the state %d users had before this scenario through the API in %.1f s (the target cannot be reset: the integrity check starts from it)",
		r.spec, n, took.Seconds())
	return nil
}

// seedLevel seeds realistic state (seedState) for a level with API load, once per state: the
// seeded values join the truth the integrity check compares with, next to the generator's events.
// The seeded state is saved for later levels to restore.
func (e *scenarioEnv) seedLevel(ctx context.Context, r *levelRun) error {
	if !r.spec.WantsSeed(settings.SeedProgress) || e.seeded {
		return nil
	}
	sr, err := e.seedState(ctx, e.ep.GRPCAddr, e.ep.APIURL)
	if err != nil {
		return fmt.Errorf("seed state: %w", err)
	}
	if err := e.drain(ctx); err != nil {
		return fmt.Errorf("seed state: %w", err)
	}
	r.seeded, e.seeded = &sr, true
	if err := e.saveSeed(ctx, r.spec.Name, sr); err != nil {
		return err
	}
	e.t.Logf("level %s: seeded %d stat values and %d claims for %d users in %.1f s (realistic state; PERF_SEED_PROGRESS=false turns it off)",
		r.spec, sr.Events, sr.Claims, len(e.fix.Users), sr.Took.Seconds())
	return nil
}
