package suite

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

const truthCatalog = `{"challenges":[{"challengeId":"c1","name":"C1","description":"d","goals":[
 {"goalId":"logins-2","name":"n","description":"d","eventSource":"login","requirement":{"statCode":"login_count","operator":">=","targetValue":2},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":1}},
 {"goalId":"wins-5","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":5},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":1}},
 {"goalId":"wins-10","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":10},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":1}}]}]}`

func truthCat(t *testing.T) *challenges.Catalog {
	c, err := challenges.Parse([]byte(truthCatalog))
	require.NoError(t, err)
	return c
}

func gtOf(t *testing.T, js string) *GroundTruth {
	var gt GroundTruth
	require.NoError(t, jsonUnmarshal([]byte(js), &gt))
	return &gt
}

// Seeded values, then a level's ground truth: values are last-writer-wins by event time, the
// maximum is kept (completion is sticky), logins add up, stats driving no goal are left out.
func TestTruthMergesSeedAndLevels(t *testing.T) {
	cat := truthCat(t)
	tr := NewTruth()
	t0 := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	tr.Stat("u1", "wins", 7, t0) // seeded: wins-5 completed
	tr.Logins("u1", 1)
	require.NoError(t, tr.Merge(gtOf(t, `{"valueMode":"monotonic","users":{
		"u1":{"logins":2,"stats":{"wins":{"value":3,"timestamp":"2026-12-01T06:01:00Z"},"kills":{"value":9,"timestamp":"2026-12-01T06:01:00Z"}}},
		"u2":{"logins":0,"stats":{"wins":{"value":11,"timestamp":"2026-12-01T06:01:00Z"}}}}}`), cat))
	v, ok := tr.Value("u1", "wins")
	require.True(t, ok)
	require.Equal(t, 3.0, v, "the later event wins")
	v, _ = tr.Value("u1", challenges.LoginStatKey)
	require.Equal(t, 3.0, v)
	_, ok = tr.Value("u1", "kills")
	require.False(t, ok, "a stat that drives no goal is not expected to be stored")
	require.Equal(t, []string{"u1", "u2"}, tr.Users())

	// An older event does not overwrite a newer value, but counts for the maximum.
	tr.Stat("u2", "wins", 4, t0)
	v, _ = tr.Value("u2", "wins")
	require.Equal(t, 11.0, v)

	// u1: wins value 3, maximum 7: wins-5 stays completed (or claimed), wins-10 shows progress 3.
	ok1 := []APIGoal{{"logins-2", 2, "completed"}, {"wins-5", 3, "claimed"}, {"wins-10", 3, "in_progress"}}
	require.NoError(t, tr.CheckUserGoals("u1", ok1, cat))
	for name, goals := range map[string][]APIGoal{
		"completion lost":     {{"logins-2", 2, "completed"}, {"wins-5", 3, "in_progress"}, {"wins-10", 3, "in_progress"}},
		"progress lost":       {{"logins-2", 2, "completed"}, {"wins-5", 3, "completed"}, {"wins-10", 2, "in_progress"}},
		"completed too early": {{"logins-2", 2, "completed"}, {"wins-5", 3, "completed"}, {"wins-10", 10, "completed"}},
		"goal missing":        {{"logins-2", 2, "completed"}, {"wins-5", 3, "completed"}},
		"goal listed twice":   {{"logins-2", 2, "completed"}, {"wins-5", 3, "completed"}, {"wins-5", 3, "completed"}},
		"unknown goal":        {{"logins-2", 2, "completed"}, {"wins-5", 3, "completed"}, {"nope", 0, "not_started"}},
	} {
		require.Error(t, tr.CheckUserGoals("u1", goals, cat), name)
	}
	// A user no event touched shows nothing started.
	none := []APIGoal{{"logins-2", 0, "not_started"}, {"wins-5", 0, "not_started"}, {"wins-10", 0, "not_started"}}
	require.NoError(t, tr.CheckUserGoals("u9", none, cat))
}

func TestTruthWithoutMonotonicValuesComparesOnlyOpenGoals(t *testing.T) {
	cat := truthCat(t)
	tr := NewTruth()
	require.NoError(t, tr.Merge(gtOf(t, `{"valueMode":"random","users":{"u1":{"stats":{"wins":{"value":3,"timestamp":"2026-12-01T06:01:00Z"}}}}}`), cat))
	require.False(t, tr.Monotonic)
	// The level may have reached 10 before its last value 3: a completion cannot be ruled out.
	goals := []APIGoal{{"logins-2", 0, "not_started"}, {"wins-5", 3, "completed"}, {"wins-10", 3, "in_progress"}}
	require.NoError(t, tr.CheckUserGoals("u1", goals, cat))
}

func TestTruthRefusesABadTimestamp(t *testing.T) {
	err := NewTruth().Merge(gtOf(t, `{"users":{"u1":{"stats":{"wins":{"value":3,"timestamp":"yesterday"}}}}}`), truthCat(t))
	require.ErrorContains(t, err, "yesterday")
}

func TestSampleUsers(t *testing.T) {
	users := []string{"a", "b", "c", "d", "e", "f"}
	require.Equal(t, users, SampleUsers(users, 0))
	require.Equal(t, users, SampleUsers(users, 10))
	require.Equal(t, []string{"a", "c", "e"}, SampleUsers(users, 3))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// A target the suite cannot reset keeps earlier state: the check starts from what the API showed.
func TestTruthFromAPriorView(t *testing.T) {
	cat := truthCat(t)
	tr := NewTruth()
	tr.Prior("u1", []APIGoal{{"logins-2", 3, "claimed"}, {"wins-5", 4, "in_progress"}, {"wins-10", 4, "in_progress"}})
	tr.Stat("u1", "wins", 6, time.Now())
	// logins untouched: still claimed; wins now 6: wins-5 completed, wins-10 in progress at 6.
	require.NoError(t, tr.CheckUserGoals("u1", []APIGoal{{"logins-2", 3, "claimed"}, {"wins-5", 5, "completed"}, {"wins-10", 6, "in_progress"}}, cat))
	for name, goals := range map[string][]APIGoal{
		"prior completion lost":  {{"logins-2", 3, "in_progress"}, {"wins-5", 5, "completed"}, {"wins-10", 6, "in_progress"}},
		"touched stat not shown": {{"logins-2", 3, "claimed"}, {"wins-5", 4, "in_progress"}, {"wins-10", 4, "in_progress"}},
	} {
		require.Error(t, tr.CheckUserGoals("u1", goals, cat), name)
	}
	// Logins add to what the earlier state counted: 1 before + 1 now completes logins-2.
	tr.Prior("u3", []APIGoal{{"logins-2", 1, "in_progress"}, {"wins-5", 0, "not_started"}, {"wins-10", 0, "not_started"}})
	tr.Logins("u3", 1)
	require.NoError(t, tr.CheckUserGoals("u3", []APIGoal{{"logins-2", 2, "completed"}, {"wins-5", 0, "not_started"}, {"wins-10", 0, "not_started"}}, cat))
	require.Error(t, tr.CheckUserGoals("u3", []APIGoal{{"logins-2", 1, "in_progress"}, {"wins-5", 0, "not_started"}, {"wins-10", 0, "not_started"}}, cat))
	// An untouched open goal must not move.
	tr.Prior("u2", []APIGoal{{"logins-2", 1, "in_progress"}, {"wins-5", 0, "not_started"}, {"wins-10", 0, "not_started"}})
	tr.Stat("u2", "wins", 1, time.Now())
	require.Error(t, tr.CheckUserGoals("u2", []APIGoal{{"logins-2", 2, "completed"}, {"wins-5", 1, "in_progress"}, {"wins-10", 1, "in_progress"}}, cat))
	require.NoError(t, tr.CheckUserGoals("u2", []APIGoal{{"logins-2", 1, "in_progress"}, {"wins-5", 1, "in_progress"}, {"wins-10", 1, "in_progress"}}, cat))
}
