package challenge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

// The probe's requests' names: the {name:...} tag of their grpc_* and http_* submetrics.
const (
	NameE2EStat = "statItemUpdated (e2e)"
	NameE2EGet  = "GET /v1/challenges (e2e)"
)

type probeState struct {
	mu          sync.Mutex
	challengeID string
	goalID      string
	target      float64
	seen        float64 // highest progress observed
}

// e2eFactory is e2eProbe, spec scenario 5: a probe user gets a new stat value via gRPC,
// then GET /v1/challenges is polled until the watched goal's progress shows
// that value. e2e_latency is ack → first response showing it; a timeout
// counts in e2e_failed. The probe user is removed from the other
// scenarios' random user pool so their events cannot mask the probe.
//
// env: user (default: last user of the fixture), statCode (default
// enemy_kills), goalId (default: the goal of statCode with the largest
// targetValue), pollInterval (default 50ms), timeout (default 10s).
// Values increase by 1 per probe from the current progress and must stay
// below the goal's target (progress is capped there), so one probe goal
// lasts targetValue−progress probes.
func e2eFactory(sc *loadgen.ScenarioContext) (loadgen.Iteration, error) {
	opts, truth, err := eventSetup(sc, e2eProbeEnvKeys...)
	if err != nil {
		return nil, err
	}
	if err := sc.HTTP(); err != nil {
		return nil, err
	}
	poll, err := sc.EnvDuration(envPollInterval, 50*time.Millisecond)
	if err != nil {
		return nil, err
	}
	timeout, err := sc.EnvDuration(envTimeout, 10*time.Second)
	if err != nil {
		return nil, err
	}
	all := sc.Users.All()
	user := sc.Env(envUser, all[len(all)-1])
	// Other scenarios must not change the probe user's values: they would mask the probe.
	sc.ReserveUsers(user)
	code := sc.Env(envStatCode, "enemy_kills")
	st := &probeState{goalID: sc.Env(envGoalID, "")}
	sc.SetMainMetric(MetricE2ELatency)
	ns := opts.namespace
	listURL := sc.Plan.Target.BaseURL + "/v1/challenges"
	get := func(ctx context.Context, vu *loadgen.VU) (*challengeList, error) {
		r := vu.HTTP(ctx, loadgen.HTTPRequest{Method: http.MethodGet, URL: listURL, Name: NameE2EGet, User: user})
		if r.Err != nil {
			return nil, r.Err
		}
		if r.Status != 200 {
			return nil, fmt.Errorf("e2e: GET challenges: status %d", r.Status)
		}
		var l challengeList
		if err := json.Unmarshal(r.Body, &l); err != nil {
			return nil, fmt.Errorf("e2e: GET challenges: %w", err)
		}
		return &l, nil
	}
	return func(ctx context.Context, vu *loadgen.VU) error {
		l, err := get(ctx, vu)
		if err != nil {
			vu.Add(e2eFailed, 1, "")
			return err
		}
		st.mu.Lock()
		err = st.observe(l, code)
		floor, target := st.seen, st.target
		st.mu.Unlock()
		if err != nil {
			vu.Add(e2eFailed, 1, "")
			return err
		}
		next := func(prev float64) float64 { return max(prev, floor) + 1 }
		v, err := sendStat(ctx, vu, truth, ns, user, code, NameE2EStat, next, false, false)
		if err != nil {
			vu.Add(e2eFailed, 1, "")
			return err
		}
		acked := time.Now()
		if v > target {
			vu.Add(e2eFailed, 1, "")
			return fmt.Errorf("e2e: probe value %.0f passed goal %s target %.0f: use another goalId/statCode or reset the user", v, st.goalID, target)
		}
		deadline := acked.Add(timeout)
		for polls := 1; ; polls++ {
			l, err := get(ctx, vu)
			if err == nil {
				st.mu.Lock()
				_ = st.observe(l, code)
				p := st.progressOf(l)
				st.mu.Unlock()
				if p >= v {
					vu.AddDuration(e2eLatency, time.Since(acked), "")
					vu.Add(e2ePolls, float64(polls), "")
					vu.Add(e2eFailed, 0, "")
					return nil
				}
			}
			if time.Now().Add(poll).After(deadline) {
				vu.Add(e2eFailed, 1, "")
				return fmt.Errorf("e2e: value %.0f of %s not visible after %s", v, code, timeout)
			}
			select {
			case <-time.After(poll):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}, nil
}

// observe picks the watched goal (once) and raises the progress floor.
func (st *probeState) observe(l *challengeList, code string) error {
	if st.target == 0 {
		// Decide once whether a goal was named: after the first candidate st.goalID is set, and
		// testing it again would stop the search for the largest target at the first goal.
		pickLargest := st.goalID == ""
		for _, c := range l.Challenges {
			for _, g := range c.Goals {
				if (pickLargest && g.Req.StatCode == code && g.Req.TargetValue > st.target) || (!pickLargest && g.GoalID == st.goalID) {
					st.challengeID, st.goalID, st.target = c.ChallengeID, g.GoalID, g.Req.TargetValue
				}
			}
		}
		if st.target == 0 {
			return errors.New("e2e: no goal for stat " + code + " (or goalId) in GET /v1/challenges")
		}
	}
	st.seen = max(st.seen, st.progressOf(l))
	return nil
}

func (st *probeState) progressOf(l *challengeList) float64 {
	for _, c := range l.Challenges {
		for _, g := range c.Goals {
			if g.GoalID == st.goalID {
				return g.Progress
			}
		}
	}
	return -1
}
