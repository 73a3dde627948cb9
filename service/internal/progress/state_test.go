package progress

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
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
	st.SetStat("wins", 3.7, 3.7, nil)
	st.SetStat("login_count", 9, 9, []time.Time{t0}) // a statistic named like the login stat code must not count as logins
	st.SetStat("unknown", 1, 1, nil)
	require.False(t, st.Empty())
	require.Equal(t, GoalProgress{Status: NotStarted}, st.Goal(0))
	require.Equal(t, GoalProgress{Status: InProgress, Progress: 3}, st.Goal(1))
	// wins1 (target 1) is the 1st distinct wins threshold, wins5 the 2nd.
	st.SetStat("wins", 0.5, 0.5, nil)
	require.Equal(t, GoalProgress{Status: InProgress, Progress: 0}, st.Goal(2))
	st.SetStat("wins", 3.7, 3.7, []time.Time{t0})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 3, CompletedAt: t0}, st.Goal(2), "progress is the value, not capped at the target")
	// A maximum past the target completes even without a stored time (catalog changed): no completedAt.
	st.SetStat("wins", 3.7, 3.7, nil)
	require.Equal(t, GoalProgress{Status: Completed, Progress: 3}, st.Goal(2))
	st.SetStat("wins", 3.7, 3.7, []time.Time{t0})

	st.SetClaim("wins1", ClaimClaiming, time.Time{})
	st.SetClaim("wins1", ClaimClaiming, time.Time{})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 3, CompletedAt: t0}, st.Goal(2), "completed while a claim is in flight")
	st.SetClaim("wins1", ClaimClaimed, t0.Add(time.Second))
	require.Equal(t, GoalProgress{Status: Claimed, Progress: 3, CompletedAt: t0, ClaimedAt: t0.Add(time.Second)}, st.Goal(2))

	// A completion is final even if the stat later reads lower: the maximum keeps it, progress
	// shows the value (the reference would revert the goal to in_progress).
	t1 := t0.Add(time.Minute)
	st.SetStat("wins", 0, 6, []time.Time{t0, t1})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 0, CompletedAt: t1}, st.Goal(1))
	// Uncapped, as the reference shows it: 997 of a target of 5; two logins of a target of 2 and more.
	st.SetStat("wins", 997, 997, []time.Time{t0, t1})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 997, CompletedAt: t1}, st.Goal(1))
	st.SetStat(challenges.LoginStatKey, 3, 3, []time.Time{t0})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 3, CompletedAt: t0}, st.Goal(0))
	st.SetStat("wins", 1e300, 1e300, []time.Time{t0, t1})
	require.Equal(t, int64(math.MaxInt64), st.Goal(1).Progress, "huge values saturate, never wrap")

	st.SetStat(challenges.LoginStatKey, math.NaN(), math.NaN(), nil)
	require.Equal(t, NotStarted, st.Goal(0).Status)
	st.SetStat(challenges.LoginStatKey, -3, 0, nil)
	require.Equal(t, GoalProgress{Status: NotStarted}, st.Goal(0))

	st.Reset()
	require.True(t, st.Empty())
	require.Equal(t, GoalProgress{Status: NotStarted}, st.Goal(2))
	require.Equal(t, "in_progress", InProgress.String())
}

// A goal the catalog does not assign by default is inactive until the player activates it; an
// inactive goal shows what it had when deactivated (no progress from later stats), never its stat.
func TestInactiveGoalsAreFrozen(t *testing.T) {
	cat, err := challenges.Parse([]byte(`{"challenges":[{"challengeId":"c1","name":"C1","description":"d","goals":[
 {"goalId":"wins5","name":"n","description":"d","eventSource":"statistic","defaultAssigned":false,"requirement":{"statCode":"wins","operator":">=","targetValue":5},"reward":{"type":"ITEM","rewardId":"sword","quantity":1}},
 {"goalId":"wins1","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":1},"reward":{"type":"ITEM","rewardId":"sword","quantity":1}}]}]}`))
	require.NoError(t, err)
	m := NewModel(cat)
	st := m.NewState()
	st.SetStat("wins", 7, 7, []time.Time{time.Unix(1, 0), time.Unix(2, 0)})
	require.Equal(t, GoalProgress{}, st.Goal(0), "not assigned by default: no progress")
	require.False(t, st.Active(0))
	require.True(t, st.Reached(0), "its stat reached the target: a prerequisite on it is met")
	require.Equal(t, GoalProgress{Status: Completed, Progress: 7, CompletedAt: time.Unix(1, 0)}, st.Goal(1))
	require.True(t, st.Active(1))

	at := time.Unix(50, 0)
	st.SetAssignment("wins5", Assignment{Active: true, AssignedAt: at})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 7, CompletedAt: time.Unix(2, 0)}, st.Goal(0))
	require.Equal(t, at, st.AssignedAt(0))
	require.True(t, st.Active(0))

	st.SetAssignment("wins1", Assignment{FrozenProgress: 3})
	require.Equal(t, GoalProgress{Status: InProgress, Progress: 3}, st.Goal(1), "deactivated at 3: the stat's 7 does not show")
	require.False(t, st.Active(1))
	st.SetAssignment("wins1", Assignment{FrozenProgress: 3, FrozenCompleted: true})
	require.Equal(t, GoalProgress{Status: Completed, Progress: 3, CompletedAt: time.Unix(1, 0)}, st.Goal(1))
	st.SetClaim("wins1", ClaimClaimed, at)
	require.Equal(t, Claimed, st.Goal(1).Status)

	st.Reset()
	require.False(t, st.Active(0), "Reset restores the catalog default")
	require.True(t, st.Active(1))
}
