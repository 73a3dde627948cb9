package loadgen

import (
	"math"
	"time"
)

// rateSegment is a linear piece of the arrival rate (iterations per second).
type rateSegment struct {
	start, dur time.Duration
	from, to   float64
}

// schedule is the piecewise-linear arrival rate of one scenario. Iteration
// n (n = 0, 1, ...) starts when the integral of the rate reaches n, as in
// k6; iterations due at or after the end are not started.
type schedule struct {
	segs  []rateSegment
	total time.Duration
}

func newSchedule(s *Scenario) schedule {
	unit := s.TimeUnit.D().Seconds()
	var sc schedule
	if s.Executor == ExecutorConstant {
		r := s.Rate / unit
		sc.segs = []rateSegment{{0, s.Duration.D(), r, r}}
		sc.total = s.Duration.D()
		return sc
	}
	from := s.StartRate / unit
	var at time.Duration
	for _, st := range s.Stages {
		to := st.Target / unit
		if st.Duration > 0 {
			sc.segs = append(sc.segs, rateSegment{at, st.Duration.D(), from, to})
		}
		at += st.Duration.D()
		from = to
	}
	sc.total = at
	return sc
}

// rateAt is the configured rate at offset t (for the time series).
func (sc schedule) rateAt(t time.Duration) float64 {
	for _, g := range sc.segs {
		if t >= g.start && t < g.start+g.dur {
			f := float64(t-g.start) / float64(g.dur)
			return g.from + (g.to-g.from)*f
		}
	}
	return 0
}

// expected is the integral of the rate over [0, t): iterations due by t.
func (sc schedule) expected(t time.Duration) float64 {
	var n float64
	for _, g := range sc.segs {
		if t <= g.start {
			break
		}
		tau := math.Min((t - g.start).Seconds(), g.dur.Seconds())
		T := g.dur.Seconds()
		n += g.from*tau + (g.to-g.from)*tau*tau/(2*T)
	}
	return n
}

// cursor walks the schedule forward; next(n) must be called with
// non-decreasing n. It is used by one scheduler goroutine only.
type cursor struct {
	sc     schedule
	seg    int
	before float64 // integral of all segments before seg
}

// at returns the start offset of iteration n, or false past the end.
func (c *cursor) at(n float64) (time.Duration, bool) {
	for c.seg < len(c.sc.segs) {
		g := c.sc.segs[c.seg]
		T := g.dur.Seconds()
		area := (g.from + g.to) / 2 * T
		x := n - c.before
		if x < area {
			// Solve from*τ + (to−from)τ²/(2T) = x with the cancellation-free
			// form τ = 2x / (from + sqrt(from² + 2(to−from)x/T)).
			den := g.from + math.Sqrt(g.from*g.from+2*(g.to-g.from)*x/T)
			tau := 0.0
			if den > 0 {
				tau = 2 * x / den
			}
			off := g.start + time.Duration(tau*float64(time.Second))
			if off >= g.start+g.dur {
				off = g.start + g.dur - 1
			}
			return off, true
		}
		c.before += area
		c.seg++
	}
	return 0, false
}
