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

// Integrity by attribution: a value the acknowledged events do not imply is explained only by an
// uncertain event of the same user and stat, never by one elsewhere; equal timestamps are ordered
// by id, a missing timestamp orders first.
func TestTruthAttributesDifferencesToTheirOwnUncertainEvents(t *testing.T) {
	cat := truthCat(t)
	tr := NewTruth()
	require.NoError(t, tr.Merge(gtOf(t, `{"valueMode":"monotonic","eventsUncertain":3,"users":{
		"u1":{"logins":1,"uncertainLogins":1,"stats":{"wins":{"acked":true,"value":7,"max":7,"timestamp":"2026-12-01T06:00:00Z","id":"lg-b",
			"uncertain":[{"value":9,"timestamp":"2026-12-01T06:00:00Z","id":"lg-c"}]}}},
		"u2":{"logins":0,"stats":{"wins":{"acked":true,"value":4,"max":4,"timestamp":"2026-12-01T06:00:00Z","id":"lg-x"}}},
		"u3":{"logins":0,"stats":{"wins":{"acked":false,"value":0,"timestamp":"","uncertain":[{"value":2,"timestamp":"","id":"lg-q"}]}}}}}`), cat))
	for _, c := range []struct {
		user, key string
		got       float64
		stored    bool
		want      Outcome
	}{
		{"u1", "wins", 7, true, Match},
		{"u1", "wins", 9, true, Explained}, // the uncertain lg-c is newer (equal time, greater id)
		{"u1", "wins", 8, true, Extra},     // no event of u1/wins had 8
		{"u1", "wins", 5, true, Lost},
		{"u1", "wins", 0, false, Lost},
		{"u1", challenges.LoginStatKey, 1, true, Match},
		{"u1", challenges.LoginStatKey, 2, true, Explained}, // its own uncertain login
		{"u1", challenges.LoginStatKey, 3, true, Extra},
		{"u2", "wins", 9, true, Extra}, // u1's uncertain event does not explain u2's value
		{"u2", "wins", 4, true, Match},
		{"u3", "wins", 0, false, Match}, // nothing acknowledged, nothing stored
		{"u3", "wins", 2, true, Explained},
		{"u9", "wins", 1, true, Extra}, // stored without any event
	} {
		require.Equal(t, c.want, tr.CompareStored(c.user, c.key, c.got, c.stored), "%s %s %g", c.user, c.key, c.got)
	}

	// The API view allows the same states: u1 may show wins 9 (wins-5 completed, wins-10 at 9)
	// and 2 logins (logins-2 completed), but not 8.
	require.NoError(t, tr.CheckUserGoals("u1", []APIGoal{{"logins-2", 2, "completed"}, {"wins-5", 9, "completed"}, {"wins-10", 9, "in_progress"}}, cat))
	require.NoError(t, tr.CheckUserGoals("u1", []APIGoal{{"logins-2", 1, "in_progress"}, {"wins-5", 7, "completed"}, {"wins-10", 7, "in_progress"}}, cat))
	require.Error(t, tr.CheckUserGoals("u1", []APIGoal{{"logins-2", 1, "in_progress"}, {"wins-5", 8, "completed"}, {"wins-10", 8, "in_progress"}}, cat))
	require.Error(t, tr.CheckUserGoals("u2", []APIGoal{{"logins-2", 0, "not_started"}, {"wins-5", 9, "completed"}, {"wins-10", 9, "in_progress"}}, cat))
}

// The order is (timestamp, id): an event without a timestamp orders before one with it; of two
// with the same timestamp the greater id wins, whatever order they were merged in.
func TestTruthOrdersEqualAndAbsentTimestampsByID(t *testing.T) {
	cat := truthCat(t)
	for _, order := range [][]string{{"a", "b"}, {"b", "a"}} {
		tr := NewTruth()
		ev := map[string]string{
			"a": `{"users":{"u1":{"stats":{"wins":{"acked":true,"value":5,"max":5,"timestamp":"2026-12-01T06:00:00Z","id":"lg-1"}}}}}`,
			"b": `{"users":{"u1":{"stats":{"wins":{"acked":true,"value":7,"max":7,"timestamp":"2026-12-01T06:00:00Z","id":"lg-2"}}}}}`,
		}
		for _, k := range order {
			require.NoError(t, tr.Merge(gtOf(t, ev[k]), cat))
		}
		v, _ := tr.Value("u1", "wins")
		require.Equal(t, 7.0, v, "merged %v", order)
		// A later timestamp-less event does not override a timestamped one.
		require.NoError(t, tr.Merge(gtOf(t, `{"users":{"u1":{"stats":{"wins":{"acked":true,"value":1,"max":1,"timestamp":"","id":"lg-9"}}}}}`), cat))
		v, _ = tr.Value("u1", "wins")
		require.Equal(t, 7.0, v)
	}
	tr := NewTruth()
	require.NoError(t, tr.Merge(gtOf(t, `{"users":{"u1":{"stats":{"wins":{"acked":true,"value":3,"max":3,"timestamp":"","id":"lg-2"}}}}}`), cat))
	require.NoError(t, tr.Merge(gtOf(t, `{"users":{"u1":{"stats":{"wins":{"acked":true,"value":2,"max":2,"timestamp":"","id":"lg-1"}}}}}`), cat))
	v, _ := tr.Value("u1", "wins")
	require.Equal(t, 3.0, v, "among timestamp-less events the greater id wins")
}

// A goal that does not show what its acknowledged events imply is reported with its stat and the
// id of the event that decides it, so a lost event can be traced in the target's logs.
func TestTruthNamesTheDecidingEvent(t *testing.T) {
	cat := truthCat(t)
	tr := NewTruth()
	require.NoError(t, tr.Merge(gtOf(t, `{"users":{"u1":{"stats":{"wins":{"acked":true,"value":3,"max":3,"timestamp":"2026-12-01T06:00:00Z","id":"lg-77"}}}}}`), cat))
	err := tr.CheckUserGoals("u1", []APIGoal{{"logins-2", 0, "not_started"}, {"wins-5", 2, "in_progress"}, {"wins-10", 2, "in_progress"}}, cat)
	require.ErrorContains(t, err, "stat wins, deciding acknowledged event lg-77")
	require.Equal(t, "lg-77", tr.EventID("u1", "wins"))
}
