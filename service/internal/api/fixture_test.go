package api

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// perfCatalog builds the load-test fixture's shape: 10 challenges × 50 goals, 5 stat codes
// (2 challenges each), WALLET rewards with every 10th an ITEM, every 10th goal requiring the
// previous one. Descriptions carry characters JSON must escape.
func perfCatalog(t testing.TB) *challenges.Catalog {
	t.Helper()
	type stat struct {
		code, source string
		mult         int64
	}
	stats := []stat{{"login_count", "login", 1}, {"enemy_kills", "statistic", 10}, {"games_played", "statistic", 2},
		{"headshots", "statistic", 5}, {"wins", "statistic", 1}}
	var doc struct {
		Challenges []map[string]any `json:"challenges"`
	}
	for c := 1; c <= 10; c++ {
		st := stats[(c-1)/2]
		cid := fmt.Sprintf("challenge-%03d", c)
		var goals []map[string]any
		for g := 1; g <= 50; g++ {
			gid := fmt.Sprintf("%s-goal-%02d", cid, g)
			rw := map[string]any{"type": "WALLET", "rewardId": "GEMS", "quantity": 10 * g}
			if g%10 == 0 {
				rw = map[string]any{"type": "ITEM", "rewardId": fmt.Sprintf("item-%d", g), "quantity": 1}
			}
			prereq := []string{}
			if g%10 == 0 {
				prereq = []string{fmt.Sprintf("%s-goal-%02d", cid, g-1)}
			}
			goals = append(goals, map[string]any{
				"goalId": gid, "name": fmt.Sprintf("Goal %d of %s", g, cid),
				"description": fmt.Sprintf(`Reach %d "%s" <fast> & keep going ✓`, st.mult*int64(g), st.code),
				"eventSource": st.source,
				"requirement": map[string]any{"statCode": st.code, "operator": ">=", "targetValue": st.mult * int64(g)},
				"reward":      rw, "prerequisites": prereq,
			})
		}
		doc.Challenges = append(doc.Challenges, map[string]any{
			"challengeId": cid, "name": fmt.Sprintf("Challenge %d", c), "description": "Tab\tand \\ backslash", "goals": goals,
		})
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := challenges.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// sampleStates returns named user states over cat covering every status.
func sampleStates(m *progress.Model) map[string]*progress.State {
	t0 := time.Date(2026, 11, 28, 10, 11, 12, 345678000, time.UTC)
	out := map[string]*progress.State{}

	out["empty"] = m.NewState()

	s := m.NewState()
	s.SetStat("enemy_kills", 7.9, 7.9, nil) // below the first target (10)
	out["in progress only"] = s

	// times returns n crossing times, a minute apart from t0.
	times := func(n int, loc *time.Location) []time.Time {
		ts := make([]time.Time, n)
		for i := range ts {
			ts[i] = t0.Add(time.Duration(i+1) * time.Minute).In(loc)
		}
		return ts
	}
	s = m.NewState()
	s.SetStat(challenges.LoginStatKey, 7, 7, times(7, time.UTC))
	s.SetStat("wins", 3, 12, times(12, time.FixedZone("X", 3600))) // value fell below max: still completed
	s.SetStat("headshots", 0, 0, nil)
	s.SetStat("games_played", 1e9, 1e9, times(3, time.UTC)) // more thresholds reached than times stored
	s.SetClaim("challenge-001-goal-01", progress.ClaimClaimed, t0.Add(time.Hour))
	s.SetClaim("challenge-001-goal-02", progress.ClaimClaiming, time.Time{})
	// The player deactivated goals: one frozen completed, one frozen in progress (its stat moved on),
	// one claimed then deactivated; and activated one again.
	s.SetAssignment("challenge-009-goal-01", progress.Assignment{FrozenProgress: 2, FrozenCompleted: true})
	s.SetAssignment("challenge-009-goal-20", progress.Assignment{FrozenProgress: 2})
	s.SetAssignment("challenge-001-goal-01", progress.Assignment{FrozenProgress: 1, FrozenCompleted: true})
	s.SetAssignment("challenge-009-goal-02", progress.Assignment{Active: true, AssignedAt: t0.Add(2 * time.Hour)})
	out["mixed"] = s

	s = m.NewState()
	for _, k := range []string{challenges.LoginStatKey, "enemy_kills", "games_played", "headshots", "wins"} {
		s.SetStat(k, 1e6, 1e6, times(200, time.UTC))
	}
	for i := 0; i < m.NumGoals(); i++ {
		s.SetClaim(m.Goal(i).GoalID, progress.ClaimClaimed, t0.Add(time.Second))
	}
	out["all claimed"] = s
	return out
}
