package runner

import (
	"slices"
	"time"
)

// Profile is how much of the spec's plan a run covers.
type Profile struct {
	Name     string
	Duration time.Duration // per level
	Cooldown time.Duration // between levels
	Step     bool          // step through levels until the limit (false: first level only)
	// Repeats: runs in all the maximum must hold to be reported (PERF_REPEATS overrides; stepping
	// profiles only). One run of a level at the boundary is a coin toss on a 2-core host.
	Repeats int
}

var profiles = map[string]Profile{
	// smoke: one low level per scenario: the per-pull-request check (whole suite ~5 min warm).
	"smoke": {Name: "smoke", Duration: 20 * time.Second, Cooldown: 2 * time.Second, Step: false},
	// nightly: every level, two minutes each.
	"nightly": {Name: "nightly", Duration: 2 * time.Minute, Cooldown: 10 * time.Second, Step: true, Repeats: 3},
	// full: the spec's 30 minutes per level.
	"full": {Name: "full", Duration: 30 * time.Minute, Cooldown: 60 * time.Second, Step: true, Repeats: 2},
}

// ProfileNames are the profiles PERF_PROFILE may name, in the order the README gives them.
var ProfileNames = []string{"smoke", "nightly", "full"}

// Levels of each scenario: the spec's, continuing upward while the system holds. Read-only.
var (
	APILevels   = []int{50, 100, 200, 500, 1000, 2000, 5000, 7500, 10000}
	EventLevels = []int{100, 500, 1000, 2000, 5000, 10000, 15000, 20000, 30000}
	// Scenario 3 matrix (spec: API 50..1000 × events 100..5000), extended upward.
	CombinedAPI    = []int{50, 100, 200, 500, 1000, 2000}
	CombinedEvents = []int{100, 500, 1000, 2000, 5000, 10000}
)

// Profile is the run's profile (PERF_PROFILE) with PERF_DURATION and PERF_REPEATS applied.
func (s Settings) Profile() Profile {
	p := profiles[s.ProfileName]
	if p.Name == "" {
		p = profiles["smoke"] // a zero Settings; Load accepts only known names
	}
	if s.Duration > 0 {
		p.Duration = s.Duration
	}
	if s.Repeats > 0 {
		p.Repeats = s.Repeats
	}
	return p
}

// LevelsFor returns the levels to run: PERF_LEVELS if set, else the profile's (the smoke level
// alone, or every level of the ladder all).
func (s Settings) LevelsFor(all []int, smoke int) []int {
	if len(s.Levels) > 0 {
		return slices.Clone(s.Levels)
	}
	if !s.Profile().Step {
		return []int{smoke}
	}
	return slices.Clone(all)
}
