//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// The target's state read through the public API, for a target whose database the suite cannot
// read or reset.

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
