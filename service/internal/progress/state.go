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
	m         *Model
	statValue []float64
	statMax   []float64     // user_stats.max_value: goal completed ⇔ max >= target
	crossedAt [][]time.Time // user_stats.crossed_at: i-th distinct target first reached
	claim     []ClaimState
	claimedAt []time.Time // zero: not claimed
	rows      int
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
func (s *State) Goal(i int) GoalProgress {
	target := s.m.goals[i].Requirement.TargetValue
	si := s.m.goalStat[i]
	var p GoalProgress
	if v := s.statValue[si]; v > 0 { // false for NaN too
		p.Progress = math.MaxInt64
		if f := math.Floor(v); f < math.MaxInt64 {
			p.Progress = int64(f)
		}
	}
	completed := s.statMax[si] >= float64(target)
	if completed {
		if k := s.m.goalThr[i] - 1; k < len(s.crossedAt[si]) {
			p.CompletedAt = s.crossedAt[si][k]
		}
	}
	switch {
	case s.claim[i] == ClaimClaimed:
		p.Status, p.ClaimedAt = Claimed, s.claimedAt[i]
	case completed:
		p.Status = Completed
	case s.statValue[si] > 0:
		p.Status = InProgress
	}
	return p
}
