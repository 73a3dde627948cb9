// Package progress reads one user's stored facts (stat values and maxima with their threshold
// crossing times, claims) and derives every goal's status and progress from them. Neither progress
// nor completion is stored per goal: see internal/store/migrations/0002_crossed_at.sql.
package progress

import (
	"slices"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

// Model indexes the catalog once so per-request state lives in flat slices, not maps.
type Model struct {
	goals     []*challenges.Goal // catalog order: challenge by challenge, goal by goal
	goalIndex map[string]int
	statIndex map[string]int
	goalStat  []int // goal index → stat index
	// goal index → 1-based position of its target among the stat key's sorted distinct targets
	// (store.SyncGoals' stat_thresholds): user_stats.crossed_at[goalThr-1] is its completion time.
	goalThr  []int
	numStats int
	// goal index → active when the player changed nothing (the catalog's defaultAssigned)
	defaultActive []bool
}

// NewModel indexes cat.
func NewModel(cat *challenges.Catalog) *Model {
	m := &Model{goalIndex: map[string]int{}, statIndex: map[string]int{}}
	for ci := range cat.Challenges {
		for gi := range cat.Challenges[ci].Goals {
			g := &cat.Challenges[ci].Goals[gi]
			key := g.StatKey()
			si, ok := m.statIndex[key]
			if !ok {
				si = len(m.statIndex)
				m.statIndex[key] = si
			}
			m.goalIndex[g.GoalID] = len(m.goals)
			m.goals = append(m.goals, g)
			m.goalStat = append(m.goalStat, si)
			m.defaultActive = append(m.defaultActive, g.AssignedByDefault())
		}
	}
	m.numStats = len(m.statIndex)
	targets := make([][]int64, m.numStats)
	for i, g := range m.goals {
		targets[m.goalStat[i]] = append(targets[m.goalStat[i]], g.Requirement.TargetValue)
	}
	for si := range targets {
		slices.Sort(targets[si])
		targets[si] = slices.Compact(targets[si])
	}
	m.goalThr = make([]int, len(m.goals))
	for i, g := range m.goals {
		pos, _ := slices.BinarySearch(targets[m.goalStat[i]], g.Requirement.TargetValue)
		m.goalThr[i] = pos + 1
	}
	return m
}

// NumGoals is the number of goals; goal indexes run 0..NumGoals-1 in catalog order.
func (m *Model) NumGoals() int { return len(m.goals) }

// Goal returns the goal at index i.
func (m *Model) Goal(i int) *challenges.Goal { return m.goals[i] }

// GoalIndex finds a goal's index.
func (m *Model) GoalIndex(id string) (int, bool) { i, ok := m.goalIndex[id]; return i, ok }
