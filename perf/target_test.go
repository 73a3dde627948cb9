//go:build perf

package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
	"github.com/challenge-perf/challenge-perf/targets"
)

// What the suite knows of the implementation it measures (PERF_IMPL, targets): whatever the
// profile does not claim, or the user did not give an address for, is measured through the public
// protocols only, and the rest is listed in result.json as not measured.

// hasOurMetrics: the handler's ops port is reachable and exports this repository's metric names
// (buffer_entries, flush histograms), so draining and flushes are read from it.
func (e *scenarioEnv) hasOurMetrics() bool {
	return e.target.Has.OurMetrics && e.ep.HandlerMetricsURL != ""
}

// targetInfo is the scenario's target and every measurement it lacks, for result.json and the log.
func (e *scenarioEnv) targetInfo() *runresult.TargetInfo {
	info := &runresult.TargetInfo{Impl: e.target.Name, Description: e.target.Description, External: e.stack == nil,
		Quirks: e.target.Quirks, NotMeasured: e.target.Has.NotMeasured()}
	add := func(s string) { info.NotMeasured = append(info.NotMeasured, s) }
	if e.target.Has.OurMetrics && e.ep.HandlerMetricsURL == "" {
		add("handler buffer and flush statistics (PERF_TARGET_HANDLER_OPS_URL not given)")
	}
	if e.target.Has.Pprof && (e.ep.ServiceMetricsURL == "" || e.ep.HandlerMetricsURL == "") {
		add("profiles of a program whose ops URL was not given (PERF_TARGET_SERVICE_OPS_URL, PERF_TARGET_HANDLER_OPS_URL)")
	}
	if e.target.Has.OurSchema && !e.canReset {
		add("database reset between levels and SQL integrity check (PERF_TARGET_POSTGRES_DSN with PERF_TARGET_ALLOW_RESET=true not given): levels start from the previous level's state, ground truth is read through the API")
	}
	if e.stack == nil && len(e.statIDs) == 0 {
		add("container CPU and memory (PERF_TARGET_CONTAINERS not given), so no host_limited verdict either")
	}
	if e.stack == nil && e.db == nil {
		add("PostgreSQL statistics (PERF_TARGET_POSTGRES_DSN not given)")
	}
	if e.stack == nil && e.redis == nil && e.target.Has.Redis {
		add("Redis memory (PERF_TARGET_REDIS_ADDR not given)")
	}
	return info
}

// targetContainers reads PERF_TARGET_CONTAINERS ("service=name,handler=name,postgres=name,...")
// for a target on this Docker engine, mapping the roles to the stack's names.
func targetContainers(ctx context.Context) (map[string]string, error) {
	if len(settings.Target.Containers) == 0 {
		return nil, nil
	}
	return harness.ResolveContainers(ctx, settings.Target.Containers)
}

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

// apiCall makes one request of the challenge API as user and decodes a 2xx JSON answer into out.
func (e *scenarioEnv) apiCall(ctx context.Context, method, path, body, user, token string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.ep.APIURL+path, rd)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.cfg.AuthMode == "mock-header" {
		req.Header.Set("X-Mock-User-Id", user)
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return &statusError{Code: resp.StatusCode, msg: fmt.Sprintf("%s %s as %s: %s %s", method, path, user, resp.Status, strings.TrimSpace(string(msg)))}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// statusError is an API answer other than 2xx.
type statusError struct {
	Code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// snapshotPrior reads users' goals through the API before the scenario's first event, for a target
// the suite cannot reset: the state its check must start from (suite.Truth.Prior). It reads five
// times the users the check will read (PERF_API_CHECK_USERS), spread over the fixture, so that
// enough of them are touched by the load; the check then samples among those.
func (e *scenarioEnv) snapshotPrior(ctx context.Context) (int, time.Duration, error) {
	var toks []string
	if err := json.Unmarshal(e.fix.TokensJSON, &toks); err != nil {
		return 0, 0, err
	}
	n := settings.APICheckUsers
	idx := make(map[string]int, len(e.fix.Users))
	for i, u := range e.fix.Users {
		idx[u] = i
	}
	users := suite.SampleUsers(e.fix.Users, 5*n)
	e.priorUsers = make(map[string]bool, len(users))
	for _, u := range users {
		e.priorUsers[u] = true
	}
	start := time.Now()
	var mu sync.Mutex
	f, firstErr := parallelCount(len(users), 32, func(j int) error {
		i := idx[users[j]]
		goals, err := e.listGoals(ctx, e.fix.Users[i], toks[i])
		if err != nil {
			return err
		}
		mu.Lock()
		e.truth.Prior(e.fix.Users[i], goals)
		mu.Unlock()
		return nil
	})
	if f > 0 {
		return len(users), time.Since(start), fmt.Errorf("reading the state before the load: %d of %d users failed, e.g. %v", f, len(users), firstErr)
	}
	return len(users), time.Since(start), nil
}

// listGoals reads a user's goals through GET /v1/challenges.
func (e *scenarioEnv) listGoals(ctx context.Context, user, token string) ([]suite.APIGoal, error) {
	var body struct {
		Challenges []struct {
			Goals []suite.APIGoal `json:"goals"`
		} `json:"challenges"`
	}
	if err := e.apiCall(ctx, http.MethodGet, "/v1/challenges", "", user, token, &body); err != nil {
		return nil, err
	}
	var goals []suite.APIGoal
	for _, ch := range body.Challenges {
		goals = append(goals, ch.Goals...)
	}
	return goals, nil
}

// checkThroughAPI compares what the public API shows for a sample of the users the events touched
// with the scenario's truth, polling until every sampled user matches or settle passes: with no
// metrics to tell when the target has written what it acknowledged, the API's agreement is the
// drain signal. The time it took is reported.
func (e *scenarioEnv) checkThroughAPI(ctx context.Context, in *runresult.Integrity, cat *challenges.Catalog, settle time.Duration) (checked []string, err error) {
	// PERF_API_CHECK_USERS, default all (0): every user an event touched, as a sample would miss
	// the losses the check must catch.
	n := settings.APICheckUsers
	var toks []string
	if err := json.Unmarshal(e.fix.TokensJSON, &toks); err != nil {
		return nil, err
	}
	tokenOf := make(map[string]string, len(toks))
	for i, u := range e.fix.Users {
		tokenOf[u] = toks[i]
	}
	touched := e.truth.Users()
	if e.priorUsers != nil {
		// Only users whose earlier state was read can be judged.
		known := touched[:0:0]
		for _, u := range touched {
			if e.priorUsers[u] {
				known = append(known, u)
			}
		}
		touched = known
	}
	sample := suite.SampleUsers(touched, n)
	in.Method, in.UsersChecked = "api", len(touched)
	start := time.Now()
	pending := sample
	problems := map[string]string{}
	var mu sync.Mutex
	for {
		var still []string
		_ = parallel(len(pending), 16, func(i int) error {
			u := pending[i]
			goals, err := e.listGoals(ctx, u, tokenOf[u])
			if err == nil {
				err = e.truth.CheckUserGoals(u, goals, cat)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				still = append(still, u)
				problems[u] = err.Error()
			} else {
				delete(problems, u)
			}
			return nil
		})
		sort.Strings(still)
		pending = still
		if len(pending) == 0 || time.Since(start) > settle {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	in.SettledSec = time.Since(start).Seconds()
	in.APIChecked = len(sample) - len(pending)
	for _, u := range pending {
		if len(in.Problems) < 20 {
			in.Problems = append(in.Problems, fmt.Sprintf("API view of %s after %.0f s: %s", u, in.SettledSec, problems[u]))
		}
	}
	in.CompletionsOK = len(pending) == 0
	in.OK = len(pending) == 0
	return sample, nil
}

// baselineFile is this target's baseline: perf/testdata/baseline.json for ours,
// baseline-<impl>.json for another profile, PERF_BASELINE_FILE when set; an external target of
// unknown implementation has none (it is measured, not gated against another implementation).
func (e *scenarioEnv) baselineFile() string {
	if f := settings.BaselineFile; f != "" {
		return f
	}
	switch e.target.Name {
	case targets.Ours:
		return baselinePath
	case targets.Unknown().Name:
		return ""
	}
	return filepath.Join("testdata", "baseline-"+e.target.Name+".json")
}
