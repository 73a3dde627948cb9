//go:build perf

package perf

import (
	"fmt"
	"os"
	"strconv"
	"strings"
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

// Levels of each scenario: the spec's, continuing upward while the system holds.
var (
	apiLevels   = []int{50, 100, 200, 500, 1000, 2000, 5000, 7500, 10000}
	eventLevels = []int{100, 500, 1000, 2000, 5000, 10000, 15000, 20000, 30000}
	// Scenario 3 matrix (spec: API 50..1000 × events 100..5000), extended upward.
	combinedAPI    = []int{50, 100, 200, 500, 1000, 2000}
	combinedEvents = []int{100, 500, 1000, 2000, 5000, 10000}
)

func currentProfile() (Profile, error) {
	name := strings.TrimSpace(os.Getenv("PERF_PROFILE"))
	if name == "" {
		name = "smoke"
	}
	p, ok := profiles[name]
	if !ok {
		return p, fmt.Errorf("PERF_PROFILE=%q: want smoke, nightly or full", name)
	}
	if v := os.Getenv("PERF_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 5*time.Second {
			return p, fmt.Errorf("PERF_DURATION=%q: want a duration of at least 5s, like 30s or 2m", v)
		}
		p.Duration = d
	}
	if v := strings.TrimSpace(os.Getenv("PERF_REPEATS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 9 {
			return p, fmt.Errorf("PERF_REPEATS=%q: want the runs in all the maximum must hold, 1 to 9", v)
		}
		p.Repeats = n
	}
	return p, nil
}

// levelsFor returns the levels to run: PERF_LEVELS (comma-separated) if set, else the profile's
// (the smoke level alone, or every level).
func levelsFor(p Profile, all []int, smoke int) ([]int, error) {
	if v := strings.TrimSpace(os.Getenv("PERF_LEVELS")); v != "" {
		var out []int
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("PERF_LEVELS=%q: want positive integers separated by commas", v)
			}
			out = append(out, n)
		}
		return out, nil
	}
	if !p.Step {
		return []int{smoke}, nil
	}
	return all, nil
}

func envInt(key string) (int, error) {
	v := strings.TrimSpace(os.Getenv(key))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a non-negative integer", key, v)
	}
	return n, nil
}
