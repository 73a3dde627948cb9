package progress

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/internal/challenges"
)

const catalogJSON = `{"challenges":[{"challengeId":"c1","name":"C1","description":"d","goals":[
 {"goalId":"login2","name":"n","description":"d","eventSource":"login","requirement":{"statCode":"login_count","operator":">=","targetValue":2},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":10}},
 {"goalId":"wins5","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":5},"reward":{"type":"ITEM","rewardId":"sword","quantity":1}},
 {"goalId":"wins1","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":1},"reward":{"type":"ITEM","rewardId":"sword","quantity":1}}]}]}`

func TestDeriveStatus(t *testing.T) {
	cat, err := challenges.Parse([]byte(catalogJSON))
	require.NoError(t, err)
	m := NewModel(cat)
	require.Equal(t, 3, m.NumGoals())
	st := m.NewState()
	require.True(t, st.Empty())
	require.Equal(t, GoalProgress{Status: NotStarted}, st.Goal(0))

	t0 := time.Unix(100, 0)
	st.SetStat("wins", 3.7)
	st.SetStat("login_count", 9) // a statistic named like the login stat code must not count as logins
	st.SetStat("unknown", 1)
	require.False(t, st.Empty())
	require.Equal(t, GoalProgress{Status: NotStarted}, st.Goal(0))
	require.Equal(t, GoalProgress{Status: InProgress, Progress: 3}, st.Goal(1))
	require.Equal(t, GoalProgress{Status: InProgress, Progress: 1}, st.Goal(2), "clamped to target until the completion row exists")

	st.SetCompleted("wins1", t0)
	st.SetClaim("wins1", ClaimClaiming, time.Time{})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 1, CompletedAt: t0}, st.Goal(2), "completed while a claim is in flight")
	st.SetClaim("wins1", ClaimClaimed, t0.Add(time.Second))
	require.Equal(t, GoalProgress{Status: Claimed, Progress: 1, CompletedAt: t0, ClaimedAt: t0.Add(time.Second)}, st.Goal(2))

	// A completion is final even if the stat later reads lower.
	st.SetStat("wins", 0)
	st.SetCompleted("wins5", t0)
	require.Equal(t, Completed, st.Goal(1).Status)
	require.EqualValues(t, 5, st.Goal(1).Progress)

	st.SetStat(challenges.LoginStatKey, math.NaN())
	require.Equal(t, NotStarted, st.Goal(0).Status)
	st.SetStat(challenges.LoginStatKey, -3)
	require.Equal(t, GoalProgress{Status: NotStarted}, st.Goal(0))

	st.Reset()
	require.True(t, st.Empty())
	require.Equal(t, GoalProgress{Status: NotStarted}, st.Goal(2))
	require.Equal(t, "in_progress", InProgress.String())
}
