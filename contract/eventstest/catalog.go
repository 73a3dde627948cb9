// Package eventstest is shared test support for the event pipeline: the perf fixture's catalog
// shape (FixtureJSON, Reached) and the ground truth the handler is checked against (Event,
// Workload, Model, ReadState, Diff, Client). It sits outside service/ so that both the service's
// own tests and the instrument's (perf/durability) use one copy.
package eventstest

import (
	"encoding/json"
	"fmt"
)

// StatCode describes one stat's goals in FixtureJSON: targets Mult·g for g = 1..100.
type StatCode struct {
	Code, Source string
	Mult         int
}

// Codes are the fixture's five stat codes (login_count is driven by login events).
var Codes = []StatCode{
	{"login_count", "login", 1}, {"enemy_kills", "statistic", 10}, {"games_played", "statistic", 2},
	{"headshots", "statistic", 5}, {"wins", "statistic", 1},
}

// FixtureJSON is a challenges.json like the perf fixture: per stat code two challenges of 50
// goals (challenge-NNN-goal-GG), so one event fans out to 100 goals.
func FixtureJSON() []byte {
	var chs []map[string]any
	n := 0
	for _, c := range Codes {
		for part := range 2 {
			n++
			id := fmt.Sprintf("challenge-%03d", n)
			var goals []map[string]any
			for g := 1; g <= 50; g++ {
				goals = append(goals, map[string]any{
					"goalId": GoalID(n, g), "name": "n", "description": "d", "eventSource": c.Source,
					"requirement": map[string]any{"statCode": c.Code, "operator": ">=", "targetValue": c.Mult * (g + 50*part)},
					"reward":      map[string]any{"type": "WALLET", "rewardId": "GEMS", "quantity": 1},
				})
			}
			chs = append(chs, map[string]any{"challengeId": id, "name": id, "description": "d", "goals": goals})
		}
	}
	data, err := json.Marshal(map[string]any{"challenges": chs})
	if err != nil {
		panic(err)
	}
	return data
}

// GoalID names goal g (1..50) of challenge n (1..10).
func GoalID(n, g int) string { return fmt.Sprintf("challenge-%03d-goal-%02d", n, g) }

// Reached lists the goal ids of a stat code whose targets are at most v.
func Reached(code string, v float64) []string {
	var ids []string
	for i, c := range Codes {
		if c.Code != code {
			continue
		}
		for part := range 2 {
			for g := 1; g <= 50; g++ {
				if float64(c.Mult*(g+50*part)) <= v {
					ids = append(ids, GoalID(2*i+part+1, g))
				}
			}
		}
	}
	return ids
}
