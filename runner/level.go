package runner

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/suite"
)

// LevelSpec is one load level: an API rate, an event rate, or both, with optional E2E probes.
type LevelSpec struct {
	Name       string
	RPS        int     // API iterations per second (scenario 1 mix), 0 = none
	EPS        int     // events per second, 0 = none
	E2ERate    float64 // E2E probes per second, 0 = none
	APIGetOnly bool    // the spec's GET-only variant of the combined scenario
	Profiles   bool    // collect CPU/heap/goroutine/mutex profiles of both programs
	DBSampling bool    // sample PostgreSQL every 5 s and analyse it afterwards
	Retry      bool    // a second run of a level that failed although the baseline held it
	Redeliver  bool    // the generator redelivers refused event calls until they are answered OK
	// OrderProbes: the generator sends order probes (the target declares the contract's order,
	// targets.Capabilities.EventOrder): equal-timestamp pairs out of order, timestamp-less streams.
	OrderProbes bool
	HTTPPool    int    // a fixed HTTP pool (0: sized from the work); set when a re-run removes the pool as a limit
	Fault       *Fault // injected during the level (scenario 6)
	// NoIntegrity leaves the integrity check to the caller (a test that expects it to fail).
	NoIntegrity bool
}

// Fault is one failure injected in the middle of a level: what an operator, the kernel or the
// infrastructure does to a running stack.
type Fault struct {
	Name   string
	At     time.Duration // after the generator's start
	Inject func(ctx context.Context, s *harness.Stack) error
}

// String is the level as results and logs name it ("100 RPS + 500 EPS").
func (l LevelSpec) String() string {
	s := ""
	if l.RPS > 0 {
		s += fmt.Sprintf("%d RPS", l.RPS)
	}
	if l.EPS > 0 {
		if s != "" {
			s += " + "
		}
		s += fmt.Sprintf("%d EPS", l.EPS)
	}
	if l.E2ERate > 0 {
		if s != "" {
			s += " + "
		}
		s += fmt.Sprintf("%.0f probes/s", l.E2ERate)
	}
	return s
}

// Load and WithLoad are what the stepping (suite.Stepper) reads and changes of a level.
func (l LevelSpec) Load() suite.Load {
	return suite.Load{Name: l.Name, RPS: l.RPS, EPS: l.EPS, HTTPPool: l.HTTPPool, Retry: l.Retry}
}

func (l LevelSpec) WithLoad(s suite.Load) LevelSpec {
	l.Name, l.RPS, l.EPS, l.HTTPPool, l.Retry = s.Name, s.RPS, s.EPS, s.HTTPPool, s.Retry
	return l
}

// WantsSeed: a level with API load starts from realistic state (PERF_SEED_PROGRESS, seedProgress).
func (l LevelSpec) WantsSeed(seedProgress bool) bool { return l.RPS > 0 && seedProgress }

// ChecksIntegrity: the level sends events, so the target's state is checked against them after it
// (unless the caller checks it itself, NoIntegrity).
func (l LevelSpec) ChecksIntegrity() bool { return (l.EPS > 0 || l.E2ERate > 0) && !l.NoIntegrity }

// EventsPerSecond is every event the level sends per second, probes included (rounded up): what
// the buffered mode's de-duplication keys grow by.
func (l LevelSpec) EventsPerSecond() int { return l.EPS + int(math.Ceil(l.E2ERate)) }
