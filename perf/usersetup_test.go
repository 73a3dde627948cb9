//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// userSetup makes the target's per-user set-up call (PERF_USER_SETUP, else the profile's) for every
// fixture user at the concurrency the target allows (suite.Ramp: from 8, doubling while throughput
// grows, at most PERF_USER_SETUP_CONCURRENCY), logging progress every 5 s. Errors are counted; more
// than 1% of users failing stops the scenario.
func (e *scenarioEnv) userSetup(ctx context.Context) (*runresult.SetupStats, error) {
	call := e.setup
	if call == nil {
		return nil, nil
	}
	ramp := suite.NewRamp(min(8, settings.UserSetupConcurrency), settings.UserSetupConcurrency)
	var toks []string
	if err := json.Unmarshal(e.fix.TokensJSON, &toks); err != nil {
		return nil, err
	}
	start := time.Now()
	var done, failed, inFlight atomic.Int64 // for the progress line
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				e.t.Logf("  user set-up (%s): %d of %d users, %d errors, %.0f/s, %d at a time", call, done.Load(), len(e.fix.Users), failed.Load(),
					float64(done.Load())/time.Since(start).Seconds(), inFlight.Load())
			}
		}
	}()
	nFailed, firstErr := parallelRamp(len(e.fix.Users), ramp, &inFlight, func(i int) error {
		defer done.Add(1)
		err := e.apiCall(ctx, call.Method, call.Path, call.Body, e.fix.Users[i], toks[i], nil)
		if err != nil {
			failed.Add(1)
		}
		return err
	})
	close(stop)
	st := &runresult.SetupStats{Call: call.String(), Users: len(e.fix.Users), Errors: nFailed, Seconds: time.Since(start).Seconds(),
		Concurrency: ramp.Workers(), Ramp: ramp.Steps}
	if float64(st.Errors) > 0.01*float64(st.Users) {
		return st, fmt.Errorf("per-user set-up %s: %d of %d users failed, e.g. %v", call, st.Errors, st.Users, firstErr)
	}
	return st, nil
}
