package events

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/challenge-perf/challenge-perf/internal/challenges"
)

// fixtureCatalog mirrors the perf fixture's shape: per stat code two challenges of 50 goals with
// targets mult·g, so one event fans out to 100 goals.
func fixtureCatalog(t testing.TB) *challenges.Catalog {
	t.Helper()
	type goal = map[string]any
	codes := []struct {
		code, source string
		mult         int
	}{{"login_count", "login", 1}, {"enemy_kills", "statistic", 10}, {"games_played", "statistic", 2}, {"headshots", "statistic", 5}, {"wins", "statistic", 1}}
	var chs []map[string]any
	n := 0
	for _, c := range codes {
		for part := range 2 {
			n++
			id := fmt.Sprintf("challenge-%03d", n)
			var goals []goal
			for g := 1; g <= 50; g++ {
				goals = append(goals, goal{
					"goalId": fmt.Sprintf("%s-goal-%02d", id, g), "name": "n", "description": "d", "eventSource": c.source,
					"requirement": goal{"statCode": c.code, "operator": ">=", "targetValue": c.mult * (g + 50*part)},
					"reward":      goal{"type": "WALLET", "rewardId": "GEMS", "quantity": 1},
				})
			}
			chs = append(chs, map[string]any{"challengeId": id, "name": id, "description": "d", "goals": goals})
		}
	}
	data, _ := json.Marshal(map[string]any{"challenges": chs})
	cat, err := challenges.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
