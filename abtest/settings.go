package abtest

import (
	"errors"
	"fmt"
	"math"
)

// Settings are the decision's thresholds, recorded in every report.
type Settings struct {
	// Alpha: a metric can regress only when the one-sided p-value is at most Alpha.
	Alpha float64 `json:"alpha"`
	// MinEffect: ... and when median(B)/median(A) exceeds 1 + MinEffect (0.10 = 10% slower).
	MinEffect float64 `json:"min_effect"`
	// LatencyFloorMs: ... and, for latencies, when median(B) − median(A) exceeds it, so that a
	// 10% change of a sub-millisecond number never fails the gate.
	LatencyFloorMs float64 `json:"latency_floor_ms"`
	// CPUFloorMs: the same for CPU-milliseconds per request or event.
	CPUFloorMs float64 `json:"cpu_floor_ms"`
}

// DefaultSettings: alpha 0.05, 10% minimum effect, 1 ms latency floor, no CPU floor.
func DefaultSettings() Settings {
	return Settings{Alpha: 0.05, MinEffect: 0.10, LatencyFloorMs: 1, CPUFloorMs: 0}
}

// Validate checks the thresholds and that runs runs per side can reach Alpha at all: with n runs
// against n the smallest one-sided exact p is 1/C(2n, n) (0.05 for 3 against 3), so fewer runs
// could never report a regression.
func (s Settings) Validate(runs int) error {
	var errs []error
	if !(s.Alpha > 0 && s.Alpha < 1) {
		errs = append(errs, fmt.Errorf("alpha %g: want a number in (0, 1)", s.Alpha))
	}
	if !(s.MinEffect >= 0) || math.IsInf(s.MinEffect, 0) {
		errs = append(errs, fmt.Errorf("min effect %g: want a fraction ≥ 0 (0.10 = 10%%)", s.MinEffect))
	}
	if !(s.LatencyFloorMs >= 0) || !(s.CPUFloorMs >= 0) {
		errs = append(errs, fmt.Errorf("floors %g ms / %g ms: want ≥ 0", s.LatencyFloorMs, s.CPUFloorMs))
	}
	if runs < 1 {
		errs = append(errs, fmt.Errorf("%d runs per side: want at least 1", runs))
	} else if p := MinP(runs, runs); len(errs) == 0 && !atMost(p, s.Alpha) {
		errs = append(errs, fmt.Errorf("%d runs per side: the smallest possible one-sided p is %.3g, above alpha %g, so no regression could ever be found; use at least %d", runs, p, s.Alpha, RunsFor(s.Alpha)))
	}
	return errors.Join(errs...)
}

// MinP is the smallest one-sided exact Mann-Whitney p-value for samples of n1 and n2 distinct
// values: every B above every A, one ordering of C(n1+n2, n1).
func MinP(n1, n2 int) float64 {
	c := 1.0
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return 1 / c
}

// RunsFor is the fewest runs per side whose smallest one-sided p reaches alpha.
func RunsFor(alpha float64) int {
	n := 1
	for !atMost(MinP(n, n), alpha) && n < 50 {
		n++
	}
	return n
}

// atMost compares p-values with a relative tolerance: the exact p of 3 against 3 is 1/20, which
// floating point may render a hair above 0.05.
func atMost(p, alpha float64) bool { return p <= alpha*(1+1e-9) }
