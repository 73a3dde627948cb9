//go:build perf

package perf

import (
	"context"
	"fmt"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/suite"
)

// targetState is what the suite knows of the target's current state. It lives as long as the
// stack (or external target) does, not the scenario: on a target that cannot be reset, the
// per-user set-up runs once and the truth carries over from one scenario to the next.
type targetState struct {
	// truth is what every acknowledged event and seeded value of the current state implies.
	truth *suite.Truth
	// setUp: the per-user set-up call ran on the current state (a reset of the database undoes it).
	setUp bool
	// seeded: the current state holds the realistic progress (seedState).
	seeded bool
	// priorRead: the state before the first event was read through the API (a target the suite
	// cannot reset starts from whatever earlier runs left).
	priorRead bool
	// priorUsers are the users whose earlier state was read (nil: the state was reset, all known).
	priorUsers map[string]bool
	// seedTruth is the truth of the seeded state saved in the database (harness.SnapshotState),
	// nil while none is; seedFrom names the level that seeded it.
	seedTruth *suite.Truth
	seedSetUp bool
	seedFrom  string
	seedStats seedResult
}

func newTargetState() *targetState { return &targetState{truth: suite.NewTruth()} }

// resetState starts a level of a target the suite may reset: from the saved seeded state when the
// level wants realistic state and one was saved (restored), else from an empty database. Redis is
// emptied either way: event ids are unique per run, so earlier de-duplication keys are dead weight.
func (e *scenarioEnv) resetState(ctx context.Context, wantSeed bool) (restored *seedResult, err error) {
	if wantSeed && e.seedTruth != nil {
		start := time.Now()
		if err := harness.RestoreState(ctx, e.db); err != nil {
			return nil, fmt.Errorf("restore the seeded state: %w", err)
		}
		e.truth, e.setUp, e.seeded = e.seedTruth.Clone(), e.seedSetUp, true
		r := e.seedStats
		r.Took, r.RestoredFrom = time.Since(start), e.seedFrom
		restored = &r
	} else {
		if err := harness.ResetDatabase(ctx, e.db); err != nil {
			return nil, fmt.Errorf("reset database: %w", err)
		}
		e.truth, e.setUp, e.seeded = suite.NewTruth(), false, false
	}
	if e.redis != nil {
		if err := e.redis.FlushDB(ctx).Err(); err != nil {
			return nil, fmt.Errorf("reset redis: %w", err)
		}
	}
	return restored, nil
}

// saveSeed keeps a freshly seeded state in the database for later levels, so each of them restores
// it in well under a second instead of replaying ~40,000 events and ~2,000 claims through the APIs.
// Only for a target the suite may reset (this repository's schema).
func (e *scenarioEnv) saveSeed(ctx context.Context, level string, sr seedResult) error {
	if !e.canReset || e.db == nil {
		return nil
	}
	if err := harness.SnapshotState(ctx, e.db); err != nil {
		return fmt.Errorf("snapshot the seeded state: %w", err)
	}
	e.seedTruth, e.seedSetUp, e.seedFrom, e.seedStats = e.truth.Clone(), e.setUp, e.name+"/"+level, sr
	return nil
}
