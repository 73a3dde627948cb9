// Package levelsearch chooses the load levels a limit search runs: after a ladder's first failing
// level, bisection between the last level that held and the one that failed narrows the maximum
// to an interval within a tolerance, in few extra levels.
package levelsearch

import "math"

const (
	// Tolerance: an interval [held, failed] is narrow enough when failed ≤ held × (1 + Tolerance).
	Tolerance = 0.10
	// MaxExtraLevels bounds the bisection's levels (each costs a level's duration).
	MaxExtraLevels = 3
)

// Narrow reports whether failed is within Tolerance of held.
func Narrow(held, failed int) bool {
	return held > 0 && float64(failed) <= float64(held)*(1+Tolerance)
}

// Next is the rate to try between held and failed: their midpoint rounded to a round step (two
// significant digits of the interval's width), strictly inside the interval. ok is false when the
// interval is already narrow or has no integer inside it.
func Next(held, failed int) (rate int, ok bool) {
	if held <= 0 || failed <= held+1 || Narrow(held, failed) {
		return 0, false
	}
	step := int(math.Pow(10, math.Floor(math.Log10(float64(failed-held)))-1))
	step = max(step, 1)
	mid := (held + failed) / 2
	rate = (mid + step/2) / step * step
	if rate <= held || rate >= failed {
		rate = mid
	}
	return rate, true
}

// Search is a bisection in progress between the highest rate that held and the lowest that failed.
type Search struct {
	Held, Failed int
	Extra        int // levels run by the search
}

// Next is the next rate to run, or false when the interval is narrow or MaxExtraLevels ran.
func (s *Search) Next() (int, bool) {
	if s.Extra >= MaxExtraLevels {
		return 0, false
	}
	return Next(s.Held, s.Failed)
}

// Record takes a bisection level's outcome.
func (s *Search) Record(rate int, held bool) {
	s.Extra++
	if held {
		s.Held = rate
	} else {
		s.Failed = rate
	}
}

// WithinPct is how wide the interval is, in % of the held rate.
func (s *Search) WithinPct() float64 {
	if s.Held <= 0 {
		return math.Inf(1)
	}
	return 100 * float64(s.Failed-s.Held) / float64(s.Held)
}
