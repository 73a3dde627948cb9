//go:build perf

package perf

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// faults are scenario 6's, in the order they run: what an operator, the kernel or the
// infrastructure does to a running stack.
func faults() []*runner.Fault {
	return []*runner.Fault{
		{Name: "event handler killed (kill -9) and started", Inject: func(ctx context.Context, s *harness.Stack) error {
			if err := harness.Kill(ctx, s.Handler); err != nil {
				return err
			}
			time.Sleep(time.Second)
			if err := harness.StartAgain(ctx, s.Handler); err != nil {
				return err
			}
			return s.Handler.WaitHealthy(ctx, 90*time.Second)
		}},
		{Name: "Redis paused 3 s", Inject: func(ctx context.Context, s *harness.Stack) error {
			return harness.Freeze(ctx, s.Redis, 3*time.Second)
		}},
		{Name: "Redis restarted empty", Inject: func(ctx context.Context, s *harness.Stack) error {
			return harness.Restart(ctx, s.Redis, 0)
		}},
		{Name: "PostgreSQL restarted", Inject: func(ctx context.Context, s *harness.Stack) error {
			return harness.Restart(ctx, s.Postgres, 0)
		}},
		{Name: "challenge service paused 3 s", Inject: func(ctx context.Context, s *harness.Stack) error {
			return harness.Freeze(ctx, s.Service, 3*time.Second)
		}},
	}
}

// Scenario 6: faults under combined load. At a moderate combined level (smoke: 100 RPS + 500 EPS;
// nightly: 500 RPS + 2,500 EPS, about half of scenario 3's measured maximum) each fault hits the
// stack a third into its level. The generator redelivers every event call that was not answered
// OK, like the platform's bus, so afterwards the database must hold exactly what the acknowledged
// events imply: the level's integrity check fails the test on any lost or double-counted event.
// Each level reports the API's and the event calls' error rates during and after the fault and
// the time to recover (error rate back under 1% and p95 back under the limits).
func TestScenario6_Faults(t *testing.T) {
	if _, ok, err := externalTarget(); err != nil {
		t.Fatal(err)
	} else if ok {
		t.Skip("scenario 6 injects faults into the suite's own containers; an external target is not touched")
	}
	e := startScenario(t, "scenario6") // fixed host ports (startScenario): they survive a restart
	rps, eps := e.target.Smoke.CombinedRPS, e.target.Smoke.CombinedEPS
	if e.profile.Step {
		rps, eps = 500, 2500
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name, Search: "one level per fault"}
	for i, f := range faults() {
		if i > 0 {
			time.Sleep(e.profile.Cooldown)
		}
		f.At = e.profile.Duration / 3
		l := runner.LevelSpec{Name: fmt.Sprintf("fault-%d", i+1), RPS: rps, EPS: eps, Redeliver: true, Fault: f}
		r := e.runLevel(l)
		res.Levels = append(res.Levels, r)
		if fr := r.Fault; fr != nil {
			t.Logf("%s: %s at %.0f s (back at %.1f s): API errors %.2f%% during / %.2f%% after, event refusals %.2f%% / %.2f%%, %d redelivered, recovered after %s; integrity %s",
				l.Name, fr.Name, fr.StartSec, fr.EndSec, 100*fr.APIErrorRateDuring, 100*fr.APIErrorRateAfter,
				100*fr.EventErrorRateDuring, 100*fr.EventErrorRateAfter, fr.EventsRedelivered, recoveryText(fr.RecoverySec), integrityText(r.Integrity))
		}
	}
	e.writeResult(res)
}

func recoveryText(sec float64) string {
	if sec < 0 {
		return "never within the level"
	}
	return fmt.Sprintf("%.0f s", sec)
}

func integrityText(in *runresult.Integrity) string {
	switch {
	case in == nil:
		return "not checked"
	case in.OK:
		return fmt.Sprintf("exact (%d acknowledged events)", in.EventsAcked)
	default:
		return fmt.Sprintf("FAILED (%d lost, %d extra)", in.Lost, in.Extra)
	}
}

// injectFault waits for the generator's start, then for f.At, and injects f.
func (e *scenarioEnv) injectFault(ctx context.Context, f *runner.Fault, engineStart <-chan time.Time) *runresult.FaultResult {
	r := &runresult.FaultResult{Name: f.Name, RecoverySec: -1}
	var start time.Time
	select {
	case start = <-engineStart:
	case <-time.After(2 * time.Minute):
	}
	if start.IsZero() {
		r.Error = "the load generator never reported its start"
		return r
	}
	time.Sleep(time.Until(start.Add(f.At)))
	r.StartSec = time.Since(start).Seconds()
	if err := f.Inject(ctx, e.stack); err != nil {
		r.Error = err.Error()
	}
	r.EndSec = time.Since(start).Seconds()
	e.t.Logf("fault: %s from %.1f s to %.1f s", f.Name, r.StartSec, r.EndSec)
	return r
}
