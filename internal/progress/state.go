package progress

import (
	"math"
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
	m           *Model
	statValue   []float64
	completedAt []time.Time // zero: no completion row
	claim       []ClaimState
	claimedAt   []time.Time // zero: not claimed
	rows        int
}

// NewState allocates a state sized for m.
func (m *Model) NewState() *State {
	n := m.NumGoals()
	return &State{
		m:           m,
		statValue:   make([]float64, m.numStats),
		completedAt: make([]time.Time, n),
		claim:       make([]ClaimState, n),
		claimedAt:   make([]time.Time, n),
	}
}

// Reset forgets every fact.
func (s *State) Reset() {
	clear(s.statValue)
	clear(s.completedAt)
	clear(s.claim)
	clear(s.claimedAt)
	s.rows = 0
}

// Empty reports that no stored fact concerns a configured goal: every goal is not_started.
func (s *State) Empty() bool { return s.rows == 0 }

// SetStat records a stat value; keys no goal uses are ignored.
func (s *State) SetStat(key string, v float64) {
	if i, ok := s.m.statIndex[key]; ok {
		s.statValue[i] = v
		s.rows++
	}
}

// SetCompleted records a completion; unknown goals (removed from the catalog) are ignored.
func (s *State) SetCompleted(goalID string, at time.Time) {
	if i, ok := s.m.goalIndex[goalID]; ok {
		s.completedAt[i] = at
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

// GoalProgress is the derived view of one goal. Zero times mean null.
type GoalProgress struct {
	Status      Status
	Progress    int64
	CompletedAt time.Time
	ClaimedAt   time.Time
}

// Goal derives goal i: claimed if the claim row says so; completed if a completion exists (also while
// a claim is in flight); in_progress if the stat is positive; else not_started. Progress is the target
// once completed, else floor(value) clamped to [0, target].
func (s *State) Goal(i int) GoalProgress {
	target := s.m.goals[i].Requirement.TargetValue
	p := GoalProgress{CompletedAt: s.completedAt[i]}
	completed := !p.CompletedAt.IsZero()
	switch {
	case s.claim[i] == ClaimClaimed:
		p.Status, p.Progress, p.ClaimedAt = Claimed, target, s.claimedAt[i]
	case completed:
		p.Status, p.Progress = Completed, target
	default:
		v := s.statValue[s.m.goalStat[i]]
		if v > 0 { // false for NaN too
			p.Status = InProgress
			p.Progress = target
			if f := math.Floor(v); f < float64(target) {
				p.Progress = int64(f)
			}
		}
	}
	return p
}
