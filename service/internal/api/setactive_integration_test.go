package api

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const activePath = "/challenge/v1/challenges/%s/goals/%s/active"

// A deactivated goal receives no progress and cannot be claimed; activated again, it follows its
// stat (real PostgreSQL through the public API, the list and the user_goal_progress view agreeing).
func TestIntegrationSetActiveFreezesAndGatesClaims(t *testing.T) {
	a := startLive(t, sharedDSN(t))
	tok := token(t, "user-act", "test", time.Hour)
	const ch, goal = "challenge-009", "challenge-009-goal-05" // wins >= 5
	path := fmt.Sprintf(activePath, ch, goal)
	setWins := func(v float64) {
		a.exec(t, `INSERT INTO user_stats AS s (user_id, stat_key, namespace, value, value_at, max_value)
			VALUES ('user-act', 'wins', 'test', $1, now(), $1)
			ON CONFLICT (user_id, stat_key) DO UPDATE SET value = excluded.value,
			    max_value = GREATEST(s.max_value, excluded.value)`, v)
	}
	show := func(activeOnly bool) map[string]any {
		q := ""
		if activeOnly {
			q = "?active_only=true"
		}
		code, body := a.call(t, "GET", "/challenge/v1/challenges"+q, tok)
		require.Equal(t, 200, code)
		return goalsByID(body)[goal]
	}

	setWins(3)
	code, body := a.callBody(t, "PUT", path, tok, `{"isActive": false}`)
	require.Equal(t, 200, code, "%v", body)
	require.Equal(t, map[string]any{"challengeId": ch, "goalId": goal, "isActive": false, "assignedAt": "",
		"message": "Goal deactivated successfully"}, body)
	setWins(9) // an event while inactive: no progress
	g := show(false)
	require.Equal(t, false, g["isActive"])
	require.EqualValues(t, 3, g["progress"], "frozen at deactivation")
	require.Equal(t, "in_progress", g["status"])
	require.EqualValues(t, 0, show(true)["progress"], "active_only lists an inactive goal without progress, as the reference")
	require.EqualValues(t, 9, goalsByID(mustList(t, a, tok))["challenge-009-goal-06"]["progress"], "other goals of the stat move on")

	code, body = a.call(t, "POST", fmt.Sprintf(claimPath, ch, goal), tok)
	require.Equal(t, 400, code)
	require.Equal(t, CodeGoalNotActive, reason(body))
	require.Contains(t, body["message"], "Activate it first via PUT /v1/challenges/challenge-009/goals/challenge-009-goal-05/active")

	var viewProgress int64
	var viewStatus string
	require.NoError(t, a.pool.QueryRow(context.Background(), `SELECT progress, status FROM user_goal_progress
		WHERE user_id = 'user-act' AND goal_id = $1`, goal).Scan(&viewProgress, &viewStatus))
	require.Equal(t, int64(3), viewProgress, "the view the SQL analyses read agrees")
	require.Equal(t, "in_progress", viewStatus)

	code, body = a.callBody(t, "PUT", path, tok, `{"is_active": true}`)
	require.Equal(t, 200, code, "%v", body)
	require.NotEmpty(t, body["assignedAt"])
	g = show(true)
	require.Equal(t, true, g["isActive"])
	require.EqualValues(t, 9, g["progress"])
	require.Equal(t, "completed", g["status"])
	code, body = a.call(t, "POST", fmt.Sprintf(claimPath, ch, goal), tok)
	require.Equal(t, 200, code, "%v", body)

	// Deactivating a claimed goal keeps it claimed (and it stays claimed once active again).
	code, _ = a.callBody(t, "PUT", path, tok, `{"isActive": false}`)
	require.Equal(t, 200, code)
	require.Equal(t, "claimed", show(false)["status"])
}

// Bad calls are refused before anything is written.
func TestIntegrationSetActiveRefusesBadCalls(t *testing.T) {
	a := startLive(t, sharedDSN(t))
	tok := token(t, "user-bad", "test", time.Hour)
	for name, tc := range map[string]struct {
		path, body string
		code       int
		reason     string
	}{
		"missing isActive":  {fmt.Sprintf(activePath, "challenge-001", "challenge-001-goal-01"), `{}`, 400, CodeBadRequest},
		"not a bool":        {fmt.Sprintf(activePath, "challenge-001", "challenge-001-goal-01"), `{"isActive":"yes"}`, 400, CodeBadRequest},
		"unknown field":     {fmt.Sprintf(activePath, "challenge-001", "challenge-001-goal-01"), `{"isActive":true,"x":1}`, 400, CodeBadRequest},
		"body disagrees":    {fmt.Sprintf(activePath, "challenge-001", "challenge-001-goal-01"), `{"isActive":true,"goalId":"challenge-001-goal-02"}`, 400, CodeBadRequest},
		"unknown goal":      {fmt.Sprintf(activePath, "challenge-001", "nope"), `{"isActive":true}`, 404, CodeGoalNotFound},
		"goal of another":   {fmt.Sprintf(activePath, "challenge-002", "challenge-001-goal-01"), `{"isActive":true}`, 404, CodeGoalNotFound},
		"unknown challenge": {fmt.Sprintf(activePath, "nope", "challenge-001-goal-01"), `{"isActive":true}`, 404, CodeChallengeNotFound},
	} {
		code, body := a.callBody(t, "PUT", tc.path, tok, tc.body)
		require.Equal(t, tc.code, code, name)
		require.Equal(t, tc.reason, reason(body), name)
	}
	var rows int
	require.NoError(t, a.pool.QueryRow(context.Background(), `SELECT count(*) FROM user_goal_assignments`).Scan(&rows))
	require.Zero(t, rows)
	code, _ := a.callBody(t, "PUT", fmt.Sprintf(activePath, "challenge-001", "challenge-001-goal-01"), "", `{"isActive":true}`)
	require.Equal(t, 401, code)
}

// Concurrent set-active calls for one goal (and repeated ones) leave one row whose state is one
// of the calls', and what the list shows matches it.
func TestIntegrationSetActiveRaces(t *testing.T) {
	a := startLive(t, sharedDSN(t))
	tok := token(t, "user-race", "test", time.Hour)
	path := fmt.Sprintf(activePath, "challenge-001", "challenge-001-goal-03")
	a.exec(t, `INSERT INTO user_stats (user_id, stat_key, namespace, value, value_at, max_value)
		VALUES ('user-race', '@login', 'test', 2, now(), 2)`)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, body := a.callBody(t, "PUT", path, tok, fmt.Sprintf(`{"isActive": %v}`, i%2 == 0))
			require.Equal(t, 200, code, "%v", body)
		}()
	}
	wg.Wait()
	var active bool
	var frozen int64
	var n int
	require.NoError(t, a.pool.QueryRow(context.Background(), `SELECT count(*), bool_and(is_active), max(frozen_progress)
		FROM user_goal_assignments WHERE user_id = 'user-race'`).Scan(&n, &active, &frozen))
	require.Equal(t, 1, n)
	require.Contains(t, []int64{0, 2}, frozen, "frozen at the stat's value when some call deactivated it")
	g := goalsByID(mustList(t, a, tok))["challenge-001-goal-03"]
	require.Equal(t, active, g["isActive"])
	require.EqualValues(t, 2, g["progress"])
}

func mustList(t *testing.T, a *liveAPI, tok string) map[string]any {
	t.Helper()
	code, body := a.call(t, "GET", "/challenge/v1/challenges", tok)
	require.Equal(t, 200, code)
	return body
}

// Goals the catalog does not assign by default: inactive (and without progress) until the player
// activates one; initialize answers only the active ones.
func TestIntegrationGoalsNotAssignedByDefault(t *testing.T) {
	cat := perfCatalog(t)
	off := false
	ch := &cat.Challenges[1] // challenge-002: login_count, like challenge-001
	for i := range ch.Goals {
		g, _ := cat.Goal(ch.Goals[i].GoalID)
		g.DefaultAssigned = &off
	}
	a := startLiveCatalog(t, sharedDSN(t), cat, nil)
	tok := token(t, "user-def", "test", time.Hour)
	a.exec(t, `INSERT INTO user_stats (user_id, stat_key, namespace, value, value_at, max_value)
		VALUES ('user-def', '@login', 'test', 4, now(), 4)`)

	code, body := a.call(t, "POST", "/challenge/v1/challenges/initialize", tok)
	require.Equal(t, 200, code, "%v", body)
	require.EqualValues(t, 450, body["newAssignments"])
	require.EqualValues(t, 450, body["totalActive"])

	goals := goalsByID(mustList(t, a, tok))
	require.Equal(t, false, goals["challenge-002-goal-01"]["isActive"])
	require.EqualValues(t, 0, goals["challenge-002-goal-01"]["progress"], "never active: no progress")
	require.Equal(t, "not_started", goals["challenge-002-goal-01"]["status"])
	require.EqualValues(t, 4, goals["challenge-001-goal-01"]["progress"], "the same logins drive active goals")
	code, body = a.call(t, "POST", fmt.Sprintf(claimPath, "challenge-002", "challenge-002-goal-01"), tok)
	require.Equal(t, 400, code)
	require.Equal(t, CodeGoalNotActive, reason(body))

	code, _ = a.callBody(t, "PUT", fmt.Sprintf(activePath, "challenge-002", "challenge-002-goal-01"), tok, `{"isActive":true}`)
	require.Equal(t, 200, code)
	code, body = a.call(t, "POST", "/challenge/v1/challenges/initialize", tok)
	require.Equal(t, 200, code)
	require.EqualValues(t, 0, body["newAssignments"])
	require.EqualValues(t, 451, body["totalActive"])
	require.Equal(t, "completed", goalsByID(mustList(t, a, tok))["challenge-002-goal-01"]["status"])
	code, body = a.call(t, "POST", fmt.Sprintf(claimPath, "challenge-002", "challenge-002-goal-01"), tok)
	require.Equal(t, 200, code, "%v", body)
}
