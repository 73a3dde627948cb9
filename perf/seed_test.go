//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
	"github.com/challenge-perf/challenge-perf/suite"
)

// Realistic state (default for scenario 1; PERF_SEED_PROGRESS=false turns it off): before each
// API-only level, users carry progress like players mid-season. For every stat code a user gets a
// value that completes k of that code's goals, k spread over 0..seedMaxGoals-1 by user and code (so
// per user some goals are completed, the rest in progress or not started), sent through the event
// handler like real progress; then every seedClaimEvery-th user claims one completed goal through
// the API, so some goals are already claimed. Levels with API load are seeded (once per state: after
// each reset of the database, or once for a target that cannot be reset); every seeded value joins
// the scenario's truth, so the integrity check compares the state with seed and events together.
const (
	seedMaxGoals   = 30
	seedClaimEvery = 5
	seedWorkers    = 64
)

// seedResult is what seeding did, for the level's log and result.
type seedResult struct {
	Events, Claims int
	Took           time.Duration
	// RestoredFrom names the level whose seeded state was restored from the database snapshot
	// ("" when this level seeded through the APIs).
	RestoredFrom string
}

// parallel runs fn(i) for i in [0, n) on workers goroutines and returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	_, err := parallelCount(n, workers, fn)
	return err
}

// parallelCount is parallel that also counts the calls that failed (every call runs): a pool of
// fixed size is a ramp that cannot move (parallelRamp).
func parallelCount(n, workers int, fn func(i int) error) (failed int, firstErr error) {
	return parallelRamp(n, suite.NewRamp(workers, workers), new(atomic.Int64), fn)
}

// seedTarget is the value of code that completes k goals (0: no progress) and the first goal it completes.
func seedTargets(cat *challenges.Catalog, code string) []*challenges.Goal {
	goals := append([]*challenges.Goal(nil), cat.GoalsForStatKey(code)...)
	sort.Slice(goals, func(i, j int) bool { return goals[i].Requirement.TargetValue < goals[j].Requirement.TargetValue })
	return goals
}

func seedK(user, code string) int {
	h := fnv.New32a()
	h.Write([]byte(user + "/" + code))
	return int(h.Sum32() % seedMaxGoals)
}

// seedState seeds every user's progress through the handler at grpcAddr and claims through the API.
func (e *scenarioEnv) seedState(ctx context.Context, grpcAddr, apiURL string) (seedResult, error) {
	start := time.Now()
	cat, err := challenges.Parse(e.fix.ChallengesJSON)
	if err != nil {
		return seedResult{}, err
	}
	codes := map[string][]*challenges.Goal{}
	for _, k := range cat.StatKeys() {
		if k != challenges.LoginStatKey {
			codes[k] = seedTargets(cat, k)
		}
	}
	names := make([]string, 0, len(codes))
	for k := range codes {
		names = append(names, k)
	}
	sort.Strings(names)
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return seedResult{}, err
	}
	defer conn.Close()
	client := statisticv1.NewStatisticStatItemUpdatedServiceClient(conn)
	ns := e.cfg.Namespace
	now := time.Now().UTC()
	users := e.fix.Users
	var sent atomic.Int64
	var mu sync.Mutex
	err = parallel(len(users)*len(names), seedWorkers, func(i int) error {
		user, code := users[i/len(names)], names[i%len(names)]
		k := seedK(user, code)
		if k == 0 {
			return nil
		}
		v := codes[code][min(k, len(codes[code]))-1].Requirement.TargetValue
		_, err := client.OnMessage(ctx, &statisticv1.StatItemUpdated{
			Id: fmt.Sprintf("seed-%s-%s-%d", user, code, now.UnixNano()), Namespace: ns, UserId: user,
			Name: "statItemUpdated", Version: 1, Timestamp: now.Format(time.RFC3339Nano),
			Payload: &statisticv1.StatItem{Namespace: ns, UserId: user, StatCode: code, LatestValue: float64(v)},
		})
		if err != nil {
			return fmt.Errorf("seed %s %s: %w", user, code, err)
		}
		sent.Add(1)
		mu.Lock()
		e.truth.Stat(user, code, float64(v), now)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return seedResult{}, err
	}
	res := seedResult{Events: int(sent.Load())}
	var toks []string
	if err := json.Unmarshal(e.fix.TokensJSON, &toks); err != nil {
		return res, err
	}
	claimCode := names[len(names)-1]
	err = parallel(len(users)/seedClaimEvery, seedWorkers, func(j int) error {
		i := j * seedClaimEvery
		user := users[i]
		if seedK(user, claimCode) == 0 {
			return nil
		}
		g := codes[claimCode][0]
		// An implementation that acknowledges before it writes shows the completion a little later:
		// the claim is retried for up to 30 s (at once for one that writes first).
		path := fmt.Sprintf("/v1/challenges/%s/goals/%s/claim", g.ChallengeID, g.GoalID)
		deadline := time.Now().Add(30 * time.Second)
		for {
			err := e.apiCall(ctx, http.MethodPost, path, "", user, toks[i], nil)
			var se *statusError
			if err == nil || errors.As(err, &se) && se.Code == http.StatusConflict {
				break // claimed (now, or by an earlier run on a target that is not reset)
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("seed claim: %w", err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		mu.Lock()
		res.Claims++
		mu.Unlock()
		return nil
	})
	res.Took = time.Since(start)
	return res, err
}
