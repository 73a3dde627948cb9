package progress

import (
	"math"
	"slices"
	"time"
)

// Status of a goal for one user.
type Status uint8

const (
	NotStarted Status = iota
	InProgress
	Completed
	Claimed
)

var statusNames = [...]string{"not_started", "in_progress", "completed", "claimed"}

func (s Status) String() string { return statusNames[s] }

// ClaimState mirrors user_goal_claims.state ("" when there is no row).
type ClaimState uint8

const (
	ClaimNone ClaimState = iota
	ClaimClaiming
	ClaimClaimed
)

// State is one user's facts, reusable across requests (Reset) to avoid per-request allocation.
type State struct {
	m         *Model
	statValue []float64
	statMax   []float64     // user_stats.max_value: goal completed ⇔ max >= target
	crossedAt [][]time.Time // user_stats.crossed_at: i-th distinct target first reached
	claim     []ClaimState
	claimedAt []time.Time // zero: not claimed
	// per goal, from user_goal_assignments (the catalog default where the player has no row)
	active          []bool
	assignedAt      []time.Time
	frozenProgress  []int64
	frozenCompleted []bool
	assigned        bool // some assignment row was set: Reset restores the slices above
	rows            int
}

// NewState allocates a state sized for m.
func (m *Model) NewState() *State {
	n := m.NumGoals()
	return &State{
		m:         m,
		statValue: make([]float64, m.numStats),
		statMax:   make([]float64, m.numStats),
		crossedAt: make([][]time.Time, m.numStats),
		claim:     make([]ClaimState, n),
		claimedAt: make([]time.Time, n),

		active:          slices.Clone(m.defaultActive),
		assignedAt:      make([]time.Time, n),
		frozenProgress:  make([]int64, n),
		frozenCompleted: make([]bool, n),
	}
}

// Reset forgets every fact.
func (s *State) Reset() {
	clear(s.statValue)
	clear(s.statMax)
	for i := range s.crossedAt {
		s.crossedAt[i] = s.crossedAt[i][:0]
	}
	clear(s.claim)
	clear(s.claimedAt)
	if s.assigned { // most users have no assignment row: skip rewriting these slices per request
		copy(s.active, s.m.defaultActive)
		clear(s.assignedAt)
		clear(s.frozenProgress)
		clear(s.frozenCompleted)
		s.assigned = false
	}
	s.rows = 0
}

// Empty reports that no stored fact concerns a configured goal: every goal is not_started.
func (s *State) Empty() bool { return s.rows == 0 }

// SetStat records a stat row: its current value, its maximum ever and the times its thresholds
// were first reached (copied); keys no goal uses are ignored.
func (s *State) SetStat(key string, value, maxValue float64, crossedAt []time.Time) {
	if i, ok := s.m.statIndex[key]; ok {
		s.statValue[i] = value
		s.statMax[i] = maxValue
		s.crossedAt[i] = append(s.crossedAt[i][:0], crossedAt...)
		s.rows++
	}
}

// SetClaim records a claim row.
func (s *State) SetClaim(goalID string, st ClaimState, claimedAt time.Time) {
	if i, ok := s.m.goalIndex[goalID]; ok {
		s.claim[i] = st
		if st == ClaimClaimed {
			s.claimedAt[i] = claimedAt
		}
		s.rows++
	}
}

// Assignment is a user_goal_assignments row: the player set the goal active or inactive.
type Assignment struct {
	Active          bool
	AssignedAt      time.Time // last activation; zero if never activated by the player
	FrozenProgress  int64     // what an inactive goal shows
	FrozenCompleted bool
}

// SetAssignment records an assignment row.
func (s *State) SetAssignment(goalID string, a Assignment) {
	if i, ok := s.m.goalIndex[goalID]; ok {
		s.active[i], s.assignedAt[i] = a.Active, a.AssignedAt
		s.frozenProgress[i], s.frozenCompleted[i] = a.FrozenProgress, a.FrozenCompleted
		s.assigned = true
		s.rows++
	}
}

// Active reports whether goal i is active for the user: the player's row, else the catalog default.
func (s *State) Active(i int) bool { return s.active[i] }

// AssignedAt is goal i's last activation by the player; zero if assigned by default (or never
// activated).
func (s *State) AssignedAt(i int) time.Time { return s.assignedAt[i] }

// GoalProgress is the derived view of one goal. Zero times mean null.
type GoalProgress struct {
	Status      Status
	Progress    int64
	CompletedAt time.Time
	ClaimedAt   time.Time
}

// Goal derives goal i: claimed if the claim row says so; completed once the stat's maximum reached
// the target (also while a claim is in flight), completedAt from crossed_at; in_progress if the stat
// is positive; else not_started. Progress is the stat's value as the reference shows it: floor(value),
// not capped at the target (997 of 10 stays 997) and never negative.
//
// An inactive goal receives no progress: it shows what it had when the player deactivated it.
func (s *State) Goal(i int) GoalProgress {
	if !s.active[i] {
		return s.inactiveGoal(i)
	}
	target := s.m.goals[i].Requirement.TargetValue
	si := s.m.goalStat[i]
	p := GoalProgress{Progress: shownProgress(s.statValue[si])}
	completed := s.statMax[si] >= float64(target)
	if completed {
		p.CompletedAt = s.completedAt(i, si)
	}
	switch {
	case s.claim[i] == ClaimClaimed:
		p.Status, p.ClaimedAt = Claimed, s.claimedAt[i]
	case completed:
		p.Status = Completed
	case s.statValue[si] > 0: // false for NaN too
		p.Status = InProgress
	}
	return p
}

// inactiveGoal is Goal for an inactive goal: what it had when the player deactivated it (kept
// apart so the common, active path stays short).
func (s *State) inactiveGoal(i int) GoalProgress {
	p := GoalProgress{Progress: s.frozenProgress[i]}
	completed := s.frozenCompleted[i]
	if completed {
		p.CompletedAt = s.completedAt(i, s.m.goalStat[i])
	}
	switch {
	case s.claim[i] == ClaimClaimed:
		p.Status, p.ClaimedAt = Claimed, s.claimedAt[i]
	case completed:
		p.Status = Completed
	case p.Progress > 0:
		p.Status = InProgress
	}
	return p
}

// completedAt is when goal i's stat first reached its target (zero if no time was stored).
func (s *State) completedAt(i, si int) time.Time {
	if k := s.m.goalThr[i] - 1; k < len(s.crossedAt[si]) {
		return s.crossedAt[si][k]
	}
	return time.Time{}
}

// Reached reports that goal i's stat reached its target (or the goal was claimed), whether the goal
// is active or not: what a claim's prerequisite check asks (claims.PGStore's prereqsMetSQL).
func (s *State) Reached(i int) bool {
	return s.claim[i] == ClaimClaimed || s.statMax[s.m.goalStat[i]] >= float64(s.m.goals[i].Requirement.TargetValue)
}

// shownProgress is a stat value as the reference shows it: floor(value), never negative (NaN is 0).
func shownProgress(v float64) int64 {
	if !(v > 0) {
		return 0
	}
	if f := math.Floor(v); f < math.MaxInt64 {
		return int64(f)
	}
	return math.MaxInt64
}
