package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/auth"
	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// fakePlayers is an in-memory Initializer.
type fakePlayers struct {
	mu  sync.Mutex
	at  map[string]time.Time
	err error
}

func (f *fakePlayers) Initialize(_ context.Context, user, _ string) (time.Time, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return time.Time{}, false, f.err
	}
	if at, ok := f.at[user]; ok {
		return at, false, nil
	}
	at := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	f.at[user] = at
	return at, true, nil
}

func TestInitializeIsIdempotentAndAnswersTheReferenceShape(t *testing.T) {
	ta := newTestAPI(t)
	ta.prog.fill["u"] = func(s *progress.State) { s.SetStat("wins", 3, 3, []time.Time{time.Unix(1000, 0)}) }
	code, body, _ := ta.do(t, "POST", "/challenge/v1/challenges/initialize", "u", "{}")
	require.Equal(t, 200, code)
	require.EqualValues(t, 500, body["newAssignments"])
	require.EqualValues(t, 500, body["totalActive"])
	goals := body["assignedGoals"].([]any)
	require.Len(t, goals, 500)
	g := goals[0].(map[string]any)
	require.Equal(t, map[string]any{
		"challengeId": "challenge-001", "goalId": "challenge-001-goal-01", "name": g["name"], "description": g["description"],
		"isActive": true, "assignedAt": "2026-12-05T08:00:00Z", "expiresAt": "", "progress": 0.0, "target": 1.0,
		"status":      "not_started",
		"requirement": map[string]any{"statCode": "login_count", "operator": ">=", "targetValue": 1.0},
		"reward":      map[string]any{"type": "WALLET", "rewardId": "GEMS", "quantity": 10.0},
	}, g)
	wins := goals[400].(map[string]any) // challenge-009: wins, target g
	require.Equal(t, "completed", wins["status"])
	require.EqualValues(t, 3, wins["progress"])

	code, body, _ = ta.do(t, "POST", "/challenge/v1/challenges/initialize", "u", "")
	require.Equal(t, 200, code)
	require.EqualValues(t, 0, body["newAssignments"], "a second call assigns nothing new")
	require.EqualValues(t, 500, body["totalActive"])
	require.Equal(t, "2026-12-05T08:00:00Z", body["assignedGoals"].([]any)[0].(map[string]any)["assignedAt"])

	code, _, _ = ta.do(t, "POST", "/challenge/v1/challenges/initialize", "", "{}")
	require.Equal(t, 401, code)
	code, body, _ = ta.do(t, "POST", "/challenge/v1/challenges/initialize", "u", `{"x":1}`)
	require.Equal(t, 400, code)
	require.Equal(t, CodeBadRequest, reason(body))
	code, _, _ = ta.do(t, "GET", "/challenge/v1/challenges/initialize", "u", "")
	require.Equal(t, 405, code)
	ta.players.err = errors.New("db down")
	code, body, _ = ta.do(t, "POST", "/challenge/v1/challenges/initialize", "u2", "{}")
	require.Equal(t, 503, code)
	require.Equal(t, CodeUnavailable, reason(body))
}

// Set-active answers the reference's body and passes the goal's catalog facts to the store; a store
// failure is a retryable 503.
func TestSetActiveAnswersTheReferenceShape(t *testing.T) {
	ta := newTestAPI(t)
	path := "/challenge/v1/challenges/challenge-003/goals/challenge-003-goal-02/active"
	code, body, _ := ta.do(t, "PUT", path, "u", `{"isActive":true}`)
	require.Equal(t, 200, code, "%v", body)
	require.Equal(t, map[string]any{"challengeId": "challenge-003", "goalId": "challenge-003-goal-02", "isActive": true,
		"assignedAt": "2026-01-02T03:04:05Z", "message": "Goal activated successfully"}, body)
	require.Len(t, ta.assign.calls, 1)
	c := ta.assign.calls[0]
	require.Equal(t, "u", c.UserID)
	require.Equal(t, "test", c.Namespace)
	require.True(t, c.Active && c.DefaultActive)
	require.Equal(t, "enemy_kills", c.StatKey)
	require.EqualValues(t, 20, c.Target)

	code, _, _ = ta.do(t, "POST", path, "u", `{"isActive":true}`)
	require.Equal(t, 405, code)
	ta.assign.err = errors.New("db down")
	code, body, _ = ta.do(t, "PUT", path, "u", `{"isActive":false}`)
	require.Equal(t, 503, code)
	require.Equal(t, CodeUnavailable, reason(body))
}

func TestAssignmentCallsAnswerNotImplemented(t *testing.T) {
	ta := newTestAPI(t)
	for _, c := range []struct{ method, path, name string }{
		{"POST", "/challenge/v1/challenges/challenge-001/goals/batch-select", "batch-select"},
		{"POST", "/challenge/v1/challenges/challenge-001/goals/random-select", "random-select"},
		{"GET", "/challenge/v1/challenges/challenge-001/rotation", "rotation"},
	} {
		code, body, _ := ta.do(t, c.method, c.path, "u", `{"is_active":true}`)
		require.Equal(t, 501, code, c.path)
		require.EqualValues(t, 12, body["code"], "gRPC Unimplemented")
		require.Equal(t, CodeNotImplemented, reason(body))
		require.Contains(t, body["message"], c.name)
		code, _, _ = ta.do(t, c.method, c.path, "", "")
		require.Equal(t, 401, code, "authenticated first: %s", c.path)
	}
}

// The reference's gateway error: {"code": gRPC code, "message", "details"}, keys in that order.
func TestErrorBodyIsTheGatewayShape(t *testing.T) {
	ta := newTestAPI(t)
	req, _ := http.NewRequest("POST", ta.srv.URL+"/challenge/v1/challenges/nope/goals/nope/claim", nil)
	req.Header.Set(auth.MockUserHeader, "u")
	ta.claims.err = errors.New("unused")
	resp, err := ta.srv.Client().Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 503, resp.StatusCode)
	require.True(t, strings.HasPrefix(string(raw), `{"code":14,"message":"`), "%s", raw)
	require.Contains(t, string(raw), `"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_UNAVAILABLE","domain":"challenge-service"}]}`)

	for status, want := range map[[2]any]int{
		{400, CodeBadRequest}: 3, {400, CodeGoalNotCompleted}: 9, {400, CodePrerequisitesNotMet}: 9,
		{401, CodeUnauthorized}: 16, {404, CodeGoalNotFound}: 5, {409, CodeAlreadyClaimed}: 6,
		{405, CodeMethodNotAllowed}: 12, {502, CodeRewardFailed}: 13, {503, CodeUnavailable}: 14, {500, CodeInternal}: 13,
	} {
		require.EqualValues(t, want, grpcCode(status[0].(int), status[1].(string)), "%v", status)
	}
}

// locked: some prerequisite is neither completed nor claimed (what a claim checks).
func TestListLockedFollowsPrerequisites(t *testing.T) {
	cat, err := challenges.Parse([]byte(`{"challenges":[{"challengeId":"c","name":"n","description":"d","goals":[
	 {"goalId":"a","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":1},"reward":{"type":"ITEM","rewardId":"r","quantity":1}},
	 {"goalId":"b","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"kills","operator":">=","targetValue":5},"reward":{"type":"ITEM","rewardId":"r","quantity":1},"prerequisites":["a"]}]}]}`))
	require.NoError(t, err)
	m := progress.NewModel(cat)
	b := newListBuilder(cat, m)
	locked := func(st *progress.State) []bool {
		var l struct {
			Challenges []struct {
				Goals []struct {
					Locked bool `json:"locked"`
				} `json:"goals"`
			} `json:"challenges"`
		}
		require.NoError(t, json.Unmarshal(b.append(nil, st, false), &l))
		return []bool{l.Challenges[0].Goals[0].Locked, l.Challenges[0].Goals[1].Locked}
	}
	st := m.NewState()
	require.Equal(t, []bool{false, true}, locked(st))
	st.SetStat("wins", 1, 1, []time.Time{time.Unix(1, 0)})
	require.Equal(t, []bool{false, false}, locked(st), "prerequisite completed")
	st.SetClaim("a", progress.ClaimClaimed, time.Unix(2, 0))
	require.Equal(t, []bool{false, false}, locked(st), "prerequisite claimed")
}
